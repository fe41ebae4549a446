"""Turning generated source into live objects: the in-memory model IS the source.

Generated text is compiled as a module of its own, registered with linecache so
that tracebacks, `inspect.getsource` and torch's tracing tools can read it."""

from __future__ import annotations

import hashlib
import linecache
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ...spec.graph import DEFAULT_MAX_PARAMS
from ...spec.load import LoadedSpec, load


def as_loaded(spec: Any, max_params: int = DEFAULT_MAX_PARAMS) -> LoadedSpec:
    """A LoadedSpec from a LoadedSpec, a path, or parsed data."""
    if isinstance(spec, LoadedSpec):
        return spec
    if isinstance(getattr(spec, "loaded", None), LoadedSpec):  # a Compiled spec
        return spec.loaded
    if isinstance(spec, str | Path | dict):
        return load(spec, max_params)
    raise TypeError(f"expected a spec file, parsed spec data or a LoadedSpec, got {type(spec).__name__}")


def load_module(source: str, stem: str) -> types.ModuleType:
    """Run generated `source` as a fresh module named after its content."""
    digest = hashlib.sha1(source.encode()).hexdigest()[:12]
    name = f"nnspec_generated_{stem}_{digest}"
    if name in sys.modules:
        return sys.modules[name]
    filename = f"<nnspec generated {stem}_{digest}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    module = types.ModuleType(name)
    module.__file__ = filename
    sys.modules[name] = module
    exec(compile(source, filename, "exec"), module.__dict__)  # our own output: spec strings are repr()'d
    return module


@contextmanager
def one_torch_thread() -> Iterator[None]:
    """torch on one thread while TensorFlow shares the process: their thread pools
    otherwise spin against each other (a 50-step parity run takes 3x longer)."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
