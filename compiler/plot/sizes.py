"""The picture's measures, in points: text, boxes and the gaps between them."""

from __future__ import annotations

FONT_SIZE = 9.0
LINE_HEIGHT = 12.0
CHAR_WIDTH = 0.64 * FONT_SIZE  # DejaVu Sans' digits are 0.64 em: generous for the rest
BOLD_WIDTH = 0.70 * FONT_SIZE  # the name line is bold
PADDING = 8.0
NODE_GAP = 18.0  # between neighbours in a rank
RANK_GAP = 28.0  # between ranks, where the arrows turn
LANE = 8.0  # the breadth a long edge takes where it passes a rank
SWEEPS = 4
PORT_SPREAD = 0.6  # share of a box's side that its arrows' ends spread over
LABEL_HEIGHT = 16.0  # a frame's label strip

Point = tuple[float, float]
Rect = tuple[float, float, float, float]  # (u0, v0, u1, v1)
