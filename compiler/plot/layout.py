"""A layered (Sugiyama-style) layout: ranks by longest path from the inputs, a virtual
point per rank that a long edge crosses (so a skip connection runs beside the boxes it
skips, never through them), barycenter sweeps to reduce crossings, then coordinates
that keep every two boxes of a rank apart. Pure Python; sizes in points, y downwards."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from statistics import fmean

from .graph import Node, PlotGraph

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


def box_size(node: Node) -> tuple[float, float]:
    """(width, height) from the text, so no label runs out of its box."""
    name, *rest = node.lines
    width = max(len(name) * BOLD_WIDTH, *(len(line) * CHAR_WIDTH for line in rest)) + 2 * PADDING
    return width, len(node.lines) * LINE_HEIGHT + 2 * PADDING


def layout(graph: PlotGraph, rankdir: str = "TB") -> Layout:
    sizes = [box_size(node) for node in graph.nodes]
    across = 0 if rankdir == "TB" else 1  # which of (width, height) lies along a rank
    breadth = [size[across] for size in sizes]
    depth = [size[1 - across] for size in sizes]
    rank = _ranks(graph)
    # Vertices: the nodes, then the virtual points of long edges, each with its rank.
    chains: list[list[int]] = []  # per edge: its vertices, source to target
    for edge in graph.edges:
        chain = [edge.source]
        if edge.source < edge.target:
            for r in range(rank[edge.source] + 1, rank[edge.target]):
                chain.append(len(rank))
                rank.append(r)
                breadth.append(LANE)
                depth.append(0.0)
        chains.append([*chain, edge.target])
    ranks = _order(rank, chains, graph)
    along = _rank_positions(ranks, depth)
    place = _coordinates(ranks, chains, breadth, graph)
    return _finish(graph, rankdir, rank, ranks, chains, place, along, breadth, depth)


def _ranks(graph: PlotGraph) -> list[int]:
    """Longest path from the sources over forward edges (nodes are in first-use order)."""
    rank = [0] * len(graph.nodes)
    for edge in sorted(graph.edges, key=lambda e: e.target):
        if edge.source < edge.target:
            rank[edge.target] = max(rank[edge.target], rank[edge.source] + 1)
    return rank


Adjacent = dict[int, list[int]]


def _neighbours(chains: list[list[int]], graph: PlotGraph) -> tuple[Adjacent, Adjacent]:
    """(vertices just above, vertices just below) each vertex, over forward edges."""
    above: Adjacent = {}
    below: Adjacent = {}
    for chain, edge in zip(chains, graph.edges, strict=True):
        if edge.source < edge.target:
            for a, b in pairwise(chain):
                above.setdefault(b, []).append(a)
                below.setdefault(a, []).append(b)
    return above, below


def _order(rank: list[int], chains: list[list[int]], graph: PlotGraph) -> list[list[int]]:
    """Vertices of each rank, left to right, after barycenter sweeps down and up."""
    ranks: list[list[int]] = [[] for _ in range(max(rank, default=0) + 1)]
    for vertex, r in enumerate(rank):
        ranks[r].append(vertex)
    above, below = _neighbours(chains, graph)
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
    ranks: list[list[int]], chains: list[list[int]], breadth: list[float], graph: PlotGraph
) -> list[float]:
    """Position across the flow: each vertex pulled towards its neighbours (a box towards
    its boxes, so the main path runs straight and long edges go beside it), boxes first,
    the lanes of long edges making way (the priority method)."""
    real = len(graph.nodes)
    place = [0.0] * len(breadth)
    for members in ranks:
        edge = 0.0
        for v in members:
            place[v] = edge + breadth[v] / 2
            edge += breadth[v] + NODE_GAP
    above, below = _neighbours(chains, graph)
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


def _finish(
    graph: PlotGraph,
    rankdir: str,
    rank: list[int],
    ranks: list[list[int]],
    chains: list[list[int]],
    place: list[float],
    along: list[float],
    breadth: list[float],
    depth: list[float],
) -> Layout:
    """Points in (across, along) turned into (x, y) for the direction, shifted to a margin."""
    low = min((place[v] - breadth[v] / 2 for v in range(len(place))), default=0.0) - PADDING
    u = [p - low for p in place]
    v_of = [along[r] + PADDING for r in rank]
    lines: list[list[tuple[float, float]]] = []
    back = 0
    for chain, edge in zip(chains, graph.edges, strict=True):
        if edge.source >= edge.target:
            lines.append(_around(edge.source, edge.target, back, u, v_of, rank, ranks, breadth, depth))
            back += 1
            continue
        points = [(u[chain[0]], v_of[chain[0]] + depth[chain[0]] / 2)]
        for vertex in chain[1:-1]:  # along the virtual point's lane, through its whole rank
            half = max(depth[w] for w in ranks[rank[vertex]]) / 2
            points += [(u[vertex], v_of[vertex] - half), (u[vertex], v_of[vertex] + half)]
        points.append((u[chain[-1]], v_of[chain[-1]] - depth[chain[-1]] / 2))
        lines.append(points)
    _spread_ports(graph, lines, breadth)
    flip = (lambda a, b: (a, b)) if rankdir == "TB" else (lambda a, b: (b, a))
    boxes = []
    for i in range(len(graph.nodes)):
        x, y = flip(u[i], v_of[i])
        w, h = flip(breadth[i], depth[i])
        boxes.append(Box(x, y, w, h))
    routes = [Route([flip(a, b) for a, b in line]) for line in lines]
    right = max((a for line in lines for a, _ in line), default=0.0)
    extent_u = max(right, *(u[i] + breadth[i] / 2 for i in range(len(u)))) + PADDING
    extent_v = max((v_of[i] + depth[i] / 2 for i in range(len(graph.nodes))), default=0.0) + PADDING
    width, height = flip(extent_u, extent_v)
    return Layout(boxes, routes, width, height)


def _around(
    source: int,
    target: int,
    count: int,
    u: list[float],
    v_of: list[float],
    rank: list[int],
    ranks: list[list[int]],
    breadth: list[float],
    depth: list[float],
) -> list[tuple[float, float]]:
    """A shared layer's call on something made after its first call (or on its own
    output) goes back against the flow: out of the source's far side, down a lane beyond
    every box of the ranks between, into the target's far side; one lane per such edge."""
    low, high = sorted((rank[source], rank[target]))
    beyond = max(u[w] + breadth[w] / 2 for r in range(low, high + 1) for w in ranks[r])
    lane = beyond + NODE_GAP / 2 + count * LANE
    start = (u[source] + breadth[source] / 2, v_of[source] + depth[source] / 4)
    end = (u[target] + breadth[target] / 2, v_of[target] - depth[target] / 4)
    return [start, (lane, start[1]), (lane, end[1]), end]


def _spread_ports(graph: PlotGraph, lines: list[list[tuple[float, float]]], breadth: list[float]) -> None:
    """Several arrows leaving or reaching one box start and end apart, in the order of
    where they come from, so two arrows between the same boxes stay two."""
    ends: dict[tuple[int, int], list[int]] = {}  # (node, 0 leaving / 1 arriving) -> edges
    for i, edge in enumerate(graph.edges):
        if edge.source < edge.target:
            ends.setdefault((edge.source, 0), []).append(i)
            ends.setdefault((edge.target, 1), []).append(i)
    for (node, arriving), edges in ends.items():
        end = -1 if arriving else 0
        far = -2 if arriving else 1
        edges.sort(key=lambda i: lines[i][far][0])
        span = breadth[node] * PORT_SPREAD
        for k, i in enumerate(edges):
            shift = span * ((k + 1) / (len(edges) + 1) - 0.5)
            x, y = lines[i][end]
            lines[i][end] = (x + shift, y)
