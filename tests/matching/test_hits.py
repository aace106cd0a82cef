"""Hits keep their unit and detail through a stored task result, and results stored before
hits had a unit (flat rows of 17 fields) still read back."""

from tessera.core.types import Transform
from tessera.matching.hits import Hit, Neighbour, Timing
from tessera.matching.video import Segment


def test_a_hit_round_trips_through_its_row() -> None:
    hit = Hit(7, "video", "pdq", 4, "bits", 0.9844, "copy", Transform.FLIP_HORIZONTAL, "full",
              "trimmed", Timing((Segment(0.0, 5.0, 10.0, 15.0),), 0.5, 0.25, frames=6))
    assert Hit.from_row(hit.to_row()) == hit
    face = Hit(3, "face", "face", 0.04, "1 - cosine similarity", 0.96, "person",
               query_region="face", match_region="face", timing=Timing(query_times=(2.0,)),
               neighbour=Neighbour(1, 99))
    assert Hit.from_row(face.to_row()) == face


def test_rows_stored_before_the_upgrade_still_read() -> None:
    still = Hit.from_row({"media_id": 5, "kind": "pdq", "distance": 12, "transform": "rotate90",
                          "match_times": [1.0], "frames": 1})
    assert (still.media_id, still.kind, still.distance, still.evidence) == (5, "pdq", 12, "copy")
    assert still.transform is Transform.ROTATE_90 and still.timing.match_times == (1.0,)
    face = Hit.from_row({"media_id": 6, "kind": "face", "distance": 40, "score": 0.96,
                         "query_face": 2, "match_signal": 31, "query_region": "face",
                         "match_region": "face"})
    assert face.evidence == "person" and face.neighbour == Neighbour(2, 31)
    assert face.score == 0.96
