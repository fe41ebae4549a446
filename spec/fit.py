"""`fit_config`: what `model.fit(...)` is given, in Keras's terms, and the callbacks
EarlyStopping and ReduceLROnPlateau with Keras's defaults.

Keras does not serialise fit arguments; this section is nnspec's, named as Keras
names them, so a spec carries everything needed to train it."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .base import KerasObject, SpecModel, keras_object_union, unsupported

Mode = Literal["auto", "min", "max"]


class EarlyStopping(KerasObject):
    """Stop when `monitor` stops improving for `patience` epochs."""

    class_name: Literal["EarlyStopping"]
    monitor: str = "val_loss"
    min_delta: float = Field(0.0, ge=0)
    patience: int = Field(0, ge=0)
    verbose: int = Field(0, ge=0)
    mode: Mode = "auto"
    baseline: float | None = None
    restore_best_weights: bool = False
    start_from_epoch: int = Field(0, ge=0)


class ReduceLROnPlateau(KerasObject):
    """Multiply the learning rate by `factor` when `monitor` plateaus for `patience` epochs."""

    class_name: Literal["ReduceLROnPlateau"]
    monitor: str = "val_loss"
    factor: float = Field(0.1, gt=0, lt=1)
    patience: int = Field(10, ge=0)
    verbose: int = Field(0, ge=0)
    mode: Mode = "auto"
    min_delta: float = Field(1e-4, ge=0)
    cooldown: int = Field(0, ge=0)
    min_lr: float = Field(0.0, ge=0)


Callback = keras_object_union(
    [EarlyStopping, ReduceLROnPlateau],
    {"early_stopping": "EarlyStopping", "reduce_lr_on_plateau": "ReduceLROnPlateau"},
    "callback",
)


class FitConfig(SpecModel):
    """Arguments of `model.fit`, with Keras's defaults (batch_size None means 32)."""

    epochs: int = Field(1, gt=0)
    batch_size: int | None = Field(None, gt=0)
    validation_split: float = Field(0.0, ge=0, lt=1)
    shuffle: bool = True
    seed: int | None = Field(None, ge=0, le=2**32 - 1)
    """nnspec's: seeds weights, shuffling and dropout (keras.utils.set_random_seed / torch.manual_seed);
    below 2**32, as NumPy's seed must be."""
    callbacks: list[Callback] = Field(default_factory=list)
    verbose: Literal["auto", 0, 1, 2] = "auto"
    class_weight: Annotated[dict[str, float] | None, unsupported("class_weight is not supported")] = None
    initial_epoch: Annotated[int, unsupported("initial_epoch (resuming) is not supported", 0)] = 0
    steps_per_epoch: Annotated[int | None, unsupported("steps_per_epoch is not supported")] = None
    validation_freq: Annotated[int, unsupported("validation_freq is not supported", 1)] = 1

    @property
    def batch(self) -> int:
        return self.batch_size or 32
