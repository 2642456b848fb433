"""The ``onestop`` command: init, migrate, validate, deploy, departments, users, calendar, scheduler, serve."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from pathlib import Path

from engine.config import Settings
from engine.errors import OnestopError, ProcessDefinitionError

Handler = Callable[[argparse.Namespace], int]


def _platform(args: argparse.Namespace, *, migrate: bool = False):  # type: ignore[no-untyped-def]
    from engine.bootstrap import build_platform

    settings = Settings.from_env()
    if getattr(args, "demo", False):
        settings = Settings.from_env(demo=True)
    return build_platform(settings, migrate=migrate)


def cmd_validate(args: argparse.Namespace) -> int:
    from engine.bpmn.loader import validate_files
    from engine.services.definitions import read_paths

    settings = Settings.from_env()
    try:
        files = read_paths([Path(p) for p in args.files])
    except OSError as exc:
        print(f"{exc.filename}:1: -: cannot read file: {exc.strerror}", file=sys.stderr)
        return 1
    forms = {Path(f.name).name for f in files if f.name.lower().endswith(".json")}
    if settings.forms_dir.is_dir():
        forms |= {p.name for p in settings.forms_dir.glob("*.json")}
    problems = []
    for one in files:  # each file on its own, so one broken file does not hide the others' problems
        problems.extend(validate_files([one], form_names=forms, max_bytes=settings.max_definition_bytes).problems)
    for problem in problems:
        print(problem if problem.severity == "error" else f"{problem} (warning)")
    errors = [p for p in problems if p.severity == "error"]
    print(
        f"{len(files)} file(s): {len(errors)} error(s), {len(problems) - len(errors)} warning(s)",
        file=sys.stderr,
    )
    return 1 if errors else 0


def cmd_deploy(args: argparse.Namespace) -> int:
    from engine.services.definitions import read_paths

    platform = _platform(args)
    results = platform.definitions.deploy(read_paths([Path(p) for p in args.files]), actor="cli")
    for item in results:
        state = "deployed" if item.created else "unchanged"
        print(f"{item.version.process_id} version {item.version.version} {state} ({item.version.sha256[:12]})")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from engine.demo import load_demo, load_platform_data

    platform = _platform(args, migrate=True)
    print(f"database ready: {platform.settings.database_url}")
    load_platform_data(platform, out=print)
    if args.demo:
        load_demo(platform, out=print, cases=args.demo_cases)
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from engine.services.colour_schedule import rebuild_colour_schedule

    platform = _platform(args, migrate=True)
    print(f"database migrated: {platform.settings.database_url}")
    print(f"supervision colour schedule: {rebuild_colour_schedule(platform.ctx)} open cases")
    return 0


def cmd_department_add(args: argparse.Namespace) -> int:
    created = _platform(args).accounts.add_department(args.code, args.name)
    print(f"department {args.code} {'added' if created else 'updated'}")
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    _platform(args).accounts.add_user(args.name, args.password, args.role, args.department, args.window)
    print(f"user {args.name} saved with roles {', '.join(args.role)}")
    return 0


def cmd_calendar_import(args: argparse.Namespace) -> int:
    result = _platform(args).calendar.import_notice(None, Path(args.file).read_text(encoding="utf-8"))
    print(
        f"{result.year}: {result.holidays} holiday(s), {result.workdays} make-up working day(s); "
        f"{result.deadlines_moved} open instance(s) had deadlines recomputed"
    )
    return 0


def cmd_calendar_set_day(args: argparse.Namespace) -> int:
    from datetime import date

    from engine.domain.access import ADMIN, Principal, RoleGrant
    from engine.domain.calendar import DayRule

    day = date.fromisoformat(args.day)
    admin = Principal("cli", grants=frozenset({RoleGrant(ADMIN)}))
    label = args.label or ("调休上班" if args.workday else "休息")
    moved = _platform(args).calendar.set_day(admin, DayRule(day, args.workday, label, "admin"))
    print(f"{day}: {'working day' if args.workday else 'rest day'} ({label}); {moved} open instance(s) recomputed")
    return 0


def cmd_calendar_show(args: argparse.Namespace) -> int:
    for info in _platform(args).calendar.years():
        print(f"{info.year}: {'provisional' if info.provisional else 'official'} ({info.source})")
    return 0


def cmd_scheduler(args: argparse.Namespace) -> int:
    from engine.scheduler import TimerScheduler

    scheduler = TimerScheduler(_platform(args))
    scheduler.start()
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    print("scheduler running; Ctrl+C stops it")
    stop.wait()
    scheduler.shutdown()
    return 0


def _plugin_commands(sub: argparse._SubParsersAction) -> None:
    """Commands contributed by other packages (the web app's ``serve``) through entry points."""
    for entry in entry_points(group="onestop.commands"):
        register: Callable[[argparse._SubParsersAction], None] = entry.load()
        register(sub)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="onestop", description="Onestop 政务服务 BPMN platform")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("init", help="create or upgrade the database and load processes, forms, calendar")
    p.add_argument("--demo", action="store_true", help="also load demo accounts and sample cases")
    p.add_argument("--demo-cases", type=int, default=300, help="how many sample cases --demo opens (default 300)")
    p.set_defaults(handler=cmd_init)
    sub.add_parser("migrate", help="upgrade the database schema").set_defaults(handler=cmd_migrate)
    p = sub.add_parser("validate", help="validate BPMN/DMN/form files")
    p.add_argument("files", nargs="+")
    p.set_defaults(handler=cmd_validate)
    p = sub.add_parser("deploy", help="validate, then deploy new versions")
    p.add_argument("files", nargs="+")
    p.set_defaults(handler=cmd_deploy)
    dept = sub.add_parser("department").add_subparsers(dest="action", required=True)
    p = dept.add_parser("add")
    p.add_argument("code")
    p.add_argument("name")
    p.set_defaults(handler=cmd_department_add)
    user = sub.add_parser("user").add_subparsers(dest="action", required=True)
    p = user.add_parser("add")
    p.add_argument("name")
    p.add_argument("--password", required=True)
    p.add_argument("--role", action="append", required=True)
    p.add_argument("--department")
    p.add_argument("--window")
    p.set_defaults(handler=cmd_user_add)
    cal = sub.add_parser("calendar", help="the working-day calendar").add_subparsers(dest="action", required=True)
    p = cal.add_parser("import-notice", help="import the State Council's holiday notice (text or TOML)")
    p.add_argument("file")
    p.set_defaults(handler=cmd_calendar_import)
    cal.add_parser("show").set_defaults(handler=cmd_calendar_show)
    p = cal.add_parser("set-day", help="mark one date as a working or rest day (an administrator's edit)")
    p.add_argument("day", help="YYYY-MM-DD")
    kind = p.add_mutually_exclusive_group(required=True)
    kind.add_argument("--workday", action="store_true", help="a working day (e.g. a 调休 Saturday)")
    kind.add_argument("--rest", dest="workday", action="store_false", help="a rest day (a holiday)")
    p.add_argument("--label", default="")
    p.set_defaults(handler=cmd_calendar_set_day)
    sub.add_parser("scheduler", help="run only the timer scheduler").set_defaults(handler=cmd_scheduler)
    _plugin_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except ProcessDefinitionError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    except OnestopError as exc:
        print(f"onestop: {exc.message}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
