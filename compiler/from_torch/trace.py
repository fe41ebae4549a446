"""A torch.nn.Module as a spec: traced with torch.fx at module level, each standard
module and each function or method call turned into Keras layers by the reverse
matchers of `compiler/kinds/`, in Keras's channels-last layout.

The walk keeps, for each traced value, the Keras tensor holding it and whether torch
holds it channels first; axis arguments are translated through that, and the matchers
read it. Nothing is approximated: what no matcher takes is refused naming the module or
call and the line of the user's code."""

from __future__ import annotations

import contextlib
import io
import operator
import os
import re
import traceback
from dataclasses import dataclass, field
from typing import Any

from ...spec.base import snake_case
from .reverse import (
    CALL_MATCHERS,
    MODULE_MATCHERS,
    LayerOutput,
    Matched,
    Site,
    Untranslatable,
    Unusable,
    Value,
    arranged,
    channels_first_order,
    identity,
)

PERMUTES = (".permute", "permute", ".transpose", "transpose", ".t")
"""Calls that only reorder a tensor's axes."""

FUNCTION_NAMES = {
    operator.add: "add",
    operator.iadd: "add",  # `out += identity` adds as `+` does in a traced graph
    operator.mul: "mul",
    operator.imul: "mul",
    operator.sub: "sub",
    operator.isub: "sub",
    operator.getitem: "getitem",
    getattr: "getattr",
}
"""Python operators as the matchers name them (torch functions go by their __name__)."""


@dataclass
class Imported:
    """The spec of a traced module, and where each Keras weight is in the module's state."""

    spec: dict[str, Any]
    weights: dict[tuple[str, str], tuple[Any, ...]]
    """(Keras layer, weight name) -> the module's tensors, as the generated module holds them."""
    input_layouts: list[tuple[int, ...]]
    """Per model input: torch dim i is Keras axis [i]."""
    output_layouts: list[tuple[int, ...]]
    keys: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    """(Keras layer, weight name) -> the module's state_dict keys of its tensors (those that are keys)."""


def import_module(module: Any, example_inputs: tuple[Any, ...], layout: str = "keras") -> Imported:
    """`layout`: "keras", the model takes and gives (N, ..., C); "torch", (N, C, ...) as the
    module does, with one Permute after each such input and before each such output."""
    name = type(module).__name__
    try:
        return import_graph(_trace(module), example_inputs, name, layout)
    except Untraceable:
        raise
    except Untranslatable:  # said again with the user's line: recording lines costs seconds, paid on failure only
        return import_graph(_trace(module, lines=True), example_inputs, name, layout)


def import_graph(graph_module: Any, example_inputs: tuple[Any, ...], name: str, layout: str = "keras") -> Imported:
    """A module-level fx graph (traced, or rebuilt from a torch.export program) as a spec."""
    _propagate_shapes(graph_module, example_inputs)
    return _Walker(graph_module, name, layout).walk()


def _trace(module: Any, lines: bool = False) -> Any:
    """Module-level tracing: torch.nn's modules stay calls (leaves), the user's own are
    traced through; with `lines`, each node keeps the user's line for messages (fx then
    imports torch._dynamo, seconds on first use)."""
    import torch
    import torch.fx

    tracer = torch.fx.Tracer()
    tracer.record_stack_traces = lines
    original = torch.autograd.Function.apply
    torch.autograd.Function.apply = classmethod(_refuse_function)  # type: ignore[method-assign, assignment]
    try:  # fx would otherwise run a custom Function's forward on proxies and lose what it is
        graph = tracer.trace(module)
    except Untranslatable as exc:
        raise Untranslatable(f"{type(module).__name__}: {exc}{_user_line(exc, module)}") from None
    except Exception as exc:  # fx raises TraceError, TypeError, ... on data-dependent Python
        raise Untraceable(
            f"torch.fx cannot trace {type(module).__name__}{_user_line(exc, module)}: {_first_line(exc)}; its "
            "forward() decides something from tensor values in Python (an `if` or a loop on a tensor), "
            "which a Keras graph cannot hold"
        ) from None
    finally:
        torch.autograd.Function.apply = original  # type: ignore[method-assign]
    return torch.fx.GraphModule(tracer.root, graph)


class Untraceable(Untranslatable):
    """torch.fx could not trace the module (torch.export may)."""


def _refuse_function(cls: type, *args: Any, **kwargs: Any) -> Any:
    raise Untranslatable(
        f"the custom autograd Function {cls.__name__}.apply: its forward and backward are Python of yours, "
        "which no Keras layer computes"
    )


def _user_line(exc: BaseException, module: Any) -> str:
    """` (file:line)` of the innermost frame of the user's code in the exception's traceback."""
    source = getattr(getattr(type(module).forward, "__code__", None), "co_filename", None)
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == source]
    return f" ({frames[-1].filename}:{frames[-1].lineno})" if frames else ""


def _propagate_shapes(graph_module: Any, example_inputs: tuple[Any, ...]) -> None:
    from torch.fx.passes.shape_prop import ShapeProp

    try:
        with contextlib.redirect_stderr(io.StringIO()):  # ShapeProp prints the traceback it raises
            ShapeProp(graph_module).propagate(*example_inputs)
    except Exception as exc:
        raise Untranslatable(f"the module fails on the example inputs: {_first_line(exc)}") from None


class _Walker:
    def __init__(self, graph_module: Any, class_name: str, layout: str) -> None:
        self.gm = graph_module
        self.class_name = class_name
        self.layout = layout
        self.model_inputs: list[Value] = []
        self.entries: dict[str, dict[str, Any]] = {}
        self.shared: dict[int, list[str]] = {}
        """id of a module already emitted -> its layers' names (for a second call)."""
        self.layers: list[dict[str, Any]] = []
        self.names: set[str] = set()
        self.values: dict[Any, Any] = {}
        self.weights: dict[tuple[str, str], tuple[Any, ...]] = {}
        self.keys: dict[tuple[str, str], tuple[str, ...]] = {}
        self.state_keys = {id(t): k for k, t in graph_module.state_dict(keep_vars=True).items()}

    def walk(self) -> Imported:
        outputs: Any = None
        for node in self.gm.graph.nodes:
            try:
                if node.op == "placeholder":
                    self.values[node] = self._input(node)
                elif node.op == "output":
                    outputs = self._arg(node.args[0], node)
                elif node.op == "get_attr":
                    raise Untranslatable(f"forward() reads the parameter or buffer {node.target!r} directly")
                else:
                    self.values[node] = self._call(node)
            except Untranslatable as exc:
                raise Untranslatable(f"{self._where(node)}: {exc}") from None
        flat = [self._boundary_output(v) for v in _flat_outputs(outputs)]
        spec = {
            "class_name": "Functional",
            "config": {
                "name": snake_case(self.class_name),
                "layers": self.layers,
                "input_layers": _endpoints(self.model_inputs),
                "output_layers": _endpoints(flat),
            },
        }
        return Imported(
            spec,
            self.weights,
            [v.perm for v in self.model_inputs],
            [v.perm for v in flat],
            self.keys,
        )

    def _boundary_output(self, value: Value) -> Value:
        """An output in torch's order where Keras can give it (the batch first): always
        with the torch layout; with Keras's, unless it is channels first (Keras's own
        (N, H, W, C) then)."""
        perm = value.perm
        if perm == identity(value.rank) or perm[0] != 0 or (self.layout == "keras" and value.channels_first):
            return value
        (permute,) = arranged(value, identity(value.rank))
        name = self._fresh(f"{value.ref[0]}_to_torch")
        config = {"name": name, **permute.config}
        self.layers.append({"class_name": "Permute", "config": config, "inputs": list(value.ref)})
        return Value((name, 0, 0), value.shape)

    # -- nodes ---------------------------------------------------------------------

    def _input(self, node: Any) -> Value:
        meta = node.meta.get("tensor_meta")
        if meta is None or not hasattr(meta, "shape"):
            raise Untranslatable("an input that is not one tensor")
        shape = tuple(meta.shape)
        channels_first = (len(shape) >= 4 and not self._only_permuted(node)) or (
            len(shape) == 3 and self._feeds_channels_first(node)
        )
        name = self._fresh(node.name)
        value = Value((name, 0, 0), shape, channels_first)
        torch_boundary = self.layout == "torch" and channels_first
        dims = [None, *shape[1:]] if torch_boundary else value.keras_shape
        dtype = str(meta.dtype).removeprefix("torch.")
        self.layers.append({"class_name": "InputLayer", "config": {"name": name, "batch_shape": dims, "dtype": dtype}})
        self.model_inputs.append(Value((name, 0, 0), shape, channels_first and not torch_boundary))
        if torch_boundary:  # (N, C, ...) in, one transpose to Keras's (N, ..., C)
            permuted = self._fresh(f"{name}_to_keras")
            config = {"name": permuted, "dims": [*range(2, len(shape)), 1]}
            self.layers.append({"class_name": "Permute", "config": config, "inputs": [name, 0, 0]})
            value = Value((permuted, 0, 0), shape, True)
        return value

    def _only_permuted(self, node: Any) -> bool:
        """An image input whose every use reorders it (`x.permute(0, 3, 1, 2)`): it is (N, H, W, C) already."""
        return bool(node.users) and all(_user_kind(self.gm, u) in PERMUTES for u in node.users)

    def _feeds_channels_first(self, node: Any) -> bool:
        """A (N, C, L) input of Conv1d, pooling or BatchNorm1d is channels first; a
        (N, T, F) sequence of an LSTM or Linear is not."""
        for user in node.users:
            if user.op == "call_module":
                kind = type(self.gm.get_submodule(user.target)).__name__
                if kind.endswith("1d") or kind.startswith("Conv"):
                    return True
        return False

    def _call(self, node: Any) -> Any:
        if node.op == "call_module":
            module = self.gm.get_submodule(node.target)
            kind = type(module).__name__
            matcher = MODULE_MATCHERS.get(kind)
            if matcher is None:
                raise Untranslatable(f"nn.{kind} has no Keras equivalent in nnspec")
            site = self._site(node, node.target, node.args, node.kwargs)
            return self._emit(site, matcher(module, site), module)
        name = _call_name(node)
        tensor_item = name == "getitem" and isinstance(self.values.get(node.args[0]), Value)
        if name in ("getitem", ".size", "getattr") and not tensor_item:
            return self._python(node, name)
        matcher = CALL_MATCHERS.get(name)
        if matcher is None:
            raise Untranslatable(f"{name.lstrip('.')}() has no Keras equivalent in nnspec")
        site = self._site(node, name.lstrip("."), node.args, node.kwargs)
        return self._emit(site, matcher(site), None)

    def _site(self, node: Any, path: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Site:
        values = [self._arg(a, node) for a in args]
        tensors = [v for v in values if isinstance(v, Value)]
        for v in values:  # a list of tensors (torch.cat's)
            if isinstance(v, list | tuple) and v and all(isinstance(x, Value) for x in v):
                tensors.extend(v)
        arguments: dict[str, Any] = {str(i): v for i, v in enumerate(values)}
        arguments |= {k: self._arg(v, node) for k, v in kwargs.items()}
        meta = node.meta.get("tensor_meta")
        if isinstance(meta, tuple | list) and meta and not hasattr(meta, "shape"):  # (output, states): the output's
            meta = meta[0]
        shape = tuple(meta.shape) if meta is not None and hasattr(meta, "shape") else None
        users = [_user_kind(self.gm, u) for u in node.users]
        tail_used = any(u.target is operator.getitem and u.args[1] != 0 and u.users for u in node.users)
        return Site(self._fresh(_layer_name(path)), path, tensors, arguments, shape, users, tail_used)

    def _emit(self, site: Site, matched: Matched, module: Any) -> Any:
        if not site.inputs:
            raise Untranslatable("no tensor input")
        previous = site.inputs[0]
        order = _result_order(matched, previous, len(site.output_shape or previous.shape))
        made: list[Value] = []
        earlier = self.shared.get(id(module)) if module is not None else None
        names: list[str] = []
        for n, layer in enumerate(matched.layers):
            if layer.sources is None:
                refs = [list(previous.ref), *(list(v.ref) for v in layer.extra_inputs)]
            else:
                refs = [list((made[s] if isinstance(s, int) else s).ref) for s in layer.sources]
            inputs = refs[0] if len(refs) == 1 else refs
            if earlier is not None and layer.weights:  # a module called again: its layer, called again
                name, call = earlier[n], self._call_again(earlier[n], inputs)
                names.append(name)
                previous = Value((name, call, 0), site.output_shape or previous.shape, order=order)
                made.append(previous)
                continue
            name = self._layer_name(site, matched, n)
            names.append(name)
            config = {"name": name, **layer.config}
            entry = {"class_name": layer.class_name, "config": config, "inputs": inputs}
            self.layers.append(entry)
            self.entries[name] = entry
            for weight, tensors in layer.weights.items():
                self.weights[(name, weight)] = tensors
                keys = tuple(self._state_key(t) for t in tensors)
                if all(keys):
                    self.keys[(name, weight)] = keys
            shape = site.output_shape or previous.shape
            previous = Value((name, 0, 0), shape, nonnegative=matched.nonnegative, order=order)
            made.append(previous)
        if module is not None and earlier is None:
            self.shared[id(module)] = names
        if matched.tail is not None:  # (output, states): the states are outputs of the layers, or refused
            tail = _resolved(matched.tail, made)
            return (Value(previous.ref, site.output_shape or previous.shape, order=order), tail)
        if site.output_shape is None:
            raise Untranslatable("its output is not one tensor")
        return Value(previous.ref, site.output_shape, nonnegative=matched.nonnegative, order=order)

    def _call_again(self, name: str, inputs: Any) -> int:
        """Another call of layer `name` (a module used twice shares its weights, as a Keras
        layer called twice does); returns the call's index."""
        entry = self.entries[name]
        if "inputs" in entry:
            entry["inbound_nodes"] = [{"inputs": entry.pop("inputs")}]
        entry["inbound_nodes"].append({"inputs": inputs})
        return len(entry["inbound_nodes"]) - 1

    def _state_key(self, tensor: Any) -> str:
        """The state_dict key of a module's tensor, `key[a:b]` for rows of one (a packed
        attention projection); "" for a tensor that is neither."""
        if id(tensor) in self.state_keys:
            return self.state_keys[id(tensor)]
        base = getattr(tensor, "_base", None)
        if base is None or id(base) not in self.state_keys or not tensor.dim() or not base.stride(0):
            return ""
        start = (tensor.storage_offset() - base.storage_offset()) // base.stride(0)
        return f"{self.state_keys[id(base)]}[{start}:{start + tensor.shape[0]}]"

    def _layer_name(self, site: Site, matched: Matched, n: int) -> str:
        """The layer holding the weights (or, without any, the last) is named after the
        module or call; the others after it (`conv1_zero_padding2d`)."""
        layers = matched.layers
        if layers[n].suffix is not None:
            return self._fresh(f"{site.name}_{layers[n].suffix}")
        owner = next((i for i, layer in enumerate(layers) if layer.weights), len(layers) - 1)
        if n == owner:
            return site.name
        return self._fresh(f"{site.name}_{snake_case(layers[n].class_name)}")

    def _python(self, node: Any, name: str) -> Any:
        """`x.size(0)`, `out[0]` of a module's tuple: values of Python, not layers. What
        Keras does not give (an LSTM's states) is refused where it is used, not unpacked."""
        target = self.values[node.args[0]]
        if isinstance(target, Unusable):
            return target
        if name == ".size":
            if not isinstance(target, Value):
                raise Untranslatable("size() of something that is not a tensor")
            dim = node.args[1] if len(node.args) > 1 else node.kwargs.get("dim")
            return _Size(target, dim)
        if name == "getitem" and isinstance(target, tuple | list):
            return target[node.args[1]]
        if name == "getitem":
            raise Untranslatable("indexing or slicing a tensor is not supported yet")
        raise Untranslatable(f"{name} is not supported")

    def _arg(self, value: Any, node: Any) -> Any:
        import torch.fx

        if isinstance(value, torch.fx.Node):
            found = self.values[value]
            if isinstance(found, Unusable):
                raise Untranslatable(found.reason)
            return found
        if isinstance(value, list | tuple):
            return type(value)(self._arg(v, node) for v in value)
        if isinstance(value, dict):
            return {k: self._arg(v, node) for k, v in value.items()}
        return value

    def _fresh(self, name: str) -> str:
        base, n = name, 0
        while name in self.names:
            n += 1
            name = f"{base}_{n}"
        self.names.add(name)
        return name

    def _where(self, node: Any) -> str:
        """The module path or call, and the user's line, from fx's stack trace."""
        what = node.target if node.op == "call_module" else _call_name(node).lstrip(".")
        where = f"{self.class_name}: {what}"
        trace = node.meta.get("stack_trace") or ""
        lines = [
            (f, n) for f, n in re.findall(r'File "([^"]+)", line (\d+)', trace) if f"{os.sep}torch{os.sep}" not in f
        ]
        return f"{where} ({lines[-1][0]}:{lines[-1][1]})" if lines else where


@dataclass(frozen=True)
class _Size:
    """`x.size(dim)`: the batch size when dim is 0 (a reshape keeping the batch)."""

    of: Value
    dim: Any


def _call_name(node: Any) -> str:
    if node.op == "call_method":
        return f".{node.target}"
    target = node.target
    if target in FUNCTION_NAMES:
        return FUNCTION_NAMES[target]
    return getattr(target, "__name__", str(target))


def _user_kind(gm: Any, node: Any) -> str:
    if node.op == "call_module":
        return type(gm.get_submodule(node.target)).__name__
    return _call_name(node) if node.op in ("call_function", "call_method") else node.op


def _layer_name(path: str) -> str:
    """A module path as a Keras layer name: `layer1.0.conv1` -> `layer1_0_conv1`."""
    name = re.sub(r"[^0-9A-Za-z_]", "_", path)
    return f"layer_{name}" if name[:1].isdigit() else name or "layer"


def _flat_outputs(outputs: Any) -> list[Value]:
    if isinstance(outputs, Value):
        return [outputs]
    if isinstance(outputs, list | tuple) and outputs and all(isinstance(v, Value) for v in outputs):
        return list(outputs)
    raise Untranslatable("forward() must return a tensor or a tuple of tensors")


def _result_order(matched: Matched, value: Value, rank: int) -> tuple[int, ...]:
    """The layout of a match's result: its own, channels first or Keras's, or the input's."""
    if matched.order is not None:
        return matched.order
    if matched.channels_first is not None:
        return channels_first_order(rank) if matched.channels_first and rank >= 3 else identity(rank)
    return value.perm if value.rank == rank else identity(rank)


def _resolved(structure: Any, made: list[Value]) -> Any:
    """A match's tail with each LayerOutput as the Value it is."""
    if isinstance(structure, LayerOutput):
        ref = made[structure.layer].ref
        return Value((ref[0], ref[1], structure.index), structure.shape)
    if isinstance(structure, list | tuple):
        return type(structure)(_resolved(item, made) for item in structure)
    return structure


def _endpoints(values: list[Value]) -> Any:
    """A model's inputs or outputs: one reference, or a list of them."""
    refs = [list(v.ref) for v in values]
    return refs[0] if len(refs) == 1 else refs


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


__all__ = ["Imported", "Untraceable", "import_graph", "import_module"]
