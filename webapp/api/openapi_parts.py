"""Building blocks of the OpenAPI description: operations, responses, parameters and the error shape."""

from __future__ import annotations

from typing import Any

ERROR = {"$ref": "#/components/schemas/Error"}


def resp(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"description": description}
    if schema is not None:
        body["content"] = {"application/json": {"schema": schema}}
    return body


def errors(*codes: int) -> dict[str, Any]:
    names = {
        400: "bad request",
        401: "not authenticated",
        403: "not allowed",
        404: "not found",
        409: "conflict: changed concurrently or no longer ready",
        422: "invalid input (details say where)",
    }
    return {str(c): resp(names[c], ERROR) for c in codes}


def op(
    summary: str,
    ok: dict[str, Any],
    *codes: int,
    body: dict[str, Any] | None = None,
    params: list[dict[str, Any]] | None = None,
    public: bool = False,
) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "responses": {**ok, **errors(*codes)}}
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if params:
        op["parameters"] = params
    if public:
        op["security"] = []
    return op


def path_param(name: str, kind: str = "string") -> dict[str, Any]:
    schema: dict[str, Any] = {"type": kind}
    if kind == "integer":  # what the <int:...> route converter matches (webapp.request_limits); others are 404
        schema.update(minimum=0, maximum=2**31 - 1)  # INTEGER ids (32-bit on PostgreSQL)
    return {"name": name, "in": "path", "required": True, "schema": schema}


def query(name: str, kind: str = "string") -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": {"type": kind}}


OBJ = {"type": "object"}
ARR = {"type": "array", "items": OBJ}
