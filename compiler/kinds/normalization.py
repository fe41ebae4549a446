"""Normalization layers in torch: BatchNormalization, LayerNormalization."""

from __future__ import annotations

from typing import Any

from ...spec import initializers as ki
from ...spec.layers import normalization as spec
from ...spec.layers.base import resolve_axis
from ..from_torch.reverse import (
    KerasLayer,
    Matched,
    Untranslatable,
    arranged,
    channels_first_order,
    from_module,
    identity,
)
from ..from_torch.reverse import Site as FromSite
from ..rules.expr import Expr, call, expr, functional, method, num
from ..rules.layout import Layout
from ..rules.rule import KindRule, Site, Statement, TorchBuffer, TorchLayer, Unmappable
from ..rules.transfer import Transfer
from . import rule


@rule("BatchNormalization")
class BatchNormalizationRule(KindRule):
    """torch's momentum is Keras's 1 - momentum; both epsilons are written out because
    the defaults differ (Keras 1e-3, torch 1e-5). KerasBatchNorm is torch's BatchNorm1d
    with Keras's moving-variance update (biased), at any rank, features on dim 1: the
    channels of a channels-first feature map already are. A Keras mask passes on; in
    training, only the steps it keeps make the batch's moments (Keras 3's masked moments)."""

    mask_policy = "read"

    def layouts(self, config: spec.BatchNormalizationConfig, site: Site) -> list[Layout | None]:
        arriving = site.layouts[0]
        return [None if arriving is None else arriving.unflattened()]

    def torch(self, config: spec.BatchNormalizationConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        (x,) = inputs
        rank = site.rank
        if rank < 2:
            raise Unmappable("BatchNormalization needs an input of rank 2 or more")
        features = site.input_shape[resolve_axis(config.axis, rank)]
        dim = site.dim(config.axis)
        affine = {} if config.center or config.scale else {"affine": "False"}
        options = {"eps": num(config.epsilon), "momentum": num(1 - config.momentum), **affine}
        layer = TorchLayer(output_layout=site.layout)
        ctor = call("KerasBatchNorm", features, needs={"KerasBatchNorm"}, **options)
        m = layer.module(site.attr, ctor, shape_only=True)
        for name, tensor, missing in (("gamma", "weight", "scale"), ("beta", "bias", "center")):
            if getattr(config, missing):
                weight = site.weight(name)
                layer.add_weight(weight, site.attr, tensor, Transfer.same(weight.shape))
            elif config.center or config.scale:
                layer.setup.append(Statement(f"{m}.{tensor} = None  # {missing}=False: no {name}", site.attr))
        # torch's own reset: moving mean 0, variance 1 (Keras's defaults), and no batches counted
        layer.init.append(Statement(f"{m}.reset_running_stats()", site.attr))
        moving = (("moving_mean", "running_mean", ki.Zeros), ("moving_variance", "running_var", ki.Ones))
        for name, tensor, default in moving:
            weight = site.weight(name)
            initialise = not isinstance(weight.initializer, default)
            layer.add_weight(weight, site.attr, tensor, Transfer.same(weight.shape), buffer=True, initialise=initialise)
        layer.torch_only.append(TorchBuffer(f"{site.attr}.num_batches_tracked", (), "int64"))
        moved = x if dim == 1 else method(x, "movedim", dim, 1)
        mask = site.masks[0] if site.masks else None
        keep = None if mask is None else _mask_against(site, dim, mask)
        if mask is not None:
            layer.output_masks[0] = Expr(mask)
        if config.trainable:
            out = expr(f"{m}({{}})" if keep is None else f"{m}({{}}, {keep})", moved)
        else:
            # Keras runs a frozen BatchNormalization in inference mode, even in training
            out = functional(
                "batch_norm",
                moved,
                f"{m}.running_mean",
                f"{m}.running_var",
                f"{m}.weight",
                f"{m}.bias",
                training="False",
                eps=num(config.epsilon),
            )
        layer.forward = out if dim == 1 else method(out, "movedim", 1, dim)
        return layer


def _mask_against(site: Site, dim: int, mask: str) -> str:
    """The Keras mask against the input moved to channels on dim 1. A mask has every axis
    of its input but the last (Keras checks as much), and Keras broadcasts it over that."""
    if not site.layout.is_keras:
        raise Unmappable(
            "a Keras mask reaches this BatchNormalization in torch's channels-first layout; "
            "nnspec moves masks in Keras's layout only",
            hint="put the BatchNormalization where its input keeps Keras's layout (before the convolution)",
        )
    return f"{mask}.unsqueeze(-1)" + (f".movedim({dim}, 1)" if dim != 1 else "")


@rule("LayerNormalization")
class LayerNormalizationRule(KindRule):
    mask_policy = "pass"

    def torch(self, config: spec.LayerNormalizationConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        (x,) = inputs
        rank = site.rank
        # Keras sorts the axes as written (negatives first) for gamma's shape, then
        # reshapes gamma onto the input's axes in their own order
        keras_order = [resolve_axis(a, rank) for a in sorted(config.axes)]
        dims = tuple(sorted(keras_order))
        if len(set(dims)) != len(dims):
            raise Unmappable(f"LayerNormalization axis {config.axis} names an axis twice")
        shape = config.weight_shape(site.input_shape)
        broadcast = tuple(site.input_shape[d] if d in dims else 1 for d in range(rank))
        gamma = config.scale or config.rms_scaling
        beta = config.center and not config.rms_scaling
        trailing = tuple(keras_order) == tuple(range(rank - len(dims), rank))
        layer = TorchLayer()
        if trailing and not config.rms_scaling:
            size = shape[0] if len(shape) == 1 else shape
            options = {"eps": num(config.epsilon)}
            if not (gamma or beta):
                options["elementwise_affine"] = "False"
            elif not beta:
                options["bias"] = "False"
            m = layer.module(site.attr, call("nn.LayerNorm", size, **options), shape_only=True)
            if beta and not gamma:
                layer.setup.append(Statement(f"{m}.weight = None  # scale=False: no gamma", site.attr))
        else:
            flags = {} if config.center else {"center": "False"}
            flags |= {} if config.scale else {"scale": "False"}
            flags |= {"rms": "True"} if config.rms_scaling else {}
            ctor = call(
                "KerasLayerNorm", shape, dims, broadcast, eps=num(config.epsilon), needs={"KerasLayerNorm"}, **flags
            )
            m = layer.module(site.attr, ctor, shape_only=True)
        for name, tensor, present in (("gamma", "weight", gamma), ("beta", "bias", beta)):
            if present:
                weight = site.weight(name)
                layer.add_weight(weight, site.attr, tensor, Transfer.same(weight.shape))
        layer.forward = expr(f"{m}({{}})", x)
        return layer


# -- from PyTorch ---------------------------------------------------------------------------


@from_module("BatchNorm1d", "BatchNorm2d", "BatchNorm3d")
def _batch_norm(module: Any, site: FromSite) -> Matched:
    if not module.track_running_stats:
        raise Untranslatable("track_running_stats=False normalises with the batch's statistics at inference too")
    if module.momentum is None:
        raise Untranslatable("momentum=None (a cumulative average): Keras keeps an exponential one")
    config = {
        "axis": -1,
        "momentum": 1.0 - float(module.momentum),  # torch weighs the new batch by momentum, Keras the old value
        "epsilon": float(module.eps),
        "center": module.affine,
        "scale": module.affine,
    }
    weights = {"gamma": (module.weight,), "beta": (module.bias,)} if module.affine else {}
    weights |= {"moving_mean": (module.running_mean,), "moving_variance": (module.running_var,)}
    image = site.value.rank > 2  # channels are torch's dim 1: Keras's last axis once (N, C, ...) is in place
    before = arranged(site.value, channels_first_order(site.value.rank)) if image else []
    return Matched([*before, KerasLayer("BatchNormalization", config, weights)], channels_first=image)


@from_module("LayerNorm")
def _layer_norm(module: Any, site: FromSite) -> Matched:
    if len(module.normalized_shape) != 1:
        raise Untranslatable("LayerNorm over several axes: nnspec maps one over the last")
    value = site.value
    before = [] if value.perm[-1] == value.rank - 1 else arranged(value, identity(value.rank))
    affine = module.elementwise_affine
    bias = affine and module.bias is not None
    config = {"axis": -1, "epsilon": float(module.eps), "scale": affine, "center": bias}
    weights = ({"gamma": (module.weight,)} if affine else {}) | ({"beta": (module.bias,)} if bias else {})
    order = value.perm if not before else identity(value.rank)
    return Matched([*before, KerasLayer("LayerNormalization", config, weights)], order=order)
