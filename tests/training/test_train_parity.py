"""Training parity: 50 steps from the same weights on the same batches, loss
compared per step; the generated callbacks decide as Keras's do; and the generated
script trains on its own, also under torchrun."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nnspec
from conftest import EXAMPLES
from nnspec.compiler.training.parity import check_training
from nnspec.compiler.training.script import load_training, training_source

pytestmark = [pytest.mark.keras, pytest.mark.torch]
IRIS = (EXAMPLES / "iris.yaml").read_text()


def iris_with(tmp_path: Path, optimizer: str, extra: str = "") -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(IRIS.replace("optimizer: adam", f"optimizer: {optimizer}") + extra)
    return path


EXACT = {
    "sgd": "sgd",
    "sgd_momentum": "{class_name: SGD, config: {learning_rate: 0.1, momentum: 0.9}}",
    "sgd_nesterov": "{class_name: SGD, config: {learning_rate: 0.1, momentum: 0.9, nesterov: true}}",
    "sgd_exponential_decay": (
        "{class_name: SGD, config: {learning_rate: {class_name: ExponentialDecay, config: "
        "{initial_learning_rate: 0.1, decay_steps: 5, decay_rate: 0.5, staircase: true}}}}"
    ),
    "sgd_piecewise": (
        "{class_name: SGD, config: {learning_rate: {class_name: PiecewiseConstantDecay, config: "
        "{boundaries: [10, 20], values: [0.1, 0.05, 0.01]}}}}"
    ),
    "sgd_cosine_warmup": (
        "{class_name: SGD, config: {learning_rate: {class_name: CosineDecay, config: "
        "{initial_learning_rate: 0.01, decay_steps: 30, warmup_target: 0.1, warmup_steps: 10}}}}"
    ),
    "sgd_weight_decay_clipnorm": "{class_name: SGD, config: {learning_rate: 0.1, weight_decay: 0.01, clipnorm: 0.5}}",
}


@pytest.mark.parametrize("optimizer", EXACT.values(), ids=EXACT.keys())
def test_sgd_family_agrees_to_1e_5_per_step(tmp_path: Path, optimizer: str) -> None:
    report = check_training(iris_with(tmp_path, optimizer), steps=50)
    assert len(report.rows) == 50 and report.tolerance == 1e-5
    assert report.passed, f"worst {report.worst:.2e}"
    assert report.rows[-1].keras_loss != report.rows[0].keras_loss  # it trained


CLOSE = ["adam", "adamw", "adagrad", "adamax", "nadam", "{class_name: Adadelta, config: {learning_rate: 1.0}}"]


@pytest.mark.parametrize("optimizer", CLOSE)
def test_adaptive_optimizers_agree_to_1e_3_per_step(tmp_path: Path, optimizer: str) -> None:
    report = check_training(iris_with(tmp_path, optimizer), steps=50)
    assert report.tolerance == 1e-3
    assert report.passed, f"worst {report.worst:.2e}"


def test_rmsprop_differs_by_its_documented_epsilon_placement(tmp_path: Path) -> None:
    """Keras: lr * g / sqrt(v + eps); torch: lr * g / (sqrt(v) + eps). Not exact by design;
    the figure is recorded in the README (about 1.3e-3 over 50 steps)."""
    report = check_training(iris_with(tmp_path, "rmsprop"), steps=50)
    assert "epsilon inside the square root" in report.note
    assert report.worst < 5e-3
    exact_eps = check_training(
        iris_with(tmp_path, "{class_name: RMSprop, config: {epsilon: 0.0}}"), steps=50, tolerance=1e-4
    )
    assert exact_eps.passed, f"with epsilon 0 the updates are the same rule: worst {exact_eps.worst:.2e}"


def test_regularizers_and_constraints_train_alike(tmp_path: Path) -> None:
    text = IRIS.replace("optimizer: adam", "optimizer: sgd").replace(
        "{name: hidden_1, units: 50, activation: sigmoid}",
        "{name: hidden_1, units: 50, activation: sigmoid, kernel_regularizer: {class_name: L2, config: {l2: 0.01}},"
        " kernel_constraint: {class_name: MaxNorm, config: {max_value: 0.5}}}",
    )
    (tmp_path / "reg.yaml").write_text(text)
    report = check_training(tmp_path / "reg.yaml", steps=30)
    assert report.passed, f"worst {report.worst:.2e}"


def _logs(values: list[float]) -> list[dict[str, float]]:
    return [{"val_loss": v, "loss": v} for v in values]


@pytest.mark.parametrize(
    "callback",
    [
        "{class_name: EarlyStopping, config: {patience: 2}}",
        "{class_name: EarlyStopping, config: {patience: 1, min_delta: 0.05, restore_best_weights: true}}",
        "{class_name: ReduceLROnPlateau, config: {patience: 1, factor: 0.5, cooldown: 1, min_lr: 0.0002}}",
    ],
)
def test_generated_callbacks_decide_as_keras_does(tmp_path: Path, keras: Any, callback: str) -> None:
    """The same val_loss sequence: the same epoch to stop at, the same learning rates."""
    spec = iris_with(tmp_path, "adam", f"  callbacks:\n  - {callback}\n")
    loaded = nnspec.load(spec)
    _, training = load_training(loaded)
    values = [1.0, 0.9, 0.89, 0.95, 0.88, 0.87, 0.9, 0.91, 0.92, 0.93]
    model = nnspec.compile_keras(loaded)
    from nnspec.compiler.training.keras_fit import compiled_keras_model, keras_callbacks
    from nnspec.compiler.training.plan import training_plan

    compiled_keras_model(loaded, model)
    (theirs,) = keras_callbacks(training_plan(loaded))
    theirs.set_model(model)
    theirs.on_train_begin()
    import torch

    module = nnspec.compile_torch(loaded)
    optimizer = training.make_optimizer(module)
    (mine,) = training.make_callbacks()
    keras_trace, torch_trace = [], []
    for epoch, logs in enumerate(_logs(values)):
        theirs.on_epoch_end(epoch, dict(logs))
        keras_trace.append((bool(model.stop_training), round(float(model.optimizer.learning_rate.numpy()), 7)))
        stop = mine.on_epoch_end(epoch, dict(logs), module, optimizer)
        torch_trace.append((stop, round(optimizer.param_groups[0]["lr"], 7)))
        if keras_trace[-1][0]:
            break
    assert torch_trace == keras_trace
    del torch


def test_generated_script_trains_on_its_own_from_a_csv(tmp_path: Path) -> None:
    from sklearn.datasets import load_iris

    data = load_iris()
    rows = ["a,b,c,d,species"] + [
        ",".join(map(str, [*x, data.target_names[y]])) for x, y in zip(data.data, data.target, strict=True)
    ]
    (tmp_path / "iris.csv").write_text("\n".join(rows) + "\n")
    assert nnspec_generate(tmp_path) == 0
    done = subprocess.run(
        [sys.executable, "iris_train.py", "iris.csv", "--epochs", "3", "--output", "out"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "epoch 3:" in done.stdout and (tmp_path / "out" / "iris.pt").is_file()


def nnspec_generate(directory: Path) -> int:
    loaded = nnspec.load(EXAMPLES / "iris.yaml")
    from nnspec.compiler.targets.torch_module import torch_source

    (directory / "iris_torch.py").write_text(torch_source(loaded).text)
    (directory / "iris_train.py").write_text(training_source(loaded).text)
    return 0


def test_generated_script_under_torchrun_keeps_both_ranks_identical(tmp_path: Path) -> None:
    """DistributedDataParallel on gloo, 2 processes, one short epoch: both ranks end
    with the same weights (the gradients were averaged)."""
    import torch
    from sklearn.datasets import load_iris

    data = load_iris()
    np.savez(tmp_path / "iris.npz", x=data.data.astype("float32"), y=data.target)
    nnspec_generate(tmp_path)
    done = subprocess.run(
        [
            sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
            "iris_train.py", "iris.npz", "--epochs", "1", "--output", "out",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    first = torch.load(tmp_path / "out" / "weights_rank0.pt", weights_only=True)
    second = torch.load(tmp_path / "out" / "weights_rank1.pt", weights_only=True)
    assert first.keys() == second.keys()
    assert all(torch.equal(first[k], second[k]) for k in first)
    start = nnspec.compile_torch(EXAMPLES / "iris.yaml").state_dict()
    assert not all(torch.equal(first[k], start[k]) for k in first)  # it trained


def test_a_model_compiled_in_keras_with_loss_and_metric_objects_trains_alike(tmp_path: Path, keras: Any) -> None:
    """compile_config as Keras writes objects ({module, class_name, config}): one loss,
    not a per-output dict; two binary accuracies with different thresholds stay two."""
    from nnspec.compiler.convert import import_keras_file

    inputs = keras.Input((5,), name="x")
    hidden = keras.layers.LayerNormalization(name="norm")(keras.layers.Dense(4, name="hidden")(inputs))
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid", name="out")(hidden), name="bce")
    model.compile(
        optimizer=keras.optimizers.AdamW(1e-3, weight_decay=1e-4, clipnorm=1.0),
        loss=keras.losses.BinaryCrossentropy(),
        metrics=["accuracy", keras.metrics.BinaryAccuracy(threshold=0.3)],
    )
    model.save(tmp_path / "bce.keras")
    loaded, _ = import_keras_file(tmp_path / "bce.keras")
    assert loaded.spec.compile_config.loss.name == "binary_crossentropy"
    text = training_source(loaded).text
    assert '"accuracy": binary_accuracy, "binary_accuracy": binary_accuracy_at_0_3' in text
    report = check_training(loaded, steps=30)
    assert report.passed, f"worst {report.worst:.2e}"


def test_check_train_on_a_dataset_through_the_cli() -> None:
    import json

    from typer.testing import CliRunner

    from nnspec.compiler.cli import app

    result = CliRunner().invoke(app, ["check", str(EXAMPLES / "iris.yaml"), "--train", "--data", "iris", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["passed"] and len(report["rows"]) == 50 and report["optimizer"] == "Adam"
    assert report["rows"][0]["keras_loss"] == pytest.approx(report["rows"][0]["torch_loss"], rel=1e-6)


def test_check_train_refuses_dropout_with_a_reason() -> None:
    from typer.testing import CliRunner

    from nnspec.compiler.cli import app

    result = CliRunner().invoke(app, ["check", str(EXAMPLES / "digits_mlp.yaml"), "--train"])
    assert result.exit_code == 1
    assert "training parity needs a model without Dropout" in result.output


def test_a_convolutional_network_trains_alike_on_digits() -> None:
    """The course's CNN without its Dropout (masks are random), its first convolution
    made Conv -> BatchNormalization -> ReLU, on scikit-learn's digits as 8x8x1 images,
    momentum SGD: convolutions, batch statistics, pooling and the regrouped
    Flatten -> Dense kernel train step for step alike (the torch module computes
    channels first). With the normalisation after the ReLU instead, the losses agree to
    3e-7 for 13 steps, then jump to 1e-5 and grow to 5e-3 by step 25 (a last-bit
    difference crossing a kink, amplified by the batch statistics), so that form is not
    a test of the mapping."""
    import yaml

    from nnspec.compiler.training.parity import dataset_batches

    spec = yaml.safe_load((EXAMPLES / "digits_cnn.yaml").read_text())
    layers = [layer for layer in spec["config"]["layers"] if layer["class_name"] != "Dropout"]
    layers[2]["config"]["activation"] = "linear"
    layers[3:3] = [
        {"class_name": "BatchNormalization", "config": {"name": "norm"}},
        {"class_name": "Activation", "config": {"name": "relu", "activation": "relu"}},
    ]
    spec["config"]["layers"] = layers
    spec["compile_config"]["optimizer"] = {"class_name": "SGD", "config": {"learning_rate": 0.05, "momentum": 0.9}}
    loaded = nnspec.load(spec)
    report = check_training(loaded, steps=25, batches=dataset_batches(loaded, "digits"))
    assert report.passed and report.worst <= 1e-5, f"worst {report.worst:.2e}"


def test_the_lstm_example_trains_alike_on_digits() -> None:
    """examples/digits_lstm.yaml as it is (momentum SGD): the LSTM's four gates, its
    split bias (torch's bias_hh held at zero) and the Dense on its last state train step
    for step alike over 50 steps."""
    from nnspec.compiler.training.parity import dataset_batches

    loaded = nnspec.load(EXAMPLES / "digits_lstm.yaml")
    report = check_training(loaded, steps=50, batches=dataset_batches(loaded, "digits"))
    assert report.passed and report.worst <= 1e-4, f"worst {report.worst:.2e}"


def test_recurrent_loops_train_alike() -> None:
    """The generated step loops (a GRU without reset_after, an LSTM with hard_sigmoid
    gates) and torch's own GRU train alike under momentum SGD on random batches."""
    spec = {
        "class_name": "Sequential",
        "config": {
            "name": "loops",
            "layers": [
                {"class_name": "InputLayer", "config": {"name": "steps", "batch_shape": [None, 5, 3]}},
                {
                    "class_name": "GRU",
                    "config": {"name": "gru", "units": 4, "reset_after": False, "return_sequences": True},
                },
                {"class_name": "GRU", "config": {"name": "gru_torch", "units": 4, "return_sequences": True}},
                {"class_name": "LSTM", "config": {"name": "lstm", "units": 3, "recurrent_activation": "hard_sigmoid"}},
                {"class_name": "Dense", "config": {"name": "out", "units": 2, "activation": "softmax"}},
            ],
        },
        "compile_config": {
            "optimizer": {"class_name": "SGD", "config": {"learning_rate": 0.1, "momentum": 0.9}},
            "loss": "sparse_categorical_crossentropy",
        },
    }
    report = check_training(nnspec.load(spec), steps=20)
    assert report.passed and report.worst <= 1e-5, f"worst {report.worst:.2e}"
