"""Regularisation layers in torch: SpatialDropout1D/2D/3D, GaussianNoise,
GaussianDropout, ActivityRegularization and Identity.

The random layers draw from torch's global generator: in training their masks and
noise follow Keras's distributions but are not Keras's draws (as with Dropout), and a
Keras `seed` makes only the Keras side repeatable. In inference they are the identity,
as in Keras. None changes the layout of what it is given."""

from __future__ import annotations

from typing import Any

from ...spec import regularizers as kr
from ...spec.layers import regularization as spec
from ..rules.expr import Expr, call, expr, num
from ..rules.rule import KindRule, Site, TorchLayer
from ..rules.torch_helpers import register_helper
from . import rule

register_helper(
    "GaussianNoise",
    '''
class GaussianNoise(nn.Module):
    """Keras's GaussianNoise: adds N(0, stddev) noise in training; the identity in eval."""

    def __init__(self, stddev: float) -> None:
        super().__init__()
        self.stddev = stddev

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return x
        return x + torch.randn_like(x) * self.stddev

    def extra_repr(self) -> str:
        return f"stddev={self.stddev}"
''',
)

register_helper(
    "GaussianDropout",
    '''
class GaussianDropout(nn.Module):
    """Keras's GaussianDropout: multiplies by N(1, sqrt(rate / (1 - rate))) noise in
    training; the identity in eval."""

    def __init__(self, rate: float) -> None:
        super().__init__()
        self.rate = rate

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return x
        stddev = (self.rate / (1.0 - self.rate)) ** 0.5
        return x * (1.0 + torch.randn_like(x) * stddev)

    def extra_repr(self) -> str:
        return f"rate={self.rate}"
''',
)

_DROPOUT_ND = {3: "nn.Dropout1d", 4: "nn.Dropout2d", 5: "nn.Dropout3d"}
"""torch's channel dropout by input rank: one draw per sample and channel, channels on dim 1."""


def _module(site: Site, constructor: Expr, x: Expr) -> TorchLayer:
    """A module holding numbers only (a rate, a stddev): no tensors."""
    layer = TorchLayer()
    m = layer.module(site.attr, constructor, shape_only=True)
    layer.forward = expr(f"{m}({{}})", x)
    return layer


IDENTITY = Expr("nn.Identity()")


class _SpatialDropoutRule(KindRule):
    """nn.Dropout1d/2d/3d where Keras's channels are torch's dim 1 (after a convolution,
    or Keras's own channels_first); elsewhere NoiseShapeDropout, one draw per sample
    and channel wherever the channels are, so the input is never permuted for it."""

    mask_policy = "pass"

    keras_positional = ("rate",)
    elementwise = True

    def random_in_training(self, config: Any) -> bool:
        return config.rate > 0

    def torch(self, config: Any, site: Site, inputs: list[Expr]) -> TorchLayer:
        dim = site.dim(config.channels_axis)
        if dim == 1:
            return _module(site, call(_DROPOUT_ND[site.rank], p=num(config.rate)), inputs[0])
        noise = tuple(None if d in (0, dim) else 1 for d in range(site.rank))
        dropout = call("NoiseShapeDropout", num(config.rate), noise, needs={"NoiseShapeDropout"})
        return _module(site, dropout, inputs[0])


@rule("SpatialDropout1D")
class SpatialDropout1DRule(_SpatialDropoutRule):
    pass


@rule("SpatialDropout2D")
class SpatialDropout2DRule(_SpatialDropoutRule):
    pass


@rule("SpatialDropout3D")
class SpatialDropout3DRule(_SpatialDropoutRule):
    pass


@rule("GaussianNoise")
class GaussianNoiseRule(KindRule):
    mask_policy = "pass"
    keras_positional = ("stddev",)
    elementwise = True

    def random_in_training(self, config: Any) -> bool:
        return config.stddev > 0

    def torch(self, config: spec.GaussianNoiseConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        if not config.stddev:
            return _module(site, IDENTITY, inputs[0])
        return _module(site, call("GaussianNoise", num(config.stddev), needs={"GaussianNoise"}), inputs[0])


@rule("GaussianDropout")
class GaussianDropoutRule(KindRule):
    mask_policy = "pass"
    keras_positional = ("rate",)
    elementwise = True

    def random_in_training(self, config: Any) -> bool:
        return config.rate > 0

    def torch(self, config: spec.GaussianDropoutConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        if not config.rate:
            return _module(site, IDENTITY, inputs[0])
        return _module(site, call("GaussianDropout", num(config.rate), needs={"GaussianDropout"}), inputs[0])


@rule("ActivityRegularization")
class ActivityRegularizationRule(KindRule):
    """The identity, with Keras's L1L2 penalty on its output: the lowering adds it per
    call, as for any layer's activity_regularizer, so a shared layer counts every call;
    it joins regularization_loss() whether or not the layer or model is frozen."""

    mask_policy = "pass"

    elementwise = True

    def activity_regularizer(self, config: spec.ActivityRegularizationConfig) -> Any:
        if not (config.l1 or config.l2):
            return None  # Keras adds a penalty of 0
        return kr.L1L2(class_name="L1L2", l1=config.l1, l2=config.l2)

    def torch(self, config: spec.ActivityRegularizationConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        return TorchLayer(inputs[0])


@rule("Identity")
class IdentityRule(KindRule):
    mask_policy = "pass"
    elementwise = True

    def torch(self, config: spec.IdentityConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        return _module(site, IDENTITY, inputs[0])
