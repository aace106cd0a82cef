"""What a worker computes for a search against what it computes for evidence to keep."""

from __future__ import annotations

from pathlib import Path

from tessera.config import Limits
from tessera.core.types import Transform
from tessera.media.image import decode_image
from tessera.media.sources import Item
from tessera.pipeline.analyze import AnalyzeOptions, analyze_item
from tessera.signals.pdq import PdqSignal, hamming
from tests.conftest import write_pictures


def _analyse(path: Path, **options: bool) -> tuple[list, list]:
    result = analyze_item(Item(str(path), str(path), size=path.stat().st_size),
                          AnalyzeOptions(Limits(), **options))
    assert result.ok and result.info is not None
    pdq = [s for s in result.info.signals if s.type == "pdq"]
    return pdq, [s for s in result.query_signals if s.type == "pdq"]


def test_kept_values_are_pdqhash_and_a_search_gets_eight_turns(tmp_path: Path) -> None:
    path = write_pictures(tmp_path, [21])[0]
    reference = PdqSignal().extract(decode_image(path.read_bytes(), Limits()))
    kept, kept_queries = _analyse(path, query_variants=True, store_blobs=True)
    assert [s.value for s in kept] == [s.value for s in reference]  # evidence: Meta's hash
    searched, queries = _analyse(path, query_variants=True)
    assert len(queries) == len(kept_queries) == 8
    assert {q.transform for q in queries} == set(Transform)
    assert all(hamming(a.value, b.value) <= 2 for a, b in zip(searched, reference, strict=True))
    stored_only, none = _analyse(path)
    assert [s.value for s in stored_only] == [s.value for s in reference] and none == []
