"""From PyTorch: an nn.Module traced into a spec and the Keras weights of its state.

The weights take one path that is already proven both ways: the module's tensors are
put where the generated torch module of the spec holds them (the same layouts: an
nn.Conv2d's weight is an nn.Conv2d's weight), and the kinds' transfers turn that state
into Keras arrays, as `convert --to keras` does for a generated module's own weights."""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ...spec import SpecError, load_data
from ...spec.load import LoadedSpec
from ..compiled import Compiled
from ..weights.links import (
    Arrays,
    keras_from_torch_state,
    load_torch_state,
    set_keras_arrays,
    torch_state_from_keras,
)
from .reverse import Untranslatable
from .trace import Imported, Untraceable, import_graph, import_module

TOLERANCE = 1e-5


@dataclass
class FromTorch:
    """A module as a spec, with its weights as Keras arrays."""

    loaded: LoadedSpec
    arrays: Arrays
    key_map: dict[str, str]
    """The module's state_dict key -> the generated torch module's key holding it."""
    imported: Imported

    @property
    def compiled(self) -> Compiled:
        return Compiled.of(self.loaded)


def from_program(path: Any, layout: str = "keras") -> tuple[FromTorch, Any, tuple[Any, ...]]:
    """A torch.export program file (`.pt2`) as a spec and Keras weights; with the module
    rebuilt from it and example inputs of its shapes, for the check."""
    from ..kinds import load_families
    from .exported import load_program

    load_families()
    module, examples = load_program(path)
    return _imported(module, examples, layout, name=Path(path).stem), module, examples


def from_torch(module: Any, example_inputs: Any, layout: str = "keras") -> FromTorch:
    """Trace `module` on `example_inputs` (a tensor or a tuple of them) into a spec and
    Keras weights. `layout="torch"` keeps the module's (N, C, H, W) at the model's inputs
    and outputs. Raises Untranslatable naming the module or call nnspec cannot express."""
    from ..kinds import load_families

    load_families()  # the reverse matchers live beside the kinds' rules
    inputs = example_inputs if isinstance(example_inputs, tuple | list) else (example_inputs,)
    return _imported(module, tuple(inputs), layout)


def _imported(module: Any, inputs: tuple[Any, ...], layout: str, name: str | None = None) -> FromTorch:
    import torch

    was_training = module.training
    module.eval()  # tracing runs forward(): BatchNorm must not update its statistics
    try:
        with torch.no_grad():
            # a module is traced; a graph rebuilt from a torch.export program is read as it is
            imported = _traced(module, inputs, layout) if name is None else import_graph(module, inputs, name, layout)
    finally:
        module.train(was_training)
    what = name or type(module).__name__
    try:
        loaded = load_data(imported.spec, f"<torch module {what}>")
    except SpecError as error:
        raise Untranslatable(f"the Keras model made from {what} is not valid: {error}") from None
    compiled = Compiled.of(loaded)
    state, key_map = _generated_state(imported, compiled)
    return FromTorch(loaded, keras_from_torch_state(state, compiled.links), key_map, imported)


def _traced(module: Any, inputs: tuple[Any, ...], layout: str) -> Imported:
    """torch.fx's module-level graph; where fx cannot trace, torch.export's, if it captures
    the module (a loop over a tensor's size, which it unrolls for the example's shapes)."""
    import torch

    from .exported import rebuild

    try:
        return import_module(module, inputs, layout)
    except Untraceable as untraced:
        try:
            with _quiet_logging():  # export logs the graph it gave up on, and warnings, at length
                program = torch.export.export(module, inputs)
        except Exception as exc:  # export raises many kinds where it cannot capture either
            raise Untranslatable(f"{untraced}; torch.export cannot capture it either ({_first_line(exc)})") from None
        graph_module, _ = rebuild(program)
        return import_graph(graph_module, inputs, type(module).__name__, layout)


@contextlib.contextmanager
def _quiet_logging() -> Iterator[None]:
    before = logging.root.manager.disable
    logging.disable(logging.CRITICAL)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            yield
    finally:
        logging.disable(before)


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _generated_state(imported: Imported, compiled: Compiled) -> tuple[dict[str, Any], dict[str, str]]:
    state: dict[str, Any] = {}
    key_map: dict[str, str] = {}
    for link in compiled.links:
        where = (link.keras_layers[0], link.keras_name)
        tensors = imported.weights.get(where)
        if tensors is None or len(tensors) != len(link.torch_keys):
            raise Untranslatable(f"nnspec found no tensor of the module for Keras weight {link.keras_path}")
        for n, (key, tensor) in enumerate(zip(link.torch_keys, tensors, strict=True)):
            state[key] = tensor.detach()
            user_keys = imported.keys.get(where)
            if user_keys:
                key_map[user_keys[n]] = key
    unused = set(imported.weights) - {(link.keras_layers[0], link.keras_name) for link in compiled.links}
    if unused:
        raise Untranslatable(f"the Keras model has no weight for {sorted(unused)[0]}")
    return state, key_map


def keras_model(result: FromTorch) -> Any:
    """The spec's Keras model holding the module's weights."""
    compiled = result.compiled
    model = compiled.keras_model()
    set_keras_arrays(model, compiled.declared, result.arrays)
    return model


@dataclass
class Agreement:
    """The module, the Keras model and the generated torch module on the same inputs."""

    keras: float
    generated: float
    batches: tuple[int, ...]

    @property
    def ok(self) -> bool:
        return max(self.keras, self.generated) <= TOLERANCE


def check_agreement(
    module: Any, result: FromTorch, example_inputs: Any, batches: tuple[int, ...] = (1, 8)
) -> Agreement:
    """Largest output difference (relative to the output's scale, at least 1) of the Keras
    model and of the generated torch module against `module`, at each batch size."""
    import torch

    compiled = Compiled.of(result.loaded, "keras")  # both fed and compared in Keras's layout
    keras_model = compiled.keras_model()
    set_keras_arrays(keras_model, compiled.declared, result.arrays)
    generated = compiled.torch_module().eval()
    load_torch_state(generated, torch_state_from_keras(result.arrays, compiled.links))
    examples = example_inputs if isinstance(example_inputs, tuple | list) else (example_inputs,)
    worst_keras = worst_generated = 0.0
    was_training = module.training
    module.eval()
    try:
        for batch in batches:
            inputs = [_batch_like(x, batch, seed=batch) for x in examples]
            feed = [_to_keras(x.numpy(), first) for x, first in zip(inputs, result.imported.input_layouts, strict=True)]
            layouts = result.imported.output_layouts
            with torch.no_grad():
                expected = [o.numpy() for o in _tensors(module(*inputs))]
                mine = [o.numpy() for o in _tensors(generated(*(torch.from_numpy(x) for x in feed)))]
            mine = [_from_keras(t, first) for t, first in zip(mine, layouts, strict=True)]
            theirs = keras_model(feed if len(feed) > 1 else feed[0], training=False)
            theirs = [np.asarray(t) for t in (theirs if isinstance(theirs, list | tuple) else [theirs])]
            theirs = [_from_keras(t, first) for t, first in zip(theirs, layouts, strict=True)]
            worst_keras = max(worst_keras, *(_difference(a, b) for a, b in zip(expected, theirs, strict=True)))
            worst_generated = max(worst_generated, *(_difference(a, b) for a, b in zip(expected, mine, strict=True)))
    finally:
        module.train(was_training)
    return Agreement(worst_keras, worst_generated, batches)


def _batch_like(example: Any, batch: int, seed: int) -> Any:
    import torch

    generator = torch.Generator().manual_seed(seed)
    shape = (batch, *example.shape[1:])
    if example.dtype.is_floating_point:
        return torch.randn(shape, generator=generator, dtype=example.dtype)
    high = max(int(example.max()) + 1, 1)
    return torch.randint(0, high, shape, generator=generator, dtype=example.dtype)


def _tensors(output: Any) -> list[Any]:
    return list(output) if isinstance(output, list | tuple) else [output]


def _to_keras(array: np.ndarray, perm: tuple[int, ...]) -> np.ndarray:
    """torch's array of a value whose dim i is Keras axis perm[i], in Keras's order."""
    return np.ascontiguousarray(np.transpose(array, np.argsort(perm)))


def _from_keras(array: np.ndarray, perm: tuple[int, ...]) -> np.ndarray:
    return np.transpose(array, perm)


def _difference(expected: np.ndarray, got: np.ndarray) -> float:
    if expected.shape != got.shape:
        return float("inf")
    scale = max(1.0, float(np.max(np.abs(expected))) if expected.size else 1.0)
    return float(np.max(np.abs(expected - got))) / scale if expected.size else 0.0


__all__ = ["Agreement", "FromTorch", "Untranslatable", "check_agreement", "from_torch", "keras_model"]
