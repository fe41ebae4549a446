"""Parity rows of Keras 3 operation nodes (`ops.add`, `ops.mean`, `x[:, 1:3]`...): a few
tiny models, each a family of operations written as a person would by hand (constants
in `operands`, null where the tensor goes), gathered into the model's outputs. The
convolutional rows put operations after a channels-first value, so that their axes are
translated rather than the value permuted back."""

from __future__ import annotations

from typing import Any

from cases import KindCase


def _input(name: str, *shape: int | None) -> dict[str, Any]:
    return {"class_name": "InputLayer", "config": {"name": name, "batch_shape": [None, *shape]}}


def _model(name: str, inputs: dict[str, tuple[int, ...]], nodes: list[tuple[Any, ...]], outputs: list[str]) -> dict:
    """A functional model: inputs by name, then (kind, name, inputs, config) per node."""
    layers = [_input(n, *shape) for n, shape in inputs.items()]
    for kind, node, args, *config in nodes:
        refs = [[a, 0, 0] for a in args] if isinstance(args, list) else [args, 0, 0]
        entry = {"class_name": kind, "config": {"name": node, **(config[0] if config else {})}}
        layers.append({**entry, "inbound_nodes": [{"inputs": refs}]})
    refs = [[n, 0, 0] for n in inputs]
    return {
        "class_name": "Functional",
        "config": {
            "name": name,
            "layers": layers,
            "input_layers": refs[0] if len(refs) == 1 else refs,
            "output_layers": [[o, 0, 0] for o in outputs],
        },
    }


def _joined(name: str, inputs: dict[str, tuple[int, ...]], nodes: list[tuple[Any, ...]], axis: int = -1) -> dict:
    """The nodes no other node reads, joined by ops.concatenate along `axis` into the one output."""
    read = {a for node in nodes for a in (node[2] if isinstance(node[2], list) else [node[2]])}
    leaves = [node[1] for node in nodes if node[1] not in read]
    return _model(name, inputs, [*nodes, ("ops.concatenate", "out", leaves, {"axis": axis})], ["out"])


ARITHMETIC = _joined(
    "arithmetic",
    {"a": (3, 4), "b": (3, 4)},
    [
        ("ops.add", "add", ["a", "b"]),
        ("ops.subtract", "rsub", "a", {"operands": [2.0, None]}),
        ("ops.multiply", "times_int", "a", {"operands": [3, None]}),
        ("ops.absolute", "absolute", "b"),
        ("ops.add", "positive", "absolute", {"operands": [None, 0.5]}),
        ("ops.true_divide", "true_divide", ["a", "positive"]),
        ("ops.divide", "divide", "b", {"operands": [None, 3.0]}),
        ("ops.power", "square_int", "a", {"operands": [None, 2]}),
        ("ops.power", "two_to", "a", {"operands": [2.0, None]}),
        ("ops.negative", "negative", "a"),
        ("ops.square", "square", "b"),
        ("ops.maximum", "maximum", ["a", "b"]),
        ("ops.minimum", "minimum", "a", {"operands": [None, 0.0]}),
        ("ops.maximum", "floor_at", "b", {"operands": [-0.5, None]}),
        ("ops.mod", "mod", "positive", {"operands": [None, 0.3]}),
        ("ops.floor_divide", "floor_divide", "a", {"operands": [None, 0.5]}),
        ("ops.clip", "clip", "a", {"x_min": -0.5, "x_max": 0.5}),
        ("ops.round", "round", "a", {"decimals": 1}),
        ("ops.round", "round_even", "b"),
        ("ops.sign", "sign", "a"),
        ("ops.floor", "floor", "a"),
        ("ops.ceil", "ceil", "b"),
        ("ops.multiply", "row_scale", "a", {"operands": [None, {"value": [1.0, -2.0, 0.5, 4.0]}]}),
        ("ops.add", "grid", "a", {"operands": [{"value": [[0.1], [0.2], [0.3]]}, None]}),
    ],
)

MATH = _joined(
    "math",
    {"x": (5,)},
    [
        ("ops.absolute", "absolute", "x"),
        ("ops.add", "positive", "absolute", {"operands": [None, 0.5]}),
        ("ops.sqrt", "sqrt", "positive"),
        ("ops.rsqrt", "rsqrt", "positive"),
        ("ops.log", "log", "positive"),
        ("ops.log1p", "log1p", "positive"),
        ("ops.reciprocal", "reciprocal", "positive"),
        ("ops.exp", "exp", "x"),
        ("ops.expm1", "expm1", "x"),
        ("ops.sin", "sin", "x"),
        ("ops.cos", "cos", "x"),
        ("ops.tanh", "tanh", "x"),
        ("ops.erf", "erf", "x"),
        ("ops.ones_like", "ones_like", "x"),
        ("ops.zeros_like", "zeros_like", "x"),
        ("ops.full_like", "full_like", "x", {"fill_value": 0.5}),
    ],
)

ACTIVATIONS = _joined(
    "activations",
    {"x": (6,)},
    [
        ("Dense", "dense", "x", {"units": 6}),
        ("ops.relu", "relu", "dense"),
        ("ops.relu6", "relu6", "dense"),
        ("ops.sigmoid", "sigmoid", "dense"),
        ("ops.softplus", "softplus", "dense"),
        ("ops.softsign", "softsign", "dense"),
        ("ops.silu", "silu", "dense"),
        ("ops.selu", "selu", "dense"),
        ("ops.log_sigmoid", "log_sigmoid", "dense"),
        ("ops.hard_sigmoid", "hard_sigmoid", "dense"),
        ("ops.hard_silu", "hard_silu", "dense"),
        ("ops.leaky_relu", "leaky_relu", "dense", {"negative_slope": 0.1}),
        ("ops.elu", "elu", "dense", {"alpha": 0.5}),
        ("ops.celu", "celu", "dense", {"alpha": 2.0}),
        ("ops.gelu", "gelu_tanh", "dense"),
        ("ops.gelu", "gelu_erf", "dense", {"approximate": False}),
        ("activations.relu", "relu_plain", "dense"),
        ("activations.relu", "relu_options", "dense", {"negative_slope": 0.1, "max_value": 4.0, "threshold": -0.5}),
        ("ops.softmax", "softmax", "dense"),
        ("ops.log_softmax", "log_softmax", "dense", {"axis": 1}),
    ],
)

LOGIC = _joined(
    "logic",
    {"a": (5,), "b": (5,)},
    [
        ("ops.greater", "greater", ["a", "b"]),
        ("ops.where", "where", ["greater", "a"], {"operands": [None, None, 0.0]}),
        ("ops.less", "less", "a", {"operands": [None, 0.0]}),
        ("ops.negative", "negative", "b"),
        ("ops.where", "where_tensors", ["less", "b", "negative"]),
        ("ops.greater_equal", "greater_equal", "a", {"operands": [None, -0.5]}),
        ("ops.less_equal", "less_equal", "a", {"operands": [0.5, None]}),
        ("ops.logical_and", "inside", ["greater_equal", "less_equal"]),
        ("ops.equal", "equal", ["a", "a"]),
        ("ops.not_equal", "not_equal", ["a", "b"]),
        ("ops.logical_or", "either", ["equal", "not_equal"]),
        ("ops.logical_not", "neither", "either"),
        ("ops.cast", "inside_float", "inside", {"dtype": "float32"}),
        ("ops.cast", "neither_float", "neither", {"dtype": "float32"}),
        ("ops.argmax", "argmax", "a", {"axis": -1}),
        ("ops.one_hot", "one_hot", "argmax", {"num_classes": 5}),
        ("ops.argmin", "argmin", "b", {"axis": 1, "keepdims": True}),
        ("ops.cast", "argmin_float", "argmin", {"dtype": "float32"}),
        ("ops.any", "any_greater", "greater", {"axis": -1, "keepdims": True}),
        ("ops.cast", "any_float", "any_greater", {"dtype": "float32"}),
        ("ops.all", "all_inside", "inside", {"axis": 1, "keepdims": True}),
        ("ops.cast", "all_float", "all_inside", {"dtype": "float32"}),
        ("ops.convert_to_tensor", "converted", "b"),
    ],
)

REDUCTIONS = _model(
    "reductions",
    {"x": (3, 4, 2)},
    [
        ("ops.mean", "mean", "x", {"axis": [1, 2]}),
        ("ops.sum", "sum", "x", {"axis": 1, "keepdims": True}),
        ("ops.max", "max", "x", {"axis": -1}),
        ("ops.min", "min", "x", {"axis": [1, -1], "keepdims": True}),
        ("ops.prod", "prod", "x", {"axis": [1, 2]}),
        ("ops.var", "var", "x", {"axis": 2}),
        ("ops.std", "std", "x", {"axis": -1, "keepdims": True}),
        ("ops.logsumexp", "logsumexp", "x", {"axis": 1}),
        ("ops.norm", "norm", "x", {"axis": [1, 2]}),
        ("ops.argmax", "argmax", "x", {"axis": 1}),
    ],
    ["mean", "sum", "max", "min", "prod", "var", "std", "logsumexp", "norm", "argmax"],
)

SHAPES = _model(
    "shapes",
    {"x": (4, 6)},
    [
        ("ops.reshape", "reshape", "x", {"newshape": [-1, 3, 8]}),
        ("ops.transpose", "transpose", "reshape", {"axes": [0, 2, 1]}),
        ("ops.swapaxes", "swapaxes", "x", {"axis1": 1, "axis2": 2}),
        ("ops.expand_dims", "expand_dims", "x", {"axis": [1, -1]}),
        ("ops.moveaxis", "moveaxis", "expand_dims", {"source": 1, "destination": -2}),
        ("ops.squeeze", "squeeze", "moveaxis", {"axis": [3, -1]}),
        ("ops.squeeze", "squeeze_all", "expand_dims", {"axis": [1, 4]}),
        ("ops.stack", "stack", ["x", "squeeze"], {"axis": -1}),
        ("ops.flip", "flip", "x", {"axis": [1, 2]}),
        ("ops.tile", "tile", "x", {"repeats": [2, 1]}),
        ("ops.repeat", "repeat", "x", {"repeats": 2, "axis": 1}),
        ("ops.pad", "pad", "x", {"pad_width": [[0, 0], [1, 2], [0, 1]], "constant_values": 0.5}),
        ("ops.take", "take", "x", {"indices": [0, 2, -1], "axis": 2}),
        ("ops.take", "take_one", "x", {"indices": 1, "axis": -2}),
        ("ops.get_item", "first_rows", "x", {"key": [":", "1:3"]}),
        ("ops.get_item", "last_step", "x", {"key": [":", -1, ":"]}),
        ("ops.get_item", "every_other", "x", {"key": ["...", "::2"]}),
        ("ops.get_item", "new_axis", "x", {"key": [":", None]}),
        ("ops.get_item", "backwards", "x", {"key": [":", "::-1", "4:0:-2"]}),
        ("ops.concatenate", "concatenate", ["x", "flip", "squeeze_all"], {"axis": 1}),
    ],
    [
        "transpose", "swapaxes", "stack", "tile", "repeat", "pad", "take", "take_one", "first_rows", "last_step",
        "every_other", "new_axis", "backwards", "concatenate",
    ],
)  # fmt: skip

# operations after a channels-first convolution: each translates its axes (mean over H, W
# is dim (2, 3)), an array constant is laid out as (C, 1, 1); resize wants channels first
CONVOLUTION = _model(
    "after_convolution",
    {"image": (5, 4, 3)},
    [
        ("Conv2D", "conv", "image", {"filters": 4, "kernel_size": 3, "padding": "same"}),
        ("ops.mean", "squeeze_excite", "conv", {"axis": [1, 2], "keepdims": True}),
        ("ops.sigmoid", "gate", "squeeze_excite"),
        ("ops.multiply", "gated", ["conv", "gate"]),
        ("ops.multiply", "scaled", "gated", {"operands": [None, {"value": [1.0, -2.0, 0.5, 3.0]}]}),
        ("ops.softmax", "softmax", "scaled", {"axis": -1}),
        ("ops.concatenate", "concatenate", ["softmax", "conv"], {"axis": -1}),
        ("ops.take", "take", "concatenate", {"indices": [0, 5, 7], "axis": -1}),
        ("ops.flip", "flip", "take", {"axis": 1}),
        ("ops.pad", "pad", "flip", {"pad_width": [[0, 0], [1, 0], [0, 2], [0, 0]]}),
        ("ops.tile", "tile", "pad", {"repeats": [1, 2, 3]}),
        ("ops.repeat", "repeat", "tile", {"repeats": 2, "axis": 2}),
        ("ops.image.resize", "resize", "repeat", {"size": [5, 7], "interpolation": "nearest"}),
        ("ops.image.resize", "upsized", "conv", {"size": [7, 6]}),
        ("ops.sum", "sum", "upsized", {"axis": -1}),
        ("ops.expand_dims", "expand_dims", "sum", {"axis": 3}),
        ("ops.squeeze", "squeeze", "expand_dims", {"axis": -1}),
        ("ops.transpose", "transpose", "conv", {"axes": [0, 3, 1, 2]}),
        ("ops.max", "max", "conv", {"axis": 3, "keepdims": True}),
        ("ops.argmax", "argmax", "conv", {"axis": -1}),
        ("ops.one_hot", "one_hot", "argmax", {"num_classes": 4}),
        ("ops.get_item", "crop", "conv", {"key": [":", "1:4", "::-1"]}),
    ],
    ["resize", "squeeze", "transpose", "max", "one_hot", "crop"],
)

# more layouts: axes after a channels-first convolution; a flattened feature map
# (its features in torch's order) through a scalar operation (no reorder), and through an
# array constant and a slice (which need Keras's feature order back)
LAYOUTS = _model(
    "layouts",
    {"image": (3, 4, 2)},
    [
        ("Conv2D", "conv", "image", {"filters": 3, "kernel_size": 2, "padding": "same"}),
        ("ops.softmax", "softmax", "conv", {"axis": 1}),
        ("ops.log_softmax", "log_softmax", "conv", {"axis": 2}),
        ("ops.prod", "prod", "conv", {"axis": [1, 3], "keepdims": True}),
        ("ops.norm", "norm", "conv", {"axis": [1, 2], "keepdims": True}),
        ("ops.var", "var", "conv", {"axis": -1}),
        ("ops.take", "take", "conv", {"indices": 2, "axis": -1}),
        ("ops.argmax", "argmax", "conv", {"axis": 1}),
        ("ops.one_hot", "one_hot", "argmax", {"num_classes": 3}),
        ("Flatten", "flatten", "conv"),
        ("ops.multiply", "doubled", "flatten", {"operands": [None, 2.0]}),
        ("Dense", "dense", "doubled", {"units": 2}),
        ("ops.add", "shifted", "flatten", {"operands": [None, {"value": [float(i) for i in range(36)]}]}),
        ("ops.get_item", "head", "flatten", {"key": [":", ":5"]}),
    ],
    ["softmax", "log_softmax", "prod", "norm", "var", "take", "one_hot", "dense", "shifted", "head"],
)

PROJECTION = [[1.0, 0.0], [0.0, 2.0], [0.5, 0.5], [1.0, -1.0]]
MIXING = [[1.0, 0.0, 0.0, 0.0, 1.0], [0.0, 1.0, 1.0, 0.0, 0.0]]

# Keras's axis order is the meaning of matmul and einsum: Keras's layout, constants as written
MATMUL = _model(
    "matmul",
    {"tokens": (5, 4)},
    [
        ("Dense", "q", "tokens", {"units": 3}),
        ("Dense", "k", "tokens", {"units": 3}),
        ("ops.transpose", "k_t", "k", {"axes": [0, 2, 1]}),
        ("ops.matmul", "scores", ["q", "k_t"]),
        ("ops.einsum", "einsum", ["q", "k"], {"subscripts": "bqd,bkd->bqk"}),
        ("ops.matmul", "projected", "tokens", {"operands": [None, {"value": PROJECTION}]}),
        ("ops.matmul", "mixed", "tokens", {"operands": [{"value": MIXING}, None]}),
        ("ops.einsum", "weighted", "q", {"subscripts": "bqd,d->bq", "operands": [None, {"value": [1.0, 2.0, 3.0]}]}),
    ],
    ["scores", "einsum", "projected", "mixed", "weighted"],
)

ROWS: list[KindCase] = [
    KindCase("ops", id="ops:arithmetic", spec=ARITHMETIC),
    KindCase("ops", id="ops:math", spec=MATH),
    KindCase("ops", id="ops:activations", spec=ACTIVATIONS),
    KindCase("ops", id="ops:logic", spec=LOGIC),
    KindCase("ops", id="ops:reductions", spec=REDUCTIONS),
    KindCase("ops", id="ops:shapes", spec=SHAPES),
    KindCase("ops", id="ops:after_convolution", spec=CONVOLUTION),
    KindCase("ops", id="ops:matmul", spec=MATMUL),
    KindCase("ops", id="ops:layouts", spec=LAYOUTS),
    KindCase("ops.add", {"operands": [None, 1]}, input_shape=(3,)),
    KindCase("ops.subtract", input_shapes=((2, 3), (2, 3))),
]
