"""The torch-free path of `convert --to torch --no-check` (issue 12): the generated module's
state_dict computed from the lowering without torch (compiler/weights/torch_state.py) is
the real module's `state_dict()` after the real transfer, key for key and bit for bit; the
`.pt` written without torch (compiler/weights/pt_writer.py) is the bytes torch.save
writes, and loads with the safe loader into the generated module; and the conversion
then imports neither torch nor Keras nor TensorFlow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from no_framework import frameworks_imported_by_convert

from conftest import FIXTURE_FILES, FIXTURES, ROOT, VALID_EXAMPLES
from nnspec.compiler.compiled import Compiled
from nnspec.compiler.convert import convert_to_torch, import_keras_file
from nnspec.compiler.weights.links import load_torch_state, random_keras_arrays, torch_state_from_keras
from nnspec.compiler.weights.pt_writer import contiguous_strides, write_pt
from nnspec.compiler.weights.torch_state import module_state

REAL_WEIGHTS = [
    FIXTURES / folder / f"{name}.h5"
    for folder, names in {
        "keras2_conv_h5": ("k2_conv_bn", "k2_depthwise", "k2_conv_transpose", "k2_digits_cnn"),
        "keras2_seq_h5": (
            "k2_embedding_lstm",
            "k2_bidirectional_merge",
            "k2_cudnn_rnns",
            "k2_stacked_rnns",
            "k2_return_state",
            "k2_transformer_block",
            "k2_attention_layers",
            "k2_time_distributed_conv",
            "k2_text_classifier",
        ),
        "keras2_h5": (
            "k2_channels_first",
            "k2_batch_norms",
            "k2_deep_nesting",
            "k2_nested_multi_io",
            "k2_seq_normalization_first",
        ),
    }.items()
    for name in names
]
"""Keras files with trained-looking weights, read with h5py: convolutions with
BatchNormalization, recurrent layers (split and reordered biases), embeddings, attention,
nested models, an adapted Normalization (its int64 count)."""


def _random(path: Path) -> tuple[Compiled, dict[str, np.ndarray]]:
    compiled = Compiled.of(path)
    return compiled, random_keras_arrays(compiled.declared, seed=len(path.name))


def _real(path: Path) -> tuple[Compiled, dict[str, np.ndarray]]:
    loaded, arrays = import_keras_file(path)
    return Compiled.of(loaded), arrays


CASES = [pytest.param(_random, p, id=f"{p.parent.name}/{p.name}") for p in [*VALID_EXAMPLES, *FIXTURE_FILES]]
CASES += [pytest.param(_real, p, id=f"{p.parent.name}/{p.name}") for p in REAL_WEIGHTS]


def _torch_state(compiled: Compiled, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    """The state_dict of the generated module after the transfer the checked path uses."""
    module = compiled.torch_module()
    load_torch_state(module, torch_state_from_keras(arrays, compiled.links))
    return module.state_dict()


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore")  # compile settings a tf.keras file carries and nnspec leaves out
@pytest.mark.parametrize(("read", "path"), CASES)
def test_the_state_without_torch_is_the_module_state_dict(read: Any, path: Path) -> None:
    compiled, arrays = read(path)
    expected = _torch_state(compiled, arrays)
    state = module_state(compiled, arrays)
    assert list(state) == list(expected)
    for key, tensor in expected.items():
        array = state[key]
        assert (array.dtype.name, array.shape) == (str(tensor.dtype).removeprefix("torch."), tuple(tensor.shape)), key
        assert array.flags.c_contiguous, key
        assert array.tobytes() == tensor.contiguous().numpy().tobytes(), key  # bit for bit


@pytest.mark.torch
@pytest.mark.parametrize("path", VALID_EXAMPLES, ids=lambda p: p.name)
def test_the_state_without_torch_holds_for_a_module_with_keras_s_interface(path: Path) -> None:
    """`--layout keras`: the module computes in Keras's layout, so its Flatten -> Dense kernels move otherwise."""
    compiled = Compiled.of(path, "keras")
    arrays = random_keras_arrays(compiled.declared, seed=3)
    expected = _torch_state(compiled, arrays)
    state = module_state(compiled, arrays)
    assert list(state) == list(expected)
    assert all(state[key].tobytes() == tensor.numpy().tobytes() for key, tensor in expected.items())


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize(("read", "path"), CASES)
def test_the_pt_file_is_what_torch_save_writes_and_loads_safely(read: Any, path: Path, tmp_path: Path) -> None:
    import torch

    compiled, arrays = read(path)
    expected = {key: tensor.detach().contiguous() for key, tensor in _torch_state(compiled, arrays).items()}
    (tmp_path / "torch").mkdir()
    torch.save(expected, tmp_path / "torch" / "model.pt")
    write_pt(tmp_path / "model.pt", module_state(compiled, arrays))
    assert (tmp_path / "model.pt").read_bytes() == (tmp_path / "torch" / "model.pt").read_bytes()

    loaded = torch.load(tmp_path / "model.pt", map_location="cpu", weights_only=True)
    assert list(loaded) == list(expected)
    for key, tensor in expected.items():
        assert loaded[key].dtype == tensor.dtype and loaded[key].stride() == tensor.stride(), key
        assert torch.equal(loaded[key], tensor), key
    fresh = compiled.torch_module()
    fresh.load_state_dict(loaded, strict=True)


WRITER_STATES = {
    "dtypes": {
        "f32": np.arange(6, dtype="float32").reshape(2, 3),
        "f64": np.linspace(-1, 1, 24).reshape(2, 3, 4),
        "f16": np.array([0.5, -2.0], dtype="float16"),
        "i64": np.array(0, dtype="int64"),
        "i32": np.arange(5, dtype="int32"),
        "i16": np.arange(3, dtype="int16"),
        "i8": np.array([-1, 2], dtype="int8"),
        "u8": np.array([255], dtype="uint8"),
        "b": np.array([True, False]),
        "rank5": np.ones((1, 2, 1, 2, 3), dtype="float32"),
    },
    "empty dimensions": {"e": np.zeros((2, 0, 3), "float32"), "z": np.zeros(0, "float32")},
    "one tensor": {"weight": np.ones((3,), "float32")},
    "nothing": {},
    "1200 tensors": {f"layers.{i}.bias": np.full(2, i, "float32") for i in range(1200)},
    "big-endian input": {"w": np.arange(4, dtype=">f4")},
    "a Fortran-ordered array": {"w": np.asfortranarray(np.arange(12, dtype="float32").reshape(3, 4))},
}
"""pickle writes one item with SETITEM and batches of 1000 with SETITEMS; the records'
names fill libstdc++'s hash set through many rehashes; input arrays in another byte order
or memory order are written as torch holds them."""


@pytest.mark.torch
@pytest.mark.parametrize("name", ["model.pt", "weights.pth", "pytorch_model.bin", "a.b.pt", "noext"])
@pytest.mark.parametrize("case", list(WRITER_STATES))
def test_the_writer_is_torch_save_byte_for_byte(case: str, name: str, tmp_path: Path) -> None:
    import torch

    state = WRITER_STATES[case]
    tensors = {}
    for key, array in state.items():  # as a module holds them: made by torch.empty, then filled
        tensor = torch.tensor(np.asarray(array, dtype=array.dtype.newbyteorder("=")))
        tensors[key] = torch.empty(tensor.shape, dtype=tensor.dtype).copy_(tensor)
        assert tensors[key].stride() == contiguous_strides(tuple(tensor.shape))
    (tmp_path / "torch").mkdir()
    torch.save(tensors, tmp_path / "torch" / name)
    write_pt(tmp_path / name, state)
    assert (tmp_path / name).read_bytes() == (tmp_path / "torch" / name).read_bytes()
    loaded = torch.load(tmp_path / name, weights_only=True)
    assert list(loaded) == list(state)
    for key, array in state.items():
        assert np.array_equal(loaded[key].numpy(), array), key


@pytest.mark.torch
def test_a_state_of_4_gib_or_more_is_left_to_torch_save(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """zip64 records are torch's to write: past the limit (lowered here) write_pt refuses
    before writing, and write_torch hands the same state to torch.save."""
    import torch

    from nnspec.compiler.weights import files, pt_writer

    compiled, arrays = _random(ROOT / "examples" / "mnist_bn.yaml")
    monkeypatch.setattr(pt_writer, "_ZIP64_LIMIT", 4096)
    with pytest.raises(pt_writer.NeedsZip64):
        write_pt(tmp_path / "refused.pt", module_state(compiled, arrays))
    assert not (tmp_path / "refused.pt").exists()
    files.write_torch(tmp_path / "model.pt", compiled, arrays)
    loaded = torch.load(tmp_path / "model.pt", weights_only=True)
    expected = _torch_state(compiled, arrays)
    assert list(loaded) == list(expected)
    assert all(loaded[key].dtype == expected[key].dtype and torch.equal(loaded[key], expected[key]) for key in loaded)


@pytest.mark.torch
def test_safetensors_without_torch_are_the_bytes_of_safetensors_torch(tmp_path: Path) -> None:
    import safetensors.numpy
    import safetensors.torch

    compiled, arrays = _random(ROOT / "examples" / "mnist_bn.yaml")  # int64 num_batches_tracked among float32
    expected = {key: tensor.detach().contiguous() for key, tensor in _torch_state(compiled, arrays).items()}
    safetensors.torch.save_file(expected, str(tmp_path / "torch.safetensors"))
    safetensors.numpy.save_file(module_state(compiled, arrays), str(tmp_path / "numpy.safetensors"))
    assert (tmp_path / "numpy.safetensors").read_bytes() == (tmp_path / "torch.safetensors").read_bytes()


@pytest.mark.keras
@pytest.mark.torch
@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("fmt", ["pt", "safetensors"])
@pytest.mark.parametrize("example", ["mnist_bn", "digits_lstm", "text_classifier", "transformer_block"])
def test_convert_without_the_check_imports_no_framework_and_writes_the_checked_state(
    example: str, fmt: str, tmp_path: Path
) -> None:
    import nnspec

    source = tmp_path / f"{example}.keras"
    compiled = Compiled.of(ROOT / "examples" / f"{example}.yaml")
    nnspec.compile_keras(compiled.loaded).save(source)  # Keras's own initial weights
    assert frameworks_imported_by_convert([source, "--format", fmt], tmp_path / "fast") == []

    checked = convert_to_torch(source, tmp_path / "checked", fmt=fmt)
    assert checked.report is not None and checked.report.passed
    fast, slow = tmp_path / "fast" / f"{example}.{fmt}", tmp_path / "checked" / f"{example}.{fmt}"
    assert fast.read_bytes() == slow.read_bytes()
    state = _read(fast)
    module = Compiled.of(tmp_path / "fast" / f"{example}.yaml").torch_module()
    module.load_state_dict(state, strict=True)
    _, arrays = import_keras_file(source)
    expected = _torch_state(compiled, arrays)
    if fmt == "pt":  # a safetensors file keeps its tensors by name, sorted
        assert list(state) == list(expected)
    assert state.keys() == expected.keys()
    assert all(state[key].dtype == expected[key].dtype and bool((state[key] == expected[key]).all()) for key in state)


def _read(path: Path) -> dict[str, Any]:
    import torch
    from safetensors.torch import load_file

    if path.suffix == ".safetensors":
        return load_file(str(path))
    return torch.load(path, map_location="cpu", weights_only=True)
