"""`nnspec convert ... --to torch --no-check` run in a fresh interpreter, as a user runs it,
and which frameworks it imported: the path that needs none must load none."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

FRAMEWORKS = ("tensorflow", "keras", "tf_keras", "torch")

_SCRIPT = """
import json, sys
sys.argv = ["nnspec", "convert", *{args!r}, "--to", "torch", "--no-check", "-o", {out!r}]
from nnspec.compiler.cli import main
try:
    main()
except SystemExit as done:
    assert not done.code, done.code
print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & {frameworks!r})))
"""


def frameworks_imported_by_convert(args: list[str], out: Path) -> list[str]:
    """Convert (ARGS: the source and its options) into `out` without the check; the
    frameworks among FRAMEWORKS the process had imported when it finished."""
    code = _SCRIPT.format(args=[str(a) for a in args], out=str(out), frameworks=set(FRAMEWORKS))
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=root)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])
