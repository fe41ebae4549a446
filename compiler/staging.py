"""All-or-nothing output: files are staged in a hidden folder beside their target
and moved into place only when every one of them was written."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


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
    directory.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=directory, prefix=".nnspec-"))
    try:
        staging = Staging(directory, scratch)
        yield staging
        for name in staging.names:
            os.replace(scratch / name, directory / name)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
