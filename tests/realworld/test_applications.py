"""Every keras.applications architecture in tests/fixtures/applications, as tf.keras 2 and
Keras 3 wrote it, without a framework: nnspec's shapes and counts equal what the writing
library reported, and the generated PyTorch module (lowered, rendered and compiled, not
run) computes channels first with no permute inside."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from conftest import FIXTURES
from nnspec.compiler.compiled import Compiled
from nnspec.spec import load
from nnspec.spec.summary import summarize

ALL = sorted(p for p in (FIXTURES / "applications").glob("keras[23]/*.json") if ".expected" not in p.name)
REFUSED = {
    "keras2/mobilenet_v3_small.json": "a TFOpLambda layer wraps a raw TensorFlow operation",
    "keras2/convnext_tiny.json": "a TFOpLambda layer wraps a raw TensorFlow operation",
}
"""tf.keras wrote MobileNetV3's `x + 3.0` and `x * (1 / 6)`, and ConvNeXt's residual sums, as
TFOpLambda layers (a TensorFlow function and its arguments): refused, by name, as code
nnspec does not run. Keras 3 writes them as operation nodes, which nnspec reads."""
APPLICATIONS = [p for p in ALL if str(p.relative_to(FIXTURES / "applications")) not in REFUSED]
CHANNELS_LAST_BLOCKS = {"keras3/convnext_tiny.json": 38}
"""ConvNeXt normalises and projects over the channel axis (LayerNormalization, Dense on the
feature map): like torchvision's own ConvNeXt, each of its 18 blocks moves channels last
after its depthwise convolution and back at its end, and so does each of the stem's and
the three downsamplers' normalisations that sit before a convolution or the head."""


def _rel(path: Path) -> str:
    return str(path.relative_to(FIXTURES / "applications"))


def _shape(text: str) -> object:
    return json.loads(text.replace("(", "[").replace(")", "]").replace("None", "null").replace(",]", "]"))


@pytest.mark.parametrize("path", APPLICATIONS, ids=_rel)
def test_counts_and_shapes_equal_what_keras_reported(path: Path) -> None:
    expected = json.loads(path.with_name(path.stem + ".expected.json").read_text())
    summary = summarize(load(path).graph)
    assert (summary.total_params, summary.trainable_params, summary.non_trainable_params) == (
        expected["total_params"],
        expected["trainable_params"],
        expected["non_trainable_params"],
    )
    rows = {row.name: row for row in summary.rows}
    for layer in expected["layers"]:
        row = rows[layer["name"].replace("/", "_")]  # tf.keras's 'conv1/conv': Keras 3 refuses a '/'
        assert row.params == layer["params"], layer["name"]
        got, want = _shape(row.output_shape), layer["output_shape"]
        assert got == want or [got] == want, (layer["name"], got, want)


def _forward_permutes(source: str, class_name: str) -> list[str]:
    """The `.permute(...)` calls in a generated class's forward()."""
    tree = ast.parse(source)
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == class_name)
    forward = next(n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "forward")
    return [
        ast.unparse(node)
        for node in ast.walk(forward)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "permute"
    ]


@pytest.mark.parametrize("path", APPLICATIONS, ids=_rel)
def test_generated_module_computes_channels_first_without_permutes(path: Path) -> None:
    """Every value of these networks is computed channels first: the module takes
    (N, C, H, W) and nothing inside moves an axis. With Keras's interface, one permute
    at the input is all."""
    compiled = Compiled.of(path)
    source = compiled.torch_source
    compile(source.text, str(path), "exec")
    permutes = _forward_permutes(source.text, source.class_name)
    assert len(permutes) == CHANNELS_LAST_BLOCKS.get(_rel(path), 0)
    assert {p.rsplit(".permute", 1)[1] for p in permutes} <= {"(0, 2, 3, 1)", "(0, 3, 1, 2)"}
    (argument,) = compiled.program.top.arguments
    assert argument.layout.perm == (0, 3, 1, 2)
    keras_layout = Compiled.of(compiled.loaded, "keras").torch_source
    assert len(_forward_permutes(keras_layout.text, keras_layout.class_name)) == 1 + len(permutes)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_tf_keras_operation_layers_are_refused_by_name(name: str) -> None:
    from nnspec.spec import SpecError

    with pytest.raises(SpecError) as caught:
        load(FIXTURES / "applications" / name)
    assert all(REFUSED[name] in problem.message for problem in caught.value.problems)  # and nothing else
