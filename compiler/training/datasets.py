"""Training data for `nnspec train`: the course's sets (iris, digits) and the user's
CSV or NPZ files, checked against the model's input and output shapes and split 7:3
BEFORE any training starts, so that a bad file fails in a second with a message
naming the file, row and column, never minutes later inside a framework.

Framework-free: numpy only; scikit-learn is imported inside the functions that use it."""

from __future__ import annotations

import csv
import difflib
import io
import math
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from ...spec.training import LOSS_NAMES

Shape = tuple[int | None, ...]
LabelKind = Literal["sparse", "categorical", "binary", "regression"]

BUILTIN = ("iris", "digits")
LABEL_COLUMNS = ("label", "target", "y", "class", "species")
"""Column names taken as the label, in this order of preference; otherwise the last column."""

_KIND_OF_LOSS: dict[str, LabelKind] = {
    "sparse_categorical_crossentropy": "sparse",
    "categorical_crossentropy": "categorical",
    "categorical_hinge": "categorical",
    "binary_crossentropy": "binary",
}
"""How a (canonical) loss wants its labels; every other loss takes float targets shaped like the output."""


class DataError(ValueError):
    """A data problem found before training: where it is, what is wrong, and what to do."""

    def __init__(self, where: str, message: str, hint: str | None = None) -> None:
        self.where, self.message, self.hint = where, message, hint
        super().__init__(f"{where}: {message}" + (f"\n  hint: {hint}" if hint else ""))


@dataclass(frozen=True, eq=False)  # eq=False: field-wise == on numpy arrays is ambiguous
class Dataset:
    """Features float32 shaped like the model's input; labels int64 class indices
    (sparse), float32 one-hot (categorical) or float32 shaped like the output."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    name: str
    feature_names: list[str] | None
    num_classes: int | None
    """Classes of a single-label classifier (the output's units; 2 for one sigmoid); None otherwise."""
    source: str
    class_names: list[str] | None = None
    """Class index -> its name, where the labels had names (CSV text, iris species, digits)."""
    label_kind: LabelKind | None = None


@dataclass
class _Part:
    """Samples as read, before checking: features (n, ...) float64, labels (n, ...) numbers or text."""

    x: np.ndarray
    y: np.ndarray
    at: Callable[[int], str]
    """Names sample i for a message: 'row 12' of a CSV, 'y_train[11]' of an NPZ."""
    label_at: Callable[[int], str]
    cell_at: Callable[[int, int], str] | None = None
    """Names feature k of sample i ('row 12, column 3 'petal_width''), where the file has columns."""


@dataclass
class _Raw:
    name: str
    where: str
    parts: dict[str, _Part]  # {"all": ...} or {"train": ..., "test": ...}
    feature_names: list[str] | None = None
    class_names: list[str] | None = None
    label_note: str = ""  # which column is the label, for hints about feature counts


# -- public -------------------------------------------------------------------


def label_kind(loss: str | None, output_shape: Shape) -> LabelKind:
    """What labels `loss` trains on. With no loss: class indices for a multi-unit output, else float targets."""
    if loss is None:
        return "sparse" if _units(output_shape) > 1 else "regression"
    canonical = LOSS_NAMES.get(loss) or LOSS_NAMES.get(loss.lower())
    if canonical is None:
        hint = difflib.get_close_matches(loss, LOSS_NAMES, n=1)
        raise DataError("loss", f"unknown loss {loss!r}", f"did you mean {hint[0]!r}?" if hint else None)
    return _KIND_OF_LOSS.get(canonical, "regression")


def load_dataset(
    source: str,
    input_shape: Shape,
    output_shape: Shape,
    loss: str | None,
    *,
    test_size: float = 0.3,
    seed: int = 0,
    label: str | None = None,
) -> Dataset:
    """Read `source` ('iris', 'digits', a .csv or .npz path), check it against the model, split it.

    Shapes include the batch axis (None, ...). `label` names the CSV label column.
    Raises DataError for every problem with the data."""
    if not 0 < test_size < 1:
        raise DataError(str(source), f"test_size must be between 0 and 1, received {test_size!r}")
    kind = label_kind(loss, output_shape)
    raw = _read(str(source), label)
    for part in raw.parts.values():
        _check_finite(part.x, part.at, raw.where, "feature", part.cell_at)
    xs = {key: _fit_features(part.x, input_shape, raw) for key, part in raw.parts.items()}
    ys, strata, class_names, num_classes = _prepare_labels(raw, kind, output_shape)
    if "all" in raw.parts:
        x_train, x_test, y_train, y_test = _split(xs["all"], ys["all"], strata["all"], test_size, seed, raw.where)
    else:
        x_train, x_test, y_train, y_test = xs["train"], xs["test"], ys["train"], ys["test"]
    return Dataset(
        x_train=x_train,
        y_train=y_train,
        x_test=x_test,
        y_test=y_test,
        name=raw.name,
        feature_names=raw.feature_names,
        num_classes=num_classes,
        source=str(source),
        class_names=class_names,
        label_kind=kind,
    )


def describe(dataset: Dataset) -> str:
    """'iris: 105 train / 45 test samples, 4 features, 3 classes'."""
    shape = dataset.x_train.shape[1:]
    count = math.prod(shape)
    features = _plural(count, "feature")
    if len(shape) > 1:
        features += " as " + "x".join(map(str, shape))
    if dataset.num_classes is not None:
        labels = f"{dataset.num_classes} classes"
    else:
        targets = math.prod(dataset.y_train.shape[1:])
        labels = _plural(targets, "target")
    return f"{dataset.name}: {len(dataset.x_train)} train / {len(dataset.x_test)} test samples, {features}, {labels}"


def check_validation_split(dataset: Dataset, split: float) -> None:
    """Refuse a validation split that leaves either side without a sample, before either
    framework starts: both train on the first floor(n * (1 - split)) samples, as Keras does."""
    count = len(dataset.x_train)
    if not split:
        return
    trained = math.floor(count * (1 - split))
    side = "train" if trained < 1 else "validate" if trained >= count else None
    if side is not None:
        raise DataError(
            dataset.source,
            f"fit_config.validation_split {split:g} of {_plural(count, 'training sample')} leaves none to {side}",
            "give more samples, another validation_split, or validation_split: 0",
        )


# -- reading ------------------------------------------------------------------


def _read(source: str, label: str | None) -> _Raw:
    if source in BUILTIN:
        if label is not None:
            raise DataError(source, f"label={label!r} applies to CSV files only")
        return _read_builtin(source)
    path = Path(source)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".npz"):
        raise DataError(source, "unknown data source", "give 'iris', 'digits', a .csv file or a .npz file")
    if not path.exists():
        raise DataError(source, "no such file")
    if not path.is_file():
        raise DataError(source, "is not a file")
    if suffix == ".npz":
        if label is not None:
            raise DataError(source, f"label={label!r} applies to CSV files only; an .npz file names its arrays x and y")
        return _read_npz(path, source)
    return _read_csv(path, source, label)


def _read_builtin(name: str) -> _Raw:
    try:
        from sklearn import datasets
    except ImportError as error:
        raise DataError(name, "needs scikit-learn", "pip install scikit-learn") from error
    bunch = datasets.load_iris() if name == "iris" else datasets.load_digits()
    part = _Part(bunch.data, bunch.target, lambda i: f"sample {i}", lambda i: f"label of sample {i}")
    return _Raw(
        name=name,
        where=name,
        parts={"all": part},
        feature_names=[str(f) for f in bunch.feature_names],
        class_names=[str(c) for c in bunch.target_names],
    )


MAX_CSV_BYTES = 256 * 1024**2
"""A CSV is parsed cell by cell into Python strings, some 20 times its size in memory:
past this it is refused before reading (an .npz of the same data is read as arrays)."""


def _read_text(path: Path, where: str) -> str:
    size = path.stat().st_size
    if size > MAX_CSV_BYTES:
        raise DataError(
            where,
            f"is {size:,} bytes, more than the {MAX_CSV_BYTES:,} nnspec reads from a CSV",
            "save the data as arrays with numpy.savez and pass the .npz file",
        )
    try:
        return path.read_text(encoding="utf-8-sig")  # -sig: drop the BOM spreadsheets write
    except UnicodeDecodeError as error:
        raise DataError(where, f"is not UTF-8 text (byte {error.start})", "save the CSV as UTF-8") from error
    except OSError as error:
        raise DataError(where, f"cannot be read: {error.strerror or error}") from error


def _read_csv(path: Path, where: str, label: str | None) -> _Raw:
    reader = csv.reader(io.StringIO(_read_text(path, where), newline=""))
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []  # the file row of each data row: spreadsheet numbering, the header is row 1
    try:
        for cells in reader:
            if not cells:  # a blank line
                continue
            if header is None:
                header = [c.strip() for c in cells]
                continue
            if len(cells) != len(header):
                raise DataError(
                    where,
                    f"row {reader.line_num} has {len(cells)} cells but the header has {len(header)} columns",
                    "every row needs one value per column (a stray or missing comma?)",
                )
            rows.append(cells)
            lines.append(reader.line_num)
    except csv.Error as error:
        raise DataError(where, f"row {reader.line_num} is not valid CSV: {error}") from error
    if header is None:
        raise DataError(where, "is empty", "a CSV needs a header row and one row per sample")
    if all(_number(cell) is not None for cell in header):
        raise DataError(where, "row 1 is numbers, not a header", "add a header row naming the columns: x1,x2,label")
    if not rows:
        raise DataError(where, "has a header but no data rows")
    if len(header) < 2:
        raise DataError(where, "has one column; it needs feature columns and a label column")
    names = [name or f"column {i + 1}" for i, name in enumerate(header)]
    target, note = _label_column(names, label, where)
    columns = [i for i in range(len(names)) if i != target]

    def cell_at(row: int, column: int) -> str:
        return f"row {lines[row]}, column {column + 1} {names[column]!r}"

    x = _parse_features(rows, columns, where, cell_at)
    y_cells = [row[target].strip() for row in rows]
    for i, cell in enumerate(y_cells):
        if not cell:
            raise DataError(where, f"{cell_at(i, target)} is empty", "every sample needs a label")
    numbers = [_number(cell) for cell in y_cells]
    y = np.array(numbers, dtype=np.float64) if None not in numbers else np.array(y_cells)
    part = _Part(x, y, lambda i: f"row {lines[i]}", lambda i: cell_at(i, target), lambda i, k: cell_at(i, columns[k]))
    feature_names = [names[i] for i in columns]
    return _Raw(name=path.stem, where=where, parts={"all": part}, feature_names=feature_names, label_note=note)


def _label_column(names: list[str], label: str | None, where: str) -> tuple[int, str]:
    """The label column's index, and a note saying which one it is and why."""
    lowered = [name.lower() for name in names]
    if label is not None:
        found = [i for i, name in enumerate(names) if name == label] or [
            i for i, name in enumerate(lowered) if name == label.lower()
        ]
        if not found:
            close = difflib.get_close_matches(label, names, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"the columns are {', '.join(map(repr, names))}"
            raise DataError(where, f"has no column {label!r}", hint)
        choice, why = found[0], "as asked"
    else:
        preferred = [lowered.index(name) for name in LABEL_COLUMNS if name in lowered]
        choice, why = (preferred[0], "by its name") if preferred else (len(names) - 1, "the last column")
    if lowered.count(lowered[choice]) > 1:
        raise DataError(where, f"has more than one column named {names[choice]!r}", "give each column its own name")
    return choice, f"the label column is {names[choice]!r} ({why})"


def _number(cell: str) -> float | None:
    try:
        return float(cell)
    except ValueError:
        return None


def _parse_features(
    rows: list[list[str]], columns: list[int], where: str, cell_at: Callable[[int, int], str]
) -> np.ndarray:
    table = [[row[j] for j in columns] for row in rows]
    try:
        return np.asarray(table, dtype=np.float64)  # fast path; the slow one below finds the bad cell
    except ValueError:
        pass
    values = np.empty((len(rows), len(columns)), dtype=np.float64)
    for i, row in enumerate(table):
        for k, cell in enumerate(row):
            number = _number(cell)
            if number is None:
                what = "is empty" if not cell.strip() else f"is {cell.strip()!r}, not a number"
                raise DataError(
                    where,
                    f"{cell_at(i, columns[k])} {what}",
                    "every feature must be a number; encode categories as numbers or drop the column",
                )
            values[i, k] = number
    return values


def _read_npz(path: Path, where: str) -> _Raw:
    arrays = _npz_arrays(path, where)
    by_name = {}
    for key in sorted(arrays, key=lambda k: k != k.lower()):  # 'x' wins over 'X' where both exist
        by_name.setdefault(key.lower(), key)
    split = ("x_train", "y_train", "x_test", "y_test")
    present = [name for name in split if name in by_name]
    found = ", ".join(map(repr, sorted(arrays))) or "no arrays"
    expected = "arrays 'x' and 'y' (split 7:3 here), or 'x_train', 'y_train', 'x_test', 'y_test'"
    if present and len(present) < len(split):
        missing = ", ".join(repr(name) for name in split if name not in by_name)
        raise DataError(where, f"has {found} but lacks {missing}", f"an .npz file holds {expected}")
    keys = {"train": split[:2], "test": split[2:]} if present else {"all": ("x", "y")}
    if not present and not {"x", "y"} <= by_name.keys():
        raise DataError(where, f"has {found} but not 'x' and 'y'", f"an .npz file holds {expected}")
    parts = {}
    for part, (x_name, y_name) in keys.items():
        x_key, y_key = by_name[x_name], by_name[y_name]
        parts[part] = _npz_part(arrays[x_key], arrays[y_key], x_key, y_key, where)
    return _Raw(name=path.stem, where=where, parts=parts)


MAX_DATA_BYTES = 4 * 1024**3
"""The arrays of an .npz file, inflated: past this a file is a mistake or a zip bomb, and
is refused from the sizes its zip directory declares, before anything is inflated."""

_NPY_HEADERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}
"""The .npy header versions numpy writes for numeric and text arrays (3.0 only adds
non-Latin-1 field names of structured arrays)."""


def _npz_arrays(path: Path, where: str) -> dict[str, np.ndarray]:
    """Every array of an .npz file, each member's header checked before its data is read:
    nothing is allocated past what the file can hold, and no pickle is ever loaded."""
    if not zipfile.is_zipfile(path):  # checked first: np.load would take any other bytes for a pickle
        raise DataError(where, "is not an .npz file (a zip of .npy arrays)", "write it with numpy.savez")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            inflated = sum(member.file_size for member in members)
            if inflated > MAX_DATA_BYTES:
                raise DataError(
                    where,
                    f"its arrays would take {inflated:,} bytes once inflated, more than the {MAX_DATA_BYTES:,} "
                    "nnspec reads",
                    "train on a smaller sample, or from your own data loader in the generated training script",
                )
            return {_npz_key(member, where): _npz_member(archive, member, where) for member in members}
    except (OSError, EOFError, zipfile.BadZipFile) as error:
        raise DataError(where, f"is not a readable .npz file: {error}") from error


def _npz_key(member: zipfile.ZipInfo, where: str) -> str:
    if member.is_dir() or not member.filename.endswith(".npy"):
        raise DataError(
            where, f"member {member.filename!r} is not a .npy array", "an .npz file is written by numpy.savez"
        )
    return member.filename[: -len(".npy")]


def _npz_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, where: str) -> np.ndarray:
    name = member.filename
    with archive.open(member) as stream:
        try:
            read_header = _NPY_HEADERS.get(np.lib.format.read_magic(stream))
            if read_header is None:
                raise ValueError("an .npy version numpy does not write for plain arrays")
            shape, fortran, dtype = read_header(stream)
        except ValueError as error:
            raise DataError(where, f"member {name!r} is not a readable .npy array ({error})") from error
        if dtype.hasobject:
            raise DataError(where, f"{name!r} holds Python objects", "save plain numeric arrays with numpy.savez")
        size, held = math.prod(shape) * dtype.itemsize, member.file_size - stream.tell()
        if size > held:  # the header's shape is a claim: the member must hold the bytes
            raise DataError(
                where,
                f"{name!r} claims shape {shape} of {dtype} ({size:,} bytes) but holds {held:,} bytes",
                "the file is truncated or forged; write it again with numpy.savez",
            )
        array = np.empty(shape, dtype=dtype, order="F" if fortran else "C")
        view = memoryview(array.reshape(-1, order="A").view(np.uint8))  # the array's own bytes, filled in place
        filled = 0
        while filled < size:
            count = stream.readinto(view[filled:])
            if not count:
                raise DataError(where, f"{name!r} ends after {filled:,} of its {size:,} bytes", "the file is truncated")
            filled += count
    return array


def _npz_part(x: np.ndarray, y: np.ndarray, x_key: str, y_key: str, where: str) -> _Part:
    if x.ndim == 0 or y.ndim == 0:
        raise DataError(where, f"{x_key!r} and {y_key!r} must be arrays with one entry per sample, not scalars")
    if x.dtype.kind not in "biuf":
        raise DataError(where, f"{x_key!r} holds {x.dtype} values, not numbers")
    if y.dtype.kind not in "biufU":
        raise DataError(where, f"{y_key!r} holds {y.dtype} values, not numbers or class names")
    if len(x) != len(y):
        raise DataError(where, f"{x_key!r} has {len(x)} samples but {y_key!r} has {len(y)}")
    if len(x) == 0:
        raise DataError(where, f"{x_key!r} has no samples")
    x = x.reshape(len(x), -1) if x.ndim == 1 else x
    return _Part(x.astype(np.float64), y, lambda i: f"{x_key}[{i}]", lambda i: f"{y_key}[{i}]")


# -- checking -----------------------------------------------------------------


def _check_finite(
    values: np.ndarray,
    at: Callable[[int], str],
    where: str,
    what: str,
    cell_at: Callable[[int, int], str] | None = None,
) -> None:
    """Refuse NaN and inf, naming how many and the first: its sample, or its cell where the file has columns."""
    with np.errstate(over="ignore"):  # float32 is what training sees: 1e39 becomes inf, and is counted
        bad = ~np.isfinite(values.astype(np.float32))
    count = int(bad.sum())
    if count:
        first = np.argwhere(bad)[0]
        place = cell_at(int(first[0]), int(first[1])) if cell_at and values.ndim == 2 else at(int(first[0]))
        raise DataError(
            where,
            f"{count} {what} value{'s are' if count > 1 else ' is'} NaN or infinite (or too large for float32), "
            f"the first in {place}",
            "fill or drop the missing values before training",
        )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def _units(shape: Shape) -> int:
    return shape[-1] if len(shape) > 1 and shape[-1] is not None else 1


def _shape_text(shape: Shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _fit_features(x: np.ndarray, input_shape: Shape, raw: _Raw) -> np.ndarray:
    """Reshape (n, ...) features to the model's input (None, ...); refuse when the sizes differ."""
    dims = tuple(input_shape[1:])
    have = math.prod(x.shape[1:])
    known = math.prod(d for d in dims if d is not None)
    free = sum(d is None for d in dims)
    if free == 0 and known == have:
        return x.reshape((len(x), *dims)).astype(np.float32)
    if free == 1 and known and have % known == 0:  # one open axis (a sequence length): it takes the rest
        return x.reshape((len(x), *(-1 if d is None else d for d in dims))).astype(np.float32)
    if free > 1 and x.ndim == len(input_shape) and all(d in (None, s) for d, s in zip(dims, x.shape[1:], strict=True)):
        return x.astype(np.float32)
    need = f"{known} per sample" if free == 0 else f"a multiple of {known} per sample" if free == 1 else "other shapes"
    image = " (8x8 images)" if raw.name == "digits" else ""
    model = f"the model's input {_shape_text(input_shape)} takes {need}"
    message = f"each sample has {_plural(have, 'feature value')}{image} but {model}"
    if raw.name == "digits":
        hint = (
            "the digits set is 8x8 images, not MNIST's 28x28: use a digits-sized spec (input shape (8, 8) or (64,)), "
            "or reshape your own data to fit the model"
        )
    else:
        hint = f"give the spec an input shape of {_plural(have, 'value')}, e.g. ({have},), or reshape the data to fit"
        if raw.label_note:
            hint = f"{raw.label_note}; {hint}"
    raise DataError(raw.where, message, hint)


def _prepare_labels(
    raw: _Raw, kind: LabelKind, output_shape: Shape
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray | None], list[str] | None, int | None]:
    """Labels in the form `kind` trains on, the class index of each sample (for stratifying), class names, classes."""
    units = _units(output_shape)
    class_names = raw.class_names
    if any(part.y.dtype.kind == "U" for part in raw.parts.values()):
        class_names = _text_classes(raw, kind, units)
    ys: dict[str, np.ndarray] = {}
    strata: dict[str, np.ndarray | None] = {}
    for key, part in raw.parts.items():
        y = part.y if part.y.dtype.kind != "U" else np.searchsorted(class_names, part.y)
        _check_finite(y, part.label_at, raw.where, "label")
        if kind == "regression" or (kind == "binary" and units > 1):
            ys[key] = _targets(y, part, output_shape, raw.where, kind)
            strata[key] = None
        elif kind == "categorical" and y.ndim == 2 and y.shape[1] > 1:
            ys[key] = _one_hot_given(y, part, units, raw.where)
            strata[key] = ys[key].argmax(axis=1)
        else:
            indices = _class_indices(y, part, kind, units, raw.where)
            strata[key] = indices
            if kind == "sparse":
                ys[key] = indices
            elif kind == "categorical":
                ys[key] = np.eye(units, dtype=np.float32)[indices]
            else:
                ys[key] = indices.astype(np.float32).reshape(len(indices), *(d or 1 for d in output_shape[1:]))
    num_classes = None if kind == "regression" or (kind == "binary" and units > 1) else 2 if kind == "binary" else units
    if class_names is not None and num_classes is None:
        class_names = None
    return ys, strata, class_names, num_classes


def _text_classes(raw: _Raw, kind: LabelKind, units: int) -> list[str]:
    """Sorted class names of text labels, refused where the loss wants numbers or the output is too small."""
    first = next(part for part in raw.parts.values() if part.y.dtype.kind == "U")
    if kind == "regression" or (kind == "binary" and units > 1):
        number = [_number(str(v)) for v in first.y]
        bad = number.index(None) if None in number else 0
        raise DataError(
            raw.where,
            f"{first.label_at(bad)} is {str(first.y[bad])!r}: this loss needs numeric targets",
            "class names suit a classification loss such as sparse_categorical_crossentropy",
        )
    names = sorted({str(v) for part in raw.parts.values() for v in part.y})
    limit = 2 if kind == "binary" else units
    if len(names) > limit:
        shown = ", ".join(map(repr, names[:8])) + (", ..." if len(names) > 8 else "")
        output = "one output unit (binary_crossentropy: 2 classes)" if kind == "binary" else f"{units} output units"
        raise DataError(
            raw.where,
            f"the labels name {len(names)} classes ({shown}) but the model has {output}",
            f"give the output layer {len(names)} units with sparse_categorical_crossentropy",
        )
    return names


def _class_indices(y: np.ndarray, part: _Part, kind: LabelKind, units: int, where: str) -> np.ndarray:
    """One class index per sample, each a whole number in [0, units) (0/1 for binary)."""
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        look = "they look one-hot; use categorical_crossentropy" if kind == "sparse" else "give one label per sample"
        raise DataError(where, f"labels have shape {y.shape[1:]} per sample: {look}, or one class index per sample")
    whole = y == np.round(y)
    if not whole.all():
        bad = int(np.argmin(whole))
        raise DataError(where, f"{part.label_at(bad)} is {y[bad]:g}, not a whole class index")
    top = 2 if kind == "binary" else units
    inside = (y >= 0) & (y < top)
    if not inside.all():
        bad = int(np.argmin(inside))
        if kind == "binary":
            message = f"{part.label_at(bad)} is {y[bad]:g}; binary_crossentropy needs labels 0 or 1"
            hint = "for more than two classes use sparse_categorical_crossentropy with one unit per class"
        else:
            message = f"{part.label_at(bad)} is {y[bad]:g}, outside 0..{units - 1} for an output layer of {units} units"
            hint = _class_range_hint(y, units)
        raise DataError(where, message, hint)
    return y.astype(np.int64)


MAX_SUGGESTED_UNITS = 100_000
"""A hint never tells anyone to give a layer more units than this (a label of 1e30 is a
mistake in the data, not a model with 10**30 classes)."""


def _class_range_hint(y: np.ndarray, units: int) -> str:
    relabel = f"relabel the classes 0..{units - 1}"
    if y.min() == 1 and y.max() == units:
        return "the labels seem to count from 1: subtract 1"
    if y.min() < 0:
        return f"class indices count from 0: {relabel}"
    classes = int(y.max()) + 1
    if classes > MAX_SUGGESTED_UNITS:
        return f"{relabel}; a class index of {y.max():g} looks like a mistake in the data"
    return f"give the output layer {classes} units, or {relabel}"


def _one_hot_given(y: np.ndarray, part: _Part, units: int, where: str) -> np.ndarray:
    if y.shape[1] != units:
        raise DataError(
            where, f"labels have {y.shape[1]} columns but the output layer has {units} units", "make the two agree"
        )
    valid = (y >= 0).all(axis=1) & (y <= 1).all(axis=1) & np.isclose(y.sum(axis=1), 1.0)
    if not valid.all():
        bad = int(np.argmin(valid))
        raise DataError(
            where,
            f"{part.label_at(bad)} is not one-hot (values in [0, 1] summing to 1)",
            "give class indices instead, or one-hot rows",
        )
    return y.astype(np.float32)


def _targets(y: np.ndarray, part: _Part, output_shape: Shape, where: str, kind: LabelKind) -> np.ndarray:
    """Float targets shaped like the output: (n, 1) for one unit, so torch never broadcasts (n,) against (n, 1)."""
    dims = tuple(d or 1 for d in output_shape[1:]) if any(d is None for d in output_shape[1:]) else output_shape[1:]
    need, have = math.prod(dims), math.prod(y.shape[1:])
    if need != have:
        hint = "multi-label binary_crossentropy needs one 0/1 column per output unit" if kind == "binary" else None
        raise DataError(
            where,
            f"each label has {_plural(have, 'value')} but the model's output {_shape_text(output_shape)} has {need}",
            hint or "make the output layer's units match the targets",
        )
    if kind == "binary":
        flat = y.reshape(len(y), -1)
        valid = np.isin(flat, (0, 1)).all(axis=1)
        if not valid.all():
            bad = int(np.argmin(valid))
            raise DataError(where, f"{part.label_at(bad)} holds values other than 0 and 1 (binary_crossentropy)")
    return y.reshape((len(y), *dims)).astype(np.float32)


def _split(
    x: np.ndarray, y: np.ndarray, strata: np.ndarray | None, test_size: float, seed: int, where: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """sklearn's train_test_split, stratified by class wherever every class can appear on both sides."""
    n = len(x)
    n_test = math.ceil(n * test_size)  # sklearn's own rounding
    if n_test < 1 or n - n_test < 1:
        raise DataError(
            where,
            f"has only {_plural(n, 'sample')}: too few to split {1 - test_size:.0%}/{test_size:.0%} into train/test",
            "at least 2 samples are needed, and far more to learn anything",
        )
    stratify = None
    if strata is not None:
        _, counts = np.unique(strata, return_counts=True)
        if counts.min() >= 2 and min(n_test, n - n_test) >= len(counts):
            stratify = strata
    try:
        from sklearn.model_selection import train_test_split
    except ImportError as error:
        raise DataError(where, "splitting needs scikit-learn", "pip install scikit-learn") from error
    try:
        train, test = train_test_split(np.arange(n), test_size=test_size, random_state=seed, stratify=stratify)
    except ValueError as error:
        raise DataError(where, f"cannot be split into train and test: {error}") from error
    return x[train], x[test], y[train], y[test]
