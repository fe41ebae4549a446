"""Weights between Keras and torch.

The Keras side needs only the spec: every weight a model holds is declared by its
layer's kind (`spec.graph.model_weights`), found in a Keras model by layer path and
variable name. The torch side comes from the lowering: each declared weight has one
torch tensor and the `Transfer` between the two, used forwards or backwards."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ...spec.graph import ModelWeight
from ..rules.transfer import Transfer
from ..targets.lower import ClassPlan, TorchProgram

if TYPE_CHECKING:
    from ..compiled import Compiled

Arrays = dict[str, np.ndarray]
"""Keras arrays keyed by Keras path ('block/dense/kernel')."""


@dataclass(frozen=True)
class WeightLink:
    """One weight as both frameworks hold it."""

    keras_layers: tuple[str, ...]
    """Layer names from the top model down (nested models first)."""
    keras_name: str
    torch_keys: tuple[str, ...]
    """Its tensor's state_dict key; several for a weight torch splits (stacked by the transfer)."""
    transfer: Transfer
    buffer: bool = False

    @property
    def torch_key(self) -> str:
        """The first (for most weights, the only) tensor's key."""
        return self.torch_keys[0]

    @property
    def tensor_shape(self) -> tuple[int, ...]:
        """The shape of each of its torch tensors."""
        return self.torch_shape if len(self.torch_keys) == 1 else self.torch_shape[1:]

    @property
    def keras_path(self) -> str:
        return "/".join((*self.keras_layers, self.keras_name))

    @property
    def keras_shape(self) -> tuple[int, ...]:
        return self.transfer.keras_shape

    @property
    def torch_shape(self) -> tuple[int, ...]:
        return self.transfer.torch_shape

    def to_torch(self, array: np.ndarray) -> np.ndarray:
        return self.transfer.to_torch(np.asarray(array))

    def to_keras(self, array: np.ndarray) -> np.ndarray:
        return self.transfer.to_keras(np.asarray(array))

    def torch_state(self, array: np.ndarray) -> Arrays:
        """The Keras array as the torch tensor(s) holding it, by state_dict key."""
        moved = self.to_torch(array)
        if len(self.torch_keys) == 1:
            return {self.torch_key: moved}
        return {key: part for key, part in zip(self.torch_keys, moved, strict=True)}

    def from_torch_state(self, state: dict[str, Any]) -> np.ndarray:
        """The Keras array from the torch tensor(s) of a state_dict; checks their shapes."""
        parts = []
        for key in self.torch_keys:
            array = _numpy(state[key])
            if tuple(array.shape) != self.tensor_shape:
                raise WeightError(f"{key}: expected shape {self.tensor_shape}, got {tuple(array.shape)}")
            parts.append(array)
        return self.to_keras(parts[0] if len(parts) == 1 else np.stack(parts))


class WeightError(ValueError):
    """Weights that do not fit the model: the message names the weight and both shapes."""


def weight_links(program: TorchProgram) -> list[WeightLink]:
    """Every weight of the model, in the spec's order, with its torch tensor."""
    return list(_links(program.top, (), ""))


def _links(plan: ClassPlan, layers: tuple[str, ...], prefix: str) -> Iterator[WeightLink]:
    for layer in plan.layers:
        path = (*layers, layer.name)
        if layer.inner is not None:
            yield from _links(layer.inner, path, f"{prefix}{layer.attr}.")
        for weight in layer.weights:
            keys = tuple(prefix + tensor for tensor in weight.tensors)
            yield WeightLink(path, weight.keras, keys, weight.transfer, weight.buffer)


# -- the Keras side: declared weights in a live Keras model ----------------------------------


def _keras_layer(model: Any, layers: Sequence[str]) -> Any:
    layer = model
    for layer_name in layers:
        try:
            layer = layer.get_layer(layer_name)
        except ValueError:
            raise WeightError(f"the Keras model has no layer {'/'.join(layers)!r}") from None
    return layer


def _keras_variable(model: Any, layers: Sequence[str], name: str) -> Any:
    layer = _keras_layer(model, layers)
    for variable in layer.weights:
        if variable.name == name or variable.path.endswith("/" + name) or _unnamed(name, variable.name):
            return variable
    raise WeightError(f"Keras layer {'/'.join(layers)!r} has no weight {name!r}")


def _unnamed(name: str, keras_name: str) -> bool:
    """A weight its layer made without a name (keras.applications' LayerScale): Keras calls
    it 'variable', numbered 'variable_1', 'variable_2', ... across the model."""
    return name == "variable" and re.fullmatch(r"variable(_\d+)?", keras_name) is not None


def keras_arrays(model: Any, weights: Sequence[ModelWeight]) -> Arrays:
    """Each declared weight of a Keras model, keyed by its Keras path ('dense/kernel')."""
    return {w.path: np.asarray(_keras_variable(model, w.layers, w.weight.name).numpy()) for w in weights}


def set_keras_arrays(model: Any, weights: Sequence[ModelWeight], arrays: Arrays) -> None:
    touched = {}
    for w in weights:
        variable = _keras_variable(model, w.layers, w.weight.name)
        array = arrays[w.path]
        if tuple(array.shape) != tuple(variable.shape):
            raise WeightError(f"{w.path}: expected shape {tuple(variable.shape)}, got {tuple(array.shape)}")
        variable.assign(array.astype(variable.dtype))
        touched[w.layers] = None
    for layers in touched:  # a layer keeping a copy of its weights (Normalization) refreshes it, as Keras's loaders do
        layer = _keras_layer(model, layers)
        if hasattr(layer, "finalize_state"):
            layer.finalize_state()


# -- the torch side ---------------------------------------------------------------------------


def torch_state_from_keras(arrays: Arrays, links: Sequence[WeightLink]) -> Arrays:
    out: Arrays = {}
    for link in links:
        out.update(link.torch_state(arrays[link.keras_path]))
    return out


def keras_from_torch_state(state: dict[str, Any], links: Sequence[WeightLink]) -> Arrays:
    """Keras arrays from a torch state_dict (tensors or arrays); checks every shape."""
    missing = [key for link in links for key in link.torch_keys if key not in state]
    if missing:
        raise WeightError(f"the weights lack {len(missing)} tensor(s) the model needs: {', '.join(missing[:5])}")
    return {link.keras_path: link.from_torch_state(state) for link in links}


def _numpy(value: Any) -> np.ndarray:
    if hasattr(value, "detach"):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def load_torch_state(module: Any, state: Arrays) -> None:
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


def random_keras_arrays(weights: Sequence[ModelWeight], seed: int) -> Arrays:
    """Non-zero weights of a sensible scale: kernels ~ N(0, 1/fan_in), biases and
    shifts ~ N(0, 0.1), scales and variances ~ U(0.5, 1.5), counts positive."""
    rng = np.random.default_rng(seed)
    out = {}
    for w in weights:
        shape, name = w.weight.shape, w.weight.name
        if name in ("gamma", "moving_variance", "variance"):
            array = rng.uniform(0.5, 1.5, shape)
        elif name == "count":
            array = rng.integers(1, 100, shape)
        elif len(shape) >= 2:
            # a depthwise kernel's outputs each read one channel: (kh, kw, in, multiplier)
            reads = shape[:-2] if w.kind.startswith("Depthwise") or name == "depthwise_kernel" else shape[:-1]
            array = rng.normal(0.0, 1.0 / np.sqrt(max(1, int(np.prod(reads)))), shape)
        else:
            array = rng.normal(0.0, 0.1 if name != "alpha" else 0.3, shape)
        out[w.path] = array.astype("float32")
    return out


def keras_to_torch(keras_model: Any, module: Any, compiled: Compiled) -> None:
    """Copy a Keras model's weights into the generated torch module."""
    load_torch_state(module, torch_state_from_keras(keras_arrays(keras_model, compiled.declared), compiled.links))


def torch_to_keras(module: Any, keras_model: Any, compiled: Compiled) -> None:
    """Copy the generated torch module's weights into the Keras model."""
    set_keras_arrays(keras_model, compiled.declared, keras_from_torch_state(module.state_dict(), compiled.links))
