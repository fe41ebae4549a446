"""Attention layers in torch: MultiHeadAttention as a small module of four nn.Linear
projections around F.scaled_dot_product_attention; Attention and AdditiveAttention as a
module holding their learned scales, computing Keras's scores.

Keras's projection kernels are (features, heads, key_dim) and (heads, value_dim, out):
reshaped to the matrices they act as, then transposed, they are the Linear weights. Their
fans are the matrices' (Keras 3 computes them over the kernel's input and output axes)."""

from __future__ import annotations

import math
from typing import Any

from ...spec.layers import attention as spec
from ..from_torch.reverse import KerasLayer, Matched, Untranslatable, Unusable, from_module
from ..from_torch.reverse import Site as FromSite
from ..rules.expr import Expr, call, num
from ..rules.init import draws_by_fans, init_statement
from ..rules.rule import KindRule, Site, TorchLayer
from ..rules.torch_helpers import register_helper
from ..rules.transfer import Permute, Reshape, Transfer
from . import rule

register_helper(
    "KerasMultiHeadAttention",
    '''
class KerasMultiHeadAttention(nn.Module):
    """Keras's MultiHeadAttention: query, key and value projected per head, scaled
    dot-product attention over the steps (each step of the query attending to every step
    of the key, or only to those up to its own with `causal`), the heads projected back."""

    def __init__(
        self,
        query_size: int,
        key_size: int,
        value_size: int,
        num_heads: int,
        key_dim: int,
        value_dim: int,
        output_size: int,
        dropout: float = 0.0,
        bias: bool = True,
    ) -> None:
        super().__init__()
        self.num_heads, self.dropout = num_heads, dropout
        self.query = nn.Linear(query_size, num_heads * key_dim, bias=bias)
        self.key = nn.Linear(key_size, num_heads * key_dim, bias=bias)
        self.value = nn.Linear(value_size, num_heads * value_dim, bias=bias)
        self.output = nn.Linear(num_heads * value_dim, output_size, bias=bias)

    def forward(
        self,
        query: torch.Tensor,
        value: torch.Tensor,
        key: torch.Tensor | None = None,
        causal: bool = False,
        mask: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """`mask`: which (query step, key step) pairs may attend, (batch, T, S) or broadcast
        to it, from the inputs' Keras masks and an attention_mask; Keras adds -1e9 to the
        scores of the others."""
        key = value if key is None else key
        q, k, v = (
            projection(x).unflatten(-1, (self.num_heads, -1)).transpose(1, 2)
            for projection, x in ((self.query, query), (self.key, key), (self.value, value))
        )
        dropout = self.dropout if self.training else 0.0
        bias = None
        if mask is not None:
            if causal:
                mask = mask & torch.ones(q.shape[2], k.shape[2], dtype=torch.bool, device=mask.device).tril()
            bias = torch.where(mask, 0.0, -1e9).unsqueeze(1)  # one for every head
        attended = F.scaled_dot_product_attention(
            q, k, v, attn_mask=bias, dropout_p=dropout, is_causal=causal and mask is None
        )
        return self.output(attended.transpose(1, 2).flatten(2))
''',
    frozenset({"F"}),
)

PROJECTIONS = (("query", "query"), ("key", "key"), ("value", "value"), ("attention_output", "output"))
"""Keras's projection names and the helper's Linear attributes."""


@rule("MultiHeadAttention")
class MultiHeadAttentionRule(KindRule):
    """The query's, value's and key's Keras masks (a key's only where it is given) make the
    pairs that may attend; the output carries the query's mask, as in Keras."""

    keras_positional = ("num_heads", "key_dim")
    mask_policy = "read"
    clears_input_masks = True

    def random_in_training(self, config: spec.MultiHeadAttentionConfig) -> bool:
        return config.dropout > 0

    def torch(self, config: spec.MultiHeadAttentionConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        query, value, key = config.parts(site.input_shapes)
        out = config.output_width(query)
        sizes = (query[-1], key[-1], value[-1], config.num_heads, config.key_dim, config.values_width, out)
        options = {"dropout": num(config.dropout)} if config.dropout else {}
        options |= {} if config.use_bias else {"bias": "False"}
        layer = TorchLayer()
        ctor = call("KerasMultiHeadAttention", *sizes, needs={"KerasMultiHeadAttention"}, **options)
        m = layer.module(site.attr, ctor, shape_only=True)
        for keras_name, attr in PROJECTIONS:
            kernel = site.weight(f"{keras_name}/kernel")
            matrix = (kernel.shape[0], kernel.shape[1] * kernel.shape[2])
            if keras_name == "attention_output":
                matrix = (kernel.shape[0] * kernel.shape[1], kernel.shape[2])
            transfer = Transfer(kernel.shape, (Reshape(matrix), Permute((1, 0))))
            layer.add_weight(kernel, site.attr, f"{attr}.weight", transfer, initialise=False)
            fans = Transfer.transpose(matrix) if draws_by_fans(kernel.initializer) else transfer
            layer.init.append(init_statement(kernel.initializer, f"{m}.{attr}.weight", fans, site.attr))
            if config.use_bias:
                bias = site.weight(f"{keras_name}/bias")
                flat = Transfer(bias.shape, (Reshape((math.prod(bias.shape),)),))
                layer.add_weight(bias, site.attr, f"{attr}.bias", flat)
        arguments = [str(x) for x in inputs]
        if site.options.get("use_causal_mask"):
            arguments.append("causal=True")
        query_mask, *other_masks = site.masks
        pairs = [f"{query_mask}[:, :, None]"] if query_mask else []
        pairs += [f"{mask}[:, None, :]" for mask in other_masks if mask]
        if "attention_mask" in site.keyword_tensors:  # Keras reads any dtype as bool: nonzero attends
            pairs.insert(0, f"{site.keyword_tensors['attention_mask']}.bool()")
        if pairs:
            arguments.append(f"mask={' & '.join(pairs)}")
        if query_mask:
            layer.output_masks[0] = Expr(query_mask)
        layer.forward = Expr(f"{m}({', '.join(arguments)})")
        return layer


register_helper(
    "KerasAttention",
    '''
class KerasAttention(nn.Module):
    """Keras's Attention and AdditiveAttention: a score per query step and key step
    (`dot`: query . key; `concat`: sum(tanh(query + key)); `additive`: sum(scale * tanh(query + key))),
    softmax over the key's steps (only up to the query's own step with `causal`), the values weighted."""

    def __init__(self, score_mode: str = "dot", scale: tuple[int, ...] | None = None, dropout: float = 0.0) -> None:
        super().__init__()
        self.score_mode, self.dropout = score_mode, dropout
        self.scale = None if scale is None else nn.Parameter(torch.ones(scale))
        self.concat_score_weight = nn.Parameter(torch.ones(())) if score_mode == "concat" else None

    def forward(
        self,
        query: torch.Tensor,
        value: torch.Tensor,
        key: torch.Tensor | None = None,
        causal: bool = False,
        query_mask: torch.Tensor | None = None,
        value_mask: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """The masks are the inputs' Keras masks: masked value steps get no weight, masked
        query steps output zeros."""
        key = value if key is None else key
        if self.score_mode == "dot":
            scores = query @ key.transpose(-2, -1)
            scores = scores if self.scale is None else scores * self.scale
        else:
            summed = query.unsqueeze(-2) + key.unsqueeze(-3)  # (batch, query steps, key steps, features)
            if self.score_mode == "concat":
                summed = summed if self.scale is None else self.scale * summed
                scores = self.concat_score_weight * torch.tanh(summed).sum(-1)
            else:
                tanh = torch.tanh(summed)
                scores = (tanh if self.scale is None else self.scale * tanh).sum(-1)
        keep = None if value_mask is None else value_mask[:, None, :]
        if causal:
            steps = torch.ones(scores.shape[-2:], dtype=torch.bool, device=scores.device).tril()
            keep = steps if keep is None else keep & steps
        if keep is not None:  # Keras subtracts 1e9 where a step may not be attended to
            scores = torch.where(keep, scores, scores - 1e9)
        weights = F.dropout(torch.softmax(scores, dim=-1), self.dropout, self.training)
        attended = weights @ value
        return attended if query_mask is None else torch.where(query_mask[..., None], attended, 0.0)
''',
    frozenset({"F"}),
)


class _ScoreAttentionRule(KindRule):
    """Keras's masks of the query and the value: the value's weights none of its masked
    steps, masked query steps output zeros; the output carries the query's mask."""

    score_mode: str
    mask_policy = "read"

    def random_in_training(self, config: spec.AttentionConfig) -> bool:
        return config.dropout > 0

    def torch(self, config: spec.AttentionConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        mode = getattr(config, "score_mode", self.score_mode)
        options = {} if mode == "dot" else {"score_mode": f'"{mode}"'}
        if config.use_scale:
            options["scale"] = str(site.weight("scale").shape)
        if config.dropout:
            options["dropout"] = num(config.dropout)
        layer = TorchLayer()
        m = layer.module(site.attr, call("KerasAttention", needs={"KerasAttention"}, **options), shape_only=True)
        for weight in site.weights:
            layer.add_weight(weight, site.attr, weight.name, Transfer.same(weight.shape))
        arguments = [str(x) for x in inputs]
        if site.options.get("use_causal_mask"):
            arguments.append("causal=True")
        query_mask, value_mask = site.masks[0], site.masks[1]  # Keras reads no key mask here
        if query_mask:
            arguments.append(f"query_mask={query_mask}")
            layer.output_masks[0] = Expr(query_mask)
        if value_mask:
            arguments.append(f"value_mask={value_mask}")
        layer.forward = Expr(f"{m}({', '.join(arguments)})")
        return layer


@rule("Attention")
class AttentionRule(_ScoreAttentionRule):
    score_mode = "dot"


@rule("AdditiveAttention")
class AdditiveAttentionRule(_ScoreAttentionRule):
    score_mode = "additive"


# -- from PyTorch ---------------------------------------------------------------------------


@from_module("MultiheadAttention")
def _multihead_attention(module: Any, site: FromSite) -> Matched:
    """nn.MultiheadAttention(batch_first=True) called on (query, key, value): Keras's layer
    called on (query, value, key), its projections torch's packed ones split by rows."""
    if site.arguments.get("key_padding_mask") is not None or site.arguments.get("attn_mask") is not None:
        raise Untranslatable("a key_padding_mask or attn_mask given to nn.MultiheadAttention is not supported yet")
    query, key, value = (site.inputs + site.inputs[-1:] * 2)[:3]
    layer = _attention_layer(module, query.shape[-1])
    layer.sources = (query, value, key)
    return Matched([layer], channels_first=False, tail=Unusable("nn.MultiheadAttention's attention weights"))


def _attention_layer(module: Any, query_width: int) -> KerasLayer:
    if not module.batch_first:
        raise Untranslatable("nn.MultiheadAttention(batch_first=False) reads (steps, batch, features)")
    if module.bias_k is not None or module.add_zero_attn:
        raise Untranslatable("add_bias_kv or add_zero_attn has no Keras equivalent")
    width, heads = module.embed_dim, module.num_heads
    if module.in_proj_weight is not None:
        kernels = (
            module.in_proj_weight[:width],
            module.in_proj_weight[width : 2 * width],
            module.in_proj_weight[2 * width :],
        )
    else:
        kernels = (module.q_proj_weight, module.k_proj_weight, module.v_proj_weight)
    weights = {f"{name}/kernel": (kernel,) for name, kernel in zip(("query", "key", "value"), kernels, strict=True)}
    weights["attention_output/kernel"] = (module.out_proj.weight,)
    bias = module.in_proj_bias is not None
    if bias:
        biases = (module.in_proj_bias[:width], module.in_proj_bias[width : 2 * width], module.in_proj_bias[2 * width :])
        weights |= {f"{name}/bias": (b,) for name, b in zip(("query", "key", "value"), biases, strict=True)}
        weights["attention_output/bias"] = (module.out_proj.bias,)
    config = {"num_heads": heads, "key_dim": width // heads, "dropout": float(module.dropout), "use_bias": bias}
    if query_width != width:
        raise Untranslatable("a query narrower or wider than embed_dim")
    return KerasLayer("MultiHeadAttention", config, weights)


@from_module("TransformerEncoderLayer")
def _transformer_encoder_layer(module: Any, site: FromSite) -> Matched:
    """nn.TransformerEncoderLayer as the Keras layers it computes: self-attention, dropout,
    residual Add, LayerNormalization, a Dense feed-forward (before each sublayer with
    norm_first)."""
    if any(site.arguments.get(key) is not None for key in ("src_mask", "src_key_padding_mask", "1", "2")):
        raise Untranslatable("a mask given to nn.TransformerEncoderLayer is not supported yet")
    return Matched(transformer_layers(module, site.value), channels_first=False)


@from_module("TransformerEncoder")
def _transformer_encoder(module: Any, site: FromSite) -> Matched:
    if any(site.arguments.get(key) is not None for key in ("mask", "src_key_padding_mask", "1", "2")):
        raise Untranslatable("a mask given to nn.TransformerEncoder is not supported yet")
    layers: list[KerasLayer] = []
    for n, encoder_layer in enumerate(module.layers):
        start = len(layers)
        block_input = site.value if n == 0 else start - 1
        for layer in transformer_layers(encoder_layer, BLOCK_INPUT, prefix=f"layers_{n}_"):
            # positions within the block's chain, moved to the whole list's; the block's input
            sources = layer.sources or ()
            layer.sources = tuple(
                block_input if s == BLOCK_INPUT else s + start if isinstance(s, int) else s for s in sources
            )
            layers.append(layer)
    if module.norm is not None:
        layers.append(_layer_norm(module.norm, "norm"))
    return Matched(layers, channels_first=False)


BLOCK_INPUT = -1
"""In transformer_layers' positions: the block's own input."""

ENCODER_ACTIVATIONS = {1: "relu", 2: "gelu"}
"""nn.TransformerEncoderLayer's `activation_relu_or_gelu`: F.relu, F.gelu (exact)."""


def transformer_layers(module: Any, x: Any, prefix: str = "") -> list[KerasLayer]:
    """The Keras layers of one encoder layer, in order; `x` is the input (a Value, or the
    position of the layer that made it)."""
    activation = ENCODER_ACTIVATIONS.get(getattr(module, "activation_relu_or_gelu", 0))
    if activation is None:
        raise Untranslatable("a TransformerEncoderLayer whose activation is neither relu nor gelu")
    rate = float(module.dropout.p)

    def dense(linear: Any, name: str, **config: Any) -> KerasLayer:
        weights = {"kernel": (linear.weight,)} | ({"bias": (linear.bias,)} if linear.bias is not None else {})
        units = linear.out_features
        return KerasLayer(
            "Dense", {"units": units, "use_bias": linear.bias is not None, **config}, weights, suffix=prefix + name
        )

    attention = _attention_layer(module.self_attn, module.self_attn.embed_dim)
    attention.suffix = prefix + "self_attn"
    layers: list[KerasLayer] = []

    def add(layer: KerasLayer, *sources: Any) -> int:
        layer.sources = sources or None
        layers.append(layer)
        return len(layers) - 1

    if module.norm_first:
        normed = add(_layer_norm(module.norm1, prefix + "norm1"), x)
        attended = add(attention, normed, normed, normed)
        dropped = add(KerasLayer("Dropout", {"rate": rate}, suffix=prefix + "dropout1"), attended)
        x = add(KerasLayer("Add", {}, suffix=prefix + "add1"), x, dropped)
        normed = add(_layer_norm(module.norm2, prefix + "norm2"), x)
        fed = _feed_forward(add, dense, module, normed, activation, rate, prefix)
        add(KerasLayer("Add", {}, suffix=prefix + "add2"), x, fed)
        return layers
    attended = add(attention, x, x, x)
    dropped = add(KerasLayer("Dropout", {"rate": rate}, suffix=prefix + "dropout1"), attended)
    summed = add(KerasLayer("Add", {}, suffix=prefix + "add1"), x, dropped)
    normed = add(_layer_norm(module.norm1, prefix + "norm1"), summed)
    fed = _feed_forward(add, dense, module, normed, activation, rate, prefix)
    summed = add(KerasLayer("Add", {}, suffix=prefix + "add2"), normed, fed)
    add(_layer_norm(module.norm2, prefix + "norm2"), summed)
    return layers


def _feed_forward(add: Any, dense: Any, module: Any, x: Any, activation: str, rate: float, prefix: str) -> int:
    hidden = add(dense(module.linear1, "linear1", activation=activation), x)
    dropped = add(KerasLayer("Dropout", {"rate": rate}, suffix=prefix + "dropout"), hidden)
    out = add(dense(module.linear2, "linear2"), dropped)
    return add(KerasLayer("Dropout", {"rate": float(module.dropout2.p)}, suffix=prefix + "dropout2"), out)


def _layer_norm(norm: Any, name: str) -> KerasLayer:
    bias = norm.bias is not None
    config = {"axis": -1, "epsilon": float(norm.eps), "scale": norm.elementwise_affine, "center": bias}
    weights = ({"gamma": (norm.weight,)} if norm.elementwise_affine else {}) | ({"beta": (norm.bias,)} if bias else {})
    return KerasLayer("LayerNormalization", config, weights, suffix=name)
