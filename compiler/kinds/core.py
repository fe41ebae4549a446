"""Core layers in torch: InputLayer, Dense, Activation, Dropout, Flatten, Reshape."""

from __future__ import annotations

from ...spec.layers import core as spec
from ..torch_init import num
from . import KindRule, Site, TorchLayer, Unmappable, rule
from .activations import activation_expr


@rule("InputLayer")
class InputLayerRule(KindRule):
    """A model input is an argument of forward(); nothing to build."""

    def torch(self, config: spec.InputLayerConfig, site: Site, inputs: list[str]) -> TorchLayer:
        raise Unmappable("an InputLayer is an argument of forward(), not a call")


@rule("Dense")
class DenseRule(KindRule):
    keras_positional = ("units",)

    def torch(self, config: spec.DenseConfig, site: Site, inputs: list[str]) -> TorchLayer:
        fan_in, units = site.input_shape[-1], config.units
        assert fan_in is not None  # the spec's shape rule demands a known last axis
        m = site.module
        bias = "" if config.use_bias else ", bias=False"
        layer = TorchLayer(modules=[(site.attr, f"nn.Linear({fan_in}, {units}{bias})")])
        layer.add_weight(
            "kernel",
            f"{m}.weight",
            (fan_in, units),
            config.kernel_initializer,
            config.kernel_regularizer,
            config.kernel_constraint,
            layout="transpose",
            torch_fans_agree=True,
        )
        if config.use_bias:
            layer.add_weight(
                "bias", f"{m}.bias", (units,), config.bias_initializer, config.bias_regularizer, config.bias_constraint
            )
        layer.forward = activation_expr(config.activation, f"{m}({inputs[0]})", site, layer)
        return layer


@rule("Activation")
class ActivationRule(KindRule):
    keras_positional = ("activation",)

    def torch(self, config: spec.ActivationConfig, site: Site, inputs: list[str]) -> TorchLayer:
        layer = TorchLayer()
        layer.forward = activation_expr(config.activation, inputs[0], site, layer)
        return layer


@rule("Dropout")
class DropoutRule(KindRule):
    """Dropout draws from torch's global generator: a Keras `seed` makes only the
    Keras side repeatable, and inference (where both are the identity) is unaffected."""

    keras_positional = ("rate",)

    def torch(self, config: spec.DropoutConfig, site: Site, inputs: list[str]) -> TorchLayer:
        if config.noise_shape is None:
            module = f"nn.Dropout(p={num(config.rate)})"
            helpers: set[str] = set()
        else:
            module = f"NoiseShapeDropout({num(config.rate)}, {tuple(config.noise_shape)})"
            helpers = {"NoiseShapeDropout"}
        return TorchLayer(modules=[(site.attr, module)], forward=f"{site.module}({inputs[0]})", helpers=helpers)


@rule("Flatten")
class FlattenRule(KindRule):
    def torch(self, config: spec.FlattenConfig, site: Site, inputs: list[str]) -> TorchLayer:
        (x,) = inputs
        rank = len(site.input_shape)
        if rank == 1:
            return TorchLayer(forward=f"{x}.reshape(-1, 1)")
        if config.data_format == "channels_first" and rank > 2:
            # Keras moves the channels last before flattening
            order = (0, *range(2, rank), 1)
            return TorchLayer(forward=f"torch.flatten({x}.permute{order}, 1)")
        return TorchLayer(forward=f"torch.flatten({x}, 1)")


@rule("Reshape")
class ReshapeRule(KindRule):
    keras_positional = ("target_shape",)

    def torch(self, config: spec.ReshapeConfig, site: Site, inputs: list[str]) -> TorchLayer:
        (x,) = inputs
        dims = ", ".join(str(d) for d in config.target_shape)
        return TorchLayer(forward=f"{x}.reshape({x}.shape[0], {dims})")
