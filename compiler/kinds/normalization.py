"""Normalization layers in torch: BatchNormalization, LayerNormalization."""

from __future__ import annotations

from ...spec.layers import normalization as spec
from ...spec.layers.base import resolve_axis
from ..torch_init import num
from . import KindRule, Site, TorchLayer, Unmappable, rule


@rule("BatchNormalization")
class BatchNormalizationRule(KindRule):
    """torch's momentum is Keras's 1 - momentum; both epsilons are written out
    because the defaults differ (Keras 1e-3, torch 1e-5). KerasBatchNorm is torch's
    BatchNorm1d with Keras's moving-variance update (biased), at any rank."""

    def torch(self, config: spec.BatchNormalizationConfig, site: Site, inputs: list[str]) -> TorchLayer:
        (x,) = inputs
        rank = len(site.input_shape)
        if rank < 2:
            raise Unmappable("BatchNormalization needs an input of rank 2 or more")
        axis = resolve_axis(config.axis, rank)
        features = site.input_shape[axis]
        assert features is not None
        m = site.module
        affine = "" if config.center or config.scale else ", affine=False"
        module = f"KerasBatchNorm({features}, eps={num(config.epsilon)}, momentum={num(1 - config.momentum)}{affine})"
        layer = TorchLayer(modules=[(site.attr, module)], helpers={"KerasBatchNorm"})
        if config.scale:
            layer.add_weight(
                "gamma",
                f"{m}.weight",
                (features,),
                config.gamma_initializer,
                config.gamma_regularizer,
                config.gamma_constraint,
            )
        elif config.center:
            layer.setup.append(f"{m}.weight = None  # scale=False: no gamma")
        if config.center:
            layer.add_weight(
                "beta",
                f"{m}.bias",
                (features,),
                config.beta_initializer,
                config.beta_regularizer,
                config.beta_constraint,
            )
        elif config.scale:
            layer.setup.append(f"{m}.bias = None  # center=False: no beta")
        layer.add_weight("moving_mean", f"{m}.running_mean", (features,), config.moving_mean_initializer)
        layer.add_weight("moving_variance", f"{m}.running_var", (features,), config.moving_variance_initializer)
        moved = x if axis == 1 else f"{x}.movedim({axis}, 1)"
        if config.trainable:
            out = f"{m}({moved})"
        else:
            # Keras runs a frozen BatchNormalization in inference mode, even in training
            out = (
                f"F.batch_norm({moved}, {m}.running_mean, {m}.running_var, {m}.weight, {m}.bias, "
                f"training=False, eps={num(config.epsilon)})"
            )
        layer.forward = out if axis == 1 else f"{out}.movedim(1, {axis})"
        return layer


@rule("LayerNormalization")
class LayerNormalizationRule(KindRule):
    def torch(self, config: spec.LayerNormalizationConfig, site: Site, inputs: list[str]) -> TorchLayer:
        (x,) = inputs
        rank = len(site.input_shape)
        # Keras sorts the axes as written (negatives first) for gamma's shape, then
        # reshapes gamma onto the input's axes in their own order
        keras_order = [resolve_axis(a, rank) for a in sorted(config.axes)]
        dims = tuple(sorted(keras_order))
        if len(set(dims)) != len(dims):
            raise Unmappable(f"LayerNormalization axis {config.axis} names an axis twice")
        shape = tuple(site.input_shape[d] for d in keras_order)
        broadcast = tuple(site.input_shape[d] if d in dims else 1 for d in range(rank))
        m = site.module
        gamma = config.scale or config.rms_scaling
        beta = config.center and not config.rms_scaling
        trailing = tuple(keras_order) == tuple(range(rank - len(dims), rank))
        layer = TorchLayer()
        if trailing and not config.rms_scaling:
            size = shape[0] if len(shape) == 1 else shape
            options = f"eps={num(config.epsilon)}"
            if not (gamma or beta):
                options += ", elementwise_affine=False"
            elif not beta:
                options += ", bias=False"
            layer.modules.append((site.attr, f"nn.LayerNorm({size}, {options})"))
            if beta and not gamma:
                layer.setup.append(f"{m}.weight = None  # scale=False: no gamma")
        else:
            layer.helpers.add("KerasLayerNorm")
            flags = "" if config.center else ", center=False"
            flags += "" if config.scale else ", scale=False"
            flags += ", rms=True" if config.rms_scaling else ""
            layer.modules.append(
                (site.attr, f"KerasLayerNorm({shape}, {dims}, {broadcast}, eps={num(config.epsilon)}{flags})")
            )
        if gamma:
            layer.add_weight(
                "gamma",
                f"{m}.weight",
                shape,
                config.gamma_initializer,
                config.gamma_regularizer,
                config.gamma_constraint,
            )
        if beta:
            layer.add_weight(
                "beta", f"{m}.bias", shape, config.beta_initializer, config.beta_regularizer, config.beta_constraint
            )
        layer.forward = f"{m}({x})"
        return layer
