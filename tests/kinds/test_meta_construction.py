"""A large model's class builds torch's drawing layers (Conv, Linear, ...) on the meta
device, gives every tensor memory with to_empty(), and each its value once, in
reset_parameters(). That is right only if reset_parameters() sets every tensor a
submodule marked shape-only makes: every parity row is built both ways,
the meta way with each emptied tensor poisoned (NaN, or 7 for integers), and after
reset_parameters() from the same seed the two modules must hold equal tensors."""

from __future__ import annotations

from typing import Any

import pytest
from cases import CASES, KindCase, spec_of

import nnspec
from nnspec.compiler.targets import torch_module
from nnspec.compiler.targets.torch_module import instantiate, torch_source

META = "self.to_empty(device=torch.get_default_device())"
DRAWN_ON_META = 'device="meta")'


def _tensors(module: Any) -> dict[str, Any]:
    """Every parameter and buffer, non-persistent ones (a config's constants) included."""
    return {**dict(module.named_parameters()), **dict(module.named_buffers())}


def _poison(monkeypatch: pytest.MonkeyPatch) -> None:
    """to_empty() leaves whatever memory held; make that visible."""
    import torch

    original = torch.nn.Module.to_empty

    def to_empty(self: Any, *, device: Any, recurse: bool = True) -> Any:
        out = original(self, device=device, recurse=recurse)
        with torch.no_grad():
            for tensor in _tensors(self).values():
                tensor.fill_(float("nan") if tensor.is_floating_point() else 7)
        return out

    monkeypatch.setattr(torch.nn.Module, "to_empty", to_empty)


def _reset_alike(*modules: Any) -> None:
    import torch

    for module in modules:
        torch.manual_seed(0)
        module.reset_parameters()


def _assert_same_tensors(plain: Any, meta: Any) -> None:
    import torch

    ours, theirs = _tensors(plain), _tensors(meta)
    assert ours.keys() == theirs.keys()
    for name, tensor in ours.items():
        other = theirs[name]
        assert other.device == tensor.device and other.dtype == tensor.dtype, name
        assert torch.equal(tensor, other), f"{name} is not set by reset_parameters()"
        assert isinstance(other, torch.nn.Parameter) == isinstance(tensor, torch.nn.Parameter), name
        assert other.requires_grad == tensor.requires_grad, name


@pytest.mark.torch
@pytest.mark.parametrize("case", [pytest.param(case, id=case.case_id) for case in CASES])
def test_a_row_built_on_the_meta_device_holds_what_it_holds_built_plainly(
    case: KindCase, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded = nnspec.load(spec_of(case))
    plain = instantiate(torch_source(loaded, case.layout))  # small: built plainly
    monkeypatch.setattr(torch_module, "META_FROM", 0)
    source = torch_source(loaded, case.layout)
    _poison(monkeypatch)
    meta = instantiate(source)
    if META not in source.text:  # a submodule holds constants (Rescaling) or a nested model
        assert "to_empty" not in source.text and DRAWN_ON_META not in source.text
        return
    _reset_alike(plain, meta)
    _assert_same_tensors(plain, meta)


# kinds whose every module a large model may build on the meta device
SHAPE_ONLY_KINDS = {
    "Dense",
    "Conv1D",
    "Conv2D",
    "Conv3D",
    "Conv2DTranspose",
    "DepthwiseConv2D",
    "SeparableConv2D",
    "BatchNormalization",
    "LayerNormalization",
    "MaxPooling2D",
    "AveragePooling2D",
    "Dropout",
    "SpatialDropout2D",
    "GaussianNoise",
    "PReLU",
}


@pytest.mark.torch
def test_the_common_kinds_build_on_the_meta_device(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rows of these kinds take the meta path when large (so the test above checks them)."""
    monkeypatch.setattr(torch_module, "META_FROM", 0)
    on_meta = {
        case.kind
        for case in CASES
        if case.spec is None and META in torch_source(nnspec.load(spec_of(case)), case.layout).text
    }
    assert on_meta >= SHAPE_ONLY_KINDS, sorted(SHAPE_ONLY_KINDS - on_meta)


@pytest.mark.torch
def test_a_model_of_ten_million_parameters_builds_on_the_meta_device(monkeypatch: pytest.MonkeyPatch) -> None:
    """At the threshold the generated class builds on meta, and holds what a plain build
    holds after the same reset; below it the constructors stay plain."""
    import torch

    spec = {
        "class_name": "Sequential",
        "config": {
            "name": "wide",
            "layers": [
                {"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [None, 8, 8, 3]}},
                {"class_name": "Conv2D", "config": {"name": "conv", "filters": 16, "kernel_size": 3}},
                {"class_name": "BatchNormalization", "config": {"name": "norm"}},
                {"class_name": "Flatten", "config": {"name": "flat"}},
                {"class_name": "Dense", "config": {"name": "wide", "units": 17500}},
            ],
        },
    }
    loaded = nnspec.load(spec)
    assert loaded.graph.params.total >= torch_module.META_FROM
    source = torch_source(loaded)
    assert META in source.text
    assert 'nn.Conv2d(3, 16, 3, device="meta")' in source.text and 'nn.Linear(576, 17500, device="meta")' in source.text
    assert "self.norm = KerasBatchNorm(16, eps=0.001, momentum=0.01)" in source.text  # drawing nothing: built plainly
    assert "self.norm.reset_running_stats()" in source.text
    _poison(monkeypatch)
    meta = instantiate(source)
    assert meta.wide.weight.device.type == "cpu" and meta.norm.num_batches_tracked.item() == 0
    assert all(bool(torch.isfinite(t).all()) for t in _tensors(meta).values())
    monkeypatch.setattr(torch_module, "META_FROM", 10**9)
    plain_source = torch_source(loaded)
    assert META not in plain_source.text and DRAWN_ON_META not in plain_source.text
    plain = instantiate(plain_source)
    _reset_alike(plain, meta)
    _assert_same_tensors(plain, meta)


# kinds whose torch layer draws its own initial values: a large model builds it on meta
DRAWING_KINDS = {"Dense", "Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose", "DepthwiseConv2D", "SeparableConv2D"}
DRAWING_KINDS |= {"Embedding", "LSTM", "GRU", "SimpleRNN", "Bidirectional"}


@pytest.mark.torch
def test_only_torch_layers_that_draw_are_built_on_the_meta_device(monkeypatch: pytest.MonkeyPatch) -> None:
    """device="meta" goes to the constructors of torch's drawing layers, and to no other
    (BatchNorm's ones and zeros, pooling: plain construction costs less)."""
    monkeypatch.setattr(torch_module, "META_FROM", 0)
    drawn = set()
    for case in CASES:
        if case.spec is not None:
            continue
        text = torch_source(nnspec.load(spec_of(case)), case.layout).text
        lines = [line.strip() for line in text.splitlines() if DRAWN_ON_META in line]
        callees = {line.split(" = ", 1)[1].split("(", 1)[0] for line in lines}
        assert callees <= torch_module.DRAWING_LAYERS, case.case_id
        if lines:
            drawn.add(case.kind)
    assert drawn >= DRAWING_KINDS, sorted(DRAWING_KINDS - drawn)
    assert not drawn & {"BatchNormalization", "LayerNormalization", "MaxPooling2D", "PReLU"}
