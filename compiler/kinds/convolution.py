"""Convolution layers in torch: nn.Conv1d/2d/3d (depthwise ones with groups), the
transposes, and separable convolutions as a depthwise and a pointwise module.

They compute channels first, as torch's layers do: a channels_last Keras feature map
arrives as (N, C, ...) (see rules/layout.py), a channels_first one as it is. Keras's
'same' padding is TensorFlow's: when it is symmetric it is the module's `padding`,
otherwise the extra cell goes after, padded explicitly."""

from __future__ import annotations

from typing import Any

from ...spec.layers import convolution as spec
from ...spec.layers.convolution import same_padding
from ..from_torch.reverse import KerasLayer, Matched, Untranslatable, arranged, channels_first_order, from_module
from ..from_torch.reverse import Site as FromSite
from ..rules.expr import FUNCTIONAL, Expr, atom, call, expr, functional
from ..rules.layout import Layout
from ..rules.rule import KindRule, Site, TorchLayer
from ..rules.torch_helpers import register_helper
from ..rules.transfer import Permute, Reshape, Transfer
from . import rule
from .activations import activation_expr

register_helper(
    "same_pad",
    '''
def same_pad(
    x: torch.Tensor, kernel: tuple[int, ...], stride: tuple[int, ...], dilation: tuple[int, ...]
) -> torch.Tensor:
    """Keras's 'same' padding (TensorFlow's) for spatial sizes known only at run time:
    what a strided window needs in all, the extra cell after."""
    pads: list[int] = []
    for size, k, s, d in zip(reversed(x.shape[2:]), reversed(kernel), reversed(stride), reversed(dilation)):
        total = max((-(-size // s) - 1) * s + d * (k - 1) + 1 - size, 0)
        pads += [total // 2, total - total // 2]
    return F.pad(x, pads)
''',
    frozenset({FUNCTIONAL}),
)


def _size(values: tuple[int, ...]) -> int | tuple[int, ...]:
    """3 for (3, 3): as a person writes a square kernel."""
    return values[0] if len(set(values)) == 1 else values


def _torch_kernel_axes(rank: int) -> tuple[int, ...]:
    """Keras (k..., in, out) -> torch (out, in, k...)."""
    return (rank + 1, rank, *range(rank))


class _Padding:
    """How one convolution pads: the module's own `padding`, or explicit before/after
    pads (F.pad), or pads computed at run time (sizes unknown in the spec)."""

    def __init__(self, config: spec._Spatial, site: Site) -> None:
        self.module: int | tuple[int, ...] = 0
        self.explicit: tuple[int, ...] | None = None
        self.dynamic = False
        if config.padding == "valid":
            return
        rank = config.rank
        if config.padding == "causal":  # the start only: the output at t sees inputs up to t
            self.explicit = ((config.kernel[0] - 1) * config.dilation[0], 0)
            return
        sizes = [site.input_shape[a] for a in config.spatial_axes()]
        if any(n is None for n, s in zip(sizes, config.stride, strict=True) if s > 1):
            self.dynamic = True
            return
        pairs = [
            same_padding(n or 1, k, s, d) if s > 1 else ((d * (k - 1)) // 2, d * (k - 1) - (d * (k - 1)) // 2)
            for n, k, s, d in zip(sizes, config.kernel, config.stride, config.dilation, strict=True)
        ]
        if all(before == after for before, after in pairs):
            self.module = _size(tuple(before for before, _ in pairs))
        else:  # F.pad takes the last axis first
            self.explicit = tuple(p for pair in reversed(pairs) for p in pair)
        assert rank == len(pairs)

    def options(self) -> dict[str, object]:
        return {"padding": self.module} if self.module else {}

    def input(self, x: Expr, config: spec._Spatial) -> Expr:
        if self.explicit is not None:
            return functional("pad", x, self.explicit)
        if self.dynamic:
            return call("same_pad", x, config.kernel, config.stride, config.dilation, needs={"same_pad"})
        return x


def _conv_options(config: spec._Spatial, padding: _Padding) -> dict[str, object]:
    options: dict[str, object] = {}
    if max(config.stride) > 1:
        options["stride"] = _size(config.stride)
    options |= padding.options()
    if max(config.dilation) > 1:
        options["dilation"] = _size(config.dilation)
    return options


class _ChannelsFirstRule(KindRule):
    """Computes in torch's (N, C, spatial...) order."""

    def layouts(self, config: spec._Spatial, site: Site) -> list[Layout | None]:
        return [_native(config, site.rank)]


def _native(config: spec._Spatial, rank: int) -> Layout:
    """(N, C, spatial...): torch's order for a channels_last map, Keras's own for a channels_first one."""
    return Layout.channels_first(rank) if config.channels_last else Layout.keras(rank)


def _finish(config: spec._Spatial, site: Site, layer: TorchLayer, value: Expr) -> TorchLayer:
    """The layer's activation on `value`, and its output layout."""
    layout = _native(config, len(site.output_shape))
    layer.forward = activation_expr(config.activation, value, site, layer, layout)
    layer.output_layout = layout
    return layer


def _bias(config: spec._Spatial, site: Site, layer: TorchLayer, attr: str) -> None:
    if config.use_bias:
        bias = site.weight("bias")
        layer.add_weight(bias, attr, "bias", Transfer.same(bias.shape))


def _one_module(config: spec._Spatial, site: Site, constructor: Expr, transfer: Transfer, x: Expr) -> TorchLayer:
    """A convolution that is one torch module: its kernel (through `transfer`) and bias."""
    layer = TorchLayer()
    m = layer.module(site.attr, constructor, shape_only=True)
    layer.add_weight(site.weight("kernel"), site.attr, "weight", transfer)
    _bias(config, site, layer, site.attr)
    return _finish(config, site, layer, expr(f"{m}({{}})", x))


def _bias_option(config: spec._Spatial) -> dict[str, object]:
    return {} if config.use_bias else {"bias": False}


class _ConvRule(_ChannelsFirstRule):
    keras_positional = ("filters", "kernel_size")

    def torch(self, config: spec._Conv, site: Site, inputs: list[Expr]) -> TorchLayer:
        rank = config.rank
        channels = config.channels(site.input_shape)
        padding = _Padding(config, site)
        options = _conv_options(config, padding)
        if config.groups > 1:
            options["groups"] = config.groups
        options |= _bias_option(config)
        ctor = call(f"nn.Conv{rank}d", channels, config.filters, _size(config.kernel), **options)
        kernel = site.weight("kernel")
        transfer = Transfer.permute(kernel.shape, _torch_kernel_axes(rank))
        return _one_module(config, site, ctor, transfer, padding.input(inputs[0], config))


@rule("Conv1D")
class Conv1DRule(_ConvRule):
    pass


@rule("Conv2D")
class Conv2DRule(_ConvRule):
    pass


@rule("Conv3D")
class Conv3DRule(_ConvRule):
    pass


class _TransposeRule(_ChannelsFirstRule):
    """torch's ConvTranspose crops `padding` cells from both ends of the full transposed
    output and adds `output_padding` at the end; Keras (TensorFlow) crops what its 'same'
    padding would have padded, the extra cell at the end. Where one module cannot say
    that, the full output is cropped by slicing."""

    keras_positional = ("filters", "kernel_size")

    def torch(self, config: spec._ConvTranspose, site: Site, inputs: list[Expr]) -> TorchLayer:
        rank = config.rank
        plans = [_transpose_axis(config, axis) for axis in range(rank)]
        options: dict[str, object] = {}
        if max(config.stride) > 1:
            options["stride"] = _size(config.stride)
        if any(p[0] for p in plans):
            options["padding"] = _size(tuple(p[0] for p in plans))
        if any(p[1] for p in plans):
            options["output_padding"] = _size(tuple(p[1] for p in plans))
        if max(config.dilation) > 1:
            options["dilation"] = _size(config.dilation)
        options |= _bias_option(config)
        layer = TorchLayer()
        channels = config.channels(site.input_shape)
        ctor = call(f"nn.ConvTranspose{rank}d", channels, config.filters, _size(config.kernel), **options)
        m = layer.module(site.attr, ctor, shape_only=True)
        kernel = site.weight("kernel")
        layer.add_weight(kernel, site.attr, "weight", Transfer.permute(kernel.shape, _torch_kernel_axes(rank)))
        _bias(config, site, layer, site.attr)
        value = expr(f"{m}({{}})", inputs[0])
        crops = [(p[2], p[3]) for p in plans]
        if any(before or after for before, after in crops):
            value = expr(f"{{}}[:, :, {', '.join(_slice(b, a) for b, a in crops)}]", atom(value))
        return _finish(config, site, layer, value)


def _transpose_axis(config: spec._ConvTranspose, axis: int) -> tuple[int, int, int, int]:
    """(torch padding, torch output_padding, crop before, crop after) for one axis.

    The full transposed output has (n - 1) * s + k_eff cells; Keras keeps `out` of them
    from `before` on, where `before` is the 'same' padding a forward convolution of the
    output would have had. Both are independent of n."""
    k, s, d = config.kernel[axis], config.stride[axis], config.dilation[axis]
    extra = None if config.extra is None else config.extra[axis]
    effective = (k - 1) * d + 1
    n = 4  # any size: the crops do not depend on it
    out = spec.transpose_length(n, k, s, d, config.padding, extra)
    assert out is not None
    full = (n - 1) * s + effective
    before = same_padding(out, k, s, d)[0] if config.padding == "same" else 0
    after = full - out - before  # negative: cells added at the end (output_padding)
    torch_padding = max(min(before, after), 0)
    output_padding = max(torch_padding - after, 0)
    return torch_padding, output_padding, before - torch_padding, max(after - torch_padding, 0)


def _slice(before: int, after: int) -> str:
    return f"{before or ''}:{-after if after else ''}"


@rule("Conv1DTranspose")
class Conv1DTransposeRule(_TransposeRule):
    pass


@rule("Conv2DTranspose")
class Conv2DTransposeRule(_TransposeRule):
    pass


@rule("Conv3DTranspose")
class Conv3DTransposeRule(_TransposeRule):
    pass


def _depthwise_transfer(shape: tuple[int, ...], rank: int) -> Transfer:
    """Keras (k..., C, M) -> torch (C * M, 1, k...): output channel c * M + m, as both order them."""
    channels, multiplier = shape[rank], shape[rank + 1]
    kernel = shape[:rank]
    return Transfer(shape, (Permute((rank, rank + 1, *range(rank))), Reshape((channels * multiplier, 1, *kernel))))


class _DepthwiseRule(_ChannelsFirstRule):
    """nn.Conv with groups = channels: each channel convolved with its own kernels."""

    keras_positional = ("kernel_size",)

    def torch(self, config: spec._Depthwise, site: Site, inputs: list[Expr]) -> TorchLayer:
        rank = config.rank
        channels = config.channels(site.input_shape)
        padding = _Padding(config, site)
        options = {**_conv_options(config, padding), "groups": channels, **_bias_option(config)}
        outputs = channels * config.depth_multiplier
        ctor = call(f"nn.Conv{rank}d", channels, outputs, _size(config.kernel), **options)
        transfer = _depthwise_transfer(site.weight("kernel").shape, rank)
        return _one_module(config, site, ctor, transfer, padding.input(inputs[0], config))


@rule("DepthwiseConv1D")
class DepthwiseConv1DRule(_DepthwiseRule):
    pass


@rule("DepthwiseConv2D")
class DepthwiseConv2DRule(_DepthwiseRule):
    pass


class _SeparableRule(_ChannelsFirstRule):
    """Two modules, `<layer>_depthwise` (groups = channels, no bias) and
    `<layer>_pointwise` (a 1x1 convolution carrying the bias), as Keras computes it."""

    keras_positional = ("filters", "kernel_size")

    def torch(self, config: spec._Separable, site: Site, inputs: list[Expr]) -> TorchLayer:
        rank = config.rank
        channels = config.channels(site.input_shape)
        middle = channels * config.depth_multiplier
        padding = _Padding(config, site)
        layer = TorchLayer()
        depthwise_attr = site.attrs.name(f"{site.attr}_depthwise")
        pointwise_attr = site.attrs.name(f"{site.attr}_pointwise")
        options = {**_conv_options(config, padding), "groups": channels, "bias": False}
        depthwise = layer.module(
            depthwise_attr, call(f"nn.Conv{rank}d", channels, middle, _size(config.kernel), **options), shape_only=True
        )
        pointwise = layer.module(
            pointwise_attr, call(f"nn.Conv{rank}d", middle, config.filters, 1, **_bias_option(config)), shape_only=True
        )
        depthwise_kernel = site.weight("depthwise_kernel")
        pointwise_kernel = site.weight("pointwise_kernel")
        layer.add_weight(depthwise_kernel, depthwise_attr, "weight", _depthwise_transfer(depthwise_kernel.shape, rank))
        layer.add_weight(
            pointwise_kernel,
            pointwise_attr,
            "weight",
            Transfer.permute(pointwise_kernel.shape, _torch_kernel_axes(rank)),
        )
        _bias(config, site, layer, pointwise_attr)
        inner = expr(f"{depthwise}({{}})", padding.input(inputs[0], config))
        return _finish(config, site, layer, expr(f"{pointwise}({{}})", inner))


@rule("SeparableConv1D")
class SeparableConv1DRule(_SeparableRule):
    pass


@rule("SeparableConv2D")
class SeparableConv2DRule(_SeparableRule):
    pass


# -- from PyTorch ---------------------------------------------------------------------------


@from_module("Conv1d", "Conv2d", "Conv3d")
def _conv(module: Any, site: FromSite) -> Matched:
    """A convolution, after a ZeroPadding layer where torch's padding is not Keras's
    'same' (Keras pads a strided 'same' convolution more at the end, torch evenly)."""
    n = len(module.kernel_size)
    if module.padding_mode != "zeros":
        raise Untranslatable(f"padding_mode={module.padding_mode!r}: Keras pads with zeros")
    in_channels, out_channels, groups = module.in_channels, module.out_channels, module.groups
    padding, before = conv_padding(module.padding, module.kernel_size, module.stride, module.dilation)
    config: dict[str, Any] = {
        "kernel_size": list(module.kernel_size),
        "strides": list(module.stride),
        "padding": padding,
        "dilation_rate": list(module.dilation),
        "use_bias": module.bias is not None,
    }
    weights = {"kernel": (module.weight,)} | ({"bias": (module.bias,)} if module.bias is not None else {})
    if groups == 1:
        layer = KerasLayer(f"Conv{n}D", {"filters": out_channels, **config}, weights)
    elif groups == in_channels and out_channels % in_channels == 0 and n < 3:
        layer = KerasLayer(f"DepthwiseConv{n}D", {"depth_multiplier": out_channels // in_channels, **config}, weights)
    else:
        raise Untranslatable(f"groups={groups}: Keras on the CPU computes no grouped convolution but depthwise")
    return Matched([*channels_first(site), *before, layer], channels_first=True)


def channels_first(site: FromSite) -> list[KerasLayer]:
    """What puts the site's tensor in torch's (N, C, ...) over Keras's (N, ..., C): nothing
    where it is, a Permute otherwise (a tensor torch reordered before the layer)."""
    return arranged(site.value, channels_first_order(site.value.rank))


def conv_padding(padding: Any, kernel: tuple[int, ...], stride: tuple[int, ...], dilation: tuple[int, ...]) -> Any:
    """torch's padding as Keras's: 'valid', 'same', or 'valid' after a ZeroPadding layer."""
    if padding in ("valid", "same"):
        return padding, []
    pads = tuple(padding)
    if not any(pads):
        return "valid", []
    centred = all(p * 2 == d * (k - 1) for p, k, d in zip(pads, kernel, dilation, strict=True))
    if centred and all(s == 1 for s in stride):
        return "same", []
    return "valid", [zero_padding(pads)]


def zero_padding(pads: tuple[int, ...]) -> KerasLayer:
    """Keras's ZeroPadding layer padding each spatial axis by `pads` on both sides."""
    padding: list[Any] = [pads[0], pads[0]] if len(pads) == 1 else [[p, p] for p in pads]
    return KerasLayer(f"ZeroPadding{len(pads)}D", {"padding": padding})


@from_module("ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d")
def _conv_transpose(module: Any, site: FromSite) -> Matched:
    """A transposed convolution with 'valid' padding (and torch's output_padding), cropped
    by torch's `padding` on each side: torch's output length is Keras's minus 2 * padding."""
    n = len(module.kernel_size)
    if module.groups != 1 or module.padding_mode != "zeros":
        raise Untranslatable("a grouped transposed convolution, or one padding otherwise than with zeros")
    config: dict[str, Any] = {
        "filters": module.out_channels,
        "kernel_size": list(module.kernel_size),
        "strides": list(module.stride),
        "padding": "valid",
        "dilation_rate": list(module.dilation),
        "use_bias": module.bias is not None,
    }
    if any(module.output_padding):
        config["output_padding"] = list(module.output_padding)
    weights = {"kernel": (module.weight,)} | ({"bias": (module.bias,)} if module.bias is not None else {})
    layers = [*channels_first(site), KerasLayer(f"Conv{n}DTranspose", config, weights)]
    if any(module.padding):
        pads = tuple(module.padding)
        cropping: list[Any] = [pads[0], pads[0]] if n == 1 else [[p, p] for p in pads]
        layers.append(KerasLayer(f"Cropping{n}D", {"cropping": cropping}))
    return Matched(layers, channels_first=True)
