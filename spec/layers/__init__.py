"""Layer kinds by family. Importing this package registers every kind: the family
modules are found, not listed, so a new family is one new file."""

import importlib
import pkgutil

from .base import LAYER_ALIASES, LAYER_KINDS, LayerConfig, ParamCount, Shape, ShapeError, WeightSpec, show

for _family in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"{__name__}.{_family}")

__all__ = ["LAYER_ALIASES", "LAYER_KINDS", "LayerConfig", "ParamCount", "Shape", "ShapeError", "WeightSpec", "show"]
