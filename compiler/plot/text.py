"""DOT (Graphviz) and Mermaid text of a plot graph, for people who render elsewhere.

Every name goes through its language's escaping: a layer name is text, never syntax."""

from __future__ import annotations

from .graph import Level, PlotGraph

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


DOT_ROLES = {"input": ', color="#2e7d32", penwidth=1.6', "output": ', color="#c2410c", penwidth=2.2'}


def _nested_lines(level: Level, indent: str, nodes: dict[int, str], frames: dict[int, str]) -> list[str]:
    """A level's boxes, each frame a subgraph holding its own (nested inside nested)."""
    lines = []
    for item in level.items:
        if item.node is not None:
            lines.append(indent + nodes[item.node])
        elif item.frame is not None:
            lines.append(indent + frames[item.frame.index])
            lines += _nested_lines(item.frame.level, indent + "  ", nodes, frames)
            lines.append(indent + ("}" if frames[item.frame.index].endswith(";") else "end"))
    return lines


def to_dot(graph: PlotGraph, rankdir: str = "TB") -> str:
    lines = [
        f"digraph {dot_string(graph.name)} {{",
        f"  rankdir={rankdir};",
        '  node [shape=box, style=rounded, fontname="DejaVu Sans", fontsize=9];',
    ]
    labels = {
        i: f"n{i} [label={dot_string(chr(10).join(node.lines))}{DOT_ROLES.get(node.role, '')}];"
        for i, node in enumerate(graph.nodes)
    }
    frames = {
        f.index: f"subgraph cluster_{f.index} {{ label={dot_string(f'{f.name} ({f.kind})')}; style=dashed;"
        for f in graph.frames
    }
    lines += _nested_lines(graph.level, "  ", labels, frames)
    lines += [f"  n{edge.source} -> n{edge.target};" for edge in graph.edges]
    return "\n".join([*lines, "}", ""])


def to_mermaid(graph: PlotGraph, rankdir: str = "TB") -> str:
    lines = [f"flowchart {rankdir}"]
    labels = {
        i: f'n{i}["{"<br/>".join(mermaid_text(line) for line in node.lines)}"]' for i, node in enumerate(graph.nodes)
    }
    frames = {f.index: f'subgraph f{f.index}["{mermaid_text(f"{f.name} ({f.kind})")}"]' for f in graph.frames}
    lines += _nested_lines(graph.level, "  ", labels, frames)
    lines += [f"  n{edge.source} --> n{edge.target}" for edge in graph.edges]
    roles = {role: [f"n{i}" for i, node in enumerate(graph.nodes) if node.role == role] for role in DOT_ROLES}
    lines += [f"  class {','.join(names)} {role}" for role, names in roles.items() if names]
    lines += ["  classDef input stroke:#2e7d32,stroke-width:2px", "  classDef output stroke:#c2410c,stroke-width:3px"]
    return "\n".join([*lines, ""])


WRITERS = {"dot": to_dot, "mermaid": to_mermaid}
