"""The landing page (Chinese first); the workbench pages for each user group come with their blueprints."""

from __future__ import annotations

from flask import Blueprint, render_template_string
from flask.typing import ResponseReturnValue

bp = Blueprint("pages", __name__)

HOME = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>一站式政务服务审批平台 Onestop</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:3rem auto;max-width:48rem;
color:#1f2937;line-height:1.6}h1{color:#b91c1c}code{background:#f3f4f6;padding:0 .3em}</style></head>
<body><h1>一站式政务服务审批平台</h1>
<p>Onestop 以 BPMN 流程驱动各审批事项：并联审查、限时办结（按工作日计时）、电子监察。</p>
<ul><li>接口文档：<a href="/api/v1/openapi.json"><code>/api/v1/openapi.json</code></a></li>
<li>获取令牌：<code>POST /api/v1/auth/token</code></li>
<li>已部署流程：{{ count }} 个</li>
<li><a href="/guide">办事指南</a> · <a href="/lookup">办件查询</a></li>
<li><a href="/login">工作人员登录</a></li></ul>
<p lang="en">English: Onestop runs each approval item as a BPMN process; see the API description above.</p>
</body></html>"""


@bp.get("/")
def home() -> ResponseReturnValue:
    from webapp.auth import platform

    count = len({v.process_id for v in platform().definitions.list_versions()})
    return render_template_string(HOME, count=count)


@bp.get("/healthz")
def health() -> ResponseReturnValue:
    return {"status": "ok"}
