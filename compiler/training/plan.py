"""What training a spec means, decided once for both frameworks: the loss, the
metrics (Keras's resolution of 'accuracy'), the fit settings and the callbacks,
each checked for a rule before anything runs."""

from __future__ import annotations

from dataclasses import dataclass

from ...spec.errors import Problem, SpecError
from ...spec.fit import EarlyStopping, FitConfig, ReduceLROnPlateau
from ...spec.load import LoadedSpec
from ...spec.training import CompileConfig, Loss, Metric
from .losses import ACCURACY_BODIES, metric_name


@dataclass(frozen=True)
class TrainingPlan:
    compile: CompileConfig
    loss: Loss
    metrics: list[Metric]
    fit: FitConfig
    output_units: int
    input_shape: tuple[int, ...]

    def monitor_mode(self, monitor: str, mode: str) -> str:
        """Keras's 'auto': minimise losses, maximise accuracies."""
        if mode != "auto":
            return mode
        name = monitor.removeprefix("val_")
        if name == "loss":
            return "min"
        for metric in self.metrics:
            if metric.reported == name:
                resolved = metric_name(metric, self.loss, self.output_units)
                return "max" if resolved in ACCURACY_BODIES else "min"
        raise SpecError(
            [
                Problem(
                    "fit_config.callbacks",
                    f"cannot tell whether to minimise or maximise {monitor!r}",
                    hint="set mode: min or mode: max, or monitor loss or a compiled metric",
                )
            ]
        )


def training_plan(loaded: LoadedSpec) -> TrainingPlan:
    """The plan, or a SpecError naming what the spec lacks or what has no rule."""
    spec, graph = loaded.spec, loaded.graph
    problems: list[Problem] = []
    config = spec.compile_config
    if config is None or config.loss is None:
        raise SpecError(
            [
                Problem(
                    "compile_config",
                    "training needs a compile_config with a loss",
                    hint="add compile_config: {optimizer: adam, loss: sparse_categorical_crossentropy}",
                )
            ],
            loaded.source,
        )
    if not isinstance(config.loss, Loss) or len(graph.output_shapes) != 1:
        problems.append(Problem("compile_config.loss", "training supports one output with one loss"))
    metrics = config.metrics or []
    if isinstance(metrics, list) and len(metrics) == 1 and isinstance(metrics[0], list):
        metrics = metrics[0]  # tf.keras 2 wrote one list per output
    if not isinstance(metrics, list) or not all(isinstance(m, Metric) for m in metrics):
        problems.append(Problem("compile_config.metrics", "training supports a flat list of metrics"))
        metrics = []
    if config.loss_weights is not None or config.weighted_metrics:
        problems.append(Problem("compile_config", "loss_weights and weighted_metrics are not supported in training"))
    fit = spec.fit_config or FitConfig()
    if len(graph.output_shapes) == 1 and len(graph.output_shapes[0]) != 2:
        problems.append(
            Problem("config", f"training supports an output of shape (batch, units), not {graph.output_shapes[0]}")
        )
    input_shapes = graph.input_shapes
    if len(input_shapes) != 1 or any(d is None for d in input_shapes[0][1:]):
        problems.append(Problem("config", "training supports one input with a fully known shape"))
    rate = getattr(config.optimizer, "learning_rate", None)
    if not isinstance(rate, float | int) and any(isinstance(c, ReduceLROnPlateau) for c in fit.callbacks):
        problems.append(
            Problem(
                "fit_config.callbacks",
                "ReduceLROnPlateau cannot change a scheduled learning rate",
                hint="use a constant learning_rate or drop the callback (Keras refuses this too)",
            )
        )
    if problems:
        raise SpecError(problems, loaded.source)
    output = graph.output_shapes[0]
    plan = TrainingPlan(config, config.loss, list(metrics), fit, output[-1] or 1, tuple(input_shapes[0][1:]))  # type: ignore[arg-type]
    for callback in fit.callbacks:
        if isinstance(callback, EarlyStopping | ReduceLROnPlateau):
            plan.monitor_mode(callback.monitor, callback.mode)
    return plan
