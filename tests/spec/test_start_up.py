"""Start-up cost (issue 2): validators are built for what a spec uses, on first use, and
the JSON Schema of the lazily built unions is still the whole language's."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import FIXTURES, ROOT
from nnspec.spec import SpecError, loads
from nnspec.spec.layers import FAMILIES, FAMILY_NAMES, OPERATION_PREFIXES, OPERATIONS

IRIS_JSON = FIXTURES / "keras3" / "iris.json"


def _fresh_process(code: str) -> dict:
    """Run `code` in a new interpreter; it prints one JSON value, returned here."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_loading_a_spec_builds_only_the_kinds_it_uses() -> None:
    """Before: importing nnspec built one validator holding every layer kind, initializer,
    regularizer and optimizer (each union rebuilt for each field using it), most of the
    CLI's 0.31 s start. Now each class builds when a spec first uses it, each layer kind's
    entry model is made when a spec first names the kind, and the operations family (a
    third of the kinds) loads when a spec first names an operation."""
    code = f"""
import json, sys
from nnspec.spec import load
from nnspec.spec.model import layer_entry
from nnspec.spec import initializers, regularizers, training
load({str(IRIS_JSON)!r})
made = layer_entry.cache_info().currsize
operations = "nnspec.spec.layers.operations" in sys.modules
built = lambda cls: bool(cls.__pydantic_complete__)
print(json.dumps({{
    "entries made": made,
    "operations loaded": operations,
    "dense": built(layer_entry("Dense")),
    "glorot": built(initializers.GlorotUniform),
    "adam": built(training.Adam),
    "batch_norm": built(layer_entry("BatchNormalization")),
    "he_normal": built(initializers.HeNormal),
    "l2": built(regularizers.L2),
    "sgd": built(training.SGD),
    "yaml": "yaml" in sys.modules,
}}))
"""
    state = _fresh_process(code)
    assert state == {
        "entries made": 2,  # iris.json: an InputLayer and Dense layers; no other kind's entry model is made
        "operations loaded": False,  # nor is the operations family loaded
        "dense": True,  # iris.json: Dense layers, glorot_uniform kernels, Adam
        "glorot": True,
        "adam": True,
        "batch_norm": False,  # not in iris.json: never built
        "he_normal": False,
        "l2": False,
        "sgd": False,
        "yaml": False,  # a JSON spec needs no YAML parser
    }


def test_a_spec_imports_only_the_layer_families_it_names() -> None:
    """iris.json names Dense (core, whose activations it reads) and nothing else: the
    twelve other families are not imported, until every kind is asked for."""
    code = f"""
import json, sys
from nnspec.spec import load
from nnspec.spec.layers import all_kinds
prefix = "nnspec.spec.layers."
family = lambda: sorted(m.removeprefix(prefix) for m in sys.modules if m.startswith(prefix) and m != prefix + "base")
load({str(IRIS_JSON)!r})
after_load = family()
all_kinds()
print(json.dumps([after_load, family()]))
"""
    after_load, after_all = _fresh_process(code)
    assert after_load == ["activations", "core"]
    assert after_all == FAMILIES


def test_the_family_table_names_what_each_family_registers() -> None:
    """FAMILY_NAMES is how a kind finds its family without importing the others; a kind
    added to a family file and not to the table would be unknown to a fresh process."""
    from nnspec.spec.layers import LAYER_ALIASES, LAYER_KINDS, all_kinds
    from nnspec.spec.layers.base import LAYER_VARIANTS

    registered: dict[str, set[str]] = {}
    for kind, cls in all_kinds().items():
        family = cls.__module__.rsplit(".", 1)[-1]  # an operation's class is made by a factory
        if family != OPERATIONS and not kind.startswith(OPERATION_PREFIXES):
            registered.setdefault(family, set()).add(kind)
    for alias, kind in LAYER_ALIASES.items():
        registered[LAYER_KINDS[kind].__module__.rsplit(".", 1)[1]].add(alias)
    for variant, (kind, _) in LAYER_VARIANTS.items():
        registered[LAYER_KINDS[kind].__module__.rsplit(".", 1)[1]].add(variant)
    assert {family: set(names) for family, names in FAMILY_NAMES.items()} == registered


def test_schema_is_the_whole_language_whatever_was_built_before() -> None:
    """The lazily built unions give the schema of the whole language, also once nested
    models (a union that holds itself) have been validated in the same process."""
    names = ["nested.json", "shared_layer.json", "multi_io_dict.json"]
    code = f"""
import json
from pathlib import Path
from nnspec.spec import load
from nnspec.spec.schema import schema_text
first = schema_text()
for name in {names!r}:
    load(Path({str(FIXTURES / "keras3")!r}) / name)
print(json.dumps([first, schema_text()]))
"""
    first, after = _fresh_process(code)
    assert after == first
    assert '"BatchNormalizationConfig"' in first and '"OrthogonalRegularizer"' in first


@pytest.mark.parametrize(
    ("layer", "message"),
    [
        ("5", "config.layers[1]: invalid value; expected a valid dictionary or object to extract fields from"),
        ('{"config": {"name": "x"}}', "config.layers[1]: class_name is missing"),
        ('{"class_name": "Dence", "config": {"name": "x"}}', "did you mean 'Dense'?"),
        (
            '{"class_name": "Dense", "config": {"name": "x", "units": 2, "kernel_initializer": "he_nromal"}}',
            "unknown initializer 'he_nromal', received 'he_nromal' (did you mean 'he_normal'?)",
        ),
        (
            '{"class_name": "Dense", "config": {"name": "x", "units": 2, "kernel_regularizer": {"class_name": "L3"}}}',
            "config.layers[1].config.kernel_regularizer: unknown class 'L3'",
        ),
        (
            '{"class_name": "Dense", "config": {"name": "x", "units": 2, "activation": {"class_name": "ReLU", '
            '"config": {"name": "r", "max_value": -1}}}}',
            "config.layers[1].config.activation.config.max_value: invalid value",
        ),
    ],
)
def test_lazy_unions_report_like_the_unions_they_replace(layer: str, message: str) -> None:
    text = (
        '{"class_name": "Sequential", "config": {"name": "m", "layers": ['
        '{"class_name": "InputLayer", "config": {"name": "i", "batch_shape": [null, 4]}}, ' + layer + "]}}"
    )
    with pytest.raises(SpecError) as caught:
        loads(text)
    assert message in str(caught.value)
