"""Each signal type owns its threshold and quality gate; operators override them through the
type's knobs (TESSERA_* variables), read in one place and refused when out of bounds."""

from pathlib import Path

import pytest

from tessera.config import Settings
from tessera.core.errors import ConfigError
from tessera.signals import SIGNAL_TYPES, matching_types, spaces_of
from tessera.signals.face import face_type


def _spaces(env: dict[str, str], tmp_path: Path) -> dict:
    s = Settings.from_env(env=env, home=tmp_path)
    return spaces_of(matching_types(s.media, s.tuning))


def test_defaults_come_from_the_types(tmp_path: Path) -> None:
    spaces = _spaces({}, tmp_path)
    pdq = spaces["pdq"][0]
    assert pdq.name == "pdq" and [m.name for m in spaces["pdq"]] == ["pdq", "vpdq"]
    assert (pdq.threshold, pdq.min_quality, pdq.unit) == (31, 50, "bits")
    face = face_type({})
    assert (face.match, face.suggest, face.cluster, face.min_quality) == (0.92, 0.93, 0.92, 40)
    assert face.score_floor() == 0.92 and spaces["chromaprint"][0].threshold == 20


def test_overrides_go_through_the_type_and_leave_the_registry_alone(tmp_path: Path) -> None:
    env = {"TESSERA_PDQ_MAX_DISTANCE": "20", "TESSERA_PDQ_MIN_QUALITY": "70",
           "TESSERA_FACE_MATCH_SCORE": "0.95", "TESSERA_FACE_MIN_QUALITY": "60",
           "TESSERA_AUDIO_MAX_BIT_ERRORS": "15"}
    spaces = _spaces(env, tmp_path)
    pdq = spaces["pdq"][0]
    assert pdq.threshold == 20 and pdq.within(20) and not pdq.within(21)
    assert not pdq.is_matchable(69) and pdq.is_matchable(70)
    assert spaces["chromaprint"][0].threshold == 15
    face = face_type(Settings.from_env(env=env, home=tmp_path).tuning)
    assert face.match == 0.95 and face.min_quality == 60
    assert SIGNAL_TYPES.get("pdq").threshold == 31  # the registered instance is untouched


def test_faces_off_leaves_the_face_space_out(tmp_path: Path) -> None:
    assert "face" not in _spaces({"TESSERA_FACES": "0"}, tmp_path)


@pytest.mark.parametrize("env", [{"TESSERA_PDQ_MAX_DISTANCE": "abc"},
                                 {"TESSERA_PDQ_MAX_DISTANCE": "120"},
                                 {"TESSERA_PDQ_MIN_QUALITY": "-1"},
                                 {"TESSERA_FACE_MATCH_SCORE": "0.5"},
                                 {"TESSERA_FACE_CLUSTER_SCORE": "1.5"},
                                 {"TESSERA_FACE_SUGGEST_SCORE": "nan"},
                                 {"TESSERA_AUDIO_MAX_BIT_ERRORS": "60"}])
def test_bad_thresholds_are_refused(tmp_path: Path, env: dict[str, str]) -> None:
    with pytest.raises(ConfigError, match=next(iter(env))):
        _spaces(env, tmp_path)


def test_a_bad_threshold_stops_the_context_from_opening(tmp_path: Path) -> None:
    from tessera.context import Context
    from tessera.store.bootstrap import initialise

    settings = Settings.from_env(env={}, home=tmp_path)
    initialise(settings, "test")
    Context.open(settings).close()
    bad = Settings.from_env(env={"TESSERA_PDQ_MAX_DISTANCE": "99"}, home=tmp_path)
    with pytest.raises(ConfigError, match="unrelated images"):
        Context.open(bad)
