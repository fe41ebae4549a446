"""The laid-out graph drawn with matplotlib (no pyplot, no global backend): SVG, PNG or PDF.

SVG keeps its labels as text (`svg.fonttype: none`), which matplotlib escapes, and names
each box `box-<i>` and each arrow `edge-<j>`. The same graph gives the same bytes: a
fixed hash salt, no dates."""

from __future__ import annotations

import io
from typing import Any

from .graph import PlotGraph
from .layout import Layout, frame_label
from .sizes import FONT_SIZE, LABEL_HEIGHT, LINE_HEIGHT, PADDING

POINTS_PER_INCH = 72.0
PNG_DPI = 144.0
"""Two pixels a point: 9 pt labels 18 px high, crisp at the default size and on dense
screens. Most of a PNG's time is rasterising text, which does not grow with the pixels;
encoding them does, a little."""
MAX_PIXELS = 65000  # a side; Agg refuses 2^16
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
BELOW = {"va": "top", "linespacing": 1.15, **TEXT}  # a box's kind, shape and count


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
        stamps: list[tuple[str, float, float]] | None = [] if fmt == "png" else None
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
            if stamps is not None:  # the same few texts in many boxes: rasterised once each
                stamps.append(("\n".join(rest), box.x, top + LINE_HEIGHT))
            else:
                below = Text(box.x, top + LINE_HEIGHT, "\n".join(rest), **BELOW, **place)
                figure.add_artist(below)
        for j, route in enumerate(lay.routes):
            arrow = FancyArrowPatch(path=Path(route.points), gid=f"edge-{j}", **ARROW_STYLE, **place)
            figure.add_artist(arrow)
        out = io.BytesIO()
        if stamps is not None:
            return _png(figure, stamps)
        figure.savefig(out, format=fmt, metadata=METADATA[fmt])
    return out.getvalue()


def _png(figure: Any, stamps: list[tuple[str, float, float]]) -> bytes:
    """The figure rasterised at PNG_DPI (less where that would pass Agg's 2^16 pixels a
    side), each box's lines below its name stamped in, and written as RGB (the figure is
    opaque): a quarter fewer bytes to compress than matplotlib's RGBA, at a light zlib
    level. No date or version stamped."""
    import numpy as np
    from PIL import Image

    longest = max(figure.get_size_inches()) * POINTS_PER_INCH
    dpi = min(PNG_DPI, POINTS_PER_INCH * MAX_PIXELS / longest)
    figure.set_dpi(dpi)
    figure.canvas.draw()
    pixels = np.array(figure.canvas.buffer_rgba())[:, :, :3]
    texts = sorted({text for text, _, _ in stamps})
    masks: dict[str, Any] = {}
    slot = max((text.count("\n") + 2 for text in texts), default=1) * LINE_HEIGHT
    per_sheet = max(1, int(MAX_PIXELS / (slot * dpi / POINTS_PER_INCH)))
    for start in range(0, len(texts), per_sheet):
        masks |= _masks(texts[start : start + per_sheet], slot, dpi)
    scale = dpi / POINTS_PER_INCH
    for text, x, y in stamps:
        if masks[text] is None:
            continue
        keep, down, right = masks[text]
        row, col = max(0, round(y * scale + down)), max(0, round(x * scale + right))
        area = pixels[row : row + keep.shape[0], col : col + keep.shape[1]]
        area[:] = (area * keep[: area.shape[0], : area.shape[1]]).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="png", compress_level=3, dpi=(dpi, dpi))
    return out.getvalue()


def _masks(texts: list[str], slot: float, dpi: float) -> dict[str, Any]:
    """Each text drawn once, one under another, on a transparent scratch figure (one
    draw): per text, what share of the pixels under it to keep, and where its ink starts
    from the text's anchor (top centre), in pixels. Rasterising glyphs was most of a PNG's
    time, and most boxes repeat a kind, a shape and a count (a 200-layer residual network
    has three): each box gets its copy laid over it. The text is black, so its coverage
    darkens what lies under it, as drawing it there would."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.text import Text
    from matplotlib.transforms import Affine2D

    wide = max(len(line) for text in texts for line in text.split("\n")) * FONT_SIZE + 2 * PADDING
    scratch = Figure(figsize=(wide / POINTS_PER_INCH, slot * len(texts) / POINTS_PER_INCH), dpi=dpi)
    scratch.patch.set_alpha(0.0)
    FigureCanvasAgg(scratch)
    points = Affine2D().scale(1 / POINTS_PER_INCH, -1 / POINTS_PER_INCH).translate(0, scratch.get_figheight())
    for k, text in enumerate(texts):
        scratch.add_artist(
            Text(wide / 2, k * slot + PADDING, text, **BELOW, transform=points + scratch.dpi_scale_trans)
        )
    scratch.canvas.draw()
    cover = np.asarray(scratch.canvas.buffer_rgba())[:, :, 3]
    scale = dpi / POINTS_PER_INCH
    masks: dict[str, Any] = {}
    for k, text in enumerate(texts):
        top = int(k * slot * scale)
        block = cover[top : int((k + 1) * slot * scale)]
        rows, cols = np.nonzero(block.any(axis=1))[0], np.nonzero(block.any(axis=0))[0]
        if not len(rows):
            masks[text] = None  # nothing to draw (blank text)
            continue
        ink = block[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1].astype(np.float32) / 255.0
        anchor = ((k * slot + PADDING) * scale, wide / 2 * scale)
        masks[text] = (1.0 - ink[:, :, None], top + rows[0] - anchor[0], cols[0] - anchor[1])
    return masks
