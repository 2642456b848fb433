"""The Songming catalogue (processes/catalog.toml) and organisation (processes/organisation.toml): the shipped
data loads, has the report's counts, keeps sourced values apart from inferred ones, and the loaders refuse each
kind of bad data with the item and field named."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from engine.domain.catalogue import Catalogue, CatalogueError, Item, load_catalogue
from engine.domain.catalogue_model import GUIDE_FIELDS, ITEM_TYPES, STEP_ROLES
from engine.domain.organisation import Organisation, OrganisationError, check_catalogue_against, load_organisation
from engine.domain.organisation_model import FAST_TRACK, SUPERVISION, TOWN_WINDOW_CATEGORIES

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "processes" / "catalog.toml"
ORGANISATION = ROOT / "processes" / "organisation.toml"
CANDIDATES = ROOT.parent / "shared" / "domain" / "catalogue-candidates.md"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(CATALOG.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def organisation() -> Organisation:
    return load_organisation(ORGANISATION.read_text(encoding="utf-8"))


def by_source(catalogue: Catalogue, number: int) -> Item:
    return next(item for item in catalogue.items if item.source_no == number)


# ---------------------------------------------------------------------------------------------------- shipped


def test_shipped_catalogue_loads_with_50_items(catalogue: Catalogue) -> None:
    assert len(catalogue.items) == 50
    assert len(catalogue.by_code) == 50


def test_catalogue_has_33_licences_5_non_licence_approvals_12_services(catalogue: Catalogue) -> None:
    assert catalogue.counts_by_type() == {"行政许可": 33, "非行政许可审批": 5, "管理服务事项": 12}
    assert sum(len(catalogue.by_type(t)) for t in ITEM_TYPES) == 50


def test_catalogue_uses_exactly_14_departments(catalogue: Catalogue) -> None:
    assert len(catalogue.department_codes()) == 14
    assert len({item.department for item in catalogue.items}) == 14
    assert sum(len(catalogue.by_department(code)) for code in catalogue.department_codes()) == 50


def test_every_item_has_every_guide_field(catalogue: Catalogue) -> None:
    for item in catalogue.items:
        for name in ("code", "name", "type", "department", "window", "office_phone", "complaint_phone", "result"):
            assert getattr(item, name).strip(), (item.code, name)
        assert item.legal_basis and item.conditions and item.materials and item.steps, item.code
        assert item.fee.amount_text and item.fee.basis, item.code
        assert item.statutory_days is not None or item.statutory_note, item.code
        assert item.visits in (0, 1, 2), item.code
        assert item.source_no is not None and item.sources, item.code


def test_promised_limit_never_exceeds_the_statutory_limit(catalogue: Catalogue) -> None:
    checked = 0
    for item in catalogue.items:
        if item.statutory_days is None:
            continue
        checked += 1
        if item.statutory_unit == "工作日":
            assert item.promised_days <= item.statutory_days, item.code
        else:  # calendar days hold at most 5 working days per 7
            assert item.promised_days * 7 / 5 <= item.statutory_days, item.code
    assert checked >= 40


def test_every_legal_basis_names_a_law_and_an_article_or_says_why_not(catalogue: Catalogue) -> None:
    for item in catalogue.items:
        for basis in item.legal_basis:
            assert re.search(r"(法|条例|办法|规定)", basis.law), (item.code, basis.law)
            assert re.fullmatch(r"(第[一二三四五六七八九十百]+条、?)+", basis.article) or basis.note, (item.code, basis)


def test_instant_items_are_done_on_the_spot_by_the_window_alone(catalogue: Catalogue) -> None:
    instant = [item for item in catalogue.items if item.instant]
    assert {item.source_no for item in instant} == {4, 17, 18, 20, 40, 47, 54, 58}
    for item in instant:
        assert item.promised_days == 0 and [s.role for s in item.steps] == ["window_officer"], item.code
        assert item.kind == "即办件"


def test_item_codes_are_ascii_ncname_suffixes_following_type_and_department(catalogue: Catalogue) -> None:
    prefixes = {"行政许可": "XK", "非行政许可审批": "FXK", "管理服务事项": "FW"}
    for item in catalogue.items:
        assert re.fullmatch(r"[A-Z]+-[A-Z]+-\d{3}", item.code), item.code
        assert item.code.startswith(prefixes[item.type] + "-" + catalogue.department(item.department).abbr + "-")


def test_every_step_role_is_a_platform_role(catalogue: Catalogue) -> None:
    assert {step.role for item in catalogue.items for step in item.steps} <= set(STEP_ROLES)


# ------------------------------------------------------------------------------------ sourced versus inferred

# Values transcribed from catalogue-candidates.md (per-item sections) and marked [S] there.
SOURCED_SAMPLE = [
    # source_no, field, expected value
    (5, "statutory_days", 20),  # 20 WD [S]
    (5, "promised_days", 5),  # 5 WD [S W08]
    (14, "statutory_days", 30),  # 报告表 30 d [S]
    (14, "statutory_unit", "日"),
    (14, "promised_days", 5),  # 5 WD [S W07]
    (26, "statutory_days", 20),  # 20 WD [S]
    (26, "promised_days", 15),  # 15 WD [S W11]
    (30, "statutory_days", 20),  # 20 WD [S W03]
    (30, "promised_days", 1),  # 1 WD [S W03]
    (30, "visits", 1),  # 到现场 1 次 [S W03]
    (51, "statutory_days", 20),  # 20 WD [S W01]
    (51, "promised_days", 10),  # 10 WD [S W01]
    (18, "promised_days", 0),  # 当场 [S W15]
    (18, "instant", True),  # [S W15]
    (44, "promised_days", 5),  # 5 WD [S W22]
    (41, "statutory_days", 25),  # 25 WD [S]
    (41, "extension_days", 15),  # up to 40 WD [S]
    (23, "statutory_days", 45),  # 45 WD [S]
    (58, "statutory_days", 1),  # 一日内换发 [S]
]


@pytest.mark.parametrize(("number", "field", "expected"), SOURCED_SAMPLE, ids=lambda v: str(v))
def test_sourced_values_are_kept_and_not_marked_inferred(
    catalogue: Catalogue, number: int, field: str, expected: object
) -> None:
    item = by_source(catalogue, number)
    assert getattr(item, field) == expected
    assert not item.is_inferred(field)


def test_sourced_fees_are_not_marked_inferred(catalogue: Catalogue) -> None:
    for number in (1, 14, 16, 30):  # 不收费 with an item-specific source [S]
        item = by_source(catalogue, number)
        assert item.fee.is_free and not item.is_inferred("fee"), item.code


def test_inferred_values_are_marked_inferred(catalogue: Catalogue) -> None:
    assert by_source(catalogue, 6).is_inferred("statutory_days")  # 20 WD [I]
    assert by_source(catalogue, 9).is_inferred("fee")  # 登记费 [I]
    assert by_source(catalogue, 5).is_inferred("fee")  # [§58] only
    for item in catalogue.items:  # demo values for every item
        for name in ("code", "window", "office_phone", "complaint_phone", "steps", "materials.copies"):
            assert item.is_inferred(name), (item.code, name)


MARK = re.compile(r"\[(S/I|S|I|§58)\]")
#: columns of the candidates' summary table that map onto one item field
COLUMNS = {5: "statutory_days", 6: "promised_days", 7: "instant", 8: "fee"}
#: where the per-item section is stricter than the summary table (the table tags only the 补偿费 part)
STRICTER = {(8, "fee")}


def test_every_summary_table_mark_agrees_with_the_inferred_lists(catalogue: Catalogue) -> None:
    """A cell tagged only [S] must not be inferred; a cell tagged only [I]/[§58] must be. Mixed cells skip."""
    if not CANDIDATES.is_file():
        pytest.skip(f"needs {CANDIDATES}")
    numbers = {item.source_no for item in catalogue.items}
    rows = [line.split("|") for line in CANDIDATES.read_text(encoding="utf-8").splitlines()]
    checked = 0
    for cells in rows:
        if len(cells) < 11 or not cells[1].strip().isdigit() or int(cells[1]) not in numbers:
            continue
        item = by_source(catalogue, int(cells[1]))
        for column, field in COLUMNS.items():
            marks = set(MARK.findall(cells[column]))
            if not marks or (item.source_no, field) in STRICTER:
                continue
            if marks == {"S"}:
                assert not item.is_inferred(field), (item.code, field, cells[column])
            elif marks <= {"I", "§58"}:
                assert item.is_inferred(field), (item.code, field, cells[column])
            checked += 1
    assert checked >= 120


def test_sub_fields_and_always_inferred_fields_are_answered(catalogue: Catalogue) -> None:
    item = by_source(catalogue, 18)
    assert item.is_inferred("materials.copies") and not item.is_inferred("materials")
    assert item.has_inferred_part("materials")
    assert not item.is_inferred("legal_basis") and not item.has_inferred_part("legal_basis")
    assert set(GUIDE_FIELDS) >= {name.partition(".")[0] for name in item.inferred}


# ------------------------------------------------------------------------------------------ catalogue errors

VALID = """
schema_version = 1
always_inferred = ["code"]

[[departments]]
code = "LAND"
abbr = "ZRZY"
name = "嵩明县自然资源局"
windows = ["W04"]

[[items]]
code = "XK-ZRZY-001"
name = "建设项目用地预审与选址意见书核发"
type = "行政许可"
department = "LAND"
window = "W04"
legal_basis = [{ law = "中华人民共和国土地管理法", article = "第五十二条" }]
conditions = ["符合国土空间规划"]
materials = [{ name = "申请表", form = "原件", copies = 1, required = true }]
fee = { amount_text = "不收费", basis = "中华人民共和国行政许可法第五十八条" }
statutory_days = 20
promised_days = 5
instant = false
steps = [
  { role = "window_officer", name = "受理" },
  { role = "case_officer", name = "审查", days = 3 },
  { role = "approver", name = "决定", days = 1 },
]
special_procedures = [{ name = "现场核查", counted = true }]
office_phone = "0871-60000104"
complaint_phone = "0871-60000002"
online = true
visits = 1
result = "建设项目用地预审与选址意见书"
inferred = ["materials.copies"]
"""


def problems_of(text: str) -> str:
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(text)
    assert isinstance(caught.value, ValueError)
    return "\n".join(caught.value.problems)


def test_the_minimal_valid_catalogue_loads_and_merges_always_inferred() -> None:
    item = load_catalogue(VALID).item("XK-ZRZY-001")
    assert item.inferred == {"code", "materials.copies"}
    assert item.statutory_unit == "工作日" and item.kind == "承诺件"


BAD_CATALOGUES = [
    ("promised over statutory", "promised_days = 5", "promised_days = 25", "XK-ZRZY-001: promised_days: promised 25"),
    (
        "promised over calendar days",
        "statutory_days = 20",
        'statutory_days = 6\nstatutory_unit = "日"\nstatutory_note = "六日内"',
        "exceeds the statutory 6 日",
    ),
    ("unknown department", 'department = "LAND"', 'department = "MOON"', "department: unknown department 'MOON'"),
    ("unknown window", 'window = "W04"', 'window = "W99"', "window: unknown window 'W99'"),
    ("unknown type", 'type = "行政许可"', 'type = "行政审批"', "type: unknown type"),
    ("missing guide field", 'result = "建设项目用地预审与选址意见书"\n', "", "XK-ZRZY-001: result: missing"),
    (
        "missing fee",
        'fee = { amount_text = "不收费", basis = "中华人民共和国行政许可法第五十八条" }\n',
        "",
        "fee: missing",
    ),
    ("no statutory limit and no note", "statutory_days = 20\n", "", "statutory_days: missing"),
    ("instant item with more steps", "instant = false", "instant = true", "instant item has only the window_officer"),
    ("承诺件 promising 0 days", "promised_days = 5", "promised_days = 0", "0 means 当场办结"),
    ("bad phone", 'office_phone = "0871-60000104"', 'office_phone = "60000104"', "office_phone: bad phone format"),
    (
        "bad complaint phone",
        'complaint_phone = "0871-60000002"',
        'complaint_phone = "12"',
        "complaint_phone: bad phone",
    ),
    (
        "unknown inferred name",
        'inferred = ["materials.copies"]',
        'inferred = ["promise_days"]',
        "'promise_days' is not",
    ),
    ("unknown field", "promised_days = 5", "promised_days = 5\npromise_day = 5", "promise_day: unknown field"),
    ("code type mismatch", 'code = "XK-ZRZY-001"', 'code = "FW-ZRZY-001"', "type segment FW"),
    ("code department mismatch", 'code = "XK-ZRZY-001"', 'code = "XK-ZFCX-001"', "department segment ZFCX"),
    ("non-ASCII code", 'code = "XK-ZRZY-001"', 'code = "许可-001"', "bad item code"),
    ("unknown material form", 'form = "原件"', 'form = "传真"', "materials[0]: form: unknown form"),
    ("steps beyond promise", '"审查", days = 3', '"审查", days = 9', "add up to 10 working days"),
    (
        "first step not the window",
        '{ role = "window_officer", name = "受理" },',
        "",
        "first step must be window_officer",
    ),
    ("unknown step role", 'role = "case_officer"', 'role = "clerk"', "unknown role 'clerk'"),
    ("empty law", 'law = "中华人民共和国土地管理法"', 'law = ""', "legal_basis[0]: law: must not be empty"),
    ("article missing without note", 'article = "第五十二条"', 'article = ""', "empty article needs a note"),
    ("hearing counted", '{ name = "现场核查", counted = true }', '{ name = "听证", counted = true }', "第四十五条"),
    ("unknown special procedure", 'name = "现场核查"', 'name = "喝茶"', "unknown special procedure"),
    ("visits out of range", "visits = 1", "visits = 3", "visits: must be one of"),
    ("not TOML", "visits = 1", "visits = = 1", "TOML"),
    ("warning yellow after red", "visits = 1", "visits = 1\nwarning = { yellow = 0.9, red = 0.8 }", "0 < yellow < red"),
    (
        "warning not a share",
        "visits = 1",
        'visits = 1\nwarning = { yellow = "half" }',
        "warning: yellow: expected a share",
    ),
    ("warning unknown key", "visits = 1", "visits = 1\nwarning = { amber = 0.7 }", "warning: amber: unknown field"),
]


@pytest.mark.parametrize(("label", "old", "new", "expected"), BAD_CATALOGUES, ids=[c[0] for c in BAD_CATALOGUES])
def test_the_catalogue_loader_names_item_and_field_of_each_error(label: str, old: str, new: str, expected: str) -> None:
    assert old in VALID, label
    assert expected in problems_of(VALID.replace(old, new, 1))


def test_an_item_may_set_its_own_warning_thresholds() -> None:
    from engine.domain.warnings import Thresholds
    from engine.services.catalogue import plain

    item = load_catalogue(VALID.replace("visits = 1", "visits = 1\nwarning = { yellow = 0.4, red = 0.8 }")).item(
        "XK-ZRZY-001"
    )
    thresholds = Thresholds.from_guide(plain(item)["warning"])  # what the supervision reads from the guide
    assert (float(thresholds.yellow), float(thresholds.red), thresholds.short_limit_days) == (0.4, 0.8, 3)
    assert load_catalogue(VALID).item("XK-ZRZY-001").warning is None  # the defaults apply


def test_a_duplicate_item_code_is_refused() -> None:
    item = VALID[VALID.index("[[items]]") :]
    assert "item XK-ZRZY-001: code: duplicate code" in problems_of(VALID + item)


def test_every_problem_is_reported_at_once() -> None:
    text = (
        VALID.replace("promised_days = 5", "promised_days = 25")
        .replace('window = "W04"\nlegal', 'window = "W99"\nlegal')
        .replace('office_phone = "0871-60000104"', 'office_phone = "x"')
        .replace('type = "行政许可"', 'type = "许可"')
    )
    found = problems_of(text).splitlines()
    assert len(found) >= 4
    assert all(line.startswith("item XK-ZRZY-001: ") for line in found)


# --------------------------------------------------------------------------------------------- organisation


def test_the_organisation_has_14_departments_29_windows_and_34_staff(organisation: Organisation) -> None:
    assert organisation.name == "嵩明县政务服务中心" and organisation.authority == "嵩明县政务服务管理局"
    assert len(organisation.departments) == 14
    assert len(organisation.windows) == 29
    assert len(organisation.staff) == 34 == organisation.staff_count


def test_the_organisation_has_both_desks_the_fast_track_and_supervision_windows(organisation: Organisation) -> None:
    assert {desk.kind for desk in organisation.desks} == {"咨询", "投诉"}
    assert len(organisation.windows_in(FAST_TRACK)) == 1
    assert len(organisation.windows_in(SUPERVISION)) == 1
    assert organisation.hotline == "96128"
    assert {s.kind for s in organisation.sub_centres} == {"开发区", "税务", "交警"}


def test_four_towns_each_with_four_window_categories_agents_and_stations(organisation: Organisation) -> None:
    assert len(organisation.towns) == 4
    for town in organisation.towns:
        assert town.categories() == set(TOWN_WINDOW_CATEGORIES), town.code
        assert 2 <= len(town.agents) <= 3, town.code
        assert town.stations and all(station.agent.roles == ("agent",) for station in town.stations), town.code


def test_every_department_has_a_window_and_a_chief_representative_on_staff(organisation: Organisation) -> None:
    for department in organisation.departments:
        assert organisation.windows_of(department.code), department.code
        chief = next(p for p in organisation.staff if p.username == department.chief_username)
        assert chief.department == department.code and "approver" in chief.roles


def test_everything_fictional_is_marked_inferred(organisation: Organisation) -> None:
    for person in organisation.people():
        assert person.is_inferred("name") and person.is_inferred("username"), person.username
    for department in organisation.departments:
        assert department.is_inferred("chief_representative"), department.code
    assert all(desk.is_inferred("phone") for desk in organisation.desks)
    assert all(town.is_inferred("name") for town in organisation.towns)
    assert not organisation.is_inferred("name")  # 嵩明县政务服务中心 is in the report


def test_the_shipped_catalogue_fits_the_organisation(catalogue: Catalogue, organisation: Organisation) -> None:
    assert check_catalogue_against(organisation, catalogue) == []


def test_the_cross_check_finds_a_window_of_another_department(catalogue: Catalogue, organisation: Organisation) -> None:
    first = catalogue.items[0]
    moved = dataclasses.replace(first, window="W05")
    changed = dataclasses.replace(catalogue, items=(moved, *catalogue.items[1:]))
    assert any(f"item {first.code}: window W05" in p for p in check_catalogue_against(organisation, changed))


def test_the_cross_check_finds_a_step_role_nobody_holds(catalogue: Catalogue, organisation: Organisation) -> None:
    first = catalogue.items[0]
    staff = tuple(p for p in organisation.staff if p.department != first.department)
    found = check_catalogue_against(dataclasses.replace(organisation, staff=staff), catalogue)
    assert any(f"nobody holds approver in {first.department}" in p for p in found)


def test_the_cross_check_finds_another_centre(catalogue: Catalogue, organisation: Organisation) -> None:
    other = dataclasses.replace(catalogue, centre="别的县政务服务中心")
    assert check_catalogue_against(organisation, other) == [
        "catalogue: centre 别的县政务服务中心 is not 嵩明县政务服务中心"
    ]


def test_the_cross_check_finds_an_unknown_department(organisation: Organisation) -> None:
    small = load_catalogue(VALID.replace('"LAND"', '"MOON"'))
    assert any("MOON" in p for p in check_catalogue_against(organisation, small))


# -------------------------------------------------------------------------------------- organisation errors

ORG = """
[centre]
code = "CENTRE"
name = "示范政务服务中心"
authority = "示范政务服务管理局"
staff_count = 2
inferred = []

[[departments]]
code = "LAND"
abbr = "ZRZY"
name = "示范自然资源局"
chief_representative = "甲"
chief_username = "land_chief"
inferred = ["*"]

[[windows]]
code = "W01"
name = "自然资源窗口"
category = "专项"
department = "LAND"
phone = "0871-60000101"
inferred = ["*"]

[[windows]]
code = "W02"
name = "重点项目快速通道受理窗口"
category = "并联审批(快速通道)"
inferred = []

[[windows]]
code = "W03"
name = "纪委监察窗口"
category = "纪委监察"
inferred = []

[[desks]]
code = "DESK-ZX"
name = "咨询台"
kind = "咨询"
phone = "0871-60000001"
inferred = []

[[desks]]
code = "DESK-TS"
name = "投诉台"
kind = "投诉"
phone = "0871-60000002"
inferred = []

[[towns]]
code = "TOWN"
name = "示范镇为民服务中心"
inferred = ["*"]
windows = [
  { code = "TOWN-JJ", name = "经济发展类窗口", category = "经济发展类", inferred = [] },
  { code = "TOWN-SH", name = "社会事务类窗口", category = "社会事务类", inferred = [] },
  { code = "TOWN-ZZ", name = "综治维稳类窗口", category = "综治维稳类", inferred = [] },
  { code = "TOWN-DJ", name = "党建群团类窗口", category = "党建群团类", inferred = [] },
]
agents = [
  { username = "town_agent1", name = "乙", inferred = ["*"] },
  { username = "town_agent2", name = "丙", inferred = ["*"] },
]

[[towns.stations]]
code = "TOWN-V01"
name = "示范村为民服务站"
agent = { username = "village", name = "丁", inferred = ["*"] }
inferred = []

[[staff]]
username = "land_chief"
name = "甲"
roles = ["window_officer", "reviewer", "approver"]
department = "LAND"
window = "W01"
inferred = ["*"]

[[staff]]
username = "consult"
name = "戊"
roles = ["consultant"]
department = "CENTRE"
window = "DESK-ZX"
inferred = ["*"]
"""


def org_problems(text: str) -> str:
    with pytest.raises(OrganisationError) as caught:
        load_organisation(text)
    return "\n".join(caught.value.problems)


def test_the_minimal_valid_organisation_loads() -> None:
    org = load_organisation(ORG)
    assert org.holders("approver", "LAND")[0].username == "land_chief"
    assert [p.username for p in org.agents()] == ["town_agent1", "town_agent2", "village"]


BAD_ORGANISATIONS = [
    ("one agent", '  { username = "town_agent2", name = "丙", inferred = ["*"] },\n', "", "2-3 agents"),
    (
        "four agents",
        '  { username = "town_agent2", name = "丙", inferred = ["*"] },\n',
        '  { username = "town_agent2", name = "丙", inferred = ["*"] },\n'
        '  { username = "town_agent3", name = "己", inferred = ["*"] },\n'
        '  { username = "town_agent4", name = "庚", inferred = ["*"] },\n',
        "not 4",
    ),
    (
        "missing town category",
        'category = "党建群团类"',
        'category = "经济发展类"',
        "missing window categories: 党建群团类",
    ),
    ("unknown window category", 'category = "纪委监察"', 'category = "监督"', "unknown category '监督'"),
    (
        "no fast-track window",
        'category = "并联审批(快速通道)"',
        'category = "综合受理"',
        "no 并联审批(快速通道) window",
    ),
    ("no complaint desk", 'kind = "投诉"', 'kind = "咨询"', "no 投诉 desk"),
    ("unknown staff role", 'roles = ["consultant"]', 'roles = ["boss"]', "unknown role 'boss'"),
    ("staff in unknown department", 'department = "CENTRE"', 'department = "MOON"', "unknown department 'MOON'"),
    ("staff at unknown window", 'window = "DESK-ZX"\n', 'window = "W77"\n', "unknown window 'W77'"),
    ("duplicate username", 'username = "consult"', 'username = "land_chief"', "duplicate code 'land_chief'"),
    ("non-ASCII username", 'username = "consult"', 'username = "咨询员"', "bad username"),
    ("chief not on staff", 'chief_username = "land_chief"', 'chief_username = "nobody"', "'nobody' is not a staff"),
    ("staff count disagrees", "staff_count = 2", "staff_count = 34", "says 34 but 2"),
    ("bad desk phone", 'phone = "0871-60000001"', 'phone = "110"', "bad phone format"),
    ("unknown inferred name", 'inferred = ["*"]\n\n[[windows]]', 'inferred = ["colour"]\n\n[[windows]]', "'colour'"),
]


@pytest.mark.parametrize(("label", "old", "new", "expected"), BAD_ORGANISATIONS, ids=[c[0] for c in BAD_ORGANISATIONS])
def test_the_organisation_loader_refuses_each_error(label: str, old: str, new: str, expected: str) -> None:
    assert old in ORG, label
    assert expected in org_problems(ORG.replace(old, new, 1))
