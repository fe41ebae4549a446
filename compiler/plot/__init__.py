"""Pictures of a model: boxes and arrows laid out in ranks (graph, layout), written as
SVG, PNG or PDF (matplotlib, imported only to draw) or as DOT and Mermaid text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nnspec.spec import LoadedSpec

from ..staging import write_atomically
from ..targets.loading import as_loaded
from .graph import plot_graph
from .text import WRITERS

SUFFIXES = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot", ".mmd": "mermaid"}
FORMATS = ("svg", "png", "pdf", "dot", "mermaid")
RANKDIRS = ("TB", "LR")


def format_of(path: Path, fmt: str | None = None) -> str:
    """The format asked for, else the one the file's suffix names."""
    if fmt is None:
        fmt = SUFFIXES.get(path.suffix.lower())
        if fmt is None:
            raise ValueError(f"cannot tell the format from {path.name!r}: name it .svg, .png, .pdf, .dot or .mmd")
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    return fmt


def render(
    loaded: LoadedSpec,
    fmt: str = "svg",
    rankdir: str = "TB",
    differences: dict[str, float] | None = None,
    expand_nested: bool = False,
) -> bytes:
    """The picture (or text) of a loaded spec, as the bytes of its file; with `differences`
    (layer -> its largest parity difference), each box coloured by its own; with
    `expand_nested`, each nested model drawn as its layers inside a frame."""
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be TB or LR, not {rankdir!r}")
    graph = plot_graph(loaded.graph, loaded.spec, expand_nested)
    if fmt in WRITERS:
        return WRITERS[fmt](graph, rankdir).encode("utf-8")
    from .draw import draw
    from .layout import layout

    return draw(graph, layout(graph, rankdir), fmt, differences)


def plot(
    spec: Any,
    path: str | Path,
    fmt: str | None = None,
    rankdir: str = "TB",
    differences: dict[str, float] | None = None,
    expand_nested: bool = False,
) -> Path:
    """Draw `spec` (a path, parsed data or a LoadedSpec) into `path`, all or nothing."""
    path = Path(path)
    data = render(as_loaded(spec), format_of(path, fmt), rankdir, differences, expand_nested)
    write_atomically(path, data)
    return path
