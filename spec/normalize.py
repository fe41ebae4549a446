"""Dialects in, one canonical document out.

Keras 3 `to_json()`, Keras 2 / tf.keras JSON and the concise hand-written form are
all turned, here and only here, into the canonical dict that `ModelSpec` validates.
The walk is defensive: anything of an unexpected shape is passed through untouched,
so that validation reports it with its path. `origin` records where each layer of
the canonical document sits in the user's file, so errors point at what they wrote."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .activations import KERAS2_RENAMES
from .base import snake_case, tidy_float
from .dialect_marks import content_dialect
from .errors import PathPart, Problem, ProblemList, brief, did_you_mean
from .keras1 import (
    INPUT_FIELDS,
    KERAS1_HINT,
    KERAS1_LAYERS,
    KIND_RENAMES,
    keras1_config,
    keras1_content,
    keras1_leftovers,
)
from .keras1_merge import legacy_merge, merge_as_functional, merge_first
from .layers import OPERATION_PREFIXES
from .layers.base import LAYER_ALIASES, LAYER_KINDS, LAYER_VARIANTS

MODEL_CLASSES = {"Sequential": "Sequential", "Functional": "Functional", "Model": "Functional"}
WRAPPER_KEYS = ("module", "registered_name", "build_config", "shared_object_id")
"""Serialisation bookkeeping. `shared_object_id` marks an object Keras serialised twice
(an RNN's initializers are its cell's too); each copy is whole."""
WRAPPED_LAYER_KEYS = ("layer", "backward_layer")
"""Config fields holding a whole layer (Bidirectional's, TimeDistributed's)."""
CODE_LAYERS = {
    "Lambda": "a Lambda layer holds Python code (a marshalled function)",
    "TFOpLambda": "a TFOpLambda layer wraps a raw TensorFlow operation",
    "SlicingOpLambda": "a SlicingOpLambda layer wraps a raw TensorFlow slicing operation",
}

TF_OP_LAYERS = ("TFOpLambda", "SlicingOpLambda")
"""tf.keras 2's records of a TensorFlow function called on Keras tensors (spec/tf_operations.py)."""

TF_FUNCTIONS = {"log_softmax_v2": "log_softmax", "softmax_v2": "softmax", "exp": "exponential"}
"""tf.keras 2 wrote a TensorFlow function given as an activation by its __name__ (and before Keras 2.13,
activation="log_softmax" too: it resolved to tf.nn.log_softmax)."""

Loc = tuple[PathPart, ...]


@dataclass
class Normalized:
    data: Any
    dialect: str
    origin: dict[Loc, Loc] = field(default_factory=dict)
    """canonical location of a layer entry -> its location in the user's document"""
    problems: list[Problem] = field(default_factory=list)
    """what the normaliser itself refused (code layers, custom classes, ambiguity)"""
    problem_locs: list[Loc] = field(default_factory=list)
    """where each of `problems` is, in the user's document"""
    declared_shapes: list[tuple[Loc, Any, Any]] = field(default_factory=list)
    """(where, layer name, shape): output shapes a Keras 1 file declared, checked once computed"""

    def canonical_loc(self, loc: Loc) -> Loc | None:
        """Where a place in the user's document is in the canonical one (through the
        layer it lies in); None outside every layer."""
        for cut in range(len(loc), 0, -1):
            if loc[:cut] in self._from_user:
                return self._from_user[loc[:cut]] + loc[cut:]
        return None

    @cached_property
    def _from_user(self) -> dict[Loc, Loc]:
        # a Keras 2 first layer that carried the input shape made two layers; its own comes last and wins
        return {user: canonical for canonical, user in self.origin.items()}


def detect_dialect(doc: Any) -> str:
    """'keras1', 'keras2', 'keras3' or 'concise', from the marks each writer leaves."""
    if not isinstance(doc, dict):
        return "concise"
    version = str(doc.get("keras_version", ""))
    if version.startswith("1.") or (not version and keras1_content(doc)):  # or a Keras 1 config copied out
        return "keras1"
    if version.startswith("2.") or isinstance(doc.get("config"), list):
        return "keras2"
    if version.startswith("3.") or "module" in doc or "registered_name" in doc:
        return "keras3"
    return content_dialect(doc) or "concise"


def normalize(doc: Any) -> Normalized:
    dialect = detect_dialect(doc)
    walker = _Walker(dialect)
    if not isinstance(doc, dict):
        return Normalized(doc, dialect)
    data = walker.model(doc, (), top=True)
    problems, locs = walker.problems.items, walker.problem_locs
    return Normalized(data, dialect, walker.origin, problems, locs, walker.declared_shapes)


class _Walker:
    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self.machine_written = dialect != "concise"
        self.legacy = dialect in ("keras1", "keras2")
        """tf.keras 2's and Keras 1's spellings apply (Keras 1's renamed first)."""
        self.problems = ProblemList()
        self.problem_locs: list[Loc] = []
        self.origin: dict[Loc, Loc] = {}
        self.renamed: dict[Loc, dict[str, str]] = {}
        self.declared_shapes: list[tuple[Loc, Any, Any]] = []
        """a layer config's place in the user's document -> Keras 3 field: the Keras 1 field it was"""

    def refuse(self, loc: Loc, message: str, **details: str | None) -> None:
        self.problems.add(loc, message, **details)
        self.problem_locs.append(loc)

    # -- models ----------------------------------------------------------------

    def model(self, doc: dict[str, Any], loc: Loc, top: bool = False) -> dict[str, Any]:
        out = {k: v for k, v in doc.items() if k not in WRAPPER_KEYS}
        if top:
            out.pop("keras_version", None)
            out.pop("backend", None)
        if out.get("compile_config") == {} or (not top and not out.get("compile_config")):
            out.pop("compile_config", None)  # Keras writes {} for a model never compiled (nested ones too)
        kind = MODEL_CLASSES.get(_kind(doc), doc.get("class_name"))
        out["class_name"] = kind
        if isinstance(out.get("compile_config"), dict):
            out["compile_config"] = self.compile_config(out["compile_config"])
        config = doc.get("config")
        config_loc: Loc = (*loc, "config")
        if isinstance(config, list):  # Keras <= 2.2: a Sequential's config is its layer list
            name = doc.get("name", "sequential" if top else None)  # a nested one is named by its model
            config = {"layers": config} if name is None else {"name": name, "layers": config}
            layers_loc: Loc = config_loc
        else:
            layers_loc = (*config_loc, "layers")
        if not isinstance(config, dict):
            return out
        config = dict(config)
        if "dtype" in config:
            config["dtype"] = self.dtype(config["dtype"])
        functional = self.merge_sequential(config, layers_loc) if kind == "Sequential" and self.legacy else None
        if functional is not None:
            out["class_name"], out["config"] = "Functional", self.functional_of_merge(functional, loc, layers_loc)
        elif kind == "Sequential":
            out["config"] = self.sequential(config, loc, layers_loc)
        elif kind == "Functional":
            out["config"] = self.functional(config, loc, layers_loc)
        else:
            out["config"] = config
        return out

    def sequential(self, config: dict[str, Any], loc: Loc, layers_loc: Loc) -> dict[str, Any]:
        layers = config.get("layers")
        if not isinstance(layers, list):
            return config
        names = _NameBook(layers, config.get("name"))
        new_layers: list[Any] = []
        for index, layer in enumerate(layers):
            at: Loc = (*layers_loc, index)
            if not isinstance(layer, dict):
                self._place(new_layers, layer, loc, at)
                continue
            layer = self.layer(layer, at, names)
            self._refuse_operation_in_sequential(layer, at)
            written = layer.get("config")
            given = [key for key in INPUT_FIELDS if isinstance(written, dict) and key in written]
            shape, dtype = self._pop_input_shape(layer)
            if shape is not None and not new_layers:
                input_name = f"{layer['config'].get('name', 'layer')}_input"
                self._place(new_layers, _input_layer(names.fresh(input_name), shape, dtype), loc, at)
                made = (*loc, "config", "layers", 0, "config")  # its fields are the first layer's
                for new, old in (("batch_shape", given[0] if given else None), ("dtype", "input_dtype")):
                    if old in given:
                        self.origin[(*made, new)] = (*at, "config", old)
            self._place(new_layers, layer, loc, at)
        build_shape = config.pop("build_input_shape", None)
        inner = _nested_input(new_layers[0]) if new_layers and not isinstance(build_shape, list) else None
        if inner is not None:  # Keras <= 2.1: the shape sat on the first layer of a nested first model
            build_shape, dtype = inner
        else:
            dtype = None
        if new_layers and isinstance(build_shape, list) and not _is_input(new_layers[0]):
            self._place(new_layers, _input_layer(names.fresh("input_layer"), build_shape, dtype), loc, layers_loc)
            new_layers.insert(0, new_layers.pop())
            self._reindex(loc, new_layers)
        config["layers"] = new_layers
        return config

    def _place(self, layers: list[Any], layer: Any, model_loc: Loc, origin: Loc) -> None:
        at = (*model_loc, "config", "layers", len(layers))
        self.origin[at] = origin
        for inner in (("config",), *(("config", key, "config") for key in WRAPPED_LAYER_KEYS)):
            renamed = self.renamed.get((*origin, *inner), {})  # a Keras 1 field is reported as the user wrote it
            self.origin.update({(*at, *inner, new): (*origin, *inner, old) for new, old in renamed.items()})
        layers.append(layer)

    def _reindex(self, model_loc: Loc, layers: list[Any]) -> None:
        """An input layer was put first: shift the recorded origins by one."""
        prefix = (*model_loc, "config", "layers")
        olds = [self.origin.get((*prefix, i)) for i in range(len(layers))]
        olds = [olds[-1], *olds[:-1]]
        for i, old in enumerate(olds):
            if old is not None:
                self.origin[(*prefix, i)] = old

    def merge_sequential(self, config: dict[str, Any], layers_loc: Loc) -> tuple[dict[str, Any], list[Loc]] | None:
        """Keras 1's Sequential([Merge([left, right]), ...]) as the functional model it computes
        and where each of its layers is in the file; None for any other Sequential, or one
        refused (then read as a Sequential)."""
        if not merge_first(config.get("layers")):
            return None
        names = _NameBook(config["layers"], config.get("name"))
        made = merge_as_functional(config["layers"], config.get("name"), names.fresh, self._branch_input)
        if isinstance(made, str):
            self.refuse((*layers_loc, 0), f"a Keras 1 Sequential that starts with a Merge: {made}")
            return None
        functional, places = made
        return functional, [(*layers_loc, *place) for place in places]

    def functional_of_merge(self, made: tuple[dict[str, Any], list[Loc]], loc: Loc, layers_loc: Loc) -> dict[str, Any]:
        functional, at = made
        out = self.functional(functional, loc, layers_loc, at)
        for index, layer in enumerate(functional["layers"]):  # a branch's own layers: where the walk put them
            if layer.get("class_name") in MODEL_CLASSES:
                prefix, canonical = at[index], (*loc, "config", "layers", index)
                for key in [k for k in self.origin if len(k) > len(prefix) and k[: len(prefix)] == prefix]:
                    self.origin[(*canonical, *key[len(prefix) :])] = self.origin.pop(key)
        return out

    def _branch_input(self, branch: dict[str, Any]) -> tuple[list[Any] | None, Any]:
        """A Merge branch's input shape and dtype, from its first layer (Keras 1 wrote them there)."""
        config = branch.get("config")
        layers = config.get("layers") if isinstance(config, dict) else config
        first = layers[0] if isinstance(layers, list) and layers else None
        if not isinstance(first, dict) or not isinstance(first.get("config"), dict):
            return None, None
        kind = LAYER_ALIASES.get(first.get("class_name"), first.get("class_name"))
        return self._pop_input_shape({"class_name": kind, "config": dict(first["config"])})

    def functional(
        self, config: dict[str, Any], loc: Loc, layers_loc: Loc, places: list[Loc] | None = None
    ) -> dict[str, Any]:
        """`places`: where each layer is in the user's document, where not at `layers_loc`."""
        layers = config.get("layers")
        if not isinstance(layers, list):
            return config
        if self.legacy:
            config = _without_slashes(config)
            layers = config["layers"]
        names = _NameBook(layers, config.get("name"))
        calls = _call_counts(layers)
        skips = _skipping_first_node(layers) if self.legacy else set()
        new_layers = []
        for index, layer in enumerate(layers):
            at: Loc = places[index] if places else (*layers_loc, index)
            if isinstance(layer, dict) and self.legacy and layer.get("class_name") in TF_OP_LAYERS:
                layer = self.tf_operation(layer, at, skips)
            if isinstance(layer, dict):
                layer = self.layer(layer, at, names, functional=True)
                self._pop_input_shape(layer)
                if "inbound_nodes" in layer:
                    nodes = layer["inbound_nodes"]
                    layer["inbound_nodes"] = self.inbound_nodes(nodes, calls, skips, (*at, "inbound_nodes"))
                    one = _takes_one_tensor(layer.get("class_name"))  # Keras 1's [[ref]], a concise [ref]: the tensor
                    if one and isinstance(layer["inbound_nodes"], list):
                        layer["inbound_nodes"] = [_one_tensor(node) for node in layer["inbound_nodes"]]
            self._place(new_layers, layer, loc, at)
        config["layers"] = new_layers
        if self.dialect == "keras3":  # Keras 3 numbers only a model's endpoints into a Functional from 1
            skips = {
                n
                for layer in layers
                if isinstance(layer, dict) and _kind(layer) == "Functional" and (n := _entry_name(layer))
            }
        for key in ("input_layers", "output_layers"):
            if key in config:
                config[key] = self.endpoints(config[key], calls, skips, (*loc, "config", key))
        return config

    # -- layers ----------------------------------------------------------------

    def layer(self, doc: dict[str, Any], loc: Loc, names: _NameBook, functional: bool = False) -> dict[str, Any]:
        kind = _kind(doc)
        if self.legacy and "shared_object_id" in doc:
            # tf.keras marks a layer serialised twice (a nested model also used on its own); each copy is whole
            doc = {k: v for k, v in doc.items() if k != "shared_object_id"}
        if _is_operation(doc):
            return self.operation(doc, kind, loc, names)
        self._refuse_code(doc, kind, loc)
        if kind in MODEL_CLASSES:
            nested = self.model(doc, loc)
            nested.pop("name", None)
            if isinstance(nested.get("config"), dict):
                nested["config"].setdefault("name", names.fresh(snake_case(MODEL_CLASSES[kind])))
            if functional and "inputs" in nested:
                nested["inbound_nodes"] = [_concise_call(nested.pop("inputs"))]
            return nested
        out = {k: v for k, v in doc.items() if k not in WRAPPER_KEYS}
        if kind == "Merge" and self.legacy and isinstance(out.get("config"), dict):
            kind = self.merge(out, loc)
        if self.dialect == "keras1" and kind in KIND_RENAMES:
            kind = out["class_name"] = KIND_RENAMES[kind]
        if self.dialect == "keras1" and kind in KERAS1_LAYERS:
            self.refuse((*loc, "class_name"), KERAS1_LAYERS[kind], received=repr(kind), hint=KERAS1_HINT)
        if kind in LAYER_ALIASES:  # Keras 2's Convolution2D, MaxPool2D...: the kind they name
            kind = out["class_name"] = LAYER_ALIASES[kind]
        entry_name = out.pop("name", None)
        if functional and "inputs" in out:  # concise: `inputs: dense` means one call
            out["inbound_nodes"] = [_concise_call(out.pop("inputs"))]
        config = out.get("config", {})
        if not isinstance(config, dict):
            return out
        config = dict(config)
        if kind in LAYER_VARIANTS:  # tf.keras 1.x's CuDNNLSTM: an LSTM with fixed activations
            kind = out["class_name"] = self.variant(kind, config, loc)
        config = self.layer_config(kind, config, (*loc, "config"))
        if "name" not in config:
            config["name"] = entry_name if isinstance(entry_name, str) else names.fresh(snake_case(str(kind)))
        elif isinstance(entry_name, str) and entry_name != config["name"]:
            self.refuse(
                (*loc, "name"),
                "the layer's name differs from its config's name",
                received=repr(entry_name),
                expected=repr(config["name"]),
            )
        out["config"] = config
        return out

    def tf_operation(self, doc: dict[str, Any], loc: Loc, skips: set[str]) -> dict[str, Any]:
        """tf.keras 2's TFOpLambda as the Keras 3 operation it computes, where it is one
        nnspec reads; refused with the reason otherwise (then left as it is)."""
        from .tf_operations import TFOpRefused, keras3_operation

        try:
            return keras3_operation(doc, lambda ref: _keras2_ref(ref, skips))
        except TFOpRefused as exc:
            config = doc.get("config")
            self.refuse(
                (*loc, "config", "function"),
                f"a TFOpLambda layer (a TensorFlow function called in a tf.keras model): {exc}",
                received=repr(config.get("function") if isinstance(config, dict) else None),
                hint="nnspec reads arithmetic (x + y, x * 0.5), activations, reductions, concat, reshape, "
                "transpose, expand_dims and softmax; rewrite the rest with Keras layers",
            )
            return {**doc, "refused": True}

    def _refuse_code(self, doc: dict[str, Any], kind: Any, loc: Loc) -> None:
        if doc.get("refused") is True:
            return  # said, with the reason, where it was read
        if kind in CODE_LAYERS:
            self.refuse(
                (*loc, "class_name"),
                f"{CODE_LAYERS[kind]}; nnspec never runs code from a spec",
                received=repr(kind),
                hint="rewrite it with built-in layers (Activation, Reshape, merge layers, ...)",
            )
            return  # said once: tf.keras 2.13+ also gives it a module of its own
        registered = doc.get("registered_name")
        module = doc.get("module")
        custom = (isinstance(registered, str) and registered not in (kind, None) and ">" in registered) or (
            isinstance(module, str) and module and not module.startswith("keras")
        )
        if custom and kind not in MODEL_CLASSES and not _keras_own(kind, module):
            self.refuse(
                (*loc, "class_name"),
                f"custom class {registered or kind!r}{f' from module {module!r}' if module else ''} is not a "
                "built-in Keras layer; "
                "nnspec cannot know what it computes and never imports or runs code from a spec",
                received=repr(kind),
                hint="replace it with built-in layers",
            )

    # -- operation nodes (Keras 3: `x + y`, `ops.mean(x, axis=1)` in a functional model) --

    def operation(self, doc: dict[str, Any], kind: Any, loc: Loc, names: _NameBook) -> dict[str, Any]:
        from .operation_nodes import read_operation  # only specs with operation nodes need it

        return read_operation(self, doc, kind, loc, names.fresh)

    def _refuse_operation_in_sequential(self, layer: dict[str, Any], loc: Loc) -> None:
        kind = _kind(layer)
        if _is_operation(layer) or (kind is not None and kind.startswith(OPERATION_PREFIXES)):
            self.refuse(
                (*loc, "class_name"),
                f"{kind} is an operation, not a layer: a Sequential model holds layers only",
                received=repr(kind),
                hint="call it in a functional model, or use a layer (Activation, Reshape, ...)",
            )

    def merge(self, out: dict[str, Any], loc: Loc) -> Any:
        """Keras 1's Merge layer (also in early Keras 2 files) as the merge layer of its mode."""
        kind, config, refused = legacy_merge(out["config"])
        for key, value, reason in refused:
            self.refuse((*loc, "config", key), reason, received=repr(value))
        for old, new in (("concat_axis", "axis"), ("dot_axes", "axes")):
            if old in out["config"]:
                self._renames((*loc, "config"))[new] = old
        if kind is not None:
            out["class_name"], out["config"] = kind, config
        return kind or "Merge"

    def _renames(self, config_loc: Loc | None) -> dict[str, str]:
        """Where to record, for the layer config at `config_loc`, each field read under another name."""
        return self.renamed.setdefault(config_loc, {}) if config_loc is not None else {}

    def variant(self, kind: str, config: dict[str, Any], loc: Loc) -> str:
        """The kind a variant names, its fixed fields set; a field given otherwise is refused."""
        base, fixed = LAYER_VARIANTS[kind]
        for key, value in fixed.items():
            if config.setdefault(key, value) != value:
                self.refuse(
                    (*loc, "config", key),
                    f"{kind} always computes with {key}={value!r}",
                    received=repr(config[key]),
                    hint=f"write a {base} layer to choose {key}",
                )
        return base

    def layer_config(self, kind: Any, config: dict[str, Any], loc: Loc | None = None) -> dict[str, Any]:
        if self.dialect == "keras1":
            if kind == "Conv2DTranspose" and config.get("output_shape") is not None:  # Keras 1's Deconvolution2D
                self.declared_shapes.append(
                    ((*(loc or ()), "output_shape"), config.get("name"), config["output_shape"])
                )
            self._keras1_refusals(keras1_config(kind, config, self._renames(loc)), loc)
        for key, value in list(config.items()):
            if key == "dtype":
                config[key] = self.dtype(value)
            elif key in ("activation", "recurrent_activation"):
                config[key] = self.activation(value)
            elif key in WRAPPED_LAYER_KEYS:
                config[key] = self.wrapped_layer(value, (*(loc or ()), key))
            elif key.endswith(("_initializer", "_regularizer", "_constraint")):
                config[key] = self.keras_object(value)
            elif self.machine_written and isinstance(value, float):
                config[key] = tidy_float(value)
        if kind == "InputLayer" and "batch_input_shape" in config:
            self._renames(loc)["batch_shape"] = "batch_input_shape"
            config["batch_shape"] = config.pop("batch_input_shape")
        if self.legacy:
            _keras2_config(kind, config)
        if self.dialect == "keras1":
            self._keras1_refusals(keras1_leftovers(kind, config), loc)
        return config

    def _keras1_refusals(self, refused: list[tuple[str, Any, str]], loc: Loc | None) -> None:
        for name, value, reason in refused:
            self.refuse(
                (*(loc or ()), name),
                f"a Keras 1 field that nnspec cannot map: {reason}",
                received=brief(value),
                hint=KERAS1_HINT,
            )

    def _pop_input_shape(self, layer: dict[str, Any]) -> tuple[list[Any] | None, Any]:
        """Keras 2 put the input shape on a model's first layer (Keras 1 its dtype too);
        hand-written specs may too. Returns the shape and the dtype, if given."""
        config = layer.get("config")
        if not isinstance(config, dict) or layer.get("class_name") == "InputLayer":
            return None, None
        dtype = config.pop("input_dtype", None) if self.dialect == "keras1" else None
        shape = config.pop("batch_input_shape", None)
        given = config.pop("input_shape", None)
        owns = _owns_input_dim(layer.get("class_name"))
        dim = None if owns else config.pop("input_dim", None)
        sequence = not owns and "input_length" in config  # Keras 1's recurrent layers: (input_length, input_dim)
        length = config.pop("input_length", None) if sequence else None
        config.pop("batch_size", None)
        if shape is None and isinstance(given, list | tuple):
            shape = [None, *given]
        if shape is None and isinstance(dim, int):
            shape = [None, length, dim] if sequence else [None, dim]
        return (shape if isinstance(shape, list | tuple) else None), dtype

    # -- values ----------------------------------------------------------------

    def dtype(self, value: Any) -> Any:
        """DTypePolicy / Policy objects become their name."""
        if isinstance(value, dict) and isinstance(value.get("config"), dict):
            return value["config"].get("name", value)
        return value

    def wrapped_layer(self, value: Any, loc: Loc) -> Any:
        """A layer inside a wrapper (Bidirectional's `layer`): normalised as a layer is."""
        if isinstance(value, dict) and isinstance(value.get("config"), dict):
            out = {k: v for k, v in value.items() if k not in WRAPPER_KEYS}
            kind, config = value.get("class_name"), dict(value["config"])
            if isinstance(kind, str) and kind in LAYER_VARIANTS:
                kind = out["class_name"] = self.variant(kind, config, loc)
            if self.dialect == "keras1":  # the wrapper builds it on its own input: Keras 1 ignored these
                kind = out["class_name"] = LAYER_ALIASES.get(kind, kind) if isinstance(kind, str) else kind
                config = {k: v for k, v in config.items() if k not in INPUT_FIELDS}
            out["config"] = self.layer_config(kind, config, (*loc, "config"))
            return out
        return value

    def activation(self, value: Any) -> Any:
        if isinstance(value, str) and self.legacy:
            return KERAS2_RENAMES.get(value, TF_FUNCTIONS.get(value, value))
        if isinstance(value, dict) and value.get("class_name") == "function":
            return self.activation(value.get("config"))
        if isinstance(value, dict) and isinstance(value.get("config"), dict):
            out = {k: v for k, v in value.items() if k not in WRAPPER_KEYS}
            out["config"] = self.layer_config(value.get("class_name"), dict(value["config"]))
            return out
        return value

    def keras_object(self, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        out = {k: v for k, v in value.items() if k not in WRAPPER_KEYS}
        config = out.get("config")
        if isinstance(config, dict):
            config = {
                k: (tidy_float(v) if self.machine_written and isinstance(v, float) else v) for k, v in config.items()
            }
            if self.legacy:
                config.pop("dtype", None)  # tf.keras 2 initializers carried a dtype
                if config.get("distribution") == "normal":
                    config["distribution"] = "truncated_normal"
            out["config"] = config
        return out

    def compile_config(self, config: dict[str, Any]) -> dict[str, Any]:
        if self.legacy and "optimizer_config" in config:
            config = _keras2_training_config(config)
        out = dict(config)
        optimizer = out.get("optimizer")
        if isinstance(optimizer, dict):
            optimizer = self.keras_object(optimizer)
            inner = optimizer.get("config")
            if isinstance(inner, dict):
                inner = dict(inner)
                if isinstance(inner.get("learning_rate"), dict):
                    inner["learning_rate"] = self.keras_object(inner["learning_rate"])
                if "lr" in inner and "learning_rate" not in inner:
                    inner["learning_rate"] = inner.pop("lr")
                inner.pop("is_legacy_optimizer", None)
                inner.pop("jit_compile", None)  # an XLA switch tf.keras wrote into optimizers
                if inner.get("decay") in (0, 0.0):
                    inner.pop("decay")
                optimizer["config"] = inner
            out["optimizer"] = optimizer
        for key in ("loss", "metrics", "weighted_metrics"):
            out[key] = _strip_wrappers(out.get(key))
        return {k: v for k, v in out.items() if k in config}

    # -- graph references ------------------------------------------------------

    def inbound_nodes(self, nodes: Any, calls: dict[str, int], skips: set[str], loc: Loc) -> Any:
        if not isinstance(nodes, list):
            return nodes
        return [self.call(node, calls, skips, (*loc, i)) for i, node in enumerate(nodes)]

    def call(self, node: Any, calls: dict[str, int], skips: set[str], loc: Loc) -> Any:
        if isinstance(node, dict) and "args" in node:  # Keras 3
            args = node.get("args")
            given = node.get("kwargs")
            if given is not None and not isinstance(given, dict):
                self.refuse(
                    (*loc, "kwargs"),
                    "a call's kwargs must be a mapping of keyword arguments",
                    received=brief(given),
                    expected="an object, {} for none",
                )
                given = None
            kwargs = dict(given or {})
            for key in KEYWORD_TENSORS:  # a mask or an attention mask given to the call: a tensor of the graph
                if _is_keras_tensor(kwargs.get(key)):
                    kwargs[key] = self.tensors(kwargs[key], calls, loc)
            if isinstance(args, list):  # tensors given by keyword (mha(query, value=v)) join the arguments
                args = [
                    *args,
                    *_tensor_keywords(
                        kwargs, lambda v: isinstance(v, dict) and v.get("class_name") == "__keras_tensor__"
                    ),
                ]
            if isinstance(args, list) and len(args) == 1:
                return {"inputs": self.tensors(args[0], calls, loc), "kwargs": kwargs}
            return {"inputs": self.tensors(args, calls, loc), "kwargs": kwargs}
        if self.legacy and isinstance(node, list) and _is_keras2_ref(node):  # tf.keras's TFOpLambda: one bare ref
            return self.call([node], calls, skips, loc)
        if isinstance(node, list) and node and all(_is_keras2_ref(r) for r in node):  # Keras 2
            refs = [_keras2_ref(r, skips) for r in node]
            kwargs = dict(node[0][3]) if len(node[0]) > 3 and isinstance(node[0][3], dict) else {}
            refs += [_keras2_ref(r, skips) for r in _tensor_keywords(kwargs, _is_ref)]
            for key in KEYWORD_TENSORS:  # tf.keras wrote a tensor in kwargs as [layer, node, tensor]
                if isinstance(kwargs.get(key), list) and _is_ref(kwargs[key]):
                    kwargs[key] = _keras2_ref(kwargs[key], skips)
            return {"inputs": refs[0] if len(refs) == 1 else refs, "kwargs": kwargs}
        if isinstance(node, dict) and "inputs" in node:
            return {**node, "inputs": self.tensors(node["inputs"], calls, loc)}
        return {"inputs": self.tensors(node, calls, loc)}

    def tensors(self, value: Any, calls: dict[str, int], loc: Loc) -> Any:
        """A structure of tensor references in any dialect -> [layer, node, tensor] leaves."""
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            config = value.get("config")
            history = config.get("keras_history") if isinstance(config, dict) else None
            return list(history) if isinstance(history, list) else value
        if isinstance(value, str):
            return self.concise_ref(value, calls, loc)
        if isinstance(value, list) and _is_ref(value):
            return list(value[:3])
        if isinstance(value, list):
            return [self.tensors(v, calls, (*loc, i)) for i, v in enumerate(value)]
        if isinstance(value, dict) and "class_name" not in value:
            return {k: self.tensors(v, calls, (*loc, k)) for k, v in value.items()}
        return value

    def concise_ref(self, name: str, calls: dict[str, int], loc: Loc) -> list[Any]:
        if calls.get(name, 1) > 1:
            self.refuse(
                loc,
                f"ambiguous reference: layer {name!r} is called {calls[name]} times",
                received=repr(name),
                hint=f"say which call, e.g. [{name!r}, 1, 0] for its second one",
            )
        return [name, 0, 0]

    def endpoints(self, value: Any, calls: dict[str, int], skips: set[str], loc: Loc) -> Any:
        value = self.tensors(value, calls, loc)
        if _nested_structure(value):
            self.refuse(
                loc,
                "a nested structure of tensors (a list or dict inside a list or dict) is not supported",
                received=brief(value),
                hint="a model takes and returns one tensor, a list of tensors or a dict of named tensors",
            )
            return value
        if self.dialect == "keras3":  # functional.py's get_tensor: "Functional models start out with a built-in node"
            return self._refs(value, skips)
        if not self.legacy:
            return value
        if isinstance(value, list) and value and all(isinstance(v, list) and _is_ref(v) for v in value):
            value = [_keras2_ref(v, skips) for v in value]
            if len(value) == 1:
                return value[0]  # tf.keras lists even a single input; the model takes one tensor
        elif isinstance(value, dict):
            value = self._refs(value, skips)
        return value

    @staticmethod
    def _refs(value: Any, skips: set[str]) -> Any:
        """Each [layer, node, tensor] in a structure of them, renumbered past a skipped first node."""
        if isinstance(value, list) and _is_ref(value):
            return _keras2_ref(value, skips)
        if isinstance(value, list):
            return [_Walker._refs(v, skips) for v in value]
        if isinstance(value, dict):
            return {k: _Walker._refs(v, skips) for k, v in value.items()}
        return value


def _nested_structure(value: Any) -> bool:
    """Model inputs or outputs deeper than one list or dict of tensor references."""
    items = (
        value if isinstance(value, list) and not _is_ref(value) else value.values() if isinstance(value, dict) else []
    )
    return any(isinstance(item, list | dict) and not (isinstance(item, list) and _is_ref(item)) for item in items)


def _keras_own(kind: Any, module: Any) -> bool:
    """A class Keras defines outside keras.layers (keras.applications' LayerScale), as Keras 3
    writes its module or tf.keras 2 does ('tf_keras.src.applications.convnext', registered
    as 'Custom>LayerScale'): Keras's own code, not the user's."""
    if not isinstance(kind, str) or not isinstance(module, str) or kind not in LAYER_KINDS:
        return False
    home = LAYER_KINDS[kind].keras_module
    return home != "keras.layers" and module.split(".src.")[-1] == home.split(".src.")[-1]


def _is_operation(doc: dict[str, Any]) -> bool:
    """A Keras 3 operation node: a `keras.ops` call, or a `keras.activations` function
    called on a tensor (written with the module of the activations)."""
    module = doc.get("module")
    return isinstance(module, str) and (
        module.startswith(("keras.src.ops.", "keras.ops.")) or module == "keras.src.activations.activations"
    )


def _without_slashes(config: dict[str, Any]) -> dict[str, Any]:
    """tf.keras allowed '/' in layer names (DenseNet's 'conv1/conv'); Keras 3 refuses it, since
    it separates weight paths. Such a name becomes its '_' form ('conv1_conv'), in the layer
    and in every reference to it; the weights of a legacy .h5 still load (Keras reads them
    by layer order)."""
    layers = config["layers"]
    taken = {name for name in map(_entry_name, layers) if isinstance(name, str)}
    renamed: dict[str, str] = {}
    for name in sorted(n for n in taken if isinstance(n, str) and "/" in n):
        new, n = name.replace("/", "_"), 1
        while new in taken:
            n += 1
            new = f"{name.replace('/', '_')}_{n}"
        taken.add(new)
        renamed[name] = new
    if not renamed:
        return config

    def swap(value: Any) -> Any:
        if isinstance(value, list):
            if value and isinstance(value[0], str) and value[0] in renamed and len(value) in (3, 4):
                return [renamed[value[0]], *value[1:]]
            return [swap(v) for v in value]
        if isinstance(value, dict):
            return {k: swap(v) for k, v in value.items()}
        return value

    out = dict(config)
    out["layers"] = []
    for layer in layers:
        if isinstance(layer, dict):
            layer = dict(layer)
            if isinstance(layer.get("name"), str):
                layer["name"] = renamed.get(layer["name"], layer["name"])
            if isinstance(layer.get("config"), dict) and isinstance(layer["config"].get("name"), str):
                layer["config"] = {
                    **layer["config"],
                    "name": renamed.get(layer["config"]["name"], layer["config"]["name"]),
                }
            if "inbound_nodes" in layer:
                layer["inbound_nodes"] = swap(layer["inbound_nodes"])
        out["layers"].append(layer)
    for key in ("input_layers", "output_layers"):
        if key in out:
            out[key] = swap(out[key])
    return out


def _entry_name(layer: Any) -> Any:
    if not isinstance(layer, dict):
        return None
    config = layer.get("config")
    return layer.get("name") or (config.get("name") if isinstance(config, dict) else None)


def _keras2_training_config(config: dict[str, Any]) -> dict[str, Any]:
    """tf.keras 2's `training_config` (a full-model .h5) in compile_config's terms."""
    out = {k: v for k, v in config.items() if k in ("loss", "metrics", "weighted_metrics", "loss_weights")}
    optimizer = config.get("optimizer_config")
    if isinstance(optimizer, dict) and isinstance(optimizer.get("class_name"), str):
        optimizer = {**optimizer, "class_name": optimizer["class_name"].removeprefix("Custom>")}
    out["optimizer"] = optimizer
    out["loss"] = _keras2_objects(out.get("loss"))
    for key in ("metrics", "weighted_metrics"):
        out[key] = _keras2_objects(out.get(key))
    return {k: v for k, v in out.items() if v is not None}


def _keras2_objects(value: Any) -> Any:
    """Losses and metrics as tf.keras 2 saved them: a MeanMetricWrapper names its function
    in `fn`; loss objects carry `fn` and reduction 'auto' (Keras 3's sum_over_batch_size)."""
    if isinstance(value, list):
        return [_keras2_objects(v) for v in value]
    if not isinstance(value, dict) or not isinstance(value.get("config"), dict):
        return {k: _keras2_objects(v) for k, v in value.items()} if isinstance(value, dict) else value
    config = dict(value["config"])
    if value.get("class_name") == "MeanMetricWrapper" and isinstance(config.get("fn"), str):
        return {"class_name": config["fn"], "config": {"name": config.get("name", config["fn"])}}
    config.pop("fn", None)
    if config.get("reduction") == "auto":
        config["reduction"] = "sum_over_batch_size"
    return {**value, "config": config}


def _strip_wrappers(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_wrappers(v) for k, v in value.items() if k not in ("module", "registered_name")}
    if isinstance(value, list):
        return [_strip_wrappers(v) for v in value]
    return value


def _keras2_config(kind: Any, config: dict[str, Any]) -> None:
    """tf.keras 2 spellings that Keras 3 renamed (a kind may say more: `from_keras2`)."""
    if isinstance(kind, str) and kind in LAYER_KINDS:
        LAYER_KINDS[kind].from_keras2(config)
    if kind == "LeakyReLU" and "alpha" in config:
        config["negative_slope"] = config.pop("alpha")
    if kind == "BatchNormalization" and isinstance(config.get("axis"), list) and len(config["axis"]) == 1:
        config["axis"] = config["axis"][0]
    if kind == "BatchNormalization":
        if config.get("fused") in (None, True, False):
            config.pop("fused", None)  # an implementation switch; the result is the same
        if config.get("virtual_batch_size") is None:
            config.pop("virtual_batch_size", None)
        if config.get("adjustment") is None:
            config.pop("adjustment", None)


def _kind(doc: dict[str, Any]) -> str | None:
    """A class_name usable as a key; anything else is left for validation to report."""
    kind = doc.get("class_name")
    return kind if isinstance(kind, str) else None


def _keras2_ref(ref: list[Any], skips: set[str]) -> list[Any]:
    """tf.keras numbered a nested model's calls from 1: its node 0 is its own Input."""
    name, node_index, tensor_index = ref[:3]
    if name in skips and isinstance(node_index, int):
        node_index -= 1
    return [name, node_index, tensor_index]


def _skipping_first_node(layers: list[Any]) -> set[str]:
    """Nested models whose first node tf.keras did not write (tf_keras functional.py,
    `_should_skip_first_node`): functional models, and Sequentials built on an input."""
    out = set()
    for layer in layers:
        if not isinstance(layer, dict) or _kind(layer) not in MODEL_CLASSES:
            continue
        config = layer.get("config")
        name = layer.get("name") or (config.get("name") if isinstance(config, dict) else None)
        if not isinstance(name, str):
            continue
        if layer["class_name"] != "Sequential":
            out.add(name)
            continue
        inner = config.get("layers") if isinstance(config, dict) else config
        first = inner[0] if isinstance(inner, list) and inner else None
        first_config = first.get("config") if isinstance(first, dict) else None
        if _is_input(first) or (isinstance(first_config, dict) and "batch_input_shape" in first_config):
            out.add(name)
    return out


def _input_layer(name: str, shape: list[Any], dtype: Any = None) -> dict[str, Any]:
    config = {"name": name, "batch_shape": list(shape)}
    return {"class_name": "InputLayer", "config": config if dtype is None else {**config, "dtype": dtype}}


def _nested_input(layer: Any) -> tuple[list[Any], Any] | None:
    """The input shape and dtype of a nested model that has one input, from its InputLayer."""
    if not isinstance(layer, dict) or layer.get("class_name") not in MODEL_CLASSES.values():
        return None
    config = layer.get("config")
    layers = config.get("layers") if isinstance(config, dict) else None
    if not isinstance(layers, list) or not layers:
        return None
    if layer["class_name"] == "Functional":
        inputs = [entry for entry in layers if _is_input(entry)]
        first = inputs[0] if len(inputs) == 1 else None
    else:
        first = layers[0] if _is_input(layers[0]) else None
    inner = first.get("config") if first is not None else None
    if not isinstance(inner, dict) or not isinstance(inner.get("batch_shape"), list):
        return None
    return inner["batch_shape"], inner.get("dtype")


def _is_input(layer: Any) -> bool:
    return isinstance(layer, dict) and layer.get("class_name") == "InputLayer"


def _is_ref(value: list[Any]) -> bool:
    return (
        len(value) in (3, 4)
        and isinstance(value[0], str)
        and isinstance(value[1], int)
        and isinstance(value[2], int)
        and (len(value) == 3 or isinstance(value[3], dict))
    )


TENSOR_KEYWORDS = ("value", "key")
"""Tensors a call may take by keyword (MultiHeadAttention's), in their argument order."""
KEYWORD_TENSORS = ("mask", "attention_mask")
"""Tensors a call may take by keyword that stay keywords (the spec's CallKwargs)."""


def _is_keras_tensor(value: Any) -> bool:
    return isinstance(value, dict) and value.get("class_name") == "__keras_tensor__"


def _tensor_keywords(kwargs: dict[str, Any], is_tensor: Any) -> list[Any]:
    """Remove from `kwargs` the tensors given by keyword, and return them in argument order."""
    return [kwargs.pop(key) for key in TENSOR_KEYWORDS if key in kwargs and is_tensor(kwargs[key])]


def _is_keras2_ref(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 4 and _is_ref(value)


def _concise_call(inputs: Any) -> dict[str, Any]:
    return {"inputs": inputs}


def _call_counts(layers: list[Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for layer in layers:
        if isinstance(layer, dict):
            config = layer.get("config")
            name = layer.get("name") or (config.get("name") if isinstance(config, dict) else None)
            nodes = layer.get("inbound_nodes")
            if isinstance(name, str):
                counts[name] = len(nodes) if isinstance(nodes, list) and nodes else 1
    return counts


class _NameBook:
    """Keras-style default names (dense, dense_1, ...) that avoid the names in use."""

    def __init__(self, layers: list[Any], model_name: Any = None) -> None:
        self.used: set[str] = {model_name} if isinstance(model_name, str) else set()  # Keras: sequential, sequential_1
        self.next: dict[str, int] = {}  # per base, where to resume: n unnamed Dense layers take O(n), not O(n^2)
        for layer in layers:
            if isinstance(layer, dict):
                config = layer.get("config")
                for name in (layer.get("name"), config.get("name") if isinstance(config, dict) else None):
                    if isinstance(name, str):
                        self.used.add(name)

    def fresh(self, base: str) -> str:
        n = self.next.get(base, 0)
        name = f"{base}_{n}" if n else base
        while name in self.used:
            n += 1
            name = f"{base}_{n}"
        self.used.add(name)
        self.next[base] = n
        return name


__all__ = ["Normalized", "detect_dialect", "did_you_mean", "normalize", "tidy_float"]


def _owns_input_dim(kind: Any) -> bool:
    """Whether `input_dim` is the kind's own field (an Embedding's vocabulary size) rather
    than Keras 2's shorthand for a first layer's input shape."""
    from .layers import kind_config

    config = kind_config(kind) if isinstance(kind, str) else None
    return config is not None and "input_dim" in config.model_fields


def _takes_one_tensor(kind: Any) -> bool:
    """A layer kind called on one tensor (not a merge, not one taking several positionally)."""
    if not isinstance(kind, str) or kind not in LAYER_KINDS:
        return False
    config = LAYER_KINDS[kind]
    return not (config.merges or config.positional or getattr(config, "operation", False))


def _one_tensor(node: Any) -> Any:
    """A call on a list holding one tensor reference, as a call on that tensor."""
    if isinstance(node, dict) and isinstance(node.get("inputs"), list) and len(node["inputs"]) == 1:
        (only,) = node["inputs"]
        if isinstance(only, list) and _is_ref(only):
            return {**node, "inputs": only}
    return node
