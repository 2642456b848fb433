"""processes/towns.toml's per-town ``off_hours_duty``: evening duty is on unless a town says it keeps none."""

from __future__ import annotations

import pytest

from engine.domain.catalogue import load_catalogue
from engine.domain.organisation import load_organisation
from engine.domain.towns import TownsError, load_towns
from tests.conftest import ROOT

PROCESSES = ROOT / "processes"


def _load(text: str):  # type: ignore[no-untyped-def]
    organisation = load_organisation((PROCESSES / "organisation.toml").read_text(encoding="utf-8"))
    catalogue = load_catalogue((PROCESSES / "catalog.toml").read_text(encoding="utf-8"))
    return load_towns(text, organisation, {i.code for i in catalogue.items})


def test_evening_duty_is_the_default_and_a_town_may_switch_it_off() -> None:
    text = (PROCESSES / "towns.toml").read_text(encoding="utf-8")
    assert all(t.off_hours_duty for t in _load(text).towns)
    changed = text.replace('code = "XIAOJIE"\n', 'code = "XIAOJIE"\noff_hours_duty = false\n', 1)
    plans = {t.code: t.off_hours_duty for t in _load(changed).towns}
    assert plans == {"SONGYANG": True, "YANGLIN": True, "XIAOJIE": False, "NIULANJIANG": True}
    with pytest.raises(TownsError, match="off_hours_duty: expected true or false"):
        _load(text.replace('code = "XIAOJIE"\n', 'code = "XIAOJIE"\noff_hours_duty = "no"\n', 1))
