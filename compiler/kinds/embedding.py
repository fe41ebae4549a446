"""Embedding in torch: nn.Embedding, whose (num_embeddings, embedding_dim) weight is
Keras's table as it is."""

from __future__ import annotations

from ...spec.layers import embedding as spec
from ..rules.expr import Expr, expr
from ..rules.rule import KindRule, Site, TorchLayer
from ..rules.transfer import Transfer
from . import rule


@rule("Embedding")
class EmbeddingRule(KindRule):
    reads_indices = True
    keras_positional = ("input_dim", "output_dim")

    def torch(self, config: spec.EmbeddingConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        table = site.weight("embeddings")
        layer = TorchLayer()
        m = layer.module(site.attr, expr(f"nn.Embedding({config.input_dim}, {config.output_dim})"), shape_only=True)
        layer.add_weight(table, site.attr, "weight", Transfer.same(table.shape))
        # Keras casts float indices to integers (toward zero), as .long() does
        indices = inputs[0] if site.integer[0] else expr("{}.long()", inputs[0])
        layer.forward = expr(f"{m}({{}})", indices)
        return layer
