"""Training parity: Keras and PyTorch start from the same weights, take the same
batches in the same order, and the loss of every step is compared."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ...spec import training as kt
from ...spec.errors import Problem, SpecError
from ...spec.load import LoadedSpec
from ..compiled import Compiled
from ..parity.check import all_layers, random_in_training
from ..targets.loading import one_torch_thread
from ..weights.links import load_torch_state, random_keras_arrays, set_keras_arrays, torch_state_from_keras
from .keras_fit import compiled_keras_model
from .optimizers import optimizer_code
from .plan import TrainingPlan, training_plan
from .script import load_training

EXACT_OPTIMIZERS = (kt.SGD,)
"""Optimizers whose torch update is Keras's, step for step: 1e-5 relative."""


@dataclass
class StepRow:
    step: int
    keras_loss: float
    torch_loss: float
    relative: float
    ok: bool


@dataclass
class TrainingReport:
    model: str
    optimizer: str
    steps: int
    tolerance: float
    note: str
    rows: list[StepRow] = field(default_factory=list)

    @property
    def worst(self) -> float:
        return max((row.relative for row in self.rows), default=0.0)

    @property
    def passed(self) -> bool:
        return all(row.ok for row in self.rows)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "worst": self.worst, "passed": self.passed}


def synthetic_batches(plan: TrainingPlan, count: int, batch: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Seeded inputs, and targets that suit the loss (class indices, one-hot, 0/1 or reals)."""
    rng = np.random.default_rng(seed)
    units = plan.output_units
    out = []
    for _ in range(count):
        x = rng.normal(size=(batch, *plan.input_shape)).astype("float32")
        name = plan.loss.name
        if name == "sparse_categorical_crossentropy":
            y = rng.integers(0, units, size=batch).astype("int64")
        elif name in ("categorical_crossentropy", "kl_divergence", "categorical_hinge"):
            y = np.eye(units, dtype="float32")[rng.integers(0, units, size=batch)]
        elif name in ("binary_crossentropy", "hinge", "squared_hinge"):
            y = rng.integers(0, 2, size=(batch, units)).astype("float32")
        elif name in ("poisson", "mean_squared_logarithmic_error"):
            y = rng.uniform(0, 2, size=(batch, units)).astype("float32")
        else:
            y = rng.normal(size=(batch, units)).astype("float32")
        out.append((x, y))
    return out


def dataset_batches(loaded: LoadedSpec, source: str, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """The training split of a dataset in fit_config.batch_size batches, in order."""
    from .run import dataset_for, labels_for

    plan = training_plan(loaded)
    data = dataset_for(loaded, plan, source, seed)
    y = labels_for(data.y_train, plan)
    size = plan.fit.batch
    return [(data.x_train[i : i + size], y[i : i + size]) for i in range(0, len(data.x_train), size)]


def check_training(
    spec: Any,
    steps: int = 50,
    seed: int = 0,
    tolerance: float | None = None,
    batches: list[tuple[np.ndarray, np.ndarray]] | None = None,
) -> TrainingReport:
    """Run `steps` optimizer steps in both frameworks from the same weights."""
    with one_torch_thread():
        return _check_training(spec, steps, seed, tolerance, batches)


def _check_training(
    spec: Any, steps: int, seed: int, tolerance: float | None, batches: list[tuple[np.ndarray, np.ndarray]] | None
) -> TrainingReport:
    import torch

    compiled = Compiled.of(spec)
    loaded = compiled.loaded
    plan = training_plan(loaded)
    _refuse_random_layers(loaded)
    optimizer = plan.compile.optimizer
    exact = isinstance(optimizer, EXACT_OPTIMIZERS)
    tolerance = tolerance if tolerance is not None else (1e-5 if exact else 1e-3)
    code = optimizer_code(optimizer)
    report = TrainingReport(loaded.graph.name, type(optimizer).__name__, steps, tolerance, code.note)
    batches = batches or synthetic_batches(plan, min(steps, 10), plan.fit.batch, seed)

    start = random_keras_arrays(compiled.declared, seed)
    keras_model = compiled_keras_model(loaded)
    set_keras_arrays(keras_model, compiled.declared, start)
    model_module, training = load_training(compiled)
    module = getattr(model_module, compiled.torch_source.class_name)()
    load_torch_state(module, torch_state_from_keras(start, compiled.links))
    module.train()
    torch_optimizer = training.make_optimizer(module)
    for step in range(steps):
        x, y = batches[step % len(batches)]
        keras_loss = float(keras_model.train_on_batch(x, y, return_dict=True)["loss"])
        loss, _ = training.train_step(module, torch_optimizer, training.model_inputs(x), torch.from_numpy(y), step)
        torch_loss = float(loss)
        relative = abs(keras_loss - torch_loss) / max(abs(keras_loss), 1e-12)
        report.rows.append(StepRow(step + 1, keras_loss, torch_loss, relative, relative <= tolerance))
    return report


def _refuse_random_layers(loaded: LoadedSpec) -> None:
    for info in all_layers(loaded.graph):
        if random_in_training(info):
            raise SpecError(
                [
                    Problem(
                        f"layer {info.name!r}",
                        f"training parity needs a model without {info.kind}: its masks or noise are random",
                        hint="check a copy of the spec with its rate (or stddev) set to 0",
                    )
                ],
                loaded.source,
            )
