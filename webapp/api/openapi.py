"""The OpenAPI 3.1 description of the JSON API (served at /api/v1/openapi.json)."""

from __future__ import annotations

from typing import Any

from webapp.api.openapi_accountability import accountability_paths
from webapp.api.openapi_agency import agency_paths
from webapp.api.openapi_complaint_desk import complaint_desk_paths
from webapp.api.openapi_discipline import discipline_paths
from webapp.api.openapi_meetings import meeting_paths
from webapp.api.openapi_parts import ARR, OBJ
from webapp.api.openapi_parts import errors as _errors
from webapp.api.openapi_parts import op as _op
from webapp.api.openapi_parts import path_param as _path_param
from webapp.api.openapi_parts import query as _query
from webapp.api.openapi_parts import resp as _resp
from webapp.api.openapi_projects import project_paths
from webapp.api.openapi_rectification import rectification_paths
from webapp.api.openapi_stats import stats_paths
from webapp.api.openapi_supervision import supervision_paths
from webapp.api.openapi_towns import town_paths
from webapp.api.openapi_warnings import warning_paths
from webapp.api.openapi_workbench import workbench_paths


def document() -> dict[str, Any]:
    iid, tid = _path_param("instance_id", "integer"), _path_param("task_id")
    paths = {
        "/auth/token": {
            "post": _op(
                "Exchange username and password for a bearer token",
                {"200": _resp("token", OBJ)},
                401,
                422,
                public=True,
                body={
                    "type": "object",
                    "required": ["username", "password"],
                    "properties": {"username": {"type": "string"}, "password": {"type": "string"}},
                },
            )
        },
        "/process-definitions": {
            "get": _op("Deployed process versions", {"200": _resp("versions", ARR)}, 401, 403),
            "post": {
                "summary": "Deploy BPMN (raw XML body, or multipart: file + forms)",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/xml": {"schema": {"type": "string"}},
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "file": {"type": "string", "format": "binary"},
                                    "forms": {
                                        "type": "array",
                                        "items": {"type": "string", "format": "binary"},
                                    },
                                },
                            }
                        },
                    },
                },
                "responses": {
                    "201": _resp("deployed", OBJ),
                    "200": _resp("already deployed", OBJ),
                    **_errors(401, 403, 422),
                },
            },
        },
        "/instances": {
            "post": _op(
                "Start an instance",
                {"201": _resp("started", OBJ)},
                401,
                403,
                404,
                422,
                body={
                    "type": "object",
                    "required": ["process_id"],
                    "properties": {
                        "process_id": {"type": "string"},
                        "data": OBJ,
                        "version": {"type": "integer"},
                        "business_key": {"type": "string"},
                    },
                },
            ),
            "get": _op(
                "List instances (admin)",
                {"200": _resp("page", OBJ)},
                400,
                401,
                403,
                422,
                params=[
                    _query("status"),
                    _query("process_id"),
                    _query("limit", "integer"),
                    _query("offset", "integer"),
                ],
            ),
        },
        "/instances/{instance_id}": {
            "get": _op(
                "An instance with data, tasks, timers, history",
                {"200": _resp("instance", OBJ)},
                401,
                403,
                404,
                params=[iid],
            )
        },
        "/tasks": {
            "get": _op(
                "READY tasks I may work on",
                {"200": _resp("tasks", ARR)},
                400,
                401,
                params=[_query("limit", "integer")],
            )
        },
        "/tasks/{task_id}": {
            "get": _op("A task with its form's JSON Schema", {"200": _resp("task", OBJ)}, 401, 403, 404, params=[tid])
        },
        "/tasks/{task_id}/complete": {
            "post": _op(
                "Complete a task with form data",
                {"200": _resp("completed", OBJ)},
                401,
                403,
                404,
                409,
                422,
                params=[tid],
                body={"type": "object", "properties": {"data": OBJ}},
            )
        },
        "/messages": {
            "post": _op(
                "Deliver a named message to waiting instances",
                {"200": _resp("delivered", OBJ)},
                401,
                403,
                422,
                body={
                    "type": "object",
                    "required": ["name", "correlation_key"],
                    "properties": {
                        "name": {"type": "string"},
                        "correlation_key": {"type": "string"},
                        "payload": {},
                    },
                },
            )
        },
        "/openapi.json": {"get": _op("This document", {"200": _resp("OpenAPI", OBJ)}, public=True)},
        "/items": {"get": _op("The service-item catalogue (public)", {"200": _resp("items", ARR)}, public=True)},
        "/items/{code}": {
            "get": _op(
                "One item's full service guide (public)",
                {"200": _resp("guide", OBJ)},
                404,
                public=True,
                params=[_path_param("code")],
            )
        },
        "/cases": {
            "post": _op(
                "Open a case at a window",
                {"201": _resp("case", OBJ)},
                401,
                403,
                404,
                422,
                body={
                    "type": "object",
                    "required": ["item_code", "applicant"],
                    "properties": {
                        "item_code": {"type": "string"},
                        "channel": {"type": "string"},
                        "applicant": {
                            "type": "object",
                            "properties": {
                                "name": {"type": "string"},
                                "id_number": {"type": "string"},
                                "phone": {"type": "string"},
                            },
                        },
                        "materials": {"type": "array", "items": {}},
                    },
                },
            )
        },
        "/cases/{case_no}": {
            "get": _op(
                "A case with its steps (staff)",
                {"200": _resp("case", OBJ)},
                401,
                403,
                404,
                params=[_path_param("case_no")],
            )
        },
        "/public/cases/{case_no}": {
            "get": _op(
                "Case status for the applicant (masked); the same 404 for a wrong code",
                {"200": _resp("status", OBJ)},
                404,
                public=True,
                params=[_path_param("case_no"), _query("query_code")],
            )
        },
    }
    case_no = _path_param("case_no")
    notice_id = _path_param("notice_id", "integer")
    paths.update(
        {
            "/cases/{case_no}/notices": {
                "get": _op(
                    "The notices a case produced", {"200": _resp("notices", ARR)}, 401, 403, 404, params=[case_no]
                )
            },
            "/cases/{case_no}/notices/{notice_id}": {
                "get": _op(
                    "One notice's facts", {"200": _resp("notice", OBJ)}, 401, 403, 404, params=[case_no, notice_id]
                )
            },
            "/public/cases/{case_no}/notices": {
                "get": _op(
                    "The applicant's notices (with the query code)",
                    {"200": _resp("notices", ARR)},
                    404,
                    public=True,
                    params=[case_no, _query("query_code")],
                )
            },
            "/consultations": {
                "post": _op(
                    "Log an inquiry with its first responder",
                    {"201": _resp("consultation", OBJ)},
                    401,
                    403,
                    422,
                    body={
                        "type": "object",
                        "required": ["subject", "question"],
                        "properties": {
                            "channel": {"type": "string"},
                            "subject": {"type": "string"},
                            "question": {"type": "string"},
                            "outcome": {"type": "string"},
                            "answer": {"type": "string"},
                            "transferred_to": {"type": "string"},
                            "referred_to": {"type": "string"},
                            "item_code": {"type": "string"},
                        },
                    },
                ),
                "get": _op(
                    "Recent consultations", {"200": _resp("consultations", ARR)}, 401, 403, params=[_query("open")]
                ),
            },
            "/consultations/{consultation_id}/close": {
                "post": _op(
                    "Close a transferred inquiry with the answer given",
                    {"200": _resp("consultation", OBJ)},
                    401,
                    403,
                    404,
                    409,
                    422,
                    params=[_path_param("consultation_id", "integer")],
                    body={"type": "object", "properties": {"answer": {"type": "string"}}},
                )
            },
            "/stats": {
                "get": _op(
                    "The centre's figures for a period, with their definitions",
                    {"200": _resp("stats", OBJ)},
                    401,
                    403,
                    422,
                    params=[_query("from"), _query("to")],
                )
            },
        }
    )
    paths.update(_organisation_paths())
    paths.update(workbench_paths())
    paths.update(meeting_paths())
    paths.update(discipline_paths())
    paths.update(project_paths())
    paths.update(stats_paths())
    paths.update(accountability_paths())
    paths.update(rectification_paths())
    paths.update(supervision_paths())
    paths.update(warning_paths())
    paths.update(town_paths())
    paths.update(complaint_desk_paths())
    paths.update(agency_paths())
    reason_body = {"type": "object", "properties": {"reason": {"type": "string"}}}
    for action, summary in (
        ("withdraw", "撤回: the applicant withdraws (before the decision)"),
        ("terminate", "终止: a legal bar ends the case"),
    ):
        paths[f"/cases/{{case_no}}/{action}"] = {
            "post": _op(
                summary, {"200": _resp("case", OBJ)}, 401, 403, 404, 409, 422, params=[case_no], body=reason_body
            )
        }
    for action in ("claim", "unclaim"):
        paths[f"/tasks/{{task_id}}/{action}"] = {
            "post": _op(f"{action.capitalize()} a task", {"200": _resp("task", OBJ)}, 401, 403, 404, 409, params=[tid])
        }
    for action in ("suspend", "resume", "terminate", "retry"):
        paths[f"/instances/{{instance_id}}/{action}"] = {
            "post": _op(
                f"{action.capitalize()} an instance (admin)",
                {"200": _resp("new status", OBJ)},
                401,
                403,
                404,
                409,
                422,
                params=[iid],
            )
        }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Onestop API", "version": "1", "description": "政务服务 BPMN 审批平台接口"},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": {"type": "string"},
                                "message": {"type": "string"},
                                "details": {},
                            },
                        }
                    },
                }
            },
        },
    }


def _organisation_paths() -> dict[str, Any]:
    """The organisation: read by staff, edited by administrators."""
    text = {"type": "string"}
    nullable = {"type": ["string", "null"]}
    window = {
        "type": "object",
        "properties": {
            "code": text,
            "name": text,
            "category": text,
            "department": nullable,
            "service_point": text,
            "number": {"type": ["integer", "null"]},
            "phone": nullable,
            "note": nullable,
        },
    }
    grant = {"type": "object", "properties": {"role": text, "department": nullable, "window": nullable}}
    code, username = _path_param("code"), _path_param("username")
    return {
        "/organisation": {
            "get": _op(
                "The centre, departments with windows and staff counts, desks, sub-centres, towns with windows, "
                "agents and villages (staff)",
                {"200": _resp("organisation", OBJ)},
                401,
                403,
            )
        },
        "/organisation/departments/{code}": {
            "patch": _op(
                "Rename a department or change its chief representative (admin)",
                {"200": _resp("department", OBJ)},
                401,
                403,
                404,
                422,
                params=[code],
                body={
                    "type": "object",
                    "properties": {"name": text, "chief_representative": nullable, "chief_username": nullable},
                },
            )
        },
        "/organisation/windows": {
            "post": _op(
                "Open a window or desk at a service point (admin)",
                {"201": _resp("window", OBJ)},
                401,
                403,
                422,
                body={**window, "required": ["code", "name", "category", "service_point"]},
            )
        },
        "/organisation/windows/{code}": {
            "patch": _op(
                "Change a window (admin)", {"200": _resp("window", OBJ)}, 401, 403, 404, 422, params=[code], body=window
            )
        },
        "/organisation/service-points": {
            "post": _op(
                "Add a sub-centre, town centre or village station (admin)",
                {"201": _resp("service point", OBJ)},
                401,
                403,
                422,
                body={
                    "type": "object",
                    "required": ["code", "name", "kind"],
                    "properties": {
                        "code": text,
                        "name": text,
                        "kind": {"enum": ["centre", "sub_centre", "town", "village"]},
                        "parent_code": nullable,
                        "category": nullable,
                        "phone": nullable,
                        "note": nullable,
                    },
                },
            )
        },
        "/organisation/staff/{username}/roles": {
            "post": _op(
                "Grant a role (in a department, at a window) to an account (admin)",
                {"200": _resp("the account's roles", OBJ)},
                401,
                403,
                404,
                422,
                params=[username],
                body={**grant, "required": ["role"]},
            ),
            "delete": _op(
                "Take a role from an account (admin; JSON body or ?role=&department=)",
                {"200": _resp("the account's roles", OBJ)},
                401,
                403,
                404,
                409,
                422,
                params=[username, _query("role"), _query("department")],
            ),
        },
    }
