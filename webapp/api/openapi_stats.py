"""The OpenAPI description of the statistics routes (domain §10): figures, grouped report files, definitions."""

from __future__ import annotations

from typing import Any

from webapp.api.openapi_parts import ARR, OBJ, errors, query, resp

GROUPINGS = "department, window, officer, item, item_type, channel, level, month, quarter"


def _period(required: bool) -> list[dict[str, Any]]:
    params = [query("from"), query("to"), query("group_by")]
    for param in params[:2]:
        param["required"] = required
        param["schema"] = {"type": "string", "format": "date"}
    params[2]["description"] = f"comma-separated or repeated; each one of {GROUPINGS}"
    params[1]["description"] = "inclusive; at most 366 days after `from` (422 on `to` otherwise)"
    return params


def _file(summary: str, media: str) -> dict[str, Any]:
    return {
        "summary": summary,
        "parameters": _period(True),
        "responses": {
            "200": {"description": "the file (attachment)", "content": {media: {"schema": {"type": "string"}}}},
            **errors(401, 403, 422),
        },
    }


def stats_paths() -> dict[str, Any]:
    return {
        "/stats": {
            "get": {
                "summary": "The centre's figures for a period (cohort: cases received in it), with their definitions; "
                "with group_by, every metric per group under `groups` (admin, supervisor)",
                "parameters": _period(True),
                "responses": {
                    "200": resp("{consultations, received, accepted, …, definitions, groups?}", OBJ),
                    **errors(401, 403, 422),
                },
            }
        },
        "/stats/report.csv": {
            "get": _file(
                "The report as CSV (UTF-8 with BOM): a row per group of the first group_by, then the totals "
                "(admin, supervisor)",
                "text/csv",
            )
        },
        "/stats/report.xlsx": {
            "get": _file(
                "The report as an Excel workbook: totals, a sheet per grouping (default department and month), "
                "a definitions sheet (admin, supervisor)",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        },
        "/stats/definitions": {
            "get": {
                "summary": "Every metric: key, Chinese and English name, unit, basis (cohort/flow/period), definition",
                "responses": {"200": resp("metrics", ARR), **errors(401)},
            }
        },
    }
