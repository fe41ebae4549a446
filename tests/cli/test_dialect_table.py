"""The README's dialect table, cell by cell: each row's file is read as that dialect, its
weights are read, and it converts to a torch module that gives the writing library's outputs."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from written_module import written_module

from conftest import EXAMPLES, FIXTURES, ROOT


@dataclass(frozen=True)
class Row:
    source: Path
    """the file a user has: architecture and weights, or weights with `spec`"""
    recorded: Path | None
    """inputs x, outputs y (and the parameter count, where the writer reported one) the writing library recorded"""
    spec: Path | None = None


ROWS = {
    "keras3": Row(FIXTURES / "keras3_ops/k3_activations.keras", FIXTURES / "keras3_ops/k3_activations.expected.npz"),
    "keras1": Row(FIXTURES / "old_h5/k1_text_rnn.h5", FIXTURES / "old_h5/k1_text_rnn.expected.npz"),
    "keras2": Row(FIXTURES / "keras2_h5/k2_batch_norms.h5", FIXTURES / "keras2_h5/k2_batch_norms.expected.npz"),
    "tfjs": Row(FIXTURES / "tfjs/mlp_uint8/model.json", FIXTURES / "tfjs/mlp_uint8/expected.npz"),
    "concise": Row(EXAMPLES / "iris.yaml", None, spec=EXAMPLES / "iris.yaml"),
}


def _table() -> dict[str, list[str]]:
    """The dialect table under README's "### Dialects": dialect -> its cells."""
    text = (ROOT / "README.md").read_text()
    section = text[text.index("### Dialects") :]
    section = section[: section.index("\n## ")]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {re.match(r"\| `(\w+)`", row).group(1): [c.strip() for c in row.strip("|").split("|")] for row in rows}  # type: ignore[union-attr]


def test_the_table_has_a_tested_row_per_dialect_and_nothing_else() -> None:
    assert set(_table()) == set(ROWS) == {"keras1", "keras2", "keras3", "tfjs", "concise"}
    for dialect, cells in _table().items():
        assert all(cell.startswith("yes") for cell in cells[2:]), (dialect, cells)


@pytest.mark.keras
@pytest.mark.torch
@pytest.mark.parametrize("dialect", sorted(ROWS))
def test_each_dialect_is_read_weights_and_all_and_converts_to_torch(dialect: str, tmp_path: Path) -> None:
    import torch

    from nnspec.compiler.convert import convert_to_torch, import_keras_file
    from nnspec.spec import load

    row = ROWS[dialect]
    source, recorded = row.source, _recorded(row)
    if dialect == "concise":  # a hand-written spec's weights come from a training run: Keras's, here
        source, recorded = _keras_weights_of(row.spec, tmp_path / "trained.weights.h5")
    loaded, arrays = import_keras_file(source, row.spec)
    assert loaded.dialect == dialect or (dialect == "concise" and load(row.spec).dialect == "concise")
    assert loaded.graph.params.total == int(recorded["params"])
    assert sum(a.size for a in arrays.values()) == loaded.graph.params.total  # every declared weight read

    result = convert_to_torch(source, tmp_path / "torch", spec=row.spec, layout="keras")
    assert result.report is not None and result.report.passed
    x, y = recorded["x"], recorded["y"]
    with torch.no_grad():
        out = written_module(tmp_path / "torch", loaded)(torch.from_numpy(x)).numpy()
    assert np.abs(out - y).max() <= 1e-5 * max(1.0, float(np.abs(y).max()))


def _recorded(row: Row) -> dict[str, Any]:
    if row.recorded is None:
        return {}
    data = np.load(row.recorded)
    out = {"x": data["x"], "y": data["y"]}
    if "params" in data:
        out["params"] = int(data["params"])
    else:  # the corpus records the count beside the arrays
        out["params"] = json.loads(row.recorded.with_name(row.recorded.name.replace(".npz", ".json")).read_text())[
            "total_params"
        ]
    return out


def _keras_weights_of(spec: Path, path: Path) -> tuple[Path, dict[str, Any]]:
    """The spec's Keras model with seeded random weights, saved by Keras, and its outputs."""
    import nnspec

    model = nnspec.compile_keras(spec)
    rng = np.random.default_rng(0)
    model.set_weights([rng.normal(size=w.shape).astype("float32") for w in model.get_weights()])
    model.save_weights(str(path))
    x = rng.normal(size=(4, *model.input_shape[1:])).astype("float32")
    return path, {"x": x, "y": model.predict(x, verbose=0), "params": model.count_params()}
