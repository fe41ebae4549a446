"""`nnspec plot --expand-nested`: each nested model's layers inside a labelled frame, the
outer arrows reaching its input and output layers; the model's own inputs and outputs
marked; arrows against the flow kept clear of every box; crossings counted (none in the
examples); the PNG at two pixels a point with every box's lines (issue 13)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import pairwise
from pathlib import Path

import pytest
from typer.testing import CliRunner

import nnspec
from conftest import FIXTURES, ROOT, VALID_EXAMPLES
from nnspec.compiler.cli import app
from nnspec.compiler.plot import render
from nnspec.compiler.plot.graph import plot_graph
from nnspec.compiler.plot.layout import Box, Layout, Route, layout
from nnspec.compiler.plot.routes import crossings
from nnspec.spec.graph import Graph

runner = CliRunner()
SVG = "{http://www.w3.org/2000/svg}"
NESTED = [
    "keras2/nested.json",
    "keras3/nested.json",
    "keras21/nested_first.json",
    "keras2_h5/k2_deep_nesting.json",
    "keras2_h5/tf212_deep_nesting.json",
    "keras2_h5/k2_functional_in_sequential.json",
    "keras2_h5/k2_nested_deferred.json",
    "keras2_h5/k2_nested_multi_io.json",
    "keras2_h5/k2_seq_in_seq.json",
    "keras2_h5/k2_siamese.json",
    "keras2_h5/k2_transfer.json",
    "keras3_ops/k3_nested.json",
]
"""Every committed spec with a model used as a layer (nested inside nested among them)."""


def expanded_counts(graph: Graph) -> tuple[int, int, int]:
    """(boxes, arrows, frames) from the graph itself: each layer of each model, nested
    models as frames of their own layers; each tensor each call reads, at every level."""
    boxes = len({ref[0] for ref in graph.input_refs} - {info.name for info in graph.layers})
    arrows = sum(len(call.reads()) for call in graph.calls)
    frames = 0
    for info in graph.layers:
        if info.inner is None:
            boxes += 1
        else:
            inner = expanded_counts(info.inner)
            boxes, arrows, frames = boxes + inner[0], arrows + inner[1], frames + inner[2] + 1
    return boxes, arrows, frames


def svg_ids(svg: bytes) -> list[str]:
    return [element.get("id", "") for element in ET.fromstring(svg).iter(f"{SVG}g")]


def inside(box: Box, frame: Box) -> bool:
    return (
        abs(box.x - frame.x) * 2 + box.width <= frame.width + 1e-6
        and abs(box.y - frame.y) * 2 + box.height <= frame.height + 1e-6
    )


def assert_frames_keep_apart(lay: Layout) -> None:
    """No two boxes overlap; each box lies wholly inside a frame or wholly outside it;
    two frames are nested or apart."""
    for i, box in enumerate(lay.boxes):
        assert not any(box.overlaps(other) for other in lay.boxes[i + 1 :])
        for frame in lay.frames:
            assert inside(box, frame) or not box.overlaps(frame), (box, frame)
    for i, frame in enumerate(lay.frames):
        for other in lay.frames[i + 1 :]:
            assert inside(other, frame) or inside(frame, other) or not frame.overlaps(other)


def crosses(start: tuple[float, float], end: tuple[float, float], box: Box) -> bool:
    """Whether the segment runs through the box's inside (Liang-Barsky clipping)."""
    low, high = 0.0, 1.0
    for p, d, lo, hi in (
        (start[0], end[0] - start[0], box.x - box.width / 2 + 0.5, box.x + box.width / 2 - 0.5),
        (start[1], end[1] - start[1], box.y - box.height / 2 + 0.5, box.y + box.height / 2 - 0.5),
    ):
        if d == 0:
            if not lo < p < hi:
                return False
            continue
        a, b = sorted(((lo - p) / d, (hi - p) / d))
        low, high = max(low, a), min(high, b)
    return low < high


@pytest.mark.parametrize("name", NESTED)
def test_each_nested_model_is_its_own_layers_in_a_frame(name: str) -> None:
    loaded = nnspec.load(FIXTURES / name)
    boxes, arrows, frames = expanded_counts(loaded.graph)
    assert frames >= 1
    ids = svg_ids(render(loaded, "svg", expand_nested=True))
    counted = [sum(i.startswith(kind) for i in ids) for kind in ("box-", "edge-", "frame-")]
    assert counted == [boxes, arrows, frames]
    graph = plot_graph(loaded.graph, loaded.spec, expand_nested=True)
    for rankdir in ("TB", "LR"):
        lay = layout(graph, rankdir)
        assert len(lay.frames) == frames
        assert_frames_keep_apart(lay)
        for route in lay.routes:  # every bend in the picture and in no box
            for x, y in route.points[1:-1]:
                assert not any(abs(x - b.x) * 2 < b.width and abs(y - b.y) * 2 < b.height for b in lay.boxes)
                assert 0 < x < lay.width and 0 < y < lay.height
    dot = render(loaded, "dot", expand_nested=True).decode()
    assert dot.count("subgraph cluster_") == frames
    assert (len(re.findall(r"^\s+n\d+ \[label=", dot, re.M)), dot.count(" -> ")) == (boxes, arrows)
    mermaid = render(loaded, "mermaid", expand_nested=True).decode()
    assert len(re.findall(r"^\s+subgraph f\d+\[", mermaid, re.M)) == frames
    assert len(re.findall(r"^\s+end$", mermaid, re.M)) == frames
    assert (len(re.findall(r'^\s+n\d+\["', mermaid, re.M)), mermaid.count(" --> ")) == (boxes, arrows)


def test_outer_arrows_reach_the_nested_models_input_and_output_layers() -> None:
    """outer_in -> encoder (a Sequential) -> head (a Functional) -> dense_4."""
    loaded = nnspec.load(FIXTURES / "keras2/nested.json")
    graph = plot_graph(loaded.graph, loaded.spec, expand_nested=True)
    names = [node.name for node in graph.nodes]
    assert sorted((names[e.source], names[e.target]) for e in graph.edges) == [
        ("batch_normalization", "dense_1"),
        ("dense", "batch_normalization"),
        ("dense_1", "head_in"),
        ("dense_2", "dense_3"),
        ("dense_3", "dense_4"),
        ("head_in", "dense_2"),
        ("input_1", "dense"),
        ("outer_in", "input_1"),
    ]
    assert [(f.name, f.kind) for f in graph.frames] == [("encoder", "Sequential"), ("head", "Functional")]
    svg = render(loaded, "svg", expand_nested=True).decode()
    texts = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert "encoder (Sequential)" in texts and "head (Functional)" in texts
    folded = plot_graph(loaded.graph, loaded.spec)  # the default: a nested model is one box
    assert [n.kind for n in folded.nodes] == ["InputLayer", "Sequential", "Functional", "Dense"]
    assert not folded.frames


def test_a_frame_inside_a_frame_and_a_model_called_on_its_own_output() -> None:
    """`stack` (a Sequential holding the Functional `cell`) called twice, the second time
    on its own output: the arrow goes around, clear of every box, into its input layer."""
    loaded = nnspec.load(FIXTURES / "keras2_h5/tf212_deep_nesting.json")
    graph = plot_graph(loaded.graph, loaded.spec, expand_nested=True)
    assert [(f.name, f.kind) for f in graph.frames] == [
        ("stack", "Sequential"),
        ("cell", "Functional"),
        ("cell", "Functional"),
    ]
    names = [node.name for node in graph.nodes]
    arrows = [(names[e.source], names[e.target], e.call) for e in graph.edges]
    assert ("dense_1", "input_1", 1) in arrows and ("start", "input_1", 0) in arrows
    for rankdir in ("TB", "LR"):
        lay = layout(graph, rankdir)
        stack, inner = lay.frames[0], lay.frames[1]
        assert inside(inner, stack)
        back = lay.routes[arrows.index(("dense_1", "input_1", 1))]
        for start, end in pairwise(back.points):
            assert not any(crosses(start, end, box) for box in lay.boxes)


def test_a_frames_label_is_text_never_markup() -> None:
    name = '<script>alert("&x")<\\script>'
    tower = {"name": name, "layers": [{"class_name": "Dense", "config": {"name": "inside", "units": 2}}]}
    layers = [
        {"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [None, 3]}},
        {"class_name": "Sequential", "config": tower, "inbound_nodes": [[["x", 0, 0]]]},
    ]
    ends = {"input_layers": [["x", 0, 0]], "output_layers": [[name, 0, 0]]}
    loaded = nnspec.load({"class_name": "Functional", "config": {"name": "m", "layers": layers, **ends}})
    svg = render(loaded, "svg", expand_nested=True).decode()
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert f"{name} (Sequential)" in [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert (
        'label="<script>alert(\\"&x\\")<\\\\script> (Sequential)"' in render(loaded, "dot", expand_nested=True).decode()
    )
    assert (
        'f0["#lt;script#gt;alert(#quot;#amp;x#quot;)#lt;\\script#gt; (Sequential)"]'
        in render(loaded, "mermaid", expand_nested=True).decode()
    )


def test_the_models_inputs_and_outputs_are_marked() -> None:
    """Inputs and outputs get borders of their own, outputs an "output" tag; expanded,
    a nested model's layer that gives the model's output is the one marked."""
    tower = {"name": "tower", "layers": [{"class_name": "Dense", "config": {"name": "inside", "units": 4}}]}
    layers = [
        {"class_name": "InputLayer", "config": {"name": "a", "batch_shape": [None, 3]}},
        {"class_name": "Dense", "config": {"name": "hidden", "units": 3}, "inbound_nodes": [[["a", 0, 0]]]},
        {"class_name": "Sequential", "config": tower, "inbound_nodes": [[["hidden", 0, 0]]]},
        {"class_name": "Dense", "config": {"name": "out", "units": 2}, "inbound_nodes": [[["hidden", 0, 0]]]},
    ]
    ends = {"input_layers": [["a", 0, 0]], "output_layers": [["out", 0, 0], ["tower", 0, 0]]}
    loaded = nnspec.load({"class_name": "Functional", "config": {"name": "m", "layers": layers, **ends}})
    for expand, outputs in ((False, {"out", "tower"}), (True, {"out", "inside"})):
        graph = plot_graph(loaded.graph, loaded.spec, expand_nested=expand)
        assert {n.name for n in graph.nodes if n.role == "input"} == {"a"}
        assert {n.name for n in graph.nodes if n.role == "output"} == outputs
    svg = render(loaded, "svg").decode()
    strokes = dict(re.findall(r'<g id="box-(\d+)">\s*<path d="[^"]*"\s*style="[^"]*stroke: (#[0-9a-f]{6})', svg))
    roles = [n.role for n in plot_graph(loaded.graph, loaded.spec).nodes]  # a, hidden, tower, out
    assert roles == ["input", "", "output", "output"]
    assert strokes["2"] == strokes["3"] and len({strokes["0"], strokes["1"], strokes["2"]}) == 3
    texts = [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert sum("\N{MIDDLE DOT} output" in text for text in texts) == 2


def test_the_readme_picture_of_nested_models_is_what_the_command_draws() -> None:
    """Regenerate with (one line): nnspec plot tests/fixtures/keras2_h5/tf212_deep_nesting.json
    -o docs/nested.svg --expand-nested"""
    loaded = nnspec.load(FIXTURES / "keras2_h5/tf212_deep_nesting.json")
    assert (ROOT / "docs" / "nested.svg").read_bytes() == render(loaded, "svg", expand_nested=True)
    assert "docs/nested.svg" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_command_and_the_api_take_expand_nested(tmp_path: Path) -> None:
    spec = str(FIXTURES / "keras2/nested.json")
    result = runner.invoke(app, ["plot", spec, "-o", str(tmp_path / "n.svg"), "--expand-nested"])
    assert result.exit_code == 0, result.output
    assert sum(i.startswith("frame-") for i in svg_ids((tmp_path / "n.svg").read_bytes())) == 2
    text = nnspec.plot(spec, tmp_path / "n.dot", expand_nested=True).read_text()
    assert text.count("subgraph cluster_") == 2
    assert "subgraph" not in nnspec.plot(spec, tmp_path / "folded.dot").read_text()


@pytest.mark.parametrize("example", VALID_EXAMPLES, ids=lambda p: p.stem)
def test_the_examples_are_drawn_without_a_crossing(example: Path) -> None:
    loaded = nnspec.load(example)
    for rankdir in ("TB", "LR"):
        assert crossings(layout(plot_graph(loaded.graph, loaded.spec), rankdir)) == 0


def test_crossings_are_counted_where_arrows_cross_not_where_they_meet() -> None:
    def route(*points: tuple[float, float]) -> Route:
        return Route(list(points))

    x = Layout([], [route((0, 0), (10, 10)), route((0, 10), (10, 0)), route((10, 10), (20, 0))], 20, 10)
    assert crossings(x) == 1  # the third starts where the first ends: no crossing
    two = Layout([], [route((0, 0), (10, 10), (20, 0)), route((0, 4), (20, 4))], 20, 10)
    assert crossings(two) == 2
    merges = nnspec.load(FIXTURES / "keras2/merges.json")  # three inputs, two of them into six merges
    assert crossings(layout(plot_graph(merges.graph, merges.spec))) > 0


def test_the_png_has_two_pixels_a_point_and_every_box_its_lines() -> None:
    """The lines under each name are stamped in from one drawing of each distinct text:
    every box shows ink where its kind, shape and count go, and none is left where none
    was drawn (between the boxes)."""
    import io

    import numpy as np
    from PIL import Image

    loaded = nnspec.load(ROOT / "examples/transformer_block.yaml")
    lay = layout(plot_graph(loaded.graph, loaded.spec))
    image = Image.open(io.BytesIO(render(loaded, "png")))
    assert image.size == (round(lay.width * 2), round(lay.height * 2)) and image.info["dpi"][0] == pytest.approx(
        144, abs=0.01
    )
    dark = np.asarray(image.convert("L")) < 100
    for box in lay.boxes:
        name_bottom = box.y - box.height / 2 + 8 + 12  # padding, then the name's line
        rows = slice(round(name_bottom * 2) + 2, round((box.y + box.height / 2 - 8) * 2))
        cols = slice(round((box.x - box.width / 2 + 4) * 2), round((box.x + box.width / 2 - 4) * 2))
        assert dark[rows, cols].sum() > 100, box
    gap = [(a.y + a.height / 2, b.y - b.height / 2) for a, b in pairwise(sorted(lay.boxes, key=lambda b: b.y))]
    for low, high in gap:
        if high - low > 8:  # between two ranks only arrows pass: thin lines, no text
            assert dark[round(low * 2) + 4 : round(high * 2) - 4].sum() < 30 * (high - low)


def test_calls_against_the_flow_each_have_an_arrow_that_runs_clear_of_the_boxes() -> None:
    """A shared layer called on what its first call led to, then on its own output: three
    arrows into it, each its own, the two against the flow going round every box."""
    layers = [
        {"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [None, 4]}},
        {
            "class_name": "Dense",
            "config": {"name": "shared", "units": 4},
            "inbound_nodes": [[["x", 0, 0]], [["after", 0, 0]], [["shared", 1, 0]]],
        },
        {"class_name": "Dense", "config": {"name": "after", "units": 4}, "inbound_nodes": [[["shared", 0, 0]]]},
    ]
    ends = {"input_layers": [["x", 0, 0]], "output_layers": [["shared", 2, 0]]}
    loaded = nnspec.load({"class_name": "Functional", "config": {"name": "loop", "layers": layers, **ends}})
    graph = plot_graph(loaded.graph, loaded.spec)
    for rankdir in ("TB", "LR"):
        lay = layout(graph, rankdir)
        ends_at = [(route.points[0], route.points[-1]) for route in lay.routes]
        assert len(set(ends_at)) == len(ends_at) == 4  # no two arrows drawn over each other
        for edge, route in zip(graph.edges, lay.routes, strict=True):
            if edge.source >= edge.target:  # after -> shared, shared -> shared
                assert len(route.points) == 6
                for start, end in pairwise(route.points):
                    assert not any(crosses(start, end, box) for box in lay.boxes)
