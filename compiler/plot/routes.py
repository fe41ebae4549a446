"""Each arrow's line through a laid-out level: along the lanes of the ranks it passes,
round every box when it runs against the flow, its ends spread over the boxes' sides and
joined to the runs inside frames; and how many times two arrows cross."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

from .graph import Level
from .sizes import LANE, NODE_GAP, PORT_SPREAD, RANK_GAP, Point, Rect

if TYPE_CHECKING:
    from .layout import Layout, _Placed


@dataclass
class _Line:
    points: list[Point]
    head: int  # leading points on the source's port (moved together when ports spread)
    tail: int  # trailing points on the target's port


@dataclass
class Router:
    level: Level
    blocks: dict[int, _Placed]
    rank: list[int]
    ranks: list[list[int]]
    chains: list[list[int]]
    place: list[float]
    along: list[float]
    breadth: list[float]
    depth: list[float]
    entries: list[tuple[int, int]]

    def route(self, placed: _Placed) -> None:
        """Each edge's line, its ends spread over the boxes' sides, then joined to the
        runs inside frames: out of a frame from its output layer, into one down to the
        box its input goes to."""
        lines = []
        back = 0
        for chain, edge in zip(self.chains, self.level.edges, strict=True):
            if edge.source < edge.target:
                lines.append(self._forward(chain, edge.leave, edge.enter))
            else:
                lines.append(self._around(edge.source, edge.target, edge.leave, edge.enter, back))
                back += 1
        self._spread_ports(lines)
        items = self.level.items
        for edge, line in zip(self.level.edges, lines, strict=True):
            points = line.points
            if edge.source in self.blocks:  # the run inside, already moved with its block
                points = [*self.blocks[edge.source].exits[edge.leave][:-1], *points]
            if edge.target in self.blocks:
                points = [*points, (points[-1][0], self.blocks[edge.target].entries[edge.enter][2])]
            exit_of = items[edge.target].exit
            if exit_of is not None:
                placed.exits[exit_of] = points
            elif edge.edge is not None:
                placed.routes[edge.edge] = points
        for item, port in self.entries:
            if item in self.blocks:
                placed.entries.append(self.blocks[item].entries[port])
            else:
                u0, v0, u1, _ = placed.boxes[items[item].node]  # type: ignore[index]
                placed.entries.append(((u0 + u1) / 2, u1 - u0, v0))

    def _start(self, item: int, leave: int) -> Point:
        if item in self.blocks:
            return self.blocks[item].exits[leave][-1]
        return (self.place[item], self.along[self.rank[item]] + self.depth[item] / 2)

    def _end(self, item: int, enter: int) -> Point:
        if item in self.blocks:
            return (self.blocks[item].entries[enter][0], self.along[self.rank[item]] - self.depth[item] / 2)
        return (self.place[item], self.along[self.rank[item]] - self.depth[item] / 2)

    def _forward(self, chain: list[int], leave: int, enter: int) -> _Line:
        source, target = chain[0], chain[-1]
        points = [self._start(source, leave)]
        for vertex in chain[1:-1]:  # along the virtual point's lane, through its whole rank
            half = max(self.depth[w] for w in self.ranks[self.rank[vertex]]) / 2
            centre = self.along[self.rank[vertex]]
            points += [(self.place[vertex], centre - half), (self.place[vertex], centre + half)]
        points.append(self._end(target, enter))
        end_on_port = 0 if self.level.items[target].exit is not None else 1
        return _Line(points, 0 if source in self.blocks else 1, end_on_port)

    def _gap(self, r: int, below: bool, count: int) -> float:
        """A line in the gap below (or above) rank r, apart from the other back edges'."""
        half = max(self.depth[w] for w in self.ranks[r]) / 2
        into = RANK_GAP * (1 + count % 3) / 4
        return self.along[r] + half + into if below else self.along[r] - half - into

    def _around(self, source: int, target: int, leave: int, enter: int, count: int) -> _Line:
        """A shared layer's call on something made after its first call (or on its own
        output) goes back against the flow: out of the source's bottom into the gap below
        its rank, along a lane beyond every box of the ranks between, into the gap above
        the target's rank and its top; one lane per such edge."""
        low, high = sorted((self.rank[source], self.rank[target]))
        beyond = max(self.place[w] + self.breadth[w] / 2 for r in range(low, high + 1) for w in self.ranks[r])
        lane = beyond + NODE_GAP / 2 + count * LANE
        start, end = self._start(source, leave), self._end(target, enter)
        below = self._gap(self.rank[source], True, count)
        above = self._gap(self.rank[target], False, count)
        points = [start, (start[0], below), (lane, below), (lane, above), (end[0], above), end]
        return _Line(points, 0 if source in self.blocks else 2, 2)

    def _spread_ports(self, lines: list[_Line]) -> None:
        """Several arrows leaving or reaching one box start and end apart, in the order of
        where they come from, so two arrows between the same boxes stay two. Arrows out of
        a frame leave where its output's run does."""
        ends: dict[tuple[int, int, int], list[int]] = {}  # (item, 0 leaving / 1 arriving, input) -> edges
        for i, edge in enumerate(self.level.edges):
            if lines[i].head:
                ends.setdefault((edge.source, 0, 0), []).append(i)
            if lines[i].tail:
                ends.setdefault((edge.target, 1, edge.enter if edge.target in self.blocks else 0), []).append(i)
        for (item, arriving, enter), edges in ends.items():
            if arriving:
                edges.sort(key=lambda i: lines[i].points[-lines[i].tail - 1][0])
            else:
                edges.sort(key=lambda i: lines[i].points[lines[i].head][0])
            if item in self.blocks:
                centre, width, _ = self.blocks[item].entries[enter]
            else:
                centre, width = self.place[item], self.breadth[item]
            span = width * PORT_SPREAD
            for k, i in enumerate(edges):
                u = centre + span * ((k + 1) / (len(edges) + 1) - 0.5)
                points = lines[i].points
                ports = range(len(points) - lines[i].tail, len(points)) if arriving else range(lines[i].head)
                for p in ports:
                    points[p] = (u, points[p][1])


def crossings(lay: Layout) -> int:
    """How many times two arrows cross (segments meeting at a point inside both; arrows
    that touch or overlap are not counted): what the ordering of each rank tries to keep low."""
    segments = [list(pairwise(route.points)) for route in lay.routes]
    boxes = [_extent(route.points) for route in lay.routes]
    count = 0
    for i, mine in enumerate(segments):
        for j in range(i + 1, len(segments)):
            if _apart(boxes[i], boxes[j]):
                continue
            count += sum(_cross(a, b) for a in mine for b in segments[j])
    return count


def _extent(points: list[Point]) -> Rect:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _apart(a: Rect, b: Rect) -> bool:
    return a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1]


def _cross(a: tuple[Point, Point], b: tuple[Point, Point]) -> bool:
    def side(p: Point, q: Point, r: Point) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    eps = 1e-9
    d1, d2 = side(b[0], b[1], a[0]), side(b[0], b[1], a[1])
    d3, d4 = side(a[0], a[1], b[0]), side(a[0], a[1], b[1])
    return ((d1 > eps and d2 < -eps) or (d1 < -eps and d2 > eps)) and (
        (d3 > eps and d4 < -eps) or (d3 < -eps and d4 > eps)
    )
