"""Shared fixtures: a migrated database (SQLite by default, PostgreSQL when ONESTOP_TEST_DATABASE_URL says so),
a frozen clock, a platform with the bundled processes deployed, and users for each role."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from engine.bootstrap import Platform, build_platform
from engine.clock import FrozenClock
from engine.config import Settings
from engine.domain.access import Principal, RoleGrant
from engine.persistence import migrate
from engine.persistence.database import make_engine
from engine.persistence.tables import metadata

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
DATA = Path(__file__).resolve().parent / "data"
CST = timezone(timedelta(hours=8))


def postgres_url() -> str | None:
    return os.environ.get("ONESTOP_TEST_POSTGRES_URL") or None


def require_postgres() -> str:
    url = postgres_url()
    if url is None:
        if os.environ.get("ONESTOP_REQUIRE_POSTGRES"):
            pytest.fail("ONESTOP_REQUIRE_POSTGRES is set but ONESTOP_TEST_POSTGRES_URL is not")
        pytest.skip("needs PostgreSQL: set ONESTOP_TEST_POSTGRES_URL (.ci/run does)")
    return url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("ONESTOP_TEST_DATABASE_URL")
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'onestop-test.db'}"
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:  # start from an empty schema, whatever an earlier run left
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(engine)
    engine.dispose()
    return url


def _empty_all_tables(url: str) -> None:
    engine = create_engine(url)
    names = [t.name for t in reversed(metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
        else:
            for name in names:
                conn.execute(text(f"DELETE FROM {name}"))
    engine.dispose()


@pytest.fixture
def clock() -> FrozenClock:
    # a Tuesday morning in Kunming; tests move it as they need
    return FrozenClock(datetime(2026, 3, 10, 9, 0, tzinfo=CST))


def make_settings(url: str, tmp: Path, **overrides: object) -> Settings:
    return Settings.from_env(
        env={},
        database_url=url,
        instance_dir=tmp,
        processes_dir=ROOT / "processes",
        forms_dir=ROOT / "forms",
        secret_key="test-secret-" + uuid.uuid4().hex,
        password_hashing="fast",
        **{"ratelimit_enabled": False, **overrides},  # on in production; tests/webapp/test_rate_limits.py turns it on
    )


@pytest.fixture
def platform(database_url: str, clock: FrozenClock, tmp_path: Path) -> Iterator[Platform]:
    _empty_all_tables(database_url)
    built = build_platform(make_settings(database_url, tmp_path), clock)
    built.calendar.ensure_years(range(2024, 2028))
    for code, name in [
        ("CENTRE", "县政务服务管理局"),
        ("LAND", "县自然资源局"),
        ("HOUSING", "县住建局"),
        ("ENV", "县生态环境分局"),
    ]:
        built.accounts.add_department(code, name)
    yield built
    built.close()


@pytest.fixture
def deployed(platform: Platform) -> Platform:
    from engine.services.definitions import read_paths

    # the reference process and its forms only: each item process has its own tests in tests/processes
    forms = [ROOT / "forms" / name for name in ("intake.json", "review.json", "approval.json")]
    platform.definitions.deploy(read_paths([ROOT / "processes" / "parallel_review.bpmn", *forms]), actor="test")
    return platform


def principal(username: str, *grants: tuple[str, str | None]) -> Principal:
    return Principal(username, grants=frozenset(RoleGrant(r, d) for r, d in grants))


ADMIN = principal("admin", ("admin", None))
DESIGNER = principal("designer", ("designer", None))
WINDOW = principal("window", ("window_officer", "CENTRE"))
LAND = principal("land", ("reviewer", "LAND"))
HOUSING = principal("housing", ("reviewer", "HOUSING"))
ENV = principal("env", ("reviewer", "ENV"))
APPROVER = principal("approver", ("approver", "CENTRE"))
