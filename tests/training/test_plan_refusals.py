"""What training cannot do is said before anything runs: one problem, its path, its reason."""

from __future__ import annotations

import pytest

import nnspec
from conftest import EXAMPLES
from nnspec.compiler.training.plan import training_plan

IRIS = (EXAMPLES / "iris.yaml").read_text()
SCHEDULED_SGD = (
    "{class_name: SGD, config: {learning_rate: {class_name: ExponentialDecay, config: "
    "{initial_learning_rate: 0.1, decay_steps: 5, decay_rate: 0.5}}}}"
)
RANK_3 = """
class_name: Sequential
config:
  name: sequence
  layers:
  - {class_name: InputLayer, config: {name: x, batch_shape: [null, 3, 4]}}
  - {class_name: Dense, config: {name: out, units: 2}}
compile_config: {optimizer: sgd, loss: mse}
"""
TWO_OUTPUTS = """
class_name: Functional
config:
  name: two
  layers:
  - {class_name: InputLayer, config: {name: x, batch_shape: [null, 4]}}
  - {class_name: Dense, config: {name: a, units: 2}, inputs: x}
  - {class_name: Dense, config: {name: b, units: 1}, inputs: x}
  input_layers: x
  output_layers: [a, b]
compile_config: {optimizer: sgd, loss: [mse, mse]}
"""

CASES = {
    "no compile_config": (IRIS[: IRIS.index("compile_config:")], "compile_config", "training needs a compile_config"),
    "ReduceLROnPlateau on a schedule": (
        IRIS.replace("optimizer: adam", f"optimizer: {SCHEDULED_SGD}") + "  callbacks: [reduce_lr_on_plateau]\n",
        "fit_config.callbacks",
        "ReduceLROnPlateau cannot change a scheduled learning rate",
    ),
    "a monitor of unknown direction": (
        IRIS + "  callbacks: [{class_name: EarlyStopping, config: {monitor: val_auc}}]\n",
        "fit_config.callbacks",
        "cannot tell whether to minimise or maximise 'val_auc'",
    ),
    "an output of rank 3": (RANK_3, "config", "training supports an output of shape (batch, units)"),
    "two outputs": (TWO_OUTPUTS, "compile_config.loss", "training supports one output with one loss"),
}


@pytest.mark.parametrize(("text", "path", "message"), CASES.values(), ids=CASES.keys())
def test_training_refuses_before_it_starts(text: str, path: str, message: str) -> None:
    loaded = nnspec.loads(text)
    with pytest.raises(nnspec.SpecError) as caught:
        training_plan(loaded)
    (problem,) = caught.value.problems
    assert problem.path == path
    assert problem.message.startswith(message)


def test_a_problem_found_after_loading_names_the_spec_file(tmp_path) -> None:
    """The training plan is made after the spec loaded; its refusal still says which file."""
    from typer.testing import CliRunner

    from nnspec.compiler.cli import app

    text = (EXAMPLES / "digits_mlp.yaml").read_text().replace("monitor: val_loss", "monitor: val_frobness")
    (tmp_path / "mon.yaml").write_text(text)
    result = CliRunner().invoke(
        app, ["train", str(tmp_path / "mon.yaml"), "--data", "digits", "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 1
    assert f"{tmp_path / 'mon.yaml'}: 1 problem in spec" in result.output and "val_frobness" in result.output
