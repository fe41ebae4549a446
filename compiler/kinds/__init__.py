"""How each layer kind maps to PyTorch: a registry of `KindRule`s keyed by class_name.

Each family module (`core`, `convolution`, ...) registers its rules with `@rule`; the
modules of this package are found, not listed, so a new family is one new file."""

from __future__ import annotations

import importlib
import pkgutil

from ..rules.rule import KindRule

KIND_RULES: dict[str, KindRule] = {}


def rule(class_name: str):
    """Register a KindRule as the mapping of a Keras class_name."""

    def register(cls: type[KindRule]) -> type[KindRule]:
        if class_name in KIND_RULES:
            raise ValueError(f"compiler rule for {class_name!r} is registered twice")
        cls.kind = class_name
        KIND_RULES[class_name] = cls()
        return cls

    return register


def rule_for(class_name: str) -> KindRule:
    load_families()
    try:
        return KIND_RULES[class_name]
    except KeyError:
        raise NotImplementedError(f"layer kind {class_name!r} has no compiler rule") from None


_LOADED: list[bool] = []


def load_families() -> None:
    """Import every family module of this package once (each registers its rules)."""
    if _LOADED:
        return
    _LOADED.append(True)
    for module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
        importlib.import_module(f"{__name__}.{module}")
