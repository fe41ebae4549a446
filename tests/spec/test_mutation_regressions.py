"""Specs the mutation harness (tests/mutation_harness.py) found crashing nnspec, one per
class of bug: each is now one problem at its path, found at validation."""

from __future__ import annotations

import math
from typing import Any

import pytest

from nnspec.spec import SpecError, load_data


def _problems(doc: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(SpecError) as caught:
        load_data(doc)
    return [(p.path, str(p)) for p in caught.value.problems]


def _dense_model(**dense: Any) -> dict[str, Any]:
    layers = [
        {"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [None, 4]}},
        {"class_name": "Dense", "config": {"name": "d", "units": 3, **dense}},
    ]
    return {"class_name": "Sequential", "config": {"name": "m", "layers": layers}}


def _functional(layers: list[dict[str, Any]], inputs: Any, outputs: Any) -> dict[str, Any]:
    config = {"name": "m", "layers": layers, "input_layers": inputs, "output_layers": outputs}
    return {"class_name": "Functional", "config": config}


def _input(name: str, *shape: int | None) -> dict[str, Any]:
    return {"class_name": "InputLayer", "config": {"name": name, "batch_shape": [None, *shape]}}


def test_model_input_naming_an_output_an_input_layer_lacks() -> None:
    """[name, 0, 5] in input_layers: an IndexError once."""
    dense = {"class_name": "Dense", "config": {"name": "d", "units": 2}, "inbound_nodes": [{"inputs": ["x", 0, 0]}]}
    problems = _problems(_functional([_input("x", 4), dense], ["x", 0, 5], ["d", 0, 0]))
    assert len(problems) == 1
    path, text = problems[0]
    assert path == "config.input_layers" and "has one output" in text


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize(
    ("field", "config", "path"),
    [
        ("bias_initializer", {"class_name": "Constant", "config": {"value": None}}, ".bias_initializer.config.value"),
        (
            "kernel_initializer",
            {"class_name": "RandomUniform", "config": {"minval": None}},
            ".kernel_initializer.config.minval",
        ),
        ("kernel_regularizer", {"class_name": "L2", "config": {"l2": None}}, ".kernel_regularizer.config.l2"),
    ],
)
def test_non_finite_floats_are_refused(value: float, field: str, config: dict[str, Any], path: str) -> None:
    """NaN and infinity in a layer's config reached the generated code as the names `nan` and `inf`."""
    inner = config["config"]
    inner[next(iter(inner))] = value
    problems = _problems(_dense_model(**{field: config}))
    assert problems[0][0] == "config.layers[1].config" + path
    assert "finite" in problems[0][1]


def test_operation_constants_keep_infinity() -> None:
    """-inf is meaningful in a computation (`where(mask, x, -inf)`): an operand may hold it."""
    add = {
        "class_name": "ops.maximum",
        "config": {"name": "mx", "operands": [None, -math.inf]},
        "inbound_nodes": [{"inputs": "x"}],
    }
    loaded = load_data(_functional([_input("x", 4), add], ["x", 0, 0], ["mx", 0, 0]))
    assert loaded.graph.output_shapes == [(None, 4)]


def test_reversed_uniform_range_is_refused() -> None:
    problems = _problems(_dense_model(kernel_initializer={"class_name": "RandomUniform", "config": {"minval": 1.5}}))
    assert problems == [(problems[0][0], problems[0][1])]
    assert problems[0][0] == "config.layers[1].config.kernel_initializer" and "minval <= maxval" in problems[0][1]


def test_slicing_an_axis_larger_than_ssize_t() -> None:
    """len(range(10**39)) overflows: the slice's length is computed, not measured."""
    item = {
        "class_name": "ops.get_item",
        "config": {"name": "gi", "key": [":", "::-3"]},
        "inbound_nodes": [{"inputs": "x"}],
    }
    doc = _functional([_input("x", 10**39), item], ["x", 0, 0], ["gi", 0, 0])
    problems = _problems(doc)
    assert "too large a tensor" in problems[0][1]  # refused by --max-activations, after shape inference


def test_matmul_of_a_scalar_is_refused() -> None:
    """An IndexError once; NumPy's and Keras's matmul refuse scalars."""
    mm = {
        "class_name": "ops.matmul",
        "config": {"name": "mm", "operands": [None, 2.0]},
        "inbound_nodes": [{"inputs": "x"}],
    }
    problems = _problems(_functional([_input("x", 4, 4), mm], ["x", 0, 0], ["mm", 0, 0]))
    assert problems[0][0] == "config.layers[1].inbound_nodes[0]" and "scalar" in problems[0][1]


@pytest.mark.parametrize(
    ("layers", "where"),
    [
        ([_input("x", 8, 0), {"class_name": "LSTM", "config": {"name": "r", "units": 2}}], "config.layers[1]"),
        (
            [_input("x", 0), {"class_name": "Dense", "config": {"name": "d", "units": 2}}],
            "config.layers[1]",
        ),
    ],
)
def test_tensors_with_an_empty_axis_are_refused(layers: list[dict[str, Any]], where: str) -> None:
    """torch cannot build an LSTM of 0 features; no framework computes anything with an empty axis."""
    problems = _problems({"class_name": "Sequential", "config": {"name": "m", "layers": layers}})
    assert problems[0][0] == where and "axis of size 0" in problems[0][1]


def test_call_kwargs_that_are_not_a_mapping() -> None:
    """A Keras 3 call's kwargs of 1: a TypeError in the normaliser once."""
    tensor = {"class_name": "__keras_tensor__", "config": {"shape": [None, 4], "keras_history": ["x", 0, 0]}}
    dense = {
        "class_name": "Dense",
        "config": {"name": "d", "units": 2},
        "name": "d",
        "inbound_nodes": [{"args": [tensor], "kwargs": 1}],
    }
    problems = _problems(_functional([_input("x", 4), dense], ["x", 0, 0], ["d", 0, 0]))
    assert problems[0][0] == "config.layers[1].inbound_nodes[0].kwargs" and "mapping" in problems[0][1]
