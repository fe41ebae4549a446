"""Training from the spec in both frameworks: accuracy goals, saved models that
re-evaluate the same, refusal of bad data, and no half-written files."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import nnspec
from conftest import EXAMPLES
from nnspec.compiler.cli import app
from nnspec.compiler.training.plan import training_plan
from nnspec.compiler.training.run import dataset_for, train

pytestmark = [pytest.mark.keras, pytest.mark.torch]
runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def iris_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """examples/iris.yaml trained in both frameworks with its own settings, through the CLI."""
    out = tmp_path_factory.mktemp("iris")
    result = run("train", EXAMPLES / "iris.yaml", "--backend", "both", "--data", "iris", "-o", out)
    assert result.exit_code == 0, result.output
    return out, result.output


@pytest.mark.parametrize("backend", ["keras", "torch"])
def test_iris_reaches_95_percent_in_both_frameworks(iris_run: tuple[Path, str], backend: str) -> None:
    out, output = iris_run
    history = json.loads((out / backend / "history.json").read_text())
    assert len(history["loss"]) == 200  # fit_config.epochs
    assert history["loss"][-1] < history["loss"][0]
    evaluated = run("evaluate", out / backend, "--data", "iris", "--json")
    assert evaluated.exit_code == 0, evaluated.output
    figures = json.loads(evaluated.output)
    assert figures["accuracy"] >= 0.95
    assert f"{backend}: test" in output and "1,873 parameters" in output
    assert (out / backend / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_saved_models_reevaluate_to_the_accuracy_printed_at_training(iris_run: tuple[Path, str]) -> None:
    out, output = iris_run
    for backend in ("keras", "torch"):
        figures = json.loads(run("evaluate", out / backend, "--json").output)
        printed = next(line for line in output.splitlines() if line.strip().startswith(f"{backend}:"))
        assert f"accuracy {figures['accuracy']:.4f}" in printed


def test_torch_trained_model_converted_to_keras_and_back_evaluates_the_same(
    iris_run: tuple[Path, str], tmp_path: Path
) -> None:
    out, _ = iris_run
    torch_figures = json.loads(run("evaluate", out / "torch", "--json").output)
    to_keras = run(
        "convert",
        out / "torch" / "iris.pt",
        "--spec",
        out / "torch" / "iris.yaml",
        "--to",
        "keras",
        "-o",
        tmp_path / "k",
    )
    assert to_keras.exit_code == 0, to_keras.output
    keras_figures = json.loads(run("evaluate", tmp_path / "k", "--json").output)
    assert keras_figures["accuracy"] == torch_figures["accuracy"]
    assert keras_figures["loss"] == pytest.approx(torch_figures["loss"], rel=1e-5)
    back = run("convert", tmp_path / "k" / "iris.keras", "--to", "torch", "-o", tmp_path / "t")
    assert back.exit_code == 0, back.output
    (tmp_path / "t" / "iris_torch.py").unlink()  # evaluate finds the .pt beside its spec
    assert json.loads(run("evaluate", tmp_path / "t", "--json").output)["accuracy"] == torch_figures["accuracy"]


def test_predict_writes_one_row_per_test_sample(iris_run: tuple[Path, str], tmp_path: Path) -> None:
    out, _ = iris_run
    result = run("predict", out / "keras", "-o", tmp_path / "p.csv")
    assert result.exit_code == 0, result.output
    rows = (tmp_path / "p.csv").read_text().splitlines()
    assert rows[0] == "row,predicted,label,output_0,output_1,output_2" and len(rows) == 46
    correct = sum(int(r.split(",")[1]) == int(r.split(",")[2]) for r in rows[1:])
    assert correct / 45 >= 0.95


@pytest.mark.parametrize("backend", ["keras", "torch"])
def test_digits_mlp_reaches_90_percent(tmp_path: Path, backend: str) -> None:
    loaded = nnspec.load(EXAMPLES / "digits_mlp.yaml")
    data = dataset_for(loaded, training_plan(loaded), "digits")
    result = train(loaded, backend, data, tmp_path, quiet=True)
    assert result.test["accuracy"] >= 0.90


@pytest.mark.parametrize("backend", ["keras", "torch"])
def test_digits_cnn_reaches_97_percent(tmp_path: Path, backend: str) -> None:
    """The course's convolutional network on scikit-learn's 8x8 digits fed as 8x8x1 images
    (the torch side takes them channels first: the generated loop moves the axes)."""
    loaded = nnspec.load(EXAMPLES / "digits_cnn.yaml")
    data = dataset_for(loaded, training_plan(loaded), "digits")
    assert data.x_train.shape[1:] == (8, 8, 1)
    result = train(loaded, backend, data, tmp_path, quiet=True)
    assert result.test["accuracy"] >= 0.97


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("a,b,c,d,label\n1,2,3,4,0\n1,2,x,4,1\n", "row 3"),
        ("a,b,c,label\n1,2,3,0\n4,5,6,1\n", "feature"),
        ("a,b,c,d,label\n1,2,3,4,0\n1,2,3,4,7\n", "label"),
        ("", "empty"),
        ("a,b,c,d,label\n1,2,3,4,0\n1,nan,3,4,1\n", "NaN"),
    ],
    ids=["non-numeric", "feature-count", "label-range", "empty", "nan"],
)
def test_bad_data_is_refused_before_training(tmp_path: Path, content: str, message: str) -> None:
    data = tmp_path / "data.csv"
    data.write_text(content)
    result = run("train", EXAMPLES / "iris.yaml", "--backend", "torch", "--data", data, "-o", tmp_path / "out")
    assert result.exit_code == 1, result.output
    assert message.lower() in result.output.lower() and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("backend", ["keras", "torch"])
def test_interrupted_training_leaves_no_model_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: str
) -> None:
    import nnspec.compiler.training.run as training

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(training, "save_history", interrupted)  # after the model file was written
    loaded = nnspec.load(EXAMPLES / "iris.yaml")
    data = dataset_for(loaded, training_plan(loaded), "iris")
    with pytest.raises(KeyboardInterrupt):
        train(loaded, backend, data, tmp_path / "out", epochs=1, quiet=True)
    assert not [p for p in (tmp_path / "out").rglob("*") if p.is_file()]


def test_a_spec_without_compile_config_cannot_train(tmp_path: Path) -> None:
    text = (EXAMPLES / "iris.yaml").read_text()
    (tmp_path / "bare.yaml").write_text(text[: text.index("compile_config:")])
    result = run("train", tmp_path / "bare.yaml", "--data", "iris", "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert "training needs a compile_config with a loss" in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("backend", ["keras", "torch"])
def test_digits_lstm_reaches_95_percent(tmp_path: Path, backend: str) -> None:
    """The LSTM example on scikit-learn's digits read as 8 steps of 8 pixels."""
    loaded = nnspec.load(EXAMPLES / "digits_lstm.yaml")
    data = dataset_for(loaded, training_plan(loaded), "digits")
    assert data.x_train.shape[1:] == (8, 8)
    result = train(loaded, backend, data, tmp_path, quiet=True)
    assert result.test["accuracy"] >= 0.95


@pytest.mark.parametrize("backend", ["keras", "torch", "both"])
def test_a_validation_split_that_cannot_split_the_data_is_refused(tmp_path: Path, backend: str) -> None:
    """Two rows split 7:3 leave one training sample: validation_split 0.1 of it leaves
    floor(0.9) = none to train, said before either framework starts (Keras's own
    ValueError came mid-run)."""
    assert "validation_split: 0.1" in (EXAMPLES / "iris.yaml").read_text()
    (tmp_path / "split.yaml").write_text((EXAMPLES / "iris.yaml").read_text())
    (tmp_path / "two.csv").write_text("a,b,c,d,label\n1,2,3,4,0\n5,6,7,8,1\n")
    result = run(
        "train", tmp_path / "split.yaml", "--backend", backend, "--data", tmp_path / "two.csv", "-o", tmp_path / "o"
    )
    assert result.exit_code == 1, result.output
    assert "two.csv: fit_config.validation_split 0.1 of 1 training sample leaves none to train" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_both_backends_interrupted_in_the_torch_phase_leave_keras_whole_and_no_torch_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each backend's folder is all or nothing on its own (the README says so): the finished
    keras/ stays, and torch/ is not left behind empty."""
    import nnspec.compiler.training.run as training

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(training, "_train_torch", interrupted)
    with contextlib.suppress(KeyboardInterrupt):
        run("train", EXAMPLES / "iris.yaml", "--backend", "both", "--epochs", "1", "-o", tmp_path / "o")
    assert [p.name for p in (tmp_path / "o").iterdir()] == ["keras"]
    assert (tmp_path / "o" / "keras" / "iris.keras").is_file()
