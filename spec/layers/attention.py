"""Attention layers: MultiHeadAttention, Attention, AdditiveAttention."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field

from .. import initializers as ki
from ..base import Int, SeedInt, unsupported
from ..initializers import Initializer, default_initializer
from ..regularizers import Constraint, Regularizer
from .base import LayerConfig, Shape, ShapeError, WeightSpec, known, layer_kind, resolve_axis, show

Rate = Annotated[float, Field(ge=0, le=1)]


def query_value_key(kind: str, inputs: Sequence[Shape]) -> tuple[Shape, Shape, Shape]:
    """An attention layer's (query, value, key) (the key is the value where not given): each
    (batch, steps, features) with its features known, the value and the key alike long."""
    if len(inputs) not in (2, 3):
        raise ShapeError(f"{kind} is called on query, value (and key), not {len(inputs)} tensors")
    query, value = inputs[0], inputs[1]
    key = inputs[2] if len(inputs) == 3 else value
    for what, shape in (("query", query), ("value", value), ("key", key)):
        if len(shape) != 3:
            raise ShapeError(f"{kind}'s {what} must be (batch, steps, features), got {show(shape)}")
        known(shape[-1], f"the {what}'s features")
    if value[1] is not None and key[1] is not None and value[1] != key[1]:
        raise ShapeError(f"the value {show(value)} and the key {show(key)} must have as many steps")
    return query, value, key


# Keras's field `output_shape` hides LayerConfig.output_shape(); this kind answers output_shapes() instead
warnings.filterwarnings("ignore", 'Field name "output_shape"', UserWarning)


@layer_kind("MultiHeadAttention")
class MultiHeadAttentionConfig(LayerConfig):
    """Keras's multi-head attention over (batch, steps, features): called on query and
    value (and key, the value where not given), each projected per head
    (`key_dim` / `value_dim` wide), scaled dot-product attention along the steps, the
    heads projected back to `output_shape` (the query's features by default)."""

    positional: ClassVar[bool] = True

    num_heads: Int = Field(gt=0)
    key_dim: Int = Field(gt=0)
    value_dim: Annotated[int, Field(gt=0)] | None = None
    dropout: Rate = 0.0
    use_bias: bool = True
    output_shape: Annotated[int, Field(gt=0)] | list[Annotated[int, Field(gt=0)]] | None = None
    attention_axes: Int | list[Int] | None = None
    sliding_window: Annotated[int | None, unsupported("sliding-window attention is not supported")] = None
    flash_attention: bool | None = None
    """A choice of kernel: the same values either way."""
    kernel_initializer: Initializer = default_initializer("glorot_uniform")
    bias_initializer: Initializer = default_initializer("zeros")
    kernel_regularizer: Regularizer | None = None
    bias_regularizer: Regularizer | None = None
    kernel_constraint: Constraint | None = None
    bias_constraint: Constraint | None = None
    use_gate: Annotated[bool, unsupported("gated attention (use_gate) is not supported", False)] = False
    seed: SeedInt | None = None

    @classmethod
    def from_keras2(cls, config: dict[str, Any]) -> None:
        for key in ("query_shape", "key_shape", "value_shape"):  # tf.keras's build shapes: the graph has them
            config.pop(key, None)
        if config.get("softmax_robust_masking") is False:  # how masked scores were filled: no mask, no effect
            del config["softmax_robust_masking"]

    @property
    def values_width(self) -> int:
        return self.value_dim or self.key_dim

    def output_width(self, query: Shape) -> int:
        if self.output_shape is None:
            return known(query[-1], "the query's features")
        shape = [self.output_shape] if isinstance(self.output_shape, int) else self.output_shape
        if len(shape) != 1:
            raise ShapeError(f"an output_shape of several axes {shape} is not supported")
        return shape[0]

    def parts(self, inputs: Sequence[Shape]) -> tuple[Shape, Shape, Shape]:
        """(query, value, key), checked: each (batch, steps, features), value and key alike long."""
        query, value, key = query_value_key(self.kind, inputs)
        axes = self.attention_axes
        if axes is not None and [resolve_axis(a, 3) for a in ([axes] if isinstance(axes, int) else axes)] != [1]:
            raise ShapeError(f"attention_axes {axes} are not supported: only the steps axis (1) of a 3-D input")
        return query, value, key

    def check_keyword_tensors(self, inputs: Sequence[Shape], given: dict[str, Shape]) -> None:
        """An attention_mask is (batch, query steps, value steps), as Keras documents it, or
        broadcasts to it (a padding mask (batch, 1, value steps))."""
        mask = given.get("attention_mask")
        if mask is None:
            return
        query, value, _ = self.parts(inputs)
        expected = (query[0], query[1], value[1])
        fits = len(mask) == 3 and all(
            a == 1 or a is None or b is None or a == b for a, b in zip(mask, expected, strict=True)
        )
        if not fits:
            raise ShapeError(
                f"the attention_mask {show(mask)} must be (batch, query steps, value steps), {show(expected)}"
            )

    def output_shape_of(self, inputs: Sequence[Shape]) -> Shape:
        query = self.parts(inputs)[0]
        return (query[0], query[1], self.output_width(query))

    def output_shapes(self, inputs: Sequence[Shape]) -> tuple[Shape, ...]:
        return (self.output_shape_of(inputs),)

    def build_weights(self, inputs: Sequence[Shape]) -> list[WeightSpec]:
        """Keras's four EinsumDense projections, in its order, saved under <name>_dense."""
        query, value, key = self.parts(inputs)
        heads, width = self.num_heads, self.values_width
        projections = (
            ("query", (query[-1], heads, self.key_dim)),
            ("key", (key[-1], heads, self.key_dim)),
            ("value", (value[-1], heads, width)),
            ("attention_output", (heads, width, self.output_width(query))),
        )
        out = []
        for name, kernel in projections:
            owner = "output_dense" if name == "attention_output" else f"{name}_dense"
            out.append(self._weight(f"{name}/kernel", kernel, owner, self.kernel_initializer))
            if self.use_bias:
                bias = kernel[-1:] if name == "attention_output" else kernel[1:]
                out.append(self._weight(f"{name}/bias", bias, owner, self.bias_initializer))
        return out

    def _weight(self, name: str, shape: tuple[int, ...], owner: str, initializer: Any) -> WeightSpec:
        is_kernel = name.endswith("kernel")
        return WeightSpec(
            name,
            shape,
            initializer,
            True,
            self.kernel_regularizer if is_kernel else self.bias_regularizer,
            self.kernel_constraint if is_kernel else self.bias_constraint,
            owner=owner,
        )


class _ScoreAttentionConfig(LayerConfig):
    """What Attention and AdditiveAttention share: called on [query, value] or
    [query, value, key], each (batch, steps, features); softmax over the value's steps of
    a score per query step and key step; the values weighted by it."""

    merges: ClassVar[bool] = True

    dropout: Rate = 0.0
    seed: SeedInt | None = None

    def parts(self, inputs: Sequence[Shape]) -> tuple[Shape, Shape, Shape]:
        query, value, key = query_value_key(self.kind, inputs)
        if query[-1] != key[-1]:
            raise ShapeError(f"the query {show(query)} and the key {show(key)} need as many features")
        return query, value, key

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        query, value, _ = self.parts(inputs)
        return (query[0], query[1], value[-1])


@layer_kind("Attention")
class AttentionConfig(_ScoreAttentionConfig):
    """Luong-style attention: scores query . key (`dot`, times a learned `scale` with
    use_scale) or sum(tanh(query + key)) (`concat`, times a learned weight)."""

    use_scale: bool = False
    score_mode: Literal["dot", "concat"] = "dot"

    def build_weights(self, inputs: Sequence[Shape]) -> list[WeightSpec]:
        self.parts(inputs)
        made = [WeightSpec("scale", (), ki.Ones(class_name="Ones"))] if self.use_scale else []
        if self.score_mode == "concat":
            made.append(WeightSpec("concat_score_weight", (), ki.Ones(class_name="Ones")))
        return made


@layer_kind("AdditiveAttention")
class AdditiveAttentionConfig(_ScoreAttentionConfig):
    """Bahdanau-style attention: scores sum(scale * tanh(query + key)) over the features,
    `scale` a learned vector with use_scale."""

    use_scale: bool = True

    def build_weights(self, inputs: Sequence[Shape]) -> list[WeightSpec]:
        query = self.parts(inputs)[0]
        if not self.use_scale:
            return []
        return [
            WeightSpec(
                "scale", (known(query[-1], "the query's features"),), ki.GlorotUniform(class_name="GlorotUniform")
            )
        ]
