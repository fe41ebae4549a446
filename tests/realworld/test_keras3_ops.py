"""Keras 3 operation nodes from real files (tests/fixtures/keras3_ops, written by Keras 3.15:
`x + y`, `ops.mean(x, axis=...)`, `x[:, 1:3]`, `keras.activations.relu(x)` inside functional
models). Each model is read with the shapes Keras inferred, converted from its `.keras` file
to a torch module that reproduces Keras's recorded outputs, and written back as Keras 3 JSON
that Keras reads and computes the same outputs from. What nnspec cannot compile is refused
by the operation's name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from written_module import written_module

import nnspec
from conftest import FIXTURES
from nnspec.spec.layers import all_kinds
from nnspec.spec.layers.operations import OPERATIONS, UNSUPPORTED_OPERATIONS, OperationConfig
from nnspec.spec.write import to_canonical, to_keras_json

OPS = FIXTURES / "keras3_ops"
ALL = sorted(p.stem for p in OPS.glob("*.json") if not p.name.endswith(".expected.json"))
TOLERANCE = 1e-5

REFUSED: dict[str, dict[str, str]] = {
    # fixture: {path of the problem: what its message names}
    "k3_multi_output_ops": {
        "config.layers[1].class_name": "'Moments' (module keras.src.ops.nn)",
        "config.layers[2].class_name": "'Split' (module keras.src.ops.numpy)",
        "config.layers[5].class_name": "'TopK' (module keras.src.ops.math)",
        "config.layers[8].class_name": "'Unstack' (module keras.src.ops.core)",
    },
    "k3_shapes": {"config.layers[1].class_name": "'Split' (module keras.src.ops.numpy)"},
    "k3_reshape_dynamic_batch": {
        "config.layers[1].inbound_nodes[0]": "ops.reshape layer 'reshape': newshape [None, -1]"
    },
}
"""Refused when read: operations with several outputs (the torch lowering gives a call one
output), and a reshape Keras itself cannot call."""

NOT_COMPILED: dict[str, str] = {}
"""Read, but refused by the torch lowering (none at present)."""

READ = [name for name in ALL if name not in REFUSED]
CONVERTED = [name for name in READ if name not in NOT_COMPILED]


def _expected(name: str) -> dict[str, Any]:
    return json.loads((OPS / f"{name}.expected.json").read_text())


def _arrays(name: str) -> tuple[list[np.ndarray], list[np.ndarray], list[str], list[str]]:
    """Inputs and Keras's outputs, with their names (a dict's outputs come in key order)."""
    data = np.load(OPS / f"{name}.expected.npz")
    xs = [data["x"]] if "x" in data else [data[f"x{i}"] for i in range(len(data["input_names"]))]
    ys = [data["y"]] if "y" in data else [data[f"y{i}"] for i in range(len(data["output_names"]))]
    return xs, ys, [str(n) for n in data["input_names"]], [str(n) for n in data["output_names"]]


def _worst(got: list[np.ndarray], want: list[np.ndarray]) -> float:
    assert len(got) == len(want)
    worst = 0.0
    for a, b in zip(got, want, strict=True):
        assert np.shape(a) == np.shape(b), (np.shape(a), np.shape(b))
        worst = max(worst, float(np.max(np.abs(np.asarray(a, "float64") - np.asarray(b, "float64")))))
    return worst


def _in_order(result: Any, output_names: list[str]) -> list[np.ndarray]:
    if isinstance(result, dict):
        return [np.asarray(result[key]) for key in output_names]
    return [np.asarray(r) for r in (result if isinstance(result, list | tuple) else [result])]


# -- reading ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", READ)
def test_inferred_shapes_and_counts_are_keras_own(name: str) -> None:
    loaded = nnspec.load(OPS / f"{name}.json")
    expected = _expected(name)
    shapes = {op["name"]: op["output_shape"] for op in expected["operations"]}
    for info in loaded.graph.layers:
        if info.inner is not None:
            continue  # a nested model's operations are its own graph's
        got = [list(shape) for shape in info.output_shapes]
        assert (got[0] if len(got) == 1 else got) == shapes[info.name], info.name
    assert loaded.graph.params.total == expected["total_params"]
    assert loaded.graph.params.trainable == expected["trainable_params"]


@pytest.mark.parametrize("name", READ)
def test_canonical_form_reads_back_the_same(name: str) -> None:
    spec = nnspec.load(OPS / f"{name}.json").spec
    assert nnspec.load(to_canonical(spec)).spec == spec


def test_every_operation_in_the_fixtures_is_read_or_refused_by_name() -> None:
    for name in ALL:
        for layer in json.loads((OPS / f"{name}.json").read_text())["config"]["layers"]:
            key = (layer.get("module"), layer["class_name"])
            if key[0] and key[0] != "keras.layers" and layer["class_name"] not in ("Functional", "InputLayer"):
                assert key in OPERATIONS or key[1] in UNSUPPORTED_OPERATIONS, key


def test_every_operation_is_a_keras_function() -> None:
    """The canonical class_name is the function a person calls: keras.ops.add, keras.activations.relu."""
    import keras

    for kind, cls in all_kinds().items():
        if issubclass(cls, OperationConfig):
            function: Any = keras
            for part in kind.split("."):
                function = getattr(function, part)
            assert callable(function), kind


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_unsupported_operations_are_refused_by_name(name: str) -> None:
    with pytest.raises(nnspec.SpecError) as caught:
        nnspec.load(OPS / f"{name}.json")
    found = {problem.path: problem.message for problem in caught.value.problems}
    assert found.keys() == REFUSED[name].keys()
    for path, named in REFUSED[name].items():
        assert named in found[path], found[path]


def test_an_unsupported_operation_gets_a_hint() -> None:
    with pytest.raises(nnspec.SpecError) as caught:
        nnspec.load(OPS / "k3_shapes.json")
    (problem,) = caught.value.problems
    assert problem.message == "keras.ops call 'Split' (module keras.src.ops.numpy) is not supported by nnspec"
    assert problem.hint == "it has several outputs; slice the parts with x[:, a:b] instead"


# -- converting the .keras file to torch ------------------------------------------------------


@pytest.mark.keras
@pytest.mark.torch
@pytest.mark.parametrize("name", CONVERTED)
def test_converted_module_reproduces_keras(name: str, tmp_path: Path) -> None:
    import torch

    from nnspec.compiler.convert import convert_to_torch

    result = convert_to_torch(OPS / f"{name}.keras", tmp_path, layout="keras")
    assert result.report is not None and result.report.passed, result.report
    loaded = nnspec.load(OPS / f"{name}.json")
    net = written_module(tmp_path, loaded)
    xs, ys, input_names, output_names = _arrays(name)
    inputs = dict(zip(input_names, xs, strict=True))
    order = [ref[0] for ref in _input_refs(loaded)]
    with torch.no_grad():
        result = net(*(torch.from_numpy(inputs[n]) for n in order))
    got = _in_order(result, output_names)
    assert _worst([g.numpy() if hasattr(g, "numpy") else g for g in got], ys) <= TOLERANCE


def _input_refs(loaded: Any) -> list[Any]:
    from nnspec.spec.model import flatten_refs

    return flatten_refs(loaded.spec.config.input_layers)


@pytest.mark.keras
@pytest.mark.keras
@pytest.mark.parametrize("name", ["k3_multi_output_ops", "k3_shapes"])
def test_keras_file_with_unsupported_operations_is_refused(name: str, tmp_path: Path) -> None:
    from nnspec.compiler.convert import convert_to_torch

    with pytest.raises(nnspec.SpecError) as caught:
        convert_to_torch(OPS / f"{name}.keras", tmp_path / "out")
    assert "'Split' (module keras.src.ops.numpy)" in str(caught.value)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


# -- writing Keras 3 JSON back ---------------------------------------------------------------


@pytest.mark.keras
@pytest.mark.filterwarnings("ignore:Skipping variable loading for optimizer:UserWarning")
@pytest.mark.parametrize("name", READ)
def test_keras_json_round_trip(name: str, keras) -> None:
    """nnspec's Keras 3 JSON, read by Keras with the original's weights, computes Keras's outputs."""
    loaded = nnspec.load(OPS / f"{name}.json")
    written = to_keras_json(loaded.spec, loaded.graph)
    model = keras.models.model_from_json(json.dumps(written))
    original = keras.saving.load_model(OPS / f"{name}.keras")
    for layer in original.layers:
        if layer.weights:
            model.get_layer(layer.name).set_weights(layer.get_weights())
    xs, ys, _, output_names = _arrays(name)
    result = model.predict(xs[0] if len(xs) == 1 else xs, verbose=0)
    assert _worst(_in_order(result, output_names), ys) <= TOLERANCE
    assert nnspec.load(written).spec == loaded.spec


def test_keras_json_writes_operations_as_keras_does() -> None:
    """Module, class, registered name, config and arguments (constants inline, in their
    places; slices, ellipsis and arrays in Keras's wrappers) as Keras 3.15 wrote them."""
    for name in READ:
        original = json.loads((OPS / f"{name}.json").read_text())
        loaded = nnspec.load(original)
        written = to_keras_json(loaded.spec, loaded.graph)
        mine = {layer["name"]: layer for layer in written["config"]["layers"]}
        for layer in original["config"]["layers"]:
            if (layer.get("module"), layer["class_name"]) not in OPERATIONS:
                continue
            ours = mine[layer["name"]]
            for key in ("module", "class_name", "registered_name"):
                assert ours[key] == layer[key], (name, layer["name"], key)
            assert ours["config"].keys() == layer["config"].keys(), (name, layer["name"])
            assert _plain(ours["inbound_nodes"]) == _plain(layer["inbound_nodes"]), (name, layer["name"])


def _plain(value: Any) -> Any:
    """Arguments without what Keras adds for itself (tensor shapes and dtypes), floats as
    float32, arrays as one kind (nnspec writes a tensor constant as a NumPy one: Keras
    computes the same with either)."""
    if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
        return ("tensor", *value["config"]["keras_history"])
    if isinstance(value, dict) and value.get("class_name") == "__tensor__":
        return _plain({**value, "class_name": "__numpy__"})
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return float(np.float32(value)) if isinstance(value, float) else value


# -- refusals of what a spec asks and nnspec cannot honour -------------------------------------


def _concise(kind: str, config: dict[str, Any], *shapes: tuple[int, ...]) -> dict[str, Any]:
    inputs = [f"x{i}" for i in range(len(shapes))]
    layers: list[dict[str, Any]] = [
        {"class_name": "InputLayer", "config": {"name": n, "batch_shape": [None, *s]}}
        for n, s in zip(inputs, shapes, strict=True)
    ]
    refs = [[n, 0, 0] for n in inputs]
    layers.append({"class_name": kind, "config": {"name": "op", **config}, "inbound_nodes": [{"inputs": refs}]})
    return {
        "class_name": "Functional",
        "config": {"name": "m", "layers": layers, "input_layers": refs, "output_layers": ["op", 0, 0]},
    }


def _keras3(class_name: str, module: str, args: list[Any], config: dict[str, Any] | None = None) -> dict[str, Any]:
    """A Keras 3 model: input `x` of shape (None, 3), then one operation node on `args`."""
    tensor = {
        "class_name": "__keras_tensor__",
        "config": {"shape": [None, 3], "dtype": "float32", "keras_history": ["x", 0, 0]},
    }
    return {
        "module": "keras.src.models.functional", "class_name": "Functional", "registered_name": None,
        "config": {
            "name": "m",
            "layers": [
                {"module": "keras.layers", "class_name": "InputLayer", "name": "x", "inbound_nodes": [],
                 "config": {"name": "x", "batch_shape": [None, 3]}, "registered_name": None},
                {"module": module, "class_name": class_name, "registered_name": class_name, "name": "op",
                 "config": {"name": "op", **(config or {})},
                 "inbound_nodes": [{"args": [tensor if a == "x" else a for a in args], "kwargs": {}}]},
            ],
            "input_layers": [["x", 0, 0]],
            "output_layers": [["op", 0, 0]],
        },
    }  # fmt: skip


FLOAT64 = {"class_name": "__numpy__", "config": {"value": [1.0, 2.0, 3.0], "dtype": "float64"}}
SEQUENTIAL_OP = {
    "class_name": "Sequential",
    "config": {
        "name": "s",
        "layers": [
            {"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [None, 3]}},
            {"class_name": "ops.relu", "config": {"name": "op"}},
        ],
    },
}

REFUSALS = {
    "reduction over the batch axis": (
        _concise("ops.mean", {"axis": [0, 1]}, (3,)),
        "config.layers[1].inbound_nodes[0]",
        "ops.mean layer 'op': ops.mean over the batch axis (axis 0) is not supported: nnspec keeps the batch axis",
    ),
    "reduction of every axis": (
        _concise("ops.sum", {}, (3,)),
        "config.layers[1].inbound_nodes[0]",
        "ops.sum layer 'op': ops.sum with axis None reduces every axis, the batch axis too",
    ),
    "operands of another arity": (
        _concise("ops.add", {"operands": [None, 1.0, 2.0]}, (3,)),
        "config.layers[1].config",
        "invalid value",
    ),
    "a constant where a tensor goes": (
        _concise("ops.add", {"operands": [None, 1.0]}, (3,), (3,)),
        "config.layers[2].inbound_nodes[0]",
        "ops.add layer 'op': ops.add has 1 tensor operand(s) but is called on 2 tensor(s)",
    ),
    "broadcast across the batch axis": (
        _concise("ops.add", {}, (3,), (4, 3)),
        "config.layers[2].inbound_nodes[0]",
        "ops.add layer 'op': ops.add broadcasts like NumPy, aligning the last axes",
    ),
    "bicubic resize": (
        _concise("ops.image.resize", {"size": [4, 4], "interpolation": "bicubic"}, (2, 2, 1)),
        "config.layers[1].config.interpolation",
        "only bilinear and nearest interpolation are supported",
    ),
    "squeeze of every axis of size 1": (
        _concise("ops.squeeze", {}, (1, 3)),
        "config.layers[1].inbound_nodes[0]",
        "ops.squeeze layer 'op': ops.squeeze with axis None also removes the batch axis",
    ),
    "index into the batch axis": (
        _concise("ops.get_item", {"key": [0]}, (3,)),
        "config.layers[1].inbound_nodes[0]",
        "ops.get_item layer 'op': ops.get_item key [0] indexes the batch axis",
    ),
    "a slice that is not one": (
        _concise("ops.get_item", {"key": [":", "1-3"]}, (3,)),
        "config.layers[1].config.key",
        "invalid value",
    ),
    "an operation in a Sequential model": (
        SEQUENTIAL_OP,
        "config.layers[1].class_name",
        "ops.relu is an operation, not a layer: a Sequential model holds layers only",
    ),
    "a float64 array constant": (
        _keras3("Multiply", "keras.src.ops.numpy", ["x", FLOAT64]),
        "config.layers[1]",
        "ops.multiply has a float64 array constant; nnspec computes float32",
    ),
    "take with tensor indices": (
        _keras3("Take", "keras.src.ops.numpy", ["x", "x"], {"axis": 1}),
        "config.layers[1]",
        "ops.take with indices given as a tensor is not supported",
    ),
    "an activation Keras calls as an operation": (
        _keras3("Mish", "keras.src.activations.activations", ["x"]),
        "config.layers[1].class_name",
        "keras.ops call 'Mish' (module keras.src.activations.activations) is not supported by nnspec",
    ),
}


@pytest.mark.parametrize(("spec", "path", "message"), REFUSALS.values(), ids=REFUSALS.keys())
def test_refused_with_path_and_reason(spec: dict[str, Any], path: str, message: str) -> None:
    with pytest.raises(nnspec.SpecError) as caught:
        nnspec.load(spec)
    (problem,) = caught.value.problems
    assert problem.path == path
    assert problem.message.startswith(message), problem.message


def _operation_rows() -> list[Any]:
    """The parity rows of the operations family (tests/kinds/rows/operations.py)."""
    import sys

    sys.path.insert(0, str(Path(__file__).parents[1] / "kinds"))
    from cases import CASES

    return [pytest.param(row, id=row.case_id) for row in CASES if row.case_id.startswith("ops:")]


@pytest.mark.keras
@pytest.mark.parametrize("row", _operation_rows())
def test_keras_json_of_every_operation_reads_back_in_keras(row: Any, keras) -> None:
    """Every kind, not only those in the fixtures: the written JSON is a Keras model that
    computes what the spec's generated Keras model computes."""
    from nnspec.compiler.parity.check import sample_inputs
    from nnspec.compiler.targets.keras_model import compile_keras

    loaded = nnspec.load(row.spec)
    built = compile_keras(loaded)
    model = keras.models.model_from_json(json.dumps(to_keras_json(loaded.spec, loaded.graph)))
    for layer in built.layers:
        if layer.weights:
            model.get_layer(layer.name).set_weights(layer.get_weights())
    inputs = sample_inputs(loaded.graph, seed=0)
    feed = inputs[0] if len(inputs) == 1 else inputs
    want = _in_order(built(feed), [])
    assert _worst(_in_order(model(feed), []), want) <= TOLERANCE


def test_an_operation_named_like_a_layer_builds() -> None:
    """Keras names `keras.ops.add(...)` 'add', 'add_1'... as it goes; next to a layer named
    'add' the generated code builds the operation from its class with the spec's name."""
    from parity_helpers import assert_parity

    spec = {
        "class_name": "Functional",
        "config": {
            "name": "m",
            "layers": [
                {"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [None, 4]}},
                {"class_name": "Add", "config": {"name": "add"}, "inbound_nodes": [{"inputs": [["x", 0, 0]] * 2}]},
                {
                    "class_name": "ops.add",
                    "config": {"name": "add_1", "operands": [None, 1.0]},
                    "inbound_nodes": [{"inputs": ["add", 0, 0]}],
                },
            ],
            "input_layers": ["x", 0, 0],
            "output_layers": ["add_1", 0, 0],
        },
    }
    model = nnspec.compile_keras(spec)
    assert [op.name for op in model.operations] == ["x", "add", "add_1"]
    assert_parity(spec)
