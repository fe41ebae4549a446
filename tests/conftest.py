"""Shared test helpers. Framework tests are marked `keras` / `torch`; CI installs both."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FIXTURES = ROOT / "tests" / "fixtures"

VALID_EXAMPLES = sorted(p for p in EXAMPLES.glob("*.yaml") if not p.name.startswith("invalid_"))
INVALID_EXAMPLES = sorted(p for p in EXAMPLES.iterdir() if p.name.startswith("invalid_"))
FIXTURE_FILES = sorted(p for p in FIXTURES.glob("keras[23]/*.json") if not p.name.endswith(".expected.json"))
"""keras2/ and keras3/; the tf.keras 2 corpus in keras2_h5/ has its own test (tests/realworld)."""


def expected_of(fixture: Path) -> dict:
    return json.loads(fixture.with_name(fixture.stem + ".expected.json").read_text())


@pytest.fixture(scope="session")
def keras():
    import keras

    return keras
