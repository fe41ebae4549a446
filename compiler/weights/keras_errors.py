"""What Keras says when weights do not fit a model, said with the layer and both shapes.

Keras's load_weights gathers its failures into 'A total of 2 objects could not be
loaded. Example error message for object <Dense name=hidden_2, built=True>:' and prints
the variable's values after the message: the first line alone names nothing."""

from __future__ import annotations

import re

_ASSIGN = re.compile(
    r"variable\.shape=(?P<want>\([^)]*\)), Received: value\.shape=(?P<got>\([^)]*\))\. "
    r"Target variable: <Variable path=(?P<path>[^,\s]+)"
)
_TOTAL = re.compile(r"A total of (?P<count>\d+) objects could not be loaded")
_OBJECT = re.compile(r"Example error message for object <\w+ name=(?P<name>[^,>]+)")


def explain_keras_load_error(exc: BaseException) -> str:
    """'layer 'hidden_2': kernel has shape (50, 3) in the file, the spec's model needs (50, 30)'."""
    text = str(exc)
    total = _TOTAL.search(text)
    others = int(total["count"]) - 1 if total else 0
    tail = f" (and {others} more layer{'s' * (others != 1)})" if others > 0 else ""
    found, owner = _ASSIGN.search(text), _OBJECT.search(text)
    if found:
        *within, weight = found["path"].split("/")
        layer = owner["name"] if owner else "/".join(within) or "?"
        shapes = f"has shape {found['got']} in the file, the spec's model needs {found['want']}"
        return f"layer {layer!r}: {weight} {shapes}{tail}"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    detail = next((line for line in lines if not _TOTAL.match(line)), lines[0] if lines else type(exc).__name__)
    return (f"layer {owner['name']!r}: {detail}{tail}" if owner else detail)[:300]
