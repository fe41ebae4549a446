"""The PyTorch target: a spec's nn.Module source, rendered from its lowering, and
that source loaded."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any

from ...spec.load import LoadedSpec
from ...spec.model import FunctionalSpec
from ..rules.expr import FUNCTIONAL
from ..rules.torch_helpers import helper_sources
from .loading import as_loaded, load_module
from .lower import ClassPlan, InterfaceLayout, TorchProgram, lower_torch
from .render import render

EXAMPLE_SIZE = 2
"""Stands in for unknown sizes (the batch, too) in the generated file's example input."""


@dataclass(frozen=True)
class TorchSource:
    """A generated module file and the program it was rendered from."""

    text: str
    program: TorchProgram

    @property
    def class_name(self) -> str:
        return self.program.top.name


def torch_source(spec: Any, interface: InterfaceLayout = "torch") -> TorchSource:
    """The generated PyTorch file for a spec (a path, parsed data or LoadedSpec)."""
    loaded = as_loaded(spec)
    return render_torch(loaded, lower_torch(loaded, interface))


def render_torch(loaded: LoadedSpec, program: TorchProgram) -> TorchSource:
    classes = [_class_view(plan) for plan in program.classes]
    top = program.top
    text = render(
        "torch_module.py.j2",
        functional=FUNCTIONAL in program.needs,
        helpers=helper_sources(program.needs),
        classes=classes,
        top=top,
        about=_about(program),
        example_inputs=", ".join(
            _example(v.layout.shape(s)) for v, s in zip(top.arguments, top.graph.input_shapes, strict=True)
        ),
        output_shapes=_shapes_expression(loaded),
    )
    return TorchSource(text, program)


def compile_torch(spec: Any, interface: InterfaceLayout = "torch") -> Any:
    """A torch.nn.Module built from the spec's generated source."""
    source = torch_source(spec, interface)
    return instantiate(source)


def instantiate(source: TorchSource) -> Any:
    module = load_module(source.text, "torch_" + source.class_name.lower())
    return getattr(module, source.class_name)()


def _about(program: TorchProgram) -> str:
    """The module docstring's paragraph: names, initialisation, layout, how to run it."""
    values = [v for plan in program.classes for layer in plan.layers for vs in layer.outputs.values() for v in vs]
    if all(v.layout.is_keras for v in values):
        layout = "Tensors keep Keras's layout."
    elif program.interface == "keras":
        layout = (
            "Inside, it computes channels first, as PyTorch's layers do; it takes and returns tensors "
            "in Keras's layout (N, H, W, C)."
        )
    else:
        layout = (
            "It computes channels first, as PyTorch's layers do, and takes and returns (N, C, H, W) "
            "tensors where the Keras model takes (N, H, W, C)."
        )
    text = (
        "Layers keep their Keras names (made into identifiers), and weights initialise as Keras "
        f"initialises them. {layout} Run this file to build the model and print a summary."
    )
    return textwrap.fill(text, 88)


def _class_view(plan: ClassPlan) -> dict[str, Any]:
    inner = [(layer.attr, layer.inner) for layer in plan.layers if layer.inner is not None]
    init = [s.text for s in plan.init] + [f"self.{attr}.reset_parameters()" for attr, _ in inner]
    penalties = [p.text for p in plan.penalties] + [
        f"self.{a}.regularization_loss()" for a, c in inner if c is not None and c.has("penalties")
    ]
    constraints = [c.text for c in plan.constraints] + [
        f"self.{a}.apply_constraints()" for a, c in inner if c is not None and c.has("constraints")
    ]
    layers = sum(1 for layer in plan.layers if layer.kind != "InputLayer")
    params = plan.graph.params
    doc = f"Keras {plan.kind} model: {layers} layer{'s' * (layers != 1)}, {params.total:,} parameters."
    return {
        "name": plan.name,
        "doc": doc,
        "modules": [(m.attr, m.constructor.text) for m in plan.modules],
        "setup": [s.text for s in plan.setup],
        "init": init,
        "lines": [(line.targets, line.expression.text) for line in plan.lines],
        "returns": plan.returns,
        "signature": ", ".join(f"{v.name}: torch.Tensor" for v in plan.arguments),
        "return_type": _return_type(plan.returns),
        "penalty": _sum(penalties),
        "constraints": constraints,
    }


def _sum(terms: list[str]) -> str:
    if len(terms) <= 1:
        return terms[0] if terms else ""
    return "(\n            " + "\n            + ".join(terms) + "\n        )"


def _return_type(returns: str) -> str:
    if returns.startswith("{"):
        return "dict[str, torch.Tensor]"
    if returns.startswith("("):
        return "tuple[torch.Tensor, ...]"
    return "torch.Tensor"


def _example(shape: tuple[int | None, ...]) -> str:
    dims = ", ".join(str(EXAMPLE_SIZE if d is None else d) for d in shape)
    return f"torch.randn({dims})"


def _shapes_expression(loaded: LoadedSpec) -> str:
    spec = loaded.spec
    outputs = spec.config.output_layers if isinstance(spec, FunctionalSpec) else None
    if isinstance(outputs, dict):
        return "{key: tuple(o.shape) for key, o in outputs.items()}"
    if outputs and not isinstance(outputs[0], str):
        return "[tuple(o.shape) for o in outputs]"
    return "tuple(outputs.shape)"
