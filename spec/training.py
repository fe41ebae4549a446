"""`compile_config` as Keras writes it: optimizer, loss, metrics.

Names and defaults are Keras's. How each maps to PyTorch lives with the compiler."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Discriminator, Field, Tag, model_serializer, model_validator
from pydantic_core import PydanticCustomError

from .base import Int, KerasObject, SpecModel, keras_object_union, unsupported

# -- learning-rate schedules -------------------------------------------------


class ExponentialDecay(KerasObject):
    class_name: Literal["ExponentialDecay"]
    initial_learning_rate: float = Field(gt=0)
    decay_steps: Int = Field(gt=0)
    decay_rate: float = Field(gt=0)
    staircase: bool = False
    name: str | None = None


class PiecewiseConstantDecay(KerasObject):
    class_name: Literal["PiecewiseConstantDecay"]
    boundaries: list[Int]
    values: list[float]
    name: str | None = None

    @model_validator(mode="after")
    def _lengths(self) -> PiecewiseConstantDecay:
        if len(self.values) != len(self.boundaries) + 1:
            raise PydanticCustomError(
                "nnspec_schedule",
                "values must have one more entry than boundaries ({n} boundaries, {m} values)",
                {"n": len(self.boundaries), "m": len(self.values)},
            )
        return self


class CosineDecay(KerasObject):
    class_name: Literal["CosineDecay"]
    initial_learning_rate: float = Field(gt=0)
    decay_steps: Int = Field(gt=0)
    alpha: float = Field(0.0, ge=0)
    name: str | None = None
    warmup_target: float | None = None
    warmup_steps: Int = Field(0, ge=0)


Schedule = keras_object_union(
    [ExponentialDecay, PiecewiseConstantDecay, CosineDecay],
    {"exponential_decay": "ExponentialDecay", "cosine_decay": "CosineDecay"},
    "learning-rate schedule",
)
LearningRate = Annotated[float, Field(gt=0)] | Schedule

# -- optimizers ---------------------------------------------------------------

_EMA = unsupported("exponential moving averages of weights (use_ema) are not supported", False)


class _Optimizer(KerasObject):
    """Fields every Keras 3 optimizer has."""

    name: str | None = None
    learning_rate: LearningRate = 0.001
    weight_decay: Annotated[float, Field(ge=0)] | None = None
    clipnorm: Annotated[float, Field(gt=0)] | None = None
    global_clipnorm: Annotated[float, Field(gt=0)] | None = None
    clipvalue: Annotated[float, Field(gt=0)] | None = None
    use_ema: Annotated[bool, _EMA] = False
    ema_momentum: float = 0.99
    ema_overwrite_frequency: Int | None = None
    loss_scale_factor: Annotated[float | None, unsupported("loss scaling is not supported")] = None
    gradient_accumulation_steps: Annotated[int | None, unsupported("gradient accumulation is not supported")] = None


class SGD(_Optimizer):
    class_name: Literal["SGD"]
    learning_rate: LearningRate = 0.01
    momentum: float = Field(0.0, ge=0)
    nesterov: bool = False


class RMSprop(_Optimizer):
    class_name: Literal["RMSprop"]
    rho: float = Field(0.9, ge=0)
    momentum: float = Field(0.0, ge=0)
    epsilon: float = Field(1e-7, ge=0)
    centered: bool = False


class Adagrad(_Optimizer):
    class_name: Literal["Adagrad"]
    initial_accumulator_value: float = Field(0.1, ge=0)
    epsilon: float = Field(1e-7, ge=0)


class Adadelta(_Optimizer):
    class_name: Literal["Adadelta"]
    rho: float = Field(0.95, ge=0)
    epsilon: float = Field(1e-7, ge=0)


class _AdamFamily(_Optimizer):
    beta_1: float = Field(0.9, ge=0, lt=1)
    beta_2: float = Field(0.999, ge=0, lt=1)
    epsilon: float = Field(1e-7, ge=0)


class Adam(_AdamFamily):
    class_name: Literal["Adam"]
    amsgrad: bool = False


class AdamW(_AdamFamily):
    class_name: Literal["AdamW"]
    weight_decay: Annotated[float, Field(ge=0)] | None = 0.004
    amsgrad: bool = False


class Adamax(_AdamFamily):
    class_name: Literal["Adamax"]


class Nadam(_AdamFamily):
    class_name: Literal["Nadam"]


OPTIMIZER_CLASSES: list[type[KerasObject]] = [SGD, RMSprop, Adagrad, Adadelta, Adam, AdamW, Adamax, Nadam]
Optimizer = keras_object_union(
    OPTIMIZER_CLASSES,
    {"sgd": "SGD", "rmsprop": "RMSprop", "adamw": "AdamW", "adam_w": "AdamW", "rm_sprop": "RMSprop"},
    "optimizer",
)

# -- losses and metrics -------------------------------------------------------

LOSS_NAMES: dict[str, str] = {
    "mean_squared_error": "mean_squared_error",
    "mse": "mean_squared_error",
    "MeanSquaredError": "mean_squared_error",
    "mean_absolute_error": "mean_absolute_error",
    "mae": "mean_absolute_error",
    "MeanAbsoluteError": "mean_absolute_error",
    "mean_absolute_percentage_error": "mean_absolute_percentage_error",
    "mape": "mean_absolute_percentage_error",
    "MeanAbsolutePercentageError": "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error": "mean_squared_logarithmic_error",
    "msle": "mean_squared_logarithmic_error",
    "MeanSquaredLogarithmicError": "mean_squared_logarithmic_error",
    "squared_hinge": "squared_hinge",
    "SquaredHinge": "squared_hinge",
    "hinge": "hinge",
    "Hinge": "hinge",
    "categorical_hinge": "categorical_hinge",
    "CategoricalHinge": "categorical_hinge",
    "log_cosh": "log_cosh",
    "logcosh": "log_cosh",
    "LogCosh": "log_cosh",
    "categorical_crossentropy": "categorical_crossentropy",
    "CategoricalCrossentropy": "categorical_crossentropy",
    "sparse_categorical_crossentropy": "sparse_categorical_crossentropy",
    "SparseCategoricalCrossentropy": "sparse_categorical_crossentropy",
    "binary_crossentropy": "binary_crossentropy",
    "BinaryCrossentropy": "binary_crossentropy",
    "kl_divergence": "kl_divergence",
    "kld": "kl_divergence",
    "kullback_leibler_divergence": "kl_divergence",
    "KLDivergence": "kl_divergence",
    "poisson": "poisson",
    "Poisson": "poisson",
    "cosine_similarity": "cosine_similarity",
    "cosine_proximity": "cosine_similarity",
    "CosineSimilarity": "cosine_similarity",
    "huber": "huber",
    "huber_loss": "huber",
    "Huber": "huber",
}
"""Every spelling Keras (3 and 2) accepts for a loss, to the canonical name."""

LOSS_OPTIONS: dict[str, set[str]] = {
    "categorical_crossentropy": {"from_logits", "label_smoothing", "axis"},
    "sparse_categorical_crossentropy": {"from_logits", "ignore_class"},
    "binary_crossentropy": {"from_logits", "label_smoothing", "axis"},
    "cosine_similarity": {"axis"},
    "huber": {"delta"},
}

LossName = Literal[
    "mean_squared_error",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error",
    "squared_hinge",
    "hinge",
    "categorical_hinge",
    "log_cosh",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
    "binary_crossentropy",
    "kl_divergence",
    "poisson",
    "cosine_similarity",
    "huber",
]


def _by_name(table: dict[str, str], what: str) -> Callable[[Any], Any]:
    """A before-validator: 'mse' or {class_name: 'MeanSquaredError', config: {...}} ->
    {name: canonical name, **options}, looking names up in `table`."""

    def canonical(value: str) -> str:
        name = table.get(value) or table.get(value.lower())
        if name is None:
            raise PydanticCustomError(
                "nnspec_unknown_name",
                "unknown {what} '{value}'",
                {"what": what, "value": value, "choices": sorted(table)},
            )
        return name

    def convert(value: Any) -> Any:
        if isinstance(value, str):
            return {"name": canonical(value)}
        if isinstance(value, dict) and value.get("class_name") == "function" and isinstance(value.get("config"), str):
            return {"name": canonical(value["config"])}  # Keras 3 writes a plain function so: loss=keras.losses.mse
        if isinstance(value, dict) and "class_name" in value:
            if not isinstance(value.get("config") or {}, dict):
                return value  # let pydantic report the odd shape (a traceback, before)
            config = dict(value.get("config") or {})
            config.pop("name", None)
            config.pop("dtype", None)  # the compute dtype: float32 in both frameworks
            return {"name": canonical(str(value["class_name"])), **config}
        return value

    return convert


class _Named(SpecModel):
    """Written as its bare name when no option differs from the default."""

    @model_serializer(mode="wrap")
    def _as_name(self, handler: Any) -> Any:
        data = handler(self)
        options = {
            k for k in self.model_fields_set if k != "name" and getattr(self, k) != type(self).model_fields[k].default
        }
        return self.name if not options else data


class Loss(_Named):
    """A loss function with its options (only those the loss has)."""

    name: LossName
    reduction: Literal["sum_over_batch_size", "sum", "mean", "none", "mean_with_sample_weight"] | None = (
        "sum_over_batch_size"
    )
    from_logits: bool = False
    label_smoothing: float = Field(0.0, ge=0, le=1)
    axis: Int = -1
    ignore_class: Int | None = None
    delta: float = Field(1.0, gt=0)

    @model_validator(mode="after")
    def _options_fit_loss(self) -> Loss:
        allowed = LOSS_OPTIONS.get(self.name, set())
        for option in self.model_fields_set - {"name", "reduction"} - allowed:
            raise PydanticCustomError(
                "nnspec_loss_option",
                "loss {loss} has no option {option}",
                {"loss": self.name, "option": option},
            )
        return self


LossSpec = Annotated[
    Loss, BeforeValidator(_by_name(LOSS_NAMES, "loss"), json_schema_input_type=Literal[tuple(LOSS_NAMES)] | Loss)
]

METRIC_NAMES: dict[str, str] = {
    "accuracy": "accuracy",
    "acc": "accuracy",
    "Accuracy": "accuracy",
    "binary_accuracy": "binary_accuracy",
    "BinaryAccuracy": "binary_accuracy",
    "categorical_accuracy": "categorical_accuracy",
    "CategoricalAccuracy": "categorical_accuracy",
    "sparse_categorical_accuracy": "sparse_categorical_accuracy",
    "SparseCategoricalAccuracy": "sparse_categorical_accuracy",
    "top_k_categorical_accuracy": "top_k_categorical_accuracy",
    "TopKCategoricalAccuracy": "top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy": "sparse_top_k_categorical_accuracy",
    "SparseTopKCategoricalAccuracy": "sparse_top_k_categorical_accuracy",
} | {k: v for k, v in LOSS_NAMES.items() if v not in {"huber"}}
"""Accuracy-type metrics, and every loss used as a metric."""


METRIC_OPTIONS: dict[str, set[str]] = {
    "binary_accuracy": {"threshold"},
    "top_k_categorical_accuracy": {"k"},
    "sparse_top_k_categorical_accuracy": {"k"},
}
METRIC_CLASSES: dict[str, str] = {
    "binary_accuracy": "BinaryAccuracy",
    "top_k_categorical_accuracy": "TopKCategoricalAccuracy",
    "sparse_top_k_categorical_accuracy": "SparseTopKCategoricalAccuracy",
}
"""The Keras 3 class of each metric that has options: with one set, Keras JSON needs the object."""


class Metric(_Named):
    # A metric with its options, only those the metric has (no docstring: it would change the schema).
    # `label` is the name Keras reports it under where that is not `name`: metrics=["acc"] -> "acc",
    # SparseCategoricalAccuracy(name="my_acc") -> "my_acc".
    name: str
    label: str | None = None
    k: Int = Field(5, gt=0)
    threshold: float = 0.5

    @property
    def reported(self) -> str:
        """Its key in Keras's History and evaluate() results."""
        return self.label or self.name

    @model_serializer(mode="wrap")
    def _as_name(self, handler: Any) -> Any:
        data = handler(self)
        fields = type(self).model_fields
        options = {k for k in self.model_fields_set - {"name", "label"} if getattr(self, k) != fields[k].default}
        if not options and self.label is None:
            return self.name
        if not options and METRIC_NAMES.get(self.label or "") == self.name:
            return self.label  # a spelling Keras reads back as this metric: "acc", "mae"
        return data

    @model_validator(mode="after")
    def _options_fit_metric(self) -> Metric:
        allowed = METRIC_OPTIONS.get(self.name, set())
        for option in sorted(self.model_fields_set - {"name", "label"} - allowed):
            raise PydanticCustomError(
                "nnspec_metric_option",
                "metric {metric} has no option {option}",
                {"metric": self.name, "option": option},
            )
        return self


_metric_by_name = _by_name(METRIC_NAMES, "metric")


def _metric_input(value: Any) -> Any:
    """As _by_name, keeping the name Keras reports the metric under (its label)."""
    label = value if isinstance(value, str) else None
    if isinstance(value, dict) and isinstance(value.get("config"), dict):
        label = value["config"].get("name")
    out = _metric_by_name(value)
    if isinstance(out, dict) and isinstance(label, str) and label != out.get("name") and "label" not in out:
        out = {**out, "label": label}
    return out


MetricSpec = Annotated[
    Metric,
    BeforeValidator(_metric_input, json_schema_input_type=Literal[tuple(METRIC_NAMES)] | Metric),
]
PerOutput = list | dict  # structures Keras accepts per output


def _loss_structure(value: Any) -> str:
    """One loss (a name or a {class_name, config} object), one per output (a list), or
    one per named output (a dict without class_name): Keras's object form is a dict too."""
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict) and "class_name" not in value and "name" not in value:
        return "dict"
    return "one"


LossStructure = Annotated[
    Annotated[LossSpec, Tag("one")]
    | Annotated[list[LossSpec | None], Tag("list")]
    | Annotated[dict[str, LossSpec | None], Tag("dict")],
    Discriminator(_loss_structure),
]


OneOrMore = Annotated[
    Annotated[MetricSpec, Tag("one")] | Annotated[list[MetricSpec], Tag("list")],
    Discriminator(lambda v: "list" if isinstance(v, list) else "one"),
]
MetricStructure = Annotated[
    Annotated[list[OneOrMore], Tag("list")] | Annotated[dict[str, OneOrMore], Tag("dict")],
    Discriminator(lambda v: "dict" if isinstance(v, dict) else "list"),
]
"""Metrics for all outputs (a list), or per named output (a dict): one error for a bad one."""


class CompileConfig(SpecModel):
    """What `model.compile(...)` was given, as Keras serialises it."""

    optimizer: Optimizer = Field("rmsprop", validate_default=True)  # Keras's own default
    loss: LossStructure | None = None
    loss_weights: list[float] | dict[str, float] | None = None
    metrics: MetricStructure | None = None
    weighted_metrics: MetricStructure | None = None
    run_eagerly: bool = False
    steps_per_execution: Int = Field(1, gt=0)
    jit_compile: bool | Literal["auto"] = False
    auto_scale_loss: bool = True
