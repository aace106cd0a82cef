"""A decoder that kills its worker process must not take the batch down."""

import os

from tessera.pipeline.runner import bounded_map


def _noop() -> None:
    pass


def _square_or_die(x: int) -> int:
    if x == 7:
        os._exit(1)  # what a segfaulting decoder looks like from the parent
    return x * x


def _crashed(x: int) -> int:
    return -x


def test_crashing_item_is_isolated_and_the_rest_complete() -> None:
    results = list(bounded_map(_square_or_die, range(20), workers=2, initializer=_noop,
                               initargs=(), on_crash=_crashed, window_per_worker=2))
    assert results == [-7 if x == 7 else x * x for x in range(20)]


def test_single_worker_runs_inline() -> None:
    assert list(bounded_map(lambda x: x + 1, [1, 2], workers=1, initializer=_noop, initargs=(),
                            on_crash=_crashed)) == [2, 3]
