"""Keras 1 fields of every kind nnspec compiles, read as Keras 2's keras/legacy/interfaces.py
converted them (nb_filter, nb_row/nb_col, kernel_dim1..3, filter_length, subsample(_length),
border_mode, dim_ordering, atrous_rate, pool_length, stride, length, p, init, beta_init,
BatchNormalization's mode 0...). The fixtures are built by tests/fixtures/keras1/
make_keras1_fixtures.py; every shape and count below is what tf-keras 2.21 reports for the
Keras 2 model the interfaces make of each (tests/fixtures/keras1/tf_keras_equivalents.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import FIXTURES
from nnspec.compiler.cli import app
from nnspec.spec import SpecError, load, load_data

KERAS1 = FIXTURES / "keras1"

TF_KERAS = {  # fixture: (per-layer output shapes, trainable, non-trainable), from tf_keras_equivalents.py
    "k1_image_th": (
        [
            (None, 8, 16, 16),
            (None, 8, 16, 16),
            (None, 8, 16, 16),
            (None, 8, 8, 8),
            (None, 8, 10, 10),
            (None, 6, 6, 6),
            (None, 5, 6, 6),
            (None, 4, 12, 12),
            (None, 4, 24, 24),
            (None, 4, 22, 20),
            (None, 4, 11, 10),
            (None, 4),
            (None, 10),
            (None, 10),
            (None, 10),
            (None, 10),
        ],
        995,
        16,
    ),
    "k1_sequence_1d": (
        [
            (None, 20, 8),
            (None, 18, 6),
            (None, 18, 6),
            (None, 9, 6),
            (None, 27, 6),
            (None, 14, 4),
            (None, 14, 3),
            (None, 14, 3),
            (None, 42),
            (None, 2, 42),
            (None, 42, 2),
            (None, 84),
        ],
        803,
        0,
    ),
    "k1_volume_tf": ([(None, 6, 4, 9, 4), (None, 3, 2, 4, 4), (None, 3, 2, 4, 4), (None, 4)], 152, 8),
}


def fixture(name: str) -> dict[str, Any]:
    return json.loads((KERAS1 / f"{name}.json").read_text())


@pytest.mark.parametrize("name", sorted(TF_KERAS))
def test_each_keras1_fixture_has_tf_keras_shapes_and_counts(name: str) -> None:
    loaded = load(KERAS1 / f"{name}.json")
    shapes, trainable, frozen = TF_KERAS[name]
    assert loaded.dialect == "keras1"
    layers = [info for info in loaded.graph.layers if info.kind != "InputLayer"]
    assert [info.output_shapes[0] for info in layers] == shapes
    assert (loaded.graph.params.trainable, loaded.graph.params.non_trainable) == (trainable, frozen)


def configs(name: str) -> dict[str, Any]:
    loaded = load(KERAS1 / f"{name}.json")
    return {layer.config.name: layer.config for layer in loaded.spec.config.layers}


def test_theano_ordered_image_fields_are_keras_2s() -> None:
    c = configs("k1_image_th")
    conv = c["convolution2d_1"]
    assert (conv.filters, conv.kernel_size, conv.strides, conv.padding) == (8, [3, 3], [1, 1], "same")
    assert (conv.data_format, conv.use_bias, conv.kernel_initializer.class_name) == (
        "channels_first",
        True,
        "GlorotUniform",
    )
    assert c["batchnormalization_1"].axis == 1 and c["batchnormalization_1"].momentum == 0.99
    assert (c["maxpooling2d_1"].padding, c["maxpooling2d_1"].data_format) == ("valid", "channels_first")
    assert c["zeropadding2d_1"].padding == ((1, 1), (0, 2))  # Keras 1's (top, bottom, left, right)
    atrous = c["atrousconvolution2d_1"]
    assert (atrous.kind, atrous.dilation_rate, atrous.activation) == ("Conv2D", [2, 2], "relu")
    separable = c["separableconvolution2d_1"]
    assert (separable.depthwise_initializer.class_name, separable.pointwise_initializer.class_name) == (
        "GlorotUniform",
        "GlorotUniform",
    )
    assert (separable.filters, separable.depth_multiplier) == (5, 2)
    assert c["deconvolution2d_1"].kind == "Conv2DTranspose" and c["deconvolution2d_1"].strides == [2, 2]
    assert c["upsampling2d_1"].data_format == "channels_first"
    assert c["globalaveragepooling2d_1"].data_format == "channels_first"
    assert c["prelu_1"].alpha_initializer.class_name == "Zeros"
    assert c["dropout_1"].rate == 0.5 and c["leakyrelu_1"].negative_slope == 0.3


def test_one_dimensional_fields_are_keras_2s() -> None:
    c = configs("k1_sequence_1d")
    conv = c["convolution1d_2"]
    assert (conv.filters, conv.kernel_size, conv.strides, conv.padding) == (4, 5, 2, "same")
    assert c["atrousconvolution1d_1"].dilation_rate == 2
    pool = c["maxpooling1d_1"]
    assert (pool.pool_size, pool.strides, pool.padding) == (2, 2, "valid")
    assert c["upsampling1d_1"].size == 3
    inner = c["timedistributed_1"].layer.config
    assert (inner.units, inner.activation) == (3, "tanh")


def test_three_dimensional_fields_are_keras_2s() -> None:
    c = configs("k1_volume_tf")
    conv = c["convolution3d_1"]
    assert (conv.kernel_size, conv.strides, conv.use_bias, conv.data_format) == (
        [3, 3, 2],
        [1, 2, 1],
        False,
        "channels_last",
    )
    assert c["maxpooling3d_1"].data_format == "channels_last" and c["batchnormalization_1"].momentum == 0.9


@pytest.mark.keras
@pytest.mark.torch
@pytest.mark.parametrize("name", ["k1_sequence_1d", "k1_volume_tf"])
def test_the_channels_last_fixtures_pass_the_parity_check(name: str) -> None:
    result = CliRunner().invoke(app, ["check", str(KERAS1 / f"{name}.json")])
    assert result.exit_code == 0, result.output
    assert "PASS" in result.output


@pytest.mark.torch
def test_the_theano_ordered_model_compiles_to_torch() -> None:
    """TensorFlow cannot run channels-first convolutions on a CPU, so no Keras parity here."""
    import torch

    import nnspec

    module = nnspec.compile_torch(load(KERAS1 / "k1_image_th.json")).eval()
    assert sum(p.numel() for p in module.parameters()) == 995
    assert module(torch.randn(2, 3, 16, 16)).shape == (2, 10)


def one_layer(kind: str, **config: Any) -> dict[str, Any]:
    layer = {"class_name": kind, "config": {"name": "layer", "batch_input_shape": [None, 3, 8, 8], **config}}
    return {"class_name": "Sequential", "keras_version": "1.2.2", "config": [layer]}


CONV = {"nb_filter": 2, "nb_row": 3, "nb_col": 3, "dim_ordering": "tf"}


@pytest.mark.parametrize(
    ("kind", "config", "field", "message"),
    [
        ("Convolution2D", {**CONV, "border_mode": "full"}, "border_mode", "'full' convolution"),
        ("Convolution2D", {"nb_filter": 2, "nb_row": 3, "dim_ordering": "tf"}, "nb_row", "together: no nb_col"),
        ("BatchNormalization", {"mode": 1, "axis": -1}, "mode", "mode 1 normalised each sample"),
        ("BatchNormalization", {"mode": 2, "axis": -1}, "mode", "batch's statistics at test time"),
        ("Convolution2D", {**CONV, "W_learning_rate_multiplier": 2.0}, "W_learning_rate_multiplier", "no such"),
    ],
)
def test_an_unmappable_keras1_field_is_one_problem_naming_it(
    kind: str, config: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(SpecError) as caught:
        load_data(one_layer(kind, **config), "k1.json")
    (problem,) = caught.value.problems
    assert problem.path == f"config[0].config.{field}"
    assert "a Keras 1 field" in problem.message and message in problem.message


def test_a_bad_value_is_reported_under_the_field_the_user_wrote() -> None:
    with pytest.raises(SpecError) as caught:
        load_data(one_layer("Convolution2D", **{**CONV, "nb_filter": 0}), "k1.json")
    (problem,) = caught.value.problems
    assert problem.path == "config[0].config.nb_filter"


LSTM = {
    "class_name": "LSTM",
    "config": {
        "name": "lstm_1",
        "output_dim": 5,
        "init": "glorot_uniform",
        "inner_init": "orthogonal",
        "forget_bias_init": "one",
        "activation": "tanh",
        "inner_activation": "hard_sigmoid",
        "W_regularizer": None,
        "U_regularizer": None,
        "b_regularizer": None,
        "dropout_W": 0.0,
        "dropout_U": 0.0,
        "return_sequences": False,
        "consume_less": "cpu",
        "input_dim": 3,
        "input_length": None,
        "trainable": True,
    },
}
CONV_IN_TIME = {
    "class_name": "Convolution2D",
    "config": {
        **{"name": "c", "nb_filter": 2, "nb_row": 3, "nb_col": 3, "init": "glorot_uniform", "activation": "linear"},
        **{"border_mode": "valid", "subsample": [1, 1], "dim_ordering": "tf", "bias": True, "trainable": True},
        "W_regularizer": {"name": "WeightRegularizer", "l1": 0.0, "l2": 0.01},
        "b_regularizer": None,
        "activity_regularizer": None,
        "W_constraint": {"name": "MaxNorm", "m": 2, "axis": 0},
        "b_constraint": {"name": "NonNeg"},
    },
}


def test_wrappers_take_keras1_layers() -> None:
    """tf-keras 2.21: Bidirectional(LSTM(5)) on (7, 3) has 360 parameters; TimeDistributed(
    Conv2D(2, 3)) on (4, 8, 8, 1) then BatchNormalization, 24 trainable and 4 not."""
    first = {"batch_input_shape": [None, 7, 3], "input_dtype": "float32", "trainable": True}
    bidirectional = {"class_name": "Bidirectional", "config": {"name": "bi", "layer": LSTM, "merge_mode": "concat"}}
    bidirectional["config"] |= first
    loaded = load_data({"class_name": "Sequential", "keras_version": "1.2.2", "config": [bidirectional]}, "k1.json")
    inner = loaded.spec.config.layers[1].config.layer.config
    assert (inner.units, inner.unit_forget_bias, loaded.graph.params.total) == (5, True, 360)
    timed = {"name": "td", "layer": CONV_IN_TIME, "batch_input_shape": [None, 4, 8, 8, 1], "trainable": True}
    norm = {"name": "bn", "epsilon": 0.001, "mode": 0, "axis": -1, "momentum": 0.99, "beta_regularizer": None}
    norm["gamma_regularizer"] = {"name": "WeightRegularizer", "l1": 0.01, "l2": 0.0}
    doc = {
        "class_name": "Sequential",
        "keras_version": "1.2.2",
        "config": [
            {"class_name": "TimeDistributed", "config": timed},
            {"class_name": "BatchNormalization", "config": norm},
        ],
    }
    loaded = load_data(doc, "k1.json")
    conv = loaded.spec.config.layers[1].config.layer
    assert conv.class_name == "Conv2D" and conv.config.kernel_size == [3, 3]
    assert (conv.config.kernel_constraint.class_name, conv.config.kernel_constraint.max_value) == ("MaxNorm", 2)
    assert conv.config.bias_constraint.class_name == "NonNeg" and conv.config.kernel_regularizer.l2 == 0.01
    assert loaded.spec.config.layers[2].config.gamma_regularizer.l1 == 0.01
    assert (loaded.graph.params.trainable, loaded.graph.params.non_trainable) == (24, 4)
    assert loaded.graph.output_shapes == [(None, 4, 6, 6, 2)]


def test_a_first_convolution1d_takes_its_shape_from_input_length_and_input_dim() -> None:
    """Keras 2's conv1d_args_preprocessor: input_shape = (input_length, input_dim); Conv1D(4, 3)
    on (10, 6) has 6 * 3 * 4 + 4 = 76 parameters (tf-keras 2.21 reports the same)."""
    conv = {"name": "c", "nb_filter": 4, "filter_length": 3, "border_mode": "valid", "subsample_length": 1}
    conv |= {"input_dim": 6, "input_length": 10, "init": "glorot_uniform", "activation": "relu", "bias": True}
    layers = [{"class_name": "Convolution1D", "config": conv}, {"class_name": "GlobalMaxPooling1D", "config": {}}]
    loaded = load_data({"class_name": "Sequential", "keras_version": "1.2.2", "config": layers}, "k1.json")
    assert loaded.spec.config.layers[0].config.batch_shape == [None, 10, 6]
    assert loaded.graph.params.total == 76 and loaded.graph.output_shapes == [(None, 4)]


def test_a_deconvolution2d_output_shape_keras_does_not_compute_is_refused() -> None:
    """Keras 2 dropped Deconvolution2D's output_shape (legacy interfaces' deconv2d_args_preprocessor)
    and computes it: one that agrees is dropped, one that differs would be another model."""
    doc = fixture("k1_image_th")
    doc["config"][7]["config"]["output_shape"] = [None, 4, 13, 12]
    with pytest.raises(SpecError) as caught:
        load_data(doc, "k1.json")
    (problem,) = caught.value.problems
    assert problem.path == "config[7].config.output_shape" and "Deconvolution2D output_shape" in problem.message
    assert problem.expected == "[None, 4, 12, 12]"
