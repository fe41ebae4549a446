"""Specs made for the plot's tests and benchmark: a deep residual network."""

from __future__ import annotations

from typing import Any


def residual_spec(dense_layers: int = 200, units: int = 8) -> dict[str, Any]:
    """Dense layers in pairs, each pair skipped by an Add: dense_layers + dense_layers/2 + 1 layers."""
    layers: list[dict[str, Any]] = [{"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [None, units]}}]
    last = "x"
    for pair in range(dense_layers // 2):
        first, second, add = f"dense_{2 * pair}", f"dense_{2 * pair + 1}", f"add_{pair}"
        layers += [
            {"class_name": "Dense", "config": {"name": first, "units": units}, "inbound_nodes": [[[last, 0, 0]]]},
            {"class_name": "Dense", "config": {"name": second, "units": units}, "inbound_nodes": [[[first, 0, 0]]]},
            {"class_name": "Add", "config": {"name": add}, "inbound_nodes": [[[last, 0, 0], [second, 0, 0]]]},
        ]
        last = add
    config = {"name": "residual", "layers": layers, "input_layers": [["x", 0, 0]], "output_layers": [[last, 0, 0]]}
    return {"class_name": "Functional", "config": config}
