"""Process diagrams as SVG: a deployed version's, and an instance's with its progress marked."""

from __future__ import annotations

from flask import Response
from flask.typing import ResponseReturnValue

from webapp.api import bp
from webapp.auth import current_principal, platform

SVG_TYPE = "image/svg+xml; charset=utf-8"
# the SVG is inert by construction; the policy makes sure a browser opening it directly runs nothing either
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


def svg_response(text: str) -> Response:
    response = Response(text, status=200, content_type=SVG_TYPE)
    response.headers["Content-Security-Policy"] = SVG_POLICY
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/process-definitions/<process_id>/<int:version>/diagram.svg")
def version_diagram(process_id: str, version: int) -> ResponseReturnValue:
    return svg_response(platform().diagrams.version_svg(current_principal(), process_id, version))


@bp.get("/instances/<int:instance_id>/diagram.svg")
def instance_diagram(instance_id: int) -> ResponseReturnValue:
    return svg_response(platform().diagrams.instance_svg(current_principal(), instance_id))
