"""`nnspec convert FILE.py:ClassName --to keras`: the user's module, from their own file,
as a spec, Keras source and a `.keras` file, kept only if it agrees with the module.

Importing FILE.py runs the user's code, as importing it in PyTorch would: that is the
one place nnspec runs code it did not write, and only when the user names a Python file."""

from __future__ import annotations

import contextlib
import importlib.util
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...spec.write import dump_yaml, to_canonical
from ..names import identifier
from ..staging import staged
from ..weights.files import read_torch_state, write_keras
from ..weights.links import WeightError
from .convert import Agreement, FromTorch, check_agreement, from_program, from_torch
from .reverse import Untranslatable

DTYPES = ("float32", "float64", "int32", "int64")


@dataclass
class ModuleConverted:
    files: list[Path] = field(default_factory=list)
    agreement: Agreement | None = None
    key_map: dict[str, str] = field(default_factory=dict)


def is_module_source(source: str) -> bool:
    """`model.py:Net`: a class in a Python file."""
    file, colon, name = source.rpartition(":")
    return bool(colon) and file.endswith(".py") and name.isidentifier()


def load_module_class(source: str) -> Any:
    """An instance of the class named in `FILE.py:ClassName`, built without arguments."""
    file, _, class_name = source.rpartition(":")
    path = Path(file)
    if not path.is_file():
        raise WeightError(f"{path}: no such file")
    spec = importlib.util.spec_from_file_location(f"_nnspec_user_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise WeightError(f"{path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent.resolve()))  # its own imports of files beside it
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # the user's code: anything can go wrong
        raise WeightError(f"{path}: importing it failed: {type(exc).__name__}: {exc}") from None
    finally:
        sys.path.remove(str(path.parent.resolve()))
    cls = getattr(module, class_name, None)
    if cls is None:
        raise WeightError(f"{path} has no {class_name!r}")
    try:
        return cls()
    except Exception as exc:
        raise WeightError(
            f"{source}: {class_name}() failed ({type(exc).__name__}: {exc}); it must build without arguments"
        ) from None


def example_inputs(shapes: list[str], dtypes: list[str]) -> list[Any]:
    """Random inputs of the shapes given as `1,3,32,32` (token ids are drawn from 0 and 1)."""
    import torch

    if not shapes:
        raise ValueError("give the input's shape: --input-shape 1,3,32,32 (one per input)")
    if len(dtypes) not in (0, 1, len(shapes)):
        raise ValueError("give one --input-dtype, or one per --input-shape")
    out = []
    generator = torch.Generator().manual_seed(0)
    for n, text in enumerate(shapes):
        try:
            shape = tuple(int(d) for d in text.split(","))
        except ValueError:
            raise ValueError(f"--input-shape {text!r}: expected integers separated by commas, as 1,3,32,32") from None
        if not shape or any(d < 1 for d in shape):
            raise ValueError(f"--input-shape {text!r}: every dimension must be at least 1")
        dtype = dtypes[n] if len(dtypes) > 1 else (dtypes[0] if dtypes else "float32")
        if dtype not in DTYPES:
            raise ValueError(f"--input-dtype {dtype!r}: one of {', '.join(DTYPES)}")
        kind = getattr(torch, dtype)
        if dtype.startswith("int"):
            out.append(torch.randint(0, 2, shape, generator=generator, dtype=kind))
        else:
            out.append(torch.randn(shape, generator=generator, dtype=kind))
    return out


def convert_module(
    source: str,
    weights: Path | None,
    shapes: list[str],
    dtypes: list[str],
    out: Path,
    check: bool = True,
    layout: str = "keras",
) -> ModuleConverted:
    """The module -> `<model>.yaml`, `<model>_keras.py`, `<model>.keras` in `out`, written
    only if the Keras model computes what the module does (with `check`)."""
    module = load_module_class(source)
    if weights is not None:
        state = read_torch_state(weights)
        try:
            module.load_state_dict(state)
        except Exception as exc:  # torch's missing/unexpected keys or shapes
            raise WeightError(f"{weights}: does not fit {type(module).__name__}: {exc}") from None
    inputs = example_inputs(shapes, dtypes)
    return _written(from_torch(module, inputs, layout), module, inputs, out, check)


def convert_program(path: Path, out: Path, check: bool = True, layout: str = "keras") -> ModuleConverted:
    """A torch.export program file -> the same files as a module's, checked against the
    program itself at batch 1 and 8."""
    result, module, inputs = from_program(path, layout)
    return _written(result, module, list(inputs), out, check)


def _written(result: FromTorch, module: Any, inputs: list[Any], out: Path, check: bool) -> ModuleConverted:
    compiled = result.compiled
    stem = identifier(result.loaded.graph.name, "model")
    converted = ModuleConverted(key_map=result.key_map)
    with contextlib.suppress(_Disagrees), staged(out) as stage:
        stage.write_text(f"{stem}.yaml", dump_yaml(to_canonical(result.loaded.spec)))
        stage.write_text(f"{stem}_keras.py", compiled.keras_source.text)
        write_keras(stage.path(f"{stem}.keras"), compiled, result.arrays)
        if check:
            converted.agreement = check_agreement(module, result, inputs)
            if not converted.agreement.ok:
                raise _Disagrees  # leaves the staging folder: nothing is written
        converted.files = [stage.final(name) for name in stage.names]
    return converted


class _Disagrees(Exception):
    pass


__all__ = ["ModuleConverted", "Untranslatable", "convert_module", "convert_program", "is_module_source"]
