"""Integer fields take integers only, with a clear message; huge numbers are shown short
(issue 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import EXAMPLES
from nnspec.spec import SpecError, load, loads
from nnspec.spec.errors import brief, count_text

SPEC = (
    '{"class_name": "Sequential", "config": {"name": "m", "layers": ['
    '{"class_name": "InputLayer", "config": {"name": "i", "batch_shape": [null, 4]}}, '
    '{"class_name": "Dense", "config": {"name": "d", "units": UNITS}}]}}'
)


def _problem(units: str) -> str:
    with pytest.raises(SpecError) as caught:
        loads(SPEC.replace("UNITS", units))
    assert len(caught.value.problems) == 1, caught.value
    return str(caught.value.problems[0])


@pytest.mark.parametrize(
    ("units", "received", "hint"),
    [
        ("true", "True", "(true and false are not numbers in a spec)"),
        ("1e30", "1e+30", "(a number written with a decimal point or an exponent is not an integer)"),
        ("4.0", "4.0", "(a number written with a decimal point or an exponent is not an integer)"),
        ('"4"', "'4'", "(write the number without quotes)"),
    ],
)
def test_an_integer_field_takes_only_an_integer(units: str, received: str, hint: str) -> None:
    """Before, `true` was read as 1, "4" as 4, and 1e30 failed with pydantic's parsing jargon."""
    expected = f"config.layers[1].config.units: invalid value; expected an integer, received {received} {hint}"
    assert _problem(units) == expected


def test_integers_still_read_from_json_and_yaml() -> None:
    assert loads(SPEC.replace("UNITS", "4")).graph.params.total == 20
    text = "class_name: Sequential\nconfig:\n  name: m\n  layers:\n"
    text += "  - {class_name: InputLayer, config: {name: i, batch_shape: [null, 4]}}\n"
    text += "  - {class_name: Dense, config: {name: d, units: 4}}\n"
    assert loads(text).graph.params.total == 20


@pytest.mark.parametrize(
    ("field", "value"),
    [("batch_shape", "[null, true]"), ("axis", "false")],
)
def test_other_integer_fields_are_strict_too(field: str, value: str) -> None:
    text = SPEC.replace('"units": UNITS', '"units": 2')
    if field == "batch_shape":
        text = text.replace('"batch_shape": [null, 4]', f'"batch_shape": {value}')
    else:
        text = text.replace(
            '{"name": "d", "units": 2}',
            f'{{"name": "d", "units": 2}}}}, {{"class_name": "Softmax", "config": {{"name": "s", "axis": {value}}}',
        )
    with pytest.raises(SpecError, match="expected an integer"):
        loads(text)


def test_too_large_shows_the_count_short() -> None:
    problem = _problem("1" + "0" * 40)
    assert "model is too large" in problem
    assert "received 5.0e+40 parameters" in problem  # (4 + 1) * 10**40, not 41 digits


def test_too_large_example_reads_in_billions() -> None:
    with pytest.raises(SpecError) as caught:
        load(EXAMPLES / "invalid_too_many_params.yaml")
    assert "received 10,000,100,000 parameters (10.0 billion)" in str(caught.value)


def test_an_integer_past_pythons_digit_limit_is_a_spec_error(tmp_path: Path) -> None:
    """json.loads and YAML raise ValueError for integers of over 4,300 digits: it was a traceback."""
    huge = "1" + "0" * 5000
    (tmp_path / "huge.json").write_text(SPEC.replace("UNITS", huge))
    (tmp_path / "huge.yaml").write_text(f"class_name: Sequential\nconfig: {{name: m, units: {huge}}}\n")
    with pytest.raises(SpecError, match=r"huge.json: invalid JSON: Exceeds the limit \(4300 digits\)"):
        load(tmp_path / "huge.json")
    with pytest.raises(SpecError, match=r"huge.yaml: invalid YAML: Exceeds the limit \(4300 digits\)"):
        load(tmp_path / "huge.yaml")


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (0, "0 parameters"),
        (1_873, "1,873 parameters"),
        (12_345_678_901, "12,345,678,901 parameters (12.3 billion)"),
        (3 * 10**12, "3,000,000,000,000 parameters (3.0 trillion)"),
        (10**30, "1.0e+30 parameters"),
    ],
)
def test_count_text(count: int, text: str) -> None:
    assert count_text(count, "parameters") == text


def test_count_text_past_pythons_digit_limit() -> None:
    assert count_text(10**6000, "parameters") == "1.0e+6000 parameters"  # str() stops at 4,300 digits


def test_brief_shortens_huge_integers() -> None:
    assert brief(2**70) == "1.2e+21"  # 1,180,591,620,717,411,303,424
    assert brief(999_999_999_999_999_999) == "1.0e+18"
    assert brief(json.loads("1" + "0" * 99)) == "1.0e+99"
    assert brief(True) == "True" and brief(123) == "123"
