"""nnspec: one Keras-shaped model spec, validated without frameworks, compiled to
Keras 3 and PyTorch.

    >>> import nnspec
    >>> loaded = nnspec.load("examples/iris.yaml")
    >>> loaded.graph.params.total
    1873
    >>> module = nnspec.compile_torch(loaded)   # a torch.nn.Module
    >>> model = nnspec.compile_keras(loaded)    # a keras.Model
"""

from __future__ import annotations

from typing import Any

from nnspec.spec import LoadedSpec, SpecError, load, load_data, loads

__version__ = "0.1.0"
__all__ = ["LoadedSpec", "SpecError", "compile_keras", "compile_torch", "load", "load_data", "loads"]


def compile_torch(spec: Any) -> Any:
    """A torch.nn.Module from a spec (a path, parsed data or a LoadedSpec): the
    generated PyTorch source, loaded. Imports torch."""
    from nnspec.compiler.torch_target import compile_torch as build

    return build(spec)


def compile_keras(spec: Any) -> Any:
    """A keras.Model from a spec: the generated Keras source, run. Imports keras."""
    from nnspec.compiler.keras_target import compile_keras as build

    return build(spec)
