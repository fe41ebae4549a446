"""From a ModelSpec to a checked graph: calls resolved and ordered, every shape
inferred and every parameter counted, or every problem found reported together."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .errors import PathPart, Problem, ProblemList, count_text, did_you_mean
from .layers.base import NO_PARAMS, LayerConfig, ParamCount, Shape, ShapeError, WeightSpec, show
from .model import CallNode, FunctionalSpec, SequentialSpec, TensorRef, flatten_refs

Loc = tuple[PathPart, ...]
Where = Callable[[Loc], str]
CallKey = tuple[str, int]
"""(layer name, call index): one call of a layer."""

DEFAULT_MAX_PARAMS = 2_000_000_000


@dataclass(frozen=True)
class Call:
    """One call of a layer: what it was called on and what came out."""

    layer: str
    index: int
    inputs: tuple[TensorRef, ...]
    input_shapes: tuple[Shape, ...]
    output_shapes: tuple[Shape, ...]
    keywords: tuple[tuple[str, TensorRef], ...] = ()
    """Tensors of the graph given to the call by keyword: a mask (Keras 3 writes masks
    so), MultiHeadAttention's attention_mask."""

    @property
    def mask(self) -> TensorRef | None:
        return dict(self.keywords).get("mask")

    @property
    def attention_mask(self) -> TensorRef | None:
        return dict(self.keywords).get("attention_mask")

    def reads(self) -> tuple[TensorRef, ...]:
        """Every tensor the call reads: its inputs, then its keyword tensors."""
        return (*self.inputs, *(ref for _, ref in self.keywords))


@dataclass
class LayerInfo:
    """A layer of a model, with its calls, its parameters and (for a nested model) its graph."""

    name: str
    kind: str
    entry: Any
    loc: Loc
    calls: list[Call] = field(default_factory=list)
    params: ParamCount = NO_PARAMS
    weights: list[WeightSpec] = field(default_factory=list)
    """Its own weights, in Keras's order (a nested model's are in `inner`)."""
    inner: Graph | None = None

    @property
    def output_shapes(self) -> tuple[Shape, ...]:
        """The last call's outputs, which is what Keras's summary shows."""
        return self.calls[-1].output_shapes if self.calls else ()

    def record(self, call: Call) -> None:
        """Keep calls in the order of their index (inbound_nodes), whatever order the
        graph reached them in: a shared layer's call 1 may be computed before call 0."""
        self.calls.append(call)
        self.calls.sort(key=lambda c: c.index)

    def call(self, index: int) -> Call:
        return next(c for c in self.calls if c.index == index)


@dataclass
class Graph:
    """A validated model: layers in spec order, calls in execution order."""

    name: str
    kind: str
    layers: list[LayerInfo]
    calls: list[Call]
    input_shapes: list[Shape]
    output_shapes: list[Shape]
    params: ParamCount
    input_refs: list[TensorRef] = field(default_factory=list)
    """The model's inputs; empty for a Sequential model without an InputLayer (its first
    layer takes the argument)."""
    input_dtypes: list[str] = field(default_factory=list)
    """Each input's dtype, its InputLayer's (float32 where it has none)."""

    def layer(self, name: str) -> LayerInfo:
        return self._by_name[name]

    @cached_property
    def _by_name(self) -> dict[str, LayerInfo]:
        """Layers by name: the lowering asks for each layer several times (a scan of the
        list each time made generating 10,000 layers take 6 s, 100,000 hours)."""
        return {info.name: info for info in self.layers}


@dataclass(frozen=True)
class ModelWeight:
    """A weight of a model: the layers it lies in (nested models first) and what it is."""

    layers: tuple[str, ...]
    weight: WeightSpec
    kind: str
    """The class_name of the layer holding it."""

    @property
    def path(self) -> str:
        """Keras's path of the weight within the model: 'block/dense/kernel'."""
        return "/".join((*self.layers, self.weight.name))


def model_weights(graph: Graph, within: tuple[str, ...] = ()) -> list[ModelWeight]:
    """Every weight of a model, layer by layer in the spec's order, each as declared by
    its kind: what a Keras model of this graph holds, known without building one."""
    out = []
    for info in graph.layers:
        path = (*within, info.name)
        if info.inner is not None:
            out += model_weights(info.inner, path)
        out += [ModelWeight(path, weight, info.kind) for weight in info.weights]
    return out


def index_bounds(graph: Graph) -> list[int | None]:
    """For each model input that a layer reads as indices (an Embedding's), how many
    indices there are (the least bound among its readers); None for other inputs. What
    sample inputs draw from."""
    out: list[int | None] = []
    for position in range(len(graph.input_shapes)):
        ref = graph.input_refs[position] if graph.input_refs else None
        readers = [c for c in graph.calls if c.inputs and ref in c.inputs] if ref else graph.calls[:1]
        bounds = [bound for c in readers if (bound := _index_bound(graph.layer(c.layer))) is not None]
        out.append(min(bounds) if bounds else None)
    return out


def _index_bound(info: LayerInfo) -> int | None:
    config = getattr(info.entry, "config", None)
    return config.index_bound() if isinstance(config, LayerConfig) else None


@dataclass(frozen=True)
class FailedLayer:
    """Stands in for a layer entry that failed validation, so that the rest of its model
    can still be checked: its name and its calls' references take part in the name,
    reference and cycle checks; nothing is inferred for it or downstream of it."""

    name: str | None
    class_name: str | None
    inbound_nodes: list[CallNode] | None
    """None where they could not be read either."""


def analyze(
    spec: SequentialSpec | FunctionalSpec,
    where: Where | None = None,
    max_params: int = DEFAULT_MAX_PARAMS,
) -> Graph:
    """Check the model and infer every shape and count. Raises SpecError."""
    graph, problems = _build(spec, where, max_params)
    problems.raise_if_any()
    assert graph is not None
    return graph


def graph_problems(
    spec: SequentialSpec | FunctionalSpec, where: Where | None = None, max_params: int = DEFAULT_MAX_PARAMS
) -> list[Problem]:
    """What analyze would report, for a model that may hold FailedLayers."""
    return _build(spec, where, max_params)[1].items


def _build(
    spec: SequentialSpec | FunctionalSpec, where: Where | None, max_params: int
) -> tuple[Graph | None, ProblemList]:
    problems = ProblemList()
    builder = _Builder(problems, where or _plain_where)
    graph = builder.model(spec, (), None)
    if graph is not None and graph.params.total > max_params:
        problems.add(
            builder.where(()),
            "model is too large",
            received=count_text(graph.params.total, "parameters"),
            expected=f"at most {max_params:,}",
            hint="raise the limit with --max-params if this is intended",
        )
    return graph, problems


def _plain_where(loc: Loc) -> str:
    from .errors import format_path

    return format_path(loc)


class _Builder:
    def __init__(self, problems: ProblemList, where: Where) -> None:
        self.problems = problems
        self.where = where

    def fail(self, loc: Loc, message: str, **details: str | None) -> None:
        self.problems.add(self.where(loc), message, **details)

    def model(self, spec: Any, loc: Loc, call_shapes: Sequence[Shape] | None) -> Graph | None:
        if isinstance(spec, SequentialSpec):
            return self.sequential(spec, loc, call_shapes)
        return self.functional(spec, loc, call_shapes)

    # -- Sequential ---------------------------------------------------------------

    def sequential(self, spec: SequentialSpec, loc: Loc, call_shapes: Sequence[Shape] | None) -> Graph | None:
        entries = spec.config.layers
        layers_loc = (*loc, "config", "layers")
        self._unique_names(entries, layers_loc)
        infos: list[LayerInfo] = []
        first = entries[0] if entries else None
        if isinstance(first, FailedLayer):
            return None  # no input shape to start from
        if first is not None and first.class_name == "InputLayer":
            shape: Shape | None = first.config.shape
            if call_shapes is not None:
                self._check_call_fits(spec.config.name, [shape], call_shapes, loc)
            entries = entries[1:]
            offset = 1
        elif call_shapes is not None and len(call_shapes) == 1:
            shape, offset = call_shapes[0], 0
        else:
            self.fail(
                layers_loc,
                f"Sequential model {spec.config.name!r} has no input shape",
                hint="start it with an InputLayer (batch_shape: [null, 4]) or give its first layer batch_input_shape",
            )
            return None
        if not entries:
            self.fail(layers_loc, f"Sequential model {spec.config.name!r} has no layers")
            return None
        input_shape = shape
        calls: list[Call] = []
        previous = spec.config.layers[0].name if offset else None
        for index, entry in enumerate(entries, start=offset):
            at = (*layers_loc, index)
            if isinstance(entry, FailedLayer):
                return None  # its output shape is unknown, and so is every shape after it
            if entry.class_name == "InputLayer":
                self.fail((*at, "class_name"), "an InputLayer can only be a Sequential model's first layer")
                return None
            if entry.inbound_nodes:
                self.fail((*at, "inbound_nodes"), "layers of a Sequential model take no inbound_nodes")
            info = LayerInfo(entry.name, entry.class_name, entry, at)
            inputs: tuple[TensorRef, ...] = ((previous, 0, 0),) if previous else ()
            outputs = self.apply(info, [shape], inputs)  # type: ignore[list-item]
            infos.append(info)
            if outputs is None:
                return None
            calls.extend(info.calls)
            if len(outputs) != 1:
                self.fail(at, f"layer {entry.name!r} has {len(outputs)} outputs; a Sequential layer must have one")
                return None
            shape, previous = outputs[0], entry.name
        params = _total(infos, spec.config.trainable)
        refs = [(spec.config.layers[0].name, 0, 0)] if offset else []
        dtypes = [spec.config.layers[0].config.dtype if offset else "float32"]
        return Graph(spec.config.name, "Sequential", infos, calls, [input_shape], [shape], params, refs, dtypes)  # type: ignore[list-item]

    # -- Functional ---------------------------------------------------------------

    def functional(self, spec: FunctionalSpec, loc: Loc, call_shapes: Sequence[Shape] | None) -> Graph | None:
        config = spec.config
        layers_loc = (*loc, "config", "layers")
        if not self._unique_names(config.layers, layers_loc):
            return None
        by_name = {entry.name: (i, entry) for i, entry in enumerate(config.layers) if entry.name is not None}
        infos = {
            entry.name: LayerInfo(entry.name, entry.class_name, entry, (*layers_loc, i))
            for i, entry in enumerate(config.layers)
            if not isinstance(entry, FailedLayer)
        }
        failed = any(isinstance(entry, FailedLayer) for entry in config.layers)
        broken = self._check_refs(config.layers, by_name, layers_loc)
        input_refs = self._endpoints(config.input_layers, by_name, (*loc, "config", "input_layers"), inputs=True)
        output_refs = self._endpoints(config.output_layers, by_name, (*loc, "config", "output_layers"), inputs=False)
        order = self._order(config.layers, layers_loc, broken)
        if order is None or input_refs is None:
            return None
        model_inputs = {ref[0] for ref in input_refs}
        shapes: dict[tuple[str, int], tuple[Shape, ...]] = {}
        calls: list[Call] = []
        for name, call_index in order:
            entry = by_name[name][1]
            info = infos[name]
            if entry.class_name == "InputLayer":
                if name not in model_inputs:
                    self.fail(info.loc, f"InputLayer {name!r} is not among the model's input_layers")
                    broken.add((name, 0))
                    continue
                self.apply(info, [], ())
                shapes[(name, 0)] = info.calls[-1].output_shapes
                calls.extend(info.calls[-1:])
                continue
            node = entry.inbound_nodes[call_index]
            refs = node.refs()
            if any((r[0], r[1]) in broken for r in node.dependencies()):
                broken.add((name, call_index))
                continue
            if getattr(entry.config, "merges", False) and _one_tensor(node.inputs):
                self.fail(
                    (*info.loc, "inbound_nodes", call_index),
                    f"{entry.class_name} layer {name!r} is called on one tensor; a merge layer takes a list",
                    hint="write the inputs as a list, even of one: [[name, 0, 0]]",
                )
                broken.add((name, call_index))
                continue
            in_shapes = []
            for position, ref in enumerate(refs):
                produced = shapes[(ref[0], ref[1])]
                if ref[2] >= len(produced):
                    self.fail(
                        (*info.loc, "inbound_nodes", call_index),
                        f"input {position} refers to output {ref[2]} of {ref[0]!r}, "
                        f"which has {len(produced)} output(s)",
                        received=repr(list(ref)),
                    )
                    broken.add((name, call_index))
                    break
                in_shapes.append(produced[ref[2]])
            else:
                keywords = tuple(node.kwargs.tensors().items())
                given = {key: _produced(shapes, ref) for key, ref in keywords}
                if None in given.values():
                    key = next(k for k, shape in given.items() if shape is None)
                    self.fail(
                        (*info.loc, "inbound_nodes", call_index, "kwargs", key),
                        f"{key} refers to an output of {dict(keywords)[key][0]!r} that it does not have",
                        received=repr(list(dict(keywords)[key])),
                    )
                    broken.add((name, call_index))
                    continue
                outputs = self.apply(info, in_shapes, tuple(refs), call_index, keywords, given)  # type: ignore[arg-type]
                if outputs is None:
                    broken.add((name, call_index))
                    continue
                shapes[(name, call_index)] = outputs
                calls.append(info.call(call_index))
        if broken or failed or output_refs is None:
            return None
        input_shapes = [shapes[(r[0], r[1])][r[2]] for r in input_refs]
        if call_shapes is not None:
            self._check_call_fits(config.name, input_shapes, call_shapes, loc)
        output_shapes = []
        for ref in output_refs:
            produced = shapes.get((ref[0], ref[1]))
            if produced is None:
                self.fail(
                    (*loc, "config", "output_layers"), f"output {list(ref)} is not computed from the model's inputs"
                )
                return None
            if ref[2] >= len(produced):
                self.fail(
                    (*loc, "config", "output_layers"), f"{ref[0]!r} has no output {ref[2]}", received=repr(list(ref))
                )
                return None
            output_shapes.append(produced[ref[2]])
        if not self._all_lead_to_outputs(config.layers, output_refs, infos):
            return None
        used = [infos[entry.name] for entry in config.layers if infos[entry.name].calls]
        params = _total(used, config.trainable)
        dtypes = [by_name[ref[0]][1].config.dtype for ref in input_refs]
        return Graph(config.name, "Functional", used, calls, input_shapes, output_shapes, params, input_refs, dtypes)

    def _all_lead_to_outputs(
        self, entries: Sequence[Any], output_refs: list[TensorRef], infos: dict[str, LayerInfo]
    ) -> bool:
        """Keras builds a functional model from its outputs back: a call that reaches
        no output is not part of the model. Say so rather than count it."""
        entry_of = {entry.name: entry for entry in entries}
        needed: set[tuple[str, int]] = set()
        waiting = [(ref[0], ref[1]) for ref in output_refs]
        while waiting:
            key = waiting.pop()
            if key in needed:
                continue
            needed.add(key)
            entry = entry_of[key[0]]
            if entry.class_name != "InputLayer":
                waiting.extend((r[0], r[1]) for r in entry.inbound_nodes[key[1]].dependencies())
        ok = True
        for entry in entries:
            if entry.class_name == "InputLayer":
                continue
            for n in range(len(entry.inbound_nodes)):
                if (entry.name, n) not in needed:
                    self.fail(
                        (*infos[entry.name].loc, "inbound_nodes", n),
                        f"layer {entry.name!r} (call {n}) does not lead to any of the model's outputs",
                        hint="connect it to an output or remove it: Keras would leave it out of the model",
                    )
                    ok = False
        return ok

    def _unique_names(self, entries: Sequence[Any], layers_loc: Loc) -> bool:
        seen: dict[str, int] = {}
        ok = True
        for i, entry in enumerate(entries):
            if entry.name is None:
                continue  # a FailedLayer whose name could not be read
            if entry.name in seen:
                self.fail(
                    (*layers_loc, i, "config", "name"),
                    f"duplicate layer name {entry.name!r} (also layer {seen[entry.name]})",
                    hint="every layer in a model needs its own name",
                )
                ok = False
            seen.setdefault(entry.name, i)
        return ok

    def _check_refs(
        self, entries: Sequence[Any], by_name: dict[str, tuple[int, Any]], layers_loc: Loc
    ) -> set[tuple[str, int]]:
        """Calls whose references are bad, each reported."""
        broken: set[tuple[str, int]] = set()
        for i, entry in enumerate(entries):
            at = (*layers_loc, i)
            if isinstance(entry, FailedLayer):  # only its references can be checked
                for n, node in enumerate(entry.inbound_nodes or ()):
                    for ref in node.dependencies():
                        self._check_ref(ref, by_name, (*at, "inbound_nodes", n, "inputs"))
                continue
            if entry.class_name == "InputLayer":
                if entry.inbound_nodes:
                    self.fail(
                        (*at, "inbound_nodes"), "an InputLayer is not called on anything; remove its inbound_nodes"
                    )
                    broken.add((entry.name, 0))
                continue
            if not entry.inbound_nodes:
                self.fail(
                    (*at, "inbound_nodes"),
                    f"layer {entry.name!r} is never called",
                    hint="give it inbound_nodes (or `inputs:`) or remove it",
                )
            for n, node in enumerate(entry.inbound_nodes):
                for ref in node.dependencies():
                    if not self._check_ref(ref, by_name, (*at, "inbound_nodes", n, "inputs")):
                        broken.add((entry.name, n))
        return broken

    def _check_ref(self, ref: TensorRef, by_name: dict[str, tuple[int, Any]], at: Loc) -> bool:
        name, node_index, _ = ref
        if name not in by_name:
            self.fail(
                at,
                f"refers to unknown layer {name!r}",
                received=repr(list(ref)),
                hint=did_you_mean(name, by_name) or "check the layer names",
            )
            return False
        calls = _call_count(by_name[name][1])
        if calls is not None and node_index >= calls:
            self.fail(
                at,
                f"refers to call {node_index} of {name!r}, which is called {calls} time(s)",
                received=repr(list(ref)),
                hint="call (node) indices count from 0",
            )
            return False
        return True

    def _endpoints(
        self, structure: Any, by_name: dict[str, tuple[int, Any]], at: Loc, inputs: bool
    ) -> list[TensorRef] | None:
        refs = flatten_refs(structure)
        ok = bool(refs)
        if not refs:
            self.fail(at, "a model needs at least one " + ("input" if inputs else "output"))
        seen: set[str] = set()
        keys = list(structure) if isinstance(structure, dict) else range(len(refs))
        for key, ref in zip(keys, refs, strict=True):
            if not self._check_ref(ref, by_name, at):
                ok = False
            elif inputs and _known_non_input(by_name[ref[0]][1]):
                self.fail(at, f"model input {ref[0]!r} is not an InputLayer", received=repr(list(ref)))
                ok = False
            elif inputs and ref[2] != 0:  # an InputLayer has one output
                self.fail(
                    (*at, key) if len(refs) > 1 else at,
                    f"model input {ref[0]!r} has one output, 0; received output {ref[2]}",
                    received=repr(list(ref)),
                    hint=f"write [{ref[0]!r}, 0, 0]",
                )
                ok = False
            elif inputs and ref[0] in seen:
                # Keras builds it and feeds the last array given to both places: never what was meant
                self.fail(
                    (*at, key) if len(refs) > 1 else at,
                    f"model input {ref[0]!r} is listed twice; a model takes each input once",
                    hint="list each InputLayer once in input_layers",
                )
                ok = False
            seen.add(ref[0])
        return refs if ok else None

    def _order(
        self, entries: Sequence[Any], layers_loc: Loc, broken: set[tuple[str, int]]
    ) -> list[tuple[str, int]] | None:
        """Kahn's algorithm over calls; what is left over lies on a cycle. Then calls with
        bad references are left out, and so is everything downstream of them.
        Linear in calls and references: a 10,000-layer chain must not take n^2 steps."""
        deps: dict[CallKey, set[CallKey]] = {}
        for entry in entries:
            if isinstance(entry, FailedLayer):
                continue  # its calls are missing: whatever needs them is dropped below
            if entry.class_name == "InputLayer":
                deps[(entry.name, 0)] = set()
                continue
            for n, node in enumerate(entry.inbound_nodes):
                if (entry.name, n) not in broken:
                    deps[(entry.name, n)] = {(r[0], r[1]) for r in node.dependencies()}
        users: dict[CallKey, list[CallKey]] = {key: [] for key in deps}
        for key, needs in deps.items():
            for need in needs:
                if need in users:
                    users[need].append(key)
        # a missing call (a bad reference's, a FailedLayer's) must not hide a cycle through the others
        waiting = {key: sum(need in deps for need in needs) for key, needs in deps.items()}
        ready = deque(key for key, count in waiting.items() if count == 0)
        order = []
        while ready:
            key = ready.popleft()
            order.append(key)
            for user in users[key]:
                waiting[user] -= 1
                if waiting[user] == 0:
                    ready.append(user)
        if len(order) < len(deps):
            stuck = sorted({key[0] for key, count in waiting.items() if count > 0})
            position = {entry.name: i for i, entry in enumerate(entries)}
            self.fail(
                (*layers_loc, position[stuck[0]], "inbound_nodes"),
                f"the graph has a cycle through layers {', '.join(repr(s) for s in stuck)}",
                hint="a layer cannot depend on its own output",
            )
            return None
        doomed = [key for key, needs in deps.items() if key in broken or any(need not in deps for need in needs)]
        while doomed:  # what cannot be computed: those, and every call downstream of them
            key = doomed.pop()
            if deps.pop(key, None) is not None:
                broken.add(key)
                doomed.extend(users[key])
        return [key for key in order if key in deps]

    # -- one layer, one call ------------------------------------------------------

    def apply(
        self,
        info: LayerInfo,
        in_shapes: Sequence[Shape],
        refs: tuple[TensorRef, ...],
        call_index: int = 0,
        keywords: tuple[tuple[str, TensorRef], ...] = (),
        keyword_shapes: dict[str, Shape] | None = None,
    ) -> tuple[Shape, ...] | None:
        entry = info.entry
        where = info.loc if not refs else (*info.loc, "inbound_nodes", call_index) if entry.inbound_nodes else info.loc
        if isinstance(entry, SequentialSpec | FunctionalSpec):
            return self._apply_model(info, in_shapes, refs, where, call_index)
        config = entry.config
        # an operation (`x + y`) takes its tensors positionally and checks their count itself
        several = config.merges or config.positional or getattr(config, "operation", False)
        if not several and len(in_shapes) > 1:
            self.fail(where, f"{info.kind} layer {info.name!r} takes one input, but is called on {len(in_shapes)}")
            return None
        try:
            outs = config.output_shapes(in_shapes)
            config.check_keyword_tensors(in_shapes, keyword_shapes or {})
            weights = config.weights(in_shapes)
        except ShapeError as exc:
            self.fail(where, f"{info.kind} layer {info.name!r}: {exc}", received=_describe_inputs(refs, in_shapes))
            return None
        params = ParamCount.of(weights)
        if info.calls and [w.shape for w in weights] != [w.shape for w in info.weights]:
            first = info.calls[0]
            self.fail(
                where,
                f"shared layer {info.name!r} is called on {_describe_inputs(refs, in_shapes)}, "
                f"but its weights were made for {_describe_inputs(first.inputs, first.input_shapes)}",
            )
            return None
        if not info.calls:
            info.weights, info.params = weights, params
        info.record(Call(info.name, call_index, refs, tuple(in_shapes), outs, keywords))
        return outs

    def _apply_model(
        self, info: LayerInfo, in_shapes: Sequence[Shape], refs: tuple[TensorRef, ...], where: Loc, call_index: int
    ) -> tuple[Shape, ...] | None:
        if info.inner is None:
            info.inner = self.model(info.entry, info.loc, in_shapes)
            if info.inner is None:
                return None
            info.params = info.inner.params
        else:
            self._check_call_fits(info.name, info.inner.input_shapes, in_shapes, where)
        outputs = tuple(info.inner.output_shapes)
        info.record(Call(info.name, call_index, refs, tuple(in_shapes), outputs))
        return outputs

    def _check_call_fits(self, name: str, expected: Sequence[Shape], given: Sequence[Shape], at: Loc) -> None:
        if len(expected) != len(given):
            self.fail(at, f"model {name!r} takes {len(expected)} input(s) but is called on {len(given)}")
            return
        for want, got in zip(expected, given, strict=True):
            fits = len(want) == len(got) and all(
                a is None or b is None or a == b for a, b in zip(want, got, strict=True)
            )
            if not fits:
                self.fail(at, f"model {name!r} expects an input of shape {show(want)}, but is called on {show(got)}")


def _call_count(entry: Any) -> int | None:
    """How many times a layer is called; None where that is unknown (a FailedLayer's)."""
    if isinstance(entry, FailedLayer) and entry.inbound_nodes is None:
        return None
    return 1 if entry.class_name == "InputLayer" else len(entry.inbound_nodes)


def _known_non_input(entry: Any) -> bool:
    return not isinstance(entry, FailedLayer) and entry.class_name != "InputLayer"


def _one_tensor(structure: Any) -> bool:
    """A call on one tensor, [name, node, index], rather than a list or dict of them."""
    return isinstance(structure, list | tuple) and bool(structure) and isinstance(structure[0], str)


def _describe_inputs(refs: Sequence[TensorRef], shapes: Sequence[Shape]) -> str:
    if not refs:
        return ", ".join(show(s) for s in shapes)
    return ", ".join(f"{r[0]} {show(s)}" for r, s in zip(refs, shapes, strict=False))


def _total(infos: Sequence[LayerInfo], trainable: bool) -> ParamCount:
    total = NO_PARAMS
    for info in infos:
        total = total + info.params
    return total if trainable else total.frozen()


def _produced(shapes: dict[tuple[str, int], tuple[Shape, ...]], ref: TensorRef) -> Shape | None:
    """The shape of a tensor a call reads, or None where its producer has no such output."""
    produced = shapes[(ref[0], ref[1])]
    return produced[ref[2]] if ref[2] < len(produced) else None
