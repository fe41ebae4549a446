"""The parity case table: one row per layer kind and notable config, plus model-level rows.

A `KindCase` is one layer (`kind`, `config`) called on fresh inputs of `input_shape`
(or `input_shapes`, for merges), batch axis left out. `spec_of(case)` wraps it in
a tiny functional spec in the concise form. Model-level rows give their whole
`spec` instead. `tests/kinds/test_parity.py` runs every row through the parity
checker in both directions."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nnspec.spec.activations import ACTIVATIONS

Dims = tuple[int | None, ...]


@dataclass(frozen=True)
class KindCase:
    kind: str
    config: dict[str, Any] = field(default_factory=dict)
    input_shape: Dims | None = None
    input_shapes: tuple[Dims, ...] | None = None
    training: bool = False
    id: str = ""
    spec: dict[str, Any] | None = None
    """A whole model spec, for model-level rows (`kind` then names what it exercises)."""
    layout: str = "torch"
    """The torch module's interface: "torch" (channels first) or "keras" (Keras's layout)."""

    @property
    def shapes(self) -> tuple[Dims, ...]:
        if self.input_shapes is not None:
            return self.input_shapes
        assert self.input_shape is not None, self
        return (self.input_shape,)

    @property
    def case_id(self) -> str:
        if self.id:
            return self.id
        options = ",".join(f"{k}={v}" for k, v in self.config.items() if k != "name")
        shapes = "+".join("x".join(str(d) for d in s) for s in self.shapes)
        mode = (":training" if self.training else "") + (f":{self.layout}" if self.layout != "torch" else "")
        return f"{self.kind}[{options}]({shapes}){mode}" if options else f"{self.kind}({shapes}){mode}"


def spec_of(case: KindCase) -> dict[str, Any]:
    """A functional spec: one InputLayer per input shape, the layer, its output as the model's."""
    if case.spec is not None:
        return case.spec
    inputs = [f"input_{i}" for i in range(len(case.shapes))]
    merges = case.input_shapes is not None  # a merge is called on a list, even of one tensor
    layers: list[dict[str, Any]] = [
        {"class_name": "InputLayer", "config": {"name": name, "batch_shape": [None, *shape]}}
        for name, shape in zip(inputs, case.shapes, strict=True)
    ]
    refs = [[name, 0, 0] for name in inputs]
    layers.append(
        {
            "class_name": case.kind,
            "config": {"name": "layer", **case.config},
            "inbound_nodes": [{"inputs": refs[0] if len(refs) == 1 and not merges else refs}],
        }
    )
    return {
        "class_name": "Functional",
        "config": {
            "name": "case",
            "layers": layers,
            "input_layers": refs[0] if len(refs) == 1 else refs,
            "output_layers": ["layer", 0, 0],
        },
    }


def channels_first(case: KindCase) -> bool:
    """Whether a row has a channels_first convolution or pooling layer, which TensorFlow's
    CPU kernels cannot be trusted with (see test_parity.py)."""

    def walk(spec: dict[str, Any]) -> bool:
        for entry in spec["config"]["layers"]:
            if entry["class_name"] in ("Sequential", "Functional") and walk(entry):
                return True
            kind = entry["class_name"]
            if ("Conv" in kind or "Pool" in kind) and entry["config"].get("data_format") == "channels_first":
                return True
        return False

    return walk(spec_of(case))


def kinds_in(spec: dict[str, Any]) -> set[str]:
    """Every layer class_name a spec dict uses, nested models' layers included."""
    found: set[str] = set()
    for entry in spec["config"]["layers"]:
        found.add(entry["class_name"])
        if entry["class_name"] in ("Sequential", "Functional"):
            found |= kinds_in(entry)
    return found


# -- model-level specs ------------------------------------------------------------------


def _dense(name: str, units: int, inputs: Any, **config: Any) -> dict[str, Any]:
    return {"class_name": "Dense", "config": {"name": name, "units": units, **config}, "inbound_nodes": [inputs]}


def _input(name: str, *shape: int | None) -> dict[str, Any]:
    return {"class_name": "InputLayer", "config": {"name": name, "batch_shape": [None, *shape]}}


SHARED_LAYER = {
    "class_name": "Functional",
    "config": {
        "name": "shared",
        "layers": [
            _input("left", 5),
            _input("right", 5),
            {
                "class_name": "Dense",
                "config": {"name": "twin", "units": 4, "activation": "tanh"},
                "inbound_nodes": [{"inputs": ["left", 0, 0]}, {"inputs": ["right", 0, 0]}],
            },
            {
                "class_name": "Subtract",
                "config": {"name": "gap"},
                "inbound_nodes": [{"inputs": [["twin", 0, 0], ["twin", 1, 0]]}],
            },
            _dense("score", 1, {"inputs": ["gap", 0, 0]}, activation="sigmoid"),
        ],
        "input_layers": [["left", 0, 0], ["right", 0, 0]],
        "output_layers": ["score", 0, 0],
    },
}

NESTED = {
    "class_name": "Functional",
    "config": {
        "name": "outer",
        "layers": [
            _input("features", 6),
            {
                "class_name": "Sequential",
                "config": {
                    "name": "encoder",
                    "layers": [
                        _input("encoder_in", 6),
                        {"class_name": "Dense", "config": {"name": "enc_dense", "units": 8, "activation": "relu"}},
                        {"class_name": "BatchNormalization", "config": {"name": "enc_bn"}},
                        {"class_name": "Dropout", "config": {"name": "enc_drop", "rate": 0.5}},
                    ],
                },
                "inbound_nodes": [{"inputs": ["features", 0, 0]}],
            },
            {
                "class_name": "Functional",
                "config": {
                    "name": "head",
                    "layers": [
                        _input("head_in", 8),
                        _dense("head_a", 4, {"inputs": ["head_in", 0, 0]}, activation="relu"),
                        _dense("head_b", 4, {"inputs": ["head_in", 0, 0]}),
                        {
                            "class_name": "Concatenate",
                            "config": {"name": "head_cat"},
                            "inbound_nodes": [{"inputs": [["head_a", 0, 0], ["head_b", 0, 0]]}],
                        },
                    ],
                    "input_layers": ["head_in", 0, 0],
                    "output_layers": ["head_cat", 0, 0],
                },
                "inbound_nodes": [{"inputs": ["encoder", 0, 0]}],
            },
            _dense("out", 2, {"inputs": ["head", 0, 0]}, activation="softmax"),
        ],
        "input_layers": ["features", 0, 0],
        "output_layers": ["out", 0, 0],
    },
}

NESTED_SEQUENTIAL_IN_SEQUENTIAL = {
    "class_name": "Sequential",
    "config": {
        "name": "stack",
        "layers": [
            _input("x", 5),
            {
                "class_name": "Sequential",
                "config": {
                    "name": "block",
                    "layers": [
                        _input("block_in", 5),
                        {"class_name": "Dense", "config": {"name": "block_dense", "units": 6}},
                        {"class_name": "LayerNormalization", "config": {"name": "block_ln"}},
                    ],
                },
            },
            {"class_name": "Dense", "config": {"name": "top", "units": 3}},
        ],
    },
}


def _multi_io(outputs: Any, inputs: Any, name: str) -> dict[str, Any]:
    return {
        "class_name": "Functional",
        "config": {
            "name": name,
            "layers": [
                _input("a", 4),
                _input("b", 3),
                {
                    "class_name": "Concatenate",
                    "config": {"name": "joined"},
                    "inbound_nodes": [{"inputs": [["a", 0, 0], ["b", 0, 0]]}],
                },
                _dense("cls", 3, {"inputs": ["joined", 0, 0]}, activation="softmax"),
                _dense("reg", 1, {"inputs": ["joined", 0, 0]}),
                _dense("aux", 2, {"inputs": ["b", 0, 0]}, activation="sigmoid"),
            ],
            "input_layers": inputs,
            "output_layers": outputs,
        },
    }


MULTI_IO_LIST = _multi_io([["cls", 0, 0], ["reg", 0, 0], ["aux", 0, 0]], [["a", 0, 0], ["b", 0, 0]], "multi_io_list")
MULTI_IO_DICT = _multi_io(
    {"cls": ["cls", 0, 0], "reg": ["reg", 0, 0], "aux": ["aux", 0, 0]},
    {"a": ["a", 0, 0], "b": ["b", 0, 0]},
    "multi_io_dict",
)

NESTED_SEQUENTIAL_WITHOUT_INPUT_LAYER = {
    "class_name": "Functional",
    "config": {
        "name": "outer_plain",
        "layers": [
            _input("x", 3),
            {
                "class_name": "Sequential",
                "config": {
                    "name": "inner",
                    "layers": [
                        {"class_name": "Dense", "config": {"name": "first", "units": 5}},
                        {"class_name": "ReLU", "config": {"name": "act"}},
                    ],
                },
                "inbound_nodes": [{"inputs": ["x", 0, 0]}],
            },
            _dense("last", 2, {"inputs": ["inner", 0, 0]}),
        ],
        "input_layers": ["x", 0, 0],
        "output_layers": ["last", 0, 0],
    },
}

SEQUENTIAL_BATCH_INPUT_SHAPE = {
    "class_name": "Sequential",
    "config": {
        "name": "plain",
        "layers": [
            {"class_name": "Dense", "config": {"name": "first", "units": 5, "batch_input_shape": [None, 3]}},
            {"class_name": "PReLU", "config": {"name": "act"}},
            {"class_name": "Dense", "config": {"name": "second", "units": 2, "activation": "softmax"}},
        ],
    },
}


def _layer(kind: str, name: str, inputs: Any, **config: Any) -> dict[str, Any]:
    return {"class_name": kind, "config": {"name": name, **config}, "inbound_nodes": [{"inputs": inputs}]}


def _functional(name: str, layers: list[dict[str, Any]], inputs: Any, outputs: Any) -> dict[str, Any]:
    return {
        "class_name": "Functional",
        "config": {"name": name, "layers": layers, "input_layers": inputs, "output_layers": outputs},
    }


REVERSED_INPUTS = _functional(  # input_layers in another order than the layers list
    "reversed",
    [
        _input("a", 3),
        _input("b", 5),
        _layer("Dense", "da", ["a", 0, 0], units=2),
        _layer("Dense", "db", ["b", 0, 0], units=2),
        _layer("Add", "total", [["da", 0, 0], ["db", 0, 0]]),
    ],
    [["b", 0, 0], ["a", 0, 0]],
    ["total", 0, 0],
)

OUTPUT_IS_INPUT = _functional(
    "passthrough",
    [_input("a", 3), _layer("Dense", "d", ["a", 0, 0], units=2)],
    ["a", 0, 0],
    [["d", 0, 0], ["a", 0, 0], ["d", 0, 0]],
)

SHARED_NESTED = _functional(
    "shared_nested",
    [
        _input("a", 4),
        _input("b", 4),
        {
            "class_name": "Sequential",
            "config": {
                "name": "inner",
                "layers": [
                    _input("inner_in", 4),
                    {"class_name": "Dense", "config": {"name": "inner_dense", "units": 3}},
                ],
            },
            "inbound_nodes": [{"inputs": ["a", 0, 0]}, {"inputs": ["b", 0, 0]}],
        },
        _layer("Maximum", "larger", [["inner", 0, 0], ["inner", 1, 0]]),
    ],
    [["a", 0, 0], ["b", 0, 0]],
    ["larger", 0, 0],
)

NESTED_MULTI_IO = _functional(
    "nested_multi_io",
    [
        _input("a", 4),
        _input("b", 2),
        {
            **_functional(
                "inner",
                [
                    _input("i1", 4),
                    _input("i2", 2),
                    _layer("Concatenate", "cat", [["i1", 0, 0], ["i2", 0, 0]]),
                    _layer("Dense", "p", ["cat", 0, 0], units=3),
                    _layer("Dense", "q", ["i1", 0, 0], units=2, activation="elu"),
                ],
                [["i1", 0, 0], ["i2", 0, 0]],
                [["p", 0, 0], ["q", 0, 0]],
            ),
            "inbound_nodes": [{"inputs": [["a", 0, 0], ["b", 0, 0]]}],
        },
        _layer("Dense", "after", ["inner", 0, 1], units=2),
    ],
    [["a", 0, 0], ["b", 0, 0]],
    [["after", 0, 0], ["inner", 0, 0]],
)

SEQUENTIAL_IN_SEQUENTIAL_WITHOUT_INPUT = {
    "class_name": "Sequential",
    "config": {
        "name": "outer_seq",
        "layers": [
            _input("x", 3),
            {
                "class_name": "Sequential",
                "config": {"name": "inner", "layers": [{"class_name": "Dense", "config": {"name": "d", "units": 4}}]},
            },
            {"class_name": "ReLU", "config": {"name": "r", "negative_slope": 0.1}},
        ],
    },
}

FROZEN_MODEL = {
    "class_name": "Sequential",
    "config": {
        "name": "frozen",
        "trainable": False,
        "layers": [
            _input("x", 3),
            {"class_name": "Dense", "config": {"name": "d", "units": 4}},
            {"class_name": "BatchNormalization", "config": {"name": "bn"}},
        ],
    },
}


# -- the table --------------------------------------------------------------------------

_KERAS_ACTIVATIONS = sorted(name for name, info in ACTIVATIONS.items() if info.keras is not None)


def _layer_object(kind: str, **config: Any) -> dict[str, Any]:
    return {"class_name": kind, "config": {"name": kind.lower() + "_activation", **config}}


CASES: list[KindCase] = [
    # core
    KindCase("Dense", {"units": 4}, input_shape=(3,)),
    KindCase("Dense", {"units": 4, "use_bias": False}, input_shape=(3,)),
    *(KindCase("Dense", {"units": 5, "activation": name}, input_shape=(6,)) for name in _KERAS_ACTIVATIONS),
    KindCase("Dense", {"units": 5, "activation": "legacy_hard_sigmoid"}, input_shape=(6,)),
    KindCase("Dense", {"units": 4, "activation": "relu"}, input_shape=(3, 5)),
    KindCase("Dense", {"units": 4}, input_shape=(2, 3, 5)),
    KindCase("Dense", {"units": 4, "activation": _layer_object("PReLU")}, input_shape=(3,), id="Dense[act=PReLU()]"),
    KindCase(
        "Dense",
        {"units": 4, "activation": _layer_object("PReLU", shared_axes=[1])},
        input_shape=(3, 5),
        id="Dense[act=PReLU(shared_axes=[1])](3x5)",
    ),
    KindCase(
        "Dense",
        {"units": 4, "activation": _layer_object("LeakyReLU", negative_slope=0.1)},
        input_shape=(3,),
        id="Dense[act=LeakyReLU(0.1)]",
    ),
    KindCase(
        "Dense", {"units": 4, "activation": _layer_object("Softmax")}, input_shape=(3,), id="Dense[act=Softmax()]"
    ),
    KindCase(
        "Dense",
        {"units": 4, "activation": _layer_object("Softmax", axis=1)},
        input_shape=(3, 5),
        id="Dense[act=Softmax(axis=1)](3x5)",
    ),
    KindCase(
        "Dense", {"units": 4, "activation": _layer_object("ELU", alpha=0.5)}, input_shape=(3,), id="Dense[act=ELU]"
    ),
    KindCase(
        "Dense",
        {"units": 4, "activation": _layer_object("ReLU", max_value=0.5)},
        input_shape=(3,),
        id="Dense[act=ReLU]",
    ),
    KindCase("Activation", {"activation": "tanh"}, input_shape=(4,)),
    KindCase("Activation", {"activation": "softmax"}, input_shape=(3, 4)),
    KindCase("Activation", {"activation": "gelu"}, input_shape=(4,)),
    KindCase("Activation", {"activation": _layer_object("PReLU")}, input_shape=(4,), id="Activation[PReLU()]"),
    KindCase("Dropout", {"rate": 0.5}, input_shape=(4,)),
    KindCase("Dropout", {"rate": 0.3, "noise_shape": [None, 1, 4]}, input_shape=(3, 4)),
    KindCase("Dropout", {"rate": 0.2, "seed": 7}, input_shape=(4,)),
    KindCase("Flatten", {}, input_shape=(4,)),
    KindCase("Flatten", {}, input_shape=(3, 4)),
    KindCase("Flatten", {}, input_shape=(2, 3, 4)),
    KindCase("Flatten", {"data_format": "channels_first"}, input_shape=(3, 4)),
    KindCase("Flatten", {"data_format": "channels_first"}, input_shape=(2, 3, 4)),
    KindCase("Reshape", {"target_shape": [2, 6]}, input_shape=(12,)),
    KindCase("Reshape", {"target_shape": [-1, 3]}, input_shape=(4, 3)),
    KindCase("Reshape", {"target_shape": [2, -1]}, input_shape=(3, 4)),
    # activations
    KindCase("ReLU", {}, input_shape=(6,)),
    KindCase("ReLU", {"max_value": 1.0}, input_shape=(6,)),
    KindCase("ReLU", {"max_value": 6.0}, input_shape=(6,)),
    KindCase("ReLU", {"max_value": 0.0}, input_shape=(6,)),
    KindCase("ReLU", {"negative_slope": 0.1}, input_shape=(6,)),
    KindCase("ReLU", {"threshold": 0.5}, input_shape=(6,)),
    KindCase("ReLU", {"max_value": 1.0, "negative_slope": 0.2}, input_shape=(6,)),
    KindCase("ReLU", {"max_value": 6.0, "negative_slope": 0.2}, input_shape=(6,)),
    KindCase("ReLU", {"max_value": 1.0, "threshold": 0.3}, input_shape=(6,)),
    KindCase("ReLU", {"negative_slope": 0.2, "threshold": 0.3}, input_shape=(6,)),
    KindCase("ReLU", {"max_value": 1.0, "negative_slope": 0.2, "threshold": 0.3}, input_shape=(6,)),
    KindCase("ReLU", {"max_value": 0.8, "negative_slope": 0.5, "threshold": 0.4}, input_shape=(2, 3)),
    KindCase("ReLU", {"max_value": 6.0, "threshold": 0.1}, input_shape=(6,)),
    KindCase("LeakyReLU", {}, input_shape=(6,)),
    KindCase("LeakyReLU", {"negative_slope": 0.01}, input_shape=(6,)),
    KindCase("LeakyReLU", {"negative_slope": 0.5}, input_shape=(2, 3)),
    KindCase("LeakyReLU", {"negative_slope": 0.0}, input_shape=(6,)),
    KindCase("ELU", {}, input_shape=(6,)),
    KindCase("ELU", {"alpha": 0.5}, input_shape=(6,)),
    KindCase("ELU", {"alpha": 2.0}, input_shape=(2, 3)),
    KindCase("Softmax", {}, input_shape=(5,)),
    KindCase("Softmax", {"axis": -1}, input_shape=(3, 4)),
    KindCase("Softmax", {"axis": 1}, input_shape=(3, 4)),
    KindCase("Softmax", {"axis": -2}, input_shape=(3, 4)),
    KindCase("Softmax", {"axis": [1, 2]}, input_shape=(3, 4)),
    KindCase("Softmax", {"axis": [-1, 1]}, input_shape=(2, 3, 4)),
    KindCase("Softmax", {"axis": [2]}, input_shape=(3, 4)),
    KindCase("PReLU", {}, input_shape=(5,)),
    KindCase("PReLU", {}, input_shape=(3, 4)),
    KindCase("PReLU", {"shared_axes": [1]}, input_shape=(3, 4)),
    KindCase("PReLU", {"shared_axes": [2]}, input_shape=(3, 4)),
    KindCase("PReLU", {"shared_axes": [1, 2]}, input_shape=(3, 4)),
    KindCase("PReLU", {"shared_axes": [1]}, input_shape=(5,)),
    KindCase("PReLU", {"alpha_initializer": "ones"}, input_shape=(5,)),
    # normalization
    KindCase("BatchNormalization", {}, input_shape=(5,)),
    KindCase("BatchNormalization", {"center": False}, input_shape=(5,)),
    KindCase("BatchNormalization", {"scale": False}, input_shape=(5,)),
    KindCase("BatchNormalization", {"center": False, "scale": False}, input_shape=(5,)),
    KindCase("BatchNormalization", {"momentum": 0.9, "epsilon": 0.01}, input_shape=(5,)),
    KindCase("BatchNormalization", {"axis": 1}, input_shape=(3, 4)),
    KindCase("BatchNormalization", {"axis": -1}, input_shape=(3, 4)),
    KindCase("BatchNormalization", {"axis": 2}, input_shape=(2, 3, 4)),
    KindCase("BatchNormalization", {"axis": -1}, input_shape=(2, 3, 4)),
    KindCase("BatchNormalization", {"trainable": False}, input_shape=(5,)),
    KindCase("BatchNormalization", {"trainable": False}, input_shape=(5,), training=True),
    KindCase("BatchNormalization", {}, input_shape=(5,), training=True),
    KindCase("BatchNormalization", {"center": False}, input_shape=(5,), training=True),
    KindCase("BatchNormalization", {"center": False, "scale": False}, input_shape=(5,), training=True),
    KindCase("BatchNormalization", {"momentum": 0.9, "epsilon": 0.01}, input_shape=(5,), training=True),
    KindCase("BatchNormalization", {"axis": 1}, input_shape=(3, 4), training=True),
    KindCase("BatchNormalization", {"axis": -1}, input_shape=(3, 4), training=True),
    KindCase("LayerNormalization", {}, input_shape=(5,)),
    KindCase("LayerNormalization", {}, input_shape=(3, 4)),
    KindCase("LayerNormalization", {"axis": [1, 2]}, input_shape=(3, 4)),
    KindCase("LayerNormalization", {"axis": [-2, -1]}, input_shape=(3, 4)),
    KindCase("LayerNormalization", {"axis": 1}, input_shape=(3, 4)),
    KindCase("LayerNormalization", {"axis": [1, 3]}, input_shape=(2, 3, 4)),
    KindCase("LayerNormalization", {"center": False}, input_shape=(5,)),
    KindCase("LayerNormalization", {"scale": False}, input_shape=(5,)),
    KindCase("LayerNormalization", {"center": False, "scale": False}, input_shape=(5,)),
    KindCase("LayerNormalization", {"scale": False}, input_shape=(3, 4)),
    KindCase("LayerNormalization", {"axis": 1, "center": False}, input_shape=(3, 4)),
    KindCase("LayerNormalization", {"epsilon": 0.1}, input_shape=(5,)),
    KindCase("LayerNormalization", {"rms_scaling": True}, input_shape=(5,)),
    KindCase("LayerNormalization", {"rms_scaling": True, "axis": [1, 2]}, input_shape=(3, 4)),
    # unknown (None) sizes besides the batch
    KindCase("Dense", {"units": 3}, input_shape=(None, 4)),
    KindCase("Softmax", {"axis": 1}, input_shape=(None, 4)),
    KindCase("LayerNormalization", {}, input_shape=(None, 4)),
    KindCase("BatchNormalization", {}, input_shape=(None, 4)),
    KindCase("Flatten", {}, input_shape=(None, 4)),
    KindCase("Reshape", {"target_shape": [-1, 2]}, input_shape=(None, 4)),
    KindCase("PReLU", {"shared_axes": [1]}, input_shape=(None, 4)),
    KindCase("Dropout", {"rate": 0.5, "noise_shape": [None, 1, None]}, input_shape=(None, 4)),
    # higher ranks
    KindCase("BatchNormalization", {"axis": 1}, input_shape=(3, 2, 2)),
    KindCase("BatchNormalization", {}, input_shape=(2, 2, 3)),
    KindCase("BatchNormalization", {}, input_shape=(2, 2, 3), training=True),
    KindCase("BatchNormalization", {"axis": 2}, input_shape=(2, 3, 2, 2)),
    KindCase("LayerNormalization", {"axis": [1, 2, 3]}, input_shape=(2, 3, 4)),
    KindCase("LayerNormalization", {"axis": [2, 1]}, input_shape=(3, 4)),
    KindCase("Softmax", {"axis": [2, 1]}, input_shape=(3, 4)),
    KindCase("PReLU", {"shared_axes": [1, 2]}, input_shape=(2, 3, 4)),
    KindCase("Flatten", {"data_format": "channels_first"}, input_shape=(2, 3, 4, 2)),
    # frozen layers
    KindCase("Dense", {"units": 3, "trainable": False}, input_shape=(4,)),
    KindCase("LayerNormalization", {"trainable": False}, input_shape=(4,)),
    KindCase("PReLU", {"trainable": False}, input_shape=(4,)),
    KindCase(
        "Dense",
        {"units": 3, "trainable": False, "activation": _layer_object("PReLU")},
        input_shape=(4,),
        id="Dense[trainable=False,act=PReLU()]",  # Keras keeps the PReLU's alpha trainable
    ),
    # merging
    KindCase("Concatenate", {}, input_shapes=((3,), (4,))),
    KindCase("Concatenate", {"axis": -1}, input_shapes=((2, 3), (2, 4))),
    KindCase("Concatenate", {"axis": 1}, input_shapes=((2, 3), (4, 3))),
    KindCase("Concatenate", {"axis": -2}, input_shapes=((2, 3), (4, 3))),
    KindCase("Concatenate", {}, input_shapes=((3,), (4,), (2,))),
    *(
        KindCase(kind, {}, input_shapes=shapes)
        for kind in ("Add", "Multiply", "Average", "Maximum", "Minimum")
        for shapes in (((4,), (4,)), ((4,), (4,), (4,)), ((3,), (2, 3)), ((2, 3), (3,), (2, 1)))
    ),
    KindCase("Subtract", {}, input_shapes=((4,), (4,))),
    KindCase("Subtract", {}, input_shapes=((2, 3), (2, 3))),
    KindCase("Subtract", {}, input_shapes=((3,), (2, 3))),
    KindCase("Add", {}, input_shapes=((1,), (4,))),
    *(
        KindCase(kind, {}, input_shapes=((4,),), id=f"{kind}([4])")
        for kind in ("Add", "Average", "Maximum", "Concatenate")
    ),
    KindCase("Dot", {"axes": 1}, input_shapes=((4,), (4,))),
    KindCase("Dot", {"axes": -1, "normalize": True}, input_shapes=((4,), (4,))),
    KindCase("Dot", {"axes": [2, 2]}, input_shapes=((3, 4), (5, 4))),
    KindCase("Dot", {"axes": [1, 2]}, input_shapes=((3, 4), (5, 3))),
    KindCase("Dot", {"axes": -1, "normalize": True}, input_shapes=((3, 4), (5, 4))),
    KindCase("Dot", {"axes": [1, 2], "normalize": True}, input_shapes=((4,), (3, 4))),
    KindCase("Dot", {"axes": [-1, 1]}, input_shapes=((3, 4), (4,))),
    # models
    KindCase("Dense", id="model:shared_layer", spec=SHARED_LAYER),
    KindCase("Functional", id="model:reversed_inputs", spec=REVERSED_INPUTS),
    KindCase("Functional", id="model:output_is_input_and_repeated", spec=OUTPUT_IS_INPUT),
    KindCase("Sequential", id="model:shared_nested_model", spec=SHARED_NESTED),
    KindCase("Functional", id="model:nested_multi_input_multi_output", spec=NESTED_MULTI_IO),
    KindCase(
        "Sequential", id="model:sequential_in_sequential_without_input", spec=SEQUENTIAL_IN_SEQUENTIAL_WITHOUT_INPUT
    ),
    KindCase("Sequential", id="model:frozen_model", spec=FROZEN_MODEL),
    KindCase("Sequential", id="model:frozen_model:training", spec=FROZEN_MODEL, training=True),
    KindCase("Sequential", id="model:nested_sequential_and_functional", spec=NESTED),
    KindCase("Sequential", id="model:sequential_in_sequential", spec=NESTED_SEQUENTIAL_IN_SEQUENTIAL),
    KindCase("Functional", id="model:multi_io_list", spec=MULTI_IO_LIST),
    KindCase("Functional", id="model:multi_io_dict", spec=MULTI_IO_DICT),
    KindCase(
        "Sequential", id="model:nested_sequential_without_input_layer", spec=NESTED_SEQUENTIAL_WITHOUT_INPUT_LAYER
    ),
    KindCase("Sequential", id="model:sequential_batch_input_shape", spec=SEQUENTIAL_BATCH_INPUT_SHAPE),
]


def _family_rows() -> list[KindCase]:
    """The rows of the newer families, each in tests/kinds/rows/<family>.py as `ROWS`:
    one table, kept in files small enough to read."""
    import importlib

    out: list[KindCase] = []
    for path in sorted((Path(__file__).parent / "rows").glob("[a-z]*.py")):
        out += importlib.import_module(f"rows.{path.stem}").ROWS
    return out


CASES += _family_rows()
