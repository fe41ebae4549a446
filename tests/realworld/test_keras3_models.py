"""Real Keras 3 models, built the ways users build them and saved by Keras itself
(`.keras`, legacy `.h5`, `.weights.h5`), converted through the command line:

- `convert MODEL --to torch` exits 0 with "parity ok", and the written `.pt` loaded
  into the generated module reproduces Keras's own `model.predict` to 1e-5;
- `convert MODEL.pt --spec MODEL.yaml --to keras` gives back the identical weights;
- compiled and trained models pass `check --train`, or fail it with a clear message;
- layers nnspec has no rule for are refused by name: exit 1, no traceback, no files.
"""

from __future__ import annotations

import io
import json
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

import nnspec
from nnspec.compiler.cli import app

pytestmark = [
    pytest.mark.keras,
    pytest.mark.torch,
    pytest.mark.filterwarnings("ignore:You passed `rms_scaling=True`:UserWarning"),
]

runner = CliRunner()
TOLERANCE = 1e-5
ACTIVATIONS = (
    "relu",
    "sigmoid",
    "softmax",
    "softplus",
    "softsign",
    "tanh",
    "selu",
    "elu",
    "exponential",
    "leaky_relu",
    "relu6",
    "silu",
    "swish",
    "hard_silu",
    "hard_swish",
    "gelu",
    "hard_sigmoid",
    "linear",
    "mish",
    "log_softmax",
)


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def ended_cleanly(result) -> bool:
    """Exited through typer (a message), not through an uncaught exception."""
    return result.exception is None or isinstance(result.exception, SystemExit)


def only(directory: Path, pattern: str) -> Path:
    found = sorted(directory.glob(pattern))
    assert len(found) == 1, (pattern, found)
    return found[0]


# -- data -------------------------------------------------------------------------

RNG = np.random.default_rng(0)
X5 = RNG.normal(size=(32, 5)).astype("float32")
CLASSES = RNG.integers(0, 3, 32)
ONE_HOT = np.eye(3, dtype="float32")[CLASSES]
BINARY = RNG.integers(0, 2, (32, 1)).astype("float32")
REALS = RNG.normal(size=(32, 2)).astype("float32")


def fitted(model: Any, y: Any, **compile_args: Any) -> Any:
    model.compile(**compile_args)
    model.fit(X5, y, epochs=2, batch_size=8, verbose=0)
    return model


def randomize(model: Any, seed: int = 0) -> None:
    """Non-zero weights of a sensible scale; scales and variances around 1."""
    rng = np.random.default_rng(seed)
    for weight in model.weights:
        if weight.path.endswith(("gamma", "moving_variance")):
            value = rng.uniform(0.5, 1.5, weight.shape)
        else:
            value = rng.normal(0.0, 0.5, weight.shape)
        weight.assign(value.astype(weight.dtype))


# -- the models ---------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    build: Callable[[Any], Any]
    formats: tuple[str, ...] = (".keras", ".h5")
    trained: bool = False
    """Fitted by Keras: its own weights (and optimizer state) are converted."""
    predict: bool = True
    """False where Keras itself cannot predict (TF refuses the model's name as a scope)."""
    train: str | None = None
    """`check --train --steps 20`: 'PASS', or text its failure message must hold."""


CASES: dict[str, Case] = {}


def case(**options: Any) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
    def register(build: Callable[[Any], Any]) -> Callable[[Any], Any]:
        CASES[build.__name__.removeprefix("build_")] = Case(build, **options)
        return build

    return register


# Sequential, every way of giving it its input


@case(train="needs a compile_config with a loss")
def build_seq_keras_input(keras):
    layers = keras.layers
    return keras.Sequential(
        [keras.Input((5,)), layers.Dense(8, activation="relu", name="hidden"), layers.Dense(3, name="logits")],
        name="seq_input",
    )


@case()
def build_seq_built(keras):
    model = keras.Sequential([keras.layers.Dense(6, activation="tanh"), keras.layers.Dense(2)])
    model.build((None, 5))
    return model


@case()
def build_seq_called_on_data(keras):
    layers = keras.layers
    model = keras.Sequential([layers.Dense(6, activation="elu"), layers.BatchNormalization(), layers.Dense(2)])
    model(X5[:2])
    return model


@case(trained=True, train="PASS", formats=(".keras", ".h5", ".weights.h5"))
def build_seq_fit(keras):
    layers = keras.layers
    model = keras.Sequential([layers.Dense(8, activation="relu"), layers.Dense(3, activation="softmax")])
    return fitted(model, CLASSES, optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])


@case()
def build_seq_add(keras):
    layers = keras.layers
    model = keras.Sequential(name="added")
    model.add(keras.Input((5,)))
    model.add(layers.Dense(4))
    model.add(layers.Activation("swish"))
    model.add(layers.Dropout(0.2, seed=1))
    model.add(layers.Dense(2))
    return model


@case()
def build_seq_input_shape_kwarg(keras):
    with warnings.catch_warnings():  # Keras 3 warns, and accepts it
        warnings.simplefilter("ignore")
        return keras.Sequential([keras.layers.Dense(4, input_shape=(5,)), keras.layers.Dense(2)])


# Functional


@case()
def build_fn_auto_names(keras):
    inputs = keras.Input((5,))
    x = keras.layers.Dense(8, activation="relu")(inputs)
    return keras.Model(inputs, keras.layers.Dense(3)(keras.layers.LayerNormalization()(x)))


@case()
def build_fn_inputs_list(keras):
    layers = keras.layers
    a, b = keras.Input((4,), name="a"), keras.Input((6,), name="b")
    x = layers.Concatenate()([layers.Dense(5, name="from_a")(a), layers.Dense(5, name="from_b")(b)])
    return keras.Model([a, b], layers.Dense(2, name="out")(x), name="two_inputs")


@case(formats=(".keras",))
def build_fn_inputs_dict(keras):
    layers = keras.layers
    zeta, alpha = keras.Input((4,), name="zeta"), keras.Input((6,), name="alpha")
    x = layers.Concatenate()([layers.Dense(5)(zeta), layers.Dense(3)(alpha)])
    return keras.Model({"zeta": zeta, "alpha": alpha}, layers.Dense(2)(x), name="dict_inputs")


@case()
def build_fn_outputs_list(keras):
    layers = keras.layers
    inputs = keras.Input((5,), name="x")
    hidden = layers.Dense(8, activation="relu")(inputs)
    outputs = [layers.Dense(2, name="reg")(hidden), layers.Dense(3, activation="softmax", name="cls")(hidden)]
    return keras.Model(inputs, outputs, name="two_outputs")


@case(formats=(".keras",))
def build_fn_outputs_dict(keras):
    layers = keras.layers
    inputs = keras.Input((5,), name="x")
    hidden = layers.Dense(8, activation="gelu")(inputs)
    outputs = {"reg": layers.Dense(2, name="reg")(hidden), "cls": layers.Dense(3, name="cls")(hidden)}
    return keras.Model(inputs, outputs, name="dict_outputs")


@case()
def build_fn_shared_layer(keras):
    layers = keras.layers
    a, b = keras.Input((4,)), keras.Input((4,))
    shared = layers.Dense(5, activation="tanh", name="shared")
    left, right = shared(a), shared(b)
    merged = [layers.Subtract()([left, right]), layers.Maximum()([left, right]), layers.Minimum()([left, right])]
    return keras.Model([a, b], layers.Dense(1)(layers.Concatenate()(merged)), name="siamese")


@case(formats=(".keras", ".h5", ".weights.h5"))
def build_seq_in_fn(keras):
    layers = keras.layers
    block = keras.Sequential([layers.Dense(6, activation="relu"), layers.BatchNormalization(), layers.Dense(4)])
    inputs = keras.Input((5,))
    return keras.Model(inputs, layers.Dense(2)(block(inputs)))


@case()
def build_fn_in_seq(keras):
    layers = keras.layers
    inner_in = keras.Input((5,))
    inner = keras.Model(inner_in, layers.Dense(4, activation="selu")(inner_in), name="inner_fn")
    return keras.Sequential([keras.Input((5,)), inner, layers.Dense(2)], name="fn_in_seq")


@case(formats=(".keras", ".h5", ".weights.h5"))
def build_nested_twice(keras):
    layers = keras.layers
    tower_in = keras.Input((4,), name="tower_in")
    tower = keras.Model(tower_in, layers.Dense(3, activation="relu", name="hidden")(tower_in), name="tower")
    a, b = keras.Input((4,), name="left"), keras.Input((4,), name="right")
    left, right = tower(a), tower(b)
    x = layers.Concatenate()([layers.Multiply()([left, right]), layers.Average()([left, right])])
    return keras.Model([a, b], layers.Dense(2, name="hidden")(x), name="twice")


@case()
def build_two_towers_same_inner_names(keras):
    layers = keras.layers

    def tower(name):
        inputs = keras.Input((4,), name="tin")
        hidden = layers.Dense(3, activation="relu", name="hidden")(layers.Dense(5, name="dense")(inputs))
        return keras.Model(inputs, hidden, name=name)

    a, b = keras.Input((4,), name="a"), keras.Input((4,), name="b")
    x = layers.Concatenate()([tower("tower_a")(a), tower("tower_b")(b)])
    return keras.Model([a, b], layers.Dense(2, name="dense")(x), name="two_towers")


@case()
def build_frozen(keras):
    layers = keras.layers
    block = keras.Sequential([keras.Input((6,)), layers.Dense(6), layers.BatchNormalization()], name="frozen_block")
    block.trainable = False
    inputs = keras.Input((5,))
    x = layers.Dense(6, trainable=False, name="frozen_dense")(inputs)
    x = layers.BatchNormalization(trainable=False, name="frozen_bn")(x)
    return keras.Model(inputs, layers.Dense(2)(block(x)), name="frozen")


# Activations


@case()
def build_every_activation_string(keras):
    layers = keras.layers
    inputs = keras.Input((5,), name="x")
    branches = [layers.Dense(3, activation=name, name=f"dense_{name}")(inputs) for name in ACTIVATIONS]
    branches += [layers.Activation(name, name=f"act_{name}")(layers.Dense(3)(inputs)) for name in ACTIVATIONS]
    return keras.Model(inputs, layers.Concatenate()(branches), name="activations")


@case()
def build_activation_callables_and_layers(keras):
    layers, activations = keras.layers, keras.activations
    inputs = keras.Input((5,))
    x = layers.Dense(6, activation=activations.relu)(inputs)
    x = layers.Dense(6, activation=activations.gelu)(x)
    x = layers.Dense(6, activation=activations.hard_sigmoid)(x)
    x = layers.Activation(activations.silu)(x)
    x = layers.Dense(6, activation=layers.PReLU())(x)
    return keras.Model(inputs, layers.Dense(3, activation=layers.LeakyReLU(0.1))(x))


@case()
def build_activation_layers(keras):
    layers = keras.layers
    inputs = keras.Input((3, 4))
    x = layers.Dense(5)(inputs)
    x = layers.ReLU(max_value=6.0, negative_slope=0.1, threshold=0.5)(x)
    x = layers.ELU(alpha=0.5)(x)
    x = layers.LeakyReLU(negative_slope=0.2)(x)
    x = layers.PReLU(alpha_initializer=keras.initializers.Constant(0.25), shared_axes=[1])(x)
    x = layers.Softmax(axis=1)(x)
    return keras.Model(inputs, layers.Flatten()(x))


# Initializers, regularizers, constraints


@case(trained=True, train="PASS")
def build_initializers_regularizers_constraints(keras):
    layers, init, reg, con = keras.layers, keras.initializers, keras.regularizers, keras.constraints
    inputs = keras.Input((5,))
    x = layers.Dense(
        8,
        kernel_initializer=init.HeNormal(seed=3),
        bias_initializer=init.Constant(0.1),
        kernel_regularizer=reg.L1L2(l1=1e-4, l2=1e-3),
        bias_regularizer=reg.L2(0.01),
        activity_regularizer=reg.L1(1e-5),
        kernel_constraint=con.MaxNorm(2.0, axis=0),
        bias_constraint=con.NonNeg(),
    )(inputs)
    x = layers.Dense(
        8,
        kernel_initializer=init.TruncatedNormal(0.0, 0.05, seed=1),
        bias_initializer=init.RandomUniform(-0.1, 0.1, seed=2),
        kernel_constraint=con.UnitNorm(axis=0),
    )(x)
    x = layers.Dense(
        8,
        kernel_initializer=init.VarianceScaling(2.0, "fan_out", "uniform", seed=4),
        kernel_constraint=con.MinMaxNorm(0.1, 1.5, rate=0.5),
    )(x)
    x = layers.Dense(4, kernel_initializer=init.Orthogonal(gain=1.5, seed=5), bias_initializer="ones")(x)
    x = layers.Dense(4, kernel_initializer=init.LecunUniform(seed=6), bias_initializer=init.RandomNormal(0.5, 0.1))(x)
    x = layers.Dense(2, kernel_initializer=init.GlorotNormal(seed=8), use_bias=False)(x)
    return fitted(keras.Model(inputs, x), REALS, optimizer=keras.optimizers.SGD(0.01), loss="mse")


# Normalization, shapes, dtypes


@case(formats=(".keras", ".h5", ".weights.h5"))
def build_batch_norms(keras):
    layers = keras.layers
    inputs = keras.Input((6,))
    x = layers.BatchNormalization(center=False, scale=False)(inputs)
    x = layers.BatchNormalization(
        momentum=0.9,
        epsilon=1e-5,
        beta_initializer="ones",
        gamma_regularizer=keras.regularizers.L2(1e-3),
        moving_variance_initializer=keras.initializers.Constant(2.0),
    )(x)
    x = layers.Reshape((2, 3))(x)
    x = layers.BatchNormalization(axis=1)(x)
    x = layers.BatchNormalization(axis=-1, center=False)(x)
    return keras.Model(inputs, layers.Flatten()(x))


@case()
def build_layer_norms(keras):
    layers = keras.layers
    inputs = keras.Input((3, 4))
    x = layers.LayerNormalization(axis=[1, 2])(inputs)
    with warnings.catch_warnings():  # Keras 3 calls rms_scaling deprecated, and honours it
        warnings.simplefilter("ignore")
        x = layers.LayerNormalization(rms_scaling=True)(x)
    x = layers.LayerNormalization(axis=1, center=False, scale=False, epsilon=1e-6)(x)
    return keras.Model(inputs, layers.Flatten()(layers.Dense(2)(x)))


@case()
def build_reshape_flatten_dtypes(keras):
    layers = keras.layers
    inputs = keras.Input((12,), dtype="float32")
    x = layers.Reshape((3, 4), dtype="float32")(inputs)
    x = layers.Dense(5, dtype=keras.DTypePolicy("float32"))(x)
    x = layers.Flatten()(x)
    x = layers.Reshape((-1, 5))(x)
    return keras.Model(inputs, layers.Flatten()(layers.Dense(2, dtype="float32")(x)))


@case(predict=False)
def build_unicode_name(keras):
    layers = keras.layers
    return keras.Sequential(
        [keras.Input((4,)), layers.Dense(3, name="couche dense"), layers.Dense(2)], name="modèle été 2024"
    )


@case(formats=(".keras",))
def build_awkward_names(keras):
    layers = keras.layers
    first, second = keras.Input((4,), name="lambda"), keras.Input((4,), name="input-2")
    x = first
    for name in ("F", "nn", "torch", "self", "forward", "x", "0dense", "dense-1", "None", "state_dict"):
        x = layers.Dense(4, activation="tanh", name=name)(x)
    return keras.Model([first, second], layers.Add(name="return")([x, second]), name="class")


# Compiled and trained: every optimizer, schedules, loss objects


def _classifier(keras, softmax: bool = True, units: int = 3):
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((5,)),
            layers.Dense(8, activation="tanh"),
            layers.Dense(units, activation="softmax" if softmax else None),
        ]
    )


@case(trained=True, train="PASS", formats=(".keras",))
def build_sgd_nesterov(keras):
    optimizer = keras.optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True)
    return fitted(_classifier(keras), CLASSES, optimizer=optimizer, loss="sparse_categorical_crossentropy")


@case(trained=True, train="PASS", formats=(".keras",))
def build_rmsprop_loss_object(keras):
    optimizer = keras.optimizers.RMSprop(learning_rate=1e-3, rho=0.8, momentum=0.1, centered=True)
    return fitted(
        _classifier(keras),
        CLASSES,
        optimizer=optimizer,
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
    )


@case(trained=True, train="PASS", formats=(".keras",))
def build_adagrad_label_smoothing(keras):
    return fitted(
        _classifier(keras),
        ONE_HOT,
        optimizer=keras.optimizers.Adagrad(learning_rate=0.01, initial_accumulator_value=0.2),
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=0.1),
        metrics=[keras.metrics.CategoricalAccuracy(), keras.metrics.TopKCategoricalAccuracy(k=2)],
    )


@case(trained=True, train="PASS", formats=(".keras",))
def build_adadelta(keras):
    optimizer = keras.optimizers.Adadelta(learning_rate=1.0, rho=0.9)
    return fitted(_classifier(keras), ONE_HOT, optimizer=optimizer, loss="categorical_crossentropy")


@case(trained=True, train="PASS", formats=(".keras",))
def build_adam_exponential_decay_logits(keras):
    schedule = keras.optimizers.schedules.ExponentialDecay(1e-2, decay_steps=10, decay_rate=0.9, staircase=True)
    return fitted(
        _classifier(keras, softmax=False),
        CLASSES,
        optimizer=keras.optimizers.Adam(learning_rate=schedule, amsgrad=True),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )


@case(trained=True, train="PASS", formats=(".keras",))
def build_adamw_cosine_decay_binary(keras):
    schedule = keras.optimizers.schedules.CosineDecay(1e-2, 100, alpha=0.1, warmup_target=2e-2, warmup_steps=5)
    return fitted(
        _classifier(keras, softmax=False, units=1),
        BINARY,
        optimizer=keras.optimizers.AdamW(learning_rate=schedule, weight_decay=0.01, clipnorm=1.0),
        loss=keras.losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.05),
        metrics=[keras.metrics.BinaryAccuracy(threshold=0.4)],
    )


@case(trained=True, train="PASS", formats=(".keras",))
def build_adamax_piecewise_huber(keras):
    schedule = keras.optimizers.schedules.PiecewiseConstantDecay([5, 10], [1e-2, 5e-3, 1e-3])
    return fitted(
        _classifier(keras, softmax=False, units=2),
        REALS,
        optimizer=keras.optimizers.Adamax(learning_rate=schedule),
        loss=keras.losses.Huber(delta=0.5),
        metrics=[keras.metrics.MeanAbsoluteError()],
    )


@case(trained=True, train="PASS", formats=(".keras",))
def build_nadam_strings(keras):
    optimizer = keras.optimizers.Nadam(learning_rate=2e-3, global_clipnorm=1.0)
    return fitted(_classifier(keras, softmax=False, units=2), REALS, optimizer=optimizer, loss="mse", metrics=["mae"])


@case(trained=True, train="PASS", formats=(".keras", ".h5"))
def build_trained_bn_ln_frozen(keras):
    layers = keras.layers
    inputs = keras.Input((5,), name="features")
    x = layers.Dense(8, kernel_regularizer=keras.regularizers.L2(1e-3))(inputs)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("gelu")(layers.LayerNormalization()(x))
    x = layers.Dense(6, trainable=False)(x)
    x = layers.PReLU()(x)
    outputs = layers.Dense(3, activation="softmax")(x)
    model = keras.Model(inputs, outputs, name="trained_model")
    return fitted(model, CLASSES, optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])


@case(trained=True, train="training supports one output with one loss", formats=(".keras",))
def build_two_losses(keras):
    layers = keras.layers
    inputs = keras.Input((5,), name="x")
    hidden = layers.Dense(8, activation="relu")(inputs)
    model = keras.Model(
        inputs, {"reg": layers.Dense(2, name="reg")(hidden), "cls": layers.Dense(3, name="cls")(hidden)}
    )
    model.compile(
        optimizer="adam",
        loss={"reg": "mse", "cls": keras.losses.SparseCategoricalCrossentropy(from_logits=True)},
        loss_weights={"reg": 0.5, "cls": 1.0},
        metrics={"cls": ["accuracy"]},
    )
    model.fit(X5, {"reg": REALS, "cls": CLASSES}, epochs=1, batch_size=8, verbose=0)
    return model


# sequence models: embeddings and recurrent layers, their states as outputs


@case(trained=True, train="one input with a fully known shape", formats=(".keras", ".h5", ".weights.h5"))
def build_text_lstm(keras):
    """Token ids -> Embedding -> LSTM over a sequence of any length -> GRU -> classes.
    (`check --train` draws random batches of a known shape: it says so.)"""
    layers = keras.layers
    model = keras.Sequential(
        [
            keras.Input((None,), dtype="int32"),
            layers.Embedding(12, 5),
            layers.LSTM(6, return_sequences=True),
            layers.GRU(4),
            layers.Dense(3),
        ],
        name="text_lstm",
    )
    tokens = np.random.default_rng(0).integers(0, 12, size=(len(CLASSES), 7))
    model.compile(optimizer="sgd", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(tokens, CLASSES, epochs=1, batch_size=8, verbose=0)
    return model


@case()
def build_recurrent_states(keras):
    """Every recurrent kind with its states as model outputs, read backwards, Keras 2's
    GRU (reset_after=False) and a hard_sigmoid LSTM (both generated step loops)."""
    layers = keras.layers
    x = keras.Input((6, 3))
    sequence, h, c = layers.LSTM(4, return_sequences=True, return_state=True, go_backwards=True)(x)
    simple, simple_h = layers.SimpleRNN(3, return_state=True, activation="relu")(sequence)
    gru = layers.GRU(5, reset_after=False, recurrent_activation="hard_sigmoid")(sequence)
    return keras.Model(x, [simple, simple_h, h, c, gru], name="states")


@case(formats=(".keras", ".h5", ".weights.h5"))
def build_bidirectional(keras):
    """Bidirectional LSTM and GRU (merged by sum), one with its own backward layer."""
    layers = keras.layers
    backward = layers.GRU(3, go_backwards=True, return_sequences=True, name="backward_gru")
    return keras.Sequential(
        [
            keras.Input((None, 3)),
            layers.Bidirectional(layers.LSTM(4, return_sequences=True)),
            layers.Bidirectional(layers.SimpleRNN(3, return_sequences=True), backward_layer=backward),
            layers.Bidirectional(layers.GRU(3), merge_mode="sum"),
            layers.Dense(2),
        ],
        name="bidirectional",
    )


@case(formats=(".keras", ".weights.h5"))
def build_masked_text(keras):
    """Padding skipped as Keras skips it: Embedding(mask_zero) -> Bidirectional LSTM (the
    mask through a Dense), a Masking layer on a second input, their masks merged by Add.
    Keras 3 writes the masks as operations of the graph (NotEqual, Any, LogicalOr) given
    to each call; its legacy .h5 drops their module, and Keras 3 cannot load that file."""
    layers = keras.layers
    tokens = keras.Input((None,), dtype="int32")
    read = layers.Bidirectional(layers.LSTM(3, return_sequences=True))(
        layers.Dense(4)(layers.Embedding(12, 4, mask_zero=True)(tokens))
    )
    signal = keras.Input((None, 6))
    masked = layers.Masking(mask_value=0.0)(layers.ReLU()(signal))
    merged = layers.Add()([read, masked])
    pooled = layers.GlobalAveragePooling1D()(layers.GRU(3, return_sequences=True)(merged))
    return keras.Model([tokens, signal], layers.Dense(2)(pooled), name="masked_text")


@case(formats=(".keras", ".weights.h5"))
def build_masked_attention(keras):
    """Attention over padded token ids: self-attention and Luong attention reading the
    Embedding's mask (Keras passes it implicitly), masked averaging of the result (Keras 3
    writes that mask as a ConvertToTensor of a NotEqual, given as mask=)."""
    layers = keras.layers
    tokens = keras.Input((None,), dtype="int32")
    embedded = layers.Embedding(12, 4, mask_zero=True)(tokens)
    attended = layers.MultiHeadAttention(num_heads=2, key_dim=3)(embedded, embedded)
    luong = layers.Attention(use_scale=True)([attended, embedded])
    return keras.Model(tokens, layers.Dense(2)(layers.GlobalAveragePooling1D()(luong)), name="masked_attention")


@case(formats=(".keras",))  # Keras 3's legacy .h5 of a masked model loses its mask ops (Keras cannot load it)
def build_masked_time_distributed(keras):
    """A padded sequence's mask through TimeDistributed(Dense) (Keras passes it on; Dense
    ignores it) to an LSTM that reads it, and a bidirectional GRU after a second one."""
    layers = keras.layers
    tokens = keras.Input((None,), dtype="int32")
    embedded = layers.Embedding(12, 4, mask_zero=True)(tokens)
    projected = layers.TimeDistributed(layers.Dense(5, activation="relu"))(embedded)
    read = layers.LSTM(4, return_sequences=True)(projected)
    again = layers.TimeDistributed(layers.Dense(3))(read)
    both = layers.Bidirectional(layers.GRU(2))(again)
    return keras.Model(tokens, layers.Dense(2)(both), name="masked_time_distributed")


@case(formats=(".keras",))
def build_attention_mask(keras):
    """An explicit attention_mask: a padding mask made from the token ids with ops
    (broadcast over the query steps), and a (batch, T, S) mask given as a model input,
    each combined with a causal mask or the Embedding's own mask as Keras combines them."""
    layers, ops = keras.layers, keras.ops
    tokens = keras.Input((None,), dtype="int32")
    allowed = keras.Input((None, None), dtype="int32")
    embedded = layers.Embedding(12, 4)(tokens)
    padding = ops.expand_dims(ops.not_equal(tokens, 0), 1)
    attended = layers.MultiHeadAttention(num_heads=2, key_dim=3)(embedded, embedded, attention_mask=padding)
    causal = layers.MultiHeadAttention(num_heads=1, key_dim=2)(
        attended, embedded, attention_mask=padding, use_causal_mask=True
    )
    masked = layers.Embedding(12, 4, mask_zero=True)(tokens)
    given = layers.MultiHeadAttention(num_heads=2, key_dim=2)(masked, masked, attention_mask=allowed)
    merged = layers.Concatenate()([causal, given])
    return keras.Model([tokens, allowed], layers.Dense(2)(merged), name="attention_mask")


@case(formats=(".keras", ".h5", ".weights.h5"))
def build_transformer_block(keras):
    """A transformer encoder block: self-attention (and a causal cross-attention) with
    residual connections, LayerNormalization, a Dense feed-forward, Dropout, averaging."""
    layers = keras.layers
    x = keras.Input((None, 8))
    attended = layers.MultiHeadAttention(num_heads=2, key_dim=4, dropout=0.1)(x, x)
    x1 = layers.LayerNormalization(epsilon=1e-6)(layers.Add()([x, layers.Dropout(0.1)(attended)]))
    causal = layers.MultiHeadAttention(num_heads=1, key_dim=3, value_dim=5)(x1, x, x1, use_causal_mask=True)
    hidden = layers.Dense(16, activation="relu")(causal)
    x2 = layers.LayerNormalization(epsilon=1e-6)(layers.Add()([x1, layers.Dropout(0.1)(layers.Dense(8)(hidden))]))
    return keras.Model(x, layers.Dense(3)(layers.GlobalAveragePooling1D()(x2)), name="transformer_block")


@case(formats=(".keras", ".h5", ".weights.h5"))
def build_attention_layers(keras):
    """Luong (dot, scaled; concat) and Bahdanau attention of a GRU's steps over an LSTM's."""
    layers = keras.layers
    x = keras.Input((5, 3))
    encoded = layers.LSTM(4, return_sequences=True)(x)
    decoded = layers.GRU(4, return_sequences=True)(x)
    dot = layers.Attention(use_scale=True)([decoded, encoded])
    concat = layers.Attention(score_mode="concat")([decoded, encoded, encoded], use_causal_mask=True)
    additive = layers.AdditiveAttention()([decoded, encoded])
    merged = layers.Concatenate()([dot, concat, additive])
    return keras.Model(x, layers.Dense(2)(layers.GlobalAveragePooling1D()(merged)), name="attention_layers")


@case(trained=True, train="without Dropout", formats=(".keras",))
def build_dropout_trained(keras):
    layers = keras.layers
    model = keras.Sequential(
        [keras.Input((5,)), layers.Dense(8, activation="relu"), layers.Dropout(0.3), layers.Dense(3)]
    )
    return fitted(model, CLASSES, optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))


# -- helpers for running both ------------------------------------------------------


def _inputs(model: Any, seed: int = 1) -> tuple[Any, dict[str, np.ndarray] | list[np.ndarray]]:
    """A seeded batch: what Keras is fed, and what torch is (by name for dict inputs)."""
    rng = np.random.default_rng(seed)

    def batch(tensor: Any) -> np.ndarray:
        shape = (4, *(7 if d is None else d for d in tensor.shape[1:]))  # a sequence of 7 where the length is open
        if "int" in str(tensor.dtype):  # indices, for an Embedding of at least 10 rows
            return rng.integers(0, 10, size=shape).astype(str(tensor.dtype))
        return rng.normal(size=shape).astype("float32")

    try:
        structure = model.input
    except (AttributeError, ValueError):
        structure = None
    if isinstance(structure, dict):
        named = {key: batch(tensor) for key, tensor in structure.items()}
        return named, named
    arrays = [batch(tensor) for tensor in model.inputs]
    return (arrays[0] if len(arrays) == 1 else arrays), arrays


def _outputs(result: Any) -> dict[str, np.ndarray]:
    if isinstance(result, dict):
        return {str(k): np.asarray(v) for k, v in result.items()}
    if isinstance(result, list | tuple):
        return {str(i): np.asarray(v) for i, v in enumerate(result)}
    return {"0": np.asarray(result)}


def _torch_outputs(directory: Path, inputs: Any) -> dict[str, np.ndarray]:
    import torch

    net = nnspec.compile_torch(only(directory, "*.yaml")).eval()
    net.load_state_dict(torch.load(only(directory, "*.pt"), weights_only=True))
    with torch.no_grad():
        if isinstance(inputs, dict):
            result = net(**{k: torch.from_numpy(v) for k, v in inputs.items()})
        else:
            result = net(*(torch.from_numpy(v) for v in inputs))
    if isinstance(result, dict):
        return {k: v.numpy() for k, v in result.items()}
    return _outputs([t.numpy() for t in result] if isinstance(result, list | tuple) else result.numpy())


def _assert_close(expected: dict[str, np.ndarray], got: dict[str, np.ndarray], what: str) -> None:
    assert expected.keys() == got.keys(), what
    for key, value in expected.items():
        assert value.shape == got[key].shape, (what, key)
        worst = float(np.max(np.abs(value - got[key])))
        assert worst <= TOLERANCE, f"{what}: output {key} differs by {worst:.2e}"


def _has_optimizer_state(path: Path) -> bool:
    import h5py

    with zipfile.ZipFile(path) as archive, h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r") as handle:
        return "optimizer" in handle and len(handle["optimizer"]["vars"]) > 1


# -- the tests -----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CASES))
def test_keras_model_converts_to_torch_and_back(name: str, tmp_path: Path, keras) -> None:
    case = CASES[name]
    model = case.build(keras)
    if not case.trained:
        randomize(model)
    feed, torch_inputs = _inputs(model)
    expected = _outputs(model.predict(feed, verbose=0) if case.predict else model(feed, training=False))
    torch_dir = tmp_path / "torch_keras"
    for suffix in case.formats:
        source = tmp_path / f"model{suffix}"
        spec: list[object] = []
        if suffix == ".weights.h5":
            model.save_weights(source)
            spec = ["--spec", only(torch_dir, "*.yaml")]
        else:
            model.save(source)
        out = tmp_path / f"torch{suffix.replace('.', '_')}"
        result = run("convert", source, "--to", "torch", *spec, "-o", out)
        assert result.exit_code == 0, result.output
        assert "parity ok" in result.output, result.output
        _assert_close(expected, _torch_outputs(out, torch_inputs), f"{name}{suffix}")
        if suffix == ".weights.h5":  # the same torch weights as from the .keras file
            import torch

            from_keras = torch.load(only(torch_dir, "*.pt"), weights_only=True)
            from_weights = torch.load(only(out, "*.pt"), weights_only=True)
            assert from_keras.keys() == from_weights.keys()
            assert all(torch.equal(from_keras[k], from_weights[k]) for k in from_keras)
    if case.trained:
        assert _has_optimizer_state(tmp_path / "model.keras"), "the .keras file should hold the optimizer's state"
    back = run(
        "convert",
        only(torch_dir, "*.pt"),
        "--spec",
        only(torch_dir, "*.yaml"),
        "--to",
        "keras",
        "-o",
        tmp_path / "back",
    )
    assert back.exit_code == 0, back.output
    assert "parity ok" in back.output, back.output
    again = keras.saving.load_model(only(tmp_path / "back", "*.keras"))
    assert len(again.weights) == len(model.weights)
    for a, b in zip(model.weights, again.weights, strict=True):
        assert np.array_equal(a.numpy(), b.numpy()), (a.path, b.path)
    if case.train is not None:
        checked = run("check", only(torch_dir, "*.yaml"), "--train", "--steps", "20")
        assert ended_cleanly(checked), checked.exception
        if case.train == "PASS":
            assert checked.exit_code == 0, checked.output
            assert "PASS" in checked.output
        else:
            assert checked.exit_code == 1, checked.output
            assert case.train in checked.output
            assert "Traceback" not in checked.output


def test_at_least_25_models() -> None:
    assert len(CASES) >= 25


def test_uncompiled_model_gets_no_compile_config(tmp_path: Path, keras) -> None:
    """Keras writes `compile_config: {}` for a model never compiled; that is no
    compile_config (Keras's own loader skips it), not a default RMSprop."""
    model = build_seq_keras_input(keras)
    model.save(tmp_path / "model.keras")
    assert json.loads(zipfile.ZipFile(tmp_path / "model.keras").read("config.json"))["compile_config"] == {}
    assert run("convert", tmp_path / "model.keras", "--to", "torch", "-o", tmp_path / "t").exit_code == 0
    spec = only(tmp_path / "t", "*.yaml")
    assert "compile_config" not in spec.read_text()
    back = run("convert", only(tmp_path / "t", "*.pt"), "--spec", spec, "--to", "keras", "-o", tmp_path / "k")
    assert back.exit_code == 0, back.output
    written = json.loads(zipfile.ZipFile(only(tmp_path / "k", "*.keras")).read("config.json"))
    assert not written.get("compile_config")


def test_legacy_h5_of_a_compiled_model_trains_or_says_why(tmp_path: Path, keras) -> None:
    """A Keras 3 legacy .h5 keeps its compile settings in `training_config`, which
    nnspec does not read: `check --train` must then say what is missing."""
    model = build_sgd_nesterov(keras)
    model.save(tmp_path / "model.h5")
    assert run("convert", tmp_path / "model.h5", "--to", "torch", "-o", tmp_path / "t").exit_code == 0
    checked = run("check", only(tmp_path / "t", "*.yaml"), "--train", "--steps", "5")
    assert ended_cleanly(checked), checked.exception
    assert checked.exit_code == 0 or "compile_config" in checked.output, checked.output
    assert "Traceback" not in checked.output


# -- refused cleanly ---------------------------------------------------------------


def _custom_layer_model(keras):
    @keras.saving.register_keras_serializable(package="nnspec_tests")
    class Scale(keras.layers.Layer):
        def __init__(self, factor: float = 2.0, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

        def get_config(self) -> dict[str, Any]:
            return {**super().get_config(), "factor": self.factor}

    inputs = keras.Input((4,))
    return keras.Model(inputs, keras.layers.Dense(2)(Scale(name="my_scale")(inputs)))


def _subclassed_model(keras):
    class Tiny(keras.Model):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.dense = keras.layers.Dense(2)

        def call(self, x):
            return self.dense(x)

    model = Tiny()
    model(np.zeros((1, 4), "float32"))
    return model


def _functional(keras, shape: tuple[int, ...], body: Callable[[Any], Any], dtype: str = "float32"):
    inputs = keras.Input(shape, dtype=dtype)
    return keras.Model(inputs, body(inputs))


LACKING_LAYERS: dict[str, Callable[[Any], Any]] = {
    "GroupNormalization": lambda k: k.layers.GroupNormalization(groups=2),
    "UnitNormalization": lambda k: k.layers.UnitNormalization(),
    "RMSNormalization": lambda k: k.layers.RMSNormalization(),
    "AlphaDropout": lambda k: k.layers.AlphaDropout(0.1),
    "Dot": None,  # takes two inputs: not a drop-in
}
"""Keras layers that take one (batch, 8) tensor, in a fixed order; the refusal tests use the
first one nnspec lacks (Keras's list minus nnspec's), so they need no rewriting as kinds are added."""


def _lacking() -> tuple[str, Callable[[Any], Any]]:
    from nnspec.spec.layers import LAYER_KINDS

    return next((kind, build) for kind, build in LACKING_LAYERS.items() if build and kind not in LAYER_KINDS)


LACKING, LACKING_BUILD = _lacking()

REFUSED: dict[str, tuple[Callable[[Any], Any], tuple[str, ...], str]] = {
    # name: (build, formats, what the message names)
    "lacking_layer": (
        lambda k: _functional(k, (8,), lambda x: k.layers.Dense(2)(LACKING_BUILD(k)(k.layers.Dense(8)(x)))),
        (".keras",),
        LACKING,
    ),
    "stateful_lstm": (
        lambda k: k.Sequential([k.Input(batch_shape=(2, 5, 3)), k.layers.LSTM(4, stateful=True), k.layers.Dense(2)]),
        (".keras", ".h5"),
        "stateful",
    ),
    "rnn_of_a_cell": (
        lambda k: k.Sequential([k.Input((5, 3)), k.layers.RNN(k.layers.LSTMCell(4)), k.layers.Dense(2)]),
        (".keras",),
        "RNN",
    ),
    "conv_lstm": (
        lambda k: k.Sequential([k.Input((3, 6, 6, 2)), k.layers.ConvLSTM2D(2, 3), k.layers.Flatten()]),
        (".keras",),
        "ConvLSTM2D",
    ),
    "lambda": (
        lambda k: _functional(k, (4,), lambda x: k.layers.Dense(2)(k.layers.Lambda(lambda t: t * 2.0)(x))),
        (".keras", ".h5"),
        "Lambda",
    ),
    "custom_registered_layer": (_custom_layer_model, (".keras",), "Scale"),
    "mask_into_softmax": (
        lambda k: _functional(
            k, (4,), lambda x: k.layers.Softmax()(k.layers.Embedding(10, 3, mask_zero=True)(x)), dtype="int32"
        ),
        (".keras",),
        "mask",
    ),
    "lacking_layer_nested_in_sequential": (
        lambda k: _functional(
            k,
            (8,),
            lambda x: k.layers.Dense(2)(k.Sequential([k.Input((8,)), LACKING_BUILD(k)], name="backbone")(x)),
        ),
        (".keras",),
        LACKING,
    ),
    "subclassed_model": (_subclassed_model, (".keras",), "Tiny"),
    "keras_ops_call": (
        lambda k: _functional(k, (4,), lambda x: k.layers.Dense(2)(k.ops.split(x, 2, axis=-1)[0])),
        (".keras",),
        "Split",
    ),
    "float64_layer": (lambda k: _functional(k, (4,), k.layers.Dense(2, dtype="float64")), (".keras",), "float64"),
}


@pytest.mark.parametrize(
    ("name", "suffix"), [(name, suffix) for name, (_, formats, _) in sorted(REFUSED.items()) for suffix in formats]
)
def test_unsupported_model_is_refused_by_name(name: str, suffix: str, tmp_path: Path, keras) -> None:
    build, _, named = REFUSED[name]
    model = build(keras)
    model.save(tmp_path / f"model{suffix}")
    out = tmp_path / "out"
    result = run("convert", tmp_path / f"model{suffix}", "--to", "torch", "-o", out)
    assert result.exit_code == 1, result.output
    assert ended_cleanly(result), result.exception
    assert named in result.output, result.output
    assert "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())


# -- known bugs ---------------------------------------------------------------------


def test_dropout_in_a_functional_model_converts(tmp_path: Path, keras) -> None:
    layers = keras.layers
    inputs = keras.Input((5,))
    outputs = layers.Dense(2)(layers.Dropout(0.3)(layers.Dense(8, activation="relu")(inputs)))
    model = keras.Model(inputs, outputs)
    randomize(model)
    model.save(tmp_path / "model.keras")
    result = run("convert", tmp_path / "model.keras", "--to", "torch", "-o", tmp_path / "t")
    assert result.exit_code == 0, result.output
    _assert_close(_outputs(model.predict(X5[:4], verbose=0)), _torch_outputs(tmp_path / "t", [X5[:4]]), "dropout")


def test_loss_and_metric_given_as_functions(tmp_path: Path, keras) -> None:
    model = fitted(
        _classifier(keras, softmax=False, units=2),
        REALS,
        optimizer="adam",
        loss=keras.losses.mean_squared_error,
        metrics=[keras.metrics.mean_absolute_error],
    )
    model.save(tmp_path / "model.keras")
    result = run("convert", tmp_path / "model.keras", "--to", "torch", "-o", tmp_path / "t")
    assert result.exit_code == 0, result.output
    checked = run("check", only(tmp_path / "t", "*.yaml"), "--train", "--steps", "10")
    assert checked.exit_code == 0, checked.output


@pytest.mark.parametrize("nested", [False, True], ids=["frozen_layer", "frozen_nested_model"])
def test_frozen_regularizers_and_constraints_do_not_train(nested: bool, tmp_path: Path, keras) -> None:
    layers = keras.layers
    frozen = layers.Dense(
        5,
        kernel_regularizer=keras.regularizers.L2(0.5),
        bias_constraint=keras.constraints.NonNeg(),
        trainable=nested,
    )
    inputs = keras.Input((5,))
    if nested:
        block = keras.Sequential([keras.Input((5,)), frozen], name="block")
        block.trainable = False
        hidden = block(inputs)
    else:
        hidden = frozen(inputs)
    model = keras.Model(inputs, layers.Dense(2)(hidden))
    model.compile(optimizer="sgd", loss="mse")
    model.save(tmp_path / "model.keras")
    assert run("convert", tmp_path / "model.keras", "--to", "torch", "-o", tmp_path / "t").exit_code == 0
    checked = run("check", only(tmp_path / "t", "*.yaml"), "--train", "--steps", "20")
    assert checked.exit_code == 0, checked.output


def test_metric_names_survive_the_round_trip(tmp_path: Path, keras) -> None:
    model = fitted(
        _classifier(keras),
        ONE_HOT,
        optimizer="adam",
        loss="categorical_crossentropy",
        metrics=[keras.metrics.CategoricalAccuracy(name="acc"), "mae"],
    )
    model.save(tmp_path / "model.keras")
    assert run("convert", tmp_path / "model.keras", "--to", "torch", "-o", tmp_path / "t").exit_code == 0
    back = run(
        "convert",
        only(tmp_path / "t", "*.pt"),
        "--spec",
        only(tmp_path / "t", "*.yaml"),
        "--to",
        "keras",
        "-o",
        tmp_path / "k",
    )
    assert back.exit_code == 0, back.output
    again = keras.saving.load_model(only(tmp_path / "k", "*.keras"))
    keys = set(model.evaluate(X5, ONE_HOT, verbose=0, return_dict=True))
    assert set(again.evaluate(X5, ONE_HOT, verbose=0, return_dict=True)) == keys


def test_an_unsupported_metric_leaves_out_compile_config_with_one_warning(tmp_path: Path, keras) -> None:
    """Layers and weights convert; the compile settings nnspec cannot carry are named, once."""
    model = fitted(
        _classifier(keras, softmax=False, units=1),
        BINARY,
        optimizer="adam",
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
        metrics=["accuracy", keras.metrics.AUC()],
    )
    model.save(tmp_path / "model.keras")
    result = run("convert", tmp_path / "model.keras", "--to", "torch", "-o", tmp_path / "t")
    assert result.exit_code == 0, result.output
    warned = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert len(warned) == 1 and "AUC" in warned[0] and "compile_config left out" in warned[0]
    (spec,) = (tmp_path / "t").glob("*.yaml")
    assert "compile_config" not in spec.read_text()


def _shared_after_a_deeper_call(keras):
    """The shared layer's first call waits on a Dense, its second on the input alone."""
    layers = keras.layers
    inputs = keras.Input((4,), name="x")
    shared = layers.Dense(4, name="shared")
    deep = shared(layers.Dense(4, activation="tanh", name="pre")(inputs))
    return keras.Model(inputs, layers.Subtract()([deep, shared(inputs)]))


def _nested_called_four_times(keras):
    """tower(a), tower(b), tower(a), tower(b): the calls on `a` are ready first."""
    layers = keras.layers
    tower_in = keras.Input((4,))
    tower = keras.Model(tower_in, layers.Dense(3, activation="relu")(tower_in), name="tower")
    a, b = keras.Input((4,), name="left"), keras.Input((4,), name="right")
    x = layers.Concatenate()([layers.Multiply()([tower(a), tower(b)]), layers.Average()([tower(a), tower(b)])])
    return keras.Model([a, b], layers.Dense(2)(x))


@pytest.mark.parametrize("build", [_shared_after_a_deeper_call, _nested_called_four_times], ids=lambda f: f.__name__)
def test_shared_layer_calls_keep_their_node_order(build, tmp_path: Path, keras) -> None:
    model = build(keras)
    randomize(model)
    feed, torch_inputs = _inputs(model)
    model.save(tmp_path / "model.keras")
    result = run("convert", tmp_path / "model.keras", "--to", "torch", "-o", tmp_path / "t")
    assert result.exit_code == 0, result.output
    _assert_close(_outputs(model.predict(feed, verbose=0)), _torch_outputs(tmp_path / "t", torch_inputs), "shared")


def test_a_conversion_failing_its_parity_check_writes_nothing(tmp_path: Path, monkeypatch, keras) -> None:
    """Output is all or nothing: PARITY FAILED exits 1 and leaves no file behind."""
    from nnspec.compiler import convert
    from nnspec.compiler.parity.check import ParityReport

    def failing(*args: object, **kwargs: object) -> ParityReport:
        return ParityReport("m", TOLERANCE, False, problems=["differs"])

    monkeypatch.setattr(convert, "check_parity", failing)
    model = build_seq_keras_input(keras)
    model.save(tmp_path / "model.keras")
    result = run("convert", tmp_path / "model.keras", "--to", "torch", "-o", tmp_path / "t")
    assert result.exit_code == 1 and "PARITY FAILED" in result.output, result.output
    assert "wrote" not in result.output
    assert not (tmp_path / "t").exists()  # nor the folder it would have made
    monkeypatch.undo()
    assert run("convert", tmp_path / "model.keras", "--to", "torch", "-o", tmp_path / "ok").exit_code == 0
    torch_files = [only(tmp_path / "ok", "*.pt"), "--spec", only(tmp_path / "ok", "*.yaml")]
    monkeypatch.setattr(convert, "check_parity", failing)
    back = run("convert", *torch_files, "--to", "keras", "-o", tmp_path / "k")
    assert back.exit_code == 1 and "PARITY FAILED" in back.output, back.output
    assert not (tmp_path / "k").exists()


def test_check_train_on_a_rank_3_output_passes_or_says_why(tmp_path: Path, keras) -> None:
    inputs = keras.Input((3, 5))
    model = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    model.compile(optimizer="sgd", loss="mse")
    model.save(tmp_path / "model.keras")
    assert run("convert", tmp_path / "model.keras", "--to", "torch", "-o", tmp_path / "t").exit_code == 0
    checked = run("check", only(tmp_path / "t", "*.yaml"), "--train", "--steps", "5")
    assert ended_cleanly(checked), repr(checked.exception)
    assert checked.exit_code == 0 or "output" in checked.output, checked.output
