"""Keras 1 field names in Keras 3's terms, as Keras 2's own `legacy/interfaces.py` converted
them when it loaded a Keras 1 model. Only renames with one meaning are here; a Keras 1
field without one is refused by name, saying it is a Keras 1 field."""

from __future__ import annotations

from typing import Any

from .errors import PathPart

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
IMAGE = {"dim_ordering": "data_format"}
CONV = {
    **WEIGHTED,
    **IMAGE,
    "nb_filter": "filters",
    "filter_length": "kernel_size",
    "subsample": "strides",
    "subsample_length": "strides",
    "border_mode": "padding",
    "atrous_rate": "dilation_rate",
}
SEPARABLE = {k: v for k, v in CONV.items() if k not in ("init", "W_regularizer", "W_constraint")}
POOL = {**IMAGE, "pool_length": "pool_size", "stride": "strides", "border_mode": "padding"}
FIELD_RENAMES: dict[str, dict[str, str]] = {
    "InputLayer": {"input_dtype": "dtype"},
    "Dense": {**WEIGHTED, "output_dim": "units"},
    "TimeDistributedDense": {**WEIGHTED, "output_dim": "units"},
    "Dropout": {"p": "rate"},
    "SpatialDropout1D": {"p": "rate"},
    "GaussianDropout": {"p": "rate"},
    "GaussianNoise": {"sigma": "stddev"},
    "Embedding": {
        "init": "embeddings_initializer",
        "W_regularizer": "embeddings_regularizer",
        "W_constraint": "embeddings_constraint",
    },
    "SimpleRNN": RECURRENT,
    "GRU": RECURRENT,
    "LSTM": RECURRENT,
    "BatchNormalization": {"beta_init": "beta_initializer", "gamma_init": "gamma_initializer"},
    "PReLU": {"init": "alpha_initializer"},
    "LeakyReLU": {"alpha": "negative_slope"},
    "UpSampling1D": {"length": "size"},
    **dict.fromkeys(("Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose"), CONV),
    "SeparableConv2D": SEPARABLE,
    **{f"{op}Pooling{n}D": POOL for op in ("Max", "Average") for n in (1, 2, 3)},
    **{
        f"{kind}{n}D": IMAGE
        for kind in ("GlobalMaxPooling", "GlobalAveragePooling", "UpSampling", "ZeroPadding", "Cropping")
        for n in (2, 3)
    },
    **{f"SpatialDropout{n}D": {"p": "rate", **IMAGE} for n in (2, 3)},
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


KIND_RENAMES = {"AtrousConvolution1D": "Conv1D", "AtrousConvolution2D": "Conv2D", "TimeDistributedDense": "Dense"}
"""Keras 1 classes that are a Keras 3 kind under another name (Keras 2 kept the atrous ones in
legacy/layers.py as Conv1D/Conv2D with `dilation_rate`; a Dense applies to the last axis, as
TimeDistributedDense did to each step)."""

DATA_FORMATS = {"th": "channels_first", "tf": "channels_last", "default": None}
"""Keras 1's dim_ordering as Keras 2's data_format ('default': the configured one, channels_last)."""

JOINED = {
    "kernel_size": (("nb_row", "nb_col"), ("kernel_dim1", "kernel_dim2", "kernel_dim3")),
}
"""Keras 3 fields that Keras 1 wrote one axis a field."""

INPUT_FIELDS = ("batch_input_shape", "input_shape", "input_dim", "input_length", "input_dtype", "batch_size")
"""A first layer's input shape and dtype: the walker takes them off after the config."""

BATCH_NORM_MODES = {
    1: "Keras 1's mode 1 normalised each sample over its own features",
    2: "Keras 1's mode 2 used the batch's statistics at test time too",
}


def keras1_config(
    kind: Any, config: dict[str, Any], renamed: dict[str, str] | None = None
) -> list[tuple[str, Any, str]]:
    """Rename Keras 1 fields of `config` in place; return (field, value, reason) for each
    Keras 1 field that has no Keras 3 meaning here (taken out of `config`). `renamed`
    collects Keras 3 field -> the Keras 1 field it was written as."""
    refused: list[tuple[str, Any, str]] = []
    renamed = {} if renamed is None else renamed
    renames = FIELD_RENAMES.get(kind, {}) if isinstance(kind, str) else {}
    for old, new in renames.items():
        if old in config and new not in config:
            config[new] = config.pop(old)
            renamed[new] = old
    for new, spellings in JOINED.items():
        for fields in spellings:
            given = [f for f in fields if f in config]
            if new not in renames.values() or new in config or not given:
                continue
            if len(given) == len(fields):
                config[new] = [config.pop(f) for f in fields]
            else:  # the kernel's missing size is reported here, not as a kernel_size never written
                missing = ", ".join(f for f in fields if f not in given)
                refused.append(
                    (given[0], config.pop(given[0]), f"Keras 1 wrote {', '.join(fields)} together: no {missing}")
                )
            renamed[new] = given[0]
    for field in DROPPED:
        config.pop(field, None)
    for field, value in config.items():
        if field.endswith(("_regularizer", "_constraint")) and isinstance(value, dict) and "class_name" not in value:
            config[field] = _keras1_object(value)
    refused += _values(kind, config, renamed)
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


def keras1_leftovers(kind: Any, config: dict[str, Any]) -> list[tuple[str, Any, str]]:
    """The fields of a known kind that are still not Keras 3's once renamed: Keras 1 fields
    with no meaning here, taken out of `config`, one refusal each (never a guess at a
    Keras 3 field the user did not write)."""
    from .layers import kind_config

    known = kind_config(kind) if isinstance(kind, str) else None
    if known is None:
        return []
    extra = [f for f in config if f not in known.model_fields and f not in INPUT_FIELDS]
    why = f"Keras 2 and 3's {kind} has no such field"
    return [(field, config.pop(field), why) for field in extra]


def _values(kind: Any, config: dict[str, Any], renamed: dict[str, str]) -> list[tuple[str, Any, str]]:
    """Keras 1 values in Keras 3's terms, as Keras 2's legacy interfaces converted them."""
    refused: list[tuple[str, Any, str]] = []
    if renamed.get("data_format") == "dim_ordering" and _key(config["data_format"]) in DATA_FORMATS:
        config["data_format"] = DATA_FORMATS[config["data_format"]]
    if renamed.get("padding") == "border_mode" and config["padding"] == "full":
        del config["padding"]
        why = "Keras 1's 'full' convolution (the output grown by kernel - 1) has no Keras 2 or 3 padding"
        refused.append(("border_mode", "full", why))
    if kind == "SeparableConv2D" and "init" in config:  # Keras 2: the one initializer of both kernels
        init = config.pop("init")
        for new in ("depthwise_initializer", "pointwise_initializer"):
            if new not in config:
                config[new], renamed[new] = init, "init"
    if kind == "Conv2DTranspose":
        config.pop("output_shape", None)  # Keras 2 dropped it: the input's shape and the strides say it
    if kind == "BatchNormalization" and "mode" in config:
        mode = config.pop("mode")
        if mode != 0 or isinstance(mode, bool):
            why = BATCH_NORM_MODES.get(_key(mode), "Keras 1 had modes 0, 1 and 2")
            refused.append(("mode", mode, f"{why}; Keras 2 and 3 compute mode 0 only"))
    if kind == "ZeroPadding2D" and isinstance(config.get("padding"), list | dict):
        config["padding"] = _zero_padding_2d(config["padding"])
    return refused


def _key(value: Any) -> Any:
    """A value usable as a table key (a list or mapping is none)."""
    return value if isinstance(value, str | int) else None


def _zero_padding_2d(padding: Any) -> Any:
    """Keras 1's (top, bottom, left, right) or {top_pad, ...} as ((top, bottom), (left, right))."""
    if isinstance(padding, dict) and set(padding) <= {"top_pad", "bottom_pad", "left_pad", "right_pad"}:
        sides = [padding.get(f"{side}_pad", 0) for side in ("top", "bottom", "left", "right")]
        return [sides[:2], sides[2:]]
    if isinstance(padding, list) and len(padding) == 4 and all(isinstance(p, int) for p in padding):
        return [padding[:2], padding[2:]]
    return padding


def _keras1_object(value: dict[str, Any]) -> dict[str, Any]:
    """A Keras 1 regularizer or constraint in Keras 3's {class_name, config} form; one it
    did not have is left for validation to report."""
    name = value.get("name")
    if not isinstance(name, str) or name not in KERAS1_OBJECTS:
        return value
    class_name, arguments = KERAS1_OBJECTS[name]
    return {"class_name": class_name, "config": {new: value[old] for old, new in arguments.items() if old in value}}


KERAS1_MARKS = frozenset(
    (
        *(
            field
            for renames in FIELD_RENAMES.values()
            for field in renames
            if field not in ("p", "length", "stride", "alpha")
        ),
        *(field for spellings in JOINED.values() for fields in spellings for field in fields),
        "forget_bias_init",
        "consume_less",
    )
)
"""Fields that only Keras 1 wrote: one in any layer marks a file as Keras 1 (Keras 2's
Embedding also has `output_dim`, so it counts only outside an Embedding)."""


def keras1_content(doc: dict[str, Any]) -> bool:
    """Whether a document without `keras_version` holds Keras 1 fields (`nb_filter`, `init`, ...)."""
    layers = doc.get("config")
    layers = layers.get("layers") if isinstance(layers, dict) else layers
    for layer in layers[:MARK_LAYERS] if isinstance(layers, list) else ():
        config = layer.get("config") if isinstance(layer, dict) else None
        if not isinstance(config, dict):
            continue
        fields = set(config) - ({"output_dim"} if layer.get("class_name") == "Embedding" else set())
        if fields & KERAS1_MARKS:
            return True
    return False


MARK_LAYERS = 100
"""Layers looked at: a Keras 1 file writes its fields in every layer."""

KERAS0_CONTAINERS = ("Sequential", "Graph", "Merge")


def keras0_file(doc: dict[str, Any]) -> bool:
    """Keras 0.x's to_json(): a container named by `name` ('Sequential', 'Graph') holding a bare
    `layers` list (or a Graph's `node_config`), each layer its class in `name` beside its
    fields; no class_name/config anywhere (Keras 0.3 keras/utils/layer_utils.py,
    `container_from_config`)."""
    if "class_name" in doc:
        return False
    layers = doc.get("layers")
    flat = isinstance(layers, list) and all(isinstance(x, dict) and "name" in x and "config" not in x for x in layers)
    return doc.get("name") in KERAS0_CONTAINERS and (flat or "node_config" in doc)


KERAS1_HINT = (
    "this is a Keras 1 file; remove or replace what nnspec cannot read, or load it in Keras 2 and save it again"
)

KERAS1_LAYERS = {
    "Highway": "Keras 1's Highway layer has no Keras 2 or 3 equivalent",
    "MaxoutDense": "Keras 1's MaxoutDense layer has no Keras 3 equivalent",
    "SReLU": "Keras 1's SReLU activation layer has no Keras 2 or 3 equivalent",
    "ParametricSoftplus": "Keras 1's ParametricSoftplus layer has no Keras 2 or 3 equivalent",
    "ThresholdedReLU": "ThresholdedReLU, removed in Keras 3; nnspec does not compile it",
    "LocallyConnected1D": "LocallyConnected1D, removed in Keras 3; nnspec does not compile it",
    "LocallyConnected2D": "LocallyConnected2D, removed in Keras 3; nnspec does not compile it",
}
"""Keras 1 layers with no kind here, and why."""

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
