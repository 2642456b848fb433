"""Check form files: JSON syntax (with its line) and the JSON Schema meta-schema."""

from __future__ import annotations

import bisect
import json
import re
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.validators import validator_for

from engine.bpmn.bundle import SourceFile
from engine.errors import Problem

_WS = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_SCALAR = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null")
JsonPath = tuple[str | int, ...]


def _line_index(text: str) -> dict[JsonPath, int]:
    """JSON path -> 1-based line where that value starts (text must already be valid JSON)."""
    newlines = [i for i, ch in enumerate(text) if ch == "\n"]
    lines: dict[JsonPath, int] = {}

    def line_at(pos: int) -> int:
        return bisect.bisect_right(newlines, pos - 1) + 1

    def string(pos: int) -> tuple[str, int]:
        match = _STRING.match(text, pos)
        if match is None:
            raise ValueError(pos)
        return str(json.loads(match.group())), match.end()

    def ws(pos: int) -> int:
        match = _WS.match(text, pos)
        return match.end() if match else pos

    def value(pos: int, path: JsonPath) -> int:
        pos = ws(pos)
        lines[path] = line_at(pos)
        ch = text[pos]
        if ch == '"':
            return string(pos)[1]
        if ch in "{[":
            closing, index = ("}" if ch == "{" else "]"), 0
            pos = ws(pos + 1)
            if text[pos] == closing:
                return pos + 1
            while True:
                if ch == "{":
                    key, pos = string(ws(pos))
                    pos = ws(pos) + 1  # the colon
                    pos = value(pos, (*path, key))
                else:
                    pos = value(pos, (*path, index))
                    index += 1
                pos = ws(pos)
                if text[pos] == closing:
                    return pos + 1
                pos += 1  # the comma
        match = _SCALAR.match(text, pos)
        return match.end() if match else pos + 1

    value(0, ())
    return lines


def _pointer(path: JsonPath) -> str:
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path) if path else "/"


def check_form_file(source: SourceFile, max_bytes: int) -> list[Problem]:
    """Problems of one form file; element_id is the JSON pointer of the offending part."""
    name = source.name
    if len(source.content) > max_bytes:
        return [Problem(name, 1, "", f"form file is {len(source.content):,} bytes; the limit is {max_bytes:,}")]
    try:
        text = source.content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = source.content.count(b"\n", 0, error.start) + 1
        return [Problem(name, line, "", "form file is not UTF-8 text: save it as UTF-8")]
    if not text.strip():
        return [Problem(name, 1, "", "form file is empty: it must hold a JSON Schema object")]
    try:
        schema: Any = json.loads(text)
    except json.JSONDecodeError as error:
        return [
            Problem(
                name,
                max(1, error.lineno),
                "",
                f"form file is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})",
            )
        ]
    except RecursionError:
        return [Problem(name, 1, "", "form file is nested too deeply to read")]
    if not isinstance(schema, dict):
        return [Problem(name, 1, "", f"a form must be a JSON Schema object, not a JSON {type(schema).__name__}")]
    try:
        lines = _line_index(text)
    except (RecursionError, IndexError, ValueError):
        lines = {}
    declared = schema.get("$schema")
    cls = validator_for(schema, default=Draft202012Validator)
    problems = []
    if isinstance(declared, str) and cls is Draft202012Validator and "2020-12" not in declared:
        problems.append(
            Problem(
                name,
                lines.get(("$schema",), 1),
                "/$schema",
                f"unknown $schema {declared!r}: use https://json-schema.org/draft/2020-12/schema "
                "(or leave $schema out)",
                "warning",
            )
        )
    meta = cls(cls.META_SCHEMA)
    try:
        errors = sorted(meta.iter_errors(schema), key=lambda e: [str(p) for p in e.absolute_path])
    except RecursionError:
        return [*problems, Problem(name, 1, "", "form schema is nested too deeply to check")]
    for issue in errors:
        path = tuple(issue.absolute_path)
        line = lines.get(path) or lines.get(path[:-1]) or 1
        problems.append(Problem(name, line, _pointer(path), f"not a valid JSON Schema: {issue.message}"))
    return problems
