"""Keras weights read with h5py alone (compiler/weights/keras_h5.py) are the arrays Keras
itself loads into the spec's model, for every Keras file in the fixtures and for Keras 3
files of the awkward cases (frozen layers, nested models, batch statistics before a
kernel, shared layers, sub-layer weights, recurrent cells); and converting a Keras file
to torch without the parity check imports neither Keras nor TensorFlow, nor torch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest
from no_framework import frameworks_imported_by_convert

import nnspec
from conftest import EXAMPLES, FIXTURES
from nnspec.compiler.convert import import_keras_file, keras_file_spec
from nnspec.compiler.weights.files import read_keras_file
from nnspec.compiler.weights.links import WeightError
from nnspec.spec import SpecError

KERAS_FILES = sorted(FIXTURES.glob("keras2*_h5/*.h5")) + sorted(FIXTURES.glob("keras3_ops/*.keras"))
KERAS3_CANNOT_LOAD = {"k2_cudnn_rnns.h5"}
"""tf.keras 1.x's cuDNN layers: Keras 3 has no conversion of their weights (tf.keras had);
nnspec converts them (tests/realworld/test_keras2_corpus.py checks the outputs)."""


def _readable(path: Path) -> bool:
    """Whether nnspec reads the file's architecture (the refused ones: tests/realworld says why)."""
    try:
        keras_file_spec(path)
    except SpecError:
        return False
    return path.name not in KERAS3_CANNOT_LOAD


def _keras_loads(path: Path, loaded: Any) -> dict[str, np.ndarray]:
    """What Keras loads: the spec's Keras model, `model.load_weights(path)`, its declared weights."""
    from nnspec.compiler.targets.keras_model import compile_keras
    from nnspec.compiler.weights.files import read_keras_weights
    from nnspec.spec.graph import model_weights

    return read_keras_weights(path, compile_keras(loaded), model_weights(loaded.graph))


def _assert_same(read: dict[str, np.ndarray], loaded_by_keras: dict[str, np.ndarray]) -> None:
    assert read.keys() == loaded_by_keras.keys()
    for key, array in loaded_by_keras.items():
        assert read[key].dtype == array.dtype, key
        assert np.array_equal(read[key], array), key


@pytest.mark.keras
@pytest.mark.filterwarnings("ignore")  # compile settings left out, Keras's notes on dict inputs
@pytest.mark.parametrize("path", [p for p in KERAS_FILES if _readable(p)], ids=lambda p: p.name)
def test_h5py_reads_what_keras_loads_from_every_fixture(path: Path) -> None:
    loaded = keras_file_spec(path)
    _assert_same(read_keras_file(path, loaded), _keras_loads(path, loaded))


@pytest.mark.keras
@pytest.mark.parametrize("name", sorted(KERAS3_CANNOT_LOAD))
def test_cudnn_weights_keras_3_cannot_load_are_read_converted(name: str) -> None:
    path = FIXTURES / "keras2_seq_h5" / name
    loaded = keras_file_spec(path)
    with pytest.raises(WeightError, match="Received saved weight with shape"):
        _keras_loads(path, loaded)
    read = read_keras_file(path, loaded)
    with h5py.File(path, "r") as handle:
        stored = {
            name: np.asarray(handle[f"model_weights/cudnn_lstm/cudnn_lstm/{name}:0"]) for name in ("kernel", "bias")
        }
    assert np.array_equal(read["cudnn_lstm/bias"], stored["bias"][:20] + stored["bias"][20:])  # the two biases summed
    gate = stored["kernel"][:, :5]  # cuDNN's (units, features) matrix, kept row-major in Keras's (features, units)
    assert np.array_equal(read["cudnn_lstm/kernel"][:, :5], gate.reshape(5, 3).T)


def _awkward(keras: Any) -> Any:
    """A Keras 3 model holding each case where the order of weights is not the order of layers."""
    layers = keras.layers
    stats = keras.Sequential(
        [keras.Input((6,)), layers.BatchNormalization(name="inner_bn"), layers.Dense(5, name="inner_dense")],
        name="stats_first",
    )
    frozen_inner = keras.Sequential(
        [
            keras.Input((5,)),
            layers.BatchNormalization(name="frozen_bn"),
            layers.Dense(5, name="frozen_dense", trainable=False),
        ],
        name="frozen_inside",
    )
    x = keras.Input((5,), name="x")
    y = frozen_inner(x)
    frozen_model = keras.Model(x, layers.Dense(5, activation=layers.PReLU(), name="prelu_dense")(y), name="frozen")
    frozen_model.trainable = False

    features = keras.Input((6,), name="features")
    steps = keras.Input((4, 3), name="steps")
    shared = layers.Dense(6, name="shared")
    hidden = layers.BatchNormalization(name="bn")(shared(shared(features)))
    hidden = layers.Dense(6, name="frozen_layer", trainable=False)(hidden)
    hidden = frozen_model(stats(hidden))
    sequence = layers.Bidirectional(layers.GRU(3, return_sequences=True), name="bi")(steps)
    sequence = layers.LSTM(4, name="lstm")(sequence)
    out = layers.Dense(2, name="out")(layers.Concatenate()([hidden, sequence, layers.Dropout(0.1)(hidden)]))
    model = keras.Model([features, steps], out, name="awkward")
    model([np.zeros((1, 6), "float32"), np.zeros((1, 4, 3), "float32")])  # PReLU makes its alpha on a real call
    rng = np.random.default_rng(3)
    model.set_weights([rng.uniform(0.5, 1.5, w.shape).astype(w.dtype) for w in model.get_weights()])
    return model


@pytest.fixture(scope="module")
def keras3_files(tmp_path_factory: pytest.TempPathFactory, keras: Any) -> dict[str, Path]:
    """Keras 3's three files of the awkward model: .keras, legacy .h5, .weights.h5."""
    folder = tmp_path_factory.mktemp("keras3")
    model = _awkward(keras)
    files = {suffix: folder / f"awkward{suffix}" for suffix in (".keras", ".h5", ".weights.h5")}
    model.save(files[".keras"])
    model.save(files[".h5"])
    model.save_weights(files[".weights.h5"])
    (folder / "awkward.json").write_text(model.to_json())
    return files


@pytest.mark.keras
@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("suffix", [".keras", ".h5", ".weights.h5"])
def test_h5py_reads_what_keras_loads_from_keras_3_files(keras3_files: dict[str, Path], suffix: str) -> None:
    path = keras3_files[suffix]
    spec = path.with_name("awkward.json") if suffix == ".weights.h5" else None
    loaded, arrays = import_keras_file(path, spec)
    _assert_same(arrays, _keras_loads(path, loaded))
    assert all(np.all(array >= 0.5) for array in arrays.values())  # every weight was set, none left as built


@pytest.mark.keras
def test_weights_of_another_model_are_refused_with_the_layer_and_shapes(keras3_files: dict[str, Path]) -> None:
    from nnspec.compiler.weights.links import WeightError

    other = nnspec.load(EXAMPLES / "iris.yaml")
    for suffix in (".h5", ".weights.h5"):
        with pytest.raises(WeightError, match="the weights do not fit the spec's model"):
            read_keras_file(keras3_files[suffix], other)


@pytest.mark.keras
@pytest.mark.torch
@pytest.mark.parametrize(
    "source",
    [
        ".keras",
        ".h5",
        ".weights.h5",
        "tf.keras 2 .h5",
        "tf.keras 2 conv .h5",
        "tf.keras 2 sequence .h5",
        "TF.js model.json",
    ],
)
def test_convert_to_torch_without_the_check_imports_no_framework(
    keras3_files: dict[str, Path], source: str, tmp_path: Path
) -> None:
    """Reading the file needs h5py only (or numpy, for TF.js shards), writing the .pt no torch."""
    tf_keras_2 = {
        "tf.keras 2 .h5": FIXTURES / "keras2_h5" / "k2_functional_in_sequential.h5",
        "tf.keras 2 conv .h5": FIXTURES / "keras2_conv_h5" / "k2_residual.h5",
        "tf.keras 2 sequence .h5": FIXTURES / "keras2_seq_h5" / "k2_bidirectional_merge.h5",
        "TF.js model.json": FIXTURES / "tfjs" / "mlp_uint8" / "model.json",  # its shards read with numpy alone
    }
    if source in tf_keras_2:
        args = [str(tf_keras_2[source])]
    else:
        path = keras3_files[source]
        args = [str(path), "--spec", str(path.with_name("awkward.json"))] if source == ".weights.h5" else [str(path)]
    assert frameworks_imported_by_convert(args, tmp_path / "out") == []
    assert any(p.suffix == ".pt" for p in (tmp_path / "out").iterdir())
