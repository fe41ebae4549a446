"""Layer kinds by family. Importing this package registers the kinds of every family
module found here (not listed), except the operations family: its 89 kinds (Keras 3's
`x + y`, `ops.mean`) cost a third of nnspec's start-up, and a spec names them by their
`ops.`/`activations.` prefix, so they load when a spec first uses one."""

import importlib
import pkgutil

from .base import LAYER_ALIASES, LAYER_KINDS, LayerConfig, ParamCount, Shape, ShapeError, WeightSpec, show

ON_DEMAND = "operations"
OPERATION_PREFIXES = ("ops.", "activations.")
"""How a spec names an operation kind (`ops.add`, `activations.relu`)."""

_FAMILIES = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name != "base")
for _family in _FAMILIES:
    if _family != ON_DEMAND:
        importlib.import_module(f"{__name__}.{_family}")


def load_operations() -> None:
    importlib.import_module(f"{__name__}.{ON_DEMAND}")


def kind_config(kind: str) -> type[LayerConfig] | None:
    """The config class of a kind, loading the operations family for an operation's name."""
    if kind not in LAYER_KINDS and kind.startswith(OPERATION_PREFIXES):
        load_operations()
    return LAYER_KINDS.get(kind)


def all_kinds() -> dict[str, type[LayerConfig]]:
    """Every kind nnspec has (the operations family loaded too)."""
    load_operations()
    return LAYER_KINDS


__all__ = [
    "LAYER_ALIASES",
    "LAYER_KINDS",
    "OPERATION_PREFIXES",
    "LayerConfig",
    "ParamCount",
    "Shape",
    "ShapeError",
    "WeightSpec",
    "all_kinds",
    "kind_config",
    "load_operations",
    "show",
]
