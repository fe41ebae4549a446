"""From PyTorch (issue 10): modules people write, traced into a spec and a Keras 3 model of
built-in layers with their weights. Each is checked against the real torch module: the
Keras model and the generated torch module compute its outputs (at batch 1 and 8), the
counts are torch's, the `.keras` file loads with plain Keras (no nnspec) and computes the
same, the generated module loads the original state_dict through the printed key map,
and what has no Keras layer is refused naming the module or call and the line."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

import nnspec
from conftest import FIXTURES
from nnspec.compiler.cli import app
from nnspec.compiler.from_torch.convert import check_agreement
from nnspec.compiler.from_torch.reverse import Untranslatable

pytestmark = [pytest.mark.keras, pytest.mark.torch]

MODULES = FIXTURES / "torch_modules"
runner = CliRunner()


def _module(file: str, name: str) -> Any:
    from nnspec.compiler.from_torch.command import load_module_class

    return load_module_class(f"{MODULES / file}:{name}")


def _randomized(module: Any, seed: int = 0) -> Any:
    """Weights and BatchNorm statistics away from their initial values, as after training."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, tensor in module.state_dict().items():
            if name.endswith("num_batches_tracked"):
                continue
            noise = torch.randn(tensor.shape, generator=generator) * 0.2
            tensor.copy_(noise.abs() + 0.5 if name.endswith("running_var") else tensor + noise)
    return module.eval()


def _torch_count(module: Any) -> int:
    """Parameters and BatchNorm running statistics (Keras counts those as non-trainable
    weights); an LSTM's second bias, which Keras sums into its one, left out."""
    import torch

    count = sum(p.numel() for p in module.parameters())
    count += sum(b.numel() for name, b in module.named_buffers() if name.endswith(("running_mean", "running_var")))
    for lstm in (m for m in module.modules() if isinstance(m, torch.nn.LSTM)):
        count -= sum(p.numel() for name, p in lstm.named_parameters() if name.startswith("bias_hh"))
    return count


def _examples(*shapes: tuple[int, ...], tokens: int | None = None) -> tuple[Any, ...]:
    import torch

    generator = torch.Generator().manual_seed(1)
    if tokens is not None:
        return (torch.randint(0, tokens, shapes[0], generator=generator),)
    return tuple(torch.randn(shape, generator=generator) for shape in shapes)


CASES = {
    "SmallCNN": ((2, 3, 16, 16),),
    "TextGRU": ((2, 9),),
    "TinyTransformer": ((2, 7),),
    "LastStates": ((2, 7, 5),),
    "Siamese": ((2, 6), (2, 6)),
    "StepLoop": ((2, 4, 3),),
    "TimeMajor": ((2, 7, 5),),
    "ChannelsLastInput": ((2, 8, 8, 3),),
    "Decoder": ((2, 3, 4, 4),),
    "Containers": ((2, 6),),
    "TwoInTwoOut": ((2, 3, 8, 8), (2, 6, 5)),
}
TOKENS = {"TextGRU": 40, "TinyTransformer": 30}


@pytest.mark.parametrize("name", sorted(CASES))
def test_module_converts_with_its_counts_and_outputs(name: str) -> None:
    module = _randomized(_module("small.py", name))
    examples = _examples(*CASES[name], tokens=TOKENS.get(name))
    result = nnspec.from_torch(module, examples)
    agreement = check_agreement(module, result, examples, batches=(1, 8))
    assert agreement.ok, agreement
    assert result.loaded.graph.params.total == _torch_count(module)
    keras_model = nnspec.keras_model_from_torch(module, examples)
    assert keras_model.count_params() == _torch_count(module)


@pytest.mark.parametrize("name", sorted(CASES))
def test_generated_torch_module_loads_the_original_state_through_the_key_map(name: str) -> None:
    """(StepLoop: torch.fx cannot trace its loop over x.size(1); torch.export unrolls it, and
    its one Linear, called at each step, is one Keras layer called as often.)"""
    import torch

    module = _randomized(_module("small.py", name))
    examples = _examples(*CASES[name], tokens=TOKENS.get(name))
    result = nnspec.from_torch(module, examples)
    generated = nnspec.compile_torch(result.loaded, layout="keras").eval()
    state = module.state_dict()
    mapped = {theirs: _part(state, mine) for mine, theirs in result.key_map.items()}
    used = {mine.split("[")[0] for mine in result.key_map}
    assert set(state) - used <= {k for k in state if k.endswith("num_batches_tracked")}
    missing, unexpected = generated.load_state_dict(mapped, strict=False)
    assert not unexpected and all(key.endswith("num_batches_tracked") for key in missing)
    assert all(torch.equal(generated.state_dict()[key], tensor) for key, tensor in mapped.items())
    layouts = result.imported
    with torch.no_grad():
        theirs = module(*examples)
        mine = generated(
            *(torch.from_numpy(_keras_order(x, p)) for x, p in zip(examples, layouts.input_layouts, strict=True))
        )
    theirs, mine = (list(o) if isinstance(o, tuple | list) else [o] for o in (theirs, mine))
    for a, b, perm in zip(theirs, mine, layouts.output_layouts, strict=True):
        np.testing.assert_allclose(np.transpose(b.numpy(), perm), a.numpy(), rtol=1e-5, atol=1e-5)


def _part(state: dict[str, Any], key: str) -> Any:
    """`key`, or `key[a:b]`: rows a to b of it (a packed attention projection)."""
    found = re.fullmatch(r"(.+)\[(\d+):(\d+)\]", key)
    if found is None:
        return state[key]
    return state[found.group(1)][int(found.group(2)) : int(found.group(3))]


# -- the command, on a ResNet-18 as torchvision writes it (converted once per session) ----------


@pytest.fixture(scope="module")
def resnet(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    import torch

    module = _randomized(_module("resnet.py", "ResNet18"))
    folder = tmp_path_factory.mktemp("resnet")
    weights = folder / "resnet18.pt"
    torch.save(module.state_dict(), weights)
    out = folder / "keras"
    source = f"{MODULES / 'resnet.py'}:ResNet18"
    arguments = ["convert", source, "--weights", str(weights), "--input-shape", "1,3,32,32", "--to", "keras"]
    result = runner.invoke(app, [*arguments, "-o", str(out)])
    return {"module": module, "out": out, "result": result}


def test_resnet18_converts_and_its_parity_is_printed(resnet: dict[str, Any]) -> None:
    result = resnet["result"]
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in resnet["out"].iterdir()) == [
        "res_net18.keras",
        "res_net18.yaml",
        "res_net18_keras.py",
    ]
    found = re.search(
        r"parity ok: at batch 1 and 8, Keras differs from the module by (\S+), the generated", result.output
    )
    assert found and float(found.group(1)) <= 1e-5, result.output
    assert "layer1.0.conv1.weight -> layer1_0_conv1.weight" in result.output
    loaded = nnspec.load(resnet["out"] / "res_net18.yaml")
    assert loaded.graph.params.total == _torch_count(resnet["module"]) == 11_699_112


def test_resnet18_keras_file_loads_with_plain_keras_and_computes_the_module(
    resnet: dict[str, Any], tmp_path: Path
) -> None:
    """In a fresh process that imports keras alone: no custom objects, no nnspec."""
    import torch

    inputs = {batch: _examples((batch, 3, 32, 32))[0] for batch in (1, 8)}
    np.savez(tmp_path / "x.npz", **{f"b{batch}": x.permute(0, 2, 3, 1).numpy() for batch, x in inputs.items()})
    code = f"""
import json, sys
import numpy as np
import keras
model = keras.models.load_model({str(resnet["out"] / "res_net18.keras")!r})
data = np.load({str(tmp_path / "x.npz")!r})
np.savez({str(tmp_path / "y.npz")!r}, **{{k: np.asarray(model(data[k], training=False)) for k in data}})
print(json.dumps({{"nnspec": any(m.startswith("nnspec") for m in sys.modules), "params": model.count_params()}}))
"""
    env = {"TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report == {"nnspec": False, "params": 11_699_112}
    outputs = np.load(tmp_path / "y.npz")
    with torch.no_grad():
        for batch, x in inputs.items():
            expected = resnet["module"](x).numpy()
            scale = max(1.0, float(np.abs(expected).max()))
            assert float(np.abs(outputs[f"b{batch}"] - expected).max()) / scale <= 1e-5


# -- what is refused ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("DataDependent", r"torch\.fx cannot trace DataDependent \(.*small\.py:\d+\): symbolically traced variables"),
        ("UnsupportedOp", r"UnsupportedOp: cumsum \(.*small\.py:\d+\): cumsum\(\) has no Keras equivalent"),
        ("CustomFunction", r"CustomFunction: the custom autograd Function Doubler\.apply.*\(.*small\.py:\d+\)"),
    ],
)
def test_what_has_no_keras_layer_is_refused_naming_it_and_nothing_is_written(
    name: str, message: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["convert", f"{MODULES / 'small.py'}:{name}", "--input-shape", "2,4", "--to", "keras", "-o", str(out)]
    )
    assert result.exit_code == 1, result.output
    assert re.search(message, result.output), result.output
    assert "Traceback" not in result.output
    assert not out.exists()


REFUSED_SETTINGS = {
    "nn.Hardtanh with min_val=-2.0": (lambda nn: nn.Hardtanh(min_val=-2.0), (2, 4)),
    "nn.Hardshrink with lambd=0.25": (lambda nn: nn.Hardshrink(lambd=0.25), (2, 4)),
    "nn.LSTM(batch_first=False) reads (steps, batch, features)": (lambda nn: nn.LSTM(4, 3), (2, 6, 4)),
    "a padded max pooling of values that may be negative": (lambda nn: nn.MaxPool1d(2, padding=1), (2, 4, 6)),
}


@pytest.mark.parametrize("refusal", sorted(REFUSED_SETTINGS))
def test_a_module_setting_keras_lacks_is_refused_not_approximated(refusal: str) -> None:
    import torch
    from torch import nn

    make, shape = REFUSED_SETTINGS[refusal]
    with pytest.raises(Untranslatable, match=re.escape(refusal)):
        nnspec.from_torch(nn.Sequential(make(nn)), torch.randn(shape))


def test_activation_settings_keras_has_become_their_layers() -> None:
    import torch
    from torch import nn

    module = nn.Sequential(nn.Linear(4, 4), nn.LeakyReLU(), nn.ELU(alpha=0.5), nn.Hardswish(), nn.Softmax(dim=1))
    result = nnspec.from_torch(module, torch.randn(2, 4))
    layers = [(info.kind, getattr(info.entry, "config", None)) for info in result.loaded.graph.layers[1:]]
    assert [kind for kind, _ in layers] == ["Dense", "LeakyReLU", "ELU", "Activation", "Softmax"]
    assert layers[1][1].negative_slope == pytest.approx(0.01) and layers[2][1].alpha == 0.5
    assert layers[3][1].activation == "hard_silu"
    assert check_agreement(module, result, torch.randn(2, 4)).ok


def test_help_says_that_a_python_file_runs_its_code() -> None:
    result = runner.invoke(app, ["convert", "--help"])
    assert "FILE.py:ClassName" in result.output and "runs its code" in result.output


def test_the_torch_layout_keeps_channels_first_at_the_boundary_with_one_transpose_each() -> None:
    import torch

    from nnspec.compiler.from_torch.convert import keras_model

    module = _randomized(_module("small.py", "TwoInTwoOut"))
    examples = _examples(*CASES["TwoInTwoOut"])
    result = nnspec.from_torch(module, examples, layout="torch")
    kinds = [info.kind for info in result.loaded.graph.layers]
    assert kinds.count("Permute") == 2  # after the image input, before the score map output
    assert result.loaded.graph.input_shapes[0] == (None, 3, 8, 8)
    assert check_agreement(module, result, examples).ok
    with torch.no_grad():
        expected = [o.numpy() for o in module(*examples)]
    got = keras_model(result)([x.numpy() for x in examples], training=False)
    for theirs, mine in zip(expected, got, strict=True):  # fed and compared as torch lays them out
        np.testing.assert_allclose(np.asarray(mine), theirs, rtol=1e-5, atol=1e-5)


# -- the command on each module: the .keras file, and back to torch -----------------------------


@pytest.mark.parametrize("name", sorted(CASES))
def test_command_writes_a_keras_file_with_the_modules_outputs_and_a_way_back(name: str, tmp_path: Path, keras) -> None:
    """`convert FILE.py:Class --weights` -> the .keras file (plain load_model) computes the
    module at batch 1 and 8 with torch's count; `convert X.keras --to torch` -> a generated
    module that takes the original state_dict through the printed key map, exactly."""
    import torch

    module = _randomized(_module("small.py", name))
    torch.save(module.state_dict(), tmp_path / "state.pt")
    shapes = [",".join(map(str, shape)) for shape in CASES[name]]
    dtype = ["--input-dtype", "int64"] if name in TOKENS else []
    arguments = [f"{MODULES / 'small.py'}:{name}", "--weights", str(tmp_path / "state.pt"), *dtype]
    arguments += [flag for shape in shapes for flag in ("--input-shape", shape)]
    result = runner.invoke(app, ["convert", *arguments, "--to", "keras", "-o", str(tmp_path / "keras")])
    assert result.exit_code == 0, result.output
    (keras_file,) = (tmp_path / "keras").glob("*.keras")
    model = keras.models.load_model(keras_file)
    assert model.count_params() == _torch_count(module)
    layouts = nnspec.from_torch(module, _examples(*CASES[name], tokens=TOKENS.get(name))).imported
    for batch in (1, 8):
        inputs = [_batch(shape, batch, TOKENS.get(name)) for shape in CASES[name]]
        with torch.no_grad():
            expected = module(*inputs)
        expected = [o.numpy() for o in (expected if isinstance(expected, tuple) else (expected,))]
        feed = [_keras_order(x, perm) for x, perm in zip(inputs, layouts.input_layouts, strict=True)]
        got = model(feed if len(feed) > 1 else feed[0], training=False)
        outputs = got if isinstance(got, list | tuple) else [got]
        for theirs, mine, perm in zip(expected, outputs, layouts.output_layouts, strict=True):
            assert _relative(theirs, np.transpose(np.asarray(mine), perm)) <= 1e-5, (name, batch)

    back = runner.invoke(
        app, ["convert", str(keras_file), "--to", "torch", "--layout", "keras", "-o", str(tmp_path / "torch")]
    )
    assert back.exit_code == 0, back.output
    key_map = dict(re.findall(r"^  (\S+) -> (\S+)$", result.output, flags=re.MULTILINE))
    generated = nnspec.compile_torch(next((tmp_path / "torch").glob("*.yaml")), layout="keras").eval()
    state = module.state_dict()
    mapped = {theirs: _part(state, mine) for mine, theirs in key_map.items()}
    missing, unexpected = generated.load_state_dict(mapped, strict=False)
    assert not unexpected and all(key.endswith("num_batches_tracked") for key in missing)
    inputs = [_batch(shape, 8, TOKENS.get(name)) for shape in CASES[name]]
    with torch.no_grad():
        theirs = module(*inputs)
        mine = generated(
            *(torch.from_numpy(_keras_order(x, p)) for x, p in zip(inputs, layouts.input_layouts, strict=True))
        )
    pairs = zip(
        *(o if isinstance(o, tuple | list) else (o,) for o in (theirs, mine)), layouts.output_layouts, strict=True
    )
    for a, b, perm in pairs:
        assert _relative(a.numpy(), np.transpose(b.numpy(), perm)) <= 1e-5


def _batch(shape: tuple[int, ...], batch: int, tokens: int | None) -> Any:
    import torch

    generator = torch.Generator().manual_seed(batch)
    if tokens is not None:
        return torch.randint(0, tokens, (batch, *shape[1:]), generator=generator)
    return torch.randn((batch, *shape[1:]), generator=generator)


def _keras_order(x: Any, perm: tuple[int, ...]) -> np.ndarray:
    """A torch input whose dim i is Keras axis perm[i], in Keras's order."""
    return np.ascontiguousarray(np.transpose(x.numpy(), np.argsort(perm)))


def _relative(expected: np.ndarray, got: np.ndarray) -> float:
    assert expected.shape == got.shape
    return float(np.abs(expected - got).max()) / max(1.0, float(np.abs(expected).max()))


# -- torch.export programs (.pt2): no Python class needed -----------------------------------------


@pytest.mark.parametrize(
    ("file", "name", "shape"), [("small.py", "SmallCNN", (2, 3, 16, 16)), ("resnet.py", "ResNet18", (2, 3, 32, 32))]
)
def test_a_torch_export_program_converts_with_the_modules_outputs(
    file: str, name: str, shape: tuple[int, ...], tmp_path: Path, keras
) -> None:
    import torch

    module = _randomized(_module(file, name))
    program = tmp_path / "program.pt2"
    torch.export.save(torch.export.export(module, (torch.randn(shape),)), str(program))
    result = runner.invoke(app, ["convert", str(program), "--to", "keras", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "parity ok: at batch 1 and 8" in result.output
    model = keras.models.load_model(tmp_path / "out" / "program.keras")
    assert model.count_params() == _torch_count(module)
    x = _batch(shape, 8, None)
    with torch.no_grad():
        expected = module(x).numpy()
    assert _relative(expected, np.asarray(model(x.permute(0, 2, 3, 1).numpy(), training=False))) <= 1e-5


def test_a_program_call_with_no_keras_layer_is_refused_naming_it(tmp_path: Path) -> None:
    import torch

    program = tmp_path / "cumsum.pt2"
    torch.export.save(torch.export.export(_module("small.py", "UnsupportedOp"), (torch.randn(2, 4),)), str(program))
    result = runner.invoke(app, ["convert", str(program), "--to", "keras", "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "aten.cumsum.default has no Keras equivalent" in result.output
    assert not (tmp_path / "out").exists()
    (tmp_path / "not.pt2").write_bytes(b"not a program")
    result = runner.invoke(app, ["convert", str(tmp_path / "not.pt2"), "--to", "keras", "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and "not a torch.export program" in result.output
