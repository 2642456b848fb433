"""Process definitions: list deployed versions; upload (raw XML or multipart) to deploy a new version."""

from __future__ import annotations

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from engine.domain.access import ADMIN, DESIGNER
from engine.errors import PermissionDenied, Problem, ProcessDefinitionError
from engine.services.definitions import SourceFile
from webapp.api import bp
from webapp.api.render import pick
from webapp.auth import current_principal, platform


def _require(*roles: str) -> None:
    principal = current_principal()
    if not any(principal.has_role(r) for r in roles):
        raise PermissionDenied(f"this needs one of the roles: {', '.join(roles)}")


@bp.get("/process-definitions")
def list_definitions() -> ResponseReturnValue:
    _require(DESIGNER, ADMIN)
    versions = platform().definitions.list_versions()
    return jsonify([pick(v, "process_id", "version", "name", "sha256", "deployed_at", "deployed_by") for v in versions])


def _uploaded_files() -> list[SourceFile]:
    if request.files:
        files = [SourceFile(f.filename or "upload.bpmn", f.read()) for f in request.files.getlist("file")]
        files += [SourceFile(f.filename or "form.json", f.read()) for f in request.files.getlist("forms")]
        return files
    name = request.args.get("filename") or request.headers.get("X-Filename") or "upload.bpmn"
    return [SourceFile(name, request.get_data(cache=False))]


@bp.post("/process-definitions")
def upload_definition() -> ResponseReturnValue:
    _require(DESIGNER)
    files = _uploaded_files()
    if not files or not any(f.content for f in files):
        raise ProcessDefinitionError([Problem("upload", 1, "", "the upload is empty")])
    deployed = platform().definitions.deploy(files, actor=current_principal().username)
    body = [{"process_id": d.version.process_id, "version": d.version.version, "created": d.created} for d in deployed]
    first = body[0]
    return jsonify({**first, "deployed": body}), 201 if any(d.created for d in deployed) else 200
