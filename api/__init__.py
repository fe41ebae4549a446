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

from pathlib import Path
from typing import Any

from nnspec.spec import LoadedSpec, SpecError, load, load_data, loads

__version__ = "0.1.0"
__all__ = [
    "LoadedSpec",
    "SpecError",
    "compile_keras",
    "compile_torch",
    "from_torch",
    "keras_model_from_torch",
    "load",
    "load_data",
    "loads",
    "plot",
]


def compile_torch(spec: Any, layout: str = "torch") -> Any:
    """A torch.nn.Module from a spec (a path, parsed data or a LoadedSpec): the
    generated PyTorch source, loaded. Imports torch.

    `layout="torch"` (the default): a convolutional model takes and returns tensors as
    PyTorch's layers do, channels first (N, C, H, W); `layout="keras"`: as the Keras
    model does (N, H, W, C). Inside, it computes channels first either way."""
    from nnspec.compiler.targets.torch_module import compile_torch as build

    return build(spec, _interface(layout))


def compile_keras(spec: Any) -> Any:
    """A keras.Model from a spec: the generated Keras source, run. Imports keras."""
    from nnspec.compiler.targets.keras_model import compile_keras as build

    return build(spec)


def from_torch(module: Any, example_inputs: Any, layout: str = "keras") -> Any:
    """A torch.nn.Module as a spec and Keras weights, traced with torch.fx on
    `example_inputs` (a tensor, or a tuple for several inputs; any batch size). Returns
    `.loaded` (the spec: `compile_keras(result.loaded)` builds the Keras model), `.arrays`
    (its Keras weights, by Keras path), `.key_map` (your state_dict keys -> the generated
    torch module's). `layout="torch"`: the Keras model takes and gives image tensors as
    the module does, (N, C, H, W), with one transpose at each. Raises `Untranslatable`
    naming what has no Keras layer. Imports torch."""
    from nnspec.compiler.from_torch.convert import from_torch as trace

    return trace(module, example_inputs, _interface(layout))


def keras_model_from_torch(module: Any, example_inputs: Any) -> Any:
    """A keras.Model computing what `module` computes, with its weights. Imports torch and keras."""
    from nnspec.compiler.from_torch.convert import keras_model

    return keras_model(from_torch(module, example_inputs))


def plot(
    spec: Any, path: str | Path, format: str | None = None, rankdir: str = "TB", expand_nested: bool = False
) -> Path:
    """Draw a spec (a path, parsed data or a LoadedSpec) into `path`: .svg, .png or .pdf
    (matplotlib), or DOT / Mermaid text (`format="dot"` / `"mermaid"`, or a .dot / .mmd
    name). A box per layer, an arrow per connection; `rankdir="LR"` runs left to right;
    `expand_nested=True` draws each nested model's layers inside a frame. Imports no framework."""
    from nnspec.compiler.plot import plot as draw

    return draw(spec, path, format, rankdir, expand_nested=expand_nested)


def __getattr__(name: str) -> Any:
    """`nnspec.Untranslatable`, what from_torch raises, imported when asked for."""
    if name == "Untranslatable":
        from nnspec.compiler.from_torch.reverse import Untranslatable

        return Untranslatable
    raise AttributeError(f"module 'nnspec' has no attribute {name!r}")


def _interface(layout: str) -> Any:
    if layout not in ("torch", "keras"):
        raise ValueError(f"layout must be 'torch' or 'keras', not {layout!r}")
    return layout
