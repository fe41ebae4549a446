"""Layer kinds by family. Importing this package registers every kind."""

from . import activations, core, merging, normalization  # noqa: F401  (registration)
from .base import LAYER_KINDS, LayerConfig, ParamCount, Shape, ShapeError, show

__all__ = ["LAYER_KINDS", "LayerConfig", "ParamCount", "Shape", "ShapeError", "show"]
