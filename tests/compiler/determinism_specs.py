"""Every spec whose generated source must be deterministic, by a stable key.

Imported by test_determinism.py, in-process and in fresh interpreters."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_KINDS = str(Path(__file__).resolve().parent.parent / "kinds")
if _KINDS not in sys.path:  # the case table lives in tests/kinds
    sys.path.append(_KINDS)

from cases import CASES, spec_of  # noqa: E402
from test_names import HOSTILE, MODEL_NAMES, chain_spec, nested_spec  # noqa: E402

from conftest import FIXTURE_FILES, ROOT, VALID_EXAMPLES  # noqa: E402


def all_specs() -> Iterator[tuple[str, Any]]:
    for path in [*VALID_EXAMPLES, *FIXTURE_FILES]:
        yield str(path.relative_to(ROOT)), path
    for case in CASES:
        yield f"case:{case.case_id}", spec_of(case)
    for i, name in enumerate(MODEL_NAMES):
        yield f"hostile-chain:{i}", chain_spec(HOSTILE, name, output_keys=("'''\n", '"); import os'))
        yield f"hostile-nested:{i}", nested_spec(name, HOSTILE[8 * i : 8 * i + 8])
