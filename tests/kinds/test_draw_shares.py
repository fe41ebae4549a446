"""A large model's class draws its initial values in shares, on threads of their own,
each share from a generator seeded from torch's global one (compiler/targets/draw_shares.py).

Every parity row is built with the threshold lowered to 0 and checked three ways:
- its shares, called in order with torch's global generator, hold exactly what the
  serial reset_parameters() of the plain build holds from the same seed: the shares
  hold every statement, in order, each drawing from the generator it is given;
- reset_parameters() draws nothing from the global generator but the shares' seeds;
- the same seed gives the same values, whichever thread runs first."""

from __future__ import annotations

from typing import Any

import pytest
from cases import CASES, KindCase, spec_of

import nnspec
from nnspec.compiler.targets import draw_shares
from nnspec.compiler.targets.torch_module import instantiate, torch_source

ROWS = [pytest.param(case, id=case.case_id) for case in CASES]


def _tensors(module: Any) -> dict[str, Any]:
    return {**dict(module.named_parameters()), **dict(module.named_buffers())}


def _shares(module: Any) -> list[Any]:
    count = sum(1 for name in dir(type(module)) if name.startswith("_reset_share_"))
    return [getattr(module, f"_reset_share_{n}") for n in range(1, count + 1)]


def _model_classes(top: Any) -> list[Any]:
    """The modules of the generated file's model classes (not its helper layers)."""
    return [
        m for m in top.modules() if type(m).__module__ == type(top).__module__ and "reset_parameters" in vars(type(m))
    ]


def _serially(top: Any, generator: Any) -> None:
    """What reset_parameters() does, every class's shares run one after another with
    `generator`, then its nested models' resets (as the generated method orders them)."""
    models = _model_classes(top)

    def reset(module: Any, shares: list[Any]) -> None:
        for share in shares:
            share(generator)
        for child in module.children():
            if any(child is m for m in models):
                child.reset_parameters()

    for module in models:
        if _shares(module):
            module.reset_parameters = lambda module=module: reset(module, _shares(module))
    top.reset_parameters()


def _build(case: KindCase, monkeypatch: pytest.MonkeyPatch, shared: bool) -> tuple[Any, str]:
    monkeypatch.setattr(draw_shares, "SHARED_FROM", 0 if shared else 10**12)
    monkeypatch.setattr(draw_shares, "FEWEST", 1)  # a row of one layer makes one share
    source = torch_source(nnspec.load(spec_of(case)), case.layout)
    return instantiate(source), source.text


@pytest.mark.torch
@pytest.mark.parametrize("case", ROWS)
def test_a_row_drawn_in_shares_holds_what_the_serial_reset_holds(
    case: KindCase, monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch

    plain, plain_text = _build(case, monkeypatch, shared=False)
    shared, text = _build(case, monkeypatch, shared=True)
    if "nn.init." in plain_text or "reset_running_stats()" in plain_text:  # it initialises something
        assert "def _reset_share_1(self, generator: torch.Generator)" in text
    torch.manual_seed(0)
    plain.reset_parameters()
    torch.manual_seed(0)
    _serially(shared, torch.default_generator)
    ours, theirs = _tensors(plain), _tensors(shared)
    assert ours.keys() == theirs.keys()
    for name, tensor in ours.items():
        assert torch.equal(tensor, theirs[name]), name


@pytest.mark.torch
@pytest.mark.parametrize("case", ROWS)
def test_shares_draw_from_their_own_generators_and_repeat_from_a_seed(
    case: KindCase, monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch

    shared, _ = _build(case, monkeypatch, shared=True)
    seeds = sum(len(_shares(m)) for m in _model_classes(shared))  # one per share
    torch.manual_seed(0)
    torch.randint(2**63 - 1, (seeds,))
    expected_next = torch.rand(4)
    torch.manual_seed(0)
    shared.reset_parameters()
    first = {name: tensor.clone() for name, tensor in _tensors(shared).items()}
    assert torch.equal(torch.rand(4), expected_next), "a share drew from torch's global generator"
    for _ in range(3):
        torch.manual_seed(0)
        shared.reset_parameters()
        for name, tensor in _tensors(shared).items():
            assert torch.equal(tensor, first[name]), name


WIDE_LAYERS = [
    {"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [None, 640]}},
    *[
        {"class_name": "Dense", "config": {"name": f"d{n}", "units": 640, "bias_initializer": "ones"}}
        for n in range(25)
    ],
]
"""25 layers of 410,240 values: 10.3M, just over the threshold."""


@pytest.mark.torch
def test_a_resnet_sized_class_draws_in_four_shares_of_about_equal_size() -> None:
    import torch

    loaded = nnspec.load({"class_name": "Sequential", "config": {"name": "wide", "layers": WIDE_LAYERS}})
    assert loaded.graph.params.total >= draw_shares.SHARED_FROM
    text = torch_source(loaded).text
    assert "from concurrent import futures" in text
    assert "futures.ThreadPoolExecutor(len(shares))" in text
    module = instantiate(torch_source(loaded))
    sizes = []
    for share in _shares(module):
        doc = share.__doc__
        sizes.append(float(doc.split(": ")[1].split("M")[0]))
    assert len(sizes) == draw_shares.SHARES
    assert max(sizes) - min(sizes) <= 0.5  # 25 layers of 0.41M in 4 runs of 6 or 7
    assert _shares(module)[0].__doc__.startswith("d0 to d")
    assert all(bool(torch.isfinite(t).all()) for t in _tensors(module).values())
    assert all(bool((module.get_submodule(f"d{n}").bias == 1).all()) for n in range(25))
    limit = (6 / (640 + 640)) ** 0.5  # glorot_uniform
    for n in range(25):
        weight = module.get_submodule(f"d{n}").weight.detach()
        assert weight.abs().max() <= limit and weight.abs().max() > 0.99 * limit
        assert abs(float(weight.mean())) < 0.1 * limit


@pytest.mark.torch
def test_a_large_nested_model_draws_in_its_own_class() -> None:
    """The outer class's own layers hold few values: it draws them serially, and the
    nested model's class draws its own in shares."""
    inner = {"class_name": "Sequential", "config": {"name": "body", "layers": WIDE_LAYERS}}
    outer = {
        "class_name": "Sequential",
        "config": {
            "name": "outer",
            "layers": [
                {"class_name": "InputLayer", "config": {"name": "inputs", "batch_shape": [None, 640]}},
                {"class_name": "Dense", "config": {"name": "stem", "units": 640}},
                inner,
                {"class_name": "Dense", "config": {"name": "head", "units": 2}},
            ],
        },
    }
    module = instantiate(torch_source(nnspec.load(outer)))
    assert _shares(module) == []
    assert len(_shares(module.body)) == draw_shares.SHARES


@pytest.mark.torch
def test_a_class_with_shares_builds_on_the_meta_device_for_deferred_initialisation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`with torch.device("meta"): Model()` (how large models are built before their
    weights are loaded) must not draw: there is no memory, and no generator on meta."""
    import torch

    case = next(case for case in CASES if case.kind == "Conv2D")
    module, text = _build(case, monkeypatch, shared=True)
    assert "_reset_share_1" in text
    with torch.device("meta"):
        empty = type(module)()
    assert all(t.device.type == "meta" for t in _tensors(empty).values())
    empty.to_empty(device="cpu")
    torch.manual_seed(0)
    empty.reset_parameters()
    torch.manual_seed(0)
    module.reset_parameters()
    for name, tensor in _tensors(module).items():
        assert torch.equal(tensor, _tensors(empty)[name]), name
