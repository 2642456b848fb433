"""The town demo's staff accounts: a town's window staff receive at their town and draw up its roster, but are
not county window officers (window_officer@CENTRE would let them act on any county case); running it again
keeps what earlier runs scheduled."""

from __future__ import annotations

from engine.bootstrap import Platform
from engine.demo_towns import generate_towns
from engine.domain.access import RoleGrant


def test_town_staff_are_agents_and_town_officers_not_county_window_officers(platform: Platform) -> None:
    platform.catalogue.load()  # the organisation and catalogue (the towns are service points)
    lines: list[str] = []
    scheduled = generate_towns(platform.settings, lines.append)
    assert scheduled > 0
    staff = platform.accounts.principal("songyang_sh")
    assert staff is not None
    assert set(staff.grants) == {RoleGrant("agent", None), RoleGrant("town_officer", None)}
    assert not staff.has_role("window_officer") and not staff.holds("window_officer", "CENTRE")
    directory = platform.roster.directory()
    assert directory.town("SONGYANG").manages_roster(staff)
    assert not directory.town("YANGLIN").manages_roster(staff)
    assert generate_towns(platform.settings, lines.append) == scheduled  # a second run: past months kept
