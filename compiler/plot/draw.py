"""The laid-out graph drawn with matplotlib (no pyplot, no global backend): SVG, PNG or PDF.

SVG keeps its labels as text (`svg.fonttype: none`), which matplotlib escapes, and names
each box `box-<i>` and each arrow `edge-<j>`. The same graph gives the same bytes: a
fixed hash salt, no dates."""

from __future__ import annotations

import io
from typing import Any

from .graph import PlotGraph
from .layout import FONT_SIZE, LABEL_HEIGHT, LINE_HEIGHT, PADDING, Layout, frame_label

POINTS_PER_INCH = 72.0
PNG_DPI = 144.0
"""Two pixels a point: 9 pt labels 18 px high, crisp at the default size and on dense
screens. Most of a PNG's time is laying out and rasterising text, which does not grow
with the pixels; encoding them does, a little."""
RC = {
    "text.hinting": "no_hinting",  # FreeType's autohinter took 40 % of a PNG's time; at 2 px a point it is not needed
    "svg.fonttype": "none",
    "svg.hashsalt": "nnspec",
    "pdf.fonttype": 42,
    "font.family": "DejaVu Sans",
    "font.size": FONT_SIZE,
}
METADATA: dict[str, dict[str, Any]] = {  # what each format would stamp with the day or the version
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "Creator": None, "Producer": None},
}
BOX_STYLE = {"boxstyle": "round,pad=0,rounding_size=6", "facecolor": "#eef3fb", "edgecolor": "#3b5b8c", "lw": 1.0}
ROLE_STYLE = {  # the model's inputs and outputs stand out: a border of their own
    "input": {"edgecolor": "#2e7d32", "lw": 1.6},
    "output": {"edgecolor": "#c2410c", "lw": 2.2},
}
FRAME_STYLE = {
    "boxstyle": "round,pad=0,rounding_size=8",
    "facecolor": "#f6f6f6",
    "edgecolor": "#8a8a8a",
    "lw": 1.0,
    "linestyle": (0, (4, 2)),
}
ARROW_STYLE = {"arrowstyle": "-|>", "mutation_scale": 9, "color": "#555555", "lw": 0.9, "shrinkA": 0, "shrinkB": 0}

TEXT = {"ha": "center", "parse_math": False}  # a name with $ signs is text, not mathtext


class PlotUnavailable(ValueError):
    """matplotlib, which draws the pictures, is not installed."""


SHADES = ((1e-7, "#d9f2d9"), (1e-6, "#eef7d4"), (1e-5, "#fff2c2"), (float("inf"), "#f7c6c6"))
"""A parity difference's shade: green well within the default tolerance (1e-5), yellow
near it, red past it."""


def shade(difference: float) -> str:
    return next(colour for bound, colour in SHADES if difference <= bound)


def draw(graph: PlotGraph, lay: Layout, fmt: str, differences: dict[str, float] | None = None) -> bytes:
    """`differences`: layer name -> largest parity difference, shading each box by its
    own; boxes without one stay plain."""
    try:
        from matplotlib import rc_context
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
        from matplotlib.path import Path
        from matplotlib.text import Text
        from matplotlib.transforms import Affine2D
    except ImportError as error:
        raise PlotUnavailable(
            "drawing a picture needs matplotlib: pip install 'nnspec[plot]' (or use --format dot or mermaid)"
        ) from error
    with rc_context(RC):
        figure = Figure(figsize=(lay.width / POINTS_PER_INCH, lay.height / POINTS_PER_INCH), dpi=POINTS_PER_INCH)
        FigureCanvasAgg(figure)
        # Layout points (y downwards) straight onto the figure: no axes, whose limits and
        # clipping took half the drawing time.
        points = Affine2D().scale(1 / POINTS_PER_INCH, -1 / POINTS_PER_INCH).translate(0, figure.get_figheight())
        place = {"transform": points + figure.dpi_scale_trans}
        for frame, box in zip(graph.frames, lay.frames, strict=True):  # outer first: inner ones lie on top
            left, top = box.x - box.width / 2, box.y - box.height / 2
            figure.add_artist(
                FancyBboxPatch((left, top), box.width, box.height, gid=f"frame-{frame.index}", **FRAME_STYLE, **place)
            )
            label = Text(
                left + PADDING,
                top + PADDING / 2 + LABEL_HEIGHT / 2,
                frame_label(frame),
                va="center",
                fontweight="bold",
                color="#444444",
                parse_math=False,
                **place,
            )
            figure.add_artist(label)
        for i, (node, box) in enumerate(zip(graph.nodes, lay.boxes, strict=True)):
            corner = (box.x - box.width / 2, box.y - box.height / 2)
            style = {**BOX_STYLE, **ROLE_STYLE.get(node.role, {})}
            difference = (differences or {}).get(node.name)
            if difference is not None:
                style["facecolor"] = shade(difference)
            figure.add_artist(FancyBboxPatch(corner, box.width, box.height, gid=f"box-{i}", **style, **place))
            name, *rest = node.lines  # two texts a box, not one a line: a third of the drawing time
            top = box.y - len(node.lines) * LINE_HEIGHT / 2
            figure.add_artist(Text(box.x, top + LINE_HEIGHT / 2, name, va="center", fontweight="bold", **TEXT, **place))
            below = Text(box.x, top + LINE_HEIGHT, "\n".join(rest), va="top", linespacing=1.15, **TEXT, **place)
            figure.add_artist(below)
        for j, route in enumerate(lay.routes):
            arrow = FancyArrowPatch(path=Path(route.points), gid=f"edge-{j}", **ARROW_STYLE, **place)
            figure.add_artist(arrow)
        out = io.BytesIO()
        if fmt == "png":
            return _png(figure)
        figure.savefig(out, format=fmt, metadata=METADATA[fmt])
    return out.getvalue()


def _png(figure: Any) -> bytes:
    """The figure rasterised at PNG_DPI and written as RGB (the figure is opaque): a
    quarter fewer bytes to compress than matplotlib's RGBA, at a light zlib level, since
    encoding the pixels took longer than drawing them. No date or version stamped."""
    from PIL import Image

    figure.set_dpi(PNG_DPI)
    figure.canvas.draw()
    pixels = Image.frombuffer(
        "RGBA", figure.canvas.get_width_height(), figure.canvas.buffer_rgba(), "raw", "RGBA", 0, 1
    )
    out = io.BytesIO()
    pixels.convert("RGB").save(out, format="png", compress_level=3, dpi=(PNG_DPI, PNG_DPI))
    return out.getvalue()
