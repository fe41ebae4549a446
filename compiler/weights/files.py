"""Weight files: Keras's `.keras`, `.weights.h5` and legacy `.h5`, TensorFlow.js's
`model.json` with its shards; torch's
state_dict `.pt` and `.safetensors`. Everything is read into one neutral form, the
Keras arrays of a spec keyed by Keras path ('dense/kernel'), and written from it.

No code in a file is ever run: `.pt` is read with `weights_only=True`, and a
`.keras` file's architecture is read as JSON, never through Keras's deserialiser."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ...spec.errors import SpecError, brief
from ...spec.graph import ModelWeight
from ...spec.read import MAX_FILE_BYTES, parse_text, read_file, read_zipped_spec
from .keras_archive import read_keras_archive
from .keras_errors import explain_keras_load_error
from .keras_h5 import WeightsMismatch, read_keras_h5
from .links import (
    WeightError,
    keras_arrays,
    keras_from_torch_state,
    load_torch_state,
    set_keras_arrays,
)
from .pt_writer import NeedsZip64, write_pt
from .tfjs import read_tfjs_weights
from .torch_state import module_state

if TYPE_CHECKING:
    from ...spec.load import LoadedSpec
    from ..compiled import Compiled

KERAS_SUFFIXES = (".keras", ".weights.h5", ".h5", ".hdf5", ".json")
"""`.json`: a TensorFlow.js layers-model (model.json and the shards it names)."""
TORCH_SUFFIXES = (".pt", ".pth", ".bin", ".safetensors")
Arrays = dict[str, np.ndarray]


@contextmanager
def named(path: Path | None) -> Iterator[None]:
    """A weight problem found after the file was read (a tensor missing, a shape) names the file."""
    try:
        yield
    except WeightError as error:
        if path is None or str(error).startswith(str(path)):
            raise
        raise WeightError(f"{path}: {error}") from None


def kind_of(path: Path) -> str:
    """'keras' or 'torch', from the file name."""
    name = path.name.lower()
    if name.endswith(KERAS_SUFFIXES):
        return "keras"
    if name.endswith(TORCH_SUFFIXES):
        return "torch"
    raise WeightError(f"{path}: unknown weights format; expected one of {', '.join(KERAS_SUFFIXES + TORCH_SUFFIXES)}")


def read_torch_state(path: Path) -> dict[str, Any]:
    """A state_dict from `.pt`/`.pth`/`.bin` (tensors only) or `.safetensors`."""
    try:
        if path.name.lower().endswith(".safetensors"):
            from safetensors.torch import load_file

            state = load_file(str(path))
        else:
            import torch

            state = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise WeightError(f"{path}: no such file") from None
    except Exception as exc:  # torch and safetensors raise many kinds for a bad file
        raise WeightError(f"{path}: not a readable torch weights file ({_first_line(exc)})") from None
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    if not isinstance(state, dict) or not all(hasattr(v, "shape") for v in state.values()):
        raise WeightError(f"{path}: expected a state_dict (a mapping of names to tensors)")
    return state


def read_keras_weights(path: Path, model: Any, weights: list[ModelWeight]) -> Arrays:
    """Load a Keras weights file into `model` (built from the spec) and read back its
    declared weights."""
    if not path.is_file():
        raise WeightError(f"{path}: no such file")
    try:
        model.load_weights(str(path))
    except Exception as exc:  # Keras raises ValueError, OSError, KeyError... for a file that does not fit
        raise WeightError(f"{path}: the weights do not fit the spec's model: {explain_keras_load_error(exc)}") from None
    return keras_arrays(model, weights)


def read_keras_file(path: Path, loaded: LoadedSpec) -> Arrays:
    """The spec's declared weights in a Keras file (.keras, .weights.h5, .h5, a TF.js
    model.json), as Keras would load them into the spec's model, read with h5py alone (see
    keras_h5) or from the TF.js shards (see tfjs)."""
    import h5py

    if not path.is_file():
        raise WeightError(f"{path}: no such file")
    try:
        if path.suffix.lower() == ".json":
            return read_tfjs_weights(path, loaded.graph)
        if path.suffix.lower() == ".keras":
            return read_keras_archive(path, loaded)
        with h5py.File(path, "r") as handle:
            return read_keras_h5(handle, loaded.graph)
    except WeightsMismatch as error:
        raise WeightError(f"{path}: the weights do not fit the spec's model: {error}") from None
    except WeightError:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise WeightError(f"{path}: not a readable Keras weights file ({_first_line(exc)})") from None


def read_arrays(path: Path, compiled: Compiled, keras_model: Any = None) -> Arrays:
    """The Keras arrays in any weights file, checked against the spec."""
    if kind_of(path) == "torch":
        return keras_from_torch_state(read_torch_state(path), compiled.links)
    if path.suffix.lower() == ".json":  # TF.js shards, read by name without Keras
        return read_keras_file(path, compiled.loaded)
    return read_keras_weights(path, keras_model or compiled.keras_model(), compiled.declared)


def write_torch(path: Path, compiled: Compiled, arrays: Arrays, module: Any = None) -> Any:
    """A complete state_dict of the generated module, as `.pt` or `.safetensors`, written
    without torch (the bytes torch.save and safetensors.torch write: see pt_writer). With
    `module`, the same state is loaded into it (for a parity check), and returned."""
    state = module_state(compiled, arrays)
    if module is not None:
        load_torch_state(module, state)
        _check_same_layout(module.state_dict(), state)
    if path.name.lower().endswith(".safetensors"):
        from safetensors.numpy import save_file

        save_file(state, str(path))
        return module
    try:
        write_pt(path, state)
    except NeedsZip64:  # 4 GiB or more: torch's own zip64 records
        import torch

        torch.save({key: torch.from_numpy(array) for key, array in state.items()}, path)
    return module


def _check_same_layout(own: Mapping[str, Any], state: Arrays) -> None:
    """The state written is the module's: same keys in the same order, shapes, dtypes."""
    mine = [(key, tuple(array.shape), array.dtype.name) for key, array in state.items()]
    theirs = [(key, tuple(tensor.shape), str(tensor.dtype).removeprefix("torch.")) for key, tensor in own.items()]
    if mine != theirs:
        first = next((m, t) for m, t in zip([*mine, None], [*theirs, None], strict=False) if m != t)
        raise RuntimeError(f"the state written differs from the module's state_dict: {first[0]} vs {first[1]}")


def write_keras(path: Path, compiled: Compiled, arrays: Arrays) -> None:
    """A `.keras` model file, or `.weights.h5` weights, of the spec's Keras model."""
    model = compiled.keras_model()
    set_keras_arrays(model, compiled.declared, arrays)
    if compiled.loaded.spec.compile_config is not None:  # so that the .keras file carries it, as Keras's own do
        from ..training.keras_fit import compiled_keras_model

        compiled_keras_model(compiled.loaded, model)
    if path.name.lower().endswith(".weights.h5"):
        model.save_weights(str(path))
    elif path.suffix.lower() == ".keras":
        model.save(str(path))
    else:
        raise WeightError(f"{path}: Keras output must end in .keras or .weights.h5")


def keras_file_config(path: Path) -> dict[str, Any]:
    """The architecture stored in a `.keras` file (config.json), a legacy full-model `.h5`
    (its model_config attribute) or a TF.js model.json (whole: the loader unwraps it), as
    JSON data: read, never deserialised, under the limits and refusals of a spec file
    (size, nesting, duplicate keys)."""
    try:
        if path.suffix.lower() == ".json":
            return read_file(path)
        return _keras_zip_config(path) if path.suffix.lower() == ".keras" else _h5_config(path)
    except SpecError as error:
        error.source = error.source or str(path)
        raise
    except WeightError:
        raise
    except FileNotFoundError:
        raise WeightError(f"{path}: no such file") from None
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise WeightError(f"{path}: not a readable Keras model file ({_first_line(exc)})") from None


def _keras_zip_config(path: Path) -> Any:
    with zipfile.ZipFile(path) as archive:
        config = read_zipped_spec(archive, "config.json")
    if isinstance(config, dict) and config.get("compile_config") == {}:
        del config["compile_config"]  # Keras writes {} for a model never compiled; its loader skips it
    return config


def _h5_config(path: Path) -> Any:
    import h5py

    with h5py.File(path, "r") as handle:
        if "model_config" not in handle.attrs:
            raise WeightError(f"{path}: holds weights only; give the architecture with --spec")
        config = parse_text(_attribute_text(handle, "model_config"), name="model_config", fmt="json")
        if not isinstance(config, dict):
            return config  # refused by the loader, which names what it is
        if "keras_version" in handle.attrs:  # it tells the loader which dialect
            version = _attribute_text(handle, "keras_version")
            config.setdefault(
                "keras_version", version.decode(errors="replace") if isinstance(version, bytes) else version
            )
        if "training_config" in handle.attrs:  # how it was compiled
            training = _attribute_text(handle, "training_config")
            config.setdefault("compile_config", parse_text(training, name="training_config", fmt="json"))
        return config


def _attribute_text(handle: Any, name: str) -> str | bytes:
    """A text attribute of an HDF5 file, its size and type checked before it is read."""
    attribute = handle.attrs.get_id(name)
    if attribute.shape != ():
        raise SpecError.at(name, "is not text", received=f"an array of shape {attribute.shape}")
    if attribute.get_storage_size() > MAX_FILE_BYTES:
        raise SpecError.at(
            name,
            "is too large for an architecture spec",
            received=f"{attribute.get_storage_size():,} bytes",
            expected=f"at most {MAX_FILE_BYTES:,} bytes",
        )
    value = handle.attrs[name]
    if not isinstance(value, str | bytes):
        raise SpecError.at(name, "is not text", received=brief(value))
    return value


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]
