"""Training data: the course's sets, the user's CSV and NPZ files, and every way they can be wrong.

Each bad file is written into tmp_path and must fail as a DataError that names the
place (row and column where there is one) before any training could start."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest

from nnspec.compiler.training.datasets import DataError, Dataset, describe, label_kind, load_dataset

SPARSE = "sparse_categorical_crossentropy"
IRIS_IN, IRIS_OUT = (None, 4), (None, 3)


def write(tmp_path: Path, text: str, name: str = "data.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def refused(source: str, *fragments: str, input_shape=IRIS_IN, output_shape=IRIS_OUT, loss=SPARSE, **options) -> str:
    """Load, expect a DataError whose message holds every fragment, and return the message."""
    with pytest.raises(DataError) as caught:
        load_dataset(source, input_shape, output_shape, loss, **options)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


def csv_of(rows: int, labels=("a", "b", "c")) -> str:
    """A small, valid CSV: two features and a text label, `rows` rows."""
    lines = ["f1,f2,label"] + [f"{i},{i * 0.5},{labels[i % len(labels)]}" for i in range(rows)]
    return "\n".join(lines) + "\n"


# -- the course's sets ---------------------------------------------------------


@pytest.fixture(scope="module")
def iris() -> Dataset:
    return load_dataset("iris", IRIS_IN, IRIS_OUT, SPARSE)


def test_iris_splits_7_to_3_stratified(iris: Dataset) -> None:
    assert iris.x_train.shape == (105, 4) and iris.x_test.shape == (45, 4)
    assert iris.x_train.dtype == np.float32 and iris.y_train.dtype == np.int64 and iris.y_train.shape == (105,)
    assert iris.num_classes == 3 and iris.label_kind == "sparse"
    assert iris.class_names == ["setosa", "versicolor", "virginica"]
    assert iris.feature_names is not None and len(iris.feature_names) == 4
    assert np.bincount(iris.y_test).tolist() == [15, 15, 15]  # stratified
    assert describe(iris) == "iris: 105 train / 45 test samples, 4 features, 3 classes"


def test_split_is_deterministic_per_seed(iris: Dataset) -> None:
    again = load_dataset("iris", IRIS_IN, IRIS_OUT, SPARSE)
    other = load_dataset("iris", IRIS_IN, IRIS_OUT, SPARSE, seed=1)
    assert np.array_equal(again.x_train, iris.x_train) and np.array_equal(again.y_test, iris.y_test)
    assert not np.array_equal(other.x_train, iris.x_train)
    all_rows = np.concatenate([other.x_train, other.x_test])
    assert sorted(map(tuple, all_rows)) == sorted(map(tuple, np.concatenate([iris.x_train, iris.x_test])))


def test_iris_one_hot_for_categorical_crossentropy() -> None:
    data = load_dataset("iris", IRIS_IN, IRIS_OUT, "CategoricalCrossentropy")
    assert data.y_train.shape == (105, 3) and data.y_train.dtype == np.float32
    assert (data.y_train.sum(axis=1) == 1).all() and data.num_classes == 3


@pytest.mark.parametrize("shape", [(None, 8, 8), (None, 64)])
def test_digits_fit_the_input_shape(shape: tuple) -> None:
    data = load_dataset("digits", shape, (None, 10), SPARSE)
    assert data.x_train.shape == (1257, *shape[1:]) and data.x_test.shape == (540, *shape[1:])
    assert data.num_classes == 10 and data.class_names == [str(i) for i in range(10)]
    assert describe(data).startswith("digits: 1257 train / 540 test samples, 64 features")


def test_digits_8x8_rows_stay_rows() -> None:
    flat = load_dataset("digits", (None, 64), (None, 10), SPARSE)
    square = load_dataset("digits", (None, 8, 8), (None, 10), SPARSE)
    assert np.array_equal(square.x_train.reshape(-1, 64), flat.x_train)


def test_mnist_shaped_spec_refuses_digits() -> None:
    message = refused("digits", "64", "784", "(None, 28, 28)", input_shape=(None, 28, 28), output_shape=(None, 10))
    assert "digits-sized spec" in message and "reshape" in message


def test_too_few_output_units_for_the_classes() -> None:
    hint = "give the output layer 3 units"
    refused("iris", "label of sample", "outside 0..1", "2 units", hint, output_shape=(None, 2))


@pytest.mark.parametrize(
    ("label", "hint"),
    [
        ("1e30", "relabel the classes 0..2; a class index of 1e+30 looks like a mistake in the data"),
        ("-1", "class indices count from 0: relabel the classes 0..2"),
        ("7", "give the output layer 8 units, or relabel the classes 0..2"),
    ],
)
def test_a_hint_never_suggests_an_absurd_fix(tmp_path: Path, label: str, hint: str) -> None:
    """No 'give the output layer 1000000000000000019884624838657 units', nor 3 units to a layer of 3."""
    path = write(tmp_path, f"f1,f2,label\n1,2,0\n3,4,{label}\n5,6,1\n")
    message = refused(path, "row 3, column 3 'label'", hint, input_shape=(None, 2))
    assert "give the output layer 1000" not in message


# -- label kinds -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("loss", "output", "kind"),
    [
        ("sparse_categorical_crossentropy", (None, 3), "sparse"),
        ("SparseCategoricalCrossentropy", (None, 3), "sparse"),
        ("categorical_crossentropy", (None, 3), "categorical"),
        ("binary_crossentropy", (None, 1), "binary"),
        ("mse", (None, 1), "regression"),
        ("Huber", (None, 2), "regression"),
        (None, (None, 3), "sparse"),
        (None, (None, 1), "regression"),
    ],
)
def test_label_kind(loss: str | None, output: tuple, kind: str) -> None:
    assert label_kind(loss, output) == kind


def test_unknown_loss_suggests_the_name() -> None:
    with pytest.raises(DataError, match="did you mean 'sparse_categorical_crossentropy'"):
        label_kind("sparse_categorical_crosentropy", (None, 3))


# -- CSV: happy paths ----------------------------------------------------------


def test_csv_text_labels_map_to_sorted_classes(tmp_path: Path) -> None:
    source = write(tmp_path, csv_of(30, labels=("virginica", "setosa", "versicolor")))
    data = load_dataset(source, (None, 2), (None, 3), SPARSE)
    assert data.class_names == ["setosa", "versicolor", "virginica"]
    assert data.feature_names == ["f1", "f2"] and data.name == "data" and data.source == source
    assert len(data.x_train) == 21 and len(data.x_test) == 9
    x, y = np.concatenate([data.x_train, data.x_test]), np.concatenate([data.y_train, data.y_test])
    by_f1 = dict(zip(x[:, 0], y, strict=True))
    assert by_f1[0.0] == 2 and by_f1[1.0] == 0 and by_f1[2.0] == 1  # virginica, setosa, versicolor


def test_csv_label_column_by_name_anywhere(tmp_path: Path) -> None:
    rows = "\n".join(f"{i % 2},{i},{i * 2}" for i in range(20))
    source = write(tmp_path, "Target,a,b\n" + rows + "\n")
    data = load_dataset(source, (None, 2), (None, 2), SPARSE)
    assert data.feature_names == ["a", "b"] and set(data.y_train.tolist()) == {0, 1}


def test_csv_label_argument_wins(tmp_path: Path) -> None:
    rows = "\n".join(f"{i % 3},{i},{i % 2}" for i in range(20))
    source = write(tmp_path, "kind,x,label\n" + rows + "\n")
    data = load_dataset(source, (None, 2), (None, 3), SPARSE, label="kind")
    assert data.feature_names == ["x", "label"] and set(data.y_train.tolist()) == {0, 1, 2}


def test_csv_last_column_is_the_default_label(tmp_path: Path) -> None:
    rows = "\n".join(f"{i},{i + 1},{i % 2}" for i in range(20))
    source = write(tmp_path, "\ufeffwidth,height,good\n\n" + rows + "\n\n")  # a BOM and blank lines are harmless
    data = load_dataset(source, (None, 2), (None, 1), "binary_crossentropy")
    assert data.feature_names == ["width", "height"]
    assert data.y_train.shape == (14, 1) and data.y_train.dtype == np.float32 and data.num_classes == 2


def test_csv_regression_targets_shaped_like_the_output(tmp_path: Path) -> None:
    rows = "\n".join(f"{i},{i * 1.5 + 2}" for i in range(10))
    data = load_dataset(write(tmp_path, "x,y\n" + rows + "\n"), (None, 1), (None, 1), "mse")
    assert data.y_train.shape == (7, 1) and data.y_train.dtype == np.float32 and data.num_classes is None
    assert describe(data) == "data: 7 train / 3 test samples, 1 feature, 1 target"


def test_small_classes_still_split(tmp_path: Path) -> None:
    rows = "x,label\n1,a\n2,a\n3,a\n4,b\n5,b\n6,c\n"  # 'c' has one sample: no stratification possible
    data = load_dataset(write(tmp_path, rows), (None, 1), (None, 3), SPARSE)
    assert len(data.x_train) + len(data.x_test) == 6


# -- CSV: bad data -------------------------------------------------------------


def test_csv_non_numeric_cell(tmp_path: Path) -> None:
    source = write(tmp_path, "f1,f2,label\n1,2,a\n3,abc,b\n")
    refused(source, source, "row 3, column 2 'f2'", "'abc', not a number", input_shape=(None, 2))


def test_csv_empty_cell(tmp_path: Path) -> None:
    source = write(tmp_path, "f1,f2,label\n1,2,a\n3,4,b\n,5,c\n")
    refused(source, "row 4, column 1 'f1' is empty", input_shape=(None, 2))


def test_csv_empty_label(tmp_path: Path) -> None:
    source = write(tmp_path, "f1,f2,label\n1,2,a\n3,4, \n")
    refused(source, "row 3, column 3 'label' is empty", input_shape=(None, 2))


def test_csv_ragged_row(tmp_path: Path) -> None:
    source = write(tmp_path, "f1,f2,label\n1,2,a\n3,4,b\n5,c\n")
    refused(source, "row 4 has 2 cells but the header has 3 columns", input_shape=(None, 2))


@pytest.mark.parametrize("text", ["", "\n\n"])
def test_csv_empty_file(tmp_path: Path, text: str) -> None:
    refused(write(tmp_path, text), "is empty")


def test_csv_header_only(tmp_path: Path) -> None:
    refused(write(tmp_path, "f1,f2,label\n"), "no data rows")


def test_csv_without_header(tmp_path: Path) -> None:
    refused(write(tmp_path, "1,2,0\n3,4,1\n"), "row 1 is numbers, not a header", "add a header row")


def test_csv_nan_and_inf_counted(tmp_path: Path) -> None:
    source = write(tmp_path, "f1,f2,label\n1,2,a\n3,nan,b\n5,6,a\ninf,1e39,b\n")
    refused(source, "3 feature values are NaN or infinite", "row 3, column 2 'f2'", input_shape=(None, 2))


def test_csv_nan_label_in_regression(tmp_path: Path) -> None:
    source = write(tmp_path, "x,y\n1,2\n2,nan\n3,4\n")
    shapes = {"input_shape": (None, 1), "output_shape": (None, 1)}
    refused(source, "1 label value is NaN or infinite", "row 3", loss="mse", **shapes)


def test_csv_missing_file(tmp_path: Path) -> None:
    source = str(tmp_path / "absent.csv")
    refused(source, source, "no such file")


def test_csv_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("f1,label\n1,caf\xe9\n".encode("latin-1"))
    refused(str(path), "is not UTF-8", input_shape=(None, 1))


def test_csv_wrong_feature_count_names_the_label_column(tmp_path: Path) -> None:
    source = write(tmp_path, csv_of(10))
    message = refused(source, "each sample has 2 feature values", "takes 4 per sample")
    assert "the label column is 'label'" in message


def test_csv_labels_out_of_range_counting_from_one(tmp_path: Path) -> None:
    rows = "\n".join(f"{i},{i % 3 + 1}" for i in range(9))
    source = write(tmp_path, "x,label\n" + rows + "\n")
    refused(source, "row 4, column 2 'label' is 3, outside 0..2", "subtract 1", input_shape=(None, 1))


def test_csv_fractional_class_label(tmp_path: Path) -> None:
    source = write(tmp_path, "x,label\n1,0\n2,1.5\n3,2\n")
    refused(source, "row 3, column 2 'label' is 1.5, not a whole class index", input_shape=(None, 1))


def test_csv_binary_labels_must_be_0_or_1(tmp_path: Path) -> None:
    source = write(tmp_path, "x,label\n1,0\n2,1\n3,2\n")
    shapes = {"input_shape": (None, 1), "output_shape": (None, 1)}
    refused(source, "row 4, column 2 'label' is 2", "needs labels 0 or 1", loss="binary_crossentropy", **shapes)


def test_csv_more_text_classes_than_units(tmp_path: Path) -> None:
    source = write(tmp_path, csv_of(12, labels=("a", "b", "c", "d")))
    refused(source, "4 classes ('a', 'b', 'c', 'd')", "3 output units", input_shape=(None, 2))


def test_csv_text_targets_for_regression(tmp_path: Path) -> None:
    source = write(tmp_path, csv_of(6))
    shapes = {"input_shape": (None, 2), "output_shape": (None, 1)}
    refused(source, "row 2, column 3 'label' is 'a'", "numeric targets", loss="mse", **shapes)


def test_csv_unknown_label_column(tmp_path: Path) -> None:
    refused(write(tmp_path, csv_of(6)), "has no column 'lable'", "did you mean 'label'", label="lable")


def test_csv_too_small_to_split(tmp_path: Path) -> None:
    refused(write(tmp_path, "f1,f2,label\n1,2,a\n"), "has only 1 sample: too few to split", input_shape=(None, 2))


def test_unknown_source(tmp_path: Path) -> None:
    refused("mnist", "unknown data source", "'iris', 'digits'")
    refused(write(tmp_path, "x", name="data.txt"), "unknown data source")


# -- NPZ -----------------------------------------------------------------------


def test_npz_unsplit_is_split_here(tmp_path: Path) -> None:
    path = tmp_path / "blobs.npz"
    rng = np.random.default_rng(0)
    np.savez(path, X=rng.normal(size=(40, 3, 2)), y=np.arange(40) % 2)
    data = load_dataset(str(path), (None, 6), (None, 2), SPARSE)
    assert data.x_train.shape == (28, 6) and data.x_test.shape == (12, 6) and data.name == "blobs"
    assert data.feature_names is None and np.bincount(data.y_test).tolist() == [6, 6]


def test_npz_presplit_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "split.npz"
    x_train, x_test = np.arange(20.0).reshape(10, 2), -np.arange(8.0).reshape(4, 2)
    np.savez(path, x_train=x_train, y_train=np.arange(10) % 3, x_test=x_test, y_test=np.array([0, 1, 2, 0]))
    data = load_dataset(str(path), (None, 2), (None, 3), "categorical_crossentropy")
    assert np.array_equal(data.x_train, x_train) and np.array_equal(data.x_test, x_test)
    assert data.y_test.tolist() == np.eye(3)[[0, 1, 2, 0]].tolist()


def test_npz_one_hot_labels(tmp_path: Path) -> None:
    path = tmp_path / "onehot.npz"
    np.savez(path, x=np.ones((10, 2)), y=np.eye(3)[np.arange(10) % 3])
    data = load_dataset(str(path), (None, 2), (None, 3), "categorical_crossentropy")
    assert data.y_train.shape == (7, 3)
    refused(str(path), "look one-hot; use categorical_crossentropy", input_shape=(None, 2))


def test_npz_text_labels(tmp_path: Path) -> None:
    path = tmp_path / "names.npz"
    np.savez(path, x=np.ones((10, 2)), y=np.array(["cat", "dog"] * 5))
    data = load_dataset(str(path), (None, 2), (None, 2), SPARSE)
    assert data.class_names == ["cat", "dog"]


def test_npz_lacking_arrays(tmp_path: Path) -> None:
    path = tmp_path / "bad.npz"
    np.savez(path, features=np.ones((4, 2)), y=np.zeros(4))
    refused(str(path), "has 'features', 'y' but not 'x' and 'y'")
    np.savez(path, x_train=np.ones((4, 2)), y_train=np.zeros(4), x_test=np.ones((2, 2)))
    refused(str(path), "lacks 'y_test'")


def test_npz_lengths_differ(tmp_path: Path) -> None:
    path = tmp_path / "bad.npz"
    np.savez(path, x=np.ones((4, 2)), y=np.zeros(3))
    refused(str(path), "'x' has 4 samples but 'y' has 3", input_shape=(None, 2))


def test_npz_nan_names_the_sample(tmp_path: Path) -> None:
    path = tmp_path / "bad.npz"
    x = np.ones((6, 2))
    x[4, 1] = x[5, 0] = np.nan
    np.savez(path, x=x, y=np.zeros(6))
    refused(str(path), "2 feature values are NaN", "x[4]", input_shape=(None, 2))


def test_npz_objects_and_garbage_refused(tmp_path: Path) -> None:
    path = tmp_path / "objects.npz"
    np.savez(path, x=np.array([[1], "a"], dtype=object), y=np.zeros(2))
    refused(str(path), "holds Python objects")
    path.write_bytes(b"not a zip at all")
    refused(str(path), "is not an .npz file")
    path.write_bytes(b"")
    refused(str(path), "is not an .npz file")


def test_every_data_error_is_a_value_error() -> None:
    assert issubclass(DataError, ValueError)


def test_npz_label_problems_name_the_label_array(tmp_path: Path) -> None:
    path = tmp_path / "bad.npz"
    y = np.zeros(6)
    y[2] = np.inf
    np.savez(path, x=np.ones((6, 2)), y=y)
    refused(str(path), "1 label value is NaN or infinite", "the first in y[2]", input_shape=(None, 2))


def _npz_with(path: Path, members: dict[str, bytes], compress: int = zipfile.ZIP_STORED) -> str:
    with zipfile.ZipFile(path, "w", compression=compress) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return str(path)


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def test_npz_members_that_are_not_npy_arrays_are_refused(tmp_path: Path) -> None:
    y = _npy(np.zeros(4))
    refused(_npz_with(tmp_path / "a.npz", {"x.npy": b"not an array", "y.npy": y}), "member 'x.npy' is not a readable")
    refused(_npz_with(tmp_path / "b.npz", {"x.txt": b"1,2", "y.npy": y}), "member 'x.txt' is not a .npy array")
    refused(_npz_with(tmp_path / "c.npz", {"x.npy": _npy(np.ones((4, 2)))[:-8], "y.npy": y}), "'x.npy' claims shape")


def test_npz_header_claiming_more_than_the_file_holds_is_refused_before_allocating(tmp_path: Path) -> None:
    """A header is a claim: 10**12 elements in a member of a few bytes is refused, not allocated."""
    forged = _header_of({"descr": "<f8", "fortran_order": False, "shape": (10**6, 10**6)}) + bytes(64)
    path = _npz_with(tmp_path / "forged.npz", {"x.npy": forged, "y.npy": _npy(np.zeros(10**6))})
    refused(path, "'x.npy' claims shape (1000000, 1000000) of float64 (8,000,000,000,000 bytes) but holds")


def _header_of(fields: dict[str, object]) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, fields)
    return buffer.getvalue()


def test_npz_inflating_past_the_limit_is_refused_before_inflating(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sizes the zip directory declares are summed first (the limit lowered to keep the file small)."""
    from nnspec.compiler.training import datasets

    monkeypatch.setattr(datasets, "MAX_DATA_BYTES", 1 << 20)
    path = tmp_path / "bomb.npz"
    np.savez_compressed(path, x=np.zeros((1 << 18, 2)), y=np.zeros(1 << 18))
    assert path.stat().st_size < 20_000
    refused(str(path), "its arrays would take 6,291,", "more than the 1,048,576 nnspec reads")


def test_a_validation_split_that_leaves_a_side_empty_is_refused() -> None:
    from nnspec.compiler.training.datasets import check_validation_split

    def dataset(samples: int) -> Dataset:
        return Dataset(np.zeros((samples, 2)), np.zeros(samples), np.zeros((1, 2)), np.zeros(1), "d", None, 2, "d.csv")

    # both frameworks train on the first floor(n * (1 - split)) samples, as Keras does
    with pytest.raises(DataError, match=r"validation_split 0.1 of 1 training sample leaves none to train"):
        check_validation_split(dataset(1), 0.1)
    with pytest.raises(DataError, match=r"validation_split 0.9 of 2 training samples leaves none to train"):
        check_validation_split(dataset(2), 0.9)
    with pytest.raises(DataError, match=r"validation_split 1e-17 of 10 training samples leaves none to validate"):
        check_validation_split(dataset(10), 1e-17)  # 10 * (1 - 1e-17) is 10.0 in floats
    check_validation_split(dataset(10), 0.05)  # 9 and 1
    check_validation_split(dataset(10), 0.1)
    check_validation_split(dataset(1), 0.0)


def test_a_csv_too_large_to_parse_is_refused_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nnspec.compiler.training import datasets

    monkeypatch.setattr(datasets, "MAX_CSV_BYTES", 100)
    path = write(tmp_path, csv_of(20))
    refused(path, "more than the 100 nnspec reads from a CSV", "numpy.savez", input_shape=(None, 2))
