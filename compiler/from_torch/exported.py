"""A `torch.export` program file (`.pt2`) as the module-level graph the importer reads.

An exported program holds ATen calls (`aten.conv2d`, `aten.batch_norm`...) over lifted
parameters, each call tagged with the module it came from (`nn_module_stack`). Each call
of a standard module's ATen op becomes that module again, rebuilt from the call's
arguments and the program's tensors and named by its original path, so the state_dict
keys are the original ones; the other calls become the torch functions they are. The
importer then reads it as it reads a traced module. Loading a `.pt2` runs no Python of
the user's: the file holds a graph and tensors."""

from __future__ import annotations

import operator
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .reverse import Untranslatable

Builder = Callable[[list[Any], dict[str, Any]], Any]


def load_program(path: Path) -> tuple[Any, tuple[Any, ...]]:
    """The module-level GraphModule of a `.pt2` file and example inputs of its shapes."""
    import torch

    try:
        program = torch.export.load(str(path))
    except Exception as exc:  # torch raises many kinds for a file that is not a program
        raise Untranslatable(f"{path}: not a torch.export program ({type(exc).__name__}: {exc})") from None
    return rebuild(program)


def rebuild(program: Any) -> tuple[Any, tuple[Any, ...]]:
    """An ExportedProgram as a module-level GraphModule, with example inputs of its shapes."""
    return _Rebuilder(program).build()


class _Rebuilder:
    def __init__(self, program: Any) -> None:
        self.program = program
        signature = program.graph_signature
        self.tensors: dict[str, Any] = {}
        state = program.state_dict
        constants = getattr(program, "constants", {})
        for name, target in {**signature.inputs_to_parameters, **signature.inputs_to_buffers}.items():
            self.tensors[name] = state[target] if target in state else constants[target]
        self.modules: dict[str, Any] = {}
        self.values: dict[Any, Any] = {}

    def build(self) -> tuple[Any, tuple[Any, ...]]:
        import torch
        import torch.fx

        graph = torch.fx.Graph()
        examples = []
        user_inputs = set(self.program.graph_signature.user_inputs)
        for node in self.program.graph.nodes:
            if node.op == "placeholder":
                if node.name in self.tensors:
                    continue
                if node.name not in user_inputs:
                    raise Untranslatable(f"the program's input {node.name!r} is neither a tensor input nor a weight")
                self.values[node] = graph.placeholder(node.name)
                fake = node.meta["val"]
                examples.append(torch.zeros(tuple(fake.shape), dtype=fake.dtype))
            elif node.op == "call_function":
                self.values[node] = self._call(graph, node)
            elif node.op == "output":
                outputs = [self.values[o] for o in node.args[0]]
                graph.output(outputs[0] if len(outputs) == 1 else tuple(outputs))
        module = torch.fx.GraphModule(self.modules, graph)
        return module, tuple(_random_like(x) for x in examples)

    def _call(self, graph: Any, node: Any) -> Any:
        op = str(node.target)
        args = [self._arg(a) for a in node.args]
        kwargs = {k: self._arg(v) for k, v in node.kwargs.items()}
        if op in ATEN_MODULES:
            first = node.args[1] if op == "aten.embedding.default" else node.args[0]
            kwargs["input_rank"] = len(first.meta["val"].shape)  # BatchNorm1d/2d/3d by what it reads
            path = _module_path(node) or node.name
            if path not in self.modules:  # a module called again (its path again) is the same module
                self.modules[path] = ATEN_MODULES[op](args, kwargs)
            return graph.call_module(path, (args[1] if op == "aten.embedding.default" else args[0],))
        if op in ("aten.view.default", "aten.reshape.default") and args[1] and args[1][0] == _batch(node.args[0]):
            # the program holds the batch size it was exported with: the rebuilt module keeps any
            args[1] = [graph.call_method("size", (args[0], 0)), *args[1][1:]]
        if op in ATEN_FUNCTIONS:
            function, arguments = ATEN_FUNCTIONS[op](args, kwargs)
            if isinstance(function, str):
                return graph.call_method(function, tuple(arguments))
            return graph.call_function(function, tuple(arguments))
        where = _module_path(node)
        raise Untranslatable(f"{op}{f' in {where}' if where else ''} has no Keras equivalent in nnspec")

    def _arg(self, value: Any) -> Any:
        import torch.fx

        if isinstance(value, torch.fx.Node):
            if value.name in self.tensors:
                return self.tensors[value.name]
            return self.values[value]
        if isinstance(value, list | tuple):
            return type(value)(self._arg(v) for v in value)
        return value


def _batch(node: Any) -> int | None:
    value = node.meta.get("val") if hasattr(node, "meta") else None
    return int(value.shape[0]) if value is not None and value.dim() else None


def _module_path(node: Any) -> str:
    stack = node.meta.get("nn_module_stack") or {}
    return list(stack.values())[-1][0] if stack else ""


def _random_like(example: Any) -> Any:
    import torch

    if example.dtype.is_floating_point:
        return torch.randn(example.shape, dtype=example.dtype)
    return torch.zeros(example.shape, dtype=example.dtype)


def _at(args: list[Any], index: int, default: Any) -> Any:
    return args[index] if len(args) > index else default


def _parameter(tensor: Any) -> Any:
    import torch

    return None if tensor is None else torch.nn.Parameter(tensor.detach().clone(), requires_grad=False)


def _convolution(transposed: bool) -> Builder:
    """aten.conv{n}d(input, weight, bias, stride, padding, dilation, groups), or
    aten.conv_transpose{n}d(input, weight, bias, stride, padding, output_padding, groups,
    dilation), as the nn module."""

    def build(args: list[Any], kwargs: dict[str, Any]) -> Any:
        import torch

        weight, bias = args[1], _at(args, 2, None)
        n = weight.dim() - 2
        groups = _at(args, 6, 1)
        padding = _at(args, 4, [0] * n)
        options: dict[str, Any] = {"padding": padding if isinstance(padding, str) else tuple(padding)}
        if transposed:
            cls, channels = getattr(torch.nn, f"ConvTranspose{n}d"), (weight.shape[0], weight.shape[1] * groups)
            options |= {"output_padding": tuple(_at(args, 5, [0] * n)), "dilation": tuple(_at(args, 7, [1] * n))}
        else:
            cls, channels = getattr(torch.nn, f"Conv{n}d"), (weight.shape[1] * groups, weight.shape[0])
            options |= {"dilation": tuple(_at(args, 5, [1] * n))}
        stride = tuple(_at(args, 3, [1] * n))
        module = cls(*channels, tuple(weight.shape[2:]), stride=stride, groups=groups, bias=bias is not None, **options)
        module.weight, module.bias = _parameter(weight), _parameter(bias)
        return module

    return build


def _linear(args: list[Any], kwargs: dict[str, Any]) -> Any:
    import torch

    weight, bias = args[1], _at(args, 2, None)
    module = torch.nn.Linear(weight.shape[1], weight.shape[0], bias=bias is not None)
    module.weight, module.bias = _parameter(weight), _parameter(bias)
    return module


def _batch_norm(args: list[Any], kwargs: dict[str, Any]) -> Any:
    import torch

    _, weight, bias, mean, var, training, momentum, eps = args[:8]
    if training:
        raise Untranslatable("a batch_norm exported in training mode (export the module after .eval())")
    cls = getattr(torch.nn, f"BatchNorm{max(kwargs['input_rank'] - 2, 1)}d")
    module = cls(mean.shape[0], eps=eps, momentum=momentum, affine=weight is not None)
    if weight is not None:
        module.weight, module.bias = _parameter(weight), _parameter(bias)
    module.running_mean, module.running_var = mean.detach().clone(), var.detach().clone()
    return module


def _layer_norm(args: list[Any], kwargs: dict[str, Any]) -> Any:
    import torch

    shape, weight, bias, eps = args[1], _at(args, 2, None), _at(args, 3, None), _at(args, 4, 1e-5)
    module = torch.nn.LayerNorm(shape, eps=eps, elementwise_affine=weight is not None, bias=bias is not None)
    if weight is not None:
        module.weight = _parameter(weight)
    if bias is not None:
        module.bias = _parameter(bias)
    return module


def _embedding(args: list[Any], kwargs: dict[str, Any]) -> Any:
    import torch

    weight = args[0]
    module = torch.nn.Embedding(weight.shape[0], weight.shape[1])
    module.weight = _parameter(weight)
    return module


def _pool(kind: str) -> Builder:
    def build(args: list[Any], kwargs: dict[str, Any]) -> Any:
        import torch

        kernel = args[1]
        n = len(kernel)
        stride = _at(args, 2, []) or kernel
        if kind == "max":
            return getattr(torch.nn, f"MaxPool{n}d")(
                kernel, stride, _at(args, 3, 0), _at(args, 4, 1), ceil_mode=_at(args, 5, False)
            )
        return getattr(torch.nn, f"AvgPool{n}d")(
            kernel, stride, _at(args, 3, 0), _at(args, 4, False), _at(args, 5, True), _at(args, 6, None)
        )

    return build


def _adaptive(args: list[Any], kwargs: dict[str, Any]) -> Any:
    import torch

    size = args[1]
    return getattr(torch.nn, f"AdaptiveAvgPool{len(size)}d")(tuple(size))


def _leaky_relu(args: list[Any], kwargs: dict[str, Any]) -> Any:
    import torch

    return torch.nn.LeakyReLU(_at(args, 1, 0.01))


ATEN_MODULES: dict[str, Builder] = {
    **dict.fromkeys(("aten.conv1d.default", "aten.conv2d.default", "aten.conv3d.default"), _convolution(False)),
    **dict.fromkeys(("aten.conv1d.padding", "aten.conv2d.padding", "aten.conv3d.padding"), _convolution(False)),
    **dict.fromkeys(
        ("aten.conv_transpose1d.default", "aten.conv_transpose2d.input", "aten.conv_transpose3d.input"),
        _convolution(True),
    ),
    "aten.linear.default": _linear,
    "aten.batch_norm.default": _batch_norm,
    "aten.layer_norm.default": _layer_norm,
    "aten.embedding.default": _embedding,
    **dict.fromkeys(("aten.max_pool1d.default", "aten.max_pool2d.default", "aten.max_pool3d.default"), _pool("max")),
    **dict.fromkeys(("aten.avg_pool1d.default", "aten.avg_pool2d.default", "aten.avg_pool3d.default"), _pool("avg")),
    **dict.fromkeys(
        ("aten.adaptive_avg_pool1d.default", "aten.adaptive_avg_pool2d.default", "aten.adaptive_avg_pool3d.default"),
        _adaptive,
    ),
    **dict.fromkeys(("aten.leaky_relu.default", "aten.leaky_relu_.default"), _leaky_relu),
}
"""ATen calls that are a standard module's: the module, rebuilt from the call."""


def _function(name: str) -> Callable[[list[Any], dict[str, Any]], tuple[Any, list[Any]]]:
    """An ATen call that is a torch function or method of the same arguments."""

    def call(args: list[Any], kwargs: dict[str, Any]) -> tuple[Any, list[Any]]:
        import torch

        function = getattr(torch, name) if hasattr(torch, name) else getattr(torch.nn.functional, name)
        return function, list(args)

    return call


def _binary(function: Any) -> Callable[[list[Any], dict[str, Any]], tuple[Any, list[Any]]]:
    def call(args: list[Any], kwargs: dict[str, Any]) -> tuple[Any, list[Any]]:
        if kwargs.get("alpha", 1) != 1:
            raise Untranslatable("an add or sub with alpha")
        return function, args[:2]

    return call


def _method(name: str) -> Callable[[list[Any], dict[str, Any]], tuple[Any, list[Any]]]:
    def call(args: list[Any], kwargs: dict[str, Any]) -> tuple[Any, list[Any]]:
        return name, [args[0], *args[1]]

    return call


def _identity(args: list[Any], kwargs: dict[str, Any]) -> tuple[Any, list[Any]]:
    import torch

    return torch.nn.functional.dropout, [args[0], 0.0, False]  # an eval program's dropout: nothing


ATEN_FUNCTIONS: dict[str, Callable[[list[Any], dict[str, Any]], tuple[Any, list[Any]]]] = {
    **{f"aten.{name}.default": _function(name) for name in ("relu", "sigmoid", "tanh", "silu", "hardswish")},
    **{f"aten.{name}_.default": _function(name) for name in ("relu", "sigmoid", "tanh", "silu", "hardswish")},
    "aten.gelu.default": lambda args, kwargs: (
        _function("gelu")(args, kwargs)[0],
        [args[0]] if kwargs.get("approximate", "none") == "none" else _refuse("gelu's tanh approximation"),
    ),
    "aten.softmax.int": lambda args, kwargs: (_function("softmax")(args, kwargs)[0], [args[0], args[1]]),
    "aten.log_softmax.int": lambda args, kwargs: (_function("log_softmax")(args, kwargs)[0], [args[0], args[1]]),
    **dict.fromkeys(("aten.add.Tensor", "aten.add_.Tensor"), _binary(operator.add)),
    **dict.fromkeys(("aten.sub.Tensor", "aten.sub_.Tensor"), _binary(operator.sub)),
    **dict.fromkeys(("aten.mul.Tensor", "aten.mul_.Tensor"), _binary(operator.mul)),
    "aten.cat.default": lambda args, kwargs: (_function("cat")(args, kwargs)[0], [list(args[0]), _at(args, 1, 0)]),
    "aten.flatten.using_ints": _function("flatten"),
    "aten.mean.dim": lambda args, kwargs: ("mean", [args[0], list(args[1]), _at(args, 2, False)]),
    "aten.view.default": _method("view"),
    "aten.reshape.default": _method("reshape"),
    **dict.fromkeys(("aten.dropout.default", "aten.dropout_.default"), _identity),
    "aten.select.int": lambda args, kwargs: (operator.getitem, [args[0], _key(args[1], args[2])]),
    "aten.slice.Tensor": lambda args, kwargs: (
        operator.getitem,
        [args[0], _key(_at(args, 1, 0), slice(_end(_at(args, 2, None)), _end(_at(args, 3, None)), _at(args, 4, 1)))],
    ),
}
"""ATen calls that are torch functions (or tensor methods, named by a string)."""


def _key(dim: int, item: Any) -> tuple[Any, ...]:
    """`x[:, ..., item]` with `item` at `dim`, as a getitem key."""
    return (*[slice(None)] * dim, item)


def _end(bound: Any) -> Any:
    """A slice bound; torch.export writes an open end as the largest int64."""
    return None if bound is None or bound >= 2**63 - 1 else bound


def _refuse(what: str) -> Any:
    raise Untranslatable(f"{what} has no Keras equivalent")
