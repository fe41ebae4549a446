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


def write_atomically(path: Path, data: str | bytes) -> None:
    """Write all of `data` or nothing: a temporary file renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, _file_mode())  # mkstemp's 0600 would keep a plain output file from its usual readers
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _file_mode() -> int:
    """The mode a file written with open() would get: 0666 less the umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


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
    made = output_folder(directory)
    done = False
    try:
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
            done = True
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    finally:
        if not done:  # a failed or interrupted run leaves no empty folder it made, either
            _remove_empty(made)


def output_folder(directory: Path) -> list[Path]:
    """Make `directory` (and its parents), or say plainly why it cannot be: a file in the
    way is named, not reported as an errno. Returns the folders it made, deepest first."""
    missing = []
    for folder in (directory, *directory.parents):
        if folder.exists():
            if not folder.is_dir():
                what = "-o names a file" if folder == directory else f"{folder} is a file"
                raise OutputError(f"{directory}: {what}, not a folder; the outputs go in a folder")
            break
        missing.append(folder)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{directory}: cannot make the output folder: {exc.strerror}") from None
    return missing


def _remove_empty(folders: list[Path]) -> None:
    for folder in folders:  # deepest first: a parent empties once its child is gone
        try:
            folder.rmdir()
        except OSError:
            return  # not empty (another run's files), or gone


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
