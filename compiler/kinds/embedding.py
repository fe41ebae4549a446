"""Embedding in torch: nn.Embedding, whose (num_embeddings, embedding_dim) weight is
Keras's table as it is; with mask_zero, and Masking, the mask Keras attaches to the
output becomes a boolean (batch, steps) tensor of the module's forward."""

from __future__ import annotations

from typing import Any

from ...spec.layers import embedding as spec
from ..from_torch.reverse import KerasLayer, Matched, Untranslatable, from_module
from ..from_torch.reverse import Site as FromSite
from ..rules.expr import Expr, call, expr, num
from ..rules.rule import KindRule, Site, TorchLayer
from ..rules.transfer import Transfer
from . import rule


@rule("Embedding")
class EmbeddingRule(KindRule):
    reads_indices = True
    mask_policy = "read"
    keras_positional = ("input_dim", "output_dim")

    def torch(self, config: spec.EmbeddingConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        table = site.weight("embeddings")
        layer = TorchLayer()
        m = layer.module(site.attr, call("nn.Embedding", config.input_dim, config.output_dim), shape_only=True)
        layer.add_weight(table, site.attr, "weight", Transfer.same(table.shape))
        # Keras casts float indices to integers (toward zero), as .long() does
        indices = inputs[0] if site.integer[0] else expr("{}.long()", inputs[0])
        layer.forward = expr(f"{m}({{}})", indices)
        if config.mask_zero:  # index 0 is padding
            layer.output_masks[0] = expr("{} != 0", inputs[0])
        return layer


@rule("Masking")
class MaskingRule(KindRule):
    mask_policy = "read"

    def torch(self, config: spec.MaskingConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        (x,) = inputs
        kept = expr(f"({{}} != {num(config.mask_value)}).any(dim=-1)", x)
        layer = TorchLayer(output_layout=site.layout)
        layer.output_masks[0] = kept
        layer.forward = expr("torch.where({}.unsqueeze(-1), {}, 0.0)", kept, x)
        return layer


# -- from PyTorch ---------------------------------------------------------------------------


@from_module("Embedding")
def _embedding(module: Any, site: FromSite) -> Matched:
    """nn.Embedding; its padding_idx only keeps that row's gradient at zero in training."""
    if module.max_norm is not None or module.scale_grad_by_freq:
        raise Untranslatable("an Embedding with max_norm or scale_grad_by_freq has no Keras layer")
    config = {"input_dim": module.num_embeddings, "output_dim": module.embedding_dim}
    order = (*site.value.perm, site.value.rank)  # the features after the indices' axes, as torch has them
    return Matched([KerasLayer("Embedding", config, {"embeddings": (module.weight,)})], order=order)
