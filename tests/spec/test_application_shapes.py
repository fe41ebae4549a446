"""keras.applications' own layers refuse what Keras could not compute, at the layer, with why."""

from __future__ import annotations

import json
from typing import Any

import pytest

from nnspec.spec import SpecError, loads


def _model(layer: dict[str, Any], shapes: list[list[int | None]]) -> str:
    inputs = [
        {"class_name": "InputLayer", "config": {"name": f"in{i}", "batch_shape": s}} for i, s in enumerate(shapes)
    ]
    refs = [[f"in{i}", 0, 0] for i in range(len(shapes))]
    layer = {**layer, "inbound_nodes": [{"inputs": refs if len(refs) > 1 else refs[0]}]}
    doc = {
        "class_name": "Functional",
        "config": {
            "name": "m",
            "layers": [*inputs, layer],
            "input_layers": refs,
            "output_layers": [layer["config"]["name"], 0, 0],
        },
    }
    return json.dumps(doc)


@pytest.mark.parametrize(
    ("layer", "shapes", "message"),
    [
        (
            {"class_name": "LayerScale", "config": {"name": "scale", "init_values": 0.1, "projection_dim": 4}},
            [[None, 5, 3]],
            "LayerScale of projection_dim 4 scales a last axis of that size",
        ),
        (
            {"class_name": "CustomScaleLayer", "config": {"name": "sum", "scale": 0.2}},
            [[None, 4], [None, 4], [None, 4]],
            "CustomScaleLayer takes exactly 2 inputs, got 3",
        ),
        (
            {"class_name": "CustomScaleLayer", "config": {"name": "sum", "scale": 0.2}},
            [[None, 4], [None, 3]],
            "CustomScaleLayer needs inputs of the same shape",
        ),
        (
            {"class_name": "LayerScale", "config": {"name": "scale", "init_values": 0.1, "projection_dim": 0}},
            [[None, 3]],
            "invalid value",
        ),
    ],
)
def test_application_layers_refuse_at_the_layer(layer: dict[str, Any], shapes: list[Any], message: str) -> None:
    with pytest.raises(SpecError) as caught:
        loads(_model(layer, shapes))
    (problem,) = caught.value.problems
    assert problem.path.startswith(f"config.layers[{len(shapes)}]") and message in problem.message, problem
