"""`.h5` files of standalone Keras 1.2.2 and Keras 2.1.6 (tests/fixtures/old_h5, written by
tests/fixtures/make_old_h5.py to those versions' layouts and checked there against tf-keras's
legacy loader): each converts to a torch module holding the parameters tf-keras counted and
computing the outputs it recorded; weights that do not fit name the layer, the weight and both
shapes; reading them imports neither TensorFlow nor Keras."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest
from no_framework import frameworks_imported_by_convert
from typer.testing import CliRunner

import nnspec
from conftest import FIXTURES
from nnspec.compiler.cli import app
from nnspec.compiler.convert import import_keras_file, keras_file_spec
from nnspec.compiler.weights.files import read_keras_file
from nnspec.compiler.weights.links import WeightError

OLD = FIXTURES / "old_h5"
NAMES = sorted(p.stem for p in OLD.glob("*.h5"))
NO_PARITY_CHECK = {
    "k1_conv_th": "TensorFlow's CPU kernels cannot run a channels-first convolution",
    "k1_nested_th": "TensorFlow's CPU kernels cannot run a channels-first convolution",
    "k1_wrappers": "Keras 3's Bidirectional cannot clone an LSTM whose recurrent_activation is the "
    "generated legacy_hard_sigmoid function (not serializable): a Keras-side limit of the check",
}
"""Where the parity check (which builds and runs the Keras 3 model) cannot run; the torch
outputs are still compared with the ones tf-keras recorded."""

runner = CliRunner()


def _expected(name: str) -> dict[str, Any]:
    return json.loads((OLD / f"{name}.expected.json").read_text())


def _spec_args(name: str) -> list[str]:
    """A Keras 2 architecture beside the file where nnspec does not read the file's own Keras 1
    config yet (BatchNormalization's `mode`, Convolution2D's fields, a wrapped layer's
    `input_dim: null`), else nothing."""
    spec = _expected(name)["spec"]
    return ["--spec", str(OLD / spec)] if spec else []


def _torch_outputs(loaded: nnspec.LoadedSpec, state: Any, recorded: Any) -> np.ndarray:
    """The module's outputs for the recorded input `x` (or inputs `x0, x1...`), fed in Keras's layout."""
    import torch

    net = nnspec.compile_torch(loaded, layout="keras").eval()
    net.load_state_dict(state)
    inputs = [recorded[k] for k in sorted(recorded.files) if k.startswith("x")]
    with torch.no_grad():
        return net(*(torch.from_numpy(x) for x in inputs)).numpy()


def test_the_fixtures_are_there() -> None:
    assert NAMES == [
        "k1_conv_tf",
        "k1_conv_th",
        "k1_mlp_bn",
        "k1_nested_th",
        "k1_text_rnn",
        "k1_wrappers",
        "k21_convnet",
        "k21_mlp_bn",
        "k21_text_rnn",
    ]
    for name in NAMES:
        spec = _expected(name)["spec"]
        for path in (OLD / f"{name}.h5", OLD / f"{name}.expected.npz", *([OLD / spec] if spec else [])):
            assert path.is_file() and path.stat().st_size < 100_000, path


@pytest.mark.parametrize("name", NAMES)
def test_the_files_are_laid_out_as_the_old_versions_wrote_them(name: str) -> None:
    """What tells the loaders the version: Keras 1 left no `keras_version` on the weights group."""
    with h5py.File(OLD / f"{name}.h5", "r") as handle:
        group = handle.get("model_weights", handle)
        if name.startswith("k1_"):
            assert "keras_version" not in group.attrs
            assert handle.attrs.get("keras_version") in (None, b"1.2.2")
            weighted = [g for n in group.attrs["layer_names"] if len((g := group[n]).attrs["weight_names"])]
            first = weighted[0].attrs["weight_names"][0].decode()
            assert first.split("_")[-1] in ("W", "W:0")  # Keras 1's '{}_W'.format(self.name)
        else:
            assert group.attrs["keras_version"] == b"2.1.6" and group.attrs["backend"] == b"tensorflow"
            assert "kernel:0" in group["dense_1/dense_1"]


@pytest.mark.keras
@pytest.mark.torch
@pytest.mark.parametrize("name", NAMES)
def test_cli_converts_with_tf_keras_counts_and_outputs(tmp_path: Path, name: str) -> None:
    import torch

    check = ["--no-check"] if name in NO_PARITY_CHECK else []
    args = ["convert", str(OLD / f"{name}.h5"), *_spec_args(name), "--to", "torch", "-o", str(tmp_path), *check]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    (spec_file,) = tmp_path.glob("*.yaml")
    loaded = nnspec.load(spec_file)
    expected = _expected(name)
    params = loaded.graph.params
    assert (params.total, params.trainable, params.non_trainable) == (
        expected["total_params"],
        expected["trainable_params"],
        expected["non_trainable_params"],
    )
    recorded = np.load(OLD / f"{name}.expected.npz")
    state = torch.load(spec_file.with_suffix(".pt"), weights_only=True)
    got = _torch_outputs(loaded, state, recorded)
    np.testing.assert_allclose(got, recorded["y"], rtol=1e-5, atol=1e-5)


@pytest.mark.torch
@pytest.mark.parametrize("name", NAMES)
def test_python_api_reads_the_weights_tf_keras_loads(name: str) -> None:
    import torch

    from nnspec.compiler.compiled import Compiled
    from nnspec.compiler.weights.links import torch_state_from_keras

    spec = _expected(name)["spec"]
    loaded, arrays = import_keras_file(OLD / f"{name}.h5", OLD / spec if spec else None)
    assert sum(a.size for a in arrays.values()) == _expected(name)["total_params"]
    compiled = Compiled.of(loaded, "keras")
    recorded = np.load(OLD / f"{name}.expected.npz")
    state = {key: torch.as_tensor(value) for key, value in torch_state_from_keras(arrays, compiled.links).items()}
    got = _torch_outputs(loaded, state, recorded)
    np.testing.assert_allclose(got, recorded["y"], rtol=1e-5, atol=1e-5)


def test_keras1_gates_are_joined_in_keras_2_order() -> None:
    """LSTM: Keras 1 saved gates i, c, f, o; Keras 2 keeps i, f, c, o. GRU: z, r, h both."""
    path = OLD / "k1_text_rnn.h5"
    arrays = read_keras_file(path, keras_file_spec(path))
    with h5py.File(path, "r") as handle:
        lstm = handle["model_weights/lstm_1"]
        gates = [np.asarray(lstm[f"lstm_1_W_{gate}:0"]) for gate in "ifco"]
        gru_bias = [np.asarray(handle[f"model_weights/gru_1/gru_1_b_{gate}:0"]) for gate in "zrh"]
    np.testing.assert_array_equal(arrays["lstm_1/kernel"], np.concatenate(gates, axis=-1))
    np.testing.assert_array_equal(arrays["gru_1/bias"], np.concatenate(gru_bias))


def test_keras1_gpu_mode_rnn_weights_are_already_keras_2s(tmp_path: Path) -> None:
    """consume_less='gpu' kept one W, U, b per layer, its gates in Keras 2's order (i, f, c, o)."""
    path = tmp_path / "gpu.h5"
    shutil.copy(OLD / "k1_text_rnn.h5", path)
    loaded = keras_file_spec(path)
    per_gate = read_keras_file(path, loaded)
    with h5py.File(path, "r+") as handle:
        del handle["model_weights/lstm_1"]
        group = handle["model_weights"].create_group("lstm_1")
        names = ["lstm_1_W:0", "lstm_1_U:0", "lstm_1_b:0"]
        group.attrs["weight_names"] = np.array([n.encode() for n in names])
        for name, part in zip(names, ("kernel", "recurrent_kernel", "bias"), strict=True):
            group.create_dataset(name, data=per_gate[f"lstm_1/{part}"])
    joined = read_keras_file(path, loaded)
    assert all(np.array_equal(joined[key], per_gate[key]) for key in per_gate)


def test_keras1_bidirectional_halves_are_converted_each() -> None:
    path = OLD / "k1_wrappers.h5"
    _, arrays = import_keras_file(path, OLD / "k1_wrappers.keras2.json")
    with h5py.File(path, "r") as handle:
        group = handle["model_weights/bidirectional_1"]
        bias = [np.asarray(group[f"backward_lstm_1_b_{gate}"]) for gate in "ifco"]
    (key,) = [k for k in arrays if k.startswith("bidirectional_1/backward") and k.endswith("/bias")]
    np.testing.assert_array_equal(arrays[key], np.concatenate(bias))


@pytest.mark.parametrize("keras_1_1", [False, True])
def test_keras1_convolution1d_kernels_of_both_layouts_are_read(tmp_path: Path, keras_1_1: bool) -> None:
    """Keras 1.2's (length, 1, input_dim, filters), and Keras 1.1's (filters, input_dim, length, 1)."""
    path = tmp_path / "conv1d.h5"
    shutil.copy(OLD / "k1_conv_tf.h5", path)
    with h5py.File(path, "r+") as handle:
        stored = np.asarray(handle["convolution1d_1/convolution1d_1_W"])
        if keras_1_1:
            del handle["convolution1d_1/convolution1d_1_W"]
            handle["convolution1d_1"].create_dataset("convolution1d_1_W", data=np.transpose(stored, (3, 2, 0, 1)))
    _, arrays = import_keras_file(path, OLD / "k1_conv_tf.keras2.json")
    assert stored.shape == (3, 1, 3, 4)
    np.testing.assert_array_equal(arrays["convolution1d_1/kernel"], stored[:, 0])


def test_a_theano_ordered_kernel_is_moved_to_keras_2s_layout() -> None:
    path = OLD / "k1_conv_th.h5"
    _, arrays = import_keras_file(path, OLD / "k1_conv_th.keras2.json")
    with h5py.File(path, "r") as handle:
        stored = np.asarray(handle["convolution2d_1/convolution2d_1_W"])
    assert stored.shape == (4, 3, 3, 3)  # (filters, stack, rows, cols)
    np.testing.assert_array_equal(arrays["convolution2d_1/kernel"], np.transpose(stored, (2, 3, 1, 0)))


def test_theano_kernels_are_loaded_as_saved_and_said_so(tmp_path: Path) -> None:
    """Keras 2.0-2.2 flipped them loading on TensorFlow; tf-keras does not, nor does nnspec: it warns."""
    path = tmp_path / "theano.h5"
    shutil.copy(OLD / "k21_convnet.h5", path)
    with h5py.File(path, "r+") as handle:
        handle["model_weights"].attrs["backend"] = np.bytes_(b"theano")
        stored = np.asarray(handle["model_weights/conv2d_1/conv2d_1/kernel:0"])
    result = runner.invoke(app, ["convert", str(path), "--to", "torch", "--no-check", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "warning: 'conv2d_1': the file was written with the Theano backend" in result.output
    with pytest.warns(UserWarning, match="Theano"):
        _, arrays = import_keras_file(path)
    np.testing.assert_array_equal(arrays["conv2d_1/kernel"], stored)


# -- weights that do not fit -----------------------------------------------------------------


def _text_config(change: Any) -> nnspec.LoadedSpec:
    """k1_text_rnn.h5's own Keras 1 architecture, changed."""
    with h5py.File(OLD / "k1_text_rnn.h5", "r") as handle:
        config = json.loads(handle.attrs["model_config"])
    config = copy.deepcopy(config)
    change(config["config"])
    return nnspec.load_data({**config, "keras_version": "1.2.2"}, "changed.json")


def _refusal(loaded: nnspec.LoadedSpec, name: str = "k1_text_rnn") -> str:
    with pytest.raises(WeightError) as caught:
        read_keras_file(OLD / f"{name}.h5", loaded)
    return str(caught.value)


def test_a_gate_of_another_shape_names_the_layer_the_weight_and_both_shapes() -> None:
    message = _refusal(_text_config(lambda layers: layers[1]["config"].update(output_dim=6)))
    assert "layer 'lstm_1'" in message and "lstm_1_W_i:0" in message
    assert "(6, 5) in the file" in message and "needs (6, 6)" in message


def test_a_kernel_of_another_shape_names_the_layer_the_weight_and_both_shapes() -> None:
    message = _refusal(_text_config(lambda layers: layers[3]["config"].update(output_dim=3)))
    assert "layer 'dense_1'" in message and "kernel has shape (4, 2) in the file" in message
    assert "needs (4, 3)" in message


def test_another_count_of_weights_names_the_layer_and_both_lists() -> None:
    message = _refusal(_text_config(lambda layers: layers[3]["config"].update(bias=False)))
    assert "layer 'dense_1'" in message
    assert "holds 2 weights (dense_1_W:0, dense_1_b:0)" in message and "Dense has 1 (kernel)" in message


def test_layers_are_matched_by_name() -> None:
    message = _refusal(_text_config(lambda layers: layers[3]["config"].update(name="output")))
    assert "matched to the spec by layer name" in message
    assert "no weights in it for 'output'" in message and "'dense_1', not in the spec" in message


def test_cli_refuses_weights_of_another_model_in_one_line_and_writes_nothing(tmp_path: Path) -> None:
    args = ["convert", str(OLD / "k1_mlp_bn.h5"), "--spec", str(OLD / "k1_wrappers.keras2.json")]
    result = runner.invoke(app, [*args, "--to", "torch", "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "the weights do not fit the spec's model" in result.output and "no weights in it for" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


def test_keras_2_1_files_are_matched_by_name_too(tmp_path: Path) -> None:
    """Two Dense layers of one shape swapped in the file's list: Keras would load them by
    position; nnspec takes each by its name."""
    path = tmp_path / "swapped.h5"
    shutil.copy(OLD / "k21_mlp_bn.h5", path)
    loaded = keras_file_spec(path)
    before = read_keras_file(path, loaded)
    with h5py.File(path, "r+") as handle:
        names = list(handle["model_weights"].attrs["layer_names"])
        handle["model_weights"].attrs["layer_names"] = np.array(names[::-1])
    after = read_keras_file(path, loaded)
    assert before.keys() == after.keys()
    assert all(np.array_equal(before[key], after[key]) for key in before)


# -- no framework --------------------------------------------------------------------------------


@pytest.mark.torch
@pytest.mark.parametrize("name", ["k1_text_rnn", "k1_conv_th", "k21_convnet"])
def test_convert_without_the_check_imports_no_keras(tmp_path: Path, name: str) -> None:
    args = [str(OLD / f"{name}.h5"), *_spec_args(name)]
    assert frameworks_imported_by_convert(args, tmp_path / "out") == []  # torch neither: the .pt is written without it
    assert any(p.suffix == ".pt" for p in (tmp_path / "out").iterdir())
