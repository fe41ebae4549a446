"""DOT (Graphviz) and Mermaid text of a plot graph, for people who render elsewhere.

Every name goes through its language's escaping: a layer name is text, never syntax."""

from __future__ import annotations

from .graph import PlotGraph

# Mermaid's entity codes; "#" first, since the others bring one.
MERMAID_ESCAPES = (("#", "#35;"), ("&", "#amp;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"))


def dot_string(text: str) -> str:
    """A DOT quoted string: backslash and quote escaped, line breaks as DOT's \\n."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\r", "").replace("\n", "\\n") + '"'


def mermaid_text(text: str) -> str:
    for raw, code in MERMAID_ESCAPES:
        text = text.replace(raw, code)
    return " ".join(text.split())  # a line break would end the statement


def to_dot(graph: PlotGraph, rankdir: str = "TB") -> str:
    lines = [
        f"digraph {dot_string(graph.name)} {{",
        f"  rankdir={rankdir};",
        '  node [shape=box, style=rounded, fontname="DejaVu Sans", fontsize=9];',
    ]
    lines += [f"  n{i} [label={dot_string(chr(10).join(node.lines))}];" for i, node in enumerate(graph.nodes)]
    lines += [f"  n{edge.source} -> n{edge.target};" for edge in graph.edges]
    return "\n".join([*lines, "}", ""])


def to_mermaid(graph: PlotGraph, rankdir: str = "TB") -> str:
    lines = [f"flowchart {rankdir}"]
    lines += [
        f'  n{i}["{"<br/>".join(mermaid_text(line) for line in node.lines)}"]' for i, node in enumerate(graph.nodes)
    ]
    lines += [f"  n{edge.source} --> n{edge.target}" for edge in graph.edges]
    return "\n".join([*lines, ""])


WRITERS = {"dot": to_dot, "mermaid": to_mermaid}
