"""The names older Keras files give some kinds (Keras 2's Convolution2D, Deconvolution2D,
MaxPool2D, GlobalAvgPool2D, ...) read as the kinds they name: the first parity row of
the kind, written with the alias, loads into the same spec and graph."""

from __future__ import annotations

import copy

import pytest
from cases import CASES, spec_of

import nnspec
from nnspec.spec.layers import LAYER_ALIASES


@pytest.mark.parametrize(("alias", "kind"), sorted(LAYER_ALIASES.items()))
def test_alias_reads_as_its_kind(alias: str, kind: str) -> None:
    case = next(case for case in CASES if case.kind == kind and case.spec is None)
    canonical = spec_of(case)
    aliased = copy.deepcopy(canonical)
    entry = next(layer for layer in aliased["config"]["layers"] if layer["class_name"] == kind)
    entry["class_name"] = alias
    read, expected = nnspec.load(aliased), nnspec.load(canonical)
    assert read.spec == expected.spec
    assert read.graph.output_shapes == expected.graph.output_shapes
    assert read.graph.params == expected.graph.params


def test_every_alias_is_a_keras_name_of_a_known_kind() -> None:
    from nnspec.spec.layers import LAYER_KINDS

    assert set(LAYER_ALIASES.values()) <= set(LAYER_KINDS)
    assert not set(LAYER_ALIASES) & set(LAYER_KINDS)
