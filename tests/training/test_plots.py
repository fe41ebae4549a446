"""Training curves and history files: real PNGs and JSON, written atomically."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from matplotlib.figure import Figure

from nnspec.compiler.training.plots import plot_history, save_history

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
HISTORY = {
    "loss": [1.1, 0.8, 0.6, 0.5, 0.45],
    "accuracy": [0.3, 0.5, 0.7, 0.8, 0.85],
    "val_loss": [1.2, 0.9, 0.8, 0.85, 0.9],
    "val_accuracy": [0.3, 0.5, 0.6, 0.65, 0.6],
}


def test_plot_is_a_real_png(tmp_path: Path) -> None:
    path = plot_history(HISTORY, tmp_path / "history.png", "iris (keras)")
    data = path.read_bytes()
    assert path == tmp_path / "history.png" and data[:8] == PNG_MAGIC and len(data) > 1024
    assert [p.name for p in tmp_path.iterdir()] == ["history.png"]  # no temporary file left


@pytest.mark.parametrize(
    "history",
    [
        {"loss": [3.0, 2.0, 1.0], "val_loss": [3.0, 2.5, float("nan")], "mae": [1.0, 0.5, 0.4]},  # a regressor
        {"loss": [0.5]},  # one epoch, no validation
        {},
    ],
)
def test_plot_other_histories(tmp_path: Path, history: dict) -> None:
    assert plot_history(history, tmp_path / "h.png", "run").read_bytes()[:8] == PNG_MAGIC


def test_failed_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def half_written(self: Figure, handle, **options) -> None:
        handle.write(PNG_MAGIC + b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(Figure, "savefig", half_written)
    with pytest.raises(OSError, match="disk full"):
        plot_history(HISTORY, tmp_path / "history.png", "run")
    assert list(tmp_path.iterdir()) == []


def test_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "history.png"
    path.mkdir()  # os.replace cannot put a file over a folder
    with pytest.raises(OSError):
        plot_history(HISTORY, path, "run")
    assert path.is_dir() and [p.name for p in tmp_path.iterdir()] == ["history.png"]


def test_bad_history_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="history\\['loss'\\]"):
        plot_history({"loss": ["high"]}, tmp_path / "h.png", "run")
    assert list(tmp_path.iterdir()) == []


def test_history_json_round_trip(tmp_path: Path) -> None:
    history = dict(HISTORY, val_loss=[1.0, math.inf, math.nan, 0.5, 0.4])
    path = save_history(history, tmp_path / "history.json")
    loaded = json.loads(path.read_text())  # strict JSON: null, not NaN
    assert loaded["loss"] == HISTORY["loss"] and loaded["val_loss"] == [1.0, None, None, 0.5, 0.4]
    assert [p.name for p in tmp_path.iterdir()] == ["history.json"]


def test_no_framework_and_no_pyplot(tmp_path: Path) -> None:
    """Loading data and drawing curves imports no framework and leaves matplotlib's backend alone."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from nnspec.compiler.training.datasets import load_dataset\n"
        "from nnspec.compiler.training.plots import plot_history\n"
        "load_dataset('iris', (None, 4), (None, 3), 'sparse_categorical_crossentropy')\n"
        f"plot_history({{'loss': [1.0, 0.5]}}, Path({str(tmp_path / 'h.png')!r}), 'run')\n"
        "print(sorted(m for m in ('torch', 'keras', 'tensorflow', 'matplotlib.pyplot') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
