"""The conversion journeys: a Keras model (live, `.keras`, legacy `.h5`, or
`.weights.h5` with a spec) to spec + generated torch source + torch weights, and
torch weights (with their spec) back to a `.keras` file."""

from __future__ import annotations

import contextlib
import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..spec.errors import SpecError
from ..spec.graph import model_weights
from ..spec.load import LoadedSpec, load_data
from ..spec.write import dump_yaml, to_canonical
from .compiled import Compiled
from .names import identifier
from .parity.check import ParityReport, ParityUnavailable, check_parity
from .staging import Staging, staged
from .targets.loading import as_loaded
from .targets.lower import InterfaceLayout
from .weights.files import (
    Arrays,
    keras_file_config,
    kind_of,
    named,
    read_arrays,
    read_keras_file,
    read_torch_state,
    write_keras,
    write_torch,
)
from .weights.links import WeightError, keras_arrays, keras_from_torch_state


class _ParityFailed(Exception):
    """Raised inside the staging block: a conversion that fails its parity check writes nothing."""


@dataclass
class Converted:
    """What a conversion wrote, and the parity check of the result."""

    files: list[Path] = field(default_factory=list)
    report: ParityReport | None = None


def import_keras_model(model: Any) -> tuple[LoadedSpec, Arrays]:
    """A live keras.Model as spec plus weights (its to_json(), read like any spec)."""
    try:
        data = json.loads(model.to_json())
    except Exception as exc:  # a custom layer Keras cannot serialise
        raise WeightError(f"Keras cannot describe this model as JSON: {exc}") from None
    loaded = load_data(data, f"<keras model {model.name!r}>")
    return loaded, keras_arrays(model, model_weights(loaded.graph))


def keras_file_spec(path: Path) -> LoadedSpec:
    """The model a `.keras`, full-model `.h5` or TF.js model.json describes, read as data, never run."""
    return _architecture(keras_file_config(path), str(path))


def _architecture(data: dict[str, Any], source: str) -> LoadedSpec:
    """A Keras file's model. Compile settings nnspec cannot carry (an AUC metric, a Lion
    optimizer...) do not stop the conversion of layers and weights: they are left out,
    and a warning names each one."""
    try:
        return load_data(data, source)
    except SpecError as error:
        if not isinstance(data, dict) or not all(p.path.startswith("compile_config") for p in error.problems):
            raise
        for problem in error.problems:
            warnings.warn(f"compile_config left out: {problem}", CompileConfigDropped, stacklevel=2)
        return load_data({k: v for k, v in data.items() if k != "compile_config"}, source)


class CompileConfigDropped(UserWarning):
    """A Keras file's compile settings that nnspec cannot carry over."""


def import_keras_file(path: Path, spec: Any = None) -> tuple[LoadedSpec, Arrays]:
    """A Keras file as spec and weights. A `.keras` or full-model `.h5` carries its
    architecture; `.weights.h5` needs `spec`. The weights read are those the spec
    declares, read as Keras would load them but without Keras; nothing is lowered to torch."""
    loaded = as_loaded(spec) if spec is not None else keras_file_spec(path)
    return loaded, read_keras_file(path, loaded)


def convert_to_torch(
    source: Path,
    out: Path,
    spec: Any = None,
    fmt: str = "pt",
    check: bool = True,
    layout: InterfaceLayout = "torch",
) -> Converted:
    """Keras file -> `<model>.yaml`, `<model>_torch.py`, `<model>.pt|.safetensors` in `out`."""
    if kind_of(source) != "keras":
        raise WeightError(f"{source}: --to torch converts a Keras file (.keras, .h5, .weights.h5, a TF.js model.json)")
    loaded, arrays = import_keras_file(source, spec)
    compiled = Compiled.of(loaded, layout)
    stem = identifier(loaded.graph.name, "model")

    written: list[Any] = []

    def write(stage: Staging) -> None:
        stage.write_text(f"{stem}_torch.py", compiled.torch_source.text)
        # the traced module (the same state_dict): the check below reads every layer's output from it;
        # without a check no module is built, and torch is never imported
        module = compiled.traced_module() if check else None
        written.append(write_torch(stage.path(f"{stem}.{fmt}"), compiled, arrays, module))

    def parity() -> ParityReport | None:  # of the weights moved, the way they moved
        if not check:
            return None
        return check_parity(compiled, both_ways=False, torch_module=written[0], arrays=arrays)

    return _write_checked(out, loaded, write, parity)


def convert_to_keras(weights: Path, spec: Any, out: Path, check: bool = True) -> Converted:
    """torch weights + spec -> `<model>.keras`, `<model>_keras.py`, `<model>.yaml` in `out`."""
    compiled = Compiled.of(spec)
    loaded = compiled.loaded
    state = read_torch_state(weights) if kind_of(weights) == "torch" else None
    with named(weights):
        arrays = keras_from_torch_state(state, compiled.links) if state is not None else read_arrays(weights, compiled)
    stem = identifier(loaded.graph.name, "model")

    def write(stage: Staging) -> None:
        stage.write_text(f"{stem}_keras.py", compiled.keras_source.text)
        write_keras(stage.path(f"{stem}.keras"), compiled, arrays)

    def parity() -> ParityReport | None:  # a Keras weights file was checked when it was read
        if not check or state is None:
            return None
        return check_parity(compiled, torch_state=state, both_ways=False)

    return _write_checked(out, loaded, write, parity)


def _parity_or_explain(parity: Callable[[], ParityReport | None]) -> ParityReport | None:
    try:
        return parity()
    except ParityUnavailable as exc:
        raise ParityUnavailable(
            f"{str(exc).rstrip('.')}; nothing was written (convert with --no-check to skip the check)"
        ) from None


def _write_checked(
    out: Path, loaded: LoadedSpec, write: Callable[[Staging], None], parity: Callable[[], ParityReport | None]
) -> Converted:
    """The spec and what `write` writes, kept only if the parity check passes."""
    result = Converted()
    with contextlib.suppress(_ParityFailed), staged(out) as stage:
        stage.write_text(f"{identifier(loaded.graph.name, 'model')}.yaml", dump_yaml(to_canonical(loaded.spec)))
        write(stage)
        result.report = _parity_or_explain(parity)
        if result.report is not None and not result.report.passed:
            raise _ParityFailed  # leaves the staging folder: nothing is written
        result.files = [stage.final(name) for name in stage.names]
    return result
