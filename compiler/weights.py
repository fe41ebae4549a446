"""Weights between Keras and torch, for every kind, through the lowering's weight
rules: each Keras weight (found by layer path and variable name) has one torch
state_dict entry and a layout (as is, or transposed)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from .kinds import Layout
from .torch_lower import ClassPlan, TorchProgram


@dataclass(frozen=True)
class WeightLink:
    """One weight as both frameworks hold it."""

    keras_layers: tuple[str, ...]
    """Layer names from the top model down (nested models first)."""
    keras_name: str
    torch_key: str
    keras_shape: tuple[int, ...]
    layout: Layout

    @property
    def keras_path(self) -> str:
        return "/".join((*self.keras_layers, self.keras_name))

    def to_torch(self, array: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(array.T if self.layout == "transpose" else array)

    def to_keras(self, array: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(array.T if self.layout == "transpose" else array)


def weight_links(program: TorchProgram) -> list[WeightLink]:
    """Every weight of the model, in Keras's order."""
    return list(_links(program.top, (), ""))


def _links(plan: ClassPlan, layers: tuple[str, ...], prefix: str) -> Iterator[WeightLink]:
    for layer in plan.layers:
        path = (*layers, layer.name)
        if layer.inner is not None:
            yield from _links(layer.inner, path, f"{prefix}{layer.attr}.")
        for rule in layer.weights:
            yield WeightLink(path, rule.keras, prefix + rule.torch, rule.keras_shape, rule.layout)


class WeightError(ValueError):
    """Weights that do not fit the model: the message names the weight and both shapes."""


def _keras_variable(model: Any, link: WeightLink) -> Any:
    layer = model
    for name in link.keras_layers:
        try:
            layer = layer.get_layer(name)
        except ValueError:
            raise WeightError(f"the Keras model has no layer {'/'.join(link.keras_layers)!r}") from None
    for variable in layer.weights:
        if variable.name == link.keras_name or variable.path.endswith("/" + link.keras_name):
            return variable
    raise WeightError(f"Keras layer {'/'.join(link.keras_layers)!r} has no weight {link.keras_name!r}")


def keras_arrays(model: Any, links: list[WeightLink]) -> dict[str, np.ndarray]:
    """Each weight of a Keras model, keyed by its Keras path ('dense/kernel')."""
    return {link.keras_path: np.asarray(_keras_variable(model, link).numpy()) for link in links}


def set_keras_arrays(model: Any, links: list[WeightLink], arrays: dict[str, np.ndarray]) -> None:
    for link in links:
        variable = _keras_variable(model, link)
        array = arrays[link.keras_path]
        if tuple(array.shape) != tuple(variable.shape):
            raise WeightError(f"{link.keras_path}: expected shape {tuple(variable.shape)}, got {tuple(array.shape)}")
        variable.assign(array.astype(variable.dtype))


def torch_state_from_keras(arrays: dict[str, np.ndarray], links: list[WeightLink]) -> dict[str, np.ndarray]:
    return {link.torch_key: link.to_torch(arrays[link.keras_path]) for link in links}


def keras_from_torch_state(state: dict[str, Any], links: list[WeightLink]) -> dict[str, np.ndarray]:
    """Keras arrays from a torch state_dict (tensors or arrays); checks every shape."""
    out = {}
    missing = [link.torch_key for link in links if link.torch_key not in state]
    if missing:
        raise WeightError(f"the weights lack {len(missing)} tensor(s) the model needs: {', '.join(missing[:5])}")
    for link in links:
        array = _numpy(state[link.torch_key])
        expected = link.keras_shape[::-1] if link.layout == "transpose" else link.keras_shape
        if tuple(array.shape) != tuple(expected):
            raise WeightError(f"{link.torch_key}: expected shape {tuple(expected)}, got {tuple(array.shape)}")
        out[link.keras_path] = link.to_keras(array)
    return out


def _numpy(value: Any) -> np.ndarray:
    if hasattr(value, "detach"):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def load_torch_state(module: Any, state: dict[str, np.ndarray]) -> None:
    """Copy arrays into a torch module's parameters and buffers, exactly."""
    import torch

    own = module.state_dict()
    unknown = sorted(set(state) - set(own))
    if unknown:
        raise WeightError(f"the module has no tensor {unknown[0]!r}")
    with torch.no_grad():
        for key, array in state.items():
            target = own[key]
            if tuple(target.shape) != tuple(array.shape):
                raise WeightError(f"{key}: expected shape {tuple(target.shape)}, got {tuple(array.shape)}")
            target.copy_(torch.as_tensor(np.asarray(array), dtype=target.dtype))


def keras_to_torch(keras_model: Any, module: Any, program: TorchProgram) -> None:
    links = weight_links(program)
    load_torch_state(module, torch_state_from_keras(keras_arrays(keras_model, links), links))


def torch_to_keras(module: Any, keras_model: Any, program: TorchProgram) -> None:
    links = weight_links(program)
    set_keras_arrays(keras_model, links, keras_from_torch_state(module.state_dict(), links))
