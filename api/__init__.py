"""nnspec: one Keras-shaped model spec, validated without frameworks, compiled to
Keras 3 and PyTorch.

    >>> import nnspec
    >>> loaded = nnspec.load("examples/iris.yaml")
    >>> loaded.graph.params.total
    1873
"""

from nnspec.spec import LoadedSpec, SpecError, load, load_data, loads

__version__ = "0.1.0"
__all__ = ["LoadedSpec", "SpecError", "load", "load_data", "loads"]
