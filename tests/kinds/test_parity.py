"""Every row of the case table, every fixture and every example, through the parity
checker in both weight directions; and the table covers every layer kind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from cases import CASES, KindCase, channels_first, kinds_in, spec_of
from parity_helpers import assert_channels_first_parity, assert_parity

from conftest import FIXTURE_FILES, FIXTURES, ROOT, VALID_EXAMPLES
from nnspec.compiler.kinds import rule_for
from nnspec.spec.activations import ACTIVATIONS
from nnspec.spec.layers import all_kinds

pytestmark = [
    pytest.mark.filterwarnings("ignore:You passed `rms_scaling=True`:UserWarning"),
    pytest.mark.filterwarnings("ignore:You are using a softmax over axis:UserWarning"),
]


@pytest.mark.keras
@pytest.mark.torch
@pytest.mark.parametrize("case", [pytest.param(case, id=case.case_id) for case in CASES if not channels_first(case)])
def test_case_parity(case: KindCase) -> None:
    assert_parity(spec_of(case), training=case.training, layout=case.layout)


@pytest.mark.keras
@pytest.mark.torch
@pytest.mark.parametrize("case", [pytest.param(case, id=case.case_id) for case in CASES if channels_first(case)])
def test_channels_first_case_parity(case: KindCase) -> None:
    """TensorFlow's CPU kernels compute channels_first convolutions wrongly or not at all
    (without oneDNN they refuse NCHW; with it, a channels_first Conv2D differs from its
    channels_last twin by 0.5 on the same weights). Keras's channels_last twin of the
    model, on the transposed input, is the reference."""
    assert_channels_first_parity(spec_of(case), layout=case.layout)


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT if path.is_relative_to(ROOT / "examples") else FIXTURES))


@pytest.mark.keras
@pytest.mark.torch
@pytest.mark.parametrize("path", [*VALID_EXAMPLES, *FIXTURE_FILES], ids=_rel)
def test_example_and_fixture_parity(path: Path) -> None:
    assert_parity(path)


@pytest.mark.keras
@pytest.mark.torch
@pytest.mark.parametrize("path", [p for p in VALID_EXAMPLES if p.stem == "mnist_bn"], ids=_rel)
def test_training_mode_is_refused_with_dropout(path: Path) -> None:
    from nnspec.compiler.parity.check import check_parity

    report = check_parity(path, training=True)
    assert not report.passed
    assert any("Dropout" in problem for problem in report.problems)


def test_case_ids_are_unique() -> None:
    ids = [case.case_id for case in CASES]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_every_kind_has_a_rule_and_a_case() -> None:
    covered: set[str] = set()
    for case in CASES:
        covered |= kinds_in(spec_of(case))
    missing_rule = []
    for kind in sorted(all_kinds()):
        try:
            rule_for(kind)
        except NotImplementedError:
            missing_rule.append(kind)
    assert not missing_rule, f"kinds without a compiler rule: {missing_rule}"
    assert not sorted(set(all_kinds()) - covered), "kinds without a parity case"


def test_every_activation_name_has_a_dense_row() -> None:
    used = [case.config.get("activation") for case in CASES if case.kind == "Dense" and case.spec is None]
    assert not sorted(set(ACTIVATIONS) - {a for a in used if isinstance(a, str)})


def test_rule_for_unknown_kind_names_it() -> None:
    with pytest.raises(NotImplementedError, match="'Conv9D'"):
        rule_for("Conv9D")


# -- bugs the table found, fixed: regressions --------------------------------------------


@pytest.mark.keras
@pytest.mark.torch
def test_activation_layer_with_legacy_hard_sigmoid() -> None:
    assert_parity(spec_of(KindCase("Activation", {"activation": "legacy_hard_sigmoid"}, input_shape=(4,))))


@pytest.mark.keras
@pytest.mark.torch
def test_batch_norm_moving_statistics_after_a_training_step() -> None:
    x = np.random.default_rng(0).normal(1.0, 2.0, size=(4, 5)).astype("float32")
    spec = spec_of(KindCase("BatchNormalization", {"momentum": 0.9}, input_shape=(5,)))
    state = _states_after_a_training_step(spec, x)
    assert float(state["layer.running_var"].sub(1).abs().max()) > 0.1  # the step moved the statistics


def _states_after_a_training_step(spec: dict[str, Any], x: np.ndarray, layer: str = "") -> dict[str, Any]:
    """One training-mode call in each framework from the same weights; asserts the
    weights of `layer` (all where "") equal after it and returns torch's state."""
    import torch

    from nnspec.compiler import weights
    from nnspec.compiler.compiled import Compiled

    compiled = Compiled.of(spec)
    model, module = compiled.keras_model(), compiled.torch_module()
    weights.links.keras_to_torch(model, module, compiled)
    model(x, training=True)
    module.train()
    with torch.no_grad():
        module(torch.from_numpy(x))
    keras_state = weights.links.keras_arrays(model, compiled.declared)
    torch_state = module.state_dict()
    links = [link for link in compiled.links if link.torch_key.startswith(layer)]
    for link in links:
        np.testing.assert_allclose(
            link.to_torch(keras_state[link.keras_path]),
            torch_state[link.torch_key].numpy(),
            rtol=1e-5,
            atol=1e-6,
            err_msg=link.torch_key,
        )
    assert links
    return torch_state


@pytest.mark.keras
@pytest.mark.torch
def test_layer_norm_axis_list_with_mixed_signs() -> None:
    assert_parity(spec_of(KindCase("LayerNormalization", {"axis": [-1, 1]}, input_shape=(3, 2, 4))))


@pytest.mark.keras
@pytest.mark.torch
def test_masked_batch_norm_moving_statistics_after_a_training_step() -> None:
    """Only the steps the Embedding's mask keeps make the moments the moving statistics
    take (Keras 3's masked moments), in torch as in Keras."""
    from rows.recurrent import _MASKED_NORM

    tokens = np.array([[1, 2, 0, 0, 0, 3, 1], [0, 0, 2, 2, 3, 1, 0], [3, 0, 0, 0, 0, 0, 0]], dtype="int32")
    state = _states_after_a_training_step(_MASKED_NORM, tokens, "norm.")
    unmasked = state["embed.weight"][tokens].mean(axis=(0, 1))  # the moments were the mask ignored
    assert not np.allclose(state["norm.running_mean"].numpy(), 0.5 * unmasked.numpy())


@pytest.mark.keras
@pytest.mark.torch
def test_a_mask_into_softmax_is_refused_at_the_layer() -> None:
    from rows.recurrent import _layer, _masked

    from nnspec.compiler.compiled import Compiled
    from nnspec.spec.errors import SpecError

    with pytest.raises(SpecError) as info:
        Compiled.of(_masked(_layer("Softmax", "soft"))).torch_module()
    assert "soft" in str(info.value) and "mask" in str(info.value)


@pytest.mark.torch
def test_a_mask_reaching_batch_norm_channels_first_is_refused_at_the_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Masks are moved in Keras's layout only. No kind hands a masked value over channels
    first today, so the rule is made to ask for that layout to reach the refusal."""
    from rows.recurrent import _MASKED_NORM_GRID

    from nnspec.compiler.compiled import Compiled
    from nnspec.compiler.kinds.normalization import BatchNormalizationRule
    from nnspec.compiler.rules.layout import Layout
    from nnspec.spec.errors import SpecError

    monkeypatch.setattr(BatchNormalizationRule, "layouts", lambda self, config, site: [Layout.channels_first(4)])
    with pytest.raises(SpecError) as info:
        Compiled.of(_MASKED_NORM_GRID).torch_module()
    message = str(info.value)
    assert "config.layers[2]" in message and "'norm'" in message
    assert "nnspec moves masks in Keras's layout only" in message
