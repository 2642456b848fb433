"""Typed settings, read from the environment when asked (never at import time)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_dir(name: str) -> Path:
    """processes/ and forms/ beside the engine package in a checkout, else in the working directory."""
    beside = PROJECT_ROOT / name
    return beside if beside.is_dir() else Path.cwd() / name


@dataclass(frozen=True)
class Settings:
    database_url: str
    instance_dir: Path
    processes_dir: Path
    forms_dir: Path
    secret_key: str | None = None
    demo: bool = False
    timezone: str = "Asia/Shanghai"
    #: printed on every notice (文书)
    centre_name: str = "嵩明县政务服务中心"
    #: local time at which a working day ends for deadlines ("24:00" = midnight after the day)
    workday_end: str = "24:00"
    script_time_limit: float = 1.0
    max_definition_bytes: int = 5 * 1024 * 1024
    max_attachment_bytes: int = 10 * 1024 * 1024  # one task attachment (engine.services.task_files)
    scheduler_safety_interval: float = 0.5
    token_max_age: int = 12 * 3600
    #: "standard" (argon2-cffi's defaults) or "fast" (for tests and throwaway demos only)
    password_hashing: str = "standard"  # noqa: S105 - a cost profile name, not a password
    #: joint-review meetings (联审会): days of the month, local start time, who chairs (engine.services.meetings)
    joint_meeting_days: str = "1,16"
    joint_meeting_at: str = "09:00"
    joint_meeting_chair: str = "分管副县长"
    #: working days a ledgered bad review (差评台账) has to be rectified in (engine.services.rectification)
    rectification_days: int = 5
    #: working days to answer a complaint (engine.services.complaints; 十堰: 10)
    complaint_reply_workdays: int = 10
    #: public rate limits per client IP (webapp.rate_limits), in the limits syntax ("10/minute;100/day"). Every
    #: case lookup (page and API share one count); lookups that miss (wrong number or query code) also count
    #: against the stricter ``_miss`` limit; public form posts (好差评, complaints, surveys) share another.
    ratelimit_enabled: bool = True
    ratelimit_lookup: str = "10/minute;100/day"
    ratelimit_lookup_miss: str = "5/minute;30/day"
    ratelimit_public_forms: str = "5/minute;50/day"
    #: where the counts live. "memory://" counts per server process: with several processes (gunicorn workers,
    #: several hosts) each has its own count, so an exact global limit needs a shared storage, e.g. "redis://host:6379"
    ratelimit_storage_uri: str = "memory://"
    #: reverse proxies in front of the app whose X-Forwarded-For is trusted for the client IP; 0 = none (the header
    #: is ignored: anyone can forge it, so it is trusted only when a proxy you run sets it)
    trusted_proxy_hops: int = 0
    extra: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        env = os.environ if env is None else env
        instance_dir = Path(env.get("ONESTOP_INSTANCE_DIR", str(Path.cwd() / "instance")))
        database_url = env.get("ONESTOP_DATABASE_URL") or f"sqlite:///{instance_dir / 'onestop.db'}"
        settings = cls(
            database_url=database_url,
            instance_dir=instance_dir,
            processes_dir=Path(env.get("ONESTOP_PROCESSES_DIR", str(_default_dir("processes")))),
            forms_dir=Path(env.get("ONESTOP_FORMS_DIR", str(_default_dir("forms")))),
            secret_key=env.get("ONESTOP_SECRET_KEY"),
            demo=env.get("ONESTOP_DEMO", "") in {"1", "true", "yes"},
            timezone=env.get("ONESTOP_TIMEZONE", "Asia/Shanghai"),
            centre_name=env.get("ONESTOP_CENTRE_NAME", "嵩明县政务服务中心"),
            workday_end=env.get("ONESTOP_WORKDAY_END", "24:00"),
            script_time_limit=float(env.get("ONESTOP_SCRIPT_TIME_LIMIT", "1.0")),
            scheduler_safety_interval=float(env.get("ONESTOP_SCHEDULER_INTERVAL", "0.5")),
            password_hashing=env.get("ONESTOP_PASSWORD_HASHING", "standard"),
            joint_meeting_days=env.get("ONESTOP_JOINT_MEETING_DAYS", "1,16"),
            joint_meeting_at=env.get("ONESTOP_JOINT_MEETING_AT", "09:00"),
            joint_meeting_chair=env.get("ONESTOP_JOINT_MEETING_CHAIR", "分管副县长"),
            rectification_days=int(env.get("ONESTOP_RECTIFICATION_DAYS", "5")),
            complaint_reply_workdays=int(env.get("ONESTOP_COMPLAINT_REPLY_WORKDAYS", "10")),
            ratelimit_enabled=env.get("ONESTOP_RATELIMIT_ENABLED", "1").lower() not in {"0", "false", "no", "off"},
            ratelimit_lookup=env.get("ONESTOP_RATELIMIT_LOOKUP", "10/minute;100/day"),
            ratelimit_lookup_miss=env.get("ONESTOP_RATELIMIT_LOOKUP_MISS", "5/minute;30/day"),
            ratelimit_public_forms=env.get("ONESTOP_RATELIMIT_PUBLIC_FORMS", "5/minute;50/day"),
            ratelimit_storage_uri=env.get("ONESTOP_RATELIMIT_STORAGE_URI", "memory://"),
            trusted_proxy_hops=int(env.get("ONESTOP_TRUSTED_PROXY_HOPS", "0")),
        )
        return replace(settings, **overrides) if overrides else settings  # type: ignore[arg-type]

    def with_secret_key(self) -> Settings:
        """These settings with a secret key: ONESTOP_SECRET_KEY, else a random key kept in the instance folder
        (created on first use, readable by the owner only). There is no built-in, well-known key."""
        if self.secret_key:
            return self
        path = self.instance_dir / "secret_key"
        if not path.exists():
            self.instance_dir.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w", encoding="ascii") as handle:
                handle.write(secrets.token_urlsafe(48))
        return replace(self, secret_key=path.read_text(encoding="ascii").strip())

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
