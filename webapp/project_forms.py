"""Read the key-project forms into what the project service takes, and its field errors back onto the form."""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from engine.errors import FormValidationError
from webapp.form_render import errors_by_field

#: the registration form's investor fields, named ``investor_<key>`` on the page
INVESTOR_KEYS = ("name", "contact", "phone", "credit_code")


def register_body(values: dict[str, str]) -> dict[str, Any]:
    """The registration form as the service's body; materials are one name per line."""
    materials = [line.strip() for line in values.get("materials", "").splitlines() if line.strip()]
    return {
        "name": values.get("name", ""),
        "investor": {key: values.get(f"investor_{key}", "") for key in INVESTOR_KEYS},
        "location": values.get("location", ""),
        "investment": values.get("investment", ""),
        "stage": values.get("stage", ""),
        "materials": materials,
    }


def triage_values(form: MultiDict[str, str]) -> dict[str, Any]:
    """The triage form: the ticked items (``items``), each one's prerequisites (``prerequisites.<code>``, only
    those among the ticked items count), the steward and the lead department."""
    ticked = [code for code in dict.fromkeys(form.getlist("items")) if code]
    prerequisites = {code: [p for p in form.getlist(f"prerequisites.{code}") if p] for code in ticked}
    return {
        "items": set(ticked),
        "order": ticked,
        "prerequisites": prerequisites,
        "reviews": [{"item_code": code, "prerequisites": prerequisites[code]} for code in ticked],
        "steward": form.get("steward", ""),
        "lead_department": form.get("lead_department", ""),
    }


def triage_errors(error: FormValidationError, values: dict[str, Any]) -> dict[str, str]:
    """The service names a review by its index (``reviews.2.prerequisites``); the page shows it on that item's
    row (``item.<code>``)."""
    errors: dict[str, str] = {}
    order: list[str] = values["order"]
    for field, message in errors_by_field(error.details or []).items():
        parts = field.split(".")
        if parts[0] == "reviews" and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(order):
            errors.setdefault(f"item.{order[int(parts[1])]}", message)
        else:
            errors.setdefault(field, message)
    return errors
