"""A loaded graph as boxes and arrows: one node per layer, one edge per tensor a call
reads, from the layer that made it. A nested model is one node, or, expanded, a frame
holding its own layers (nested inside nested too), which the layout places as one
block: the graph is kept as levels, each the items (boxes and frames) of one model."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from nnspec.spec.graph import Graph
from nnspec.spec.model import FunctionalSpec, TensorRef, flatten_refs
from nnspec.spec.summary import shapes_text


@dataclass(frozen=True)
class Node:
    name: str
    kind: str
    shape: str
    params: int
    role: str = ""
    """"input" or "output" for the model's own inputs and outputs (drawn marked)."""

    @property
    def lines(self) -> tuple[str, ...]:
        """The box's text, top to bottom."""
        kind = f"{self.kind} \N{MIDDLE DOT} output" if self.role == "output" else self.kind
        return (self.name, kind, self.shape, f"{self.params:,} params")


@dataclass(frozen=True)
class Edge:
    source: int
    target: int
    call: int
    """The consumer's call index: a shared layer gets an arrow per call."""


@dataclass
class Item:
    """A vertex of a level: a box (`node`), a nested model's frame, or the point where
    the frame's output `exit` leaves it."""

    node: int | None = None
    frame: Frame | None = None
    exit: int | None = None


@dataclass(frozen=True)
class LevelEdge:
    """An arrow between two items of a level; from a frame it leaves by output `leave`,
    into a frame it goes to input `enter`. `edge` is the Edge it draws, None for the
    run from a frame's output layer to where it leaves the frame."""

    source: int
    target: int
    edge: int | None
    leave: int = 0
    enter: int = 0


@dataclass
class Level:
    items: list[Item] = field(default_factory=list)
    edges: list[LevelEdge] = field(default_factory=list)


@dataclass
class Frame:
    """An expanded nested model: its name and kind, and its own level."""

    index: int
    name: str
    kind: str
    level: Level
    entries: list[tuple[int, int]]
    """Per input of the model: (item of its level, that item's input) the input goes to."""


@dataclass(frozen=True)
class PlotGraph:
    name: str
    nodes: list[Node]
    edges: list[Edge]
    level: Level
    frames: list[Frame] = field(default_factory=list)


def output_refs(spec: Any, graph: Graph) -> list[TensorRef]:
    """A model's outputs: a functional model's output_layers, a Sequential's last layer."""
    if isinstance(spec, FunctionalSpec):
        return flatten_refs(spec.config.output_layers)
    return [(graph.layers[-1].name, 0, 0)] if graph.layers else []


def plot_graph(graph: Graph, spec: Any = None, expand_nested: bool = False) -> PlotGraph:
    """Nodes in first-use order (inputs first, then as the calls run), so that an edge
    from a later item to an earlier one can only come from a shared layer's later call.
    With `spec` (the model's), its outputs are marked."""
    builder = _Builder(expand_nested)
    level = builder.level(graph, None)
    item_of = builder.item_of[id(level)]
    for ref in graph.input_refs:
        builder.mark(level, item_of[ref[0]], 0, "input")
    for ref in output_refs(spec, graph) if spec is not None else ():  # after: an input passed through is an output
        builder.mark(level, item_of[ref[0]], ref[2], "output")
    return PlotGraph(graph.name, builder.nodes, builder.edges, level, builder.frames)


class _Builder:
    def __init__(self, expand: bool) -> None:
        self.expand = expand
        self.nodes: list[Node] = []
        self.edges: list[Edge] = []
        self.frames: list[Frame] = []
        self.item_of: dict[int, dict[str, int]] = {}  # id(level) -> layer name -> item

    def level(self, graph: Graph, outputs: list[TensorRef] | None) -> Level:
        """The items and arrows of one model; `outputs` (a frame's) each get an exit."""
        level = Level()
        by_name = {info.name: info for info in graph.layers}
        input_shapes = {ref[0]: shape for ref, shape in zip(graph.input_refs, graph.input_shapes, strict=False)}
        item_of = self.item_of.setdefault(id(level), {})

        def add(name: str) -> int:
            if name not in item_of:
                item_of[name] = len(level.items)
                info = by_name.get(name)
                if info is None:  # a Sequential model's input: no layer in the graph, still a box
                    level.items.append(self._box(Node(name, "InputLayer", shapes_text((input_shapes[name],)), 0)))
                elif self.expand and info.inner is not None:
                    level.items.append(Item(frame=self.frame(info.name, info.inner, info.entry)))
                else:
                    shape = shapes_text(info.output_shapes)
                    level.items.append(self._box(Node(name, info.kind, shape, info.params.total)))
            return item_of[name]

        for ref in graph.input_refs:
            add(ref[0])
        for call in graph.calls:
            sources = [(add(ref[0]), ref[2]) for ref in call.reads()]
            target = add(call.layer)
            for enter, (source, leave) in enumerate(sources):
                edge = Edge(self.leaf(level, source, leave, out=True), self.leaf(level, target, enter), call.index)
                level.edges.append(LevelEdge(source, target, len(self.edges), leave, enter))
                self.edges.append(edge)
        for info in graph.layers:  # a layer never called still gets its box
            add(info.name)
        for position, ref in enumerate(outputs or ()):
            level.items.append(Item(exit=position))
            level.edges.append(LevelEdge(item_of[ref[0]], len(level.items) - 1, None, ref[2]))
        return level

    def frame(self, name: str, inner: Graph, spec: Any) -> Frame:
        index = len(self.frames)
        self.frames.append(None)  # type: ignore[arg-type]  # its place, before the frames inside it
        level = self.level(inner, output_refs(spec, inner))
        item_of = self.item_of[id(level)]
        if inner.input_refs:
            entries = [(item_of[ref[0]], 0) for ref in inner.input_refs]
        else:  # a Sequential model without an InputLayer: its first layer takes the input
            entries = [(item_of[inner.calls[0].layer], 0)]
        self.frames[index] = Frame(index, name, inner.kind, level, entries)
        return self.frames[index]

    def _box(self, node: Node) -> Item:
        self.nodes.append(node)
        return Item(node=len(self.nodes) - 1)

    def leaf(self, level: Level, item: int, port: int, out: bool = False) -> int:
        """The box an arrow really starts at (`out`) or ends at, through frames."""
        found = level.items[item]
        while found.frame is not None:
            frame = found.frame
            if out:
                run = next(e for e in frame.level.edges if e.edge is None and frame.level.items[e.target].exit == port)
                level, item, port = frame.level, run.source, run.leave
            else:
                level, (item, port) = frame.level, frame.entries[port]
            found = level.items[item]
        assert found.node is not None
        return found.node

    def mark(self, level: Level, item: int, port: int, role: str) -> None:
        node = self.leaf(level, item, port, out=role == "output")
        self.nodes[node] = replace(self.nodes[node], role=role)
