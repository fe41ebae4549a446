"""Load time grows linearly with a model's size (issue 2), also for the shapes of graph
that once took quadratic time: long functional chains (Kahn's algorithm re-scanned
every call for each one), a chain broken at its start (dropping what depends on it
re-scanned the graph once per layer), and many unnamed layers of one kind (each
default name was searched for from `dense` upwards)."""

from __future__ import annotations

import contextlib
import gc
import importlib
import time
from collections.abc import Callable
from typing import Any

import pytest

from nnspec.spec import SpecError, load_data
from nnspec.spec.gcpause import gc_paused

load_module = importlib.import_module("nnspec.spec.load")  # the module: nnspec.spec.load is also a function

SMALL, BIG = 300, 4_800  # 16x the layers: linear is ~16-20x the time, quadratic ~250x
LIMIT = 48.0


def _keras3_ref(name: str) -> dict[str, Any]:
    history = {"class_name": "__keras_tensor__", "config": {"keras_history": [name, 0, 0]}}
    return {"args": [history], "kwargs": {}}


def functional_chain(n: int, first_input: str = "x") -> dict[str, Any]:
    layers: list[dict[str, Any]] = [{"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [None, 8]}}]
    for i in range(n):
        source = first_input if i == 0 else f"d{i - 1}"
        layers.append(
            {"class_name": "Dense", "config": {"name": f"d{i}", "units": 8}, "inbound_nodes": [_keras3_ref(source)]}
        )
    config = {"name": "chain", "layers": layers, "input_layers": [["x", 0, 0]], "output_layers": [[f"d{n - 1}", 0, 0]]}
    return {"module": "keras", "class_name": "Functional", "config": config}


def concise_unnamed(n: int) -> dict[str, Any]:
    """n Dense layers without names: nnspec names them dense, dense_1, ... as Keras does."""
    layers: list[dict[str, Any]] = [{"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [None, 8]}}]
    layers += [{"class_name": "Dense", "config": {"units": 8}} for _ in range(n)]
    return {"class_name": "Sequential", "config": {"name": "stack", "layers": layers}}


def _seconds(build: Callable[[int], dict[str, Any]], n: int, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        doc = build(n)
        start = time.perf_counter()
        with contextlib.suppress(SpecError):
            load_data(doc)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize(
    "build",
    [functional_chain, lambda n: functional_chain(n, first_input="nowhere"), concise_unnamed],
    ids=["functional chain", "chain with a dangling first reference", "unnamed layers"],
)
def test_load_time_grows_linearly(build: Callable[[int], dict[str, Any]]) -> None:
    _seconds(build, SMALL, 1)  # warm: builds the validators used
    ratio = _seconds(build, BIG, 2) / _seconds(build, SMALL, 5)
    assert ratio < LIMIT, f"{BIG // SMALL}x the layers took {ratio:.0f}x the time"


def test_dangling_first_reference_is_reported_once() -> None:
    with pytest.raises(SpecError) as caught:
        load_data(functional_chain(50, first_input="nowhere"))
    assert [p.message for p in caught.value.problems] == ["refers to unknown layer 'nowhere'"]


def test_unnamed_layers_are_named_like_keras() -> None:
    names = [entry.name for entry in load_data(concise_unnamed(12)).spec.config.layers]
    assert names == ["x", "dense", *(f"dense_{i}" for i in range(1, 12))]


def test_gc_paused_restores_the_collector_as_it_was() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner pause leaves the outer one in force
    assert gc.isenabled()
    with pytest.raises(ValueError), gc_paused():
        raise ValueError
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()


def test_loading_pauses_the_collector(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 10,000-layer spec spent more time in CPython's full collections than in loading."""
    seen: list[bool] = []
    real = load_module._load

    def spy(*args: Any) -> Any:
        seen.append(gc.isenabled())
        return real(*args)

    monkeypatch.setattr(load_module, "_load", spy)
    load_data(concise_unnamed(3))
    assert seen == [False]
    assert gc.isenabled()
