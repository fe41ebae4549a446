"""The README's Python and console blocks, run as written (issue 12).

Blocks run in order, grouped by the README's `## ` sections: each section runs in a fresh
temporary folder holding links to the checkout's examples/ and tests/ (the paths the README
uses), so a block finds what an earlier block of its section wrote (make_model.py writes
classifier.keras, which the convert commands after it read).

- ```console: a line starting with `$ ` is a command, run by bash in that folder with this
  interpreter's `python` and `nnspec` first on PATH; the lines after it, up to the next `$ `,
  are what it prints, stdout and stderr together. A command shown printing nothing must
  exit 0.
- ```python: written to a file (named by its first line where that reads `# name.py: ...`)
  and run by this interpreter in that folder; it must exit 0.
- A comment `<!-- readme: ... -->` in the lines before a block says what to do instead:
  `excerpt FILE`: every line of the block is a line of FILE (in the checkout), in order, a
  `...` line standing for any lines; `not run: REASON`: the block is not run (the README says
  why in its text, too).

Printed output is compared line by line after normalising what varies:
- a line `...` (indented or not) in the expected output stands for any number of lines;
- a number written d.dde-dd (a parity difference, which moves in its last digits with
  TensorFlow's kernels and the machine, as the README says) compares by its form only;
- trailing spaces do not count.
Every other figure (parameter counts, shapes, seeded training results) must be exact.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytestmark = [pytest.mark.keras, pytest.mark.torch]

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
LINKED = ("examples", "tests")
"""What the README's commands name by a relative path, linked into each section's folder."""

FENCE = re.compile(r"^```(\w*)\s*$")
MARKER = re.compile(r"^<!-- readme: (.+?) -->$")
VARYING = re.compile(r"\b\d\.\d\de[-+]\d\d\b")
NAMED_FILE = re.compile(r"^# ([\w.]+\.py): ")
TIMEOUT_S = 300


@dataclass
class Block:
    kind: str
    line: int
    """Where the block's fence is, counting from 1."""
    text: str
    marker: str | None = None


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)


def sections(text: str) -> list[Section]:
    """The python and console blocks of each `## ` section that has any."""
    found: list[Section] = [Section("(top)")]
    lines = text.splitlines()
    marker: str | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("## "):
            found.append(Section(line[3:].strip()))
        elif hit := MARKER.match(line.strip()):
            marker = hit.group(1)
        elif hit := FENCE.match(line):
            end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
            if hit.group(1) in ("python", "console"):
                found[-1].blocks.append(Block(hit.group(1), i + 1, "\n".join(lines[i + 1 : end]), marker))
            marker = None
            i = end
        elif line.strip():
            marker = None if not line.startswith("<!--") else marker  # a marker belongs to the next block
        i += 1
    return [s for s in found if s.blocks]


def commands(text: str) -> list[tuple[str, list[str]]]:
    """A console block's commands, each with the lines it prints."""
    out: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("$ "):
            out.append((line[2:], []))
        elif out:
            out[-1][1].append(line)
    return [(command, _trim(printed)) for command, printed in out]


def _trim(lines: list[str]) -> list[str]:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def normal(line: str) -> str:
    return VARYING.sub("<d.dde-dd>", line.rstrip())


def matches(expected: list[str], printed: list[str]) -> bool:
    """Line by line after `normal`; a `...` line takes any number of lines."""
    want = [normal(line) for line in expected]
    have = [normal(line) for line in _trim(printed)]

    def fit(i: int, j: int) -> bool:
        if i == len(want):
            return j == len(have)
        if want[i].strip() == "...":
            return any(fit(i + 1, k) for k in range(j, len(have) + 1))
        return j < len(have) and want[i] == have[j] and fit(i + 1, j + 1)

    return fit(0, 0)


def is_excerpt(block: str, source: str) -> bool:
    """Every line of `block` is a line of `source`, in order; a `...` line skips any."""
    lines = source.splitlines()
    at = 0
    for line in block.splitlines():
        if line.strip() in ("...", ""):
            continue
        try:
            at = lines.index(line, at) + 1
        except ValueError:
            return False
    return True


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    env.pop("COLUMNS", None)  # rich then prints at its default width, as in a pipe
    return env


def _run(argv: list[str], folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv,
        cwd=folder,
        env=_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )


def run_block(block: Block, folder: Path, index: int) -> None:
    where = f"README.md line {block.line}"
    if block.marker is not None and block.marker.startswith("not run:"):
        return
    if block.marker is not None:
        kind, _, name = block.marker.partition(" ")
        assert kind == "excerpt", f"{where}: unknown marker {block.marker!r}"
        assert is_excerpt(block.text, (ROOT / name).read_text(encoding="utf-8")), f"{where}: not an excerpt of {name}"
        return
    if block.kind == "python":
        named = NAMED_FILE.match(block.text)
        script = folder / (named.group(1) if named else f"readme_block_{index}.py")
        script.write_text(block.text + "\n", encoding="utf-8")
        done = _run([sys.executable, script.name], folder)
        assert done.returncode == 0, f"{where}: {script.name} exited {done.returncode}\n{done.stdout}"
        return
    for command, expected in commands(block.text):
        done = _run(["bash", "-c", command], folder)
        printed = done.stdout.splitlines()
        if not expected:
            assert done.returncode == 0, f"{where}: `{command}` exited {done.returncode}\n{done.stdout}"
        assert matches(expected, printed), (
            f"{where}: `{command}` (exit {done.returncode}) printed\n{done.stdout}\nwhere the README shows\n"
            + "\n".join(expected)
        )


SECTIONS = sections(README.read_text(encoding="utf-8"))


def test_the_readme_has_blocks_to_run() -> None:
    assert len(SECTIONS) >= 4
    kinds = [b.kind for s in SECTIONS for b in s.blocks if b.marker is None]
    assert kinds.count("console") >= 6 and kinds.count("python") >= 3
    not_run = [b.line for s in SECTIONS for b in s.blocks if (b.marker or "").startswith("not run:")]
    assert len(not_run) <= 2, f"blocks not run, at README lines {not_run}: keep these few"


@pytest.mark.parametrize("section", SECTIONS, ids=[s.title for s in SECTIONS])
def test_readme_section_runs_as_written(section: Section, tmp_path: Path) -> None:
    for name in LINKED:
        (tmp_path / name).symlink_to(ROOT / name)
    for index, block in enumerate(section.blocks):
        run_block(block, tmp_path, index)


# -- the conventions themselves ------------------------------------------------------------


def test_output_conventions() -> None:
    assert matches(["a 1.55e-06 b", "...", "z"], ["a 9.99e-07 b", "x", "y", "z  "])
    assert matches(["...", "z"], ["z"]) and matches(["a", "  ...", "z"], ["a", "b", "z"])
    assert not matches(["a 1,873"], ["a 1,874"])
    assert not matches(["a", "b"], ["a"])
    assert commands("$ one\nout\n\n$ two\n") == [("one", ["out"]), ("two", [])]
    assert is_excerpt("    def f():\n        ...\n    return 1", "x\n    def f():\n    y\n    return 1\n")
    assert not is_excerpt("b\na", "a\nb\n")
