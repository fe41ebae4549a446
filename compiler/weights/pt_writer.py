"""A state_dict `.pt` file written without torch, byte for byte as `torch.save` (2.13,
its default zip format) writes a dict of CPU tensors, so that `nnspec convert --to torch
--no-check` never pays for importing torch.

The file is a zip (stored, never compressed) of records under one folder named after
the file ('model.pt' -> 'model/'): `data.pkl`, the pickled dict (protocol 2), in which
each tensor is `torch._utils._rebuild_tensor_v2(storage, offset, size, stride,
requires_grad, backward_hooks)` and each storage a persistent id `('storage',
torch.FloatStorage, key, 'cpu', numel)`; `.format_version`, `.storage_alignment`,
`byteorder`, `data/<key>` (each storage's bytes, little-endian), `version` and
`.data/serialization_id`. torch's writer (PyTorchStreamWriter, over miniz) pads each
record's local header with an 'FB' extra field so that its data starts on a 64-byte
boundary, follows each record with a data descriptor, and ends with zip64 records.

The pickle names torch's functions and storage classes through stand-ins that pickle
as those globals, so nothing here imports torch; `torch.load(..., weights_only=True)`
accepts exactly these globals."""

from __future__ import annotations

import io
import pickle
import struct
import sys
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from .pt_serialization_id import serialization_id

ALIGNMENT = 64
"""torch's `_get_storage_alignment()`: where each record's data starts."""
FORMAT_VERSION = "1"
FILE_VERSION = "3\n"
"""PyTorchStreamWriter's version record for a plain torch.save."""

STORAGE_TYPES = {
    "float32": "FloatStorage",
    "float64": "DoubleStorage",
    "float16": "HalfStorage",
    "int64": "LongStorage",
    "int32": "IntStorage",
    "int16": "ShortStorage",
    "int8": "CharStorage",
    "uint8": "ByteStorage",
    "bool": "BoolStorage",
}
"""numpy dtype -> the legacy storage class torch pickles a tensor of that dtype with."""

_ZIP64_LIMIT = 0xFFFFFFFF
_RECORD_OVERHEAD = 256
"""More than a record's local header, name, padding, data descriptor and directory entry take."""


class NeedsZip64(ValueError):
    """A state too large for the 32-bit zip offsets this writer handles (4 GiB): torch.save
    writes it (with zip64 extra fields this writer does not reproduce)."""


class _Global:
    """A stand-in for a module-level name (`torch._utils._rebuild_tensor_v2`): pickled
    as the GLOBAL opcode naming it, memoised as pickle memoises the real one."""

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def __call__(self, *args: Any) -> Any:  # pickle's save_reduce asks that the callable be callable
        raise TypeError(f"{self.module}.{self.name} is a stand-in")


_REBUILD = _Global("torch._utils", "_rebuild_tensor_v2")
_ORDERED_DICT = _Global("collections", "OrderedDict")
_STORAGES = {dtype: _Global("torch", name) for dtype, name in STORAGE_TYPES.items()}


class _Storage:
    """A tensor's storage: pickled as torch's persistent id, its bytes written as `data/<key>`."""

    def __init__(self, key: str, array: np.ndarray) -> None:
        self.key, self.array = key, array


class _Tensor:
    """A C-contiguous CPU tensor of `array`, reduced as torch's Tensor.__reduce_ex__ does."""

    def __init__(self, storage: _Storage) -> None:
        self.storage = storage

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        array = self.storage.array
        return _REBUILD, (self.storage, 0, tuple(array.shape), contiguous_strides(array.shape), False, _Hooks())


class _Hooks:
    """The tensor's backward hooks: an empty OrderedDict."""

    def __reduce__(self) -> tuple[Any, tuple[()]]:
        return _ORDERED_DICT, ()


class _Pickler(pickle._Pickler):  # type: ignore[name-defined,misc]  # the Python pickler: its save_global can be replaced
    """pickle's own Python implementation (the C one writes the same opcodes), with the
    stand-in globals written as GLOBAL without importing their module, and storages as
    persistent ids."""

    dispatch: ClassVar[dict[type, Any]] = dict(pickle._Pickler.dispatch)  # type: ignore[attr-defined]

    def save_stand_in(self, obj: _Global) -> None:
        self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode())
        self.memoize(obj)

    dispatch[_Global] = save_stand_in

    def persistent_id(self, obj: Any) -> Any:
        if isinstance(obj, _Storage):
            location = "cpu"
            return ("storage", _STORAGES[obj.array.dtype.name], obj.key, location, obj.array.size)
        return None


def contiguous_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    """torch's strides of a contiguous tensor (a dimension of size 0 counts as 1)."""
    strides, step = [], 1
    for size in reversed(shape):
        strides.append(step)
        step *= max(size, 1)
    return tuple(reversed(strides))


def state_pickle(state: Mapping[str, np.ndarray]) -> tuple[bytes, list[_Storage]]:
    """data.pkl for a dict of tensors, and the storages it names, in key order."""
    storages: list[_Storage] = []
    tensors = {}
    for key, value in state.items():
        array = np.asarray(value)
        if array.dtype.name not in STORAGE_TYPES:
            raise ValueError(f"{key}: no torch storage for dtype {array.dtype}")
        if not array.flags.c_contiguous or array.dtype.byteorder == ">":
            array = np.asarray(array, dtype=array.dtype.newbyteorder("<"), order="C")
        storages.append(_Storage(str(len(storages)), array))
        tensors[key] = _Tensor(storages[-1])
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=2).dump(tensors)
    return buffer.getvalue(), storages


def write_pt(path: Path, state: Mapping[str, np.ndarray]) -> None:
    """`torch.save(state, path)` for a dict of C-contiguous CPU tensors, given as arrays."""
    if sys.byteorder != "little":  # the records below are written little-endian, as torch would here
        raise OSError("writing .pt files without torch needs a little-endian machine")
    data, storages = state_pickle(state)
    records: list[tuple[str, bytes | memoryview]] = [
        ("data.pkl", data),
        (".format_version", FORMAT_VERSION.encode()),
        (".storage_alignment", str(ALIGNMENT).encode()),
        ("byteorder", b"little"),
    ]
    records += [(f"data/{s.key}", memoryview(s.array.reshape(-1)).cast("B")) for s in storages]
    records.append(("version", FILE_VERSION.encode()))
    if sum(len(payload) + _RECORD_OVERHEAD for _, payload in records) >= _ZIP64_LIMIT:
        raise NeedsZip64(f"{path}: a state of 4 GiB or more")
    with open(path, "wb") as handle:
        writer = _ZipWriter(handle, _archive_name(path))
        for name, payload in records:
            writer.record(name, payload)
        writer.record(".data/serialization_id", serialization_id(writer.names, writer.crcs).encode())
        writer.finish()


def _archive_name(path: Path) -> str:
    """PyTorchStreamWriter's folder: the file's name without its last suffix."""
    name = path.name
    stem = name[: name.rfind(".")] if "." in name else name
    if not stem:
        raise ValueError(f"{path}: torch cannot name the archive of a file named {name!r}")
    return stem


class _ZipWriter:
    """The zip layout of miniz as PyTorchStreamWriter drives it: stored records, a zeroed
    time stamp, UTF-8 names, 64-byte aligned data, data descriptors, zip64 end records."""

    def __init__(self, handle: Any, archive: str) -> None:
        self.handle, self.archive = handle, archive
        self.offset = 0
        self.central: list[bytes] = []
        self.names: list[str] = []
        self.crcs: list[int] = []
        """The CRC-32 of each record written with a data descriptor (every non-empty one)."""

    def _write(self, data: bytes | memoryview) -> None:
        self.handle.write(data)
        self.offset += len(data)

    def record(self, name: str, payload: bytes | memoryview) -> None:
        full = f"{self.archive}/{name}".encode()
        size = len(payload)
        assert size < _ZIP64_LIMIT and self.offset < _ZIP64_LIMIT, "write_pt checks the size first"
        start = self.offset + 30 + len(full) + 4
        padding = -start % ALIGNMENT
        extra = b"FB" + struct.pack("<H", padding) + b"Z" * padding
        flags = 0x0808 if size else 0x0800  # UTF-8 names; a data descriptor after non-empty data
        crc = zlib.crc32(payload) if size else 0
        header_at = self.offset
        self._write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 0, flags, 0, 0, 0, 0, 0, 0, len(full), len(extra)))
        self._write(full + extra)
        self._write(payload)
        if size:
            self._write(struct.pack("<IIII", 0x08074B50, crc, size, size))
            self.crcs.append(crc)
        self.names.append(name)
        sizes = (crc, size, size, len(full))
        entry = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0, 0, flags, 0, 0, 0, *sizes, 0, 0, 0, 0, 0, header_at)
        self.central.append(entry + full)

    def finish(self) -> None:
        directory_at = self.offset
        for entry in self.central:
            self._write(entry)
        directory_size = self.offset - directory_at
        count = len(self.central)
        zip64_at = self.offset
        self._write(
            struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 0x031E, 0x002D, 0, 0, count, count, directory_size, directory_at)
        )
        self._write(struct.pack("<IIQI", 0x07064B50, 0, zip64_at, 1))
        self._write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, directory_size, directory_at, 0))
