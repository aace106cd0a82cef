import pytest

from tessera.core.registry import Registry
from tessera.index import INDEX_KINDS
from tessera.reports.renderers import RENDERERS
from tessera.signals import SIGNAL_TYPES


def test_duplicate_names_are_rejected() -> None:
    registry: Registry[int] = Registry("thing")
    registry.register("a", 1)
    with pytest.raises(ValueError, match="duplicate thing name"):
        registry.register("a", 2)


def test_unknown_name_lists_known_ones() -> None:
    registry: Registry[int] = Registry("thing")
    registry.register("a", 1)
    with pytest.raises(KeyError, match="known: a"):
        registry.get("b")


def test_built_in_extensions_are_registered() -> None:
    assert "pdq" in SIGNAL_TYPES
    assert {"json", "csv", "html"} <= set(RENDERERS.names())
    assert {"hamming", "hamming-brute"} <= set(INDEX_KINDS.names())
