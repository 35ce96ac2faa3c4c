"""Pydantic JSON Schemas made fit for OpenAI's strict structured outputs.

Strict mode accepts a subset of JSON Schema: every property required,
`additionalProperties: false`, no `$ref` to resolve, optional data as an `anyOf` with null, and
no bounds (`minimum`, `maxLength`, `pattern`, `default`...). Callers enforce bounds in code.
"""

from __future__ import annotations

from typing import Any

STRICT_KEYS = ("type", "description", "enum", "properties", "items", "anyOf")


def strict_json_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` (a pydantic `model_json_schema()`) self-contained and strict."""
    return _strict(schema, schema.get("$defs", {}))


def _strict(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in node:
        node = {**defs[node["$ref"].rsplit("/", 1)[-1]], **node}
    out = {key: node[key] for key in STRICT_KEYS if key in node}
    if "const" in node and "enum" not in out:
        out["enum"] = [node["const"]]
    if "properties" in out:
        out["properties"] = {k: _strict(v, defs) for k, v in out["properties"].items()}
        out["required"] = list(out["properties"])
        out["additionalProperties"] = False
    if "items" in out:
        out["items"] = _strict(out["items"], defs)
    if "anyOf" in out:
        out["anyOf"] = [_strict(variant, defs) for variant in out["anyOf"]]
    return out
