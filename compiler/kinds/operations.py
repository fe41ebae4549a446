"""Keras 3 operation nodes in torch (`x + y`, `ops.mean(x, axis=1)`, `x[:, 1:3]`), and
in the generated Keras code (`keras.ops.add(x, 2.0)`, not a layer).

An operation computes in whatever layout its input arrives in wherever its axes can be
translated (`site.dim`): `ops.mean(x, axis=[1, 2])` after a channels-first convolution
is `x.mean(dim=(2, 3))`, with no permute. Where Keras's axis order is the meaning
(reshape, matmul, einsum, slicing), it asks for Keras's layout. Constant operands
(`x * 2.0`, a small array) are written into the expression; an array is laid out like
the tensor it meets."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ...spec.layers import operations as spec
from ...spec.layers.operations import ELLIPSIS, ArrayConstant, OperationConfig, Slice, Tensor
from ..names import pystr
from ..rules.errors import Unmappable
from ..rules.expr import Expr, atom, call, expr, functional, method
from ..rules.layout import Layout
from ..rules.rule import KindRule, Site, TorchLayer
from . import rule, rule_for

# -- values written into code ------------------------------------------------------------


def literal(value: Any) -> str:
    """A Python literal for a number or nested list, int and float kept apart."""
    if isinstance(value, list | tuple):
        inner = ", ".join(literal(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner}{',' if len(value) == 1 else ''})"
    if isinstance(value, float) and not np.isfinite(value):
        return f"float({pystr(repr(value))})"
    if isinstance(value, str):
        return pystr(value)
    return repr(value)


def keras_value(value: Any) -> str:
    """A Keras call's argument as source: an array constant as `keras.ops.array(...)`."""
    if isinstance(value, ArrayConstant):
        return f"keras.ops.array({literal(value.value)}, dtype={pystr(value.dtype)})"
    if isinstance(value, list):
        return "[" + ", ".join(keras_value(v) for v in value) + "]"
    return literal(value)


def live_value(value: Any, tensors: Sequence[Any]) -> Any:
    """A Keras call's argument as a live value (for the parity checker)."""
    if isinstance(value, Tensor):
        return tensors[value.index]
    if isinstance(value, ArrayConstant):
        return np.array(value.value, dtype=value.dtype)
    if isinstance(value, list):
        return [live_value(v, tensors) for v in value]
    return value


def torch_constant(value: Any, layout: Layout | None, like: Expr) -> Expr | str:
    """A constant operand in torch: a number as it is, an array as a tensor on `like`'s
    device, its axes laid out as `layout` holds the value it is broadcast against."""
    if not isinstance(value, ArrayConstant):
        return literal(value)
    array = np.array(value.value, dtype="float64" if value.dtype == "float32" else value.dtype)
    if layout is not None and array.ndim and not layout.is_keras:
        array = array.reshape((1,) * (layout.rank - array.ndim) + array.shape).transpose(layout.perm)
        while array.ndim > 1 and array.shape[0] == 1:
            array = array[0]  # leading 1s broadcast anyway
    values = array.tolist()
    dtype = "" if value.dtype in ("float32", "int64") else f", dtype=torch.{value.dtype}"
    return expr(f"torch.tensor({literal(values)}{dtype}, device={{}}.device)", atom(like))


# -- layouts -------------------------------------------------------------------------


def shared_layout(site: Site, flat_ok: bool = False) -> list[Layout | None]:
    """One layout for every input of one rank: the first one known (a flattened vector's
    order only where `flat_ok`); Keras's where the ranks differ."""
    ranks = {len(shape) for shape in site.input_shapes}
    if len(ranks) > 1:
        return [Layout.keras(len(shape)) for shape in site.input_shapes]
    known = [layout for layout in site.layouts if layout is not None]
    if not known:
        return [None] * len(site.input_shapes)
    first = known[0]
    if first.flat is not None and (not flat_ok or any(layout != first for layout in known)):
        first = first.unflattened()
    return [first] * len(site.input_shapes)


def as_arriving(site: Site) -> list[Layout | None]:
    """The input as it arrives, its features in Keras's order if it was flattened."""
    return [None if layout is None else layout.unflattened() for layout in site.layouts]


def keras_layouts(site: Site) -> list[Layout | None]:
    return [Layout.keras(len(shape)) for shape in site.input_shapes]


def removed(layout: Layout, axes: Sequence[int]) -> Layout:
    """The layout once Keras axes `axes` are gone (reduced, indexed, squeezed)."""
    kept = [a for a in layout.perm if a not in axes]
    rank = {a: i for i, a in enumerate(sorted(kept))}
    return Layout(tuple(rank[a] for a in kept))


def dims(site: Site, axes: Sequence[int]) -> str:
    """Keras axes of the input as torch's `dim=` argument: one int (-1 for the last) or a tuple."""
    found = sorted(site.dim(a) for a in axes)
    if len(found) == 1:
        return str(-1 if found[0] == site.rank - 1 else found[0])
    return literal(tuple(found))


# -- the base rule -------------------------------------------------------------------------


class OperationRule(KindRule):
    """A Keras 3 operation: no weights; the generated Keras code calls its function."""

    operation = True
    positional_fields: tuple[str, ...] = ()
    """Config fields the Keras function takes before its tensors (einsum's subscripts)."""

    def keras_call(self, config: OperationConfig, count: int) -> tuple[list[Any], dict[str, Any]]:
        """The Keras function's arguments: the call's own (tensors, constants), then the
        config fields that differ from their defaults, as keywords."""
        args, own = config.keras_arguments(count)
        fields = type(config).model_fields
        lead = [getattr(config, f) for f in self.positional_fields]
        kwargs: dict[str, Any] = {}
        for name in config.keras_fields:
            if name in self.positional_fields:
                continue
            value = getattr(config, name)
            if fields[name].is_required() or value != fields[name].default:
                kwargs[name] = value
        return lead + args, {k: v for k, v in {**kwargs, **own}.items() if v is not None}

    def keras_expression(self, config: OperationConfig, arguments: list[str]) -> str:
        args, kwargs = self.keras_call(config, len(arguments))
        rendered = [_keras_arg(a, arguments) for a in args] + [f"{k}={keras_value(v)}" for k, v in kwargs.items()]
        return f"{config.function}({', '.join(rendered)})"

    def keras_apply(self, config: OperationConfig, arguments: list[Any]) -> Any:
        import keras

        args, kwargs = self.keras_call(config, len(arguments))
        function: Any = keras
        for part in config.function.split(".")[1:]:
            function = getattr(function, part)
        return function(*(live_value(a, arguments) for a in args), **kwargs)


def _keras_arg(value: Any, arguments: list[str]) -> str:
    if isinstance(value, Tensor):
        return arguments[value.index]
    if isinstance(value, list) and value and all(isinstance(v, Tensor) for v in value):
        return "[" + ", ".join(arguments[v.index] for v in value) + "]"
    return keras_value(value)


# -- element-wise, one tensor ---------------------------------------------------------


UNARY_TORCH: dict[str, str] = {
    "ops.negative": "-{}",
    "ops.absolute": "torch.abs({})",
    "ops.square": "torch.square({})",
    "ops.sqrt": "torch.sqrt({})",
    "ops.rsqrt": "torch.rsqrt({})",
    "ops.exp": "torch.exp({})",
    "ops.expm1": "torch.expm1({})",
    "ops.log": "torch.log({})",
    "ops.log1p": "torch.log1p({})",
    "ops.reciprocal": "torch.reciprocal({})",
    "ops.sin": "torch.sin({})",
    "ops.cos": "torch.cos({})",
    "ops.tanh": "torch.tanh({})",
    "ops.erf": "torch.erf({})",
    "ops.floor": "torch.floor({})",
    "ops.ceil": "torch.ceil({})",
    "ops.sign": "torch.sign({})",
    "ops.logical_not": "torch.logical_not({})",
    "ops.relu": "F.relu({})",
    "ops.relu6": "F.relu6({})",
    "ops.sigmoid": "torch.sigmoid({})",
    "ops.softplus": "F.softplus({})",
    "ops.softsign": "F.softsign({})",
    "ops.silu": "F.silu({})",
    "ops.selu": "F.selu({})",
    "ops.log_sigmoid": "F.logsigmoid({})",
    "ops.hard_sigmoid": "F.hardsigmoid({})",
    "ops.hard_silu": "F.hardswish({})",
}


class ElementwiseRule(OperationRule):
    """Value by value: computed in whatever layout the value arrives in."""

    elementwise = True

    def expression(self, config: Any, x: Expr) -> Expr:
        raise NotImplementedError

    def torch(self, config: Any, site: Site, inputs: list[Expr]) -> TorchLayer:
        return TorchLayer(self.expression(config, inputs[0]))


def _unary_rule(kind: str, template: str) -> None:
    class Unary(ElementwiseRule):
        def expression(self, config: Any, x: Expr) -> Expr:
            return expr(template, atom(x) if template == "-{}" else x)

    Unary.__name__ = Unary.__qualname__ = "".join(p.capitalize() for p in kind.split(".")[-1].split("_")) + "Rule"
    rule(kind)(Unary)


for _kind, _template in UNARY_TORCH.items():
    _unary_rule(_kind, _template)


def _elementwise(kind: str, build: Callable[[Any, Expr], Expr]) -> None:
    """An element-wise rule whose expression `build(config, x)` makes."""

    class Rule(ElementwiseRule):
        def expression(self, config: Any, x: Expr) -> Expr:
            return build(config, x)

    Rule.__name__ = Rule.__qualname__ = "".join(p.capitalize() for p in kind.split(".")[-1].split("_")) + "Rule"
    rule(kind)(Rule)


GELU_APPROXIMATIONS = {True: '"tanh"', False: '"none"'}
DTYPES = {"float32": "torch.float32", "float16": "torch.float16", "bfloat16": "torch.bfloat16"}

_elementwise("ops.leaky_relu", lambda c, x: functional("leaky_relu", x, negative_slope=literal(c.negative_slope)))
_elementwise("ops.elu", lambda c, x: functional("elu", x, alpha=literal(c.alpha)))
_elementwise("ops.celu", lambda c, x: functional("celu", x, alpha=literal(c.alpha)))
_elementwise("ops.gelu", lambda c, x: functional("gelu", x, approximate=GELU_APPROXIMATIONS[c.approximate]))
_elementwise("ops.clip", lambda c, x: call("torch.clamp", x, literal(c.x_min), literal(c.x_max)))
_elementwise(
    "ops.round",
    lambda c, x: call("torch.round", x, decimals=c.decimals) if c.decimals else call("torch.round", x),
)
_elementwise("ops.cast", lambda c, x: method(x, "to", DTYPES.get(c.dtype, f"torch.{c.dtype}")))
_elementwise("ops.convert_to_tensor", lambda c, x: x)
_elementwise("ops.ones_like", lambda c, x: call("torch.ones_like", x))
_elementwise("ops.zeros_like", lambda c, x: call("torch.zeros_like", x))
_elementwise("ops.full_like", lambda c, x: call("torch.full_like", x, literal(c.fill_value)))


@rule("activations.relu")
class ActivationReluRule(ElementwiseRule):
    """`keras.activations.relu` with its options: the ReLU layer's own mapping."""

    def torch(self, config: spec.ActivationReluConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        return rule_for("ReLU").torch(config, site, inputs)


class SoftmaxRule(OperationRule):
    """Over Keras's axis, found in whatever layout the input has."""

    function = "softmax"

    def layouts(self, config: Any, site: Site) -> list[Layout | None]:
        return as_arriving(site)

    def torch(self, config: spec.SoftmaxOp, site: Site, inputs: list[Expr]) -> TorchLayer:
        return TorchLayer(functional(self.function, inputs[0], dim=dims(site, [config.axis % site.rank])), site.layout)


rule("ops.softmax")(type("SoftmaxOpRule", (SoftmaxRule,), {}))
rule("ops.log_softmax")(type("LogSoftmaxOpRule", (SoftmaxRule,), {"function": "log_softmax"}))


# -- element-wise, several operands ---------------------------------------------------

INFIX: dict[str, str] = {
    "ops.add": "+",
    "ops.subtract": "-",
    "ops.multiply": "*",
    "ops.divide": "/",
    "ops.true_divide": "/",
    "ops.power": "**",
    "ops.mod": "%",
    "ops.floor_divide": "//",
    "ops.greater": ">",
    "ops.greater_equal": ">=",
    "ops.less": "<",
    "ops.less_equal": "<=",
    "ops.equal": "==",
    "ops.not_equal": "!=",
}
FUNCTIONS: dict[str, str] = {
    "ops.maximum": "torch.maximum",
    "ops.minimum": "torch.minimum",
    "ops.logical_and": "torch.logical_and",
    "ops.logical_or": "torch.logical_or",
}
CLAMPS = {"ops.maximum": "min", "ops.minimum": "max"}
"""maximum(x, c) is x clamped from below at c, minimum(x, c) from above."""


class OperandsRule(OperationRule):
    """Tensors and constants broadcast like NumPy: the tensors in one layout (the first
    arriving one's), each array constant laid out to match."""

    def layouts(self, config: spec.OperandsOp, site: Site) -> list[Layout | None]:
        scalars_only = all(not isinstance(o, ArrayConstant) for o in config.slots(len(site.input_shapes)))
        return shared_layout(site, flat_ok=scalars_only and len(site.input_shapes) == 1)

    def operands(self, config: spec.OperandsOp, site: Site, inputs: list[Expr]) -> list[Expr | str]:
        tensors = iter(inputs)
        layout = site.layouts[0]
        return [next(tensors) if o is None else torch_constant(o, layout, inputs[0]) for o in config.slots(len(inputs))]

    def combine(self, config: spec.OperandsOp, values: list[Expr | str]) -> Expr:
        raise NotImplementedError

    def torch(self, config: spec.OperandsOp, site: Site, inputs: list[Expr]) -> TorchLayer:
        return TorchLayer(self.combine(config, self.operands(config, site, inputs)), site.layouts[0])


class InfixRule(OperandsRule):
    def combine(self, config: spec.OperandsOp, values: list[Expr | str]) -> Expr:
        a, b = values
        return expr(f"{{}} {INFIX[self.kind]} {{}}", atom(a), atom(b))


for _kind in INFIX:
    rule(_kind)(type(f"{_kind.split('.')[1].title().replace('_', '')}Rule", (InfixRule,), {}))


class FunctionRule(OperandsRule):
    def combine(self, config: spec.OperandsOp, values: list[Expr | str]) -> Expr:
        a, b = values
        clamp = CLAMPS.get(self.kind)
        if clamp and isinstance(a, Expr) != isinstance(b, Expr):  # a tensor and a number
            tensor, number = (a, b) if isinstance(a, Expr) else (b, a)
            return method(tensor, "clamp", **{clamp: number})
        return call(FUNCTIONS[self.kind], *(v if isinstance(v, Expr) else f"torch.tensor({v})" for v in values))


for _kind in FUNCTIONS:
    rule(_kind)(type(f"{_kind.split('.')[1].title().replace('_', '')}Rule", (FunctionRule,), {}))


@rule("ops.where")
class WhereRule(OperandsRule):
    """Keras casts the condition to bool; torch.where takes only a bool condition."""

    def combine(self, config: spec.WhereConfig, values: list[Expr | str]) -> Expr:
        condition, a, b = values
        if not isinstance(condition, Expr):
            raise Unmappable("ops.where with a constant condition is not supported", hint="write x1 or x2 directly")
        return call("torch.where", method(condition, "bool"), a, b)


class KerasLayoutRule(OperationRule):
    """An operation whose meaning is Keras's axis order: its inputs in Keras's layout."""

    def layouts(self, config: Any, site: Site) -> list[Layout | None]:
        return keras_layouts(site)


@rule("ops.matmul")
class MatmulRule(KerasLayoutRule):
    def torch(self, config: spec.MatmulConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        tensors = iter(inputs)
        a, b = (next(tensors) if o is None else torch_constant(o, None, inputs[0]) for o in config.slots(len(inputs)))
        return TorchLayer(expr("{} @ {}", atom(a), atom(b)))


@rule("ops.einsum")
class EinsumRule(KerasLayoutRule):
    positional_fields = ("subscripts",)

    def torch(self, config: spec.EinsumConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        tensors = iter(inputs)
        operands = [
            next(tensors) if o is None else torch_constant(o, None, inputs[0]) for o in config.slots(len(inputs))
        ]
        return TorchLayer(call("torch.einsum", pystr(config.subscripts), *operands))


# -- reductions ------------------------------------------------------------------------

REDUCE_METHODS: dict[str, tuple[str, dict[str, str]]] = {
    "ops.mean": ("mean", {}),
    "ops.sum": ("sum", {}),
    "ops.max": ("amax", {}),
    "ops.min": ("amin", {}),
    "ops.var": ("var", {"correction": "0"}),
    "ops.std": ("std", {"correction": "0"}),
    "ops.argmax": ("argmax", {}),
    "ops.argmin": ("argmin", {}),
    "ops.any": ("any", {}),
    "ops.all": ("all", {}),
}


class ReductionRule(OperationRule):
    """Over Keras's axes, translated into the arriving layout; the kept axes keep their order."""

    def layouts(self, config: Any, site: Site) -> list[Layout | None]:
        return as_arriving(site)

    def reduce(self, config: spec.ReductionOp, site: Site, x: Expr, axes: tuple[int, ...]) -> Expr:
        name, options = REDUCE_METHODS[self.kind]
        keep = {"keepdim": "True"} if config.keepdims else {}
        return method(x, name, dim=dims(site, axes), **options, **keep)

    def torch(self, config: spec.ReductionOp, site: Site, inputs: list[Expr]) -> TorchLayer:
        axes = config.axes(site.rank)
        layout = site.layout if config.keepdims else removed(site.layout, axes)
        return TorchLayer(self.reduce(config, site, inputs[0], axes), layout)


for _kind in REDUCE_METHODS:
    rule(_kind)(type(f"{_kind.split('.')[1].title()}Rule", (ReductionRule,), {}))


@rule("ops.logsumexp")
class LogsumexpRule(ReductionRule):
    def reduce(self, config: spec.ReductionOp, site: Site, x: Expr, axes: tuple[int, ...]) -> Expr:
        keep = {"keepdim": "True"} if config.keepdims else {}
        return call("torch.logsumexp", x, dim=dims(site, axes), **keep)


@rule("ops.norm")
class NormRule(ReductionRule):
    def reduce(self, config: spec.ReductionOp, site: Site, x: Expr, axes: tuple[int, ...]) -> Expr:
        keep = {"keepdim": "True"} if config.keepdims else {}
        return call("torch.linalg.vector_norm", x, dim=dims(site, axes), **keep)


@rule("ops.prod")
class ProdRule(ReductionRule):
    """torch.prod takes one dim: one call per axis, the last first so the others stay put."""

    def reduce(self, config: spec.ReductionOp, site: Site, x: Expr, axes: tuple[int, ...]) -> Expr:
        keep = {"keepdim": "True"} if config.keepdims else {}
        out = x
        for d in sorted((site.dim(a) for a in axes), reverse=True):
            out = method(out, "prod", dim=-1 if d == site.rank - 1 and len(axes) == 1 else d, **keep)
        return out


# -- shapes --------------------------------------------------------------------------


@rule("ops.reshape")
class ReshapeRule(KerasLayoutRule):
    def torch(self, config: spec.ReshapeConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        return TorchLayer(method(inputs[0], "reshape", *config.newshape))


class PermutationRule(OperationRule):
    """Output axis i is input axis perm[i]: one permute from the arriving layout to Keras's."""

    def layouts(self, config: Any, site: Site) -> list[Layout | None]:
        return as_arriving(site)

    def torch(self, config: spec.PermutationOp, site: Site, inputs: list[Expr]) -> TorchLayer:
        perm = config.permutation(site.rank)
        order = tuple(site.dim(a) for a in perm)
        out = Layout.keras(site.rank)
        if order == tuple(range(site.rank)):
            return TorchLayer(inputs[0], out)
        return TorchLayer(method(inputs[0], "permute", *order), out)


for _kind in ("ops.transpose", "ops.swapaxes", "ops.moveaxis"):
    rule(_kind)(type(f"{_kind.split('.')[1].title()}Rule", (PermutationRule,), {}))


@rule("ops.expand_dims")
class ExpandDimsRule(OperationRule):
    """Each new axis goes right after the torch dim of the Keras axis before it."""

    def layouts(self, config: Any, site: Site) -> list[Layout | None]:
        return as_arriving(site)

    def torch(self, config: spec.ExpandDimsConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        perm = list(site.layout.perm)
        out = inputs[0]
        for axis in config.new_axes(site.rank):
            perm = [a + 1 if a >= axis else a for a in perm]
            position = perm.index(axis - 1) + 1
            perm.insert(position, axis)
            out = method(out, "unsqueeze", position)
        return TorchLayer(out, Layout(tuple(perm)))


@rule("ops.squeeze")
class SqueezeRule(OperationRule):
    def layouts(self, config: Any, site: Site) -> list[Layout | None]:
        return as_arriving(site)

    def torch(self, config: spec.SqueezeConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        axes = config.removed(site.input_shape)
        if not axes:
            return TorchLayer(inputs[0], site.layout)
        return TorchLayer(method(inputs[0], "squeeze", dims(site, axes)), removed(site.layout, axes))


@rule("ops.concatenate")
class ConcatenateRule(OperationRule):
    def layouts(self, config: Any, site: Site) -> list[Layout | None]:
        return shared_layout(site)

    def torch(self, config: spec.ConcatenateConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        listed = expr("[" + ", ".join(["{}"] * len(inputs)) + "]", *inputs)
        return TorchLayer(call("torch.cat", listed, dim=dims(site, [config.axis % site.rank])), site.layout)


@rule("ops.stack")
class StackRule(KerasLayoutRule):
    def torch(self, config: spec.StackConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        listed = expr("[" + ", ".join(["{}"] * len(inputs)) + "]", *inputs)
        return TorchLayer(call("torch.stack", listed, dim=config.axis))


@rule("ops.flip")
class FlipRule(OperationRule):
    def layouts(self, config: Any, site: Site) -> list[Layout | None]:
        return as_arriving(site)

    def torch(self, config: spec.FlipConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        axes = spec.reduced_axes(config.axis, site.rank, "ops.flip")
        return TorchLayer(method(inputs[0], "flip", *sorted(site.dim(a) for a in axes)), site.layout)


@rule("ops.tile")
class TileRule(OperationRule):
    def layouts(self, config: Any, site: Site) -> list[Layout | None]:
        return as_arriving(site)

    def torch(self, config: spec.TileConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        repeats = config.full(site.rank)
        return TorchLayer(method(inputs[0], "repeat", *(repeats[a] for a in site.layout.perm)), site.layout)


@rule("ops.repeat")
class RepeatRule(OperationRule):
    def layouts(self, config: Any, site: Site) -> list[Layout | None]:
        return as_arriving(site)

    def torch(self, config: spec.RepeatConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        assert config.axis is not None
        dim = dims(site, [config.axis % site.rank])
        return TorchLayer(method(inputs[0], "repeat_interleave", config.repeats, dim=dim), site.layout)


@rule("ops.pad")
class PadRule(OperationRule):
    """F.pad lists (before, after) from torch's last dim backwards, as far as needed."""

    def layouts(self, config: Any, site: Site) -> list[Layout | None]:
        return as_arriving(site)

    def torch(self, config: spec.PadConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        widths = [config.pad_width[a] for a in site.layout.perm]
        first = next(i for i, w in enumerate(widths) if any(w)) if any(map(any, widths)) else site.rank
        pads = tuple(p for w in reversed(widths[first:]) for p in w)
        if not pads:
            return TorchLayer(inputs[0], site.layout)
        value = {"value": literal(config.constant_values)} if config.constant_values else {}
        return TorchLayer(functional("pad", inputs[0], literal(pads), **value), site.layout)


@rule("ops.take")
class TakeRule(OperationRule):
    """`x[:, :, [0, 2]]`: the indices at the torch dim of Keras's axis."""

    def layouts(self, config: Any, site: Site) -> list[Layout | None]:
        return as_arriving(site)

    def torch(self, config: spec.TakeConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        axis, indices = config.resolved(site.input_shape)
        dim = site.dim(axis)
        key = ", ".join([":"] * dim + [literal(indices)])
        layout = site.layout if isinstance(indices, list) else removed(site.layout, [axis])
        return TorchLayer(expr(f"{{}}[{key}]", atom(inputs[0])), layout)


@rule("ops.get_item")
class GetItemRule(KerasLayoutRule):
    """`x[key]` as written; torch has no negative steps, so an axis sliced backwards is
    flipped first and sliced forwards."""

    def keras_expression(self, config: spec.GetItemConfig, arguments: list[str]) -> str:
        return f"{atom(arguments[0])}[{_key_text(config.key)}]"

    def keras_apply(self, config: spec.GetItemConfig, arguments: list[Any]) -> Any:
        key = tuple(_live_item(config.item(i)) for i in config.key)
        return arguments[0][key]

    def torch(self, config: spec.GetItemConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        key = config.expanded(site.rank)
        if all(not isinstance(i, Slice) or (i.step or 1) > 0 for i in key):
            return TorchLayer(expr(f"{{}}[{_key_text(config.key)}]", atom(inputs[0])))
        flips, items, axis = [], [], 0
        for item in key:
            if isinstance(item, Slice) and (item.step or 1) < 0:
                size = site.input_shape[axis]
                assert size is not None  # the spec refuses backwards slices of unknown sizes
                flips.append(axis)
                item = _forwards(item.indices(size), size)
            axis += item is not None
            items.append(item)
        while items and items[-1] == Slice():
            items.pop()
        flipped = method(inputs[0], "flip", *flips)
        return TorchLayer(expr(f"{{}}[{_key_text(items)}]", flipped) if items else flipped)


def _forwards(picked: range, size: int) -> Slice:
    """The slice of the flipped axis that picks what `picked` (a backwards range) picks:
    index i of the axis is index size - 1 - i of the flipped one."""
    if not picked:
        return Slice(0, 0)
    start, step = size - 1 - picked.start, -picked.step
    stop = start + len(picked) * step
    return Slice(start or None, stop if stop < size else None, step if step != 1 else None)


def _key_text(key: Sequence[Any]) -> str:
    parts = []
    for item in key:
        if isinstance(item, Slice):
            parts.append(item.text())
        elif item is None:
            parts.append("None")
        else:
            parts.append(str(item))
    return ", ".join(parts)


def _live_item(item: Any) -> Any:
    if isinstance(item, Slice):
        return slice(item.start, item.stop, item.step)
    return Ellipsis if item == ELLIPSIS else item


@rule("ops.one_hot")
class OneHotRule(OperationRule):
    """A new last axis, in whatever layout the indices arrive in."""

    def layouts(self, config: Any, site: Site) -> list[Layout | None]:
        return as_arriving(site)

    def torch(self, config: spec.OneHotConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        encoded = functional("one_hot", method(inputs[0], "long"), config.num_classes)
        return TorchLayer(method(encoded, "float"), Layout((*site.layout.perm, site.rank)))


RESIZE_MODES = {"bilinear": '"bilinear", align_corners=False', "nearest": '"nearest-exact"'}
"""Keras's resize samples at half-pixel centres: bilinear without corner alignment, and
the nearest pixel rounding half up (torch's 'nearest-exact', not its 'nearest')."""


@rule("ops.image.resize")
class ResizeRule(OperationRule):
    def layouts(self, config: spec.ResizeConfig, site: Site) -> list[Layout | None]:
        return [Layout.keras(4) if config.channels_first else Layout.channels_first(4)]

    def torch(self, config: spec.ResizeConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        mode = RESIZE_MODES[config.interpolation]
        resized = functional("interpolate", inputs[0], size=literal(tuple(config.size)), mode=mode)
        return TorchLayer(resized, site.layout)


__all__ = ["OperationRule"]
