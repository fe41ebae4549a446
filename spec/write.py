"""Write a spec back out: canonical YAML/JSON (compact, defaults left out) or the
Keras 3 JSON that `keras.models.model_from_json` reads."""

from __future__ import annotations

import json
from typing import Any

from .base import KerasObject, snake_case
from .errors import SpecError
from .graph import Graph, LayerInfo
from .layers.activations import ActivationLayerObject
from .layers.base import LayerObject
from .layers.operations import ELLIPSIS, ArrayConstant, OperationConfig, Slice, Tensor
from .model import CallNode, FunctionalSpec, LayerEntry, SequentialSpec, TensorRef
from .summary import DTYPE_BYTES  # noqa: F401  (keeps dtype knowledge in one place)
from .training import METRIC_CLASSES, METRIC_OPTIONS

OBJECT_SUFFIXES = ("_initializer", "_regularizer", "_constraint")
OPTIONAL_KERAS_FIELDS = {"activity_regularizer", "lora_rank", "lora_alpha"}
"""Fields Keras accepts but writes only when set."""

# -- canonical ------------------------------------------------------------------


def to_canonical(spec: SequentialSpec | FunctionalSpec) -> dict[str, Any]:
    """The spec as nnspec writes it: Keras's structure, defaults left out."""
    data = spec.model_dump(mode="json", exclude_defaults=True)
    return _compact(data)


def _compact(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        if key.endswith(OBJECT_SUFFIXES) and set(value) == {"class_name", "config"} and not value["config"]:
            return snake_case(value["class_name"])  # an object with its defaults reads best as a name
        first = [k for k in ("class_name", "config") if k in value]
        ordered = first + [k for k in value if k not in first]
        return {k: _compact(value[k], k) for k in ordered}
    if isinstance(value, list):
        return [_compact(v, key) for v in value]
    return value


def dump_yaml(data: Any) -> str:
    import yaml  # only here: JSON output needs no YAML (~10 ms to import)

    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=None, width=100)


def dump_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# -- Keras 3 JSON ---------------------------------------------------------------


def to_keras_json(spec: SequentialSpec | FunctionalSpec, graph: Graph) -> dict[str, Any]:
    """The dict Keras 3's `model.to_json()` would write for this model."""
    out = _keras_model(spec, graph)
    if spec.compile_config is not None:
        out["compile_config"] = _keras_compile(spec.compile_config)
    return out


def _keras_model(spec: SequentialSpec | FunctionalSpec, graph: Graph) -> dict[str, Any]:
    config: dict[str, Any] = {"name": spec.config.name, "trainable": spec.config.trainable}
    if spec.config.dtype is not None:
        config["dtype"] = _policy(spec.config.dtype)
    infos = {info.name: info for info in graph.layers}
    functional = isinstance(spec, FunctionalSpec)
    layers = []
    for entry in spec.config.layers:
        info = infos.get(entry.name)
        if info is None:  # an InputLayer of a Sequential; it is not a graph layer
            layers.append(_keras_layer(entry, None, functional))
            continue
        layers.append(_keras_layer(entry, info, functional))
    config["layers"] = layers
    if isinstance(spec, FunctionalSpec):
        config["input_layers"] = _structure(spec.config.input_layers)
        config["output_layers"] = _structure(spec.config.output_layers)
    return {
        "module": "keras.src.models.functional" if functional else "keras",
        "class_name": spec.class_name,
        "config": config,
        "registered_name": None,
    }


def _keras_layer(entry: Any, info: LayerInfo | None, functional: bool) -> dict[str, Any]:
    if isinstance(getattr(entry, "config", None), OperationConfig):
        return _keras_operation(entry, info)
    if isinstance(entry, SequentialSpec | FunctionalSpec):
        assert info is not None and info.inner is not None
        out = _keras_model(entry, info.inner)
    else:
        out = {
            "module": entry.config.keras_module,
            "class_name": entry.class_name,
            "config": _keras_config(entry),
            "registered_name": None,
        }
        if info is not None and info.calls and info.calls[0].input_shapes:
            shapes = [list(s) for s in info.calls[0].input_shapes]
            out["build_config"] = _build_config(entry.config, shapes)
    if functional:
        out["name"] = entry.name
        out["inbound_nodes"] = [_keras_node(node, entry, info, i) for i, node in enumerate(entry.inbound_nodes)]
    return out


def _build_config(config: Any, shapes: list[list[Any]]) -> dict[str, Any]:
    """What Keras records to build the layer again: its input shape(s), or for a layer
    called on tensors as arguments (MultiHeadAttention), each argument's shape by name."""
    if config.positional:
        names = ("query_shape", "value_shape", "key_shape")
        return {"shapes_dict": dict(zip(names, shapes, strict=False))}
    return {"input_shape": shapes[0] if len(shapes) == 1 and not config.merges else shapes}


def _keras_config(entry: LayerEntry) -> dict[str, Any]:
    config = entry.config
    data = config.model_dump(mode="json")
    fields = type(config).model_fields
    for key in list(data):
        if key in OPTIONAL_KERAS_FIELDS and getattr(config, key) == fields[key].default:
            del data[key]
    if entry.class_name == "InputLayer":
        data.pop("trainable", None)
        return data
    data["dtype"] = _policy(data["dtype"])
    for key, value in list(data.items()):
        if key.endswith(OBJECT_SUFFIXES) and isinstance(value, dict):
            data[key] = _module_object(value, "keras." + key.rsplit("_", 1)[1] + "s")
        elif key == "activation":
            data[key] = _keras_activation(getattr(config, key), config.name)
        elif isinstance(getattr(config, key), LayerObject):
            data[key] = _keras_object(getattr(config, key))
    return data


def _keras_object(value: Any) -> dict[str, Any]:
    """A layer given as another layer's field, as Keras serialises it."""
    return {
        "module": "keras.layers",
        "class_name": value.class_name,
        "config": _keras_config(value),
        "registered_name": None,
    }


def _keras_activation(value: Any, layer: str) -> Any:
    if isinstance(value, ActivationLayerObject):
        return _keras_object(value)
    from .activations import ACTIVATIONS

    name = ACTIVATIONS[value].keras
    if name is None:
        raise SpecError.at(
            layer,
            f"activation {value!r} has no Keras 3 equivalent",
            hint=ACTIVATIONS[value].note,
        )
    return name


def _keras_node(node: CallNode, entry: Any, info: LayerInfo | None, index: int) -> dict[str, Any]:
    call = info.calls[index] if info is not None and index < len(info.calls) else None
    shapes = dict(zip(node.refs(), call.input_shapes, strict=False)) if call else {}

    def tensor(ref: TensorRef) -> dict[str, Any]:
        shape = shapes.get(tuple(ref))  # type: ignore[arg-type]
        return {
            "class_name": "__keras_tensor__",
            "config": {"shape": list(shape) if shape else None, "dtype": "float32", "keras_history": list(ref)},
        }

    inputs = node.inputs
    if isinstance(inputs, dict):
        args: Any = {k: tensor(v) for k, v in inputs.items()}
    elif inputs and isinstance(inputs[0], str):
        args = tensor(inputs)  # type: ignore[arg-type]
    else:
        args = [tensor(r) for r in inputs]  # type: ignore[union-attr]
    kwargs = node.kwargs.model_dump(exclude_defaults=True)
    for key, ref in node.kwargs.tensors().items():
        kwargs[key] = tensor(ref)
    if isinstance(entry, SequentialSpec | FunctionalSpec):
        kwargs.setdefault("mask", None)
    if getattr(entry.config, "positional", False):  # mha(query, value): each tensor an argument
        return {"args": args, "kwargs": kwargs}
    return {"args": [args], "kwargs": kwargs}


def _keras_operation(entry: LayerEntry, info: LayerInfo | None) -> dict[str, Any]:
    """An operation node as Keras 3 writes it: its class and module, its own config, and
    each call's arguments with the constants inline (`[tensor, 2.0]`)."""
    config: OperationConfig = entry.config  # type: ignore[assignment]
    nodes = []
    for index, node in enumerate(entry.inbound_nodes):
        call = info.calls[index] if info is not None and index < len(info.calls) else None
        shapes = dict(zip(node.refs(), call.input_shapes, strict=False)) if call else {}
        tensors = [_keras_tensor(ref, shapes.get(tuple(ref))) for ref in node.refs()]  # type: ignore[arg-type]
        args, kwargs = config.keras_arguments(len(tensors))
        nodes.append({"args": _keras_argument(args, tensors), "kwargs": _keras_argument(kwargs, tensors)})
    return {
        "module": config.keras_module,
        "class_name": config.keras_class,
        "config": config.keras_config(),
        "registered_name": config.keras_class,
        "name": entry.name,
        "inbound_nodes": nodes,
    }


def _keras_tensor(ref: TensorRef, shape: Any) -> dict[str, Any]:
    return {
        "class_name": "__keras_tensor__",
        "config": {"shape": list(shape) if shape else None, "dtype": "float32", "keras_history": list(ref)},
    }


def _keras_argument(value: Any, tensors: list[dict[str, Any]]) -> Any:
    """An operation's argument as Keras 3 serialises it."""
    if isinstance(value, Tensor):
        return tensors[value.index]
    if isinstance(value, ArrayConstant):
        return {"class_name": "__numpy__", "config": {"value": value.value, "dtype": value.dtype}}
    if isinstance(value, Slice):
        return {"class_name": "__slice__", "config": {"start": value.start, "stop": value.stop, "step": value.step}}
    if isinstance(value, str) and value == ELLIPSIS:
        return {"class_name": "__ellipsis__", "config": {}}
    if isinstance(value, list | tuple):
        return [_keras_argument(v, tensors) for v in value]
    if isinstance(value, dict):
        return {k: _keras_argument(v, tensors) for k, v in value.items()}
    return value


def _structure(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: list(v) for k, v in value.items()}
    if value and isinstance(value[0], str):
        return list(value)
    return [list(v) for v in value]


def _policy(name: str) -> dict[str, Any]:
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": name}, "registered_name": None}


def _module_object(value: dict[str, Any], module: str) -> dict[str, Any]:
    return {"module": module, "class_name": value["class_name"], "config": value["config"], "registered_name": None}


def _keras_compile(config: Any) -> dict[str, Any]:
    data = config.model_dump(mode="json")
    optimizer = config.optimizer
    opt = _object_dict(optimizer)
    if isinstance(opt["config"].get("learning_rate"), dict):
        schedule = opt["config"]["learning_rate"]
        if schedule["config"].get("name") is None:  # Keras refuses name=None for a schedule
            schedule["config"].pop("name", None)
        opt["config"]["learning_rate"] = _module_object(schedule, "keras.optimizers.schedules")
    data["optimizer"] = _module_object(opt, "keras.optimizers")
    data["loss"] = _keras_loss(config.loss)
    data["metrics"] = _keras_metrics(config.metrics)
    data["weighted_metrics"] = _keras_metrics(config.weighted_metrics)
    data.pop("auto_scale_loss", None)
    return data


def _object_dict(obj: KerasObject) -> dict[str, Any]:
    return obj.model_dump(mode="json")


def _keras_loss(loss: Any) -> Any:
    if loss is None:
        return None
    if isinstance(loss, list):
        return [_keras_loss(item) for item in loss]
    if isinstance(loss, dict):
        return {k: _keras_loss(v) for k, v in loss.items()}
    dumped = loss.model_dump(mode="json")
    if isinstance(dumped, str):
        return dumped
    options = {k: v for k, v in dumped.items() if k in loss.model_fields_set and k != "name"}
    class_name = "".join(part.capitalize() for part in loss.name.split("_"))
    fixes = {"KlDivergence": "KLDivergence", "LogCosh": "LogCosh", "Huber": "Huber"}
    return {
        "module": "keras.losses",
        "class_name": fixes.get(class_name, class_name),
        "config": {"name": loss.name, **options},
        "registered_name": None,
    }


def _keras_metrics(metrics: Any) -> Any:
    if metrics is None:
        return None
    if isinstance(metrics, list):
        return [_keras_metrics(m) for m in metrics]
    if isinstance(metrics, dict):
        return {k: _keras_metrics(v) for k, v in metrics.items()}
    dumped = metrics.model_dump(mode="json")
    if isinstance(dumped, str):
        return dumped  # no option differs from its default: Keras takes the name
    options = {key: dumped[key] for key in sorted(METRIC_OPTIONS.get(metrics.name, ()))}
    return {  # as Keras 3 serialises a metric object: its options (k, threshold) and name survive
        "module": "keras.metrics",
        "class_name": _metric_class(metrics.name),
        "config": {"name": metrics.reported, "dtype": "float32", **options},
        "registered_name": None,
    }


def _metric_class(name: str) -> str:
    """Keras 3's metric class for a canonical metric name."""
    if name in METRIC_CLASSES:
        return METRIC_CLASSES[name]
    fixes = {"kl_divergence": "KLDivergence", "log_cosh": "LogCoshError", "accuracy": "Accuracy"}
    return fixes.get(name, "".join(part.capitalize() for part in name.split("_")))
