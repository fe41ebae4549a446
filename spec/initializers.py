"""Keras's weight initializers, by name or as {class_name, config}.

What an initializer computes lives here; the torch init calls that reproduce it
live with the compiler."""

from __future__ import annotations

import functools
from typing import Annotated, Literal

from pydantic import Field, model_validator

from .base import Int, KerasObject, SeedInt, keras_object_union, unsupported

Seed = SeedInt | None
_AXES = unsupported("input_axes/output_axes (fan computed over chosen axes) are not supported")


class RandomNormal(KerasObject):
    class_name: Literal["RandomNormal"]
    mean: float = 0.0
    stddev: float = Field(0.05, ge=0)
    seed: Seed = None


class RandomUniform(KerasObject):
    class_name: Literal["RandomUniform"]
    minval: float = -0.05
    maxval: float = 0.05
    seed: Seed = None

    @model_validator(mode="after")
    def _ordered(self) -> RandomUniform:
        if self.minval > self.maxval:  # torch's uniform_ refuses it; TensorFlow draws from the swapped range
            raise ValueError("minval <= maxval (torch's uniform_ refuses a reversed range)")
        return self


class TruncatedNormal(KerasObject):
    class_name: Literal["TruncatedNormal"]
    mean: float = 0.0
    stddev: float = Field(0.05, ge=0)
    seed: Seed = None


class Zeros(KerasObject):
    class_name: Literal["Zeros"]


class Ones(KerasObject):
    class_name: Literal["Ones"]


class Constant(KerasObject):
    class_name: Literal["Constant"]
    value: float = 0.0


class _FanScaled(KerasObject):
    """The VarianceScaling family: stddev or limit from a layer's fan-in/fan-out."""

    seed: Seed = None
    input_axes: Annotated[list[Int] | None, _AXES] = None
    output_axes: Annotated[list[Int] | None, _AXES] = None


class VarianceScaling(_FanScaled):
    class_name: Literal["VarianceScaling"]
    scale: float = Field(1.0, gt=0)
    mode: Literal["fan_in", "fan_out", "fan_avg"] = "fan_in"
    distribution: Literal["truncated_normal", "untruncated_normal", "uniform"] = "truncated_normal"


class GlorotNormal(_FanScaled):
    class_name: Literal["GlorotNormal"]


class GlorotUniform(_FanScaled):
    class_name: Literal["GlorotUniform"]


class HeNormal(_FanScaled):
    class_name: Literal["HeNormal"]


class HeUniform(_FanScaled):
    class_name: Literal["HeUniform"]


class LecunNormal(_FanScaled):
    class_name: Literal["LecunNormal"]


class LecunUniform(_FanScaled):
    class_name: Literal["LecunUniform"]


class Orthogonal(KerasObject):
    class_name: Literal["Orthogonal"]
    gain: float = 1.0
    seed: Seed = None


class Identity(KerasObject):
    class_name: Literal["Identity"]
    gain: float = 1.0


INITIALIZER_CLASSES: list[type[KerasObject]] = [
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    Zeros,
    Ones,
    Constant,
    VarianceScaling,
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    Orthogonal,
    Identity,
]

INITIALIZER_NAMES: dict[str, str] = {
    "random_normal": "RandomNormal",
    "random_uniform": "RandomUniform",
    "uniform": "RandomUniform",
    "normal": "RandomNormal",
    "truncated_normal": "TruncatedNormal",
    "zeros": "Zeros",
    "zero": "Zeros",
    "ones": "Ones",
    "one": "Ones",
    "constant": "Constant",
    "variance_scaling": "VarianceScaling",
    "glorot_normal": "GlorotNormal",
    "xavier_normal": "GlorotNormal",
    "glorot_uniform": "GlorotUniform",
    "xavier_uniform": "GlorotUniform",
    "he_normal": "HeNormal",
    "he_uniform": "HeUniform",
    "lecun_normal": "LecunNormal",
    "lecun_uniform": "LecunUniform",
    "orthogonal": "Orthogonal",
    "identity": "Identity",
    "IdentityInitializer": "Identity",
    "OrthogonalInitializer": "Orthogonal",
}
"""Keras's string names for initializers (the class names are accepted too)."""

Initializer = keras_object_union(INITIALIZER_CLASSES, INITIALIZER_NAMES, "initializer")


def default_initializer(name: str):
    """A field default that is the initializer object itself, so that writing with
    defaults left out leaves it out."""
    from pydantic import Field

    cls = {c.__name__: c for c in INITIALIZER_CLASSES}[INITIALIZER_NAMES[name]]
    # made on first use (not at import: that would build its validator), then shared: it is frozen
    return Field(default_factory=functools.cache(lambda: cls(class_name=cls.__name__)))
