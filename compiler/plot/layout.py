"""A layered (Sugiyama-style) layout: ranks by longest path from the inputs, a virtual
point per rank that a long edge crosses (so a skip connection runs beside the boxes it
skips, never through them), barycenter sweeps to reduce crossings, then coordinates
that keep every two boxes of a rank apart. An expanded nested model is laid out first,
on its own, and its frame then placed as one big box: frames never overlap other boxes.
Pure Python; sizes in points, y downwards; worked in (across, along) the flow, then
turned for the direction."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from statistics import fmean

from .graph import Frame, Level, Node, PlotGraph
from .routes import Router
from .sizes import (
    BOLD_WIDTH,
    CHAR_WIDTH,
    LABEL_HEIGHT,
    LANE,
    LINE_HEIGHT,
    NODE_GAP,
    PADDING,
    PORT_SPREAD,
    RANK_GAP,
    SWEEPS,
    Point,
    Rect,
)


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float

    def overlaps(self, other: Box) -> bool:
        return abs(self.x - other.x) * 2 < self.width + other.width and abs(self.y - other.y) * 2 < (
            self.height + other.height
        )


@dataclass(frozen=True)
class Route:
    points: list[tuple[float, float]]
    """From the source box's side to the target box's; the arrowhead is at the last point."""


@dataclass(frozen=True)
class Layout:
    boxes: list[Box]
    routes: list[Route]
    width: float
    height: float
    frames: list[Box] = field(default_factory=list)
    """Per frame of the graph (an expanded nested model), its rectangle."""


def box_size(node: Node) -> tuple[float, float]:
    """(width, height) from the text, so no label runs out of its box."""
    name, *rest = node.lines
    width = max(len(name) * BOLD_WIDTH, *(len(line) * CHAR_WIDTH for line in rest)) + 2 * PADDING
    return width, len(node.lines) * LINE_HEIGHT + 2 * PADDING


def frame_label(frame: Frame) -> str:
    return f"{frame.name} ({frame.kind})"


def layout(graph: PlotGraph, rankdir: str = "TB") -> Layout:
    placed = _Placer(graph, rankdir).level(graph.level)
    placed.shift(PADDING, PADDING)
    flip = (lambda a, b: (a, b)) if rankdir == "TB" else (lambda a, b: (b, a))

    def rect(u0: float, v0: float, u1: float, v1: float) -> Box:
        x, y = flip((u0 + u1) / 2, (v0 + v1) / 2)
        w, h = flip(u1 - u0, v1 - v0)
        return Box(x, y, w, h)

    boxes = [rect(*placed.boxes[i]) for i in range(len(graph.nodes))]
    frames = [rect(*placed.frames[i]) for i in range(len(graph.frames))]
    routes = [Route([flip(a, b) for a, b in placed.routes[j]]) for j in range(len(graph.edges))]
    width, height = flip(placed.breadth + 2 * PADDING, placed.depth + 2 * PADDING)
    return Layout(boxes, routes, width, height, frames)


@dataclass
class _Placed:
    """A level laid out, in its own (across, along) coordinates."""

    boxes: dict[int, Rect] = field(default_factory=dict)
    frames: dict[int, Rect] = field(default_factory=dict)
    routes: dict[int, list[Point]] = field(default_factory=dict)
    exits: dict[int, list[Point]] = field(default_factory=dict)
    """A frame's output -> the run from its output layer to where it leaves the frame."""
    entries: list[tuple[float, float, float]] = field(default_factory=list)
    """A frame's input -> (across, breadth, top) of the box it goes to."""
    breadth: float = 0.0
    depth: float = 0.0

    def shift(self, du: float, dv: float) -> None:
        for table in (self.boxes, self.frames):
            for key, (u0, v0, u1, v1) in table.items():
                table[key] = (u0 + du, v0 + dv, u1 + du, v1 + dv)
        for lines in (self.routes, self.exits):
            for key, line in lines.items():
                lines[key] = [(a + du, b + dv) for a, b in line]
        self.entries = [(u + du, b, top + dv) for u, b, top in self.entries]

    def take(self, inner: _Placed) -> None:
        self.boxes |= inner.boxes
        self.frames |= inner.frames
        self.routes |= inner.routes

    def bounds(self) -> Rect:
        rects = [*self.boxes.values(), *self.frames.values()]
        points = [p for line in (*self.routes.values(), *self.exits.values()) for p in line]
        rects += [(a, b, a, b) for a, b in points]
        return (
            min(r[0] for r in rects),
            min(r[1] for r in rects),
            max(r[2] for r in rects),
            max(r[3] for r in rects),
        )


class _Placer:
    def __init__(self, graph: PlotGraph, rankdir: str) -> None:
        self.graph = graph
        self.rankdir = rankdir

    def frame(self, frame: Frame) -> _Placed:
        """A frame's block, its corner at (0, 0): the level's layout inside a margin and
        the label's strip (on top of the picture, whichever way the flow runs)."""
        placed = self.level(frame.level, frame.entries)
        label = len(frame_label(frame)) * BOLD_WIDTH
        if self.rankdir == "TB":  # the strip along the flow, where the arrows come in
            left = PADDING
            for u, b, _ in placed.entries:  # no arrow into the frame through its label
                left = max(left, 2 * PADDING + label - (u - b * PORT_SPREAD / 2))
            top = PADDING + LABEL_HEIGHT
            breadth = max(left + placed.breadth + PADDING, label + 2 * PADDING)
            depth = top + placed.depth + PADDING
        else:  # the strip across the flow, the arrows coming in from the side
            left, top = PADDING + LABEL_HEIGHT, PADDING
            breadth = left + placed.breadth + PADDING
            depth = max(top + placed.depth + PADDING, label + 2 * PADDING)
        placed.shift(left, top)
        placed.exits = {j: [*line, (line[-1][0], depth)] for j, line in placed.exits.items()}
        placed.frames[frame.index] = (0.0, 0.0, breadth, depth)
        placed.breadth, placed.depth = breadth, depth
        return placed

    def level(self, level: Level, entries: list[tuple[int, int]] | None = None) -> _Placed:
        """Items (boxes, frames, a frame's exits) ranked, ordered and placed, then each
        arrow's route; a frame's contents moved to where its block went."""
        graph = self.graph
        across = 0 if self.rankdir == "TB" else 1  # which of (width, height) lies along a rank
        blocks: dict[int, _Placed] = {}
        breadth, depth = [], []
        for i, item in enumerate(level.items):
            if item.frame is not None:
                blocks[i] = self.frame(item.frame)
                size = (blocks[i].breadth, blocks[i].depth)
            elif item.node is not None:
                width_height = box_size(graph.nodes[item.node])
                size = (width_height[across], width_height[1 - across])
            else:
                size = (LANE, 0.0)
            breadth.append(size[0])
            depth.append(size[1])
        rank = _ranks(level)
        chains: list[list[int]] = []  # per edge: its vertices, source to target
        for edge in level.edges:
            chain = [edge.source]
            if edge.source < edge.target:
                for r in range(rank[edge.source] + 1, rank[edge.target]):
                    chain.append(len(rank))
                    rank.append(r)
                    breadth.append(LANE)
                    depth.append(0.0)
            chains.append([*chain, edge.target])
        real = len(level.items)
        ranks = _order(rank, chains, level)
        along = _rank_positions(ranks, depth)
        place = _coordinates(ranks, chains, breadth, level, real)
        placed = _Placed()
        for i, item in enumerate(level.items):
            rect = (place[i] - breadth[i] / 2, along[rank[i]] - depth[i] / 2)
            rect = (*rect, rect[0] + breadth[i], rect[1] + depth[i])
            if item.node is not None:
                placed.boxes[item.node] = rect
            elif i in blocks:
                blocks[i].shift(rect[0], rect[1])
                placed.take(blocks[i])
        Router(level, blocks, rank, ranks, chains, place, along, breadth, depth, entries or []).route(placed)
        u0, v0, u1, v1 = placed.bounds()
        placed.shift(-u0, -v0)
        placed.breadth, placed.depth = u1 - u0, v1 - v0
        return placed


def _ranks(level: Level) -> list[int]:
    """Longest path from the sources over forward edges (items are in first-use order);
    a frame's exits all on a rank of their own, below everything."""
    rank = [0] * len(level.items)
    for edge in sorted(level.edges, key=lambda e: e.target):
        if edge.source < edge.target and level.items[edge.target].exit is None:
            rank[edge.target] = max(rank[edge.target], rank[edge.source] + 1)
    bottom = max(rank, default=0) + 1
    return [bottom if item.exit is not None else r for item, r in zip(level.items, rank, strict=True)]


Adjacent = dict[int, list[int]]


def _neighbours(chains: list[list[int]], level: Level) -> tuple[Adjacent, Adjacent]:
    """(vertices just above, vertices just below) each vertex, over forward edges."""
    above: Adjacent = {}
    below: Adjacent = {}
    for chain, edge in zip(chains, level.edges, strict=True):
        if edge.source < edge.target:
            for a, b in pairwise(chain):
                above.setdefault(b, []).append(a)
                below.setdefault(a, []).append(b)
    return above, below


def _order(rank: list[int], chains: list[list[int]], level: Level) -> list[list[int]]:
    """Vertices of each rank, left to right, after barycenter sweeps down and up."""
    ranks: list[list[int]] = [[] for _ in range(max(rank, default=0) + 1)]
    for vertex, r in enumerate(rank):
        ranks[r].append(vertex)
    above, below = _neighbours(chains, level)
    for sweep in range(SWEEPS):
        down = sweep % 2 == 0
        neighbours = above if down else below
        sequence = range(1, len(ranks)) if down else range(len(ranks) - 2, -1, -1)
        for r in sequence:
            fixed = ranks[r - 1] if down else ranks[r + 1]
            position = {v: i for i, v in enumerate(fixed)}
            own = {v: i * len(fixed) / max(len(ranks[r]), 1) for i, v in enumerate(ranks[r])}

            def key(
                v: int, position: dict[int, int] = position, own: dict[int, float] = own, up: Adjacent = neighbours
            ) -> float:
                near = [position[u] for u in up.get(v, ()) if u in position]
                return fmean(near) if near else own[v]

            ranks[r].sort(key=key)
    return ranks


def _rank_positions(ranks: list[list[int]], depth: list[float]) -> list[float]:
    """The centre line of each rank along the flow."""
    centres, edge = [], 0.0
    for members in ranks:
        deepest = max((depth[v] for v in members), default=0.0)
        centres.append(edge + deepest / 2)
        edge += deepest + RANK_GAP
    return centres


def _coordinates(
    ranks: list[list[int]], chains: list[list[int]], breadth: list[float], level: Level, real: int
) -> list[float]:
    """Position across the flow: each vertex pulled towards its neighbours (a box towards
    its boxes, so the main path runs straight and long edges go beside it), boxes first,
    the lanes of long edges making way (the priority method)."""
    place = [0.0] * len(breadth)
    for members in ranks:
        edge = 0.0
        for v in members:
            place[v] = edge + breadth[v] / 2
            edge += breadth[v] + NODE_GAP
    above, below = _neighbours(chains, level)
    for sweep in range(SWEEPS):
        neighbours = above if sweep % 2 == 0 else below
        sequence = ranks if sweep % 2 == 0 else ranks[::-1]
        for members in sequence:
            wanted = []
            for v in members:
                near = neighbours.get(v, [])
                boxes = [u for u in near if u < real] if v < real else []
                wanted.append(fmean(place[u] for u in boxes or near) if near else place[v])
            priority = [(v < real, len(neighbours.get(v, ()))) for v in members]
            for v, x in zip(members, _separate(members, wanted, priority, place, breadth), strict=True):
                place[v] = x
    return place


def _separate(
    members: list[int],
    wanted: list[float],
    priority: list[tuple[bool, int]],
    place: list[float],
    breadth: list[float],
) -> list[float]:
    """Each vertex, most important first, moved as near to where it wants to be as the
    vertices already settled allow, pushing the others aside; order and gaps are kept.
    Ties settle from the left, then from the right, and the two are averaged (both keep
    the gaps, so does their mean), so three branches of one input sit around it, not beside."""
    gap = [(breadth[a] + breadth[b]) / 2 + NODE_GAP for a, b in pairwise(members)]
    offset = [0.0]
    for g in gap:
        offset.append(offset[-1] + g)  # offset[j] - offset[i]: the least distance from i to j
    results = []
    for tie in (1, -1):
        pos = [place[v] for v in members]
        settled: list[int] = []
        for i in sorted(range(len(members)), key=lambda i: (not priority[i][0], -priority[i][1], tie * i)):
            low = max((pos[j] + offset[i] - offset[j] for j in settled if j < i), default=float("-inf"))
            high = min((pos[j] - offset[j] + offset[i] for j in settled if j > i), default=float("inf"))
            pos[i] = min(max(wanted[i], low), high)
            settled.append(i)
            for k in range(i + 1, len(pos)):
                pos[k] = max(pos[k], pos[k - 1] + gap[k - 1])
            for k in range(i - 1, -1, -1):
                pos[k] = min(pos[k], pos[k + 1] - gap[k])
        results.append(pos)
    return [(a + b) / 2 for a, b in zip(*results, strict=True)]
