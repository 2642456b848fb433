"""Clerks over real HTTP: threads that start drill instances and complete ready tasks through the JSON API, and
write down every answer they got — above all each completion that got a 200, which must never be lost.

A client never gives up: while the server is down (killed, restarting, or its database gone) it reconnects
after a short pause. Every request has a timeout; a request that hits it counts as a hung request.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from faults.stack import DEPARTMENT, PASSWORD, PROCESS_ID


@dataclass
class Answer:
    """One request that got a server error: when, what, the status and the start of the body."""

    at: float
    what: str
    status: int
    body: str
    clean: bool  # a JSON ``{"error": {"code", "message"}}`` body, as the API contract promises


@dataclass
class Record:
    """Everything the clients saw, shared by the threads (append under the lock)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    completed: list[tuple[str, int]] = field(default_factory=list)  # (task id, instance id) answered 200
    started: list[int] = field(default_factory=list)  # instance ids answered 201
    counts: Counter[str] = field(default_factory=Counter)
    server_errors: list[Answer] = field(default_factory=list)
    hung: int = 0
    slowest: float = 0.0

    def count(self, key: str) -> None:
        with self.lock:
            self.counts[key] += 1


class ServerError(Exception):
    pass


class Clerk(threading.Thread):
    def __init__(
        self,
        port: int,
        username: str,
        record: Record,
        stop: threading.Event,
        *,
        seed: int,
        start_share: float,
        data: dict[str, Any],
        think: float,
        timeout: float,
    ) -> None:
        super().__init__(name=f"clerk-{username}", daemon=True)
        self.port, self.username, self.record, self.stop_event = port, username, record, stop
        self.rng = random.Random(seed)  # noqa: S311 - load shape, not security
        self.start_share, self.data, self.think, self.timeout = start_share, data, think, timeout
        self.conn: http.client.HTTPConnection | None = None
        self.token: str | None = None

    def _call(self, method: str, path: str, what: str, body: object = None) -> tuple[int, Any]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        headers = {"Content-Type": "application/json", "Accept-Language": "zh-CN"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        began = time.monotonic()
        payload = None if body is None else json.dumps(body)
        try:
            self.conn.request(method, path, body=payload, headers=headers)
            response = self.conn.getresponse()
            raw = response.read()
        except TimeoutError:
            with self.record.lock:
                self.record.hung += 1
            raise
        took = time.monotonic() - began
        with self.record.lock:
            self.record.counts[f"{what} {response.status}"] += 1
            self.record.slowest = max(self.record.slowest, took)
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        if response.status >= 500:
            clean = isinstance(parsed, dict) and isinstance(parsed.get("error"), dict) and "message" in parsed["error"]
            text = raw[:300].decode("utf-8", "replace")
            with self.record.lock:
                self.record.server_errors.append(Answer(time.time(), what, response.status, text, clean))
            raise ServerError(f"{what}: {response.status}")
        return response.status, parsed

    def _login(self) -> None:
        self.token = None
        status, body = self._call(
            "POST", "/api/v1/auth/token", "login", {"username": self.username, "password": PASSWORD}
        )
        if status != 200:
            raise RuntimeError(f"{self.username} cannot sign in: {status} {body}")
        self.token = body["token"]

    def _start_one(self) -> None:
        status, body = self._call("POST", "/api/v1/instances", "start", {"process_id": PROCESS_ID, "data": self.data})
        if status == 201:
            with self.record.lock:
                self.record.started.append(int(body["id"]))

    def _complete_one(self) -> bool:
        status, inbox = self._call("GET", "/api/v1/tasks?limit=50", "inbox")
        if status != 200 or not inbox:
            return False
        task = self.rng.choice(inbox)
        status, _ = self._call("POST", f"/api/v1/tasks/{task['id']}/complete", "complete", {"data": {"ok": True}})
        if status == 200:
            with self.record.lock:
                self.record.completed.append((str(task["id"]), int(task["instance_id"])))
        return True

    def run(self) -> None:
        while not self.stop_event.is_set():
            try:
                if self.token is None:
                    self._login()
                if self.rng.random() < self.start_share or not self._complete_one():
                    self._start_one()
            except (OSError, http.client.HTTPException, ServerError) as exc:
                if not isinstance(exc, ServerError):
                    self.record.count(f"connection {type(exc).__name__}")
                if self.conn is not None:
                    self.conn.close()
                    self.conn = None
                self.stop_event.wait(0.1)  # the server is down or its database is: try again shortly
                continue
            if self.think:
                self.stop_event.wait(self.rng.uniform(0, self.think))
        if self.conn is not None:
            self.conn.close()


class Load:
    """``threads`` clerks (one account each) against the server on ``port``."""

    def __init__(
        self,
        port: int,
        usernames: list[str],
        *,
        seed: int = 8,
        start_share: float = 0.3,
        wait: str = "PT1S",
        limit: str = "PT3S",
        think: float = 0.01,
        timeout: float = 30.0,
    ) -> None:
        self.record = Record()
        self.stop_event = threading.Event()
        data = {"wait": wait, "limit": limit, "department": DEPARTMENT}
        self.clerks = [
            Clerk(
                port,
                name,
                self.record,
                self.stop_event,
                seed=seed * 1000 + n,
                start_share=start_share,
                data=data,
                think=think,
                timeout=timeout,
            )
            for n, name in enumerate(usernames)
        ]

    def start(self) -> None:
        for clerk in self.clerks:
            clerk.start()

    def stop(self) -> None:
        self.stop_event.set()
        for clerk in self.clerks:
            clerk.join(timeout=60)

    def stuck(self) -> list[str]:
        return [c.name for c in self.clerks if c.is_alive()]
