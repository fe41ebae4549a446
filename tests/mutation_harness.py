"""The mutation harness of issue 12 ("No input breaks nnspec"), shared by
tests/compiler/test_mutations.py (a few hundred mutations, hypothesis) and
benchmarks/bench_mutations.py (10,000, a seeded random.Random).

Every valid example and JSON fixture is mutated where a spec means something: a config
value becomes an edge value of its type or of another (0, -1, huge ints, NaN and inf,
empty and odd unicode strings, Python keywords and builtins, quotes), a field gets a
value of its own vocabulary (padding, strides, data_format, units, dtypes, ...), a layer
is deleted, duplicated or renamed everywhere it is named, an inbound reference is
rewired, a class_name becomes a neighbouring kind, an input shape changes. Each mutated
document then either raises a SpecError whose every problem has a path, or compiles:
both generated sources (and the training script, where there is one) pass `compile()`,
and the torch module is instantiated. Anything else is a bug in nnspec."""

from __future__ import annotations

import copy
import json
import math
import random
import types
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

import yaml

from nnspec.spec import SpecError, load_data

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_DIRS = ("keras3", "keras2", "keras3_ops", "keras2_h5", "keras2_conv_h5", "keras2_seq_h5")
"""The JSON beside each .h5/.keras fixture is the architecture inside it, as written."""

REFUSED_FIXTURES = frozenset(
    {
        "keras3_ops/k3_multi_output_ops.json",  # ops.moments
        "keras3_ops/k3_reshape_dynamic_batch.json",  # a null size in ops.reshape
        "keras3_ops/k3_shapes.json",  # ops.split
        "keras2_conv_h5/k2_separable_causal.json",
        "keras2_seq_h5/k2_bidirectional_backward_units.json",
        "keras2_seq_h5/k2_stateful_lstm.json",
    }
)
"""Fixtures nnspec refuses by design (each has its own test); they are not mutated."""

MAX_PARAMS = 1_000_000
MAX_ACTIVATIONS = 2**20
"""Limits a mutated spec is loaded with, so that what validates builds in milliseconds:
a larger one is refused at validation, with its path, like any other spec error."""

T = TypeVar("T")
Outcome = Literal["refused", "refused compiling", "built"]


class Chooser(Protocol):
    """Where a mutation's choices come from: hypothesis in the test, random in the benchmark."""

    def choice(self, options: Sequence[T], label: str) -> T: ...


class HypothesisChooser:
    def __init__(self, data: Any) -> None:
        self.data = data

    def choice(self, options: Sequence[T], label: str) -> T:
        from hypothesis import strategies as st

        return self.data.draw(st.sampled_from(options), label=label)


class RandomChooser:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def choice(self, options: Sequence[T], label: str) -> T:
        return self.rng.choice(options)


# -- the documents ------------------------------------------------------------------


def base_paths() -> dict[str, Path]:
    """Every example (not invalid_*) and JSON fixture, by a short name."""
    paths = {
        f"examples/{p.name}": p
        for p in sorted((ROOT / "examples").iterdir())
        if p.suffix in (".yaml", ".json") and not p.name.startswith("invalid_")
    }
    for folder in FIXTURE_DIRS:
        for p in sorted((ROOT / "tests" / "fixtures" / folder).glob("*.json")):
            if not p.name.endswith(".expected.json"):
                paths[f"{folder}/{p.name}"] = p
    return paths


def read(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text) if path.suffix == ".yaml" else json.loads(text)


def base_documents() -> dict[str, Any]:
    """The documents mutated: those nnspec accepts as they are."""
    return {name: read(path) for name, path in base_paths().items() if name not in REFUSED_FIXTURES}


# -- edge values --------------------------------------------------------------------

INTS: list[Any] = [0, -1, 1, 2, 3, 7, 2**31, 2**63, 10**100]
FLOATS: list[Any] = [0.0, -0.0, -1.0, 0.5, 1.5, 1e-45, 1e308, math.nan, math.inf, -math.inf]
NAMES: list[Any] = [
    "",
    " ",
    "x",
    "None",
    "True",
    "class",
    "def",
    "lambda",
    "import",
    "self",
    "super",
    "print",
    "list",
    "input",
    "torch",
    "nn",
    "F",
    "keras",
    "layers",
    "forward",
    "__init__",
    "__class__",
    "x'y",
    'x"y',
    "x\\y",
    "a\nb",
    "'''",
    '"""',
    "é",
    "名前",
    "\u200b",
    "😀",
    "a b",
    "1abc",
    "a/b",
    "a.b",
    "{{ x }}",
    "%s",
    "-",
    "Dense",
    "n" * 300,
]
OTHERS: list[Any] = [None, True, False, [], {}, [None], [1, 2], {"class_name": "Dense"}, "relu"]

FIELD_VALUES: dict[str, list[Any]] = {
    "data_format": ["channels_first", "channels_last", "channels_middle", None, ""],
    "padding": ["valid", "same", "causal", "full", "VALID", 1, [1, 1], ""],
    "strides": [0, 1, 2, 3, 100, -1, [1], [2, 2], [1, 2, 3], [0, 1], [2, 2, 2]],
    "kernel_size": [0, 1, 2, 3, 9, 100, -1, [3, 3], [1, 3], [3, 3, 3], []],
    "pool_size": [0, 1, 2, 3, 100, [2, 2], [3, 1], None],
    "dilation_rate": [0, 1, 2, [2, 2], [1, 2, 1]],
    "units": [0, 1, -1, 7, 2**31, 10**12, 1.5, "8", True],
    "filters": [0, 1, -1, 5, 2**31, 1.5, "8"],
    "activation": [
        "relu",
        "linear",
        "softmax",
        "hard_sigmoid",
        "gelu",
        "selu",
        "swish",
        "log_softmax",
        "exponential",
        "relu6",
        "mish",
        "Relu",
        "",
        None,
        {"class_name": "ReLU", "config": {}},
    ],
    "dtype": [
        "float32",
        "float16",
        "bfloat16",
        "float64",
        "int32",
        "int64",
        "uint8",
        "bool",
        "string",
        "mixed_float16",
        "",
        {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float16"}, "registered_name": None},
        {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "bogus"}, "registered_name": None},
    ],
    "axis": [-1, 0, 1, 2, 3, -5, 10, [1, 2], [], None],
    "rate": [0, 0.5, 1, 1.0, -0.1, 1.5, math.nan],
    "use_bias": [True, False],
    "return_sequences": [True, False],
    "return_state": [True, False],
    "go_backwards": [True, False],
    "mask_zero": [True, False],
    "keepdims": [True, False],
    "center": [True, False],
    "scale": [True, False, 0.5],
    "groups": [0, 1, 2, 3],
    "target_shape": [[-1], [2, -1], [0], [], [4], [-1, -1], [1, 1, 1, 1, 1]],
    "epsilon": [0, -1.0, math.nan, 1e-3],
    "momentum": [0, 1, math.nan, 0.99],
    "depth_multiplier": [0, 1, 2],
    "output_padding": [None, 0, 1, [1, 1], 5],
    "size": [0, 1, 2, [2, 2], [1, 3]],
    "cropping": [0, 1, 100, [1, 1], [[1, 0], [0, 1]]],
    "n": [0, 1, 3, -1],
    "dims": [[1], [2, 1], [1, 1], [0, 1], [3, 1, 2]],
    "num_heads": [0, 1, 3],
    "key_dim": [0, 1, 5],
    "input_dim": [0, 1, 3, 10],
    "output_dim": [0, 1, 3],
    "merge_mode": ["concat", "sum", "mul", "ave", None, "bogus"],
    "interpolation": ["nearest", "bilinear", "bicubic", "area", "lanczos3"],
    "negative_slope": [0, -1.0, math.nan],
    "max_value": [None, 0, 6.0, -1],
    "trainable": [True, False],
}

NEIGHBOURS: list[list[str]] = [
    ["Dense", "EinsumDense", "Embedding", "Activation", "Identity"],
    ["Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose"],
    ["DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D", "Conv2D"],
    ["MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D", "AveragePooling3D"],
    ["GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalAveragePooling1D", "GlobalAveragePooling3D", "Flatten"],
    ["LSTM", "GRU", "SimpleRNN", "Bidirectional", "TimeDistributed", "ConvLSTM2D"],
    ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot"],
    ["BatchNormalization", "LayerNormalization", "GroupNormalization", "Normalization", "UnitNormalization"],
    ["Dropout", "SpatialDropout1D", "SpatialDropout2D", "GaussianNoise", "GaussianDropout", "AlphaDropout"],
    ["ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax", "Activation", "ThresholdedReLU"],
    ["Flatten", "Reshape", "Permute", "RepeatVector", "Masking"],
    ["ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D", "Cropping1D", "Cropping2D", "UpSampling1D", "UpSampling2D"],
    ["MultiHeadAttention", "Attention", "AdditiveAttention"],
    ["Sequential", "Functional", "Model", "InputLayer"],
    ["Negative", "Absolute", "Exp", "Sqrt", "Square", "Tanh", "Relu", "Sigmoid", "Softmax", "Mean", "Sum", "Max"],
    ["Add", "Subtract", "Multiply", "TrueDivide", "Maximum", "Matmul", "Concatenate", "Power"],
    ["Lambda", "TFOpLambda", "SlicingOpLambda", "Custom>Thing", "", "dense", "DENSE"],
]
ALL_KINDS = sorted({kind for group in NEIGHBOURS for kind in group})

REFERENCE_KEYS = frozenset({"inbound_nodes", "inputs", "keras_history", "input_layers", "output_layers"})
SHAPE_KEYS = ("batch_shape", "batch_input_shape", "input_shape", "shape")
DIMS: list[Any] = [0, 1, -1, None, 2, 3, 64, 10**6, 2**40, 1.5, "8"]


# -- walking a document ----------------------------------------------------------------

Loc = tuple[Any, ...]


def walk(node: Any, loc: Loc = ()) -> Iterator[tuple[Loc, Any]]:
    yield loc, node
    if isinstance(node, dict):
        for key, value in list(node.items()):
            yield from walk(value, (*loc, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, (*loc, index))


def at(root: Any, loc: Loc) -> Any:
    for part in loc:
        root = root[part]
    return root


def layer_lists(doc: Any) -> list[Loc]:
    """Every list of layer entries: a model's `config.layers` (or a bare-list config), nested ones too."""
    found = []
    for loc, node in walk(doc):
        if isinstance(node, dict) and isinstance(node.get("config"), dict | list):
            config = node["config"]
            layers = config if isinstance(config, list) else config.get("layers")
            if isinstance(layers, list) and layers:
                found.append((*loc, "config") if isinstance(config, list) else (*loc, "config", "layers"))
    return found


def layer_entries(doc: Any) -> list[Loc]:
    return [(*lst, i) for lst in layer_lists(doc) for i, entry in enumerate(at(doc, lst)) if isinstance(entry, dict)]


def layer_name(entry: dict[str, Any]) -> str | None:
    config = entry.get("config")
    name = config.get("name") if isinstance(config, dict) else None
    return name if isinstance(name, str) else entry.get("name") if isinstance(entry.get("name"), str) else None


def references(doc: Any) -> list[Loc]:
    """Every place a layer is named as an input or output: strings under inbound_nodes,
    keras_history, inputs, input_layers, output_layers."""
    names = {layer_name(at(doc, loc)) for loc in layer_entries(doc)} - {None}
    return [
        loc
        for loc, node in walk(doc)
        if isinstance(node, str)
        and node in names
        and any(part in REFERENCE_KEYS for part in loc if isinstance(part, str))
    ]


def reference_indices(doc: Any) -> list[Loc]:
    """Node and tensor indices beside those names ([name, node, tensor])."""
    out = []
    for loc in references(doc):
        parent = at(doc, loc[:-1])
        if isinstance(parent, list) and isinstance(loc[-1], int):
            out += [(*loc[:-1], i) for i in range(loc[-1] + 1, min(len(parent), loc[-1] + 3))]
    return [loc for loc in out if isinstance(at(doc, loc), int) and not isinstance(at(doc, loc), bool)]


# -- mutations: each changes the document in place and says what it did, or returns None
#    where it has nowhere to apply ------------------------------------------------------

Mutation = Callable[[Any, Chooser], str | None]


def _config_leaves(doc: Any) -> list[Loc]:
    out = []
    for entry in layer_entries(doc):
        config = at(doc, entry).get("config")
        if isinstance(config, dict):
            out += [loc for loc, _ in walk(config, (*entry, "config")) if loc[-1] not in ("layers",)][1:]
    return out


def _replace(doc: Any, loc: Loc, pool: Sequence[Any], pick: Chooser, label: str) -> str:
    """The value at `loc` becomes one of `pool`: 'old -> new', for the note."""
    old = at(doc, loc)
    new = copy.deepcopy(pick.choice(pool, label))
    at(doc, loc[:-1])[loc[-1]] = new
    return f"{old!r:.40} -> {new!r:.40}"


def edge_value(doc: Any, pick: Chooser) -> str | None:
    """A config value becomes an edge value of its own type, or of another."""
    leaves = _config_leaves(doc)
    if not leaves:
        return None
    loc = pick.choice(leaves, "value at")
    old = at(doc, loc)
    if isinstance(old, bool):
        pool = [not old, 0, 1, None]
    elif isinstance(old, int):
        pool = INTS + FLOATS[:4] + OTHERS[:3]
    elif isinstance(old, float):
        pool = FLOATS + INTS[:4] + [None]
    elif isinstance(old, str):
        pool = NAMES + OTHERS
    else:
        pool = OTHERS + INTS[:3] + NAMES[:3]
    return f"value {_show(loc)}: {_replace(doc, loc, pool, pick, 'new value')}"


def call_constant(doc: Any, pick: Chooser) -> str | None:
    """A number written in a call (an operation's constant, `x + 2.0`) becomes an edge value."""
    indices = set(reference_indices(doc))
    spots = [
        loc
        for entry in layer_entries(doc)
        for loc, node in walk(at(doc, entry).get("inbound_nodes"), (*entry, "inbound_nodes"))
        if isinstance(node, int | float) and not isinstance(node, bool) and loc not in indices
    ]
    if not spots:
        return None
    loc = pick.choice(spots, "constant at")
    return f"constant {_show(loc)}: {_replace(doc, loc, INTS + FLOATS, pick, 'new constant')}"


def field_value(doc: Any, pick: Chooser, anywhere: bool = False) -> str | None:
    """A field of a layer's config takes a value of its vocabulary: one the layer has, or
    `anywhere`, any field of the vocabulary (most are absent, so added)."""
    entries = [loc for loc in layer_entries(doc) if isinstance(at(doc, loc).get("config"), dict)]
    if not entries:
        return None
    loc = pick.choice(entries, "layer")
    config = at(doc, loc)["config"]
    present = [] if anywhere else [key for key in config if key in FIELD_VALUES]
    key = pick.choice(present or sorted(FIELD_VALUES), "field")
    config[key] = new = copy.deepcopy(pick.choice(FIELD_VALUES[key], "field value"))
    return f"field {_show(loc)}.config.{key} = {new!r:.40}"


def any_field_value(doc: Any, pick: Chooser) -> str | None:
    return field_value(doc, pick, anywhere=True)


def _delete(doc: Any, spots: list[Loc], pick: Chooser, what: str) -> str | None:
    if not spots:
        return None
    loc = pick.choice(spots, what)
    del at(doc, loc[:-1])[loc[-1]]
    return f"{what} {_show(loc)}"


def delete_key(doc: Any, pick: Chooser) -> str | None:
    return _delete(doc, [loc for loc in _config_leaves(doc) if isinstance(loc[-1], str)], pick, "delete")


def delete_layer(doc: Any, pick: Chooser) -> str | None:
    return _delete(doc, layer_entries(doc), pick, "delete layer")


def duplicate_layer(doc: Any, pick: Chooser) -> str | None:
    """A layer copied next to itself or elsewhere: under its own name, or renamed (then a
    Sequential gets one more layer that can be valid)."""
    entries = layer_entries(doc)
    if not entries:
        return None
    loc = pick.choice(entries, "duplicate layer")
    layers = at(doc, loc[:-1])
    twin = copy.deepcopy(layers[loc[-1]])
    if pick.choice([True, False], "rename twin") and isinstance(twin.get("config"), dict):
        twin["config"]["name"] = f"{layer_name(twin)}_twin"
        if "name" in twin:
            twin["name"] = twin["config"]["name"]
    position = pick.choice(range(len(layers) + 1), "insert at")
    layers.insert(position, twin)
    return f"duplicate layer {_show(loc)} at {position}"


def move_layer(doc: Any, pick: Chooser) -> str | None:
    entries = layer_entries(doc)
    if len(entries) < 2:
        return None
    loc = pick.choice(entries, "move layer")
    layers = at(doc, loc[:-1])
    entry = layers.pop(loc[-1])
    position = pick.choice(range(len(layers) + 1), "to")
    layers.insert(position, entry)
    return f"move layer {_show(loc)} to {position}"


def rename_layer(doc: Any, pick: Chooser) -> str | None:
    """A layer takes an odd name (a keyword, a builtin, quotes, unicode, another layer's
    name), everywhere it is named or only in its own entry."""
    entries = [loc for loc in layer_entries(doc) if layer_name(at(doc, loc)) is not None]
    if not entries:
        return None
    loc = pick.choice(entries, "rename layer")
    entry = at(doc, loc)
    old = layer_name(entry)
    others = [layer_name(at(doc, e)) for e in entries if e != loc]
    new = pick.choice(NAMES + others[:5], "new name")
    everywhere = pick.choice([True, True, False], "everywhere")
    spots = [*references(doc), (*loc, "config", "name"), (*loc, "name")] if everywhere else [(*loc, "config", "name")]
    for spot in spots:
        try:
            if at(doc, spot) == old:
                at(doc, spot[:-1])[spot[-1]] = new
        except (KeyError, IndexError, TypeError):
            pass
    return f"rename {old!r} -> {new!r:.40} ({'everywhere' if everywhere else 'entry only'})"


def rename_model(doc: Any, pick: Chooser) -> str | None:
    models = [loc for loc, node in walk(doc) if isinstance(node, dict) and loc[-1:] == ("config",)]
    models = [loc for loc in models if isinstance(at(doc, loc).get("name"), str) and "layers" in at(doc, loc)]
    if not models:
        return None
    loc = pick.choice(models, "model")
    new = pick.choice(NAMES, "model name")
    at(doc, loc)["name"] = new
    return f"model name {_show(loc)} = {new!r:.40}"


def rewire(doc: Any, pick: Chooser) -> str | None:
    """An input or output reference names another layer (maybe a later one: a cycle) or a
    missing one; or a node/tensor index beside it changes."""
    refs = references(doc)
    indices = reference_indices(doc)
    if not refs:
        return None
    if indices and pick.choice([True, False, False], "index"):
        loc = pick.choice(indices, "index at")
        return f"rewire index {_show(loc)}: {_replace(doc, loc, [0, 1, 2, 5, -1, 2**40], pick, 'new index')}"
    loc = pick.choice(refs, "reference")
    names = sorted({layer_name(at(doc, e)) for e in layer_entries(doc)} - {None})
    return f"rewire {_show(loc)}: {_replace(doc, loc, [*names, 'missing', ''], pick, 'to')}"


def change_kind(doc: Any, pick: Chooser) -> str | None:
    entries = [loc for loc in layer_entries(doc) if isinstance(at(doc, loc).get("class_name"), str)]
    if not entries:
        return None
    loc = pick.choice(entries, "layer")
    entry = at(doc, loc)
    old = entry["class_name"]
    groups = [group for group in NEIGHBOURS if old in group]
    pool = [kind for group in groups for kind in group if kind != old] or ALL_KINDS
    if pick.choice([False, False, False, True], "any kind"):
        pool = ALL_KINDS
    new = pick.choice(pool, "kind")
    entry["class_name"] = new
    if isinstance(entry.get("registered_name"), str):
        entry["registered_name"] = new
    return f"class_name {_show(loc)}: {old} -> {new}"


def change_shape(doc: Any, pick: Chooser) -> str | None:
    """An input shape (batch_shape, batch_input_shape, input_shape, shape) gets a dimension
    changed, added or dropped."""
    shapes = [
        loc for loc, node in walk(doc) if loc and loc[-1] in SHAPE_KEYS and isinstance(node, list) and "config" in loc
    ]
    if not shapes:
        return None
    loc = pick.choice(shapes, "shape")
    shape = at(doc, loc)
    how = pick.choice(["set", "set", "add", "drop"], "how")
    if how == "set" and shape:
        i = pick.choice(range(len(shape)), "dim")
        shape[i] = pick.choice(DIMS, "size")
    elif how == "add":
        shape.insert(pick.choice(range(len(shape) + 1), "where"), pick.choice(DIMS, "size"))
    elif shape:
        del shape[pick.choice(range(len(shape)), "dim")]
    return f"shape {_show(loc)} {how}: {shape!r:.60}"


MUTATIONS: list[Mutation] = [
    edge_value,
    field_value,
    field_value,
    any_field_value,
    delete_key,
    delete_layer,
    duplicate_layer,
    move_layer,
    rename_layer,
    rename_layer,
    rename_model,
    rewire,
    rewire,
    call_constant,
    change_kind,
    change_kind,
    change_shape,
    change_shape,
]


def mutate(doc: Any, pick: Chooser, count: int) -> list[str]:
    """Apply `count` mutations to `doc` in place; what was done, in order."""
    done = []
    for _ in range(count):
        mutation = pick.choice(MUTATIONS, "mutation")
        what = mutation(doc, pick)
        if what is None:  # nowhere to apply: change a value instead, which always applies
            what = edge_value(doc, pick) or "(no change)"
        done.append(what)
    return done


def _show(loc: Loc) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")


# -- the property ------------------------------------------------------------------------


@dataclass
class Result:
    outcome: Outcome
    params: int = 0


def check(doc: Any) -> Result:
    """Load the document; on a SpecError, demand a path on every problem. Otherwise generate
    both targets' source (and the training script), compile them, and build the torch
    module. Raises AssertionError, or whatever nnspec raised, on a failure."""
    try:
        loaded = load_data(doc, "<mutated>", MAX_PARAMS, MAX_ACTIVATIONS)
    except SpecError as error:
        _well_formed(error)
        return Result("refused")
    from nnspec.compiler.compiled import Compiled
    from nnspec.compiler.names import identifier
    from nnspec.compiler.training.script import training_source

    try:
        compiled = Compiled.of(loaded)
        torch_text = compiled.torch_source.text
        keras_text = compiled.keras_source.text
    except SpecError as error:  # a config torch cannot reproduce, refused at its layer
        _well_formed(error)
        return Result("refused compiling")
    config = loaded.spec.compile_config
    train_text = None
    if config is not None and config.loss is not None:
        try:
            train_text = training_source(compiled, module=f"{identifier(loaded.graph.name, 'model')}_torch").text
        except SpecError as error:  # a model nnspec's loop cannot train: `generate` leaves the script out
            _well_formed(error)
    compile(keras_text, "<keras>", "exec")
    if train_text is not None:
        compile(train_text, "<train>", "exec")
    module = types.ModuleType("nnspec_mutated")  # not the content-keyed cache: 10,000 of them would pile up
    exec(compile(torch_text, "<torch>", "exec"), module.__dict__)
    net = getattr(module, compiled.torch_source.class_name)()
    count = sum(p.numel() for p in net.parameters())
    assert count <= MAX_PARAMS, count
    return Result("built", loaded.graph.params.total)


def _well_formed(error: SpecError) -> None:
    assert error.problems, "a SpecError with no problem"
    for problem in error.problems:
        assert problem.path and problem.path.strip(), f"a problem without a path: {problem}"
        assert problem.message, f"a problem without a message: {problem}"
    assert str(error)
