"""The PyTorch target: a spec's nn.Module source, rendered from its lowering, and
that source loaded."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any

from ...spec.graph import index_bounds
from ...spec.load import LoadedSpec
from ...spec.model import FunctionalSpec
from ..names import pystr
from ..rules.expr import FUNCTIONAL, CallExpr, Submodule
from ..rules.torch_helpers import helper_sources
from .draw_shares import count, draw_shares
from .loading import as_loaded, load_module
from .lower import ClassPlan, InterfaceLayout, TorchProgram, lower_torch
from .render import rename, render

EXAMPLE_SIZE = 2
"""Stands in for unknown sizes (the batch, too) in the generated file's example input."""

META_FROM = 10_000_000
"""Parameters from which a class builds torch's drawing layers on the meta device, when
reset_parameters() sets every tensor its submodules make: torch's own initial values,
which reset_parameters() overwrites, are then not drawn (ResNet50, 25.6M: 0.25 s -> 0.18 s).
Below it, moving each empty tensor off the meta device costs about what it saves
(MobileNetV2 at 1.7M builds 20% slower so), and plain constructors read better."""

DRAWING_LAYERS = frozenset(
    {
        *(f"nn.Conv{n}d" for n in (1, 2, 3)),
        *(f"nn.ConvTranspose{n}d" for n in (1, 2, 3)),
        "nn.Linear",
        "nn.Embedding",
        "nn.LSTM",
        "nn.GRU",
        "nn.RNN",
    }
)
"""torch's layers whose constructor draws random initial values and takes `device=`. The
others (BatchNorm's ones and zeros, pooling) cost less built plainly than on meta."""


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


def render_torch(loaded: LoadedSpec, program: TorchProgram, keep_values: bool = False) -> TorchSource:
    """The module file of a lowered program. `keep_values` keeps every value in a variable
    named after its layer until forward() returns (the parity checker reads them there)."""
    classes = [_class_view(plan, keep_values) for plan in program.classes]
    top = program.top
    text = render(
        "torch_module.py.j2",
        functional=FUNCTIONAL in program.needs,
        threads=any(view["shares"] for view in classes),
        helpers=helper_sources(program.needs),
        classes=classes,
        top=top,
        about=_about(program),
        example_inputs=", ".join(
            _example(v.layout.shape(s), v.integer, bound)
            for v, s, bound in zip(top.arguments, top.graph.input_shapes, index_bounds(top.graph), strict=True)
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


def _class_view(plan: ClassPlan, keep_values: bool = False) -> dict[str, Any]:
    inner = [(layer.attr, layer.inner) for layer in plan.layers if layer.inner is not None]
    on_meta = plan.shape_only and plan.graph.params.total >= META_FROM
    shares, serial = draw_shares(plan)
    init = [s.text for s in serial] + [f"self.{attr}.reset_parameters()" for attr, _ in inner]
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
        "modules": [(m.attr, _constructor(m, on_meta)) for m in plan.modules],
        "on_meta": on_meta,
        "setup": [s.text for s in plan.setup],
        "init": init,
        "shares": shares,
        "share_methods": "(" + ", ".join(f"self.{share.method}" for share in shares) + ","[len(shares) > 1 :] + ")",
        "shares_doc": _shares_doc(sum(share.values for share in shares), len(shares)),
        "lines": _lines(plan, keep_values),
        "returns": plan.returns,
        "signature": ", ".join(f"{v.name}: torch.Tensor" for v in plan.arguments),
        "return_type": _return_type(plan.returns),
        "penalty": _sum(penalties),
        "constraints": constraints,
    }


def _draws(module: Submodule) -> bool:
    return isinstance(module.constructor, CallExpr) and module.constructor.function in DRAWING_LAYERS


def _constructor(module: Submodule, on_meta: bool) -> str:
    """A submodule's constructor; a drawing layer's on the meta device, in a large class."""
    if on_meta and _draws(module):
        return module.constructor.with_option("device", '"meta"').text  # type: ignore[attr-defined]
    return module.constructor.text


def _shares_doc(values: int, shares: int) -> str:
    text = (
        "Initialise every weight as the Keras layer does. torch draws random values one at a time, "
        f"so the {count(values)} values are drawn in {shares} share{'s' * (shares != 1)} on as many threads, each from "
        "a generator seeded from torch's global one: torch.manual_seed fixes them all."
    )
    # lines of 88 at most, the first after the method's indent and opening quotes
    return textwrap.fill(text, 88, initial_indent=" " * 11, subsequent_indent=" " * 8)[11:]


CHAIN = "x"
"""The variable a value lives in when only the next line reads it (reserved: no layer gets it)."""


def _lines(plan: ClassPlan, keep_values: bool) -> list[tuple[str | None, str]]:
    """forward()'s lines. A value that only the next line reads lives in `x`, as in a
    hand-written forward, so that torch frees each activation once it is used (holding
    them all costs a quarter of a ResNet's time); others keep their layer's name. With
    `keep_values`, every value keeps its name, so that each layer's output can be read."""
    chained = set() if keep_values else _chain_values(plan)
    modular = {layer.name for layer in plan.layers if layer.modules}
    out = []
    previous: str | None = None
    for line in plan.lines:
        text = rename(line.expression.text, {previous: CHAIN} if previous else {})
        previous = None
        target: str | None = line.targets
        if target in chained:
            previous, target = target, CHAIN
            code, _, why = text.partition("  # ")  # a rule may say why its value is its input
            if code == CHAIN:  # the identity (a linear activation, a Permute torch already holds): x stays
                target, text = None, f"# {_shown(line.layer)}: x unchanged" + (f" ({why})" if why else "")
            elif line.layer is not None and line.layer not in modular:
                text += f"  # {_shown(line.layer)}"  # a function call: name the Keras layer it computes
        out.append((target, text))
    return out


def _shown(name: str | None) -> str:
    """A layer name as a comment may hold it: as it is where every character prints, else
    escaped (a name holding a line break must not end the comment)."""
    name = name or ""
    return name if name.isprintable() else pystr(name)


def _chain_values(plan: ClassPlan) -> set[str]:
    """Values read once, by the very next line, which reads nothing else (a merge keeps
    its inputs' names), and not returned."""
    uses: dict[str, int] = {}
    for line in plan.lines:
        for name in line.reads:
            uses[name] = uses.get(name, 0) + 1
    returned = {value.name.split("[", 1)[0] for value in plan.outputs}
    out = set()
    for line, following in zip(plan.lines, plan.lines[1:], strict=False):
        name = line.targets
        if name.isidentifier() and name not in returned and uses.get(name) == 1 and following.reads == (name,):
            out.add(name)
    return out


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


def _example(shape: tuple[int | None, ...], integer: bool, bound: int | None) -> str:
    """A random input: normal values, or indices for the Embedding that reads it."""
    dims = ", ".join(str(EXAMPLE_SIZE if d is None else d) for d in shape)
    if bound is None:
        return f"torch.randn({dims})"
    indices = f"torch.randint({bound}, ({dims}{',' * (len(shape) == 1)}))"
    return indices if integer else f"{indices}.float()"


def _shapes_expression(loaded: LoadedSpec) -> str:
    spec = loaded.spec
    outputs = spec.config.output_layers if isinstance(spec, FunctionalSpec) else None
    if isinstance(outputs, dict):
        return "{key: tuple(o.shape) for key, o in outputs.items()}"
    if outputs and not isinstance(outputs[0], str):
        return "[tuple(o.shape) for o in outputs]"
    return "tuple(outputs.shape)"
