"""The JSON Schema of the spec language, exported from the pydantic models."""

from __future__ import annotations

import json
from typing import Any

from .model import MODEL_ADAPTER

SCHEMA_ID = "https://nnspec.dev/schema/nnspec.schema.json"


def spec_schema() -> dict[str, Any]:
    schema = MODEL_ADAPTER.json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "nnspec model spec",
        "description": "A Keras-shaped model architecture (canonical form), as nnspec reads and writes it.",
        **schema,
    }


def schema_text() -> str:
    return json.dumps(spec_schema(), indent=2, sort_keys=True) + "\n"
