"""Server-side rendering of a user-task form (a JSON Schema 2020-12 in ``forms/*.json``) into HTML form controls,
and parsing of the submitted form back into data.

The web workbench's task page renders the controls with :func:`render_fields` inside its own ``<form>``, reads the
submission with :func:`parse_form` and hands the data to the engine, which validates it again with jsonschema. When
the engine refuses it (``FormValidationError``, details ``[{"field": "a.b", "message": "..."}]``),
:func:`errors_by_field` turns the details into the ``errors`` mapping :func:`render_fields` shows under each field.

One control per top-level property, in schema order:

=====================================  ====================================================================
``string``                             ``<input type="text">``; ``<textarea>`` when ``maxLength`` > 200
``string`` (or any type) with ``enum``  ``<select>``; an empty-string member shows as "（无）"; option labels
                                       come from ``x-enumNames``/``enumNames`` or, failing that, from a
                                       description such as ``accept 受理；not_accept 不予受理``
``boolean``                            a checkbox with value ``true`` (absent on submission means ``False``)
``integer`` / ``number``               ``<input type="number">`` (``step="1"`` / ``step="any"``)
``array`` of ``string``                a ``<textarea>``, one item per line, hinted "每行一项"
anything else                          a text input with a note; the raw text is submitted as is
=====================================  ====================================================================

Labels come from ``title`` (the property name when there is none) and help text from ``description``. Fields in
the schema's ``required`` carry a red asterisk and the ``required`` attribute; fields required only under an
``if``/``then`` (also inside ``allOf``) or by ``dependentRequired`` carry the note "视情况必填" with the condition
when it is a simple ``const`` test. A checkbox is never marked required: it always yields a boolean, and the HTML
``required`` attribute would mean "must be ticked". Every text taken from the schema, the values or the errors is
HTML-escaped; :class:`markupsafe.Markup` only wraps pieces that are already escaped.

Nested objects, arrays of non-strings, ``$ref`` and composition keywords other than ``if``/``then`` are not given
dedicated controls; such fields fall back to a text input and the engine's validation reports what is wrong.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from markupsafe import Markup, escape

__all__ = ["errors_by_field", "parse_form", "render_fields"]

#: An enum member that is the empty string is shown with this label.
EMPTY_ENUM_LABEL = "（无）"
#: The placeholder option of a ``<select>`` whose enum has no empty member.
PLACEHOLDER_LABEL = "（请选择）"
#: The hint under an array-of-strings textarea.
LINES_HINT = "每行一项"
#: The note on a field that is required only under some condition.
CONDITIONAL_NOTE = "视情况必填"
#: The key of an error about the whole form rather than one field.
FORM_ERROR_KEY = "_form"
#: ``maxLength`` above which a string gets a ``<textarea>``.
TEXTAREA_THRESHOLD = 200

_TRUE_VALUES = frozenset({"true", "on", "1", "yes"})
_REQUIRED_MARK = Markup('<span class="required-mark" style="color:#c00" title="必填" aria-hidden="true">*</span>')
_ENUM_LABEL_RE = re.compile(r"^(\S+)\s+(.+)$")


# --- schema inspection ------------------------------------------------------------------------------------------


def _properties(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    props = schema.get("properties")
    return props if isinstance(props, Mapping) else {}


def _prop_schema(raw: Any) -> Mapping[str, Any]:
    return raw if isinstance(raw, Mapping) else {}


def _type_of(prop: Mapping[str, Any]) -> str:
    """The property's type: the first non-null one of a type list; ``"string"`` for an untyped enum of strings."""
    kind = prop.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if isinstance(k, str) and k != "null"]
        kind = kinds[0] if kinds else None
    if isinstance(kind, str):
        return kind
    enum = prop.get("enum")
    if isinstance(enum, list) and enum and all(isinstance(v, str) for v in enum):
        return "string"
    return ""


def _enum(prop: Mapping[str, Any]) -> list[Any] | None:
    enum = prop.get("enum")
    return list(enum) if isinstance(enum, list) else None


def _is_string_array(prop: Mapping[str, Any]) -> bool:
    if _type_of(prop) != "array":
        return False
    items = _prop_schema(prop.get("items"))
    return _type_of(items) == "string"


def _required(schema: Mapping[str, Any]) -> set[str]:
    required = schema.get("required")
    return {r for r in required if isinstance(r, str)} if isinstance(required, list) else set()


def _text(value: Any) -> str:
    """A value as the text a control shows."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _enum_labels(prop: Mapping[str, Any], enum: list[Any]) -> dict[str, str]:
    """Display labels per enum member: explicit names, else ``code 名称`` pairs found in the description."""
    labels: dict[str, str] = {}
    names = prop.get("x-enumNames", prop.get("enumNames"))
    if isinstance(names, list) and len(names) == len(enum):
        return {_text(v): str(n) for v, n in zip(enum, names, strict=True)}
    description = prop.get("description")
    if isinstance(description, str):
        members = {_text(v) for v in enum}
        for segment in re.split(r"[；;\n]", description):
            match = _ENUM_LABEL_RE.match(segment.strip())
            if match and match.group(1) in members:
                labels.setdefault(match.group(1), match.group(2).strip())
    return labels


def _condition_text(schema: Mapping[str, Any], condition: Any) -> str | None:
    """A readable form of a simple ``if`` (one property compared with ``const``), else None."""
    if not isinstance(condition, Mapping):
        return None
    props = condition.get("properties")
    if not isinstance(props, Mapping) or len(props) != 1:
        return None
    name, test = next(iter(props.items()))
    if not isinstance(test, Mapping) or "const" not in test:
        return None
    prop = _prop_schema(_properties(schema).get(name))
    title = str(prop.get("title") or name)
    const = test["const"]
    if _type_of(prop) == "boolean" and isinstance(const, bool):
        return f"勾选「{title}」时" if const else f"未勾选「{title}」时"
    enum = _enum(prop)
    label = _enum_labels(prop, enum).get(_text(const)) if enum else None
    shown = EMPTY_ENUM_LABEL if const == "" else (label or _text(const))
    return f"「{title}」为“{shown}”时"


def _conditional_requirements(schema: Mapping[str, Any]) -> dict[str, list[str | None]]:
    """Fields required only under some condition, each with the readable conditions (None when not simple)."""
    found: dict[str, list[str | None]] = {}

    def visit(node: Any) -> None:
        if not isinstance(node, Mapping):
            return
        if "if" in node:
            condition = _condition_text(schema, node["if"])
            for branch, text in (("then", condition), ("else", None)):
                sub = node.get(branch)
                if isinstance(sub, Mapping):
                    for name in sorted(_required(sub)):
                        found.setdefault(name, []).append(text)
        all_of = node.get("allOf")
        if isinstance(all_of, list):
            for sub in all_of:
                visit(sub)

    visit(schema)
    dependent = schema.get("dependentRequired")
    if isinstance(dependent, Mapping):
        for trigger, names in dependent.items():
            if not isinstance(names, list):
                continue
            title = str(_prop_schema(_properties(schema).get(trigger)).get("title") or trigger)
            for name in names:
                if isinstance(name, str):
                    found.setdefault(name, []).append(f"填写「{title}」时")
    return found


# --- rendering --------------------------------------------------------------------------------------------------


def _attrs(**attributes: str | bool | None) -> Markup:
    """`` name="value"`` pairs, escaped; ``True`` gives a bare attribute, ``None``/``False`` leaves it out.

    A trailing underscore is dropped (``for_``) and other underscores become dashes (``aria_invalid``)."""
    parts: list[str] = []
    for key, value in attributes.items():
        if value is None or value is False:
            continue
        name = key.rstrip("_").replace("_", "-")
        if value is True:
            parts.append(f" {escape(name)}")
        else:
            parts.append(f' {escape(name)}="{escape(value)}"')
    return Markup("".join(parts))  # noqa: S704 - every piece above is escaped


def _field_error(name: str, errors: Mapping[str, str]) -> str | None:
    """The message for a property: its own key first, else the first nested one (``missing.0``)."""
    if name in errors:
        return str(errors[name])
    prefix = f"{name}."
    for key, message in errors.items():
        if key.startswith(prefix):
            return str(message)
    return None


def _options(prop: Mapping[str, Any], enum: list[Any], current: str, required: bool) -> Markup:
    labels = _enum_labels(prop, enum)
    values = [_text(v) for v in enum]
    out: list[Markup] = []
    if "" not in values:
        out.append(
            Markup("<option{}>{}</option>").format(
                _attrs(value="", selected=current == ""), PLACEHOLDER_LABEL if required else EMPTY_ENUM_LABEL
            )
        )
    for value in values:
        label = EMPTY_ENUM_LABEL if value == "" else labels.get(value, value)
        out.append(Markup("<option{}>{}</option>").format(_attrs(value=value, selected=value == current), label))
    return Markup("").join(out)


def _render_field(
    name: str,
    prop: Mapping[str, Any],
    *,
    value: Any,
    has_value: bool,
    required: bool,
    conditions: list[str | None] | None,
    error: str | None,
) -> Markup:
    kind = _type_of(prop)
    enum = _enum(prop)
    title = str(prop.get("title") or name)
    description = prop.get("description")
    if not has_value and "default" in prop:
        value = prop["default"]

    control_kind: str
    if enum is not None:
        control_kind = "select"
    elif kind == "boolean":
        control_kind = "checkbox"
    elif kind == "string":
        max_length = prop.get("maxLength")
        is_long = isinstance(max_length, int) and max_length > TEXTAREA_THRESHOLD
        control_kind = "textarea" if is_long else "text"
    elif kind in ("integer", "number"):
        control_kind = "number"
    elif kind == "array" and _is_string_array(prop):
        control_kind = "lines"
    else:
        control_kind = "unsupported"

    mark_required = required and control_kind != "checkbox"
    notes: list[tuple[str, str, str]] = []  # (css class, id suffix, text)
    if control_kind == "lines":
        notes.append(("field-hint", "hint", LINES_HINT))
    if control_kind == "unsupported":
        shown = kind or "未声明"
        note = f"此字段类型（{shown}）没有专用控件，请按文本填写"
        notes.append(("field-note field-unsupported", "unsupported", note))
    if conditions and not required:
        readable = [c for c in conditions if c]
        text = CONDITIONAL_NOTE + ("：" + "；".join(dict.fromkeys(readable)) if readable else "")
        notes.append(("field-note field-conditional", "condition", text))
    if isinstance(description, str) and description.strip():
        notes.append(("field-help", "help", description))

    described = [f"{name}-{suffix}" for _, suffix, _ in notes]
    if error is not None:
        described.append(f"{name}-error")
    common: dict[str, str | bool | None] = {
        "id": name,
        "name": name,
        "required": mark_required,
        "aria_describedby": " ".join(described) or None,
        "aria_invalid": "true" if error is not None else None,
    }

    max_length = prop.get("maxLength")
    min_length = prop.get("minLength")
    lengths: dict[str, str | bool | None] = {
        "maxlength": str(max_length) if isinstance(max_length, int) and not isinstance(max_length, bool) else None,
        "minlength": str(min_length) if isinstance(min_length, int) and not isinstance(min_length, bool) else None,
    }

    control: Markup
    if control_kind == "select":
        assert enum is not None
        control = Markup("<select{}>{}</select>").format(
            _attrs(**common), _options(prop, enum, _text(value), mark_required)
        )
    elif control_kind == "checkbox":
        checked = value is True or (isinstance(value, str) and value.strip().lower() in _TRUE_VALUES)
        control = Markup('<input type="checkbox"{}>').format(_attrs(value="true", checked=checked, **common))
    elif control_kind == "textarea":
        control = Markup('<textarea rows="5"{}>\n{}</textarea>').format(_attrs(**common, **lengths), _text(value))
    elif control_kind == "text":
        control = Markup('<input type="text"{}>').format(_attrs(value=_text(value), **common, **lengths))
    elif control_kind == "number":
        limits: dict[str, str | bool | None] = {
            "min": _text(prop["minimum"]) if isinstance(prop.get("minimum"), int | float) else None,
            "max": _text(prop["maximum"]) if isinstance(prop.get("maximum"), int | float) else None,
            "step": "1" if kind == "integer" else "any",
        }
        control = Markup('<input type="number"{}>').format(_attrs(value=_text(value), **common, **limits))
    elif control_kind == "lines":
        text = "\n".join(_text(v) for v in value) if isinstance(value, list | tuple) else _text(value)
        control = Markup('<textarea rows="5"{}>\n{}</textarea>').format(_attrs(**common), text)
    else:
        control = Markup('<input type="text"{}>').format(_attrs(value=_text(value), **common))

    label = Markup("<label{}>{}{}</label>").format(
        _attrs(for_=name), title, _REQUIRED_MARK if mark_required else Markup("")
    )
    pieces: list[Markup] = []
    if control_kind == "checkbox":
        pieces += [control, label]
    else:
        pieces += [label, control]
    if error is not None:
        pieces.append(Markup('<p class="field-error" id="{}-error" role="alert">{}</p>').format(name, error))
    for css, suffix, text in notes:
        pieces.append(Markup('<p class="{}" id="{}-{}">{}</p>').format(css, name, suffix, text))
    css = f"form-field form-field-{control_kind}" + (" has-error" if error is not None else "")
    return Markup('<div class="{}">\n{}\n</div>').format(css, Markup("\n").join(pieces))


def render_fields(
    schema: Mapping[str, Any],
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
) -> Markup:
    """The form controls of ``schema``, one ``<div class="form-field">`` per property in schema order.

    ``values`` pre-fills the controls (a property missing from it gets the schema ``default``, if any); ``errors``
    maps field names (as from :func:`errors_by_field`) to messages shown under the field. Errors about the whole
    form (``_form``) or about names that are no property come first, in a ``<div class="form-errors">``.
    """
    values = values or {}
    errors = errors or {}
    properties = _properties(schema)
    required = _required(schema)
    conditional = _conditional_requirements(schema)

    blocks: list[Markup] = []
    general = [
        str(message)
        for key, message in errors.items()
        if key == FORM_ERROR_KEY or key.split(".", 1)[0] not in properties
    ]
    if general:
        lines = Markup("").join(Markup('<p class="field-error">{}</p>').format(m) for m in general)
        blocks.append(Markup('<div class="form-errors" id="_form-error" role="alert">{}</div>').format(lines))
    for name, raw in properties.items():
        name = str(name)
        blocks.append(
            _render_field(
                name,
                _prop_schema(raw),
                value=values.get(name),
                has_value=name in values,
                required=name in required,
                conditions=conditional.get(name),
                error=_field_error(name, errors),
            )
        )
    return Markup("\n").join(blocks)


# --- parsing ----------------------------------------------------------------------------------------------------


def _all_values(form: Mapping[str, Any], name: str) -> list[str]:
    getlist = getattr(form, "getlist", None)
    if callable(getlist):
        return [str(v) for v in getlist(name)]
    value = form.get(name)
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]


def _first_value(form: Mapping[str, Any], name: str) -> str | None:
    found = _all_values(form, name)
    return found[0] if found else None


def _number(raw: str, kind: str) -> int | float | str:
    """``raw`` as an int (integer) or int/float (number); the raw text when it is no finite number."""
    try:
        return int(raw)
    except ValueError:
        pass
    try:
        number = float(raw)
    except ValueError:
        return raw
    if not math.isfinite(number):
        return raw
    if kind == "integer":
        return int(number) if number.is_integer() else raw
    return number


def _lines(chunks: Iterable[str]) -> list[str]:
    return [line.strip() for chunk in chunks for line in chunk.splitlines() if line.strip()]


def parse_form(schema: Mapping[str, Any], form: Mapping[str, Any]) -> dict[str, Any]:
    """The data of a submitted form (a ``Mapping[str, str]`` or a werkzeug ``MultiDict``), shaped by ``schema``.

    Only the schema's properties are read. Strings are stripped and left out when empty unless unconditionally
    required (then ``""`` is kept so the engine reports it); an empty string that is an enum member is kept.
    Checkboxes give ``True``/``False`` (absent is ``False``). Numbers are converted; text that is no number stays
    a string so that jsonschema reports it. Arrays of strings come from textarea lines, blank lines dropped.
    """
    properties = _properties(schema)
    required = _required(schema)
    data: dict[str, Any] = {}
    for name, raw in properties.items():
        name = str(name)
        prop = _prop_schema(raw)
        kind = _type_of(prop)
        enum = _enum(prop)
        is_required = name in required

        if kind == "boolean" and enum is None:
            data[name] = any(v.strip().lower() in _TRUE_VALUES for v in _all_values(form, name))
            continue
        if kind == "array" and _is_string_array(prop):
            items = _lines(_all_values(form, name))
            if items or is_required:
                data[name] = items
            continue

        raw_value = _first_value(form, name)
        if raw_value is None:
            continue
        text = raw_value.strip()
        if enum is not None:
            if text == "" and "" not in [_text(v) for v in enum] and not is_required:
                continue
            data[name] = _number(text, kind) if kind in ("integer", "number") and text else text
        elif kind in ("integer", "number"):
            if text:
                data[name] = _number(text, kind)
        elif text or is_required:
            data[name] = text
    return data


def errors_by_field(details: list[dict[str, str]]) -> dict[str, str]:
    """The engine's field errors (``[{"field": "a.b", "message": ...}]``) as ``{field: first message}``.

    A detail without a field counts as ``_form`` (the whole form); malformed entries are skipped."""
    out: dict[str, str] = {}
    for detail in details or []:
        if not isinstance(detail, Mapping):
            continue
        field = str(detail.get("field") or FORM_ERROR_KEY)
        message = detail.get("message")
        if message is None:
            continue
        out.setdefault(field, str(message))
    return out
