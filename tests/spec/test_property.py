"""Property tests: whatever a document holds, loading it either succeeds or raises SpecError.

Valid fixture specs are mutated at random (keys deleted or renamed, values replaced with
values of another type, layers duplicated, class names changed, lists swapped or cut), and
arbitrary JSON-like values are fed in directly. Any exception other than SpecError fails."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from nnspec.spec import Problem, SpecError, load_data
from nnspec.spec.summary import summarize

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

FIXTURE_FILES = [
    "keras3/iris.json",
    "keras3/iris_functional.json",
    "keras3/merges.json",
    "keras3/nested.json",
    "keras3/shared_layer.json",
    "keras3/multi_io_dict.json",
    "keras3/norms.json",
    "keras3/activations.json",
    "keras2/legacy_bare_list.json",
    "keras2/sequential_no_input.json",
    "keras2/multi_io_list.json",
    "keras2/initializers_regularizers.json",
    "keras2/mnist_bn.json",
]

IRIS_YAML = """\
class_name: Sequential
config:
  name: iris
  layers:
  - class_name: InputLayer
    config: {name: input_layer, batch_shape: [null, 4]}
  - class_name: Dense
    config: {name: dense, units: 50, activation: sigmoid}
  - class_name: Dense
    config: {name: dense_1, units: 3, activation: softmax}
"""


def _base_docs() -> dict[str, Any]:
    docs = {name: json.loads((FIXTURES / name).read_text(encoding="utf-8")) for name in FIXTURE_FILES}
    docs["iris.yaml"] = yaml.safe_load(IRIS_YAML)
    return docs


BASE_DOCS = _base_docs()
BASE_NAMES = sorted(BASE_DOCS)

# Replacement values: one of these, of a type other than the value it replaces.
ODD_VALUES: list[Any] = [
    None,
    True,
    False,
    -1,
    0,
    1,
    10**100,
    2**63,
    -(2**63) - 1,
    1e30,
    -0.5,
    float("nan"),
    float("inf"),
    "",
    "x",
    "None",
    [],
    {},
    [[[[0]]]],
    [None, "x", {}],
    {"class_name": "Dense"},
]

# Keys nnspec reads somewhere, so renames land on real fields as well as nonsense ones.
KNOWN_KEYS = [
    "class_name",
    "config",
    "name",
    "layers",
    "units",
    "activation",
    "use_bias",
    "batch_shape",
    "batch_input_shape",
    "input_shape",
    "shape",
    "inbound_nodes",
    "input_layers",
    "output_layers",
    "dtype",
    "trainable",
    "axis",
    "rate",
    "target_shape",
    "kernel_initializer",
    "kernel_regularizer",
    "module",
    "registered_name",
    "build_config",
    "compile_config",
    "args",
    "kwargs",
    "keras_history",
]

CLASS_NAMES = [
    "Sequential",
    "Functional",
    "Model",
    "InputLayer",
    "Dense",
    "Activation",
    "Add",
    "Concatenate",
    "Multiply",
    "Subtract",
    "Average",
    "Maximum",
    "Minimum",
    "BatchNormalization",
    "LayerNormalization",
    "Dropout",
    "Flatten",
    "Reshape",
    "ReLU",
    "LeakyReLU",
    "PReLU",
    "ELU",
    "Softmax",
    "Lambda",
    "TFOpLambda",
    "Conv2D",
    "GlorotUniform",
    "Zeros",
    "L2",
    "DTypePolicy",
    "Adam",
    "__keras_tensor__",
]

Loc = tuple[str | int, ...]


# -- document walking --------------------------------------------------------------


def _walk(node: Any, loc: Loc = ()) -> list[tuple[Loc, Any]]:
    """Every node of the tree with its location, the root first."""
    out = [(loc, node)]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _walk(value, (*loc, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += _walk(value, (*loc, index))
    return out


def _parent(root: Any, loc: Loc) -> Any:
    node = root
    for part in loc[:-1]:
        node = node[part]
    return node


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number" if isinstance(value, float) or abs(value) < 2**31 else "huge int"
    return type(value).__name__


# -- mutations ---------------------------------------------------------------------
# Each works in place on `holder`, a one-item list around the document, so the root
# itself can be replaced. Locations below are relative to holder: (0, *path).


def _targets(holder: list[Any]) -> dict[str, list[Loc]]:
    nodes = _walk(holder)[1:]  # not the holder itself
    dict_keys = [loc for loc, _ in nodes if isinstance(loc[-1], str)]
    list_items = [loc for loc, _ in nodes if isinstance(loc[-1], int) and len(loc) > 1]
    lists = [loc for loc, value in nodes if isinstance(value, list)]
    return {
        "delete_key": dict_keys,
        "replace_value": [loc for loc, _ in nodes],
        "rename_key": dict_keys,
        "duplicate_layer": [
            loc
            for loc in list_items
            if isinstance(value := _parent(holder, loc)[loc[-1]], dict) and "class_name" in value
        ],
        "change_class_name": [loc for loc in dict_keys if loc[-1] == "class_name"],
        "swap_items": [loc for loc in lists if len(_parent(holder, (*loc, 0))) >= 2],
        "truncate_list": [loc for loc in lists if len(_parent(holder, (*loc, 0))) >= 1],
    }


def _mutate(data: st.DataObject, holder: list[Any]) -> None:
    targets = {kind: locs for kind, locs in _targets(holder).items() if locs}
    kind = data.draw(st.sampled_from(sorted(targets)), label="mutation")
    # Pick a structural position first (list indices wildcarded), then one instance of it, so the
    # many repeated initializer/dtype blocks do not drown out rare places such as inbound_nodes.
    by_shape: dict[tuple[str | None, ...], list[Loc]] = {}
    for loc in targets[kind]:
        by_shape.setdefault(tuple(None if isinstance(part, int) else part for part in loc), []).append(loc)
    shape = data.draw(st.sampled_from(list(by_shape)), label="where")
    loc = data.draw(st.sampled_from(by_shape[shape]), label="at")
    parent = _parent(holder, loc)
    last = loc[-1]
    if kind == "delete_key":
        del parent[last]
    elif kind == "replace_value":
        current = _kind(parent[last])
        choices = [v for v in ODD_VALUES if _kind(v) != current]
        parent[last] = copy.deepcopy(data.draw(st.sampled_from(choices), label="new value"))
    elif kind == "rename_key":
        new = data.draw(st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=12)), label="new key")
        value = parent.pop(last)
        parent[new] = value  # may overwrite a sibling: that is a mutation too
    elif kind == "duplicate_layer":
        position = data.draw(st.integers(0, len(parent)), label="insert at")
        parent.insert(position, copy.deepcopy(parent[last]))
    elif kind == "change_class_name":
        parent[last] = data.draw(st.one_of(st.sampled_from(CLASS_NAMES), st.text(max_size=12)), label="class_name")
    elif kind == "swap_items":
        items = parent[last]
        i = data.draw(st.integers(0, len(items) - 1), label="swap i")
        j = data.draw(st.integers(0, len(items) - 1).filter(lambda k: k != i), label="swap j")
        items[i], items[j] = items[j], items[i]
    elif kind == "truncate_list":
        items = parent[last]
        del items[data.draw(st.integers(0, len(items) - 1), label="keep")]
    else:  # pragma: no cover
        raise AssertionError(kind)
    note(f"{kind} at {list(loc[1:])}")


def _check(doc: Any) -> None:
    """load_data either succeeds (and the result summarises) or raises a well-formed SpecError."""
    try:
        loaded = load_data(doc)
    except SpecError as error:
        assert error.problems, "a SpecError must carry at least one problem"
        assert all(isinstance(p, Problem) for p in error.problems)
        assert str(error)
        return
    summary = summarize(loaded.graph)
    assert summary.total_params == loaded.graph.params.total >= 0


# -- tests ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", BASE_NAMES)
def test_base_documents_are_valid(name: str) -> None:
    """The mutations start from valid specs."""
    assert load_data(copy.deepcopy(BASE_DOCS[name])).graph.params.total > 0


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_specs_load_or_raise_spec_error(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(BASE_NAMES), label="base")
    holder = [copy.deepcopy(BASE_DOCS[name])]
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        _mutate(data, holder)
    _check(holder[0])


JSON_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=12),
    st.sampled_from(CLASS_NAMES),
)
JSON_KEYS = st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=12))


def _containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.lists(children, max_size=5), st.dictionaries(JSON_KEYS, children, max_size=5))


JSON_VALUES = st.recursive(JSON_LEAVES, _containers, max_leaves=40)

# Half arbitrary values, half documents shaped like a model spec so they reach past the first check.
MODEL_LIKE = st.fixed_dictionaries(
    {"class_name": st.sampled_from(["Sequential", "Functional", "Model"]), "config": JSON_VALUES},
    optional={"module": JSON_VALUES, "build_config": JSON_VALUES, "compile_config": JSON_VALUES},
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=st.one_of(JSON_VALUES, MODEL_LIKE))
def test_arbitrary_json_raises_only_spec_error(doc: Any) -> None:
    _check(doc)
