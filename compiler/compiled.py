"""One compiled spec: loaded once, lowered once, handed on.

A command builds a `Compiled` and passes it to everything it calls (writing files,
moving weights, checking parity), instead of each of those lowering the spec again."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ..spec.graph import ModelWeight, model_weights
from ..spec.load import LoadedSpec
from .targets.keras_model import KerasSource, build_keras, keras_source
from .targets.loading import as_loaded
from .targets.lower import InterfaceLayout, TorchProgram, lower_torch
from .targets.torch_module import TorchSource, instantiate, render_torch
from .weights.links import WeightLink, weight_links


@dataclass(eq=False)
class Compiled:
    loaded: LoadedSpec
    program: TorchProgram

    @classmethod
    def of(cls, spec: Any, interface: InterfaceLayout = "torch") -> Compiled:
        """A spec (path, data, LoadedSpec or Compiled) compiled for this interface."""
        if isinstance(spec, Compiled) and spec.program.interface == interface:
            return spec
        loaded = as_loaded(spec.loaded if isinstance(spec, Compiled) else spec)
        return cls(loaded, lower_torch(loaded, interface))

    @property
    def name(self) -> str:
        return self.loaded.graph.name

    @cached_property
    def torch_source(self) -> TorchSource:
        return render_torch(self.loaded, self.program)

    @cached_property
    def traced_source(self) -> TorchSource:
        """The same module with every value kept in a variable named after its layer until
        forward() returns, where the parity checker reads them (the state_dict is the same)."""
        return render_torch(self.loaded, self.program, keep_values=True)

    @cached_property
    def keras_source(self) -> KerasSource:
        return keras_source(self.loaded)

    @cached_property
    def links(self) -> list[WeightLink]:
        """Every weight with its torch tensor and transfer."""
        return weight_links(self.program)

    @cached_property
    def declared(self) -> list[ModelWeight]:
        """Every weight as the spec declares it (the Keras side)."""
        return model_weights(self.loaded.graph)

    def torch_module(self) -> Any:
        """A fresh instance of the generated nn.Module."""
        return instantiate(self.torch_source)

    def traced_module(self) -> Any:
        """A fresh instance of the module whose forward() keeps every layer's output."""
        return instantiate(self.traced_source)

    def keras_model(self) -> Any:
        """A fresh keras.Model from the generated builder."""
        return build_keras(self.loaded, self.keras_source)
