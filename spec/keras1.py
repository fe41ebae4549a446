"""Keras 1 field names in Keras 3's terms, as Keras 2's own `legacy/interfaces.py` converted
them when it loaded a Keras 1 model. Only renames with one meaning are here; a Keras 1
field without one is refused by name, saying it is a Keras 1 field."""

from __future__ import annotations

from typing import Any

WEIGHTED = {
    "init": "kernel_initializer",
    "W_regularizer": "kernel_regularizer",
    "b_regularizer": "bias_regularizer",
    "W_constraint": "kernel_constraint",
    "b_constraint": "bias_constraint",
    "bias": "use_bias",
}
RECURRENT = {
    **WEIGHTED,
    "output_dim": "units",
    "inner_init": "recurrent_initializer",
    "inner_activation": "recurrent_activation",
    "U_regularizer": "recurrent_regularizer",
    "U_constraint": "recurrent_constraint",
    "dropout_W": "dropout",
    "dropout_U": "recurrent_dropout",
}
FIELD_RENAMES: dict[str, dict[str, str]] = {
    "InputLayer": {"input_dtype": "dtype"},
    "Dense": {**WEIGHTED, "output_dim": "units"},
    "Dropout": {"p": "rate"},
    "Embedding": {
        "init": "embeddings_initializer",
        "W_regularizer": "embeddings_regularizer",
        "W_constraint": "embeddings_constraint",
    },
    "SimpleRNN": RECURRENT,
    "GRU": RECURRENT,
    "LSTM": RECURRENT,
}
"""Per kind: Keras 1 field -> Keras 2/3 field."""

KERAS1_OBJECTS = {
    "WeightRegularizer": ("L1L2", {"l1": "l1", "l2": "l2"}),
    "ActivityRegularizer": ("L1L2", {"l1": "l1", "l2": "l2"}),
    "MaxNorm": ("MaxNorm", {"m": "max_value", "axis": "axis"}),
    "NonNeg": ("NonNeg", {}),
    "UnitNorm": ("UnitNorm", {"axis": "axis"}),
}
"""Keras 1 wrote a regularizer or constraint as {name, its arguments}: its Keras 3 class
and argument names."""

DROPPED = {"consume_less": "how Keras 1 ordered the computation (cpu, mem, gpu): the values are the same"}
"""Keras 1 fields with no effect on what a layer computes."""


def keras1_config(kind: Any, config: dict[str, Any]) -> list[tuple[str, Any, str]]:
    """Rename Keras 1 fields of `config` in place; return (field, value, reason) for each
    Keras 1 field that has no Keras 3 meaning here (taken out of `config`)."""
    refused: list[tuple[str, Any, str]] = []
    renames = FIELD_RENAMES.get(kind, {}) if isinstance(kind, str) else {}
    for old, new in renames.items():
        if old in config and new not in config:
            config[new] = config.pop(old)
    for field in DROPPED:
        config.pop(field, None)
    for field, value in config.items():
        if field.endswith(("_regularizer", "_constraint")) and isinstance(value, dict) and "class_name" not in value:
            config[field] = _keras1_object(value)
    forget = config.pop("forget_bias_init", None) if kind == "LSTM" else None
    if forget is not None:
        if forget in ("one", "ones", "zero", "zeros"):
            config.setdefault("unit_forget_bias", forget in ("one", "ones"))
        else:
            refused.append(("forget_bias_init", forget, "Keras 2 and 3 start the forget gate's bias at 1 or 0"))
    if kind == "Embedding" and config.get("dropout") in (0, 0.0):
        del config["dropout"]
    elif kind == "Embedding" and "dropout" in config:
        why = "Keras 1's dropout of whole words has no Keras 2 or 3 equivalent"
        refused.append(("dropout", config.pop("dropout"), why))
    return refused


def _keras1_object(value: dict[str, Any]) -> dict[str, Any]:
    """A Keras 1 regularizer or constraint in Keras 3's {class_name, config} form; one it
    did not have is left for validation to report."""
    name = value.get("name")
    if not isinstance(name, str) or name not in KERAS1_OBJECTS:
        return value
    class_name, arguments = KERAS1_OBJECTS[name]
    return {"class_name": class_name, "config": {new: value[old] for old, new in arguments.items() if old in value}}


MERGE_MODES = {"sum": "Add", "mul": "Multiply", "ave": "Average", "max": "Maximum", "concat": "Concatenate"}
"""The legacy Merge layer's modes (Keras 1, Keras <= 2.1) and the Keras 3 layers that compute them."""

MERGE_UNSUPPORTED = {
    "dot": "Merge(mode='dot') is Keras's Dot layer, which nnspec does not compile yet",
    "cos": "Merge(mode='cos') is Keras's Dot layer with normalize=True, which nnspec does not compile yet",
}


def legacy_merge(config: dict[str, Any]) -> tuple[str | None, dict[str, Any], list[tuple[str, Any, str]]]:
    """A legacy Merge layer's config as the merge layer its mode names: (kind, config,
    refusals as (field, value, reason)); kind None where it has none."""
    mode, kind = config.get("mode"), None
    refused: list[tuple[str, Any, str]] = []
    if config.get("mode_type", "raw") != "raw" or not isinstance(mode, str):
        refused.append(("mode", mode, "a Merge layer whose mode is a Python function holds code; nnspec never runs it"))
    elif mode in MERGE_UNSUPPORTED:
        refused.append(("mode", mode, MERGE_UNSUPPORTED[mode]))
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
    return kind, merged, refused
