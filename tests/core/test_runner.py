"""A decoder that kills its worker process must not take the batch down."""

import os

import pytest

from tessera.core.runner import bounded_map


def _square_or_die(x: int) -> int:
    if x == 7:
        os._exit(1)  # what a segfaulting decoder looks like from the parent
    return x * x


def _crashed(x: int) -> int:
    return -x


def test_crashing_item_is_isolated_and_the_rest_complete() -> None:
    results = list(bounded_map(_square_or_die, range(20), workers=2, on_crash=_crashed,
                               window_per_worker=2))
    assert results == [-7 if x == 7 else x * x for x in range(20)]


def test_single_worker_runs_inline() -> None:
    assert list(bounded_map(lambda x: x + 1, [1, 2], workers=1,
                            on_crash=_crashed)) == [2, 3]


def _die(x: int) -> int:
    os._exit(1)


def test_settled_items_never_reach_a_worker() -> None:
    """Items that already carry their error are answered in place, in order: were they sent
    to a worker that cannot take them, each would cost a crashed pool."""
    results = list(bounded_map(_die, range(6), workers=2,
                               on_crash=_crashed, settled=lambda x: x * 10))
    assert results == [0, 10, 20, 30, 40, 50]
    mixed = list(bounded_map(_square_or_die, range(10), workers=2, on_crash=_crashed, isolate=True,
                             settled=lambda x: 100 + x if x % 3 == 0 else None))
    assert mixed == [100 + x if x % 3 == 0 else -7 if x == 7 else x * x for x in range(10)]


def test_one_worker_is_still_out_of_process_when_isolated() -> None:
    results = list(bounded_map(_square_or_die, range(9), workers=1, on_crash=_crashed,
                               isolate=True))
    assert results == [-7 if x == 7 else x * x for x in range(9)]


def _blas_threads(_: int) -> str:
    return f"{os.environ.get('OPENBLAS_NUM_THREADS')},{os.environ.get('OMP_NUM_THREADS')}"


def test_each_worker_gets_one_blas_thread_unless_the_operator_chose(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    seen = set(bounded_map(_blas_threads, range(4), workers=2, on_crash=lambda _: "crashed"))
    assert seen == {"1,3"}
