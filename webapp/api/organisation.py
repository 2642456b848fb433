"""The organisation: the centre, departments, windows and desks, sub-centres, towns and villages (any staff
member reads it), and an administrator's edits of departments, windows, service points and role grants."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from webapp.api import bp
from webapp.api.render import json_body
from webapp.auth import current_principal, platform


@bp.get("/organisation")
def organisation_overview() -> ResponseReturnValue:
    return jsonify(platform().organisation.overview(current_principal()))


@bp.patch("/organisation/departments/<code>")
def update_department(code: str) -> ResponseReturnValue:
    principal = current_principal()
    return jsonify(platform().organisation.update_department(principal, code, **json_body()))


@bp.post("/organisation/windows")
def add_window() -> ResponseReturnValue:
    principal = current_principal()
    return jsonify(platform().organisation.add_window(principal, **json_body())), 201


@bp.patch("/organisation/windows/<code>")
def update_window(code: str) -> ResponseReturnValue:
    principal = current_principal()
    return jsonify(platform().organisation.update_window(principal, code, **json_body()))


@bp.post("/organisation/service-points")
def add_service_point() -> ResponseReturnValue:
    principal = current_principal()
    return jsonify(platform().organisation.add_service_point(principal, **json_body())), 201


@bp.post("/organisation/staff/<username>/roles")
def assign_staff(username: str) -> ResponseReturnValue:
    principal = current_principal()
    return jsonify(platform().organisation.assign_staff(principal, username, **json_body()))


@bp.delete("/organisation/staff/<username>/roles")
def remove_role(username: str) -> ResponseReturnValue:
    """The grant to remove comes as a JSON body or, for clients that send no body with DELETE, as
    ``?role=&department=``."""
    principal = current_principal()
    return jsonify(platform().organisation.remove_role(principal, username, **_delete_fields()))


def _delete_fields() -> dict[str, Any]:
    if request.get_data(cache=True):
        return json_body()
    return request.args.to_dict()
