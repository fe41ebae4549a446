"""The second round of checks, for a document whose first round (structure) failed.

Structural problems (a Dense with `units: "x"`) are found by pydantic; graph problems
(duplicate names, dangling references, cycles, shapes) by graph analysis of a valid
model. So that one run reports both, each layer entry is validated on its own: those
that pass take part in the graph checks, each that failed is a FailedLayer (its name
and references still count), and nothing is inferred downstream of it."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from .errors import PathPart, Problem
from .graph import FailedLayer, Where, graph_problems
from .model import MODEL_ADAPTER, CallNode, Layer

Loc = tuple[PathPart, ...]
TRAINING = ("compile_config", "fit_config")
"""How a model is trained: its problems do not make its graph's unsound."""


def second_round(data: Any, first_round: list[Loc | None], where: Where, max_params: int) -> list[Problem]:
    """Graph problems among the layers that did validate. `first_round` holds the canonical
    location of every problem found so far (None: not known). Where one lies outside the
    model's layer entries, no sound second round exists and none is made."""
    failed = _failed_layers(first_round)
    config = data.get("config") if isinstance(data, dict) else None
    if failed is None or not isinstance(config, dict) or not isinstance(config.get("layers"), list):
        return []
    shell = {key: value for key, value in data.items() if key not in TRAINING}
    shell["config"] = {**config, "layers": []}
    try:
        spec = MODEL_ADAPTER.validate_python(shell)
    except ValidationError:
        return []  # the model's own fields are broken (its name, inputs or outputs)
    layers = [_entry(layer, i in failed) for i, layer in enumerate(config["layers"])]
    spec = spec.model_copy(update={"config": spec.config.model_copy(update={"layers": layers})})
    return graph_problems(spec, where, max_params)


def _failed_layers(locs: list[Loc | None]) -> set[int] | None:
    """The indices of the top-level layer entries the problems lie in; None if one lies elsewhere."""
    failed: set[int] = set()
    for loc in locs:
        if loc is not None and loc[:1] and loc[0] in TRAINING:
            continue
        if loc is None or len(loc) < 3 or loc[:2] != ("config", "layers") or not isinstance(loc[2], int):
            return None
        failed.add(loc[2])
    return failed


def _entry(layer: Any, failed: bool) -> Any:
    if not failed:
        try:
            return layer_adapter().validate_python(layer)
        except ValidationError:
            pass  # cannot happen for a layer the first round passed; treat it as failed anyway
    doc = layer if isinstance(layer, dict) else {}
    config = doc.get("config")
    name = config.get("name") if isinstance(config, dict) else None
    kind = doc.get("class_name")
    try:
        nodes = _nodes_adapter().validate_python(doc.get("inbound_nodes", []))
    except ValidationError:
        nodes = None
    return FailedLayer(name if isinstance(name, str) and name else None, kind if isinstance(kind, str) else None, nodes)


@cache
def layer_adapter() -> TypeAdapter[Any]:
    return TypeAdapter(Layer)  # built only on this (error) path


@cache
def _nodes_adapter() -> TypeAdapter[list[CallNode]]:
    return TypeAdapter(list[CallNode])
