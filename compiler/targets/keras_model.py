"""The Keras target: a function that builds the model with the Sequential or
functional API, as the spec was written; and that source loaded."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from ...spec.base import snake_case
from ...spec.graph import Graph
from ...spec.model import FunctionalSpec, SequentialSpec, TensorRef, flatten_refs
from ..kinds import rule_for
from ..names import Namespace, identifier, pystr
from .keras_values import ACTIVATION_LAYER, LEGACY_HARD_SIGMOID, call, imports, layer_call
from .loading import as_loaded, load_module
from .render import fit, render


@dataclass
class BuildFunction:
    """One generated `build_<model>()` function."""

    name: str
    doc: str
    lines: list[str] = field(default_factory=list)
    returns: str = ""


@dataclass(frozen=True)
class KerasSource:
    text: str
    function: str
    """The name of the function that builds the top model."""
    late_weights: bool = False
    """Some layer makes its weights on the first call (Dense(activation=PReLU()))."""


def keras_source(spec: Any) -> KerasSource:
    """The generated Keras file for a spec (a path, parsed data or LoadedSpec)."""
    loaded = as_loaded(spec)
    emitter = _Emitter()
    top = emitter.model(loaded.spec, loaded.graph)
    text = render(
        "keras_model.py.j2",
        functions=emitter.functions,
        legacy_hard_sigmoid=LEGACY_HARD_SIGMOID in emitter.uses,
        imports=imports(emitter.uses),
        top=top,
        build_call=_example_call(loaded) if ACTIVATION_LAYER in emitter.uses else None,
    )
    return KerasSource(text, top.name, ACTIVATION_LAYER in emitter.uses)


def compile_keras(spec: Any) -> Any:
    """A keras.Model built by the spec's generated source."""
    loaded = as_loaded(spec)
    return build_keras(loaded, keras_source(loaded))


class KerasCannotBuild(ValueError):
    """Keras refused to build a model the spec allows; the message is Keras's first line."""


def build_keras(loaded: Any, source: KerasSource) -> Any:
    module = load_module(source.text, "keras_" + source.function.removeprefix("build_"))
    try:
        model = getattr(module, source.function)()
    except Exception as exc:  # Keras's own refusal of what the spec allows: said in a line, not a traceback
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise KerasCannotBuild(f"Keras cannot build this model: {first}") from None
    if source.late_weights:
        _call_once(model, loaded)
    return model


LATE_BUILD_SIZE = 32
"""Stands in for unknown sizes in the sample that makes late weights: large enough for the
windows of a convolutional network."""


def _sample_shape(shape: tuple[int | None, ...]) -> tuple[int, ...]:
    return (1, *(LATE_BUILD_SIZE if d is None else d for d in shape[1:]))


def _call_once(model: Any, loaded: Any) -> None:
    """Run one sample through the model: Keras creates some weights (an activation
    layer's, like Dense(activation=PReLU())) only on the first real call."""
    import numpy as np

    shapes = loaded.graph.input_shapes
    samples = [np.zeros(_sample_shape(shape), dtype="float32") for shape in shapes]
    structure = getattr(loaded.spec.config, "input_layers", None)
    if isinstance(structure, dict):
        model(dict(zip(structure, samples, strict=True)), training=False)
    else:
        model(samples[0] if len(samples) == 1 else samples, training=False)


def _example_call(loaded: Any) -> str:
    """Zeros shaped like the model's inputs, as the generated file passes them."""
    zeros = [f"keras.ops.zeros({_sample_shape(shape)})" for shape in loaded.graph.input_shapes]
    structure = getattr(loaded.spec.config, "input_layers", None)
    if isinstance(structure, dict):
        return "{" + ", ".join(f"{pystr(k)}: {z}" for k, z in zip(structure, zeros, strict=True)) + "}"
    return zeros[0] if len(zeros) == 1 else "[" + ", ".join(zeros) + "]"


def _shape_arguments(batch_shape: list[int | None]) -> dict[str, str]:
    if batch_shape[0] is None:
        return {"shape": repr(tuple(batch_shape[1:]))}
    return {"batch_shape": repr(tuple(batch_shape))}


class _Emitter:
    def __init__(self) -> None:
        self.functions: list[BuildFunction] = []
        self.function_names = Namespace({LEGACY_HARD_SIGMOID})
        self.named: dict[int, str] = {}
        self.uses: set[str] = set()

    def _name_functions(self, spec: Any, graph: Graph) -> None:
        """Every build function's name, decided before any body: a body's local names
        must not hide a function it calls."""
        for entry in spec.config.layers:
            if isinstance(entry, SequentialSpec | FunctionalSpec):
                inner = graph.layer(entry.name).inner
                assert inner is not None
                self._name_functions(entry, inner)
        self.named[id(spec)] = self.function_names.name("build_" + identifier(graph.name, "model"))

    def reserved(self) -> set[str]:
        return {LEGACY_HARD_SIGMOID, *self.named.values()}

    def model(self, spec: SequentialSpec | FunctionalSpec, graph: Graph) -> BuildFunction:
        if not self.named:
            self._name_functions(spec, graph)
        name = self.named[id(spec)]
        layers = sum(1 for info in graph.layers if info.kind != "InputLayer")
        doc = f"Keras {graph.kind} model: {layers} layer{'s' * (layers != 1)}, {graph.params.total:,} parameters."
        function = BuildFunction(name, doc)
        if isinstance(spec, SequentialSpec):
            self._sequential(spec, graph, function)
        else:
            self._functional(spec, graph, function)
        self.functions.append(function)
        return function

    def _options(self, spec: Any) -> dict[str, str]:
        options = {"name": pystr(spec.config.name)}
        if not spec.config.trainable:
            options["trainable"] = "False"
        return options

    def _layer(self, entry: Any, graph: Graph) -> str:
        if isinstance(entry, SequentialSpec | FunctionalSpec):
            inner = graph.layer(entry.name).inner
            assert inner is not None
            return f"{self.model(entry, inner).name}()"
        if entry.class_name == "InputLayer":
            config = entry.config
            options = _shape_arguments(config.batch_shape)
            if config.dtype != "float32":
                options["dtype"] = pystr(config.dtype)
            return call("keras.Input", [], {**options, "name": pystr(config.name)})
        positional = rule_for(entry.class_name).keras_positional
        return layer_call(entry.class_name, entry.config, positional, self.uses)

    def _sequential(self, spec: SequentialSpec, graph: Graph, function: BuildFunction) -> None:
        items = [fit(self._layer(entry, graph), 12) for entry in spec.config.layers]
        listing = "".join(f"            {item},\n" for item in items)
        options = "".join(f"        {k}={v},\n" for k, v in self._options(spec).items())
        function.returns = f"keras.Sequential(\n        [\n{listing}        ],\n{options}    )"

    def _functional(self, spec: FunctionalSpec, graph: Graph, function: BuildFunction) -> None:
        local = Namespace(self.reserved())
        values: dict[TensorRef, str] = {}
        objects: dict[str, str] = {}
        entries = {entry.name: entry for entry in spec.config.layers}
        layer_names = {e.name for e in spec.config.layers if not getattr(e.config, "operation", False)}
        for c in graph.calls:
            entry = entries[c.layer]
            info = graph.layer(c.layer)
            if entry.class_name == "InputLayer":
                var = local.name(c.layer)
                function.lines.append(f"{var} = {self._layer(entry, graph)}")
                values[(c.layer, 0, 0)] = var
                continue
            node = entry.inbound_nodes[c.index]
            if getattr(entry.config, "positional", False):  # mha(query, value): the tensors are arguments
                arguments = ", ".join(values[tuple(ref)] for ref in node.refs())  # type: ignore[index]
            else:
                arguments = _structure(node.inputs, values)
            if node.kwargs.training:  # False is Keras's own default for these layers
                arguments += ", training=True"
            if node.kwargs.use_causal_mask:
                arguments += ", use_causal_mask=True"
            for key, ref in node.kwargs.tensors().items():
                arguments += f", {key}={values[ref]}"
            nested = isinstance(entry, SequentialSpec | FunctionalSpec)
            operation = None
            if not nested and rule_for(entry.class_name).operation:  # `x + y`: a function call, not a layer
                tensors = [values[tuple(ref)] for ref in node.refs()]  # type: ignore[index]
                if _could_collide(entry.config, layer_names):
                    operation = named_operation(entry.config, tensors)
                else:
                    operation = rule_for(entry.class_name).keras_expression(entry.config, tensors)
            if operation is not None:
                producer, arguments, out_name = "", "", c.layer
            elif nested or len(info.calls) > 1:
                if c.layer not in objects:
                    objects[c.layer] = local.name(c.layer)
                    function.lines.append(f"{objects[c.layer]} = {self._layer(entry, graph)}")
                producer = objects[c.layer]
                out_name = f"{c.layer}_out" + (f"_{c.index}" if c.index else "")
            else:
                producer = self._layer(entry, graph)
                out_name = c.layer
            expression = operation if operation is not None else f"{producer}({arguments})"
            outputs = getattr(entry.config, "output_layers", None) if nested else None
            if isinstance(outputs, dict):
                var = local.name(out_name)
                function.lines.append(f"{var} = {expression}")
                for i, key in enumerate(outputs):
                    values[(c.layer, c.index, i)] = f"{var}[{pystr(key)}]"
            elif len(c.output_shapes) > 1:
                targets = [local.name(f"{out_name}_{i}") for i in range(len(c.output_shapes))]
                function.lines.append(f"{', '.join(targets)} = {expression}")
                for i, var in enumerate(targets):
                    values[(c.layer, c.index, i)] = var
            else:
                var = local.name(out_name)
                function.lines.append(f"{var} = {expression}")
                values[(c.layer, c.index, 0)] = var
        options = {
            "inputs": _structure(spec.config.input_layers, values),
            "outputs": _structure(spec.config.output_layers, values),
            **self._options(spec),
        }
        function.returns = call("keras.Model", [], options)


def _could_collide(config: Any, layer_names: set[str]) -> bool:
    """Keras names an operation called as a function after its class ('add', 'add_1', ...,
    counting across the process); a layer named like that would then clash with it."""
    prefix = snake_case(config.keras_class)
    return any(name == prefix or re.fullmatch(rf"{re.escape(prefix)}_\d+", name) for name in layer_names)


def named_operation(config: Any, tensors: list[str]) -> str:
    """An operation built from its Keras class with the spec's name, as Keras's own loader
    builds it from JSON: `keras.src.ops.numpy.Add(name="add_1")(x, 1.0)`."""
    from ...spec.layers.operations import ELLIPSIS, ArrayConstant, Slice, Tensor

    def literal(value: Any) -> str:
        if isinstance(value, Tensor):
            return tensors[value.index]
        if isinstance(value, ArrayConstant):
            return f"keras.ops.convert_to_tensor({literal(value.value)}, dtype={pystr(value.dtype)})"
        if isinstance(value, Slice):
            return f"slice({value.start!r}, {value.stop!r}, {value.step!r})"
        if isinstance(value, str) and value == ELLIPSIS:
            return "Ellipsis"
        if isinstance(value, str):
            return pystr(value)
        if isinstance(value, list | tuple):
            inner = ", ".join(literal(v) for v in value)
            return (
                f"({inner},)"
                if isinstance(value, tuple) and len(value) == 1
                else (f"({inner})" if isinstance(value, tuple) else f"[{inner}]")
            )
        if isinstance(value, dict):
            return "{" + ", ".join(f"{pystr(k)}: {literal(v)}" for k, v in value.items()) + "}"
        if isinstance(value, float) and not math.isfinite(value):
            return f"float({pystr(repr(value))})"  # repr gives `inf`, a name nothing defines
        return repr(value)

    options = ", ".join(f"{key}={literal(value)}" for key, value in config.keras_config().items())
    args, kwargs = config.keras_arguments(len(tensors))
    arguments = [literal(a) for a in args] + [f"{key}={literal(value)}" for key, value in kwargs.items()]
    return f"{config.keras_module}.{config.keras_class}({options})({', '.join(arguments)})"


def _structure(structure: Any, values: dict[TensorRef, str]) -> str:
    if isinstance(structure, dict):
        return "{" + ", ".join(f"{pystr(k)}: {values[tuple(v)]}" for k, v in structure.items()) + "}"  # type: ignore[index]
    refs = flatten_refs(structure)
    if structure and isinstance(structure[0], str):
        return values[refs[0]]
    return "[" + ", ".join(values[r] for r in refs) + "]"
