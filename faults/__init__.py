"""Fault drills (issue 8): long, documented scripts that break the running platform on purpose and then prove
that nothing was lost or corrupted. Each script is one command (``python -m faults.<name> --help``); the test
suite runs a short version of each (tests/faults/).

- ``faults.kill_restart``: SIGKILL the web server and the scheduler under load, restart them, check everything.
- ``faults.pg_restart``: restart the PostgreSQL server under load; the platform recovers without manual action.

Shared parts: ``faults.stack`` (database set-up and the real ``onestop`` processes), ``faults.load`` (clerks over
real HTTP), ``faults.checks`` (the consistency checks every drill ends with).
"""
