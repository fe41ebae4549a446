"""A loaded graph as boxes and arrows: one node per layer (a nested model is one node),
one edge per tensor a call reads, from the layer that made it."""

from __future__ import annotations

from dataclasses import dataclass

from nnspec.spec.graph import Graph
from nnspec.spec.summary import shapes_text


@dataclass(frozen=True)
class Node:
    name: str
    kind: str
    shape: str
    params: int

    @property
    def lines(self) -> tuple[str, ...]:
        """The box's text, top to bottom."""
        return (self.name, self.kind, self.shape, f"{self.params:,} params")


@dataclass(frozen=True)
class Edge:
    source: int
    target: int
    call: int
    """The consumer's call index: a shared layer gets an arrow per call."""


@dataclass(frozen=True)
class PlotGraph:
    name: str
    nodes: list[Node]
    edges: list[Edge]


def plot_graph(graph: Graph) -> PlotGraph:
    """Nodes in first-use order (inputs first, then as the calls run), so that an edge
    from a later node to an earlier one can only come from a shared layer's later call."""
    by_name = {info.name: info for info in graph.layers}
    input_shapes = {ref[0]: shape for ref, shape in zip(graph.input_refs, graph.input_shapes, strict=False)}
    order: dict[str, int] = {}
    nodes: list[Node] = []

    def add(name: str) -> int:
        if name not in order:
            order[name] = len(nodes)
            info = by_name.get(name)
            if info is None:  # a Sequential model's input: no layer in the graph, still a box
                nodes.append(Node(name, "InputLayer", shapes_text((input_shapes[name],)), 0))
            else:
                nodes.append(Node(name, info.kind, shapes_text(info.output_shapes), info.params.total))
        return order[name]

    for ref in graph.input_refs:
        add(ref[0])
    edges = []
    for call in graph.calls:
        sources = [add(ref[0]) for ref in call.reads()]
        target = add(call.layer)
        edges += [Edge(source, target, call.index) for source in sources]
    for info in graph.layers:  # a layer never called still gets its box
        add(info.name)
    return PlotGraph(graph.name, nodes, edges)
