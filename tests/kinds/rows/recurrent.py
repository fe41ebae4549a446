"""Parity rows of the embedding and recurrent families: Embedding on float and integer
indices; SimpleRNN, LSTM and GRU with each output option (sequences, states, reversed
reading), without a bias, with Keras's initializers and an unknown time axis; a text
model chaining them."""

from __future__ import annotations

from typing import Any

from cases import KindCase

SEQUENCE = (None, 3)
"""An unknown number of steps of 3 features."""


def _rnn(kind: str, shape: tuple[int | None, ...] = SEQUENCE, **config: Any) -> KindCase:
    return KindCase(kind, {"units": 4, **config}, input_shape=shape)


def _with_states(kind: str, **config: Any) -> KindCase:
    """return_state: the output and every state are model outputs."""
    states = 2 if kind == "LSTM" else 1
    spec = {
        "class_name": "Functional",
        "config": {
            "name": "states",
            "layers": [
                {"class_name": "InputLayer", "config": {"name": "steps", "batch_shape": [None, 6, 3]}},
                {
                    "class_name": kind,
                    "config": {"name": "rnn", "units": 4, "return_state": True, **config},
                    "inbound_nodes": [{"inputs": ["steps", 0, 0]}],
                },
            ],
            "input_layers": ["steps", 0, 0],
            "output_layers": [["rnn", 0, i] for i in range(states + 1)],
        },
    }
    options = ",".join(f"{k}={v}" for k, v in config.items())
    return KindCase(kind, id=f"{kind}[return_state,{options}]", spec=spec)


TEXT_MODEL = {
    "class_name": "Functional",
    "config": {
        "name": "text",
        "layers": [
            {"class_name": "InputLayer", "config": {"name": "tokens", "batch_shape": [None, None], "dtype": "int32"}},
            {
                "class_name": "Embedding",
                "config": {"name": "embed", "input_dim": 30, "output_dim": 5},
                "inbound_nodes": [{"inputs": ["tokens", 0, 0]}],
            },
            {
                "class_name": "LSTM",
                "config": {"name": "encode", "units": 6, "return_sequences": True},
                "inbound_nodes": [{"inputs": ["embed", 0, 0]}],
            },
            {
                "class_name": "GRU",
                "config": {"name": "summarise", "units": 4, "go_backwards": True},
                "inbound_nodes": [{"inputs": ["encode", 0, 0]}],
            },
            {
                "class_name": "Dense",
                "config": {"name": "classes", "units": 3, "activation": "softmax"},
                "inbound_nodes": [{"inputs": ["summarise", 0, 0]}],
            },
        ],
        "input_layers": ["tokens", 0, 0],
        "output_layers": ["classes", 0, 0],
    },
}

_OPTIONS: tuple[dict[str, Any], ...] = (
    {},
    {"return_sequences": True},
    {"go_backwards": True},
    {"return_sequences": True, "go_backwards": True},
    {"use_bias": False},
    {"dropout": 0.3},
    {"unroll": True},
)

ROWS: list[KindCase] = [
    KindCase("Embedding", {"input_dim": 7, "output_dim": 3}, input_shape=(5,)),
    KindCase(
        "Embedding", {"input_dim": 4, "output_dim": 2, "embeddings_initializer": "glorot_uniform"}, input_shape=(2, 3)
    ),
    *(_rnn(kind, **options) for kind in ("SimpleRNN", "LSTM", "GRU") for options in _OPTIONS),
    _rnn("SimpleRNN", activation="relu"),
    _rnn("SimpleRNN", (1, 2)),
    _rnn("LSTM", (1, 2)),
    _rnn("GRU", (50, 2)),
    _rnn("LSTM", unit_forget_bias=False, bias_initializer="ones"),
    _rnn("LSTM", bias_initializer="he_normal"),
    _rnn("GRU", bias_initializer={"class_name": "Constant", "config": {"value": 0.5}}),
    *(_with_states(kind) for kind in ("SimpleRNN", "LSTM", "GRU")),
    _with_states("LSTM", return_sequences=True, go_backwards=True),
    KindCase("LSTM", id="model:text_classifier", spec=TEXT_MODEL),
]

# Keras's cells where torch's layers compute something else: generated step loops
ROWS += [
    _rnn("SimpleRNN", activation="sigmoid"),
    _rnn("SimpleRNN", activation="gelu", return_sequences=True, use_bias=False),
    _rnn("LSTM", activation="relu", recurrent_activation="hard_sigmoid"),
    _rnn("LSTM", recurrent_activation="legacy_hard_sigmoid", return_sequences=True, go_backwards=True),
    _rnn("LSTM", recurrent_dropout=0.3, use_bias=False),
    _rnn("GRU", reset_after=False),
    _rnn("GRU", reset_after=False, return_sequences=True, bias_initializer="ones"),
    _rnn("GRU", activation="softsign", recurrent_activation="hard_silu"),
    _rnn("GRU", recurrent_dropout=0.2, reset_after=False, use_bias=False),
    _with_states("GRU", reset_after=False, activation="relu"),
    _with_states("LSTM", activation="elu", go_backwards=True),
]


def _bidirectional(inner: str = "LSTM", shape: tuple[int | None, ...] = SEQUENCE, **config: Any) -> KindCase:
    layer_config = config.pop("layer", {})
    layer = {"class_name": inner, "config": {"name": "rnn", "units": 4, **layer_config}}
    return KindCase("Bidirectional", {"layer": layer, **config}, input_shape=shape)


def _bidirectional_outputs(count: int, **layer_config: Any) -> KindCase:
    """Bidirectional with several outputs (merge_mode None, states): each is a model output."""
    spec = {
        "class_name": "Functional",
        "config": {
            "name": "bidirectional_outputs",
            "layers": [
                {"class_name": "InputLayer", "config": {"name": "steps", "batch_shape": [None, 5, 3]}},
                {
                    "class_name": "Bidirectional",
                    "config": {
                        "name": "both",
                        "merge_mode": layer_config.pop("merge_mode", "concat"),
                        "layer": {"class_name": "LSTM", "config": {"name": "lstm", "units": 3, **layer_config}},
                    },
                    "inbound_nodes": [{"inputs": ["steps", 0, 0]}],
                },
            ],
            "input_layers": ["steps", 0, 0],
            "output_layers": [["both", 0, i] for i in range(count)],
        },
    }
    return KindCase("Bidirectional", id=f"Bidirectional[{count} outputs,{layer_config}]", spec=spec)


ROWS += [
    _bidirectional(),
    _bidirectional("GRU", layer={"return_sequences": True}),
    _bidirectional("SimpleRNN", merge_mode="sum"),
    _bidirectional(merge_mode="mul", layer={"return_sequences": True}),
    _bidirectional("GRU", merge_mode="ave", layer={"reset_after": False}),
    _bidirectional(layer={"recurrent_activation": "hard_sigmoid", "dropout": 0.2}),
    _bidirectional(layer={"recurrent_activation": "legacy_hard_sigmoid"}),  # Keras copies the layer: registered
    _bidirectional(
        backward_layer={
            "class_name": "GRU",
            "config": {"name": "back", "units": 4, "go_backwards": True, "return_sequences": True},
        },
        layer={"return_sequences": True},
    ),
    _bidirectional_outputs(2, merge_mode=None, return_sequences=True),
    _bidirectional_outputs(5, return_state=True),
    _bidirectional_outputs(6, merge_mode=None, return_state=True, return_sequences=True),
]


def _time_distributed(kind: str, shape: tuple[int | None, ...], **config: Any) -> KindCase:
    return KindCase(
        "TimeDistributed", {"layer": {"class_name": kind, "config": {"name": "inner", **config}}}, input_shape=shape
    )


# TimeDistributed around kinds of each family: the steps folded into the batch
ROWS += [
    _time_distributed("Dense", (None, 3), units=4, activation="relu"),
    _time_distributed("Conv2D", (3, 5, 5, 2), filters=3, kernel_size=3, padding="same"),
    _time_distributed("MaxPooling2D", (2, 4, 4, 3), pool_size=2),
    _time_distributed("Flatten", (3, 2, 2, 3)),
    _time_distributed("BatchNormalization", (4, 3)),
    _time_distributed("Dropout", (4, 3), rate=0.5),
    _time_distributed("LSTM", (2, 5, 3), units=3),
]


def _attention(
    inputs: int = 2, causal: bool = False, shapes: tuple = ((5, 6), (4, 3), (4, 2)), **config: Any
) -> KindCase:
    """MultiHeadAttention called on query, value (and key), each a model input."""
    names = ["query", "value", "key"][:inputs]
    call: dict[str, Any] = {"inputs": [[n, 0, 0] for n in names]}
    if causal:
        call["kwargs"] = {"use_causal_mask": True}
    spec = {
        "class_name": "Functional",
        "config": {
            "name": "attention",
            "layers": [
                *(
                    {"class_name": "InputLayer", "config": {"name": n, "batch_shape": [None, *s]}}
                    for n, s in zip(names, shapes[: len(names)], strict=True)
                ),
                {
                    "class_name": "MultiHeadAttention",
                    "config": {"name": "mha", "num_heads": 2, "key_dim": 3, **config},
                    "inbound_nodes": [call],
                },
            ],
            "input_layers": [[n, 0, 0] for n in names],
            "output_layers": ["mha", 0, 0],
        },
    }
    options = ",".join(f"{k}={v}" for k, v in config.items())
    return KindCase(
        "MultiHeadAttention", id=f"MultiHeadAttention[{inputs} inputs,causal={causal},{options}]", spec=spec
    )


ROWS += [
    _attention(),
    _attention(3, value_dim=4, output_shape=5),
    _attention(2, causal=True, shapes=((4, 6), (4, 6))),
    _attention(2, causal=True, shapes=((3, 6), (5, 6)), use_bias=False),
    _attention(2, dropout=0.2, attention_axes=[1], kernel_initializer="he_normal"),
    _attention(2, shapes=((None, 6), (None, 2)), kernel_initializer="orthogonal", num_heads=1),
]


def _score_attention(kind: str, inputs: int = 2, causal: bool = False, **config: Any) -> KindCase:
    """Attention / AdditiveAttention on [query, value (, key)]: query and key of 4 features."""
    shapes = {"query": (5, 4), "value": (3, 6), "key": (3, 4)}
    names = list(shapes)[:inputs]
    call: dict[str, Any] = {"inputs": [[n, 0, 0] for n in names]}
    if causal:
        call["kwargs"] = {"use_causal_mask": True}
    spec = {
        "class_name": "Functional",
        "config": {
            "name": "scores",
            "layers": [
                *(
                    {"class_name": "InputLayer", "config": {"name": n, "batch_shape": [None, *shapes[n]]}}
                    for n in names
                ),
                {"class_name": kind, "config": {"name": "attend", **config}, "inbound_nodes": [call]},
            ],
            "input_layers": [[n, 0, 0] for n in names],
            "output_layers": ["attend", 0, 0],
        },
    }
    options = ",".join(f"{k}={v}" for k, v in config.items())
    return KindCase(kind, id=f"{kind}[{inputs} inputs,causal={causal},{options}]", spec=spec)


ROWS += [
    _score_attention("Attention", 3),
    _score_attention("Attention", 3, use_scale=True),
    _score_attention("Attention", 3, score_mode="concat", use_scale=True, dropout=0.1),
    _score_attention("Attention", 3, causal=True, score_mode="concat"),
    _score_attention("AdditiveAttention", 3),
    _score_attention("AdditiveAttention", 3, use_scale=False, causal=True),
]


def _masked(*layers: dict[str, Any], vocabulary: int = 4, steps: int | None = 7) -> dict[str, Any]:
    """Token ids (0 is padding: about one in `vocabulary`) -> Embedding(mask_zero) -> layers."""
    return {
        "class_name": "Sequential",
        "config": {
            "name": "masked",
            "layers": [
                {
                    "class_name": "InputLayer",
                    "config": {"name": "tokens", "batch_shape": [None, steps], "dtype": "int32"},
                },
                {
                    "class_name": "Embedding",
                    "config": {"name": "embed", "input_dim": vocabulary, "output_dim": 3, "mask_zero": True},
                },
                *layers,
            ],
        },
    }


def _layer(kind: str, name: str, **config: Any) -> dict[str, Any]:
    return {"class_name": kind, "config": {"name": name, **config}}


MASKED_MERGE = {
    "class_name": "Functional",
    "config": {
        "name": "masked_merge",
        "layers": [
            {"class_name": "InputLayer", "config": {"name": "a", "batch_shape": [None, 6], "dtype": "int32"}},
            {"class_name": "InputLayer", "config": {"name": "b", "batch_shape": [None, 6], "dtype": "int32"}},
            {
                **_layer("Embedding", "embed_a", input_dim=3, output_dim=4, mask_zero=True),
                "inbound_nodes": [{"inputs": ["a", 0, 0]}],
            },
            {
                **_layer("Embedding", "embed_b", input_dim=3, output_dim=4, mask_zero=True),
                "inbound_nodes": [{"inputs": ["b", 0, 0]}],
            },
            {**_layer("Add", "both"), "inbound_nodes": [{"inputs": [["embed_a", 0, 0], ["embed_b", 0, 0]]}]},
            {**_layer("LSTM", "read", units=3), "inbound_nodes": [{"inputs": ["both", 0, 0]}]},
        ],
        "input_layers": [["a", 0, 0], ["b", 0, 0]],
        "output_layers": ["read", 0, 0],
    },
}

MASKING = {
    "class_name": "Sequential",
    "config": {
        "name": "masking",
        "layers": [
            {"class_name": "InputLayer", "config": {"name": "steps", "batch_shape": [None, 8, 1]}},
            _layer("ReLU", "some_zero"),  # about half the steps become 0.0: masked
            _layer("Masking", "mask", mask_value=0.0),
            _layer("SimpleRNN", "read", units=3, return_sequences=True),
            _layer("GlobalAveragePooling1D", "average"),
        ],
    },
}

# Keras masks (Embedding mask_zero, Masking): random token ids put padding anywhere, so every
# row has masked steps in gaps; test_recurrent.py feeds right- and left-padded batches
ROWS += [
    KindCase("Embedding", id="mask:Embedding->LSTM", spec=_masked(_layer("LSTM", "read", units=4))),
    KindCase(
        "Embedding",
        id="mask:->GRU(sequences)->Dense",
        spec=_masked(_layer("GRU", "read", units=4, return_sequences=True), _layer("Dense", "per_step", units=2)),
    ),
    KindCase(
        "Embedding",
        id="mask:->SimpleRNN(backwards,zero_output)",
        spec=_masked(
            _layer("SimpleRNN", "read", units=3, return_sequences=True, go_backwards=True, zero_output_for_mask=True)
        ),
    ),
    KindCase(
        "Embedding",
        id="mask:->LSTM(states,loop)",
        spec=_masked(_layer("LSTM", "read", units=3, recurrent_activation="hard_sigmoid", return_sequences=True)),
    ),
    KindCase(
        "Embedding",
        id="mask:->Bidirectional(sequences)->GlobalAveragePooling1D",
        spec=_masked(
            _layer(
                "Bidirectional",
                "both",
                layer={"class_name": "GRU", "config": {"name": "gru", "units": 3, "return_sequences": True}},
            ),
            _layer("GlobalAveragePooling1D", "average"),
        ),
    ),
    KindCase(
        "Embedding",
        id="mask:->Dense->Dropout->Bidirectional(sum)",
        spec=_masked(
            _layer("Dense", "d", units=4),
            _layer("Dropout", "drop", rate=0.3),
            _layer(
                "Bidirectional",
                "both",
                merge_mode="sum",
                layer={"class_name": "LSTM", "config": {"name": "lstm", "units": 3}},
            ),
        ),
    ),
    KindCase("Embedding", id="mask:open length", spec=_masked(_layer("LSTM", "read", units=3), steps=None)),
    KindCase("Add", id="mask:merge of two masks", spec=MASKED_MERGE),
    KindCase("Masking", id="mask:Masking->SimpleRNN->GlobalAveragePooling1D", spec=MASKING),
]

# BatchNormalization passes a mask on; in training, only the kept steps make its moments
_MASKED_NORM = _masked(_layer("BatchNormalization", "norm", momentum=0.5), _layer("LSTM", "read", units=3))
_MASKED_NORM_STEPS = _masked(
    _layer("BatchNormalization", "norm", axis=1, center=False),
    _layer("GRU", "read", units=3, return_sequences=True),
    steps=5,
)
_MASKED_NORM_FROZEN = _masked(
    _layer("BatchNormalization", "norm", trainable=False), _layer("GlobalAveragePooling1D", "average")
)
_MASKED_NORM_GRID = {  # token ids in a (2, 5) grid: the mask is (batch, 2, 5), the input rank 4
    "class_name": "Sequential",
    "config": {
        "name": "masked_grid",
        "layers": [
            {"class_name": "InputLayer", "config": {"name": "tokens", "batch_shape": [None, 2, 5], "dtype": "int32"}},
            _layer("Embedding", "embed", input_dim=4, output_dim=3, mask_zero=True),
            _layer("BatchNormalization", "norm", momentum=0.5),
            _layer("Dense", "out", units=2),
        ],
    },
}
ROWS += [
    KindCase("BatchNormalization", id="mask:->BatchNormalization->LSTM", spec=_MASKED_NORM),
    KindCase("BatchNormalization", id="mask:grid->BatchNormalization:training", spec=_MASKED_NORM_GRID, training=True),
    KindCase("BatchNormalization", id="mask:->BatchNormalization->LSTM:training", spec=_MASKED_NORM, training=True),
    KindCase(
        "BatchNormalization",
        id="mask:->BatchNormalization(axis=1)->GRU:training",
        spec=_MASKED_NORM_STEPS,
        training=True,
    ),
    KindCase(
        "BatchNormalization",
        id="mask:->BatchNormalization(frozen)->GlobalAveragePooling1D:training",
        spec=_MASKED_NORM_FROZEN,
        training=True,
    ),
]


def _masked_attention(kind: str, causal: bool = False, **config: Any) -> KindCase:
    """Attention over masked sequences: the query's and the value's own masks (and a key's)."""
    names = ["query", "value", "key"]
    layers: list[dict[str, Any]] = []
    for n in names:
        layers.append({"class_name": "InputLayer", "config": {"name": n, "batch_shape": [None, 6], "dtype": "int32"}})
    for n in names:
        embedding = _layer("Embedding", f"{n}_embed", input_dim=3, output_dim=4, mask_zero=True)
        layers.append({**embedding, "inbound_nodes": [{"inputs": [n, 0, 0]}]})
    node: dict[str, Any] = {"inputs": [[f"{n}_embed", 0, 0] for n in names]}
    if causal:
        node["kwargs"] = {"use_causal_mask": True}
    layers.append({"class_name": kind, "config": {"name": "attend", **config}, "inbound_nodes": [node]})
    layers.append({**_layer("GRU", "read", units=3), "inbound_nodes": [{"inputs": ["attend", 0, 0]}]})
    spec = {
        "class_name": "Functional",
        "config": {
            "name": "masked_attention",
            "layers": layers,
            "input_layers": [[n, 0, 0] for n in names],
            "output_layers": [["attend", 0, 0], ["read", 0, 0]],
        },
    }
    return KindCase(kind, id=f"mask:{kind}(causal={causal},{config})", spec=spec)


ROWS += [
    _masked_attention("MultiHeadAttention", num_heads=2, key_dim=3),
    _masked_attention("MultiHeadAttention", causal=True, num_heads=1, key_dim=2),
    _masked_attention("Attention", use_scale=True),
    _masked_attention("Attention", causal=True, score_mode="concat"),
    _masked_attention("AdditiveAttention"),
]
