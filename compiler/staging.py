"""All-or-nothing output: files are staged in a hidden folder beside their target
and moved into place only when every one of them was written."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PREFIX = ".nnspec-"
"""Staging folders are named `.nnspec-<pid>-<random>`: a run killed before it could tidy
up (SIGKILL) leaves one, which the next run in that folder removes."""


class OutputError(ValueError):
    """The output folder cannot be made or written (nothing was written)."""


class Staging:
    """Paths handed out by `path(name)` land in `directory` on success, not before."""

    def __init__(self, directory: Path, scratch: Path) -> None:
        self.directory = directory
        self.scratch = scratch
        self.names: list[str] = []

    def path(self, name: str) -> Path:
        self.names.append(name)
        return self.scratch / name

    def write_text(self, name: str, text: str) -> Path:
        target = self.path(name)
        target.write_text(text, encoding="utf-8")
        return self.directory / name

    def final(self, name: str) -> Path:
        return self.directory / name


@contextmanager
def staged(directory: Path) -> Iterator[Staging]:
    output_folder(directory)
    _remove_abandoned(directory)
    try:
        scratch = Path(tempfile.mkdtemp(dir=directory, prefix=f"{PREFIX}{os.getpid()}-"))
    except OSError as exc:
        raise OutputError(f"{directory}: cannot write in the output folder: {exc.strerror}") from None
    try:
        staging = Staging(directory, scratch)
        yield staging
        for name in staging.names:
            os.replace(scratch / name, directory / name)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def output_folder(directory: Path) -> None:
    """Make `directory` (and its parents), or say plainly why it cannot be: a file in the
    way is named, not reported as an errno."""
    for folder in (directory, *directory.parents):
        if folder.exists():
            if not folder.is_dir():
                what = "-o names a file" if folder == directory else f"{folder} is a file"
                raise OutputError(f"{directory}: {what}, not a folder; the outputs go in a folder")
            break
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{directory}: cannot make the output folder: {exc.strerror}") from None


def _remove_abandoned(directory: Path) -> None:
    """Staging folders of runs that no longer exist (killed before they could tidy up)."""
    for scratch in directory.glob(f"{PREFIX}*"):
        pid = scratch.name.removeprefix(PREFIX).split("-", 1)[0]
        if scratch.is_dir() and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(scratch, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's
    return True
