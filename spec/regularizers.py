"""Weight regularizers and constraints. They change training, never a shape or a count."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Int, KerasObject, keras_object_union


class L1(KerasObject):
    class_name: Literal["L1"]
    l1: float = Field(0.01, ge=0)


class L2(KerasObject):
    class_name: Literal["L2"]
    l2: float = Field(0.01, ge=0)


class L1L2(KerasObject):
    class_name: Literal["L1L2"]
    l1: float = Field(0.0, ge=0)
    l2: float = Field(0.0, ge=0)


class OrthogonalRegularizer(KerasObject):
    class_name: Literal["OrthogonalRegularizer"]
    factor: float = Field(0.01, ge=0)
    mode: Literal["rows", "columns"] = "rows"


Regularizer = keras_object_union(
    [L1, L2, L1L2, OrthogonalRegularizer],
    {"l1": "L1", "l2": "L2", "l1_l2": "L1L2", "orthogonal_regularizer": "OrthogonalRegularizer"},
    "regularizer",
)


class MaxNorm(KerasObject):
    class_name: Literal["MaxNorm"]
    max_value: float = Field(2.0, gt=0)
    axis: Int | list[Int] = 0


class MinMaxNorm(KerasObject):
    class_name: Literal["MinMaxNorm"]
    min_value: float = Field(0.0, ge=0)
    max_value: float = Field(1.0, ge=0)
    rate: float = Field(1.0, ge=0, le=1)
    axis: Int | list[Int] = 0


class NonNeg(KerasObject):
    class_name: Literal["NonNeg"]


class UnitNorm(KerasObject):
    class_name: Literal["UnitNorm"]
    axis: Int | list[Int] = 0


Constraint = keras_object_union(
    [MaxNorm, MinMaxNorm, NonNeg, UnitNorm],
    {
        "max_norm": "MaxNorm",
        "maxnorm": "MaxNorm",
        "min_max_norm": "MinMaxNorm",
        "non_neg": "NonNeg",
        "nonneg": "NonNeg",
        "unit_norm": "UnitNorm",
        "unitnorm": "UnitNorm",
    },
    "constraint",
)
