"""Core layers in torch: InputLayer, Dense, Activation, Dropout, Flatten, Reshape."""

from __future__ import annotations

from ...spec.layers import core as spec
from ..rules.expr import Expr, call, expr, method, num
from ..rules.layout import Layout, flatten_layout
from ..rules.rule import KindRule, Site, TorchLayer, Unmappable
from ..rules.transfer import Permute, Reshape, Transfer
from . import rule
from .activations import activation_expr


@rule("InputLayer")
class InputLayerRule(KindRule):
    """A model input is an argument of forward(); nothing to build."""

    def torch(self, config: spec.InputLayerConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        raise Unmappable("an InputLayer is an argument of forward(), not a call")


@rule("Dense")
class DenseRule(KindRule):
    """x @ kernel + bias over Keras's last axis. After a flattened feature map it reads
    the features in torch's order: its kernel's rows are regrouped at transfer instead."""

    mask_policy = "pass"

    keras_positional = ("units",)

    def layouts(self, config: spec.DenseConfig, site: Site) -> list[Layout | None]:
        arriving = site.layouts[0]
        if arriving is not None and arriving.flat is not None:
            return [arriving]
        return [Layout.keras(site.rank)]

    def torch(self, config: spec.DenseConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        kernel = site.weight("kernel")
        fan_in, units = kernel.shape
        bias = {} if config.use_bias else {"bias": "False"}
        layer = TorchLayer()
        m = layer.module(site.attr, call("nn.Linear", fan_in, units, **bias), shape_only=True)
        layer.add_weight(kernel, site.attr, "weight", _kernel_transfer(kernel.shape, site.layout))
        if config.use_bias:
            bias_weight = site.weight("bias")
            layer.add_weight(bias_weight, site.attr, "bias", Transfer.same(bias_weight.shape))
        out_layout = Layout.keras(len(site.output_shape))
        layer.forward = activation_expr(config.activation, expr(f"{m}({{}})", inputs[0]), site, layer, out_layout)
        return layer


def _kernel_transfer(shape: tuple[int, ...], layout: Layout) -> Transfer:
    """(in, out) -> (out, in); for a flattened input, the rows regrouped first so that
    row j reads torch's feature j."""
    flat = layout.flat
    if flat is None or flat.is_keras:
        return Transfer.transpose(shape)
    units = shape[1]
    k = len(flat.shape)
    return Transfer(
        shape,
        (
            Reshape((*flat.shape, units)),
            Permute((*flat.order, k)),
            Reshape(shape),
            Permute((1, 0)),
        ),
    )


@rule("Activation")
class ActivationRule(KindRule):
    mask_policy = "pass"
    keras_positional = ("activation",)

    def layouts(self, config: spec.ActivationConfig, site: Site) -> list[Layout | None]:
        arriving = site.layouts[0]
        if isinstance(config.activation, str) or arriving is None:
            return [None]  # a function of each value: any layout
        return [arriving.unflattened()]

    def torch(self, config: spec.ActivationConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        layer = TorchLayer()
        layer.forward = activation_expr(config.activation, inputs[0], site, layer, site.layout)
        layer.output_layout = site.layout
        return layer


@rule("Dropout")
class DropoutRule(KindRule):
    """Dropout draws from torch's global generator: a Keras `seed` makes only the
    Keras side repeatable, and inference (where both are the identity) is unaffected."""

    mask_policy = "pass"

    keras_positional = ("rate",)

    def random_in_training(self, config: spec.DropoutConfig) -> bool:
        return config.rate > 0

    def layouts(self, config: spec.DropoutConfig, site: Site) -> list[Layout | None]:
        arriving = site.layouts[0]
        if config.noise_shape is None or arriving is None:
            return [None]
        return [arriving.unflattened()]

    def torch(self, config: spec.DropoutConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        layer = TorchLayer(output_layout=site.layout)
        if config.noise_shape is None:
            m = layer.module(site.attr, call("nn.Dropout", p=num(config.rate)), shape_only=True)
        else:
            noise = site.layout.shape(tuple(config.noise_shape))
            ctor = call("NoiseShapeDropout", num(config.rate), noise, needs={"NoiseShapeDropout"})
            m = layer.module(site.attr, ctor, shape_only=True)
        layer.forward = expr(f"{m}({{}})", inputs[0])
        return layer


@rule("Flatten")
class FlattenRule(KindRule):
    """torch.flatten in whatever layout the input has: the features come out in torch's
    order, and the layer that reads them (a Dense) takes them in that order."""

    def layouts(self, config: spec.FlattenConfig, site: Site) -> list[Layout | None]:
        arriving = site.layouts[0]
        if arriving is not None and None in site.input_shape[1:] and not _keeps_order(arriving, site.input_shape):
            return [Layout.keras(site.rank)]  # features of unknown count cannot be regrouped later
        return [None]

    def torch(self, config: spec.FlattenConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        (x,) = inputs
        rank = site.rank
        if rank == 1:
            return TorchLayer(method(x, "reshape", -1, 1), Layout.keras(2))
        layout, shape = site.layout, site.input_shape
        if config.data_format == "channels_first" and rank > 2 and layout.flat is None:
            # Keras moves the channels last before flattening: describe the input as that tensor
            moved = (0, *range(2, rank), 1)
            layout = Layout(tuple(moved.index(a) for a in layout.perm))
            shape = tuple(shape[a] for a in moved)
        return TorchLayer(call("torch.flatten", x, 1), flatten_layout(layout, shape))


@rule("Reshape")
class ReshapeRule(KindRule):
    """Keras reshapes in its own element order. A value whose torch layout keeps that
    order (only axes of size 1 out of place: a (N, C, 1, 1) map read as Keras's
    (N, 1, 1, C)) reshapes as it is, and the result is made channels first where that
    too keeps the order: a (N, C) vector to a (N, 1, 1, C) map costs no permute."""

    keras_positional = ("target_shape",)

    def layouts(self, config: spec.ReshapeConfig, site: Site) -> list[Layout | None]:
        arriving = site.layouts[0]
        if arriving is not None and arriving.flat is None and _keeps_order(arriving, site.input_shape):
            return [arriving]
        return [Layout.keras(site.rank)]

    def torch(self, config: spec.ReshapeConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        (x,) = inputs
        out = site.output_shape
        first = Layout.channels_first(len(out))
        if len(out) > 2 and None not in out[1:] and _keeps_order(first, out):
            dims = ", ".join(str(d) for d in first.shape(out)[1:])
            return TorchLayer(expr(f"{{}}.reshape({{}}.shape[0], {dims})", x, x), first)
        dims = ", ".join(str(d) for d in config.target_shape)
        return TorchLayer(expr(f"{{}}.reshape({{}}.shape[0], {dims})", x, x), Layout.keras(len(out)))


def _keeps_order(layout: Layout, shape: tuple[int | None, ...]) -> bool:
    """Whether a tensor of Keras `shape` held in `layout` lists its values in Keras's order:
    the axes longer than 1 (or unknown) come in Keras's order."""
    long = [axis for axis in layout.perm if shape[axis] != 1]
    return long == sorted(long)
