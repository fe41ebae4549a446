"""A spec broken wholesale: the first problems are held and printed, the rest counted, and
time and memory stay linear and small in the size of the input."""

from __future__ import annotations

import json
import time
import tracemalloc
from typing import Any

import pytest
from typer.testing import CliRunner

import nnspec
from nnspec.compiler.cli import app
from nnspec.spec.errors import MAX_KEPT, MAX_SHOWN, SpecError


def _sequential(entries: list[Any]) -> dict[str, Any]:
    return {"class_name": "Sequential", "config": {"name": "m", "layers": entries}}


def _refusal(doc: dict[str, Any]) -> SpecError:
    with pytest.raises(SpecError) as caught:
        nnspec.load(doc)
    return caught.value


CLASSES = {
    # 100,000 entries that are no layer at all: refused in one pass, before the normaliser
    "shapeless": ([{}] * 100_000, 100_000, "config.layers[0]: class_name is missing"),
    # well-formed entries, each with a bad value: validated entry by entry, the first held
    "bad-values": (
        [{"class_name": "Dense", "config": {"units": None}}] * 2_000,
        2_000,
        "config.layers[0].config.units: invalid value; expected an integer",
    ),
    # entries the normaliser refuses (code): counted once, not again by validation (was quadratic)
    "refused-by-the-normaliser": ([{"class_name": "Lambda", "config": {}}] * 2_000, 2_000, "a Lambda layer"),
}


@pytest.mark.parametrize("case", sorted(CLASSES))
def test_a_spec_broken_wholesale_holds_the_first_problems_and_counts_the_rest(case: str) -> None:
    entries, count, first = CLASSES[case]
    tracemalloc.start()
    started = time.perf_counter()
    try:
        error = _refusal(_sequential(entries))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 30
    assert error.count == count and len(error.problems) <= 2 * MAX_KEPT
    assert peak < 200 * 2**20, f"{peak / 2**20:.0f} MiB"
    lines = str(error).splitlines()
    assert lines[0] == f"<data>: {count:,} problems in spec"
    assert first in lines[1]
    assert len(lines) == 1 + MAX_SHOWN + 1 and lines[-1] == f"  ... and {count - MAX_SHOWN:,} more"


def test_a_few_problems_are_all_printed() -> None:
    error = _refusal(_sequential([{}] * 3))
    assert str(error).splitlines()[0] == "<data>: 3 problems in spec" and "more" not in str(error)


def test_the_json_report_holds_the_first_problems_and_the_count_of_the_rest(tmp_path) -> None:
    path = tmp_path / "empty.json"
    path.write_text(json.dumps(_sequential([{}] * 2_000)))
    result = CliRunner().invoke(app, ["validate", str(path), "--json"])
    assert result.exit_code == 1
    (report,) = json.loads(result.output)
    assert len(report["problems"]) == MAX_SHOWN and report["more"] == 2_000 - MAX_SHOWN


def test_a_huge_value_is_cut_wherever_a_problem_echoes_it() -> None:
    """A 1 MB class name was printed in full twice (message and received): now cut in the middle."""
    big = "a" * 1_000_000
    doc = _sequential([{"class_name": "InputLayer", "config": {"batch_shape": [None, 4]}}, {"class_name": big}])
    text = str(_refusal(doc))
    assert len(text) < 2_000 and "characters]…" in text


def test_a_huge_unknown_name_is_not_fuzzy_matched() -> None:
    """No choice can be close to a word three times its length: difflib is not asked (it took
    8 s for a 10 MB name)."""
    from nnspec.spec.errors import did_you_mean

    started = time.perf_counter()
    assert did_you_mean("Dense" * 2_000_000, ["Dense", "Conv2D"]) is None
    assert time.perf_counter() - started < 0.5
    assert did_you_mean("Dence", ["Dense", "Conv2D"]) == "did you mean 'Dense'?"
