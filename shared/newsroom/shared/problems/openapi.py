"""Problem details in an OpenAPI document: the `Problem` schema, and a completion step that makes
every error response of every operation application/problem+json (FastAPI's own 422 shape
included), with the statuses any route may answer: 404 on a path with parameters, 405 with
`Allow`, 500."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from newsroom.shared.problems import PROBLEM_CONTENT_TYPE

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details; `type` is {PUBLIC_BASE_URL}/problems/{slug}, "
    "which describes the problem.",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "pointer": {
            "type": "string",
            "description": "the JSON pointer, parameter or header to look at",
        },
        "errors": {
            "type": "array",
            "description": "invalid-request: every invalid parameter",
            "items": {"type": "object"},
        },
        "checks": {
            "type": "object",
            "description": "not-ready: each dependency and `ok` or why not",
            "additionalProperties": {"type": "string"},
        },
    },
}
PROBLEM_CONTENT: dict[str, Any] = {
    PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}
}
ALLOW_HEADER: dict[str, Any] = {
    "Allow": {"description": "the methods this URL accepts", "schema": {"type": "string"}},
}
_ALWAYS: dict[int, str] = {405: "method-not-allowed", 500: "internal-error"}


def problem_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": dict(PROBLEM_CONTENT)}


def complete_problem_responses(
    document: dict[str, Any], descriptions: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """`document` with every 4xx/5xx answered as problem+json, 405 and 500 on every operation
    and 404 on a path with parameters (described from `descriptions` by slug)."""
    described = descriptions or {}
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Problem"] = PROBLEM_SCHEMA
    for path, operations in document.get("paths", {}).items():
        for operation in operations.values():
            responses: dict[str, Any] = operation.setdefault("responses", {})
            implied = dict(_ALWAYS)
            if "{" in path:
                implied[404] = "not-found"
            for status, slug in implied.items():
                responses.setdefault(
                    str(status), {"description": described.get(slug, slug.replace("-", " "))}
                )
            for code, response in responses.items():
                if code.isdigit() and int(code) >= 400:
                    response["content"] = dict(PROBLEM_CONTENT)
                    if code == "405":
                        response["headers"] = ALLOW_HEADER
            operation["responses"] = dict(sorted(responses.items()))
    return document
