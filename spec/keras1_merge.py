"""The legacy Merge layer (Keras 1, Keras <= 2.1) in Keras 3's terms: the merge layer its
mode names, and Keras 1's Sequential that starts with a Merge of branch models as the
functional model it computes."""

from __future__ import annotations

from typing import Any

from .errors import PathPart

MERGE_MODES = {
    "sum": "Add",
    "mul": "Multiply",
    "ave": "Average",
    "max": "Maximum",
    "concat": "Concatenate",
    "dot": "Dot",
    "cos": "Dot",
}
"""The legacy Merge layer's modes (Keras 1, Keras <= 2.1) and the Keras 3 layers that compute
them: 'cos' is the dot product of the L2-normalised inputs, Dot(normalize=True)."""


def legacy_merge(config: dict[str, Any]) -> tuple[str | None, dict[str, Any], list[tuple[str, Any, str]]]:
    """A legacy Merge layer's config as the merge layer its mode names: (kind, config,
    refusals as (field, value, reason)); kind None where it has none."""
    mode, kind = config.get("mode"), None
    refused: list[tuple[str, Any, str]] = []
    if config.get("mode_type", "raw") != "raw" or not isinstance(mode, str):
        refused.append(("mode", mode, "a Merge layer whose mode is a Python function holds code; nnspec never runs it"))
    elif mode not in MERGE_MODES:
        refused.append(("mode", mode, f"an unknown Merge mode (Keras had {', '.join(sorted(MERGE_MODES))})"))
    else:
        kind = MERGE_MODES[mode]
    for field in ("output_shape", "output_mask"):
        if config.get(field) is not None:
            refused.append((field, config[field], f"a Merge layer's {field} given as code or a fixed value"))
    merged = {k: v for k, v in config.items() if k in ("name", "trainable", "dtype")}
    if kind == "Concatenate":
        merged["axis"] = config.get("concat_axis", -1)
    if kind == "Dot":  # Keras 1's default dot_axes, -1: the last axis of each
        merged |= {"axes": config.get("dot_axes", -1), "normalize": mode == "cos"}
    return kind, merged, refused


def merge_first(layers: Any) -> bool:
    """A Keras 1 Sequential that starts with a Merge of branch models: `Sequential([Merge([left,
    right], mode=...), Dense(...)])`, written with the branches in the Merge's `layers`
    (Keras 1.2.2 models.py, `Sequential.legacy_get_config`)."""
    first = layers[0] if isinstance(layers, list) and layers else None
    config = first.get("config") if isinstance(first, dict) and first.get("class_name") == "Merge" else None
    return isinstance(config, dict) and isinstance(config.get("layers"), list)


def merge_as_functional(
    layers: list[Any], name: Any, fresh: Any, input_of: Any
) -> tuple[dict[str, Any], list[tuple[PathPart, ...]]] | str:
    """Such a Sequential as the functional model it computes: one input per branch, each branch
    a nested model called on it, the Merge called on the branches, then the other layers in
    turn. Returns the config and, per layer of it, its place in the Sequential's layer list;
    or why it cannot. `fresh` names a new layer, `input_of` gives a branch's (shape, dtype)."""
    merge = layers[0]
    branches = merge["config"]["layers"]
    out: list[dict[str, Any]] = []
    places: list[tuple[PathPart, ...]] = []
    inputs, outputs = [], []
    for index, branch in enumerate(branches):
        place = (0, "config", "layers", index)
        if not isinstance(branch, dict) or branch.get("class_name") not in ("Sequential", "Model"):
            return f"branch {index} of the Merge is not a model: nnspec reads Merge([model, ...]) of models only"
        shape, dtype = input_of(branch)
        if shape is None:
            return f"branch {index} of the Merge has no input shape on its first layer"
        branch_name = branch.get("name") or fresh("sequential")
        input_name = fresh(f"{branch_name}_input")
        config = {"name": input_name, "batch_shape": shape, **({} if dtype is None else {"dtype": dtype})}
        out.append({"class_name": "InputLayer", "config": config, "inbound_nodes": []})
        places.append(place)
        out.append({**branch, "name": branch_name, "inbound_nodes": [[[input_name, 0, 0]]]})
        places.append(place)
        inputs.append([input_name, 0, 0])
        outputs.append([branch_name, 0, 0])
    merge_config = {k: v for k, v in merge["config"].items() if k != "layers"}
    merge_name = merge_config.setdefault("name", fresh("merge"))
    out.append({"class_name": "Merge", "config": merge_config, "inbound_nodes": [outputs]})
    places.append((0,))
    last = merge_name
    for index, layer in enumerate(layers[1:], start=1):
        if not isinstance(layer, dict) or not isinstance(layer.get("config"), dict):
            return f"layer {index} is not a layer object"
        config = layer["config"]
        layer_name = config.get("name") or fresh(str(layer.get("class_name", "layer")).lower())
        out.append({**layer, "config": {**config, "name": layer_name}, "inbound_nodes": [[[last, 0, 0]]]})
        places.append((index,))
        last = layer_name
    functional = {"layers": out, "input_layers": inputs, "output_layers": [[last, 0, 0]]}
    return ({"name": name, **functional} if name is not None else functional), places
