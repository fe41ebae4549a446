"""MobileNetV2 and ResNet50 from keras.applications, end to end through the command line.

Each is built once per test session (weights=None, then random non-zero weights for every
variable, BatchNormalization statistics included), saved by Keras as `.keras`, converted
with `nnspec convert MODEL.keras --to torch -o DIR`, and the files written are checked as
a PyTorch user would use them: the module file imported on its own and its `.pt` loaded
with weights_only=True. The round trip back to `.keras` gives the original weights exactly."""

from __future__ import annotations

import ast
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from nnspec.compiler.cli import app

pytestmark = [pytest.mark.keras, pytest.mark.torch]

MODELS = {
    "mobilenet_v2": ("MobileNetV2", {"alpha": 0.35, "input_shape": (96, 96, 3)}),
    "resnet50": ("ResNet50", {"input_shape": (64, 64, 3)}),
}


@dataclass
class Converted:
    keras_model: Any
    keras_file: Path
    out: Path
    stem: str
    module: Any
    source: str
    output: str

    @property
    def spec(self) -> Path:
        return self.out / f"{self.stem}.yaml"


def _build(keras: Any, name: str) -> Any:
    from nnspec.compiler.convert import import_keras_model
    from nnspec.compiler.weights.links import random_keras_arrays, set_keras_arrays
    from nnspec.spec.graph import model_weights

    builder, options = MODELS[name]
    model = getattr(keras.applications, builder)(weights=None, **options)
    loaded, _ = import_keras_model(model)
    declared = model_weights(loaded.graph)
    set_keras_arrays(model, declared, random_keras_arrays(declared, seed=7))
    assert all(np.all(np.asarray(w) != 0) for w in model.weights), "every weight random and non-zero"
    return model


def _import_module(path: Path) -> Any:
    """The generated file imported as a PyTorch user would, and its model class."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    tree = ast.parse(path.read_text())
    last = [node.name for node in tree.body if isinstance(node, ast.ClassDef)][-1]
    return getattr(module, last)


@pytest.fixture(scope="session", params=sorted(MODELS))
def converted(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Converted:
    import keras
    import torch

    name = request.param
    folder = tmp_path_factory.mktemp(name)
    model = _build(keras, name)
    keras_file = folder / f"{name}.keras"
    model.save(keras_file)
    out = folder / "to_torch"
    result = CliRunner().invoke(app, ["convert", str(keras_file), "--to", "torch", "-o", str(out)])
    assert result.exit_code == 0, result.output
    (source,) = out.glob("*_torch.py")
    stem = source.name.removesuffix("_torch.py")
    module = _import_module(source)().eval()
    module.load_state_dict(torch.load(out / f"{stem}.pt", weights_only=True))
    return Converted(model, keras_file, out, stem, module, source.read_text(), result.output)


def test_convert_reports_parity(converted: Converted) -> None:
    assert "parity ok" in converted.output


@pytest.mark.parametrize("batch", [1, 8])
def test_logits_and_probabilities_match_keras(converted: Converted, batch: int) -> None:
    """Pre-softmax logits within 1e-4, probabilities within 1e-5 (absolute), on images
    given to each framework in its own layout."""
    import keras
    import torch

    model = converted.keras_model
    x = np.random.default_rng(batch).normal(size=(batch, *model.input_shape[1:])).astype("float32")
    head = model.get_layer("predictions")
    features = keras.Model(model.inputs, head.input)(x, training=False)
    keras_logits = np.asarray(keras.ops.matmul(features, head.kernel) + head.bias)
    keras_probs = np.asarray(model(x, training=False))
    logits: list[Any] = []
    hook = converted.module.predictions.register_forward_hook(lambda m, i, o: logits.append(o))
    with torch.no_grad():
        probs = converted.module(torch.from_numpy(x.transpose(0, 3, 1, 2).copy())).numpy()
    hook.remove()
    np.testing.assert_allclose(logits[0].numpy(), keras_logits, atol=1e-4, rtol=0)
    np.testing.assert_allclose(probs, keras_probs, atol=1e-5, rtol=0)


def test_counts_names_and_kinds_of_tensors(converted: Converted) -> None:
    """Parameters as Keras counts them; every state_dict key named after its Keras layer;
    every weight an nn.Parameter, BatchNormalization's statistics buffers."""
    model, module = converted.keras_model, converted.module
    params = dict(module.named_parameters())
    buffers = dict(module.named_buffers())
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    assert sum(p.numel() for p in params.values()) == trainable
    statistics = {k: v for k, v in buffers.items() if not k.endswith("num_batches_tracked")}
    assert sum(p.numel() for p in params.values()) + sum(b.numel() for b in statistics.values()) == model.count_params()
    assert all(k.endswith(("running_mean", "running_var")) for k in statistics)
    assert set(params) | set(buffers) == set(module.state_dict())
    layer_names = {layer.name for layer in model.layers}
    assert {key.split(".")[0] for key in module.state_dict()} <= layer_names


def test_no_permute_inside(converted: Converted) -> None:
    """The module computes channels first throughout: no permute at all in forward()."""
    tree = ast.parse(converted.source)
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "permute"
    ]
    assert calls == []


def test_torch_export_and_compile(converted: Converted) -> None:
    """torch.export captures the module; torch.compile runs it (MobileNetV2 through the
    default inductor backend; ResNet50's inductor build takes minutes on two cores, so
    through AOT autograd, which still traces it with dynamo)."""
    import torch

    module = converted.module
    size = converted.keras_model.input_shape[1:3]
    x = torch.randn(2, 3, *size)
    with torch.no_grad():
        want = module(x)
        exported = torch.export.export(module, (x,))
        torch.testing.assert_close(exported.module()(x), want, atol=1e-6, rtol=0)
        backend = "inductor" if converted.stem.startswith("mobilenet") else "aot_eager"
        compiled = torch.compile(module, backend=backend)
        torch.testing.assert_close(compiled(x), want, atol=1e-5, rtol=0)


def test_round_trip_back_to_keras_is_exact(converted: Converted) -> None:
    import keras

    back = converted.out.parent / "back"
    pt = converted.out / f"{converted.stem}.pt"
    result = CliRunner().invoke(
        app, ["convert", str(pt), "--spec", str(converted.spec), "--to", "keras", "-o", str(back)]
    )
    assert result.exit_code == 0, result.output
    assert "parity ok" in result.output
    restored = keras.saving.load_model(back / f"{converted.stem}.keras", compile=False)
    original = {w.path: np.asarray(w) for w in converted.keras_model.weights}
    again = {w.path: np.asarray(w) for w in restored.weights}
    assert set(again) == set(original)
    for path, array in original.items():
        np.testing.assert_array_equal(again[path], array, err_msg=path)
