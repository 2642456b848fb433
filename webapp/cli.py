"""``onestop serve``: the web app (waitress) with the timer scheduler in-process unless told otherwise."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("serve", help="run the web app (and the timer scheduler)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--no-scheduler", action="store_true")
    p.add_argument("--threads", type=int, default=8)
    p.set_defaults(handler=serve)


def serve(args: argparse.Namespace) -> int:
    from waitress import serve as waitress_serve

    from engine.bootstrap import build_platform
    from engine.config import Settings
    from engine.scheduler import TimerScheduler
    from webapp import create_app

    settings = Settings.from_env()
    if settings.secret_key is None:
        print(f"ONESTOP_SECRET_KEY is not set: using the generated key in {settings.instance_dir / 'secret_key'}")
    platform = build_platform(settings)
    scheduler = None if args.no_scheduler else TimerScheduler(platform)
    if scheduler:
        scheduler.start()
    print(f"Onestop: http://{args.host}:{args.port}/  (API: /api/v1/openapi.json)")
    try:
        waitress_serve(create_app(platform), host=args.host, port=args.port, threads=args.threads)
    finally:
        if scheduler:
            scheduler.shutdown()
    return 0
