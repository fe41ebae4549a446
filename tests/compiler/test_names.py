"""Names from a spec never become code: hostile layer, model and output names give
source that parses, imports and calls nothing unexpected, has the same structure
as with plain names, builds in both frameworks, passes parity, and keeps every
Keras layer name exactly."""

from __future__ import annotations

import string
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from parity_helpers import assert_parity
from source_checks import assert_safe_source, skeleton, string_keywords

HOSTILE = [
    # quotes and escapes
    "'",
    '"',
    "'''",
    '"""',
    '\\"\\"\\"',
    "it's",
    'say "hi"',
    "'\"'\"'",
    "back\\slash",
    "trailing\\",
    "\\n",
    "\\x00",
    # line breaks and comments
    "line\nbreak",
    "\r\n",
    "tab\there",
    "# comment",
    "x  # trailing comment",
    "\u2028",
    "para\u2029graph",
    # code
    '"); import os; os.system("echo pwned',
    "'); import os; os.system('echo pwned",
    "__import__('os').system('echo pwned')",
    '"""; import os; """',
    "{x}",
    "{{ 7 * 7 }}",
    "{% for x in y %}",
    "%s%d",
    "${HOME}",
    "a) + (b",
    "]][[",
    # keywords, soft keywords, builtins, dunders
    "class",
    "def",
    "return",
    "None",
    "True",
    "self",
    "lambda",
    "import",
    "match",
    "_",
    "__init__",
    "__class__",
    "__name__",
    "super",
    "input",
    "sum",
    "print",
    "exec",
    "eval",
    "open",
    "type",
    # torch Module attributes and the files' own names
    "forward",
    "training",
    "parameters",
    "state_dict",
    "__call__",
    "_modules",
    "_parameters",
    "register_buffer",
    "reset_parameters",
    "regularization_loss",
    "apply_constraints",
    "torch",
    "nn",
    "F",
    "keras",
    "layers",
    "np",
    "x",
    "model",
    "outputs",
    "inputs",
    "norms",
    # case and punctuation
    "a-b",
    "a_b",
    "a.b",
    "A_B",
    "a b",
    "a__b",
    "a_b_2",
    "a,b",
    "1st",
    "123",
    "-",
    " ",
    "   padded   ",
    # unicode
    "한국어",
    "日本語",
    "🙂",
    "👨‍👩‍👧",
    "مرحبا بالعالم",
    "\u202eevil",
    "a\u200bb",
    "\u200b",
    "e\u0301",
    "ﬁ",
    "Ａ",
    "x" * 200,
]
assert len(HOSTILE) == len(set(HOSTILE))

MODEL_NAMES = ['"""', "class", "한국어 🙂", '"); import os; os.system("echo pwned', "forward", "line\nbreak\\"]

UNITS = 4


def _obj(class_name: str, **config: Any) -> dict[str, Any]:
    return {"class_name": class_name, "config": config}


def _layer(kind: str, name: str, inputs: Any, **config: Any) -> dict[str, Any]:
    return {"class_name": kind, "config": {"name": name, **config}, "inbound_nodes": [{"inputs": inputs}]}


def _sequential(name: str, input_name: str, dense_name: str, inputs: Any) -> dict[str, Any]:
    return {
        "class_name": "Sequential",
        "config": {
            "name": name,
            "layers": [
                {"class_name": "InputLayer", "config": {"name": input_name, "batch_shape": [None, UNITS]}},
                {"class_name": "Dense", "config": {"name": dense_name, "units": UNITS, "activation": "tanh"}},
            ],
        },
        "inbound_nodes": [{"inputs": inputs}],
    }


def _functional(name: str, names: list[str], inputs: Any) -> dict[str, Any]:
    first, second, third = names
    return {
        "class_name": "Functional",
        "config": {
            "name": name,
            "layers": [
                {"class_name": "InputLayer", "config": {"name": first, "batch_shape": [None, UNITS]}},
                _layer("Dense", second, [first, 0, 0], units=UNITS),
                _layer("Add", third, [[first, 0, 0], [second, 0, 0]]),
            ],
            "input_layers": [first, 0, 0],
            "output_layers": {third: [third, 0, 0]},
        },
        "inbound_nodes": [{"inputs": inputs}],
    }


def chain_spec(names: list[str], model_name: str, output_keys: tuple[str, str] = ("out", "middle")) -> dict[str, Any]:
    """A functional model whose layers carry `names`: an input, then a repeating
    run of kinds (Dense with a PReLU activation object, ReLU, BatchNormalization,
    LayerNormalization on a rank-3 view, Dropout, constrained and regularized Dense,
    Add), nested models named like layers, and a dict of named outputs."""
    names = list(names)
    layers: list[dict[str, Any]] = [
        {"class_name": "InputLayer", "config": {"name": names[0], "batch_shape": [None, UNITS]}}
    ]
    previous, before = names[0], names[0]
    rest = names[1:]
    i = 0
    while i < len(rest):
        name, step = rest[i], i % 9
        ref = [previous, 0, 0]
        if step == 0:
            prelu = {"class_name": "PReLU", "config": {"name": name}}
            layer = _layer("Dense", name, ref, units=UNITS, activation=prelu)
        elif step == 1:
            layer = _layer("ReLU", name, ref, max_value=1.5)
        elif step == 2:
            layer = _layer("BatchNormalization", name, ref)
        elif step == 3:
            layer = _layer("Reshape", name, ref, target_shape=[2, 2])
            layers.append(layer)
            previous, before, i = name, previous, i + 1
            if i >= len(rest):
                layers.append(_layer("Flatten", f"{name}_flat", [previous, 0, 0]))
                previous = f"{name}_flat"
                break
            name = rest[i]
            layers.append(_layer("LayerNormalization", name, [previous, 0, 0], axis=1))
            previous, i = name, i + 1
            if i >= len(rest):
                layers.append(_layer("Flatten", f"{name}_flat", [previous, 0, 0]))
                previous = f"{name}_flat"
                break
            name = rest[i]
            layer = _layer("Flatten", name, [previous, 0, 0])
        elif step == 6:
            layer = _layer("Dropout", name, ref, rate=0.5, noise_shape=[None, 1])
        elif step == 7:
            layer = _layer(
                "Dense",
                name,
                ref,
                units=UNITS,
                kernel_constraint="max_norm",
                bias_regularizer=_obj("L2", l2=0.1),
                activity_regularizer="l1",
            )
        else:
            layer = _layer("Add", name, [ref, [before, 0, 0]])
        layers.append(layer)
        previous, before, i = name, previous, i + 1
    middle = layers[len(layers) // 2]["config"]["name"]
    return {
        "class_name": "Functional",
        "config": {
            "name": model_name,
            "layers": layers,
            "input_layers": [names[0], 0, 0],
            "output_layers": {output_keys[0]: [previous, 0, 0], output_keys[1]: [middle, 0, 0]},
        },
    }


def nested_spec(model_name: str, names: list[str]) -> dict[str, Any]:
    """Nested models whose own names, inner layer names and output keys are hostile."""
    a, b, c, d, e, f, g, h = names[:8]
    return {
        "class_name": "Functional",
        "config": {
            "name": model_name,
            "layers": [
                {"class_name": "InputLayer", "config": {"name": a, "batch_shape": [None, UNITS]}},
                _sequential(b, c, d, [a, 0, 0]),
                _functional(e, [f, g, h], [b, 0, 0]),
            ],
            "input_layers": [a, 0, 0],
            "output_layers": [[e, 0, 0], [b, 0, 0]],
        },
    }


def plain(count: int) -> list[str]:
    return [f"layer_{i}" for i in range(count)]


def _layer_names(spec: dict[str, Any]) -> list[list[str]]:
    """Paths (outer model first) of every layer, nested ones included."""
    out = []
    for entry in spec["config"]["layers"]:
        out.append([entry["config"]["name"]])
        if entry["class_name"] in ("Sequential", "Functional"):
            out += [[entry["config"]["name"], *path] for path in _layer_names(entry)]
    return out


def _check_sources(spec: dict[str, Any], reference: dict[str, Any]) -> None:
    from nnspec.compiler.targets.keras_model import keras_source
    from nnspec.compiler.targets.torch_module import torch_source

    torch_text, keras_text = torch_source(spec).text, keras_source(spec).text
    assert_safe_source(torch_text, "torch")
    keras_tree = assert_safe_source(keras_text, "keras")
    assert skeleton(torch_text) == skeleton(torch_source(reference).text)
    assert skeleton(keras_text) == skeleton(keras_source(reference).text)
    # every layer and model name reaches Keras as a string literal, unchanged
    expected = sorted([spec["config"]["name"], *(path[-1] for path in _layer_names(spec))])
    expected += [e["config"]["activation"]["config"]["name"] for e in _dense_with_objects(spec)]
    assert sorted(string_keywords(keras_tree, "name")) == sorted(expected)


def _dense_with_objects(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in spec["config"]["layers"] if isinstance(e["config"].get("activation"), dict)]


def _check_keras_names(spec: dict[str, Any]) -> None:
    import nnspec

    model = nnspec.compile_keras(spec)
    assert model.name == spec["config"]["name"]
    _check_layers(model, spec)


def _check_layers(model: Any, spec: dict[str, Any]) -> None:
    for entry in spec["config"]["layers"]:
        name = entry["config"]["name"]
        if entry["class_name"] == "InputLayer" and spec["class_name"] == "Sequential":
            # a Keras Sequential keeps its input apart from its layers
            assert model.inputs[0].name == name
            continue
        layer = model.get_layer(name)
        assert layer.name == name
        if entry["class_name"] in ("Sequential", "Functional"):
            _check_layers(layer, entry)


# -- the fixed lists: sources, both builds, parity, Keras names ---------------------------


def test_plain_chain_is_valid() -> None:
    """The reference specs themselves build (guards the structure comparisons)."""
    import nnspec

    nnspec.load(chain_spec(plain(len(HOSTILE)), "plain"))
    nnspec.load(nested_spec("plain", plain(8)))


@pytest.mark.parametrize("model_name", MODEL_NAMES, ids=repr)
def test_hostile_sources_are_safe(model_name: str) -> None:
    spec = chain_spec(HOSTILE, model_name, output_keys=("'''\n", '"); import os'))
    _check_sources(spec, chain_spec(plain(len(HOSTILE)), "plain"))


@pytest.mark.keras
@pytest.mark.torch
@pytest.mark.parametrize("model_name", MODEL_NAMES[:3], ids=repr)
def test_hostile_names_build_and_pass_parity(model_name: str) -> None:
    spec = chain_spec(HOSTILE, model_name, output_keys=("'''\n", '"); import os'))
    assert_parity(spec)
    _check_keras_names(spec)


@pytest.mark.keras
@pytest.mark.torch
@pytest.mark.parametrize("offset", range(0, len(HOSTILE), 8))
def test_hostile_nested_models(offset: int) -> None:
    names = (HOSTILE[offset:] + HOSTILE[:offset])[:8]
    spec = nested_spec(MODEL_NAMES[(offset // 8) % len(MODEL_NAMES)], names)
    _check_sources(spec, nested_spec("plain", plain(8)))
    assert_parity(spec)
    _check_keras_names(spec)


@pytest.mark.torch
def test_colliding_identifiers_get_distinct_attributes() -> None:
    """Names that become the same identifier (a-b, a_b, a.b, ...) are distinct submodules."""
    import nnspec

    names = ["in", "a-b", "a_b", "a.b", "a b", "a__b", "a_b_2", "A_B", "a\u200bb"]
    module = nnspec.compile_torch(chain_spec(names, "collide"))
    children = dict(module.named_children())
    assert len(children) == len(set(children))
    linears = [m for m in children.values() if type(m).__name__ == "Linear"]
    assert len(linears) == 2


# -- arbitrary text: the torch source ---------------------------------------------------

# any text but '/', which Keras 3 refuses in names (test_slash_in_a_name_is_a_spec_error)
_text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="/"), min_size=1, max_size=24
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names=st.lists(_text, min_size=10, max_size=10, unique=True), model=_text, keys=st.tuples(_text, _text))
def test_arbitrary_names_give_safe_sources(names: list[str], model: str, keys: tuple[str, str]) -> None:
    """Any text: the torch source is safe, keeps its structure and runs; the Keras
    source is safe, keeps its structure and passes every name through unchanged
    (Keras itself is not built here: it is slow, and refuses '/')."""
    import torch

    import nnspec
    from nnspec.compiler.targets.keras_model import keras_source
    from nnspec.compiler.targets.torch_module import torch_source

    if keys[0] == keys[1]:
        keys = (keys[0], keys[1] + "_")
    spec = chain_spec(names, model, output_keys=keys)
    reference = chain_spec(plain(10), "plain")
    source = torch_source(spec)
    assert_safe_source(source.text, "torch")
    assert skeleton(source.text) == skeleton(torch_source(reference).text)
    keras_text = keras_source(spec).text
    tree = assert_safe_source(keras_text, "keras")
    assert skeleton(keras_text) == skeleton(keras_source(reference).text)
    assert set(string_keywords(tree, "name")) >= {model, *names}
    module = nnspec.compile_torch(spec).eval()
    out = module(torch.randn(2, UNITS))
    assert list(out) == list(keys)


@settings(max_examples=25, deadline=None)
@given(name=st.text(string.printable.replace("/", ""), min_size=1, max_size=60))
def test_arbitrary_printable_model_names(name: str) -> None:
    from nnspec.compiler.targets.keras_model import keras_source
    from nnspec.compiler.targets.torch_module import torch_source

    spec = chain_spec(plain(12), name)
    assert_safe_source(torch_source(spec).text, "torch")
    tree = assert_safe_source(keras_source(spec).text, "keras")
    assert name in string_keywords(tree, "name")


# -- known bugs, reported ---------------------------------------------------------------


def _input(name: str, *shape: int) -> dict[str, Any]:
    return {"class_name": "InputLayer", "config": {"name": name, "batch_shape": [None, *shape]}}


def _one_call_model(name: str, layers: list[dict[str, Any]], output: str) -> dict[str, Any]:
    first = layers[0]["config"]["name"]
    return {
        "class_name": "Functional",
        "config": {"name": name, "layers": layers, "input_layers": [first, 0, 0], "output_layers": [output, 0, 0]},
    }


@pytest.mark.parametrize("length", [1, 19, 20, 30, 56, 57, 120])
def test_activity_regularized_layer_with_a_long_name(length: int) -> None:
    """Regression: fit() once split the activity-loss line at the '(' of its comment
    ('# set by forward(): ...'), a SyntaxError for names of 20 to 56 characters."""
    from nnspec.compiler.targets.torch_module import torch_source

    name = "d" * length
    dense = _layer("Dense", name, ["x", 0, 0], units=2, activity_regularizer="l2")
    text = torch_source(_one_call_model("m", [_input("x", 3), dense], name)).text
    compile(text, "<generated torch>", "exec")


@pytest.mark.keras
def test_keras_local_named_like_a_nested_builder() -> None:
    import nnspec

    inner = _sequential("inner", "inner_in", "inner_dense", ["build_inner", 0, 0])
    nnspec.compile_keras(_one_call_model("outer", [_input("build_inner", UNITS), inner], "inner"))


@pytest.mark.keras
def test_keras_local_named_legacy_hard_sigmoid() -> None:
    import nnspec

    dense = _layer("Dense", "dense", ["legacy_hard_sigmoid", 0, 0], units=2, activation="legacy_hard_sigmoid")
    nnspec.compile_keras(_one_call_model("m", [_input("legacy_hard_sigmoid", 3), dense], "dense"))


@pytest.mark.torch
def test_torch_local_named_like_a_helper() -> None:
    import torch

    import nnspec

    regularizer = _obj("OrthogonalRegularizer", factor=0.1)
    dense = _layer("Dense", "orthogonal_penalty", ["x", 0, 0], units=4, activity_regularizer=regularizer)
    module = nnspec.compile_torch(_one_call_model("m", [_input("x", 3), dense], "orthogonal_penalty"))
    module(torch.randn(2, 3))


@pytest.mark.torch
@pytest.mark.parametrize(
    ("model_name", "layer"),
    [
        ("KerasPReLU", {"class_name": "PReLU", "config": {"name": "p"}}),
        ("KerasLayerNorm", {"class_name": "LayerNormalization", "config": {"name": "n", "axis": 1}}),
        (
            "NoiseShapeDropout",
            {"class_name": "Dropout", "config": {"name": "d", "rate": 0.5, "noise_shape": [None, 1, 4]}},
        ),
    ],
)
def test_model_named_like_a_helper_class(model_name: str, layer: dict[str, Any]) -> None:
    import nnspec

    spec = {"class_name": "Sequential", "config": {"name": model_name, "layers": [_input("x", 3, 4), layer]}}
    nnspec.compile_torch(spec)


@pytest.mark.parametrize("where", ["layer", "model", "input"])
def test_slash_in_a_name_is_a_spec_error(where: str) -> None:
    import nnspec

    dense = _layer(
        "Dense", "a/b" if where == "layer" else "dense", ["in/put" if where == "input" else "x", 0, 0], units=2
    )
    first = _input("in/put" if where == "input" else "x", 3)
    spec = _one_call_model("m/n" if where == "model" else "m", [first, dense], dense["config"]["name"])
    with pytest.raises(nnspec.SpecError) as caught:
        nnspec.load(spec)
    (problem,) = caught.value.problems
    assert problem.path.endswith("name")
    assert problem.message.startswith("a name cannot contain '/': Keras 3 refuses it")
