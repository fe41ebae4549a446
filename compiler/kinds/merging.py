"""Merge layers in torch: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate."""

from __future__ import annotations

from typing import Any

from ...spec.layers import merging as spec
from ..from_torch.reverse import KerasLayer, Matched, Untranslatable, Value, from_call
from ..from_torch.reverse import Site as FromSite
from ..rules.expr import Expr, atom, call, expr
from ..rules.layout import Layout
from ..rules.rule import KindRule, Site, TorchLayer, Unmappable
from . import rule


def _common_layouts(site: Site) -> list[Layout | None]:
    """One layout for every input: the first one known, where all inputs have one rank
    (a flattened vector only where all inputs are flattened alike); Keras's otherwise."""
    ranks = {len(shape) for shape in site.input_shapes}
    known = [layout for layout in site.layouts if layout is not None]
    if len(ranks) > 1:
        return [Layout.keras(len(shape)) for shape in site.input_shapes]
    if not known:
        return [None] * len(site.input_shapes)
    first = known[0]
    if first.flat is not None and any(layout != first for layout in known):
        first = first.unflattened()
    return [first] * len(site.input_shapes)


def _aligned(site: Site, inputs: list[Expr]) -> list[Expr]:
    """Keras gives lower-rank inputs new axes right after the batch axis before
    broadcasting; torch would align them on the right."""
    rank = max(len(s) for s in site.input_shapes)
    out = []
    for x, shape in zip(inputs, site.input_shapes, strict=True):
        missing = rank - len(shape)
        out.append(expr(f"{{}}[:, {', '.join(['None'] * missing)}]", atom(x)) if missing else x)
    return out


class _ChainRule(KindRule):
    """An element-wise merge written as one expression over its inputs."""

    mask_policy = "pass"

    def layouts(self, config: Any, site: Site) -> list[Layout | None]:
        return _common_layouts(site)

    def expression(self, xs: list[Expr]) -> Expr:
        raise NotImplementedError

    def torch(self, config: Any, site: Site, inputs: list[Expr]) -> TorchLayer:
        same_rank = len({len(shape) for shape in site.input_shapes}) == 1
        layout = site.layout if same_rank else Layout.keras(len(site.output_shape))
        return TorchLayer(self.expression(_aligned(site, inputs)), layout)


@rule("Add")
class AddRule(_ChainRule):
    def expression(self, xs: list[Expr]) -> Expr:
        return expr(" + ".join(["{}"] * len(xs)), *xs)


@rule("Subtract")
class SubtractRule(_ChainRule):
    def expression(self, xs: list[Expr]) -> Expr:
        return expr("{} - {}", xs[0], atom(xs[1]))


@rule("Multiply")
class MultiplyRule(_ChainRule):
    def expression(self, xs: list[Expr]) -> Expr:
        return expr(" * ".join(["{}"] * len(xs)), *(atom(x) for x in xs))


@rule("Average")
class AverageRule(_ChainRule):
    def expression(self, xs: list[Expr]) -> Expr:
        if len(xs) == 1:
            return xs[0]
        return expr(f"({' + '.join(['{}'] * len(xs))}) / {len(xs)}", *xs)


def _fold(function: str, xs: list[Expr]) -> Expr:
    out = xs[0]
    for x in xs[1:]:
        out = call(function, out, x)
    return out


@rule("Maximum")
class MaximumRule(_ChainRule):
    def expression(self, xs: list[Expr]) -> Expr:
        return _fold("torch.maximum", xs)


@rule("Minimum")
class MinimumRule(_ChainRule):
    def expression(self, xs: list[Expr]) -> Expr:
        return _fold("torch.minimum", xs)


@rule("Concatenate")
class ConcatenateRule(KindRule):
    """Along Keras's axis, found in the inputs' common layout (channels: dim 1 of a
    channels-first feature map). Along the features, Keras's masks merge as other merges'."""

    mask_policy = "pass"

    def layouts(self, config: spec.ConcatenateConfig, site: Site) -> list[Layout | None]:
        layouts = _common_layouts(site)
        return [layout.unflattened() if layout is not None else None for layout in layouts]

    def torch(self, config: spec.ConcatenateConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        if any(site.masks) and config.axis % site.rank != site.rank - 1:
            raise Unmappable("masks concatenated along the steps are not supported yet", field="axis")
        dim = site.dim(config.axis)
        shown = -1 if dim == site.rank - 1 else dim
        listed = expr("[" + ", ".join(["{}"] * len(inputs)) + "]", *inputs)
        return TorchLayer(call("torch.cat", listed, dim=shown), site.layout)


# -- from PyTorch ---------------------------------------------------------------------------


@from_call("add", ".add", "mul", ".mul", "sub", ".sub")
def _arithmetic(site: FromSite) -> Matched:
    operands = [site.arguments.get("0"), site.arguments.get("1", site.arguments.get("other"))]
    if len(site.inputs) != 2 or not all(isinstance(v, Value) for v in operands):
        raise Untranslatable(f"{site.path} of a tensor and a number: nnspec merges two tensors")
    first, second = site.inputs
    if first.perm != second.perm or first.shape != second.shape:
        raise Untranslatable(f"{site.path} of tensors of shapes {first.shape} and {second.shape}: Keras merges alike")
    kind = {"add": "Add", "mul": "Multiply", "sub": "Subtract"}[site.path.lstrip(".")]
    matched = Matched([KerasLayer(kind, {}, extra_inputs=(second,))])
    matched.nonnegative = kind != "Subtract" and first.nonnegative and second.nonnegative
    return matched


@from_call("cat", "concat", "concatenate")
def _cat(site: FromSite) -> Matched:
    dim = site.arguments.get("dim", site.arguments.get("1", 0))
    first, *others = site.inputs
    if any(v.perm != first.perm for v in others):
        raise Untranslatable("torch.cat of tensors laid out differently")
    axis = first.keras_axis(dim)
    return Matched(
        [KerasLayer("Concatenate", {"axis": -1 if axis == first.rank - 1 else axis}, extra_inputs=tuple(others))]
    )


@rule("Dot")
class DotRule(KindRule):
    """Keras's batch_dot as one einsum over the two inputs in Keras's layout: the batch
    letter shared, the summed axes sharing a letter; a result of the batch axis alone gets a
    unit axis, as Keras gives it. `normalize` scales each input as keras.ops.normalize does,
    x * min(rsqrt(sum(x ** 2)), 1 / epsilon), along its summed axis."""

    def torch(self, config: spec.DotConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        first, second = site.input_shapes
        a, b = config.contracted(site.input_shapes)
        letters = iter("cdefghijklmnopqrstuvwxyz")
        left = ["b", *(next(letters) for _ in first[1:])]
        right = ["b", *(next(letters) for _ in second[1:])]
        right[b] = left[a]
        out = [*left[:a], *left[a + 1 :], *(x for i, x in enumerate(right) if i not in (0, b))]
        if config.normalize:
            inputs = [_l2_normalized(x, axis) for x, axis in zip(inputs, (a, b), strict=True)]
        equation = f"{''.join(left)},{''.join(right)}->{''.join(out)}"
        product = call("torch.einsum", expr(f'"{equation}"'), *inputs)
        if len(out) == 1:
            product = expr("{}.unsqueeze(-1)", atom(product))
        return TorchLayer(product, Layout.keras(len(site.output_shape)))


def _l2_normalized(x: Expr, axis: int) -> Expr:
    """keras.ops.normalize(x, axis): its epsilon is Keras's backend epsilon, 1e-7."""
    scale = expr(f"torch.rsqrt({{}}.square().sum({axis}, keepdim=True)).clamp(max=1e7)", atom(x))
    return expr("{} * {}", atom(x), scale)
