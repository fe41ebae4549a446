"""Training in Keras: the spec's compile_config through Keras's own deserialiser,
its fit_config as fit() arguments and callbacks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...spec.fit import EarlyStopping, ReduceLROnPlateau
from ...spec.load import LoadedSpec
from ...spec.write import _keras_compile
from ..targets.keras_model import compile_keras
from ..targets.keras_values import changed_fields
from .plan import TrainingPlan

EpochHook = Callable[[int, dict[str, float]], None]
BatchHook = Callable[[int], None]


def compiled_keras_model(loaded: LoadedSpec, model: Any = None) -> Any:
    """The spec's Keras model (or `model`), compiled as its compile_config says."""
    model = model if model is not None else compile_keras(loaded)
    assert loaded.spec.compile_config is not None
    model.compile_from_config(_keras_compile(loaded.spec.compile_config))
    return model


def keras_callbacks(plan: TrainingPlan) -> list[Any]:
    import keras

    made = []
    for callback in plan.fit.callbacks:
        options = changed_fields(callback, skip=("class_name",))
        if isinstance(callback, EarlyStopping):
            made.append(keras.callbacks.EarlyStopping(**options))
        elif isinstance(callback, ReduceLROnPlateau):
            made.append(keras.callbacks.ReduceLROnPlateau(**options))
    return made


def _hooks(on_epoch: EpochHook | None, on_batch: BatchHook | None) -> Any:
    import keras

    class Hooks(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.steps = 0

        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            self.steps += 1
            if on_batch is not None:
                on_batch(self.steps)

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            if on_epoch is not None:
                on_epoch(epoch, {k: float(v) for k, v in (logs or {}).items()})

    return Hooks()


def fit_keras(
    loaded: LoadedSpec,
    plan: TrainingPlan,
    x: Any,
    y: Any,
    epochs: int | None = None,
    on_epoch: EpochHook | None = None,
    on_batch: BatchHook | None = None,
) -> tuple[Any, dict[str, list[float]]]:
    """Build, compile and fit; returns the model and its history."""
    import keras

    if plan.fit.seed is not None:
        keras.utils.set_random_seed(plan.fit.seed)
    model = compiled_keras_model(loaded)
    history = model.fit(
        x,
        y,
        epochs=epochs or plan.fit.epochs,
        batch_size=plan.fit.batch,
        validation_split=plan.fit.validation_split,
        shuffle=plan.fit.shuffle,
        callbacks=[*keras_callbacks(plan), _hooks(on_epoch, on_batch)],
        verbose=0,
    )
    return model, {k: [float(v) for v in values] for k, values in history.history.items()}
