"""generate, convert and check: the committed generated/ folder, the conversion
round trip through files, and failures that leave nothing behind."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

import nnspec
from conftest import ROOT, VALID_EXAMPLES
from nnspec.compiler.cli import app
from nnspec.compiler.targets.keras_model import keras_source
from nnspec.compiler.targets.torch_module import torch_source
from nnspec.compiler.training.script import training_source

GENERATED = ROOT / "generated"
runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def test_generated_folder_is_up_to_date() -> None:
    """Every example's generated code is committed, byte for byte, and nothing else is there."""
    expected = {}
    for example in VALID_EXAMPLES:
        loaded = nnspec.load(example)
        expected[f"{example.stem}_torch.py"] = torch_source(loaded).text
        if loaded.spec.compile_config is not None:  # a spec that can train gets its loop too
            expected[f"{example.stem}_train.py"] = training_source(loaded, module=f"{example.stem}_torch").text
        expected[f"{example.stem}_keras.py"] = keras_source(loaded).text
    present = {p.name for p in GENERATED.glob("*.py")}
    assert present == set(expected), "regenerate: nnspec generate examples/<name>.yaml -o generated"
    for name, text in expected.items():
        assert (GENERATED / name).read_text(encoding="utf-8") == text, f"generated/{name} is stale"


def test_generate_writes_both_targets_without_importing_a_framework(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        f"sys.argv = ['nnspec', 'generate', {str(ROOT / 'examples' / 'iris.yaml')!r}, '-o', {str(tmp_path)!r}]\n"
        "from nnspec.compiler.cli import app\n"
        "try:\n    app()\nexcept SystemExit as exit:\n    assert not exit.code, exit.code\n"
        "loaded = {m.split('.')[0] for m in sys.modules} & {'tensorflow', 'keras', 'torch'}\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["iris_keras.py", "iris_torch.py", "iris_train.py"]


def test_generate_target_torch_only(tmp_path: Path) -> None:
    result = run("generate", ROOT / "examples" / "iris_functional.yaml", "--target", "torch", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["iris_functional_torch.py", "iris_functional_train.py"]


def test_a_config_without_a_torch_rule_is_named(tmp_path: Path) -> None:
    text = (
        (ROOT / "examples" / "iris.yaml")
        .read_text()
        .replace(
            "{name: hidden_1, units: 50, activation: sigmoid}",
            "{name: hidden_1, units: 50, activation: sigmoid, dtype: float64}",
        )
    )
    (tmp_path / "f64.yaml").write_text(text)
    result = run("generate", tmp_path / "f64.yaml", "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert "config.layers[1]: layer 'hidden_1' (Dense): dtype 'float64' has no torch rule" in result.output
    assert not (tmp_path / "out").exists()


def test_generate_invalid_spec_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    result = run("generate", ROOT / "examples" / "invalid_cycle.yaml", "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("command", "out", "message"),
    [
        (("generate", ROOT / "examples" / "iris.yaml"), "a_file", "a_file: -o names a file, not a folder"),
        (("generate", ROOT / "examples" / "iris.yaml"), "a_file/sub", "a_file is a file, not a folder"),
        (("convert", ROOT / "tests" / "fixtures" / "keras3_ops" / "k3_arithmetic.keras", "--to", "torch",
          "--no-check"), "a_file", "a_file: -o names a file, not a folder"),
        (("train", ROOT / "examples" / "iris.yaml", "--data", "iris", "--epochs", "1", "--backend", "torch"),
         "a_file", "a_file is a file, not a folder"),
    ],
    ids=["generate", "generate-below-a-file", "convert", "train"],
)  # fmt: skip
def test_an_output_folder_that_is_a_file_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[Any, ...], out: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a_file").write_text("mine")
    result = run(*command, "-o", out)
    assert result.exit_code == 1 and message in result.output, result.output
    assert "Traceback" not in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["a_file"] and (tmp_path / "a_file").read_text() == "mine"


def test_a_staging_folder_left_by_a_killed_run_is_removed_by_the_next(tmp_path: Path) -> None:
    """A run killed before it could tidy up leaves `.nnspec-<pid>-*`; a live run's stays."""
    import os

    abandoned = tmp_path / ".nnspec-999999999-abcd"  # no such process
    live = tmp_path / f".nnspec-{os.getpid()}-efgh"
    abandoned.mkdir()
    live.mkdir()
    assert run("generate", ROOT / "examples" / "iris.yaml", "-o", tmp_path).exit_code == 0
    assert not abandoned.exists() and live.exists()


@pytest.mark.keras
@pytest.mark.torch
def test_check_passes_and_reports_every_layer_as_json() -> None:
    result = run("check", ROOT / "examples" / "iris_functional.yaml", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["passed"] and report["keras_params"] == report["spec_params"] == 1283
    assert [row["layer"] for row in report["rows"]] == ["branch_50", "branch_80", "branch_30", "merged", "species"]
    assert all(row["max_abs"] <= 1e-5 for row in report["rows"])
    assert set(report["directions"]) == {"keras_to_torch", "torch_to_keras"}


@pytest.mark.keras
@pytest.mark.torch
def test_check_fails_with_exit_1_when_the_tolerance_is_impossible() -> None:
    result = run("check", ROOT / "examples" / "mnist_mlp.yaml", "--tolerance", "1e-12")
    assert result.exit_code == 1
    assert "FAIL" in result.output


def _trained_keras_file(example: Path, directory: Path, seed: int) -> tuple[Path, np.ndarray, list[np.ndarray]]:
    """A Keras model of the example with random non-zero weights (biases and BN
    statistics too), saved as .keras, with an input batch."""
    from nnspec.compiler.parity.check import sample_inputs
    from nnspec.compiler.weights.links import random_keras_arrays, set_keras_arrays
    from nnspec.spec.graph import model_weights

    loaded = nnspec.load(example)
    model = nnspec.compile_keras(loaded)
    declared = model_weights(loaded.graph)
    set_keras_arrays(model, declared, random_keras_arrays(declared, seed))
    assert all(np.any(w.numpy() != 0) for w in model.weights)
    path = directory / f"{example.stem}.keras"
    model.save(path)
    inputs = sample_inputs(loaded.graph, seed)
    return path, inputs, [w.numpy() for w in model.weights]


def _outputs(model, inputs: list[np.ndarray]) -> list[np.ndarray]:
    result = model(inputs[0] if len(inputs) == 1 else inputs)
    results = result if isinstance(result, list | tuple) else [result]
    return [np.asarray(r) for r in results]


@pytest.mark.keras
@pytest.mark.torch
@pytest.mark.parametrize("example", VALID_EXAMPLES, ids=lambda p: p.stem)
def test_keras_file_to_torch_and_back_is_exact(example: Path, tmp_path: Path, keras) -> None:
    original, inputs, weights = _trained_keras_file(example, tmp_path, seed=7)
    expected = _outputs(keras.saving.load_model(original), inputs)
    to_torch = run("convert", original, "--to", "torch", "-o", tmp_path / "torch")
    assert to_torch.exit_code == 0, to_torch.output
    assert "parity ok" in to_torch.output
    name = nnspec.load(example).graph.name
    back = run(
        "convert",
        tmp_path / "torch" / f"{name}.pt",
        "--spec",
        tmp_path / "torch" / f"{name}.yaml",
        "--to",
        "keras",
        "-o",
        tmp_path / "keras",
    )
    assert back.exit_code == 0, back.output
    model = keras.saving.load_model(tmp_path / "keras" / f"{name}.keras")
    assert all(np.array_equal(a, b.numpy()) for a, b in zip(weights, model.weights, strict=True))
    for a, b in zip(expected, _outputs(model, inputs), strict=True):
        assert np.max(np.abs(a - b)) <= 1e-5


@pytest.mark.keras
@pytest.mark.torch
def test_torch_module_from_converted_files_matches_keras(tmp_path: Path, keras) -> None:
    """The written source and .pt, loaded the way a user would, compute Keras's outputs."""
    import importlib.util

    import torch

    original, inputs, _ = _trained_keras_file(ROOT / "examples" / "mnist_bn.yaml", tmp_path, seed=3)
    assert run("convert", original, "--to", "torch", "--format", "safetensors", "-o", tmp_path).exit_code == 0
    spec = importlib.util.spec_from_file_location("mnist_bn_torch", tmp_path / "mnist_bn_torch.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from safetensors.torch import load_file

    net = module.MnistBn().eval()
    net.load_state_dict(load_file(tmp_path / "mnist_bn.safetensors"))
    with torch.no_grad():
        got = net(torch.from_numpy(inputs[0])).numpy()
    expected = _outputs(keras.saving.load_model(original), inputs)[0]
    assert np.max(np.abs(got - expected)) <= 1e-5


@pytest.mark.keras
@pytest.mark.torch
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: (d / "m.keras").write_bytes(b"not a zip"), "not a readable Keras model file"),
        (lambda d: (d / "m.pt").write_bytes(b"\x80garbage"), "not a readable torch weights file"),
    ],
)
def test_convert_refuses_unreadable_files(tmp_path: Path, make, message: str) -> None:
    make(tmp_path)
    source = next(tmp_path.iterdir())
    args = ["--spec", ROOT / "examples" / "iris.yaml"] if source.suffix == ".pt" else []
    result = run("convert", source, "--to", "keras" if source.suffix == ".pt" else "torch", *args, "-o", tmp_path / "o")
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


@pytest.mark.keras
@pytest.mark.torch
def test_convert_refuses_weights_of_another_model(tmp_path: Path) -> None:
    import torch

    module = nnspec.compile_torch(ROOT / "examples" / "iris_small.yaml")
    torch.save(module.state_dict(), tmp_path / "small.pt")
    result = run(
        "convert",
        tmp_path / "small.pt",
        "--spec",
        ROOT / "examples" / "iris.yaml",
        "--to",
        "keras",
        "-o",
        tmp_path / "o",
    )
    assert result.exit_code == 1
    assert "expected shape" in result.output or "lack" in result.output
    assert f"{tmp_path / 'small.pt'}: " in result.output  # the file the problem is in
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_convert_weights_to_keras_needs_a_spec(tmp_path: Path) -> None:
    (tmp_path / "w.pt").write_bytes(b"")
    assert run("convert", tmp_path / "w.pt", "--to", "keras", "-o", tmp_path / "o").exit_code == 2


@pytest.mark.keras
@pytest.mark.torch
def test_live_keras_model_imports_with_its_weights(keras) -> None:
    """A model built in Python (not from a file) becomes spec + weights with parity."""
    from nnspec.compiler.convert import import_keras_model
    from nnspec.compiler.parity.check import check_parity

    inputs = keras.Input(shape=(6,), name="x")
    hidden = keras.layers.Dense(8, activation="gelu", name="hidden")(inputs)
    normed = keras.layers.LayerNormalization(name="norm")(hidden)
    out = keras.layers.Dense(2, activation="softmax", name="out")(keras.layers.Add()([hidden, normed]))
    model = keras.Model(inputs, out)
    for weight in model.weights:
        weight.assign(np.random.default_rng(0).normal(size=weight.shape).astype("float32"))
    loaded, arrays = import_keras_model(model)
    assert loaded.graph.params.total == model.count_params()
    assert np.array_equal(arrays["hidden/kernel"], model.get_layer("hidden").kernel.numpy())
    report = check_parity(loaded, keras_model=model)
    assert report.passed, report.problems


@pytest.mark.keras
@pytest.mark.torch
@pytest.mark.parametrize("suffix", [".h5", ".weights.h5"])
def test_legacy_h5_and_weights_h5_convert_to_torch(tmp_path: Path, keras, suffix: str) -> None:
    original, inputs, _ = _trained_keras_file(ROOT / "examples" / "iris_functional.yaml", tmp_path, seed=11)
    model = keras.saving.load_model(original)
    source = tmp_path / f"model{suffix}"
    if suffix == ".h5":
        model.save(source)  # the legacy HDF5 format: architecture in its attributes
        args: list[object] = []
    else:
        model.save_weights(source)
        args = ["--spec", ROOT / "examples" / "iris_functional.yaml"]
    result = run("convert", source, "--to", "torch", *args, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "parity ok" in result.output
    import torch

    net = nnspec.compile_torch(ROOT / "examples" / "iris_functional.yaml").eval()
    net.load_state_dict(torch.load(tmp_path / "out" / "iris_functional.pt", weights_only=True))
    with torch.no_grad():
        got = net(torch.from_numpy(inputs[0])).numpy()
    assert np.max(np.abs(got - _outputs(model, inputs)[0])) <= 1e-5


def test_weights_only_h5_without_a_spec_is_refused(tmp_path: Path) -> None:
    import h5py

    with h5py.File(tmp_path / "w.h5", "w") as handle:
        handle.create_group("layers")
    result = run("convert", tmp_path / "w.h5", "--to", "torch", "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert "holds weights only; give the architecture with --spec" in result.output


@pytest.mark.torch
@pytest.mark.keras
@pytest.mark.parametrize("name", ["k2_functional", "k2_sequential"])
def test_tf_keras_2_h5_converts_to_torch_with_tf_keras_outputs(tmp_path: Path, name: str) -> None:
    """Full-model .h5 files written by tf.keras 2 (tests/fixtures/make_keras2_h5.py): the
    torch module computes what tf.keras computed (hard_sigmoid is Keras 2's, LeakyReLU's alpha)."""
    import torch

    fixture = ROOT / "tests" / "fixtures" / "keras2_h5"
    result = run("convert", fixture / f"{name}.h5", "--to", "torch", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    expected = np.load(fixture / f"{name}.expected.npz")
    net = nnspec.compile_torch(tmp_path / f"{name}.yaml").eval()
    net.load_state_dict(torch.load(tmp_path / f"{name}.pt", weights_only=True))
    with torch.no_grad():
        got = net(torch.from_numpy(expected["x"])).numpy()
    assert np.max(np.abs(got - expected["y"])) <= 1e-5


@pytest.mark.torch
@pytest.mark.keras
def test_tf_keras_2_h5_brings_its_training_config(tmp_path: Path) -> None:
    """A compiled tf.keras 2 model's .h5 carries how it was compiled (`training_config`):
    it becomes the spec's compile_config, or is left out with a warning naming why."""
    fixture = ROOT / "tests" / "fixtures" / "keras2_h5"
    result = run("convert", fixture / "k2_dropout_reshape.h5", "--to", "torch", "-o", tmp_path / "a")
    assert result.exit_code == 0, result.output
    config = nnspec.load(tmp_path / "a" / "k2_dropout_reshape.yaml").spec.compile_config
    assert type(config.optimizer).__name__ == "Adam" and config.optimizer.beta_1 == 0.8
    assert config.loss.name == "categorical_crossentropy"
    assert [m.reported for m in config.metrics[0]] == ["acc", "top_k_categorical_accuracy"]
    ftrl = run("convert", fixture / "k2_activation_layers.h5", "--to", "torch", "-o", tmp_path / "b")
    assert ftrl.exit_code == 0, ftrl.output
    assert "warning: compile_config left out: compile_config.optimizer: unknown class 'Ftrl'" in ftrl.output
