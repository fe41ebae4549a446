"""The compiled torch module is an ordinary nn.Module: torch.export and torch.jit.trace
take it, its state_dict round-trips, it deep-copies, and gradients reach every
trainable parameter."""

from __future__ import annotations

import copy
import io
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES, FIXTURES

pytestmark = pytest.mark.torch

SPECS = [
    EXAMPLES / "iris.yaml",
    EXAMPLES / "mnist_bn.yaml",
    FIXTURES / "keras3" / "nested.json",
    FIXTURES / "keras2" / "nested.json",
    FIXTURES / "keras3" / "multi_io_dict.json",
]


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def _args(loaded: Any, seed: int = 0) -> tuple[Any, ...]:
    import torch

    from nnspec.compiler.parity.check import sample_inputs

    return tuple(torch.from_numpy(x) for x in sample_inputs(loaded.graph, seed))


def _flat(out: Any) -> list[Any]:
    if isinstance(out, dict):
        return list(out.values())
    return list(out) if isinstance(out, list | tuple) else [out]


def _assert_same(a: Any, b: Any) -> None:
    import torch

    assert type(a) is type(b) or not isinstance(a, dict)
    for x, y in zip(_flat(a), _flat(b), strict=True):
        torch.testing.assert_close(x, y, rtol=1e-6, atol=1e-6)


def _built(path: Path) -> tuple[Any, Any, tuple[Any, ...]]:
    import nnspec

    loaded = nnspec.load(path)
    module = nnspec.compile_torch(loaded).eval()
    return loaded, module, _args(loaded)


@pytest.mark.parametrize("path", SPECS, ids=_id)
def test_is_a_plain_module(path: Path) -> None:
    from torch import nn

    _, module, args = _built(path)
    assert isinstance(module, nn.Module)
    assert nn.Module in type(module).__mro__
    assert type(module).forward is not nn.Module.forward
    names = [name for name, _ in module.named_children()]
    assert names, "submodules are attributes, registered with the module"
    deep = copy.deepcopy(module)
    _assert_same(module(*args), deep(*args))


@pytest.mark.parametrize("path", SPECS, ids=_id)
def test_torch_export(path: Path) -> None:
    import torch

    _, module, args = _built(path)
    exported = torch.export.export(module, args)
    _assert_same(module(*args), exported.module()(*args))
    other = _args(_built(path)[0], seed=7)  # the batch size is fixed by the example, the values are not
    _assert_same(module(*other), exported.module()(*other))


@pytest.mark.parametrize("path", SPECS, ids=_id)
def test_jit_trace(path: Path) -> None:
    import torch

    _, module, args = _built(path)
    traced = torch.jit.trace(module, args, strict=False)
    _assert_same(module(*args), traced(*args))


@pytest.mark.parametrize("path", SPECS, ids=_id)
def test_state_dict_round_trip(path: Path) -> None:
    import torch

    import nnspec

    loaded, module, args = _built(path)
    # move every tensor off its initial value, buffers too
    with torch.no_grad():
        for key, tensor in module.state_dict().items():
            if key.endswith("running_var"):
                tensor.uniform_(0.5, 1.5)
            elif tensor.is_floating_point():
                tensor.normal_(0.0, 0.1)
            else:  # num_batches_tracked
                tensor.fill_(3)
    buffer = io.BytesIO()
    torch.save(module.state_dict(), buffer)
    buffer.seek(0)
    fresh = nnspec.compile_torch(loaded).eval()
    result = fresh.load_state_dict(torch.load(buffer, weights_only=True), strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    assert list(fresh.state_dict()) == list(module.state_dict())
    for key, value in module.state_dict().items():
        torch.testing.assert_close(fresh.state_dict()[key], value, rtol=0, atol=0)
    _assert_same(module(*args), fresh(*args))


@pytest.mark.parametrize("path", SPECS, ids=_id)
def test_gradients_reach_every_trainable_parameter(path: Path) -> None:
    loaded, module, args = _built(path)
    module.train()
    total = sum(out.sum() for out in _flat(module(*args)))
    total.backward()
    missing = [name for name, p in module.named_parameters() if p.requires_grad and p.grad is None]
    assert not missing
    trainable = sum(p.numel() for p in module.parameters() if p.requires_grad)
    assert trainable == loaded.graph.params.trainable
