"""keras.applications' own layers in torch: ConvNeXt's LayerScale (a learned scale per
channel) and InceptionResNetV2's CustomScaleLayer (a residual sum with the branch scaled)."""

from __future__ import annotations

from ...spec.layers import applications as spec
from ..rules.expr import Expr, atom, call, expr, num
from ..rules.layout import Layout
from ..rules.rule import KindRule, Site, TorchLayer
from ..rules.torch_helpers import register_helper
from ..rules.transfer import Transfer
from . import rule
from .merging import _aligned, _common_layouts

register_helper(
    "LayerScale",
    '''
class LayerScale(nn.Module):
    """ConvNeXt's LayerScale (keras.applications): x times gamma, a learned scale per
    channel, viewed as `view` to broadcast against the input as this module receives it."""

    def __init__(self, channels: int, view: tuple[int, ...] | None = None) -> None:
        super().__init__()
        self.gamma = nn.Parameter(torch.empty(channels))
        self.view = view

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * (self.gamma if self.view is None else self.gamma.view(self.view))
''',
)


@rule("LayerScale")
class LayerScaleRule(KindRule):
    """gamma scales Keras's last axis: wherever that axis is in the arriving value (a
    channels-first map's is dim 1), gamma is viewed to broadcast there."""

    mask_policy = "pass"
    elementwise = True  # the output is laid out as the input

    def layouts(self, config: spec.LayerScaleConfig, site: Site) -> list[Layout | None]:
        arriving = site.layouts[0]
        return [None if arriving is None else arriving.unflattened()]

    def torch(self, config: spec.LayerScaleConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        gamma = site.weight("variable")  # Keras's name for the gamma it did not name
        dim, rank = site.layout.dim(-1), site.rank
        view = tuple(config.projection_dim if d == dim else 1 for d in range(dim, rank))
        arguments = [config.projection_dim] if dim == rank - 1 else [config.projection_dim, view]
        layer = TorchLayer()
        m = layer.module(site.attr, call("LayerScale", *arguments, needs={"LayerScale"}), shape_only=True)
        layer.add_weight(gamma, site.attr, "gamma", Transfer.same(gamma.shape))
        layer.forward = expr(f"{m}({{}})", inputs[0])
        return layer


@rule("CustomScaleLayer")
class CustomScaleLayerRule(KindRule):
    """inputs[0] + inputs[1] * scale, both inputs in one layout, kept by the output."""

    mask_policy = "pass"
    elementwise = True

    def layouts(self, config: spec.CustomScaleLayerConfig, site: Site) -> list[Layout | None]:
        return _common_layouts(site)

    def torch(self, config: spec.CustomScaleLayerConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        x, branch = _aligned(site, inputs)
        return TorchLayer(expr("{} + {} * {}", x, atom(branch), num(config.scale)))
