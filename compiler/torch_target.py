"""The PyTorch target: a spec's nn.Module source, and that source loaded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..spec.load import LoadedSpec
from ..spec.model import FunctionalSpec
from .helpers import helper_sources
from .render import render
from .source import as_loaded, load_module
from .torch_lower import ClassPlan, TorchProgram, lower_torch

EXAMPLE_SIZE = 2
"""Stands in for unknown sizes (the batch, too) in the generated file's example input."""


@dataclass(frozen=True)
class TorchSource:
    """A generated module file and what it defines."""

    text: str
    program: TorchProgram

    @property
    def class_name(self) -> str:
        return self.program.top.name


def torch_source(spec: Any) -> TorchSource:
    """The generated PyTorch file for a spec (a path, parsed data or LoadedSpec)."""
    loaded = as_loaded(spec)
    program = lower_torch(loaded)
    classes = [_class_view(plan, program) for plan in program.classes]
    top = program.top
    text = render(
        "torch_module.py.j2",
        helpers=helper_sources(program.helpers),
        classes=classes,
        top=top,
        example_inputs=", ".join(_example(s) for s in top.graph.input_shapes),
        output_shapes=_shapes_expression(loaded),
    )
    if "F." not in text.replace("import torch.nn.functional as F", ""):
        text = text.replace("import torch.nn.functional as F\n", "")
    return TorchSource(text, program)


def compile_torch(spec: Any) -> Any:
    """A torch.nn.Module built from the spec's generated source."""
    source = torch_source(spec)
    module = load_module(source.text, "torch_" + source.class_name.lower())
    return getattr(module, source.class_name)()


def _class_view(plan: ClassPlan, program: TorchProgram) -> dict[str, Any]:
    inner = [(layer.attr, layer.inner) for layer in plan.layers if layer.inner is not None]
    init = list(plan.init) + [f"self.{attr}.reset_parameters()" for attr, _ in inner]
    penalties = list(plan.penalties) + [f"self.{a}.regularization_loss()" for a, c in inner if _has(c, "penalties")]
    constraints = list(plan.constraints) + [f"self.{a}.apply_constraints()" for a, c in inner if _has(c, "constraints")]
    layers = sum(1 for layer in plan.layers if layer.kind != "InputLayer")
    params = plan.graph.params
    doc = f"Keras {plan.kind} model: {layers} layer{'s' * (layers != 1)}, {params.total:,} parameters."
    return {
        "name": plan.name,
        "doc": doc,
        "modules": plan.modules,
        "setup": plan.setup,
        "init": init,
        "lines": plan.lines,
        "returns": plan.returns,
        "signature": ", ".join(f"{arg}: torch.Tensor" for arg in plan.arguments),
        "return_type": _return_type(plan.returns),
        "penalty": _sum(penalties),
        "constraints": constraints,
    }


def _has(plan: ClassPlan | None, what: str) -> bool:
    if plan is None:
        return False
    return bool(getattr(plan, what)) or any(_has(layer.inner, what) for layer in plan.layers)


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
