"""Every example validates (pydantic and JSON Schema); every invalid_* example fails
with its named error; the committed schema is current."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import INVALID_EXAMPLES, ROOT, VALID_EXAMPLES
from nnspec.spec import SpecError, load
from nnspec.spec.schema import schema_text

SCHEMA = json.loads((ROOT / "spec" / "nnspec.schema.json").read_text())
EXPECTED_TOTALS = {"iris": 1873, "iris_small": 403, "iris_functional": 1283, "mnist_mlp": 101770, "mnist_bn": 331538}


def test_committed_schema_is_current() -> None:
    committed = (ROOT / "spec" / "nnspec.schema.json").read_text()
    assert committed == schema_text(), "run `nnspec schema -o spec/nnspec.schema.json`"


@pytest.mark.parametrize("path", VALID_EXAMPLES, ids=lambda p: p.stem)
def test_example_is_valid(path: Path) -> None:
    loaded = load(path)
    jsonschema.validate(yaml.safe_load(path.read_text()), SCHEMA)
    if path.stem in EXPECTED_TOTALS:
        assert loaded.graph.params.total == EXPECTED_TOTALS[path.stem]


def _expected_error(path: Path) -> str:
    if path.suffix == ".json":
        return "config.layers[1].class_name: a Lambda layer holds Python code"
    match = re.search(r"^# expect: (.+)$", path.read_text(), re.MULTILINE)
    assert match, f"{path.name} needs an '# expect:' line"
    return match.group(1)


@pytest.mark.parametrize("path", INVALID_EXAMPLES, ids=lambda p: p.stem)
def test_invalid_example_fails_with_its_error(path: Path) -> None:
    with pytest.raises(SpecError) as caught:
        load(path)
    assert any(str(p).startswith(_expected_error(path)) for p in caught.value.problems), str(caught.value)


def test_schema_rejects_an_unknown_field() -> None:
    doc = yaml.safe_load((ROOT / "examples" / "iris.yaml").read_text())
    doc["config"]["layers"][1]["config"]["unitz"] = 3
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, SCHEMA)
