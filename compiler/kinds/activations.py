"""Activation layers (ReLU, LeakyReLU, PReLU, ELU, Softmax) and the `activation`
field of other layers, in torch."""

from __future__ import annotations

from ...spec.activations import ACTIVATIONS
from ...spec.layers import activations as spec
from ...spec.layers.activations import ActivationLayerObject
from ..torch_init import num
from . import KindRule, Site, TorchLayer, rule, rule_for


def activation_expr(activation: str | ActivationLayerObject, inner: str, site: Site, layer: TorchLayer) -> str:
    """`inner` passed through a spec activation: a name from the table, or an
    activation layer given as the activation (Dense(..., activation=PReLU()))."""
    if isinstance(activation, str):
        return ACTIVATIONS[activation].torch_functional.replace("{x}", inner)
    sub = rule_for(activation.class_name).torch(activation.config, site.extra("activation"), [inner])
    if activation.config.trainable:
        sub.stay_trainable |= {attr for attr, _ in sub.modules}
    layer.merge(sub)
    return sub.forward


@rule("ReLU")
class ReLURule(KindRule):
    def torch(self, config: spec.ReLUConfig, site: Site, inputs: list[str]) -> TorchLayer:
        (x,) = inputs
        slope, cap, threshold = config.negative_slope, config.max_value, config.threshold
        if slope and cap is None and not threshold:
            return TorchLayer(forward=f"F.leaky_relu({x}, negative_slope={num(slope)})")
        # Keras: keep x above the threshold, cap it, then leak below the threshold
        positive = f"torch.where({x} > {num(threshold)}, {x}, 0.0)" if threshold else f"F.relu({x})"
        if cap is not None:
            positive = f"{positive}.clamp(0.0, {num(cap)})"
        if slope:
            below = f"{num(threshold)} - {x}" if threshold else f"-{x}"
            positive = f"{positive} - {num(slope)} * F.relu({below})"
        return TorchLayer(forward=positive)


@rule("LeakyReLU")
class LeakyReLURule(KindRule):
    def torch(self, config: spec.LeakyReLUConfig, site: Site, inputs: list[str]) -> TorchLayer:
        return TorchLayer(forward=f"F.leaky_relu({inputs[0]}, negative_slope={num(config.negative_slope)})")


@rule("ELU")
class ELURule(KindRule):
    def torch(self, config: spec.ELUConfig, site: Site, inputs: list[str]) -> TorchLayer:
        return TorchLayer(forward=f"F.elu({inputs[0]}, alpha={num(config.alpha)})")


@rule("Softmax")
class SoftmaxRule(KindRule):
    def torch(self, config: spec.SoftmaxConfig, site: Site, inputs: list[str]) -> TorchLayer:
        (x,) = inputs
        if isinstance(config.axis, int):
            return TorchLayer(forward=f"F.softmax({x}, dim={config.axis})")
        dims = tuple(sorted(config.axis))
        return TorchLayer(forward=f"torch.exp({x} - torch.logsumexp({x}, dim={dims}, keepdim=True))")


@rule("PReLU")
class PReLURule(KindRule):
    def torch(self, config: spec.PReLUConfig, site: Site, inputs: list[str]) -> TorchLayer:
        shape = config.alpha_shape(site.input_shape)
        layer = TorchLayer()
        m = site.module
        if len(shape) == 1:
            # one slope per feature of a (batch, features) input: torch's own PReLU
            layer.modules.append((site.attr, f"nn.PReLU(num_parameters={shape[0]})"))
            tensor = f"{m}.weight"
        else:
            layer.modules.append((site.attr, f"KerasPReLU({shape})"))
            layer.helpers.add("KerasPReLU")
            tensor = f"{m}.alpha"
        layer.add_weight(
            "alpha", tensor, shape, config.alpha_initializer, config.alpha_regularizer, config.alpha_constraint
        )
        layer.forward = f"{m}({inputs[0]})"
        return layer
