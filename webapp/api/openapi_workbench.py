"""The OpenAPI description of the routes the workbench added: diagrams, migration, attachments, comments,
transfers, the case beside a task, printable notices, and public feedback (好差评, complaints)."""

from __future__ import annotations

from typing import Any

from webapp.api.openapi_parts import ARR, OBJ, op, path_param, query, resp

SVG = {"200": {"description": "SVG", "content": {"image/svg+xml": {"schema": {"type": "string"}}}}}
HTML = {"200": {"description": "a printable page", "content": {"text/html": {"schema": {"type": "string"}}}}}


def _text_props(*names: str) -> dict[str, Any]:
    return {name: {"type": "string"} for name in names}


def workbench_paths() -> dict[str, Any]:
    pid, version = path_param("process_id"), path_param("version", "integer")
    iid, tid, case_no = path_param("instance_id", "integer"), path_param("task_id"), path_param("case_no")
    notice_id = path_param("notice_id", "integer")
    migration_body = {
        "type": "object",
        "required": ["to_version"],
        "properties": {
            "to_version": {"type": "integer"},
            "instance_ids": {"type": "array", "items": {"type": "integer"}},
        },
    }
    upload = {
        "multipart/form-data": {
            "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
        }
    }
    return {
        "/process-definitions/{process_id}/{version}/diagram.svg": {
            "get": op(
                "The version's diagram, drawn from its DI (designer, admin)", SVG, 401, 403, 404, params=[pid, version]
            )
        },
        "/instances/{instance_id}/diagram.svg": {
            "get": op(
                "The instance's diagram with completed / active / overdue elements marked (admin, participants)",
                SVG,
                401,
                403,
                404,
                params=[iid],
            )
        },
        "/process-definitions/{process_id}/migrations/preview": {
            "post": op(
                "Which open instances of older versions could move to a version, and what blocks the others (admin)",
                {"200": resp("plan", OBJ)},
                401,
                403,
                404,
                422,
                params=[pid],
                body=migration_body,
            )
        },
        "/process-definitions/{process_id}/migrations": {
            "post": op(
                "Move instances to a version; each moves or is refused with the elements that block it (admin)",
                {"200": resp("one result per instance", OBJ)},
                401,
                403,
                404,
                409,
                422,
                params=[pid],
                body=migration_body,
            )
        },
        "/tasks/{task_id}/attachments": {
            "get": op(
                "The case's attachments (candidates, participants)",
                {"200": resp("attachments", ARR)},
                401,
                403,
                404,
                params=[tid],
            ),
            "post": {
                **op(
                    "Attach a file: PDF, JPEG, PNG, OFD, DOCX or XLSX, checked by content; size-limited",
                    {"201": resp("attachment", OBJ)},
                    401,
                    403,
                    404,
                    409,
                    422,
                    params=[tid],
                ),
                "requestBody": {"required": True, "content": upload},
            },
        },
        "/attachments/{attachment_id}": {
            "get": op(
                "Download an attachment",
                {"200": {"description": "the file"}},
                401,
                403,
                404,
                params=[path_param("attachment_id", "integer")],
            )
        },
        "/tasks/{task_id}/comments": {
            "get": op("The case's comments, oldest first", {"200": resp("comments", ARR)}, 401, 403, 404, params=[tid]),
            "post": op(
                "Add a comment",
                {"201": resp("comment", OBJ)},
                401,
                403,
                404,
                409,
                422,
                params=[tid],
                body={"type": "object", "required": ["body"], "properties": _text_props("body")},
            ),
        },
        "/tasks/{task_id}/transfer": {
            "post": op(
                "转办: hand a ready task to another department, with a reason",
                {"200": resp("task", OBJ)},
                401,
                403,
                404,
                409,
                422,
                params=[tid],
                body={
                    "type": "object",
                    "required": ["department", "reason"],
                    "properties": _text_props("department", "reason"),
                },
            )
        },
        "/tasks/{task_id}/case": {
            "get": op(
                "The case behind a task: applicant (masked), materials checklist, notices",
                {"200": resp("case", OBJ)},
                401,
                403,
                404,
                params=[tid],
            )
        },
        "/cases/{case_no}/notices/{notice_id}.html": {
            "get": op("A notice as a printable page (staff)", HTML, 401, 403, 404, params=[case_no, notice_id])
        },
        "/public/cases/{case_no}/notices/{notice_id}.html": {
            "get": op(
                "A notice as a printable page, with the query code (public)",
                HTML,
                404,
                params=[case_no, notice_id, query("query_code")],
                public=True,
            )
        },
        "/public/cases/{case_no}/evaluation": {
            "post": op(
                "好差评: rate the case once per stage (level 1 非常不满意 … 5 非常满意)",
                {"201": resp("rating", OBJ)},
                404,
                409,
                422,
                params=[case_no],
                public=True,
                body={
                    "type": "object",
                    "required": ["query_code", "level"],
                    "properties": {
                        "query_code": {"type": "string"},
                        "level": {"type": "integer", "minimum": 1, "maximum": 5},
                        "comment": {"type": "string"},
                    },
                },
            )
        },
        "/public/complaints": {
            "post": op(
                "File a complaint (投诉); the answer names its number and the reply deadline in working days",
                {"201": resp("complaint", OBJ)},
                422,
                public=True,
                body={
                    "type": "object",
                    "required": ["name", "phone", "category", "content"],
                    "properties": _text_props(
                        "name", "phone", "category", "department", "case_no", "subject", "content"
                    ),
                },
            )
        },
        "/complaints": {
            "get": op(
                "Complaints (complaint desk, supervisors, admin; personal data masked unless entitled)",
                {"200": resp("complaints", ARR)},
                401,
                403,
                422,
                params=[query("status"), query("category"), query("limit", "integer")],
            ),
            "post": op(
                "Record a complaint taken at the desk, by phone or from the opinion book (complaint desk)",
                {"201": resp("complaint", OBJ)},
                401,
                403,
                422,
                body={
                    "type": "object",
                    "required": ["source", "content"],
                    "properties": _text_props(
                        "source", "name", "phone", "category", "department", "case_no", "subject", "content"
                    ),
                },
            ),
        },
        "/evaluations": {
            "get": op(
                "Ratings with a summary (supervisors, complaint desk, admin)",
                {"200": resp("ratings", OBJ)},
                401,
                403,
                422,
                params=[query("stage"), query("bad"), query("department"), query("limit", "integer")],
            )
        },
    }
