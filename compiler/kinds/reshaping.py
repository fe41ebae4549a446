"""Reshaping layers in torch: ZeroPadding1D/2D/3D, Cropping1D/2D/3D, UpSampling1D/2D/3D,
Permute, RepeatVector.

Padding, cropping and nearest upsampling work on whatever layout arrives: each finds the
torch dims holding Keras's spatial axes, so none of them forces a permute. Bilinear
upsampling is F.interpolate, which needs torch's N, C, H, W. Permute moves no data where
the arriving layout already holds the permuted tensor in a layout of its own (the usual
Keras or channels-first one); otherwise it permutes once, keeping the arriving pattern."""

from __future__ import annotations

from typing import Any

from ...spec.layers import reshaping as spec
from ..from_torch.reverse import (
    KerasLayer,
    Matched,
    Untranslatable,
    arranged,
    channels_first_order,
    from_call,
    from_module,
)
from ..from_torch.reverse import Site as FromSite
from ..rules.expr import Expr, atom, expr, functional, method
from ..rules.layout import Layout
from ..rules.rule import KindRule, Site, TorchLayer, Unmappable
from . import rule

RESIZED_AS_NEAREST = {"nearest", "area"}
"""Interpolations that equal repeating each pixel at whole upsampling factors: TensorFlow's
'area' averages the one input pixel each output pixel lies in (equal up to rounding)."""

REFUSED_INTERPOLATIONS = {
    "bicubic": (
        "TensorFlow's bicubic resize uses the Keys kernel with a = -0.5 and drops taps outside the image, "
        "torch's uses a = -0.75 and repeats the edge pixels: the values differ"
    ),
    "lanczos3": "torch has no Lanczos resampling",
    "lanczos5": "torch has no Lanczos resampling",
}


def _as_arriving(site: Site) -> list[Layout | None]:
    """Take the input as it arrives (a flattened vector's features back in Keras's order)."""
    arriving = site.layouts[0]
    return [None if arriving is None else arriving.unflattened()]


def _unchanged(x: Expr, why: str) -> Expr:
    """The input itself, with the reason no torch operation is needed."""
    return Expr(f"{x}  # {why}", x.needs)


def _pad_argument(site: Site, pairs: dict[int, tuple[int, int]]) -> tuple[int, ...]:
    """F.pad's flat (before, after) list, from the last torch dim back to the first padded one."""
    by_dim = {site.dim(axis): pair for axis, pair in pairs.items()}
    out: list[int] = []
    for dim in range(site.rank - 1, min(by_dim) - 1, -1):
        out += by_dim.get(dim, (0, 0))
    return tuple(out)


def _slice(before: int, after: int) -> str:
    return f"{before or ''}:{f'-{after}' if after else ''}"


class _SpatialRule(KindRule):
    """Works on any layout: output in the layout of the input."""

    keras_positional = ("padding",)

    def layouts(self, config: Any, site: Site) -> list[Layout | None]:
        return _as_arriving(site)

    def torch(self, config: Any, site: Site, inputs: list[Expr]) -> TorchLayer:
        return TorchLayer(self.forward(config, site, inputs[0]), site.layout)

    def forward(self, config: Any, site: Site, x: Expr) -> Expr:
        raise NotImplementedError


class _PaddingRule(_SpatialRule):
    def forward(self, config: spec.ZeroPadding2DConfig, site: Site, x: Expr) -> Expr:
        pairs = dict(zip(config.spatial_axes, config.pairs(), strict=True))
        return functional("pad", x, _pad_argument(site, pairs))


@rule("ZeroPadding1D")
class ZeroPadding1DRule(_PaddingRule):
    pass


@rule("ZeroPadding2D")
class ZeroPadding2DRule(_PaddingRule):
    pass


@rule("ZeroPadding3D")
class ZeroPadding3DRule(_PaddingRule):
    pass


class _CroppingRule(_SpatialRule):
    keras_positional = ("cropping",)

    def forward(self, config: spec.Cropping2DConfig, site: Site, x: Expr) -> Expr:
        by_dim = {site.dim(a): p for a, p in zip(config.spatial_axes, config.pairs(), strict=True) if any(p)}
        if not by_dim:
            return _unchanged(x, f"{config.kind} with nothing to crop")
        index = ", ".join(_slice(*by_dim.get(dim, (0, 0))) for dim in range(max(by_dim) + 1))
        return expr(f"{{}}[{index}]", atom(x))


@rule("Cropping1D")
class Cropping1DRule(_CroppingRule):
    pass


@rule("Cropping2D")
class Cropping2DRule(_CroppingRule):
    pass


@rule("Cropping3D")
class Cropping3DRule(_CroppingRule):
    pass


class _RepeatRule(_SpatialRule):
    """Nearest upsampling: each entry repeated along each spatial axis, in any layout."""

    keras_positional = ("size",)

    def forward(self, config: Any, site: Site, x: Expr) -> Expr:
        out = x
        for axis, factor in zip(config.spatial_axes, config.factors(), strict=True):
            if factor > 1:
                out = method(out, "repeat_interleave", factor, dim=site.dim(axis))
        return out if out is not x else _unchanged(x, f"{config.kind} by 1 on every axis")


@rule("UpSampling1D")
class UpSampling1DRule(_RepeatRule):
    pass


@rule("UpSampling3D")
class UpSampling3DRule(_RepeatRule):
    pass


@rule("UpSampling2D")
class UpSampling2DRule(_RepeatRule):
    """'nearest' (and 'area', the same at whole factors) repeats in any layout. 'bilinear'
    is F.interpolate on N, C, H, W: Keras 3 calls ops.image.resize, TensorFlow's resize
    with half-pixel centres and no antialiasing, which is torch's align_corners=False."""

    def layouts(self, config: spec.UpSampling2DConfig, site: Site) -> list[Layout | None]:
        if config.interpolation in RESIZED_AS_NEAREST:
            return _as_arriving(site)
        # Keras's tensor is N, C, H, W already for channels_first; else torch's own order
        return [Layout.keras(4) if config.channels_first else Layout.channels_first(4)]

    def forward(self, config: spec.UpSampling2DConfig, site: Site, x: Expr) -> Expr:
        if config.interpolation in RESIZED_AS_NEAREST:
            return super().forward(config, site, x)
        reason = REFUSED_INTERPOLATIONS.get(config.interpolation)
        if reason is not None:
            raise Unmappable(
                f"UpSampling2D interpolation={config.interpolation!r} has no torch equivalent: {reason}",
                hint="interpolation 'nearest', 'bilinear' or 'area' map exactly",
                field="interpolation",
            )
        return functional("interpolate", x, scale_factor=config.factors(), mode='"bilinear"', align_corners="False")


@rule("Permute")
class PermuteRule(KindRule):
    """Keras's output axis i is its input's axis order[i]. The torch value is read as the
    output before anything moves: where that reading is Keras's layout or channels first,
    no data moves at all; otherwise one permute gives the output the arriving layout's
    pattern (Keras's, or channels first)."""

    keras_positional = ("dims",)

    def layouts(self, config: spec.PermuteConfig, site: Site) -> list[Layout | None]:
        return _as_arriving(site)

    def torch(self, config: spec.PermuteConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        (x,) = inputs
        rank = site.rank
        order = (0, *config.dims)
        held = Layout(tuple(order.index(axis) for axis in site.layout.perm))  # the value as it is, read as output
        usual = (Layout.keras(rank), Layout.channels_first(rank))
        if held in usual:
            return TorchLayer(_unchanged(x, f"Keras's Permute({config.dims}): torch already holds that order"), held)
        want = Layout.channels_first(rank) if site.layout == Layout.channels_first(rank) else Layout.keras(rank)
        return TorchLayer(method(x, "permute", *(held.perm.index(axis) for axis in want.perm)), want)


@rule("RepeatVector")
class RepeatVectorRule(KindRule):
    """(N, F) -> (N, n, F); the features in Keras's order (a flattened map's are reordered)."""

    keras_positional = ("n",)

    def torch(self, config: spec.RepeatVectorConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        return TorchLayer(method(method(inputs[0], "unsqueeze", 1), "repeat", 1, config.n, 1))


# -- from PyTorch ---------------------------------------------------------------------------


@from_call(".permute", "permute", ".transpose", "transpose", ".t", ".contiguous")
def _reorder(site: FromSite) -> Matched:
    """A reordering of torch's dims is no Keras layer: the Keras tensor stays as it is, and
    the value's layout says where each torch dim now lies (a layer that needs another
    order puts a Permute before itself)."""
    value = site.value
    if site.path == "contiguous":
        dims: list[int] = list(range(value.rank))
    elif site.path == "permute":
        given = [v for k, v in sorted(site.arguments.items()) if k.isdigit() and k != "0"]
        given = list(given[0]) if len(given) == 1 and isinstance(given[0], list | tuple) else given
        dims = [int(d) % value.rank for d in (given or site.arguments.get("dims", []))]
    else:
        first, second = (
            (0, 1)
            if site.path == "t"
            else (
                site.arguments.get("1", site.arguments.get("dim0")),
                site.arguments.get("2", site.arguments.get("dim1")),
            )
        )
        dims = list(range(value.rank))
        dims[first % value.rank], dims[second % value.rank] = dims[second % value.rank], dims[first % value.rank]
    if sorted(dims) != list(range(value.rank)):
        raise Untranslatable(f"a reordering {dims} of a rank-{value.rank} tensor")
    return Matched([], order=tuple(value.perm[d] for d in dims), nonnegative=value.nonnegative)


@from_module("Upsample")
def _upsample_module(module: Any, site: FromSite) -> Matched:
    return _upsample(site, module.mode, module.align_corners)


@from_call("interpolate")
def _interpolate(site: FromSite) -> Matched:
    mode = site.arguments.get("mode", site.arguments.get("3", "nearest"))
    return _upsample(site, mode, site.arguments.get("align_corners", site.arguments.get("4")))


UPSAMPLING = {"nearest": "nearest", "bilinear": "bilinear"}
"""torch's interpolation modes Keras's UpSampling computes alike (align_corners=False: half-pixel
centres). Not bicubic: torch's cubic kernel has a = -0.75, TensorFlow's -0.5."""


def _upsample(site: FromSite, mode: str, align_corners: Any) -> Matched:
    """An upsampling by whole factors: Keras's UpSampling1D/2D/3D (nearest; 2D also bilinear)."""
    value = site.value
    n = value.rank - 2
    shape = site.output_shape or ()
    spatial_in = [value.shape[d] for d in range(2, value.rank)]
    spatial_out = list(shape[2:])
    factors = [out // size for out, size in zip(spatial_out, spatial_in, strict=True)]
    if any(out != size * f for out, size, f in zip(spatial_out, spatial_in, factors, strict=True)):
        raise Untranslatable(f"an upsampling from {spatial_in} to {spatial_out}: Keras repeats by whole factors")
    if mode not in UPSAMPLING or align_corners or (mode != "nearest" and n != 2):
        raise Untranslatable(f"mode={mode!r}{' with align_corners' if align_corners else ''} has no Keras UpSampling")
    config: dict[str, Any] = {"size": factors[0] if n == 1 else factors}
    if n == 2:
        config["interpolation"] = UPSAMPLING[mode]
    before = arranged(value, channels_first_order(value.rank))
    return Matched([*before, KerasLayer(f"UpSampling{n}D", config)], channels_first=True)
