"""schemathesis against /api/v1/openapi.json of the real Flask app (WSGI, in-process, test database).

Every documented operation is called with generated requests as an administrator (API token, as the contract
says), as a window officer and a designer (other code paths), and without a token: never a 5xx. Valid
requests as the administrator must also get a documented status, content type and a body matching the
documented response schema; invalid ones (schemathesis's negative mode) only must not break the server.
Generation is derandomized and small per operation, so the file runs in under a minute and cannot flake
(ONESTOP_SCHEMATHESIS_EXAMPLES raises the count for a longer hunt). The document itself must be valid
OpenAPI 3.1 and describe every route under /api/v1, or an undocumented route would escape the fuzzing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.hostile.conftest import bearer
from webapp.api.openapi import document

EXAMPLES = int(os.environ.get("ONESTOP_SCHEMATHESIS_EXAMPLES", "6"))
CONFORMANCE = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
Check = Callable[..., object]


def load(app: Flask) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def failures_of(
    schema: schemathesis.BaseSchema,
    headers: dict[str, str],
    checks: list[Check],
    mode: GenerationMode = GenerationMode.POSITIVE,
    examples: int = EXAMPLES,
) -> dict[str, str]:
    """Operation label -> the first failure schemathesis reported for it (with its curl reproduction)."""
    found: dict[str, str] = {}
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=examples,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=checks)

        try:
            call()
        except Unsatisfiable:
            pass  # negative mode: an operation without parameters or body has nothing to get wrong
        except (Exception, BaseExceptionGroup) as failure:  # schemathesis raises a FailureGroup
            found[operation.label] = "\n".join(line for line in str(failure).splitlines() if line.strip())[:1500]
    return found


def report(found: dict[str, str]) -> str:
    return "\n\n".join(f"== {label}\n{text}" for label, text in sorted(found.items()))


def test_the_document_is_valid_openapi_3_1(app: Flask) -> None:
    schema = load(app)
    schema.validate()  # raises on any violation of the OpenAPI 3.1 meta-schema
    assert schema.raw_schema["openapi"] == "3.1.0"
    assert len(list(schema.get_all_operations())) > 100


def test_every_api_route_is_documented(app: Flask) -> None:
    documented = {(method.upper(), path) for path, ops in document()["paths"].items() for method in ops}
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            # <any(a, b):action> stands for one documented path per choice
            choices = re.search(r"<any\(([^)]*)\):\w+>", rule.rule)
            paths = (
                [re.sub(r"<any\([^)]*\):\w+>", c.strip(), path) for c in choices[1].split(",")] if choices else [path]
            )
            missing += [(method, p) for p in paths if (method, p) not in documented]
    assert missing == []


def test_valid_requests_as_admin_get_documented_answers(app: Flask) -> None:
    found = failures_of(load(app), bearer(app.test_client(), "admin"), CONFORMANCE)
    assert not found, report(found)


def test_invalid_requests_as_admin_never_break_the_server(app: Flask) -> None:
    found = failures_of(load(app), bearer(app.test_client(), "admin"), [not_a_server_error], GenerationMode.NEGATIVE)
    assert not found, report(found)


def test_requests_without_a_token_get_documented_answers(app: Flask) -> None:
    found = failures_of(load(app), {}, CONFORMANCE)
    assert not found, report(found)


def test_requests_as_other_roles_never_break_the_server(app: Flask) -> None:
    schema = load(app)
    client = app.test_client()
    for username in ("window", "designer"):
        found = failures_of(schema, bearer(client, username), [not_a_server_error], examples=max(1, EXAMPLES // 2))
        assert not found, f"as {username}:\n{report(found)}"
