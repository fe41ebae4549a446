"""TensorFlow.js model.json: the Keras model inside it, read as data.

tensorflowjs_converter writes {"format": "layers-model", "modelTopology": {...},
"weightsManifest": [...]} for a Keras model (keras_h5_conversion.write_artifacts);
modelTopology holds keras_version, backend and model_config (older files: the model
config itself). A graph-model (from a SavedModel) holds a TensorFlow graph, no layers."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .errors import SpecError

LAYERS_MODEL = "layers-model"
GRAPH_MODEL = "graph-model"


def is_tfjs(doc: Any) -> bool:
    """A TF.js model.json, by the keys its writer leaves (format, or the topology and manifest)."""
    return isinstance(doc, dict) and (
        doc.get("format") in (LAYERS_MODEL, GRAPH_MODEL) or ("modelTopology" in doc and "weightsManifest" in doc)
    )


def tfjs_architecture(doc: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The Keras model of a TF.js layers-model, with the keras_version that names its
    dialect, and where it lies in the document."""
    topology = doc.get("modelTopology")
    if doc.get("format") == GRAPH_MODEL or (isinstance(topology, dict) and "node" in topology):
        raise SpecError.at(
            "format",
            "a TensorFlow.js graph model (converted from a SavedModel or a frozen graph) has no Keras layers",
            received=str(doc.get("format", "graph-model")),
            expected=LAYERS_MODEL,
            hint="convert the Keras model itself: tensorflowjs_converter --input_format keras",
        )
    if not isinstance(topology, dict):
        raise SpecError.at("modelTopology", "a TensorFlow.js layers-model needs its Keras model here")
    where = "modelTopology.model_config" if "model_config" in topology else "modelTopology"
    config = topology.get("model_config", topology)
    if not isinstance(config, dict) or is_tfjs(config):
        raise SpecError.at(where, "is not a Keras model", received=type(config).__name__)
    out = {k: v for k, v in config.items()}
    for key in ("keras_version", "backend"):  # they tell the loader which Keras wrote it
        if key in topology and key not in out:
            out[key] = topology[key]
    if isinstance(topology.get("training_config"), dict):  # how it was compiled, as in a legacy .h5
        out.setdefault("compile_config", topology["training_config"])
    return out, where


def relocated(error: SpecError, where: str) -> SpecError:
    """The problems of the wrapped model, with paths into the model.json as the user sees it."""
    problems = [replace(p, path=where if p.path == "<document>" else f"{where}.{p.path}") for p in error.problems]
    return SpecError(problems, error.source, error.more)
