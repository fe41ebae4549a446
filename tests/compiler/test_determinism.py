"""Same spec, same bytes: the generated torch and Keras source of every example,
fixture, parity case and hostile-name spec is identical when generated twice, and
in fresh interpreters with different hash seeds."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURE_FILES, ROOT, VALID_EXAMPLES

TESTS = Path(__file__).resolve().parent.parent

# Run in a fresh interpreter: hashes of every generated file, as JSON on stdout.
SCRIPT = """
import hashlib, json, sys
sys.path[:0] = [{tests!r}, {kinds!r}, {compiler!r}]
from determinism_specs import all_specs
from nnspec.compiler.targets.keras_model import keras_source
from nnspec.compiler.targets.torch_module import torch_source
out = {{}}
for key, spec in all_specs():
    out[key] = [hashlib.sha256(f(spec).text.encode()).hexdigest() for f in (torch_source, keras_source)]
print(json.dumps(out, sort_keys=True))
"""


def _hashes() -> dict[str, list[str]]:
    from determinism_specs import all_specs

    from nnspec.compiler.targets.keras_model import keras_source
    from nnspec.compiler.targets.torch_module import torch_source

    out = {}
    for key, spec in all_specs():
        out[key] = [hashlib.sha256(f(spec).text.encode()).hexdigest() for f in (torch_source, keras_source)]
    return out


def _specs() -> list[tuple[str, Any]]:
    from determinism_specs import all_specs

    return list(all_specs())


def test_inventory_covers_examples_and_fixtures() -> None:
    keys = {key for key, _ in _specs()}
    for path in [*VALID_EXAMPLES, *FIXTURE_FILES]:
        assert str(path.relative_to(ROOT)) in keys


def test_generated_twice_in_process_is_identical() -> None:
    from nnspec.compiler.targets.keras_model import keras_source
    from nnspec.compiler.targets.torch_module import torch_source

    for key, spec in _specs():
        for source in (torch_source, keras_source):
            assert source(spec).text == source(spec).text, key


@pytest.mark.parametrize("seeds", [("0", "1"), ("random", "4242")])
def test_fresh_interpreters_with_other_hash_seeds_agree(seeds: tuple[str, str]) -> None:
    script = SCRIPT.format(tests=str(TESTS), kinds=str(TESTS / "kinds"), compiler=str(TESTS / "compiler"))
    mine = _hashes()
    for seed in seeds:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run(
            [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stderr
        theirs = json.loads(result.stdout)
        different = sorted(key for key in mine if theirs.get(key) != mine[key])
        assert not different, f"PYTHONHASHSEED={seed}: {different}"
        assert set(theirs) == set(mine)
