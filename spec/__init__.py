"""The spec language: models, dialects, validation, shapes and counts. Framework-free:
nothing under spec/ imports tensorflow, keras or torch."""

from .errors import Problem, SpecError
from .graph import DEFAULT_MAX_PARAMS, Graph, LayerInfo, analyze
from .limits import DEFAULT_MAX_ACTIVATIONS
from .load import LoadedSpec, load, load_data, loads
from .model import MODEL_ADAPTER, FunctionalSpec, ModelSpec, SequentialSpec

__all__ = [
    "DEFAULT_MAX_ACTIVATIONS",
    "DEFAULT_MAX_PARAMS",
    "MODEL_ADAPTER",
    "FunctionalSpec",
    "Graph",
    "LayerInfo",
    "LoadedSpec",
    "ModelSpec",
    "Problem",
    "SequentialSpec",
    "SpecError",
    "analyze",
    "load",
    "load_data",
    "loads",
]
