"""Core layers in torch: InputLayer, Dense, Activation, Dropout, Flatten, Reshape."""

from __future__ import annotations

from typing import Any

from ...spec.layers import core as spec
from ..from_torch import reverse
from ..from_torch.reverse import KerasLayer, Matched, Untranslatable, arranged, from_call, from_module, identity
from ..from_torch.reverse import Site as FromSite
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


# -- from PyTorch ---------------------------------------------------------------------------


@from_module("Linear")
def _linear(module: Any, site: FromSite) -> Matched:
    value = site.value
    # Dense reads Keras's last axis: where torch's last dim is another, the tensor is reordered first
    before = [] if value.perm[-1] == value.rank - 1 else arranged(value, identity(value.rank))
    weights = {"kernel": (module.weight,)} | ({"bias": (module.bias,)} if module.bias is not None else {})
    dense = KerasLayer("Dense", {"units": module.out_features, "use_bias": module.bias is not None}, weights)
    return Matched([*before, dense], order=value.perm if not before else identity(value.rank))


@from_module("Dropout")
def _dropout(module: Any, site: FromSite) -> Matched:
    return reverse.one("Dropout", rate=float(module.p))


@from_call("dropout", ".dropout")
def _dropout_call(site: FromSite) -> Matched:
    if site.arguments.get("training", site.arguments.get("2", False)) is not False:
        raise Untranslatable("F.dropout(training=True) drops at inference too; Keras's Dropout only in training")
    return reverse.one("Identity")


@from_module("Identity")
def _identity(module: Any, site: FromSite) -> Matched:
    return reverse.one("Identity")


@from_module("Flatten")
def _flatten_module(module: Any, site: FromSite) -> Matched:
    return _flatten(site, module.start_dim, module.end_dim)


@from_call("flatten", ".flatten")
def _flatten_call(site: FromSite) -> Matched:
    start = site.arguments.get("start_dim", site.arguments.get("1", 0))
    end = site.arguments.get("end_dim", site.arguments.get("2", -1))
    return _flatten(site, start, end)


def _flatten(site: FromSite, start: int, end: int) -> Matched:
    value = site.value
    if start != 1 or end % value.rank != value.rank - 1:
        raise Untranslatable(f"flatten from dim {start} to {end}: Keras's Flatten keeps the batch, flattens the rest")
    # Keras flattens (N, H, W, C) as H, W, C; torch (N, C, H, W) as C, H, W: the Dense after
    # it has its kernel rows in torch's order, and the kinds' transfer moves them
    keeps = value.channels_first or value.perm == identity(value.rank)
    before = [] if keeps else arranged(value, identity(value.rank))
    return Matched([*before, KerasLayer("Flatten", {})], channels_first=False)


@from_call(".view", ".reshape", "reshape")
def _reshape(site: FromSite) -> Matched:
    dims = [v for k, v in sorted(site.arguments.items()) if k.isdigit() and k != "0"]
    if len(dims) == 1 and isinstance(dims[0], list | tuple):
        dims = list(dims[0])
    shape = site.output_shape or ()
    batch_kept = len(dims) >= 1 and (_is_batch_size(dims[0]) or dims[0] == site.value.shape[0])
    if batch_kept and len(shape) == 2:
        return _flatten(site, 1, -1)
    if batch_kept:  # Keras reshapes in its own order: torch's first
        before = arranged(site.value, identity(site.value.rank))
        return Matched([*before, KerasLayer("Reshape", {"target_shape": list(shape[1:])})], channels_first=False)
    raise Untranslatable(f"a reshape to {list(dims)} that is not a flatten: Keras needs the batch axis kept")


def _is_batch_size(value: Any) -> bool:
    """`x.size(0)` (or `x.shape[0]`): the batch size, whatever it is."""
    return type(value).__name__ == "_Size" and value.dim == 0


@from_call("getitem")
def _getitem(site: FromSite) -> Matched:
    """`x[:, -1]`, `x[..., 1:3]`: Keras's get_item operation, its key in Keras's axis order."""
    value = site.value
    key = site.arguments.get("1")
    items = list(key) if isinstance(key, tuple) else [key]
    if Ellipsis in items:
        at = items.index(Ellipsis)
        items[at : at + 1] = [slice(None)] * (value.rank - len(items) + 1)
    if not all(isinstance(i, int) or (isinstance(i, slice) and _plain(i)) for i in items) or len(items) > value.rank:
        raise Untranslatable("indexing with tensors, None or a key Keras's get_item does not take")
    items += [slice(None)] * (value.rank - len(items))
    if items[value.perm.index(0)] != slice(None):
        raise Untranslatable("indexing the batch axis: a Keras model keeps every sample")
    text = [item if isinstance(item, int) else _slice_text(item) for item in items]
    keras_key = list(text)
    for dim, item in enumerate(text):
        keras_key[value.keras_axis(dim)] = item
    kept = [value.perm[dim] for dim, item in enumerate(items) if not isinstance(item, int)]
    matched = reverse.one("ops.get_item", key=keras_key)
    matched.order = tuple(sorted(kept).index(axis) for axis in kept)  # the kept axes, renumbered
    return matched


def _plain(item: slice) -> bool:
    return all(part is None or isinstance(part, int) for part in (item.start, item.stop, item.step))


def _slice_text(item: slice) -> str:
    """A slice as the spec writes it: 'start:stop:step', empty where unset."""
    text = f"{'' if item.start is None else item.start}:{'' if item.stop is None else item.stop}"
    return text if item.step in (None, 1) else f"{text}:{item.step}"
