"""A checked graph lowered to structured pieces of a PyTorch file: one class per model
(nested models get their own), submodules, initialisation, one forward line per call,
the layout of every value, and the weights' transfers. Rendering comes last, from
these pieces alone (as torch.fx renders its graph).

Layouts: every value carries one (see rules/layout.py). Each rule says which layout it
computes its inputs in; a value is converted only where that differs from its own,
once per value and layout. A model's inputs arrive in the layout its layers prefer
(a PyTorch user's N, C, H, W for a convolutional network), or in Keras's own when the
module is asked for Keras's interface (`layout="keras"`)."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Literal

from ...spec.errors import Problem, SpecError, format_path
from ...spec.graph import Call, Graph, LayerInfo
from ...spec.load import LoadedSpec
from ...spec.model import FunctionalSpec, SequentialSpec, TensorRef, flatten_refs
from ..names import MODULE_ATTRIBUTES, Namespace, class_name, pystr
from ..rules.expr import Expr
from ..rules.layout import Layout, convert
from ..rules.penalties import penalty_terms
from ..rules.rule import Site, Statement, Submodule, TorchBuffer, TorchLayer, TorchWeight, Unmappable
from ..rules.torch_helpers import HELPERS

INDEX_DTYPES = ("int32", "int64")
"""Integer model inputs nnspec carries (an Embedding's indices)."""

InterfaceLayout = Literal["torch", "keras"]
"""The generated module's inputs and outputs: torch's layout (N, C, H, W) or Keras's (N, H, W, C)."""


@dataclass(frozen=True)
class Value:
    """A value of forward(): the expression naming it and its layout."""

    name: str
    layout: Layout
    integer: bool = False
    """Holds integers (a model input of dtype int32, read by an Embedding)."""
    mask: str | None = None
    """The variable holding its Keras mask (boolean, (batch, steps)), where it has one."""


@dataclass
class LayerPlan:
    """A layer of a generated class: its attribute, its weights, its inner class."""

    name: str
    kind: str
    attr: str | None
    weights: list[TorchWeight] = field(default_factory=list)
    torch_only: list[TorchBuffer] = field(default_factory=list)
    inner: ClassPlan | None = None
    outputs: dict[int, list[Value]] = field(default_factory=dict)
    """For each call (by index), the values holding its outputs."""
    modules: list[str] = field(default_factory=list)
    """The attributes of the submodules it owns."""


@dataclass(frozen=True)
class ForwardLine:
    targets: str
    expression: Expr
    layer: str | None
    """The spec layer it computes; None for a layout conversion."""
    reads: tuple[str, ...] = ()
    """The forward variables its expression reads."""


@dataclass
class ClassPlan:
    """One generated nn.Module subclass."""

    name: str
    model_name: str
    kind: str
    graph: Graph
    modules: list[Submodule] = field(default_factory=list)
    setup: list[Statement] = field(default_factory=list)
    init: list[Statement] = field(default_factory=list)
    penalties: list[Statement] = field(default_factory=list)
    constraints: list[Statement] = field(default_factory=list)
    arguments: list[Value] = field(default_factory=list)
    lines: list[ForwardLine] = field(default_factory=list)
    outputs: list[Value] = field(default_factory=list)
    """The returned values, in the spec's output order (a dict's in key order)."""
    returns: str = ""
    layers: list[LayerPlan] = field(default_factory=list)
    uninitialised: int = 0
    """Weights whose Keras layer declares no initializer: torch's own initialisation stands."""

    @property
    def shape_only(self) -> bool:
        """Whether reset_parameters() sets every tensor its submodules make, so that they
        may be built on the meta device (no nested model: its class sets constants)."""
        return bool(self.modules) and self.uninitialised == 0 and all(m.shape_only for m in self.modules)

    @property
    def needs(self) -> frozenset[str]:
        out: frozenset[str] = frozenset()
        for module in self.modules:
            out |= module.constructor.needs
        for line in self.lines:
            out |= line.expression.needs
        for statement in (*self.setup, *self.init, *self.penalties, *self.constraints):
            out |= statement.needs
        return out

    def torch_values(self, layer: str | None = None) -> tuple[int, int]:
        """(parameter values, buffer values) the class holds, or one of its layers holds."""
        params = buffers = 0
        for plan in self.layers:
            if layer is not None and plan.name != layer:
                continue
            if plan.inner is not None:
                inner = plan.inner.torch_values()
                params, buffers = params + inner[0], buffers + inner[1]
            for weight in plan.weights:
                size = math.prod(weight.torch_shape)
                params, buffers = (params, buffers + size) if weight.buffer else (params + size, buffers)
            buffers += sum(buffer.size for buffer in plan.torch_only)
        return params, buffers

    def has(self, what: Literal["penalties", "constraints"]) -> bool:
        """Whether this class or a nested one has any."""
        return bool(getattr(self, what)) or any(layer.inner.has(what) for layer in self.layers if layer.inner)


@dataclass
class TorchProgram:
    """Every class of a generated file, innermost first; `top` is the model's own."""

    classes: list[ClassPlan]
    interface: InterfaceLayout

    @property
    def top(self) -> ClassPlan:
        return self.classes[-1]

    @property
    def needs(self) -> frozenset[str]:
        out: frozenset[str] = frozenset()
        for plan in self.classes:
            out |= plan.needs
        waiting = [name for name in out if name in HELPERS]
        while waiting:  # what the helpers need, and what that needs
            for need in HELPERS[waiting.pop()].needs - out:
                out |= {need}
                if need in HELPERS:
                    waiting.append(need)
        return out


def lower_torch(loaded: LoadedSpec, interface: InterfaceLayout = "torch") -> TorchProgram:
    """Lower a loaded spec, or raise a SpecError naming every layer that has no torch rule."""
    from ..kinds import load_families

    load_families()  # their helpers' names are reserved before any class is named
    lowering = _Lowering(interface)
    lowering.model(loaded.spec, loaded.graph, top=True)
    if lowering.problems:
        raise SpecError(lowering.problems, loaded.source)
    return TorchProgram(lowering.classes, interface)


_SUFFIXES = {3: ("ncl", "nlc"), 4: ("nchw", "nhwc"), 5: ("ncdhw", "ndhwc")}


def _suffix(have: Layout, want: Layout) -> str:
    """A name for a converted value: `x_nchw`, `x_nhwc`, `features_keras_order`."""
    if have.flat is not None and want.is_keras:
        return "keras_order"
    names = _SUFFIXES.get(want.rank)
    if names and want == Layout.channels_first(want.rank):
        return names[0]
    if names and want.is_keras:
        return names[1]
    return "permuted"


class _Lowering:
    def __init__(self, interface: InterfaceLayout) -> None:
        self.interface = interface
        self.classes: list[ClassPlan] = []
        self.class_names = Namespace(HELPERS.keys())  # a model named KerasPReLU must not hide the helper
        self.problems: list[Problem] = []
        self.inner: dict[int, ClassPlan] = {}

    def refuse(self, info: LayerInfo | None, loc: tuple, message: str, hint: str | None = None) -> None:
        prefix = f"layer {info.name!r} ({info.kind}): " if info else ""
        self.problems.append(Problem(format_path(loc), prefix + message, hint=hint))

    # -- one model, one class ----------------------------------------------------------

    def model(self, spec: SequentialSpec | FunctionalSpec, graph: Graph, top: bool = False) -> ClassPlan:
        plan = ClassPlan(self.class_names.name(class_name(graph.name)), graph.name, graph.kind, graph)
        builder = _ClassBuilder(self, plan, spec, graph)
        builder.lower(top)
        self.classes.append(plan)
        return plan

    def nested(self, info: LayerInfo) -> ClassPlan:
        """The class of a nested model, lowered once."""
        key = id(info.entry)
        if key not in self.inner:
            assert info.inner is not None
            self.inner[key] = self.model(info.entry, info.inner)
        return self.inner[key]


class _ClassBuilder:
    def __init__(self, lowering: _Lowering, plan: ClassPlan, spec: Any, graph: Graph) -> None:
        self.lowering = lowering
        self.plan = plan
        self.spec = spec
        self.graph = graph
        self.attrs = Namespace(MODULE_ATTRIBUTES)
        self.local = Namespace(HELPERS.keys())
        self.values: dict[TensorRef, Value] = {}
        self.converted: dict[tuple[str, Layout], Value] = {}
        self.layer_plans: dict[str, LayerPlan] = {}
        self.call_facts: dict[tuple[str, int], tuple[str, Mapping[str, Any]]] = {}
        """Each call's path and keyword options, for its sites (a call has three)."""

    # -- layouts: what each value would best arrive in -----------------------------------

    def preferences(self) -> dict[TensorRef, Layout]:
        """Walk the calls backwards: a value's preferred layout is the first its consumers
        ask for; an element-wise consumer asks for whatever its own output prefers."""
        wishes: dict[TensorRef, list[Layout]] = {}
        for call in reversed(self.graph.calls):
            info = self.graph.layer(call.layer)
            if info.kind == "InputLayer":
                continue
            wanted = self._wanted(info, call, [None] * len(call.input_shapes))
            if wanted is None:
                continue
            mine = _first(wishes.get((call.layer, call.index, 0), []))
            refs = call.inputs or tuple(self._input_refs()[:1])  # a Sequential's first layer takes the argument
            for ref, want, shape in zip(refs, wanted, call.input_shapes, strict=False):
                if want is None and mine is not None and mine.rank == len(shape):
                    want = mine
                if want is not None:
                    wishes.setdefault(ref, []).insert(0, want)
        return {ref: layout for ref, options in wishes.items() if (layout := _first(options)) is not None}

    def _wanted(self, info: LayerInfo, call: Call, arriving: list[Layout | None]) -> list[Layout | None] | None:
        if isinstance(info.entry, SequentialSpec | FunctionalSpec):
            return [value.layout for value in self.lowering.nested(info).arguments]
        from ..kinds import rule_for

        try:
            rule = rule_for(info.kind)
            return rule.layouts(info.entry.config, self._site(info, call, tuple(arriving), "_"))
        except (Unmappable, NotImplementedError, ValueError):
            return None  # reported when the call is lowered

    def _site(
        self,
        info: LayerInfo,
        call: Call,
        layouts: tuple[Layout | None, ...],
        attr: str,
        integer: tuple[bool, ...] = (),
        variable_base: str = "",
        masks: tuple[str | None, ...] = (),
        keyword_tensors: dict[str, str] | None = None,
    ) -> Site:
        key = (info.name, call.index)
        if key not in self.call_facts:
            self.call_facts[key] = (format_path(info.loc), MappingProxyType(_call_options(info, call)))
        path, options = self.call_facts[key]
        return Site(
            info.name,
            attr,
            call.input_shapes,
            call.output_shapes[0],
            path,
            self.attrs,
            layouts,
            tuple(info.weights),
            call.output_shapes,
            integer or (False,) * len(call.input_shapes),
            masks or (None,) * len(call.input_shapes),
            self.local,
            variable_base,
            options,
            keyword_tensors or {},
        )

    # -- the class ----------------------------------------------------------------------

    def lower(self, top: bool) -> None:
        plan, spec = self.plan, self.spec
        preferred = self.preferences()
        input_refs = self._input_refs()
        keras_interface = top and self.lowering.interface == "keras"
        for ref, shape in zip(input_refs, self.graph.input_shapes, strict=True):
            rank = len(shape)
            layout = Layout.keras(rank) if keras_interface else preferred.get(ref, Layout.keras(rank))
            integer = self._input_dtype(ref).startswith(("int", "uint"))
            value = Value(self.local.name(ref[0], key=("input", ref[0]), fallback="inputs"), layout, integer)
            self.values[ref] = value
            plan.arguments.append(value)
        for info in self.graph.layers:
            layer_plan = LayerPlan(info.name, info.kind, None)
            self.layer_plans[info.name] = layer_plan
            plan.layers.append(layer_plan)
            if info.kind == "InputLayer":
                layer_plan.outputs[0] = [self.values[(info.name, 0, 0)]]
            else:
                self._check_common(info)
        previous = plan.arguments[0]
        calls = _depth_first(self.graph.calls) if isinstance(spec, FunctionalSpec) else self.graph.calls
        unmasked = self._masks_cleared()
        for call in calls:
            info = self.graph.layer(call.layer)
            if info.kind == "InputLayer":
                continue
            # the first layer of a Sequential without an InputLayer takes the argument
            args = [self.values[ref] for ref in call.inputs] if call.inputs else [previous]
            args = [
                replace(value, mask=None) if unmasked.get(ref, len(self.graph.calls)) < self._order[id(call)] else value
                for ref, value in zip(call.inputs, args, strict=False)
            ] or args
            outputs = self._call(info, call, args)
            for i, value in enumerate(outputs):
                self.values[(info.name, call.index, i)] = value
            self.layer_plans[info.name].outputs[call.index] = outputs
            previous = outputs[0] if outputs else previous
        if not spec.config.trainable:
            plan.setup.append(Statement("self.requires_grad_(False)  # the model is frozen (trainable=False)"))
            plan.penalties = [p for p in plan.penalties if p.attr is None]  # activity penalties only
            plan.constraints = []
        self._returns(previous, top)

    def _masks_cleared(self) -> dict[TensorRef, int]:
        """Tensors whose Keras mask a call removed (MultiHeadAttention erases its inputs'
        masks), with the position of that call in Keras's order: later calls see none."""
        from ..kinds import rule_for

        self._order = {id(call): n for n, call in enumerate(self.graph.calls)}
        cleared: dict[TensorRef, int] = {}
        for n, call in enumerate(self.graph.calls):
            info = self.graph.layer(call.layer)
            if info.kind == "InputLayer" or isinstance(info.entry, SequentialSpec | FunctionalSpec):
                continue
            with contextlib.suppress(NotImplementedError):
                if rule_for(info.kind).clears_input_masks:
                    for ref in call.inputs:
                        cleared.setdefault(ref, n)
        return cleared

    def _input_dtype(self, ref: TensorRef) -> str:
        for entry in self.spec.config.layers:
            if entry.name == ref[0] and entry.class_name == "InputLayer":
                return entry.config.dtype
        return "float32"

    def _input_refs(self) -> list[TensorRef]:
        if isinstance(self.spec, FunctionalSpec):
            return [(r[0], 0, 0) for r in flatten_refs(self.spec.config.input_layers)]
        first = self.spec.config.layers[0] if self.spec.config.layers else None
        name = first.name if first is not None and first.class_name == "InputLayer" else "inputs"
        return [(name, 0, 0)]

    def _check_common(self, info: LayerInfo) -> None:
        if isinstance(info.entry, SequentialSpec | FunctionalSpec):
            return
        from ..kinds import rule_for

        with contextlib.suppress(NotImplementedError):
            if rule_for(info.kind).operation:
                return  # an operation's `dtype` is its own argument (ops.cast), not a dtype policy
        config = info.entry.config
        if info.kind == "InputLayer" and config.dtype in INDEX_DTYPES:
            return  # indices, for an Embedding
        if config.dtype != "float32":
            self.lowering.refuse(info, info.loc, f"dtype {config.dtype!r} has no torch rule; only float32 is supported")
        # A call's recorded `training` flag (Keras 3 writes Dropout's default, False) is
        # overridden by the model's own mode in Keras's fit/evaluate/predict, as torch's is
        # by train()/eval(): nothing to carry over.

    # -- conversions ----------------------------------------------------------------------

    def _as(self, value: Value, layout: Layout | None) -> Value:
        """`value` in `layout` (None: as it is), converted once per value and layout."""
        if layout is None or layout == value.layout:
            return value
        key = (value.name, layout)
        if key not in self.converted:
            try:
                expression = convert(Expr(value.name), value.layout, layout)
            except ValueError as exc:
                raise Unmappable(str(exc)) from None
            base = value.name.split("[")[0]
            name = self.local.name(f"{base}_{_suffix(value.layout, layout)}")
            self.plan.lines.append(ForwardLine(name, expression, None, (_variable(value.name),)))
            self.converted[key] = Value(name, layout)
        return self.converted[key]

    # -- one call ----------------------------------------------------------------------

    def _call(self, info: LayerInfo, call: Call, args: list[Value]) -> list[Value]:
        layer_plan = self.layer_plans[info.name]
        first = layer_plan.attr is None  # the first call reached, whatever its index
        if first:
            layer_plan.attr = self.attrs.name(info.name)
        attr = layer_plan.attr
        assert attr is not None
        suffix = f"_{call.index}" if call.index else ""
        if isinstance(info.entry, SequentialSpec | FunctionalSpec):
            return self._call_model(info, call, args, layer_plan, attr, first, suffix)
        from ..kinds import rule_for

        try:
            rule = rule_for(info.kind)
            integer = tuple(value.integer for value in args)
            if call.mask is not None:  # a mask given to the call takes the place of the input's
                args = [replace(args[0], mask=self.values[call.mask].name), *args[1:]]
            if any(integer) and not (rule.reads_indices or rule.operation):
                raise Unmappable(
                    "reads an integer tensor; only an Embedding takes integers",
                    hint="give the InputLayer dtype float32, or feed it to an Embedding",
                )
            masks = tuple(value.mask for value in args)
            policy = rule.masks_for(info.entry.config)
            if any(masks) and policy == "refuse":
                raise Unmappable(
                    "Keras uses the mask this layer receives (from an Embedding with mask_zero or a Masking "
                    "layer); nnspec does not compute masks through this kind yet"
                )
            arriving = tuple(value.layout for value in args)
            wanted = rule.layouts(info.entry.config, self._site(info, call, arriving, attr))
            inputs = [self._as(value, want) for value, want in zip(args, wanted, strict=True)]
            layouts = tuple(value.layout for value in inputs)
            keyword_tensors = {  # in Keras's layout, as the rule reads them
                key: self._as(self.values[ref], Layout.keras(self.values[ref].layout.rank)).name
                for key, ref in call.keywords
                if key != "mask"
            }
            site = self._site(info, call, layouts, attr, integer, info.name + suffix, masks, keyword_tensors)
            lowered: TorchLayer = rule.torch(info.entry.config, site, [Expr(value.name) for value in inputs])
            self._check_weights(info, lowered)
        except (Unmappable, NotImplementedError, ValueError) as exc:
            field = getattr(exc, "field", None)
            loc = (*info.loc, "config", field) if field else info.loc
            self.lowering.refuse(info, loc, str(exc), getattr(exc, "hint", None))
            return [Value(self.local.name(info.name + suffix), Layout.keras(len(s))) for s in call.output_shapes]
        if first:
            self._place(info, lowered, layer_plan)
        output_masks = self._output_masks(policy, lowered, args, info.name + suffix)
        read_masks = tuple(m for m in site.masks if m) if policy == "read" else ()
        reads = tuple(_variable(value.name) for value in inputs) + read_masks
        reads += tuple(_variable(name) for name in site.keyword_tensors.values())
        if lowered.steps:  # several outputs, bound by the rule's own lines
            for step in lowered.steps:
                self.plan.lines.append(ForwardLine(step.targets, step.expression, info.name, step.reads or reads))
            outputs = [
                Value(name, Layout.keras(len(shape)))
                for name, shape in zip(lowered.outputs, call.output_shapes, strict=True)
            ]
        else:
            outputs = [self._single_output(info, call, rule, lowered, layouts, suffix, reads)]
        outputs = [replace(v, mask=output_masks.get(n)) for n, v in enumerate(outputs)]
        regularizer = rule.activity_regularizer(info.entry.config)
        if regularizer is not None:  # Keras penalises every output of the call
            for n, output in enumerate(outputs):
                self._activity_penalty(regularizer, attr + suffix + (f"_{n}" if n else ""), output)
        return outputs

    def _output_masks(self, policy: str, lowered: TorchLayer, args: list[Value], name: str) -> dict[int, str]:
        """The variables holding the call's output masks, as Keras propagates them; the lines
        computing new ones come before the call's own."""
        masks = [value.mask for value in args if value.mask is not None]
        if policy == "pass" and masks:
            if len(masks) < len(args):  # a merge with an unmasked input: Keras 3 drops the mask
                return {}
            if len(masks) == 1:
                return {0: masks[0]}
            made = {0: Expr(" | ".join(masks))}  # a merge keeps every step any input keeps (Keras 3)
        elif policy == "read":
            made = lowered.output_masks
        else:
            return {}
        out = {}
        for index, expression in made.items():
            if expression.text in masks:  # the input's own mask, passed on
                out[index] = expression.text
                continue
            var = self.local.name(f"{name}_mask")
            reads = tuple(dict.fromkeys(_variable(v.name) for v in args)) + tuple(masks)
            self.plan.lines.append(ForwardLine(var, expression, None, reads))
            out[index] = var
        return out

    def _single_output(
        self,
        info: LayerInfo,
        call: Call,
        rule: Any,
        lowered: TorchLayer,
        layouts: tuple[Layout, ...],
        suffix: str,
        reads: tuple[str, ...],
    ) -> Value:
        layout = lowered.output_layout
        if layout is None:
            layout = layouts[0] if rule.elementwise else Layout.keras(len(call.output_shapes[0]))
        assert lowered.forward is not None
        var = self.local.name(info.name + suffix)
        self.plan.lines.append(ForwardLine(var, lowered.forward, info.name, reads))
        return Value(var, layout)

    def _check_weights(self, info: LayerInfo, lowered: TorchLayer) -> None:
        declared = [w.name for w in info.weights]
        placed = [w.keras for w in lowered.weights]
        if declared != placed:
            raise Unmappable(f"the torch rule places weights {placed}, but the layer declares {declared}")

    def _place(self, info: LayerInfo, lowered: TorchLayer, layer_plan: LayerPlan) -> None:
        plan = self.plan
        owned = [m.attr for m in lowered.modules]
        frozen = set() if info.entry.config.trainable else set(owned) - lowered.stay_trainable
        plan.modules += lowered.modules
        plan.setup += lowered.setup
        plan.init += lowered.init
        plan.uninitialised += lowered.uninitialised
        # Keras penalises and constrains only trainable weights
        plan.penalties += [p for p in lowered.penalties if p.attr not in frozen]
        plan.constraints += [c for c in lowered.constraints if c.attr not in frozen]
        plan.setup += [Statement(f"self.{a}.requires_grad_(False)  # trainable=False", a) for a in sorted(frozen)]
        layer_plan.weights = lowered.weights
        layer_plan.torch_only = lowered.torch_only
        layer_plan.modules = owned

    def _call_model(
        self, info: LayerInfo, call: Call, args: list[Value], layer_plan: LayerPlan, attr: str, first: bool, suffix: str
    ) -> list[Value]:
        inner = self.lowering.nested(info)
        if any(value.mask for value in args):
            self.lowering.refuse(info, info.loc, "a Keras mask entering a nested model is not supported yet")
        if first:
            layer_plan.inner = inner
            self.plan.modules.append(Submodule(attr, Expr(f"{inner.name}()")))
            layer_plan.modules = [attr]
        try:
            inputs = [self._as(v, a.layout) for v, a in zip(args, inner.arguments, strict=True)]
        except Unmappable as exc:
            self.lowering.refuse(info, info.loc, str(exc))
            return [Value(self.local.name(info.name + suffix), v.layout) for v in inner.outputs]
        expression = Expr(f"self.{attr}({', '.join(v.name for v in inputs)})")
        reads = tuple(_variable(v.name) for v in inputs)
        returned = info.entry.config.output_layers if isinstance(info.entry, FunctionalSpec) else None
        if isinstance(returned, dict):  # a dict of named outputs: bind it, index by key
            var = self._bind(info.name + suffix, expression, 1, info.name, reads)[0]
            return [Value(f"{var}[{pystr(key)}]", v.layout) for key, v in zip(returned, inner.outputs, strict=True)]
        names = self._bind(info.name + suffix, expression, len(inner.outputs), info.name, reads)
        return [Value(name, v.layout) for name, v in zip(names, inner.outputs, strict=True)]

    def _activity_penalty(self, regularizer: Any, name: str, output: Value) -> None:
        """Keras adds regularizer(output) / batch size to the losses of each call; the
        module keeps the last call's penalty and regularization_loss() adds it. The
        penalties Keras has are sums of the values (or of cosines between whole rows
        or columns), which no layout changes."""
        terms = penalty_terms(regularizer, output.name, None)
        if not terms:
            return
        attr = self.attrs.name(f"{name}_activity_loss")
        self.plan.setup.append(
            Statement(f"self.{attr} = torch.zeros(())  # set by forward(): the activity regularizer's penalty")
        )
        total = " + ".join(t.text for t in terms)
        needs = frozenset().union(*(t.needs for t in terms))
        batch = f"{output.name}.shape[0]"
        text = f"({total}) / {batch}" if len(terms) > 1 else f"{total} / {batch}"
        self.plan.lines.append(ForwardLine(f"self.{attr}", Expr(text, needs), None, (_variable(output.name),)))
        self.plan.penalties.append(Statement(f"self.{attr}"))

    def _bind(self, name: str, expression: Expr, count: int, layer: str | None, reads: tuple[str, ...]) -> list[str]:
        if count == 1:
            var = self.local.name(name)
            self.plan.lines.append(ForwardLine(var, expression, layer, reads))
            return [var]
        targets = [self.local.name(f"{name}_{i}") for i in range(count)]
        self.plan.lines.append(ForwardLine(", ".join(targets), expression, layer, reads))
        return targets

    # -- what forward returns -------------------------------------------------------------

    def _returns(self, last: Value, top: bool) -> None:
        spec, plan = self.spec, self.plan
        keras_interface = top and self.lowering.interface == "keras"

        def out(value: Value) -> Value:
            try:
                if keras_interface:
                    return self._as(value, Layout.keras(value.layout.rank))
                return self._as(value, value.layout.unflattened())
            except Unmappable as exc:
                self.lowering.refuse(None, (), str(exc))
                return value

        if isinstance(spec, SequentialSpec):
            plan.outputs = [out(last)]
            plan.returns = plan.outputs[0].name
            return
        outputs = spec.config.output_layers
        if isinstance(outputs, dict):
            plan.outputs = [out(self.values[tuple(ref)]) for ref in outputs.values()]  # type: ignore[index]
            pairs = zip(outputs, plan.outputs, strict=True)
            plan.returns = "{" + ", ".join(f"{pystr(key)}: {value.name}" for key, value in pairs) + "}"
            return
        if outputs and isinstance(outputs[0], str):
            plan.outputs = [out(self.values[tuple(outputs)])]  # type: ignore[index]
            plan.returns = plan.outputs[0].name
            return
        plan.outputs = [out(self.values[tuple(ref)]) for ref in outputs]  # type: ignore[index]
        plan.returns = "(" + ", ".join(v.name for v in plan.outputs) + ("," if len(outputs) == 1 else "") + ")"


def _depth_first(calls: list[Call]) -> list[Call]:
    """The calls in an order that follows each value to its consumers before starting
    another branch (Kahn's algorithm with a stack): a residual block's path is computed
    in one run, its values read by the next line, as a person writes it, and torch
    frees each as soon as it is used."""
    index = {(call.layer, call.index): n for n, call in enumerate(calls)}
    consumers: dict[int, list[int]] = {n: [] for n in range(len(calls))}
    waiting = [0] * len(calls)
    for n, call in enumerate(calls):
        reads = call.reads()
        producers = {index[(ref[0], ref[1])] for ref in reads if (ref[0], ref[1]) in index}
        waiting[n] = len(producers)
        for producer in producers:
            consumers[producer].append(n)
    stack = [n for n in reversed(range(len(calls))) if not waiting[n]]
    order = []
    while stack:
        n = stack.pop()
        order.append(calls[n])
        for user in reversed(consumers[n]):
            waiting[user] -= 1
            if not waiting[user]:
                stack.append(user)
    return order if len(order) == len(calls) else calls


def _call_options(info: LayerInfo, call: Call) -> dict[str, Any]:
    """The keyword options Keras recorded for a call (None and unset ones left out)."""
    nodes = getattr(info.entry, "inbound_nodes", None)
    if not nodes or call.index >= len(nodes):
        return {}
    return nodes[call.index].kwargs.model_dump(exclude_none=True)


def _variable(name: str) -> str:
    """The forward variable a value lives in: `outputs` for `outputs["key"]`."""
    return name.split("[", 1)[0]


def _first(options: list[Layout]) -> Layout | None:
    return options[0] if options else None
