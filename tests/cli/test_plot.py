"""`nnspec plot`: a box per layer and an arrow per connection in every format, names
that stay text, boxes that never overlap, and the README's picture up to date (issue 13)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from plot_specs import residual_spec
from typer.testing import CliRunner

import nnspec
from conftest import EXAMPLES, ROOT, VALID_EXAMPLES
from nnspec.compiler.cli import app
from nnspec.compiler.plot import render
from nnspec.compiler.plot.graph import plot_graph
from nnspec.compiler.plot.layout import Layout, layout
from nnspec.spec.graph import Graph

runner = CliRunner()
PICTURES = [
    ("examples/iris_functional.yaml", "three_branch"),
    ("examples/transformer_block.yaml", "transformer_block"),
    ("tests/fixtures/applications/keras3/resnet50.json", "resnet50"),
]
"""The README's pictures: the course's three-branch model, a residual block, and
keras.applications' ResNet50 (its to_json())."""
SVG_ID = re.compile(r'<g id="(box|edge)-\d+"')
NAME = '<script>alert("&x")<\\script>'


def expected_counts(graph: Graph) -> tuple[int, int]:
    """(boxes, arrows) from the graph itself: each layer (and a Sequential model's input),
    and each tensor each call reads."""
    boxes = {info.name for info in graph.layers} | {ref[0] for ref in graph.input_refs}
    return len(boxes), sum(len(call.reads()) for call in graph.calls)


def svg_counts(svg: bytes) -> tuple[int, int]:
    ids = [element.get("id", "") for element in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}g")]
    return sum(i.startswith("box-") for i in ids), sum(i.startswith("edge-") for i in ids)


def assert_bends_clear(lay: Layout) -> None:
    """An arrow's bends lie in the picture and in no box."""
    for route in lay.routes:
        for x, y in route.points[1:-1]:
            assert not any(abs(x - b.x) * 2 < b.width and abs(y - b.y) * 2 < b.height for b in lay.boxes)
            assert 0 < x < lay.width and 0 < y < lay.height


@pytest.mark.parametrize("example", VALID_EXAMPLES, ids=lambda p: p.stem)
def test_every_format_has_a_box_per_layer_and_an_arrow_per_connection(example: Path) -> None:
    loaded = nnspec.load(example)
    boxes, arrows = expected_counts(loaded.graph)
    assert svg_counts(render(loaded, "svg")) == (boxes, arrows)
    dot = render(loaded, "dot").decode()
    assert (len(re.findall(r"^  n\d+ \[label=", dot, re.M)), dot.count(" -> ")) == (boxes, arrows)
    mermaid = render(loaded, "mermaid", "LR").decode()
    assert mermaid.startswith("flowchart LR\n")
    assert (len(re.findall(r'^  n\d+\["', mermaid, re.M)), mermaid.count(" --> ")) == (boxes, arrows)


def _odd_names() -> nnspec.LoadedSpec:
    layers = [
        {"class_name": "InputLayer", "config": {"name": NAME, "batch_shape": [None, 3]}},
        {"class_name": "Dense", "config": {"name": "cost_$x$_#1", "units": 2}, "inbound_nodes": [[[NAME, 0, 0]]]},
    ]
    ends = {"input_layers": [[NAME, 0, 0]], "output_layers": [["cost_$x$_#1", 0, 0]]}
    config = {"name": 'm"<x>', "layers": layers, **ends}
    return nnspec.load({"class_name": "Functional", "config": config})


def test_names_reach_every_format_as_text_never_as_markup() -> None:
    loaded = _odd_names()
    svg = render(loaded, "svg").decode()
    assert "<script" not in svg and "&lt;script&gt;" in svg
    texts = [t.text for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]
    assert NAME in texts and "cost_$x$_#1" in texts  # the same characters, and $ is not mathtext
    dot = render(loaded, "dot").decode()
    assert 'label="<script>alert(\\"&x\\")<\\\\script>\\n' in dot and 'digraph "m\\"<x>"' in dot
    mermaid = render(loaded, "mermaid").decode()
    assert '["#lt;script#gt;alert(#quot;#amp;x#quot;)#lt;\\script#gt;<br/>' in mermaid
    assert "cost_$x$_#35;1" in mermaid


def test_a_deep_residual_network_keeps_boxes_apart_and_skips_beside_them() -> None:
    graph = plot_graph(nnspec.load(residual_spec(200)).graph)
    assert (len(graph.nodes), len(graph.edges)) == (301, 400)
    for rankdir in ("TB", "LR"):
        lay = layout(graph, rankdir)
        boxes = sorted(lay.boxes, key=lambda b: (b.y, b.x))
        for i, box in enumerate(boxes):  # sorted by y: only near neighbours can meet
            for other in boxes[i + 1 : i + 4]:
                assert not box.overlaps(other), (rankdir, box, other)
        assert_bends_clear(lay)
    main = {round(box.x) for box, node in zip(layout(graph).boxes, graph.nodes, strict=True)}
    assert len(main) == 1, "the main path runs straight down; the skips go beside it"


def test_the_command_writes_the_format_its_suffix_or_option_names(tmp_path: Path) -> None:
    spec = str(EXAMPLES / "iris_functional.yaml")
    for name, start in (("m.svg", b"<?xml"), ("m.png", b"\x89PNG"), ("m.pdf", b"%PDF"), ("m.dot", b"digraph")):
        result = runner.invoke(app, ["plot", spec, "-o", str(tmp_path / name)])
        assert result.exit_code == 0 and result.output == f"wrote {tmp_path / name}\n"
        assert (tmp_path / name).read_bytes().startswith(start)
    result = runner.invoke(app, ["plot", spec, "-o", str(tmp_path / "m.txt"), "--format", "mermaid"])
    assert result.exit_code == 0 and (tmp_path / "m.txt").read_text().startswith("flowchart TB")
    assert nnspec.plot(spec, tmp_path / "lr.mmd", rankdir="LR").read_text().startswith("flowchart LR")


def test_the_command_refuses_with_nothing_written(tmp_path: Path) -> None:
    bad = runner.invoke(app, ["plot", str(EXAMPLES / "invalid_cycle.yaml"), "-o", str(tmp_path / "m.svg")])
    assert bad.exit_code == 1 and "cycle" in bad.output
    unknown = runner.invoke(app, ["plot", str(EXAMPLES / "iris.yaml"), "-o", str(tmp_path / "m.txt")])
    assert unknown.exit_code == 2 and "name it .svg" in unknown.output
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(("spec", "picture"), PICTURES)
def test_the_readme_pictures_are_what_the_command_draws(spec: str, picture: str) -> None:
    """Regenerate with: nnspec plot <spec> -o docs/<picture>.svg"""
    drawn = render(nnspec.load(ROOT / spec), "svg")
    assert drawn == render(nnspec.load(ROOT / spec), "svg"), "same spec, same bytes"
    assert (ROOT / "docs" / f"{picture}.svg").read_bytes() == drawn
    assert f"docs/{picture}.svg" in (ROOT / "README.md").read_text(encoding="utf-8")


def _shared_and_nested() -> nnspec.LoadedSpec:
    """Two inputs through one shared Dense (two calls), a nested Sequential, two outputs."""
    tower = {"name": "tower", "layers": [{"class_name": "Dense", "config": {"name": "inside", "units": 4}}]}
    layers = [
        {"class_name": "InputLayer", "config": {"name": "a", "batch_shape": [None, 3]}},
        {"class_name": "InputLayer", "config": {"name": "b", "batch_shape": [None, 3]}},
        {
            "class_name": "Dense",
            "config": {"name": "shared", "units": 5},
            "inbound_nodes": [[["a", 0, 0]], [["b", 0, 0]]],
        },
        {"class_name": "Sequential", "config": tower, "inbound_nodes": [[["shared", 0, 0]]]},
        {
            "class_name": "Concatenate",
            "config": {"name": "merged"},
            "inbound_nodes": [[["shared", 1, 0], ["tower", 0, 0]]],
        },
        {"class_name": "Dense", "config": {"name": "out", "units": 2}, "inbound_nodes": [[["merged", 0, 0]]]},
    ]
    ends = {"input_layers": [["a", 0, 0], ["b", 0, 0]], "output_layers": [["out", 0, 0], ["tower", 0, 0]]}
    return nnspec.load({"class_name": "Functional", "config": {"name": "m", "layers": layers, **ends}})


def test_a_shared_layer_gets_an_arrow_per_call_and_a_nested_model_one_box() -> None:
    loaded = _shared_and_nested()
    graph = plot_graph(loaded.graph)
    assert [(n.name, n.kind) for n in graph.nodes] == [
        ("a", "InputLayer"),
        ("b", "InputLayer"),
        ("shared", "Dense"),
        ("tower", "Sequential"),
        ("merged", "Concatenate"),
        ("out", "Dense"),
    ]
    names = [node.name for node in graph.nodes]
    arrows = [(names[e.source], names[e.target], e.call) for e in graph.edges]
    assert sorted(arrows) == [
        ("a", "shared", 0),
        ("b", "shared", 1),
        ("merged", "out", 0),
        ("shared", "merged", 0),
        ("shared", "tower", 0),
        ("tower", "merged", 0),
    ]
    assert svg_counts(render(loaded, "svg", "LR")) == expected_counts(loaded.graph) == (6, 6)


def test_a_call_on_a_later_output_goes_around_the_boxes() -> None:
    """A shared layer called on what its own first call led to, then on itself: arrows
    against the flow, each in a lane beyond the boxes."""
    shared = {"name": "shared", "units": 4}
    layers = [
        {"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [None, 4]}},
        {
            "class_name": "Dense",
            "config": shared,
            "inbound_nodes": [[["x", 0, 0]], [["after", 0, 0]], [["shared", 1, 0]]],
        },
        {"class_name": "Dense", "config": {"name": "after", "units": 4}, "inbound_nodes": [[["shared", 0, 0]]]},
    ]
    ends = {"input_layers": [["x", 0, 0]], "output_layers": [["shared", 2, 0]]}
    loaded = nnspec.load({"class_name": "Functional", "config": {"name": "loop", "layers": layers, **ends}})
    assert svg_counts(render(loaded, "svg")) == expected_counts(loaded.graph) == (3, 4)
    for rankdir in ("TB", "LR"):
        assert_bends_clear(layout(plot_graph(loaded.graph), rankdir))


@pytest.mark.keras
@pytest.mark.torch
def test_check_draws_each_layer_shaded_by_its_difference(tmp_path: Path) -> None:
    from nnspec.compiler.plot.draw import SHADES, shade

    out = tmp_path / "parity.svg"
    result = runner.invoke(app, ["check", str(EXAMPLES / "iris_functional.yaml"), "--plot", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    svg = out.read_text(encoding="utf-8")
    boxes = re.findall(r'<g id="box-\d+">\s*<path d="[^"]*"\s*style="fill: (#[0-9a-f]{6})', svg)
    shades = {colour for _, colour in SHADES}
    assert len(boxes) == 6 and sum(colour in shades for colour in boxes) == 5  # the input has no difference
    assert [shade(d) for d in (0.0, 5e-7, 5e-6, 1e-3)] == [colour for _, colour in SHADES]
