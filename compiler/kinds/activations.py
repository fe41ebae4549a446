"""Activation layers (ReLU, LeakyReLU, PReLU, ELU, Softmax) and the `activation`
field of other layers, in torch."""

from __future__ import annotations

import ast
import re
from typing import Any

from ...spec.activations import ACTIVATIONS
from ...spec.layers import activations as spec
from ...spec.layers.activations import ActivationLayerObject
from ..from_torch import reverse
from ..from_torch.reverse import Matched, Untranslatable, from_call, from_module
from ..from_torch.reverse import Site as FromSite
from ..rules.expr import Expr, atom, call, expr, functional, num
from ..rules.layout import Layout
from ..rules.rule import KindRule, Site, TorchLayer
from ..rules.transfer import Permute, Reshape, Transfer
from . import rule, rule_for


def activation_expr(
    activation: str | ActivationLayerObject, inner: Expr, site: Site, layer: TorchLayer, layout: Layout
) -> Expr:
    """`inner` (a value of `layout`) passed through a spec activation: a name from the
    table, or an activation layer given as the activation (Dense(..., activation=PReLU()))."""
    if isinstance(activation, str):
        return expr(ACTIVATIONS[activation].torch_functional.replace("{x}", "{}"), atom(inner))
    sub_site = site.extra("activation", layout)
    sub = rule_for(activation.class_name).torch(activation.config, sub_site, [inner])
    if activation.config.trainable:
        sub.stay_trainable |= {m.attr for m in sub.modules}
    layer.merge(sub)
    assert sub.forward is not None
    return sub.forward


@rule("ReLU")
class ReLURule(KindRule):
    mask_policy = "pass"
    elementwise = True

    def torch(self, config: spec.ReLUConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        (x,) = inputs
        slope, cap, threshold = config.negative_slope, config.max_value, config.threshold
        if slope and cap is None and not threshold:
            return TorchLayer(functional("leaky_relu", x, negative_slope=num(slope)))
        if cap is not None and not slope and not threshold:
            return TorchLayer(functional("relu6", x) if cap == 6.0 else call("torch.clamp", x, 0.0, num(cap)))
        # Keras: keep x above the threshold, cap it, then leak below the threshold
        positive = expr("torch.where({} > {}, {}, 0.0)", x, num(threshold), x) if threshold else functional("relu", x)
        if cap is not None:
            positive = expr("{}.clamp(0.0, {})", atom(positive), num(cap))
        if slope:
            below = expr("{} - {}", num(threshold), x) if threshold else expr("-{}", atom(x))
            positive = expr("{} - {} * {}", positive, num(slope), functional("relu", below))
        return TorchLayer(positive)


@rule("LeakyReLU")
class LeakyReLURule(KindRule):
    mask_policy = "pass"
    elementwise = True

    def torch(self, config: spec.LeakyReLUConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        return TorchLayer(functional("leaky_relu", inputs[0], negative_slope=num(config.negative_slope)))


@rule("ELU")
class ELURule(KindRule):
    mask_policy = "pass"
    elementwise = True

    def torch(self, config: spec.ELUConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        return TorchLayer(functional("elu", inputs[0], alpha=num(config.alpha)))


@rule("Softmax")
class SoftmaxRule(KindRule):
    """Over Keras's axes, found in whatever layout the input has."""

    mask_policy = "refuse"

    def layouts(self, config: spec.SoftmaxConfig, site: Site) -> list[Layout | None]:
        arriving = site.layouts[0]
        if arriving is not None and arriving.flat is not None and self._over_features(config, site):
            return [None]  # softmax over all features: their order does not matter
        return [None if arriving is None else arriving.unflattened()]

    def _over_features(self, config: spec.SoftmaxConfig, site: Site) -> bool:
        axes = config.axis if isinstance(config.axis, list) else [config.axis]
        return [a % site.rank for a in axes] == [1]

    def torch(self, config: spec.SoftmaxConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        (x,) = inputs
        if site.layout.flat is not None:
            return TorchLayer(functional("softmax", x, dim=1))
        if isinstance(config.axis, int):
            dim = site.dim(config.axis)
            return TorchLayer(functional("softmax", x, dim=-1 if dim == site.rank - 1 else dim))
        dims = tuple(sorted(site.dim(a) for a in config.axis))
        return TorchLayer(expr("torch.exp({} - torch.logsumexp({}, dim={}, keepdim=True))", x, x, dims))


@rule("PReLU")
class PReLURule(KindRule):
    """A learned slope per element of Keras's alpha shape. One slope per channel of a
    channels-first value is torch's own nn.PReLU; otherwise KerasPReLU holds alpha in
    the torch value's layout."""

    mask_policy = "pass"

    def layouts(self, config: spec.PReLUConfig, site: Site) -> list[Layout | None]:
        arriving = site.layouts[0]
        return [None if arriving is None else arriving.unflattened()]

    def torch(self, config: spec.PReLUConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        alpha = site.weight("alpha")
        layout = site.layout
        # alpha has the input's shape without the batch axis: it moves as the input does
        axes = tuple(a - 1 for a in layout.perm[1:])
        torch_shape = tuple(alpha.shape[a] for a in axes)
        layer = TorchLayer()
        per_channel = len(torch_shape) == 1 or all(d == 1 for d in torch_shape[1:])
        if per_channel:
            m = layer.module(site.attr, call("nn.PReLU", num_parameters=torch_shape[0]), shape_only=True)
            transfer = Transfer(alpha.shape, (Permute(axes), Reshape((torch_shape[0],))))
            layer.add_weight(alpha, site.attr, "weight", _simplified(transfer))
        else:
            m = layer.module(site.attr, call("KerasPReLU", torch_shape, needs={"KerasPReLU"}), shape_only=True)
            layer.add_weight(alpha, site.attr, "alpha", _simplified(Transfer(alpha.shape, (Permute(axes),))))
        layer.forward = expr(f"{m}({{}})", inputs[0])
        return layer


def _simplified(transfer: Transfer) -> Transfer:
    """Leave out steps that change nothing (a permute in order, a reshape to the same shape)."""
    steps, shape = [], transfer.keras_shape
    for step in transfer.steps:
        after = step.shape(shape)
        if isinstance(step, Permute) and step.axes == tuple(range(len(step.axes))):
            continue
        if isinstance(step, Reshape) and after == shape:
            continue
        steps.append(step)
        shape = after
    return Transfer(transfer.keras_shape, tuple(steps))


# -- from PyTorch ---------------------------------------------------------------------------


def _torch_forms() -> dict[str, tuple[str, dict[str, object]]]:
    """torch.nn class -> (activation, the arguments it must have), read from the table's
    torch forms ("nn.LeakyReLU(negative_slope=0.2)"): the table says both directions."""
    out: dict[str, tuple[str, dict[str, object]]] = {}
    for activation in ACTIVATIONS.values():
        found = re.fullmatch(r"nn\.(\w+)\((.*)\)", activation.torch_module)
        if activation.keras is None or found is None or activation.name in ("softmax", "log_softmax", "linear"):
            continue  # softmax and log_softmax take a dim; Identity is its own layer
        arguments = {}
        for pair in filter(None, found.group(2).split(",")):
            key, value = pair.split("=")
            arguments[key.strip()] = ast.literal_eval(value.strip())
        out[found.group(1)] = (activation.name, arguments)
    return out


TORCH_ACTIVATIONS = _torch_forms()


@from_module(*TORCH_ACTIVATIONS)
def _activation_module(module: Any, site: FromSite) -> Matched:
    """The table's activation where the module's settings are the table's torch form's;
    a LeakyReLU or ELU of another slope is that layer; any other setting is refused."""
    import torch

    kind = type(module).__name__
    name, arguments = TORCH_ACTIVATIONS[kind]
    reference = vars(getattr(torch.nn, kind)(**arguments))
    differs = [
        key
        for key, value in vars(module).items()
        if not key.startswith("_") and key not in ("training", "inplace") and reference.get(key) != value
    ]
    if kind == "LeakyReLU" and differs == ["negative_slope"]:
        return reverse.one("LeakyReLU", negative_slope=float(module.negative_slope))
    if kind == "ELU" and differs == ["alpha"]:
        return reverse.one("ELU", alpha=float(module.alpha))
    if kind == "GELU" and differs == ["approximate"]:  # the tanh form: Keras's ops.gelu computes it
        return reverse.one("ops.gelu", approximate=True)
    if differs:
        key = differs[0]
        raise Untranslatable(
            f"nn.{kind} with {key}={getattr(module, key)!r}: Keras's {name} has {reference.get(key)!r}"
        )
    return _activation(name)


def _activation(name: str) -> Matched:
    matched = reverse.one("Activation", activation=name)
    matched.nonnegative = name in ("relu", "relu6", "sigmoid", "softplus", "hard_sigmoid")
    return matched


TORCH_FUNCTIONS = {
    "relu": "relu",
    "relu6": "relu6",
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "silu": "silu",
    "mish": "mish",
    "selu": "selu",
    "softsign": "softsign",
    "hardswish": "hard_silu",
    "hardsigmoid": "hard_sigmoid",
    "logsigmoid": "log_sigmoid",
}
"""torch.relu, F.relu, x.relu() ... -> the activation."""


@from_call(*TORCH_FUNCTIONS, *(f".{name}" for name in TORCH_FUNCTIONS))
def _activation_call(site: FromSite) -> Matched:
    return _activation(TORCH_FUNCTIONS[site.path])


@from_call("gelu", ".gelu")
def _gelu(site: FromSite) -> Matched:
    if site.arguments.get("approximate", "none") == "tanh":  # Keras's ops.gelu computes the tanh form
        return reverse.one("ops.gelu", approximate=True)
    return _activation("gelu")


@from_module("Softmax", "LogSoftmax")
def _softmax_module(module: Any, site: FromSite) -> Matched:
    return _softmax(site, module.dim, log=type(module).__name__ == "LogSoftmax")


@from_call("softmax", ".softmax", "log_softmax", ".log_softmax")
def _softmax_call(site: FromSite) -> Matched:
    dim = site.arguments.get("dim", site.arguments.get("1"))
    return _softmax(site, dim, log="log" in site.path)


def _softmax(site: FromSite, dim: Any, log: bool) -> Matched:
    if not isinstance(dim, int):
        raise Untranslatable("softmax without an int dim")
    axis = site.value.keras_axis(dim)
    if log:
        if axis != site.value.rank - 1:
            raise Untranslatable("log_softmax over another axis than Keras's last")
        return _activation("log_softmax")
    return reverse.one("Softmax", axis=-1 if axis == site.value.rank - 1 else axis)


@from_module("PReLU")
def _prelu(module: Any, site: FromSite) -> Matched:
    rank = site.value.rank
    shared = list(range(1, rank)) if module.num_parameters == 1 else list(range(1, rank - 1))
    config = {"shared_axes": shared} if shared else {}
    if module.num_parameters != 1 and not (site.value.channels_first or rank == 2):
        raise Untranslatable("nn.PReLU with a weight per channel on a tensor whose channels are not Keras's last axis")
    return Matched([reverse.KerasLayer("PReLU", config, {"alpha": (module.weight,)})])
