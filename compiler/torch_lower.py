"""A checked graph lowered to the pieces of a PyTorch file: one class per model
(nested models get their own), submodules, initialisation, one forward line per
call, and the weight plan the transfer functions walk."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..spec.errors import Problem, SpecError, format_path
from ..spec.graph import Graph, LayerInfo
from ..spec.load import LoadedSpec
from ..spec.model import FunctionalSpec, SequentialSpec, TensorRef, flatten_refs
from .helpers import HELPERS
from .kinds import Site, TorchLayer, Unmappable, WeightRule, rule_for
from .names import MODULE_ATTRIBUTES, Namespace, class_name, pystr
from .torch_penalties import penalty


@dataclass
class LayerPlan:
    """A layer of a generated class: its attribute, its weights, its inner class."""

    name: str
    kind: str
    attr: str | None
    weights: list[WeightRule] = field(default_factory=list)
    inner: ClassPlan | None = None
    outputs: dict[int, list[str]] = field(default_factory=dict)
    """For each call (by index), the forward variables holding its outputs."""
    modules: list[str] = field(default_factory=list)
    """The attributes of the submodules it owns."""


@dataclass
class ForwardLine:
    targets: str
    expression: str


@dataclass
class ClassPlan:
    """One generated nn.Module subclass."""

    name: str
    model_name: str
    kind: str
    graph: Graph
    modules: list[tuple[str, str]] = field(default_factory=list)
    setup: list[str] = field(default_factory=list)
    init: list[str] = field(default_factory=list)
    penalties: list[str] = field(default_factory=list)
    constraints: list[str] = field(default_factory=list)
    arguments: list[str] = field(default_factory=list)
    lines: list[ForwardLine] = field(default_factory=list)
    returns: str = ""
    layers: list[LayerPlan] = field(default_factory=list)


@dataclass
class TorchProgram:
    """Every class of a generated file, innermost first; `top` is the model's own."""

    classes: list[ClassPlan]
    helpers: set[str]

    @property
    def top(self) -> ClassPlan:
        return self.classes[-1]


def lower_torch(loaded: LoadedSpec) -> TorchProgram:
    """Lower a loaded spec, or raise a SpecError naming every layer that has no torch rule."""
    lowering = _Lowering()
    lowering.model(loaded.spec, loaded.graph, ())
    if lowering.problems:
        raise SpecError(lowering.problems, loaded.source)
    return TorchProgram(lowering.classes, lowering.helpers)


class _Lowering:
    def __init__(self) -> None:
        self.classes: list[ClassPlan] = []
        self.class_names = Namespace(HELPERS.keys())  # a model named KerasPReLU must not hide the helper
        self.helpers: set[str] = set()
        self.problems: list[Problem] = []

    def refuse(self, info: LayerInfo | None, loc: tuple, message: str, hint: str | None = None) -> None:
        prefix = f"layer {info.name!r} ({info.kind}): " if info else ""
        self.problems.append(Problem(format_path(loc), prefix + message, hint=hint))

    def model(self, spec: SequentialSpec | FunctionalSpec, graph: Graph, loc: tuple) -> ClassPlan:
        plan = ClassPlan(self.class_names.name(class_name(graph.name)), graph.name, graph.kind, graph)
        attrs = Namespace(MODULE_ATTRIBUTES)
        local = Namespace(HELPERS.keys())
        values: dict[tuple[str, int, int], str] = {}
        layers = spec.config.layers
        first_input = layers[0] if layers and layers[0].class_name == "InputLayer" else None
        if isinstance(spec, FunctionalSpec):
            for ref in flatten_refs(spec.config.input_layers):
                values[(ref[0], 0, 0)] = local.name(ref[0], key=("input", ref[0]))
            plan.arguments = [values[(r[0], 0, 0)] for r in flatten_refs(spec.config.input_layers)]
        else:
            arg = local.name(first_input.name if first_input else "inputs", fallback="inputs")
            plan.arguments = [arg]
            if first_input:
                values[(first_input.name, 0, 0)] = arg
        plans: dict[str, LayerPlan] = {}
        for info in graph.layers:
            plans[info.name] = LayerPlan(info.name, info.kind, None)
            plan.layers.append(plans[info.name])
            if info.kind == "InputLayer":
                plans[info.name].outputs[0] = [values[(info.name, 0, 0)]]
                continue
            self._check_common(info, spec)
        sequential_previous = plan.arguments[0]
        for call in graph.calls:
            info = graph.layer(call.layer)
            if info.kind == "InputLayer":
                continue
            layer_plan = plans[info.name]
            # the first layer of a Sequential without an InputLayer takes the argument
            args = [values[ref] for ref in call.inputs] if call.inputs else [sequential_previous]
            outputs = self._call(plan, attrs, local, info, layer_plan, call.index, args, loc)
            for i, var in enumerate(outputs):
                values[(info.name, call.index, i)] = var
            layer_plan.outputs[call.index] = outputs
            sequential_previous = outputs[0] if outputs else sequential_previous
        if not spec.config.trainable:
            plan.setup.append("self.requires_grad_(False)  # the model is frozen (trainable=False)")
            plan.penalties = [p for p in plan.penalties if p.endswith("_activity_loss")]  # weights: none trainable
            plan.constraints = []
        plan.returns = self._returns(spec, values, sequential_previous)
        self.classes.append(plan)
        return plan

    def _check_common(self, info: LayerInfo, parent: Any) -> None:
        config = getattr(info.entry, "config", None)
        if isinstance(info.entry, SequentialSpec | FunctionalSpec):
            return
        if config.dtype != "float32":
            self.refuse(info, info.loc, f"dtype {config.dtype!r} has no torch rule; only float32 is supported")
        # A call's recorded `training` flag (Keras 3 writes Dropout's default, False) is
        # overridden by the model's own mode in Keras's fit/evaluate/predict, as torch's is
        # by train()/eval(): nothing to carry over.

    def _call(
        self,
        plan: ClassPlan,
        attrs: Namespace,
        local: Namespace,
        info: LayerInfo,
        layer_plan: LayerPlan,
        call_index: int,
        args: list[str],
        loc: tuple,
    ) -> list[str]:
        first = layer_plan.attr is None  # the first call reached, whatever its index
        if first:
            layer_plan.attr = attrs.name(info.name)
        attr = layer_plan.attr
        assert attr is not None
        suffix = f"_{call_index}" if call_index else ""
        if isinstance(info.entry, SequentialSpec | FunctionalSpec):
            assert info.inner is not None
            if first:
                inner = self.model(info.entry, info.inner, info.loc)
                layer_plan.inner = inner
                plan.modules.append((attr, f"{inner.name}()"))
                layer_plan.modules = [attr]
            expression = f"self.{attr}({', '.join(args)})"
            returned = info.entry.config.output_layers if isinstance(info.entry, FunctionalSpec) else None
            if isinstance(returned, dict):  # a dict of named outputs: bind it, index by key
                var = self._bind(plan, local, info.name + suffix, expression, 1, layer_plan)[0]
                return [f"{var}[{pystr(key)}]" for key in returned]
            return self._bind(plan, local, info.name + suffix, expression, len(info.inner.output_shapes), layer_plan)
        call = info.call(call_index)
        site = Site(info.name, attr, call.input_shapes, call.output_shapes[0], format_path(info.loc), attrs)
        try:
            lowered: TorchLayer = rule_for(info.kind).torch(info.entry.config, site, args)
        except (Unmappable, NotImplementedError) as exc:
            self.refuse(info, info.loc, str(exc), getattr(exc, "hint", None))
            return [local.name(info.name + suffix)]
        if first:
            frozen = set() if info.entry.config.trainable else {a for a, _ in lowered.modules} - lowered.stay_trainable
            plan.modules += lowered.modules
            plan.setup += lowered.setup
            plan.init += lowered.init
            # Keras penalises and constrains only trainable weights
            plan.penalties += [p for p in lowered.penalties if not _touches(p, frozen)]
            plan.constraints += [c for c in lowered.constraints if not _touches(c, frozen)]
            self.helpers |= lowered.helpers
            layer_plan.weights = lowered.weights
            layer_plan.modules = [a for a, _ in lowered.modules]
            plan.setup += [f"self.{a}.requires_grad_(False)  # trainable=False" for a in sorted(frozen)]
        outputs = self._bind(plan, local, info.name + suffix, lowered.forward, 1, layer_plan)
        regularizer = info.entry.config.activity_regularizer
        if regularizer is not None:
            self._activity_penalty(plan, attrs, regularizer, attr + suffix, outputs[0])
        return outputs

    def _activity_penalty(self, plan: ClassPlan, attrs: Namespace, regularizer: Any, name: str, output: str) -> None:
        """Keras adds regularizer(output) / batch size to the losses of each call; the
        module keeps the last call's penalty and regularization_loss() adds it."""
        terms = penalty(regularizer, output, "same", self.helpers)
        if not terms:
            return
        attr = attrs.name(f"{name}_activity_loss")
        plan.setup.append(f"self.{attr} = torch.zeros(())  # set by forward(): the activity regularizer's penalty")
        total = " + ".join(terms)
        plan.lines.append(
            ForwardLine(
                f"self.{attr}", f"({total}) / {output}.shape[0]" if len(terms) > 1 else f"{total} / {output}.shape[0]"
            )
        )
        plan.penalties.append(f"self.{attr}")

    def _bind(
        self, plan: ClassPlan, local: Namespace, name: str, expression: str, count: int, layer_plan: LayerPlan
    ) -> list[str]:
        if count == 1:
            var = local.name(name)
            plan.lines.append(ForwardLine(var, expression))
            return [var]
        targets = [local.name(f"{name}_{i}") for i in range(count)]
        plan.lines.append(ForwardLine(", ".join(targets), expression))
        return targets

    def _returns(self, spec: Any, values: dict[TensorRef, str], last: str) -> str:
        if isinstance(spec, SequentialSpec):
            return last
        outputs = spec.config.output_layers

        def value(ref: Any) -> str:
            return values[(ref[0], ref[1], ref[2])]

        if isinstance(outputs, dict):
            return "{" + ", ".join(f"{pystr(key)}: {value(ref)}" for key, ref in outputs.items()) + "}"
        if outputs and isinstance(outputs[0], str):
            return value(outputs)
        return "(" + ", ".join(value(ref) for ref in outputs) + ("," if len(outputs) == 1 else "") + ")"


def _touches(statement: str, attrs: set[str]) -> bool:
    """Whether a generated statement reads or writes one of these submodules."""
    return any(f"self.{attr}." in statement for attr in attrs)
