"""Pooling layers in torch: nn.MaxPool1d/2d/3d and nn.AvgPool1d/2d/3d, and the global
poolings as reductions.

Windowed pooling computes channels first, as torch's layers do: a channels_last Keras
feature map arrives as (N, C, ...) (see rules/layout.py), a channels_first one as it is.
Keras's 'same' padding is TensorFlow's: ceil(size / stride) windows, the padding split
with the extra cell after. Where the split is symmetric the module's own `padding` says
it (torch pads max pooling with -inf, and `count_include_pad=False` averages over the
real cells only); an odd split is padded explicitly, and sizes unknown in the spec are
padded by a helper that reads them at run time. Global pooling reduces over the dims
that hold Keras's spatial axes, in whatever layout the value arrives."""

from __future__ import annotations

from typing import Any, ClassVar

from ...spec.layers import pooling as spec
from ...spec.layers.pooling import same_padding
from ..from_torch import reverse
from ..from_torch.reverse import KerasLayer, Matched, Untranslatable, from_call, from_module
from ..from_torch.reverse import Site as FromSite
from ..rules.expr import FUNCTIONAL, Expr, call, expr, functional, method
from ..rules.layout import Layout
from ..rules.rule import KindRule, Site, TorchLayer
from ..rules.torch_helpers import register_helper
from . import rule
from .convolution import channels_first, zero_padding

register_helper(
    "pool_same_pads",
    '''
def pool_same_pads(sizes: torch.Size, kernel: tuple[int, ...], stride: tuple[int, ...]) -> list[int]:
    """F.pad's padding (last axis first) for Keras's 'same' pooling (TensorFlow's) of
    spatial `sizes`: what the strided windows need in all, the extra cell after."""
    pads: list[int] = []
    for size, k, s in zip(reversed(sizes), reversed(kernel), reversed(stride)):
        total = max((-(-size // s) - 1) * s + k - size, 0)
        pads += [total // 2, total - total // 2]
    return pads
''',
)

register_helper(
    "KerasMaxPoolSame",
    '''
class KerasMaxPoolSame(nn.Module):
    """Max pooling with Keras's 'same' padding for spatial sizes known only at run time:
    padded with -inf (never the maximum), the extra cell after."""

    def __init__(self, kernel_size: tuple[int, ...], stride: tuple[int, ...]) -> None:
        super().__init__()
        self.kernel_size, self.stride = kernel_size, stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pool = (F.max_pool1d, F.max_pool2d, F.max_pool3d)[len(self.kernel_size) - 1]
        pads = pool_same_pads(x.shape[2:], self.kernel_size, self.stride)
        return pool(F.pad(x, pads, value=float("-inf")), self.kernel_size, self.stride)
''',
    frozenset({FUNCTIONAL, "pool_same_pads"}),
)

register_helper(
    "KerasAvgPoolSame",
    '''
class KerasAvgPoolSame(nn.Module):
    """Average pooling with Keras's 'same' padding where torch's symmetric `padding`
    cannot say it (an odd total, the extra cell after; sizes known only at run time):
    the mean over the window's cells inside the input only, as TensorFlow takes it."""

    def __init__(self, kernel_size: tuple[int, ...], stride: tuple[int, ...]) -> None:
        super().__init__()
        self.kernel_size, self.stride = kernel_size, stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pool = (F.avg_pool1d, F.avg_pool2d, F.avg_pool3d)[len(self.kernel_size) - 1]
        pads = pool_same_pads(x.shape[2:], self.kernel_size, self.stride)
        total = pool(F.pad(x, pads), self.kernel_size, self.stride)
        inside = pool(F.pad(torch.ones_like(x[:1, :1]), pads), self.kernel_size, self.stride)
        # both are divided by the whole window: their ratio is the real cells' sum by their count
        return total / inside
''',
    frozenset({FUNCTIONAL, "pool_same_pads"}),
)


def _size(values: tuple[int, ...]) -> int | tuple[int, ...]:
    """3 for (3, 3): as a person writes a square window."""
    return values[0] if len(set(values)) == 1 else values


def _native(config: spec._Spatial, rank: int) -> Layout:
    """(N, C, spatial...): torch's order for a channels_last map, Keras's own for a channels_first one."""
    return Layout.channels_first(rank) if config.channels_last else Layout.keras(rank)


def _same_pads(config: spec._Pooling, site: Site) -> list[tuple[int, int]] | None:
    """(before, after) per spatial axis for 'same' padding; None where a strided axis's
    size is unknown in the spec (the padding then depends on the size at run time)."""
    pairs = []
    for axis, k, s in zip(config.spatial_axes(), config.pool, config.stride, strict=True):
        size = site.input_shape[axis]
        if size is None and s > 1:
            return None
        pairs.append(same_padding(size or 1, k, s))  # stride 1: k - 1 in all, whatever the size
    return pairs


class _PoolingRule(KindRule):
    """nn.MaxPoolNd / nn.AvgPoolNd, Keras's window and stride in Keras's axis order."""

    keras_positional = ("pool_size",)
    module: ClassVar[str]
    """'MaxPool' or 'AvgPool'."""
    helper: ClassVar[str]
    """The helper module that pads as Keras does from the sizes it meets at run time."""

    def layouts(self, config: spec._Pooling, site: Site) -> list[Layout | None]:
        return [_native(config, site.rank)]

    def torch(self, config: spec._Pooling, site: Site, inputs: list[Expr]) -> TorchLayer:
        (x,) = inputs
        layer = TorchLayer(output_layout=_native(config, site.rank))
        pairs = _same_pads(config, site) if config.padding == "same" else [(0, 0)] * config.rank
        if pairs is None:
            self.helper_layer(config, site, layer, x)
        elif any(before != after for before, after in pairs) or not self.pads_in_module(config, site, pairs):
            self.explicit_padding(config, site, layer, x, pairs)
        else:
            padding = tuple(before for before, _ in pairs)
            m = layer.module(site.attr, self.module_call(config, padding), shape_only=True)
            layer.forward = expr(f"{m}({{}})", x)
        return layer

    def module_call(self, config: spec._Pooling, padding: tuple[int, ...]) -> Expr:
        """`nn.MaxPool2d(3, stride=2, padding=1)`: torch's own symmetric padding."""
        options: dict[str, object] = {}
        if config.stride != config.pool:
            options["stride"] = _size(config.stride)
        if any(padding):
            options["padding"] = _size(padding)
            options |= self.padding_options()
        return call(f"nn.{self.module}{config.rank}d", _size(config.pool), **options)

    def padding_options(self) -> dict[str, object]:
        return {}

    def pads_in_module(self, config: spec._Pooling, site: Site, pairs: list[tuple[int, int]]) -> bool:
        """Whether torch's module takes this symmetric padding."""
        return True

    def helper_layer(self, config: spec._Pooling, site: Site, layer: TorchLayer, x: Expr) -> None:
        m = layer.module(site.attr, call(self.helper, config.pool, config.stride, needs={self.helper}), shape_only=True)
        layer.forward = expr(f"{m}({{}})", x)

    def explicit_padding(
        self, config: spec._Pooling, site: Site, layer: TorchLayer, x: Expr, pairs: list[tuple[int, int]]
    ) -> None:
        """'same' padding of known sizes that torch's module cannot take (an extra cell after)."""
        raise NotImplementedError


class _MaxPoolingRule(_PoolingRule):
    module = "MaxPool"
    helper = "KerasMaxPoolSame"

    def explicit_padding(
        self, config: spec._Pooling, site: Site, layer: TorchLayer, x: Expr, pairs: list[tuple[int, int]]
    ) -> None:
        """Padded with -inf explicitly (F.pad takes the last axis first), then pooled."""
        flat = tuple(p for pair in reversed(pairs) for p in pair)
        m = layer.module(site.attr, self.module_call(config, (0,) * config.rank), shape_only=True)
        layer.forward = expr(f"{m}({{}})", functional("pad", x, flat, value='float("-inf")'))


class _AvgPoolingRule(_PoolingRule):
    module = "AvgPool"
    helper = "KerasAvgPoolSame"

    def padding_options(self) -> dict[str, object]:
        return {"count_include_pad": False}  # Keras averages over the cells inside the input

    def pads_in_module(self, config: spec._Pooling, site: Site, pairs: list[tuple[int, int]]) -> bool:
        """torch's avg_pool3d refuses an input smaller than the window even where the
        padding makes room: a padded 3D average pooling needs every size known and that large."""
        if config.rank < 3 or not any(before for before, _ in pairs):
            return True
        sizes = [site.input_shape[axis] for axis in config.spatial_axes()]
        return all(n is not None and n >= k for n, k in zip(sizes, config.pool, strict=True))

    def explicit_padding(
        self, config: spec._Pooling, site: Site, layer: TorchLayer, x: Expr, pairs: list[tuple[int, int]]
    ) -> None:
        """No torch module divides by the count of real cells under uneven padding (nor, in 3D,
        pads an input smaller than the window): the helper does."""
        self.helper_layer(config, site, layer, x)


@rule("MaxPooling1D")
class MaxPooling1DRule(_MaxPoolingRule):
    pass


@rule("MaxPooling2D")
class MaxPooling2DRule(_MaxPoolingRule):
    pass


@rule("MaxPooling3D")
class MaxPooling3DRule(_MaxPoolingRule):
    pass


@rule("AveragePooling1D")
class AveragePooling1DRule(_AvgPoolingRule):
    pass


@rule("AveragePooling2D")
class AveragePooling2DRule(_AvgPoolingRule):
    pass


@rule("AveragePooling3D")
class AveragePooling3DRule(_AvgPoolingRule):
    pass


class _GlobalPoolingRule(KindRule):
    """A reduction over the torch dims holding Keras's spatial axes, in the layout the
    value arrives in: with keepdims the result keeps that layout, without it is
    (batch, channels), Keras's own order."""

    reduction: ClassVar[str]
    """The tensor method: 'amax' or 'mean'."""

    def layouts(self, config: spec._GlobalPooling, site: Site) -> list[Layout | None]:
        return [None]

    def torch(self, config: spec._GlobalPooling, site: Site, inputs: list[Expr]) -> TorchLayer:
        dims = tuple(sorted(site.dim(axis) for axis in config.spatial_axes()))
        options: dict[str, object] = {"dim": dims[0] if len(dims) == 1 else dims}
        if config.keepdims:
            options["keepdim"] = True
        layout = site.layout if config.keepdims else Layout.keras(2)
        return TorchLayer(method(inputs[0], self.reduction, **options), layout)


class _GlobalMaxRule(_GlobalPoolingRule):
    reduction = "amax"


class _GlobalAverageRule(_GlobalPoolingRule):
    reduction = "mean"


@rule("GlobalMaxPooling1D")
class GlobalMaxPooling1DRule(_GlobalMaxRule):
    pass


@rule("GlobalMaxPooling2D")
class GlobalMaxPooling2DRule(_GlobalMaxRule):
    pass


@rule("GlobalMaxPooling3D")
class GlobalMaxPooling3DRule(_GlobalMaxRule):
    pass


@rule("GlobalAveragePooling1D")
class GlobalAveragePooling1DRule(_GlobalAverageRule):
    """With a Keras mask, the mean over the steps the mask keeps, as Keras computes it."""

    mask_policy = "read"

    def torch(self, config: spec._GlobalPooling, site: Site, inputs: list[Expr]) -> TorchLayer:
        mask = site.masks[0] if site.masks else None
        if mask is None:
            return super().torch(config, site, inputs)
        steps = site.dim(config.spatial_axes()[0])
        keep = f"{mask}.unsqueeze({3 - steps})"  # (batch, steps) against (batch, steps, features) or its transpose
        keepdim = ", keepdim=True" if config.keepdims else ""
        text = f"torch.where({keep}, {{}}, 0.0).sum({steps}{keepdim}) / {keep}.sum({steps}{keepdim})"
        return TorchLayer(expr(text, inputs[0]), site.layout if config.keepdims else Layout.keras(2))


@rule("GlobalAveragePooling2D")
class GlobalAveragePooling2DRule(_GlobalAverageRule):
    pass


@rule("GlobalAveragePooling3D")
class GlobalAveragePooling3DRule(_GlobalAverageRule):
    pass


# -- from PyTorch ---------------------------------------------------------------------------


@from_module("MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d")
def _pool(module: Any, site: FromSite) -> Matched:
    """A pooling, after zero padding where torch pads: exact for an average that counts the
    padding (torch's default), and for a maximum of values known non-negative (after a ReLU)."""
    kind = type(module).__name__
    n = int(kind[-2])
    kernel, stride, pads = (
        _tuple(v, n) for v in (module.kernel_size, module.stride or module.kernel_size, module.padding)
    )
    if module.ceil_mode:
        raise Untranslatable("ceil_mode=True: Keras's pooling drops the last partial window")
    maximum = kind.startswith("Max")
    if maximum and any(d != 1 for d in _tuple(module.dilation, n)):
        raise Untranslatable("a dilated max pooling has no Keras layer")
    if not maximum and ((not module.count_include_pad and any(pads)) or getattr(module, "divisor_override", None)):
        raise Untranslatable("an average pooling that does not count the padding has no Keras layer")
    if maximum and any(pads) and not site.value.nonnegative:
        raise Untranslatable("a padded max pooling of values that may be negative: torch pads with -inf, Keras with 0")
    before = [zero_padding(pads)] if any(pads) else []
    layer = KerasLayer(
        f"{'Max' if maximum else 'Average'}Pooling{n}D", {"pool_size": list(kernel), "strides": list(stride)}
    )
    matched = Matched([*channels_first(site), *before, layer], channels_first=True)
    matched.nonnegative = site.value.nonnegative
    return matched


@from_module("AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d")
def _adaptive_pool(module: Any, site: FromSite) -> Matched:
    kind = type(module).__name__
    n = int(kind[-2])
    if any(size != 1 for size in _tuple(module.output_size, n)):
        raise Untranslatable(f"an adaptive pooling to {module.output_size}: nnspec maps one to size 1 (global pooling)")
    layer = KerasLayer(f"Global{'Max' if 'Max' in kind else 'Average'}Pooling{n}D", {"keepdims": True})
    return Matched([*channels_first(site), layer], channels_first=True)


@from_call(".mean", "mean")
def _mean(site: FromSite) -> Matched:
    """A mean over every spatial axis (or the steps of a sequence): global average pooling."""
    value = site.value
    dims = site.arguments.get("dim", site.arguments.get("1"))
    keep = bool(site.arguments.get("keepdim", site.arguments.get("2", False)))
    dims = sorted(d % value.rank for d in (dims if isinstance(dims, list | tuple) else [dims]))
    axes = sorted(value.keras_axis(d) for d in dims)
    if axes != list(range(1, value.rank - 1)) or not axes:
        raise Untranslatable(f"a mean over dims {dims}: nnspec maps a mean over every axis but the batch and the last")
    matched = reverse.one(f"GlobalAveragePooling{len(axes)}D", keepdims=keep)
    if keep:
        matched.order = value.perm
    else:  # the batch and Keras's last axis are left, in torch's order
        left = [value.perm[d] for d in range(value.rank) if d not in dims]
        matched.order = tuple(sorted(left).index(axis) for axis in left)
    return matched


def _tuple(value: Any, n: int) -> tuple[int, ...]:
    return tuple(value) if isinstance(value, list | tuple) else (value,) * n
