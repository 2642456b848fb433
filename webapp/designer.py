"""The process designer's pages: deployed processes and versions, a version's diagram and files, comparisons
between versions, downloads, and uploading a BPMN/DMN file with its forms to validate or deploy it."""

from __future__ import annotations

import io

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from werkzeug.exceptions import RequestEntityTooLarge

from engine.domain.access import DESIGNER, Principal
from engine.errors import OnestopError, PermissionDenied, ProcessDefinitionError
from engine.services.definitions import SourceFile
from webapp.auth import platform
from webapp.security import login_required, signed_in_principal

bp = Blueprint("designer", __name__)

UPLOAD_FIELDS = (("file", "upload.bpmn"), ("forms", "form.json"))

#: how the comparison names what it compares (keys from engine.bpmn.compare; others are shown as they are)
FACT_LABELS = {
    "type": lazy_gettext("类型"),
    "name": lazy_gettext("名称"),
    "lane": lazy_gettext("泳道（角色）"),
    "formJsonSchemaFilename": lazy_gettext("表单"),
    "formUiSchemaFilename": lazy_gettext("表单界面"),
    "timer": lazy_gettext("定时"),
    "condition": lazy_gettext("条件"),
    "script": lazy_gettext("脚本"),
    "source": lazy_gettext("起点"),
    "target": lazy_gettext("终点"),
    "calledElement": lazy_gettext("调用流程"),
    "messageRef": lazy_gettext("消息"),
    "eventDefinition": lazy_gettext("事件类型"),
    "attachedToRef": lazy_gettext("附着于"),
    "default": lazy_gettext("默认路径"),
    "calledDecisionId": lazy_gettext("决策表"),
}
CHANGE_LABELS = {"added": lazy_gettext("新增"), "removed": lazy_gettext("删除"), "changed": lazy_gettext("修改")}
KIND_LABELS = {"bpmn": lazy_gettext("流程文件"), "dmn": lazy_gettext("决策表文件"), "form": lazy_gettext("表单文件")}
SEVERITY_LABELS = {"error": lazy_gettext("错误"), "warning": lazy_gettext("提示")}


@bp.context_processor
def _labels() -> dict[str, object]:
    return {
        "fact_labels": FACT_LABELS,
        "change_labels": CHANGE_LABELS,
        "kind_labels": KIND_LABELS,
        "severity_labels": SEVERITY_LABELS,
    }


def _designer_or_admin() -> Principal:
    principal = signed_in_principal()
    assert principal is not None  # login_required ran first
    if not (principal.is_admin or principal.has_role(DESIGNER)):
        raise PermissionDenied(_("流程设计页面仅供流程设计人员和管理员使用"))
    return principal


@bp.get("/designer")
@login_required
def index() -> ResponseReturnValue:
    processes = platform().definitions.catalogue(_designer_or_admin())
    return render_template("pages/designer_index.html", processes=processes)


@bp.get("/designer/<process_id>")
@login_required
def process(process_id: str) -> ResponseReturnValue:
    summary = platform().definitions.process(_designer_or_admin(), process_id)
    return render_template("pages/designer_process.html", summary=summary)


def _diagram(principal: Principal, process_id: str, version: int) -> tuple[str | None, str | None]:
    """(SVG markup, why there is none): a diagram that cannot be drawn must not hide the rest of the page."""
    try:
        return platform().diagrams.version_svg(principal, process_id, version), None
    except OnestopError as error:
        return None, error.message


@bp.get("/designer/<process_id>/<int:version>")
@login_required
def version(process_id: str, version: int) -> ResponseReturnValue:
    principal = _designer_or_admin()
    detail = platform().definitions.version_detail(principal, process_id, version)
    svg, diagram_error = _diagram(principal, process_id, version)
    return render_template(
        "pages/designer_version.html",
        detail=detail,
        svg=svg,
        diagram_error=diagram_error,
        may_migrate=principal.is_admin,  # migrating running instances is an administrator's act
    )


@bp.get("/designer/<process_id>/<int:version>/download")
@login_required
def download(process_id: str, version: int) -> ResponseReturnValue:
    name, content_type, content = platform().definitions.download(_designer_or_admin(), process_id, version)
    return send_file(io.BytesIO(content), mimetype=content_type, as_attachment=True, download_name=name)


def _version_arg(name: str, default: int) -> int | None:
    """A version number from the query string; None when it is not a positive whole number."""
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return default
    return int(raw) if raw.isdigit() and int(raw) >= 1 else None


@bp.get("/designer/<process_id>/compare")
@login_required
def compare(process_id: str) -> ResponseReturnValue:
    principal = _designer_or_admin()
    summary = platform().definitions.process(principal, process_id)
    to_version = _version_arg("to", summary.latest.version)
    from_version = _version_arg("from", max(1, (to_version or 1) - 1))
    if to_version is None or from_version is None:
        return render_template("pages/error.html", message=_("版本号须为正整数")), 422
    comparison = platform().definitions.compare(principal, process_id, from_version, to_version)
    return render_template("pages/designer_compare.html", summary=summary, comparison=comparison)


def _base_name(filename: str) -> str:
    """Browsers may send a full client path (old Windows ones do); keep the file's own name."""
    return filename.replace("\\", "/").rsplit("/", 1)[-1].strip()


def _uploaded_files() -> list[SourceFile]:
    files: list[SourceFile] = []
    for field, fallback in UPLOAD_FIELDS:
        for storage in request.files.getlist(field):
            name, content = _base_name(storage.filename or ""), storage.read()
            if name or content:  # a file input left empty still sends an unnamed, empty part
                files.append(SourceFile(name or fallback, content))
    return files


def _upload_page(status: int = 200, **context: object) -> ResponseReturnValue:
    principal = signed_in_principal()
    if principal is None or not (principal.is_admin or principal.has_role(DESIGNER)):
        return render_template("pages/error.html", message=context.get("message") or _("无权访问")), status
    limit = platform().settings.max_definition_bytes
    return render_template(
        "pages/designer_upload.html", may_deploy=principal.has_role(DESIGNER), limit_kib=limit // 1024, **context
    ), status


@bp.get("/designer/upload")
@login_required
def upload_form() -> ResponseReturnValue:
    _designer_or_admin()
    return _upload_page()


@bp.post("/designer/upload")
@login_required
def upload() -> ResponseReturnValue:
    principal = _designer_or_admin()
    files = _uploaded_files()
    if not files:
        return _upload_page(422, message=_("请选择要上传的 BPMN 或 DMN 文件"))
    definitions = platform().definitions
    if request.form.get("action") != "deploy":
        check = definitions.check_upload(principal, files)
        return _upload_page(200 if check.ok else 422, files=files, problems=check.problems, check=check)
    try:
        deployed = definitions.upload(principal, files)
    except ProcessDefinitionError as error:
        return _upload_page(422, files=files, problems=error.problems)
    for item in deployed:
        words = {"process": item.version.process_id, "version": item.version.version}
        if item.created:
            flash(_("已部署 %(process)s 第 %(version)s 版", **words), "ok")
        else:
            flash(_("%(process)s 的内容与已部署的第 %(version)s 版相同，未产生新版本", **words), "ok")
    first = deployed[0].version
    return redirect(url_for("designer.version", process_id=first.process_id, version=first.version))


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error: RequestEntityTooLarge) -> ResponseReturnValue:
    """The request was refused before any view ran (even before the CSRF check), so say why plainly."""
    limit = platform().settings.max_definition_bytes // 1024
    message = _("上传内容过大：每个文件不得超过 %(limit)s KiB，请删除嵌入的图片或拆分流程", limit=limit)
    return _upload_page(413, message=message)
