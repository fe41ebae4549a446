"""Merge layers in torch: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate."""

from __future__ import annotations

from typing import Any

from ...spec.layers import merging as spec
from . import KindRule, Site, TorchLayer, rule


def _aligned(site: Site, inputs: list[str]) -> list[str]:
    """Keras gives lower-rank inputs new axes right after the batch axis before
    broadcasting; torch would align them on the right."""
    rank = max(len(s) for s in site.input_shapes)
    out = []
    for x, shape in zip(inputs, site.input_shapes, strict=True):
        missing = rank - len(shape)
        out.append(f"{x}[:, {', '.join(['None'] * missing)}]" if missing else x)
    return out


class _ChainRule(KindRule):
    """An element-wise merge written as one expression over its inputs."""

    def expression(self, xs: list[str]) -> str:
        raise NotImplementedError

    def torch(self, config: Any, site: Site, inputs: list[str]) -> TorchLayer:
        return TorchLayer(forward=self.expression(_aligned(site, inputs)))


@rule("Add")
class AddRule(_ChainRule):
    def expression(self, xs: list[str]) -> str:
        return " + ".join(xs)


@rule("Subtract")
class SubtractRule(_ChainRule):
    def expression(self, xs: list[str]) -> str:
        return f"{xs[0]} - {xs[1]}"


@rule("Multiply")
class MultiplyRule(_ChainRule):
    def expression(self, xs: list[str]) -> str:
        return " * ".join(xs)


@rule("Average")
class AverageRule(_ChainRule):
    def expression(self, xs: list[str]) -> str:
        return xs[0] if len(xs) == 1 else f"({' + '.join(xs)}) / {len(xs)}"


def _fold(function: str, xs: list[str]) -> str:
    out = xs[0]
    for x in xs[1:]:
        out = f"{function}({out}, {x})"
    return out


@rule("Maximum")
class MaximumRule(_ChainRule):
    def expression(self, xs: list[str]) -> str:
        return _fold("torch.maximum", xs)


@rule("Minimum")
class MinimumRule(_ChainRule):
    def expression(self, xs: list[str]) -> str:
        return _fold("torch.minimum", xs)


@rule("Concatenate")
class ConcatenateRule(KindRule):
    def torch(self, config: spec.ConcatenateConfig, site: Site, inputs: list[str]) -> TorchLayer:
        return TorchLayer(forward=f"torch.cat([{', '.join(inputs)}], dim={config.axis})")
