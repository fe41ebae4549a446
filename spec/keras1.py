"""Keras 1 field names in Keras 3's terms, as Keras 2's own `legacy/interfaces.py` converted
them when it loaded a Keras 1 model. Only renames with one meaning are here; a Keras 1
field without one is refused by name, saying it is a Keras 1 field."""

from __future__ import annotations

from typing import Any

from .errors import Problem

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


def declared_shape_problems(declared: list[tuple[Any, Any, Any]], graph: Any) -> list[Problem]:
    """Keras 1's Deconvolution2D wrote the output shape it was given; Keras 2 dropped the
    field and computes the shape. Where the two differ the file's model is not the one
    read, so that is refused (a layer inside a nested model is not checked)."""
    from .errors import format_path

    problems: list[Problem] = []
    layers = {info.name: info for info in graph.layers} if declared else {}
    for loc, name, shape in declared:
        known = layers.get(name) if isinstance(name, str) else None
        if known is None or not isinstance(shape, list | tuple):
            continue
        computed = known.output_shapes[0]
        if len(shape) != len(computed) or any(
            d is not None and d != c for d, c in zip(shape[1:], computed[1:], strict=True)
        ):
            problems.append(
                Problem(
                    format_path(loc),
                    "Keras 1's Deconvolution2D output_shape differs from the shape Keras 2 and 3 compute",
                    received=str(list(shape)),
                    expected=str(list(computed)),
                    hint="Keras 2 dropped output_shape; set strides and padding (or output_padding) to give it",
                )
            )
    return problems
