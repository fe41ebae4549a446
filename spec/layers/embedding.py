"""Embedding, integer indices looked up in a table of vectors, and Masking: the layers
that start a Keras mask (which steps of a sequence later layers skip)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import Field

from ..base import Int, unsupported
from ..initializers import Initializer, default_initializer
from ..regularizers import Constraint, Regularizer
from .base import LayerConfig, Shape, ShapeError, WeightSpec, layer_kind, show


@layer_kind("Embedding")
class EmbeddingConfig(LayerConfig):
    """Row `i` of an (input_dim, output_dim) table for each index `i`: (batch, ...) ->
    (batch, ..., output_dim). Float indices are cast to integers first, as Keras does."""

    input_dim: Int = Field(gt=0)
    output_dim: Int = Field(gt=0)
    embeddings_initializer: Initializer = default_initializer("uniform")
    embeddings_regularizer: Regularizer | None = None
    embeddings_constraint: Constraint | None = None
    mask_zero: bool = False
    """Index 0 is padding: the output carries a mask, false where the index is 0."""
    lora_rank: Annotated[int | None, unsupported("LoRA adapters (lora_rank) are not supported")] = None
    lora_alpha: Annotated[float | None, unsupported("LoRA adapters (lora_alpha) are not supported")] = None
    quantization_config: Annotated[Any, unsupported("quantized layers are not supported")] = None

    @classmethod
    def from_keras2(cls, config: dict[str, Any]) -> None:
        config.pop("input_length", None)  # Keras 3 dropped it: the input's own shape says the length

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        return (*self.single(inputs), self.output_dim)

    def index_bound(self) -> int:
        return self.input_dim

    def build_weights(self, inputs: Sequence[Shape]) -> list[WeightSpec]:
        return [
            WeightSpec(
                "embeddings",
                (self.input_dim, self.output_dim),
                self.embeddings_initializer,
                True,
                self.embeddings_regularizer,
                self.embeddings_constraint,
            )
        ]


@layer_kind("Masking")
class MaskingConfig(LayerConfig):
    """Steps whose features all equal `mask_value` are masked: set to zero, and skipped by
    the layers after it that read masks (RNNs, masked pooling)."""

    mask_value: float = 0.0

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape = self.single(inputs)
        if len(shape) < 2:
            raise ShapeError(f"Masking needs (batch, steps, ...), got {show(shape)}")
        return shape
