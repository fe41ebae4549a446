"""Recurrent layers as older Keras files wrote them: Keras 1's field names (output_dim,
init, inner_init, inner_activation, W/U/b_regularizer, dropout_W/U, forget_bias_init,
consume_less, input_dim/input_length/input_dtype on the first layer), Keras < 2.1.3's GRU
without reset_after, and tf.keras 1.x's CuDNNLSTM/CuDNNGRU; each read as the Keras 3 kind
it means, and what has no meaning refused at its path, saying it is a Keras 1 field."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from nnspec.spec import SpecError, load_data


def keras1_text_model() -> dict[str, Any]:
    """A Keras 1.2 Sequential as its to_json() wrote it (Keras 1.2.2 recurrent.py's get_config)."""
    recurrent = {
        "init": "glorot_uniform",
        "inner_init": "orthogonal",
        "activation": "tanh",
        "inner_activation": "hard_sigmoid",
        "W_regularizer": None,
        "U_regularizer": None,
        "b_regularizer": {"name": "WeightRegularizer", "l1": 0.0, "l2": 0.01},
        "dropout_W": 0.2,
        "dropout_U": 0.1,
        "go_backwards": False,
        "stateful": False,
        "unroll": False,
        "trainable": True,
    }
    return {
        "class_name": "Sequential",
        "keras_version": "1.2.2",
        "config": [
            {
                "class_name": "Embedding",
                "config": {
                    "name": "embedding_1",
                    "input_dim": 100,
                    "output_dim": 8,
                    "init": "uniform",
                    "input_length": 10,
                    "batch_input_shape": [None, 10],
                    "input_dtype": "int32",
                    "W_regularizer": None,
                    "activity_regularizer": None,
                    "W_constraint": None,
                    "mask_zero": True,
                    "dropout": 0.0,
                    "trainable": True,
                },
            },
            {
                "class_name": "LSTM",
                "config": {
                    **recurrent,
                    "name": "lstm_1",
                    "output_dim": 16,
                    "forget_bias_init": "one",
                    "return_sequences": True,
                    "consume_less": "cpu",
                    "input_dim": 8,
                    "input_length": None,
                },
            },
            {
                "class_name": "GRU",
                "config": {
                    **recurrent,
                    "name": "gru_1",
                    "output_dim": 4,
                    "return_sequences": False,
                    "consume_less": "gpu",
                    "input_dim": 16,
                    "input_length": None,
                },
            },
            {
                "class_name": "Dense",
                "config": {
                    "name": "dense_1",
                    "output_dim": 1,
                    "init": "glorot_uniform",
                    "activation": "sigmoid",
                    "W_regularizer": None,
                    "b_regularizer": None,
                    "activity_regularizer": None,
                    "W_constraint": None,
                    "b_constraint": None,
                    "bias": True,
                    "input_dim": None,
                    "trainable": True,
                },
            },
        ],
    }


def test_keras1_fields_read_as_keras_3_fields() -> None:
    loaded = load_data(keras1_text_model(), "keras1.json")
    assert loaded.dialect == "keras1"
    first, embedding, lstm, gru, dense = (layer.config for layer in loaded.spec.config.layers)
    assert (first.batch_shape, first.dtype) == ([None, 10], "int32")
    assert (embedding.input_dim, embedding.output_dim, embedding.mask_zero) == (100, 8, True)
    assert embedding.embeddings_initializer.class_name == "RandomUniform"
    assert (lstm.units, lstm.recurrent_activation, lstm.unit_forget_bias) == (16, "legacy_hard_sigmoid", True)
    assert (lstm.dropout, lstm.recurrent_dropout) == (0.2, 0.1)
    assert lstm.bias_regularizer.class_name == "L1L2" and lstm.bias_regularizer.l2 == 0.01
    assert lstm.recurrent_initializer.class_name == "Orthogonal"
    assert gru.reset_after is False  # Keras 1's GRU: the reset gate before the recurrent kernel
    assert (dense.units, dense.use_bias) == (1, True)
    # Embedding 100 * 8; LSTM 4 * (8 * 16 + 16 * 16 + 16); GRU 3 * (16 * 4 + 4 * 4 + 4); Dense 4 + 1
    assert loaded.graph.params.total == 800 + 1600 + 252 + 5


def test_keras1_recurrent_first_layer_takes_its_shape_from_input_length_and_input_dim() -> None:
    doc = keras1_text_model()
    doc["config"] = doc["config"][1:]
    doc["config"][0]["config"].update(input_dim=3, input_length=7)
    loaded = load_data(doc, "keras1.json")
    assert loaded.spec.config.layers[0].config.batch_shape == [None, 7, 3]


@pytest.mark.parametrize(
    ("layer", "field", "value", "message"),
    [
        (1, "forget_bias_init", "glorot_uniform", "start the forget gate's bias at 1 or 0"),
        (0, "dropout", 0.5, "dropout of whole words"),
    ],
)
def test_a_keras1_field_without_a_keras_3_meaning_is_refused_by_name(
    layer: int, field: str, value: Any, message: str
) -> None:
    doc = keras1_text_model()
    doc["config"][layer]["config"][field] = value
    with pytest.raises(SpecError) as caught:
        load_data(doc, "keras1.json")
    (problem,) = caught.value.problems
    assert problem.path == f"config[{layer}].config.{field}"
    assert "a Keras 1 field" in problem.message and message in problem.message


def test_keras2_gru_without_reset_after_is_keras_2_0s_gru() -> None:
    doc = {
        "class_name": "Sequential",
        "keras_version": "2.0.8",
        "config": [{"class_name": "GRU", "config": {"name": "gru", "units": 3, "batch_input_shape": [None, 5, 2]}}],
    }
    assert load_data(doc, "k2.json").spec.config.layers[1].config.reset_after is False
    doc["config"][0]["config"]["reset_after"] = True
    assert load_data(doc, "k2.json").spec.config.layers[1].config.reset_after is True


def cudnn_model(kind: str, **config: Any) -> dict[str, Any]:
    layer = {"class_name": kind, "config": {"name": "rnn", "units": 3, "return_sequences": False, **config}}
    return {
        "class_name": "Sequential",
        "keras_version": "2.2.4",
        "config": {
            "name": "cudnn",
            "layers": [
                {"class_name": "InputLayer", "config": {"name": "x", "batch_input_shape": [None, 5, 2]}},
                {"class_name": "Bidirectional", "config": {"name": "bidirectional", "layer": copy.deepcopy(layer)}},
                layer,
            ],
        },
    }


@pytest.mark.parametrize(("kind", "base", "bias"), [("CuDNNLSTM", "LSTM", 4 * 3), ("CuDNNGRU", "GRU", 2 * 3 * 3)])
def test_cudnn_layers_read_as_lstm_and_gru_with_cudnn_activations(kind: str, base: str, bias: int) -> None:
    doc = cudnn_model(kind)
    doc["config"]["layers"][1]["config"]["layer"]["config"]["return_sequences"] = True
    loaded = load_data(doc, "cudnn.json")
    wrapped, layer = loaded.spec.config.layers[1].config.layer, loaded.spec.config.layers[2]
    for read in (wrapped, layer):
        assert read.class_name == base
        assert (read.config.activation, read.config.recurrent_activation) == ("tanh", "sigmoid")
        if base == "GRU":
            assert read.config.reset_after is True
    gates = 4 if base == "LSTM" else 3
    assert loaded.graph.layer("rnn").params.total == gates * (6 * 3 + 3 * 3) + bias  # one bias, as Keras 3 keeps


def test_a_cudnn_layer_given_another_activation_is_refused() -> None:
    with pytest.raises(SpecError) as caught:
        load_data(cudnn_model("CuDNNLSTM", activation="relu"), "cudnn.json")
    paths = [p.path for p in caught.value.problems]
    assert paths == ["config.layers[1].config.layer.config.activation", "config.layers[2].config.activation"]
    assert "CuDNNLSTM always computes with activation='tanh'" in str(caught.value)


ATTENTION = {
    "class_name": "Functional",
    "config": {
        "name": "masked",
        "layers": [
            {"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [None, 4, 6]}},
            {"class_name": "InputLayer", "config": {"name": "allowed", "batch_shape": [None, 4, 4], "dtype": "bool"}},
            {
                "class_name": "MultiHeadAttention",
                "config": {"name": "mha", "num_heads": 2, "key_dim": 3},
                "inbound_nodes": [
                    {"inputs": [["x", 0, 0], ["x", 0, 0]], "kwargs": {"attention_mask": ["allowed", 0, 0]}}
                ],
            },
        ],
        "input_layers": [["x", 0, 0], ["allowed", 0, 0]],
        "output_layers": ["mha", 0, 0],
    },
}


@pytest.mark.parametrize("shape", [[None, 4, 4], [None, 1, 4], [None, 4, 1]])
def test_an_attention_mask_is_batch_query_steps_value_steps_or_broadcasts_to_it(shape: list[Any]) -> None:
    doc = copy.deepcopy(ATTENTION)
    doc["config"]["layers"][1]["config"]["batch_shape"] = shape
    call = load_data(doc, "mha.json").graph.layer("mha").calls[0]
    assert call.attention_mask == ("allowed", 0, 0)
    assert call.reads() == (("x", 0, 0), ("x", 0, 0), ("allowed", 0, 0))


@pytest.mark.parametrize("shape", [[None, 4, 5], [None, 4], [None, 2, 4, 4]])
def test_an_attention_mask_of_another_shape_is_refused_at_the_call(shape: list[Any]) -> None:
    doc = copy.deepcopy(ATTENTION)
    doc["config"]["layers"][1]["config"]["batch_shape"] = shape
    with pytest.raises(SpecError) as caught:
        load_data(doc, "mha.json")
    (problem,) = caught.value.problems
    assert problem.path == "config.layers[2].inbound_nodes[0]"
    assert "must be (batch, query steps, value steps), (None, 4, 4)" in problem.message


def test_an_attention_mask_given_to_another_kind_is_refused() -> None:
    doc = copy.deepcopy(ATTENTION)
    doc["config"]["layers"][2] = {
        "class_name": "Dense",
        "config": {"name": "mha", "units": 2},
        "inbound_nodes": [{"inputs": ["x", 0, 0], "kwargs": {"attention_mask": ["allowed", 0, 0]}}],
    }
    with pytest.raises(SpecError, match="Dense takes no attention_mask"):
        load_data(doc, "mha.json")
