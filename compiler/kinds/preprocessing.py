"""Preprocessing layers in torch: Rescaling and Normalization.

Their constants and statistics broadcast against the input, so they are laid out for
the layout the input arrives in (a channels-first feature map, a flattened feature
vector in torch's order) instead of moving the input back to Keras's: a per-channel
value of a channels-first map broadcasts as (C, 1, 1). Constants from the config are
not weights: they are buffers left out of the state_dict. Normalization's adapted
statistics are weights: buffers named and shaped as Keras's (so a state_dict does not
depend on the module's interface layout), viewed in the input's layout in forward()."""

from __future__ import annotations

from ...spec.layers import preprocessing as spec
from ..rules.expr import Expr, atom, call, expr
from ..rules.layout import Layout
from ..rules.rule import KindRule, Site, TorchBuffer, TorchLayer
from ..rules.torch_helpers import register_helper
from ..rules.transfer import Permute, Reshape, Step, Transfer
from . import rule

register_helper(
    "Rescaling",
    '''
class Rescaling(nn.Module):
    """Keras's Rescaling with array values: x * scale + offset, both held as buffers
    shaped to broadcast against the input as this module receives it."""

    def __init__(self, scale: float | torch.Tensor, offset: float | torch.Tensor = 0.0) -> None:
        super().__init__()
        # constants of the layer's config, not weights: kept out of the state_dict
        self.register_buffer("scale", torch.as_tensor(scale, dtype=torch.float32), persistent=False)
        self.register_buffer("offset", torch.as_tensor(offset, dtype=torch.float32), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.scale + self.offset
''',
)

register_helper(
    "KerasNormalization",
    '''
class KerasNormalization(nn.Module):
    """Keras's Normalization: (x - mean) / max(sqrt(variance), 1e-7); with invert,
    mean + x * max(sqrt(variance), 1e-7). Adapted statistics are Keras's weights, with
    its sample count (so all three round-trip), viewed as `view` to broadcast against
    the input as this module receives it; the constants a config gives are not weights
    and stay out of the state_dict."""

    def __init__(
        self,
        shape: tuple[int, ...] = (),
        view: tuple[int, ...] | None = None,
        invert: bool = False,
        mean: float | torch.Tensor | None = None,
        variance: float | torch.Tensor | None = None,
    ) -> None:
        super().__init__()
        self.view, self.invert = tuple(shape) if view is None else view, invert
        if mean is None or variance is None:
            self.register_buffer("mean", torch.zeros(shape))
            self.register_buffer("variance", torch.ones(shape))
            self.register_buffer("count", torch.zeros((), dtype=torch.int64))
        else:
            self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float32), persistent=False)
            self.register_buffer("variance", torch.as_tensor(variance, dtype=torch.float32), persistent=False)
            self.view = tuple(self.mean.shape)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean, variance = self.mean.reshape(self.view), self.variance.reshape(self.view)
        std = variance.sqrt().clamp(min=1e-7)
        return mean + x * std if self.invert else (x - mean) / std
''',
)


# -- values that broadcast against the input, in the input's layout ---------------------


def to_layout(shape: tuple[int, ...], layout: Layout) -> Transfer:
    """An array of `shape` (the input's rank) that broadcasts against a Keras value, made
    to broadcast against the torch value of `layout`: its axes moved as the value's
    are (a flattened vector's features regrouped), leading 1s dropped."""
    steps: list[Step]
    if layout.flat is not None and shape[1] != 1:
        flat = layout.flat
        grid = (shape[0], *flat.shape)
        steps = [Reshape(grid), Permute((0, *(a + 1 for a in flat.order))), Reshape(shape)]
        moved = shape
    else:
        steps = [Permute(layout.perm)]
        moved = tuple(shape[a] for a in layout.perm)
    while moved and moved[0] == 1:
        moved = moved[1:]
    return tidy(Transfer(shape, (*steps, Reshape(moved))))


def tidy(transfer: Transfer) -> Transfer:
    """The same transfer without steps that change nothing: a permute that only moves
    axes of size 1 is a reshape, consecutive reshapes are one, a reshape to the same
    shape and a permute in order are nothing."""
    steps = list(transfer.steps)
    changed = True
    while changed:
        changed, kept, shape = False, [], transfer.keras_shape
        for step in steps:
            after = step.shape(shape)
            if isinstance(step, Permute) and _moves_only_ones(step, shape):
                step, changed = Reshape(after), changed or step.axes != tuple(range(len(shape)))
            if isinstance(step, Reshape) and after == shape:
                changed = True
            elif isinstance(step, Reshape) and kept and isinstance(kept[-1], Reshape):
                kept[-1], changed = step, True
            else:
                kept.append(step)
            shape = after
        steps = kept
    return Transfer(transfer.keras_shape, tuple(steps))


def _moves_only_ones(step: Permute, shape: tuple[int, ...]) -> bool:
    sized = [a for a in step.axes if shape[a] != 1]
    return sized == sorted(sized)


def constant(value: object, shape: tuple[int, ...], layout: Layout) -> tuple[Expr, tuple[int, ...]]:
    """A config's array constant (laid out as `shape` against the Keras input) as torch
    source for the layout the input has, and the shape of the buffer holding it."""
    import numpy as np

    transfer = to_layout(shape, layout)
    array = np.asarray(spec.flat_values(value), dtype="float64").reshape(shape)
    array = transfer.to_torch(array).reshape(transfer.torch_shape)  # to_torch makes 0-d arrays 1-d
    values = [literal(v) for v in array.ravel()]
    if array.ndim == 0:
        return Expr(values[0]), ()
    text = f"torch.tensor([{', '.join(values)}])"
    return Expr(text if array.ndim == 1 else f"{text}.reshape{array.shape}"), tuple(array.shape)


def literal(value: float) -> str:
    """The shortest number that is the float32 Keras computes with: both frameworks then
    hold the same value."""
    import numpy as np

    return str(np.float32(value))


def keras_shape(value: object, rank: int) -> tuple[int, ...]:
    """An array constant's shape against an input of `rank`: aligned on the right."""
    own = spec.array_shape(value)
    return (1,) * (rank - len(own)) + own


# -- the rules --------------------------------------------------------------------------


@rule("Rescaling")
class RescalingRule(KindRule):
    """Numbers are written into the forward line; arrays become the buffers of a small
    Rescaling module, laid out for the arriving value."""

    mask_policy = "pass"

    keras_positional = ("scale",)
    elementwise = True

    def torch(self, config: spec.RescalingConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        (x,) = inputs
        if not isinstance(config.scale, list) and not isinstance(config.offset, list):
            return TorchLayer(_affine(x, float(config.scale), float(config.offset)))
        layer = TorchLayer()
        scale, scale_shape = constant(config.scale, keras_shape(config.scale, site.rank), site.layout)
        offset, offset_shape = constant(config.offset, keras_shape(config.offset, site.rank), site.layout)
        arguments = [scale] if config.offset == 0.0 else [scale, offset]
        m = layer.module(site.attr, call("Rescaling", *arguments, needs={"Rescaling"}))
        layer.torch_only += [
            TorchBuffer(f"{site.attr}.scale", scale_shape, persistent=False),
            TorchBuffer(f"{site.attr}.offset", offset_shape, persistent=False),
        ]
        layer.forward = expr(f"{m}({{}})", x)
        return layer


def _affine(x: Expr, scale: float, offset: float) -> Expr:
    out = x if scale == 1.0 else expr("{} * {}", atom(x), literal(scale))
    if offset:
        out = expr("{} - {}", out, literal(-offset)) if offset < 0 else expr("{} + {}", out, literal(offset))
    return out


@rule("Normalization")
class NormalizationRule(KindRule):
    """KerasNormalization with its statistics laid out for the arriving value. Adapted
    statistics are Keras's weights mean, variance and count (torch buffers of the same
    names; count stays int64); config-given ones are constant buffers, which Keras does
    not count as weights."""

    mask_policy = "pass"

    elementwise = True

    def layouts(self, config: spec.NormalizationConfig, site: Site) -> list[Layout | None]:
        arriving = site.layouts[0]
        if config.mean is not None or arriving is None or _view(config, site, arriving) is not None:
            return [None]
        return [Layout.keras(site.rank)]  # statistics that would need regrouping: take the input as Keras holds it

    def torch(self, config: spec.NormalizationConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        (x,) = inputs
        shape = site.input_shape
        invert = {"invert": "True"} if config.invert else {}
        layer = TorchLayer()
        if config.mean is None:
            weight_shape = site.weight("mean").shape
            view = _view(config, site, site.layout)
            assert view is not None, "layouts() asked for a layout the statistics can be viewed in"
            arguments = [weight_shape] if weight_shape else []
            if view != weight_shape:
                arguments.append(view)
            m = layer.module(site.attr, call("KerasNormalization", *arguments, needs={"KerasNormalization"}, **invert))
            for name in ("mean", "variance"):
                weight = site.weight(name)
                layer.add_weight(weight, site.attr, name, Transfer.same(weight.shape), buffer=True)
            layer.add_weight(site.weight("count"), site.attr, "count", Transfer.same(()), buffer=True, dtype="int64")
        else:
            laid_out = config.constant_shape(shape)
            mean_value, constant_shape = constant(config.mean, laid_out, site.layout)
            variance_value, _ = constant(config.variance, laid_out, site.layout)
            ctor = call(
                "KerasNormalization", needs={"KerasNormalization"}, **invert, mean=mean_value, variance=variance_value
            )
            m = layer.module(site.attr, ctor)
            layer.torch_only += [
                TorchBuffer(f"{site.attr}.mean", constant_shape, persistent=False),
                TorchBuffer(f"{site.attr}.variance", constant_shape, persistent=False),
            ]
        layer.forward = expr(f"{m}({{}})", x)
        return layer


def _view(config: spec.NormalizationConfig, site: Site, layout: Layout) -> tuple[int, ...] | None:
    """The shape adapted statistics are viewed in to broadcast against a value of
    `layout`, where a reshape of Keras's weight does it (its values keep their order);
    None where it would take a regrouping."""
    broadcast = config.broadcast_shape(site.input_shape)
    transfer = tidy(Transfer(broadcast, to_layout(broadcast, layout).steps))
    if any(isinstance(step, Permute) for step in transfer.steps):
        return None
    return transfer.torch_shape
