"""Attachment bytes on disk, outside the database: content-addressed by sha256, written atomically, orphan-safe.

Layout under ``<instance_dir>/attachments``: ``ab/abcdef…`` (the full hex digest; no extension, no client
name) and ``tmp/`` for uploads in progress. An upload streams into a temp file (counting and hashing as it
goes, stopping one byte past the limit), is fsynced, then renamed onto its content address — a rename within
one file system is atomic, so a reader never sees half a file. The database row is written after that; if the
transaction fails, the file is removed again unless a row references it. Identical content is stored once.

Two uploads of the same bytes may race with one of them failing: the one that finds the file already there keeps
its own temp copy until its row has committed, and puts it back if the other removed the shared file meanwhile.
A process killed between rename and commit leaves an unreferenced file; :meth:`AttachmentStore.sweep` removes
such files (and stale temp files) once they are older than a grace period.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 64 * 1024
_DIGEST = re.compile(r"^[0-9a-f]{64}$")


class TooLarge(Exception):
    """The upload passed the size limit; nothing was kept."""


@dataclass(frozen=True)
class Received:
    """An upload in its temp file, not yet placed."""

    temp: Path
    sha256: str
    size: int


@dataclass(frozen=True)
class Placement:
    final: Path
    created: bool  # this upload put the file there (so it may remove it again if its row fails)
    spare: Path | None  # our own copy, kept until the row commits when the file already existed


class AttachmentStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _tmp_dir(self) -> Path:
        folder = self.root / "tmp"
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        return folder

    def path_for(self, digest: str) -> Path:
        if not _DIGEST.match(digest):
            raise ValueError(f"not a sha256 hex digest: {digest!r}")
        return self.root / digest[:2] / digest

    def receive(self, stream: BinaryIO, limit: int) -> Received:
        """Copy the stream into a temp file; TooLarge (and no file left) past ``limit`` bytes."""
        temp = self._tmp_dir() / f"upload-{secrets.token_hex(16)}"
        digest, size = hashlib.sha256(), 0
        try:
            with open(temp, "xb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise TooLarge(f"more than {limit} bytes")
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        return Received(temp=temp, sha256=digest.hexdigest(), size=size)

    def discard(self, received: Received) -> None:
        received.temp.unlink(missing_ok=True)

    def place(self, received: Received) -> Placement:
        """Move the upload onto its content address (atomic rename), or keep it aside if the content is there."""
        final = self.path_for(received.sha256)
        final.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if final.exists():
            return Placement(final=final, created=False, spare=received.temp)
        os.replace(received.temp, final)
        return Placement(final=final, created=True, spare=None)

    def settle(self, placement: Placement) -> None:
        """After the row committed: make sure the content is at its address, drop our spare copy."""
        if placement.spare is None:
            return
        if placement.final.exists():
            placement.spare.unlink(missing_ok=True)
        else:  # a failed twin upload removed the shared file before we committed: ours takes its place
            os.replace(placement.spare, placement.final)

    def abandon(self, placement: Placement, still_referenced: bool) -> None:
        """The row was not written: remove what this upload added (the shared file only if nothing uses it)."""
        if placement.spare is not None:
            placement.spare.unlink(missing_ok=True)
        if placement.created and not still_referenced:
            placement.final.unlink(missing_ok=True)

    def sweep(self, referenced: Callable[[set[str]], set[str]], older_than_seconds: float) -> int:
        """Remove content files no row references and temp files, both older than the grace period; returns how
        many files were removed. ``referenced`` answers which of the given digests rows still point at."""
        if not self.root.is_dir():
            return 0
        cutoff = time.time() - older_than_seconds
        old: dict[str, Path] = {}
        removed = 0
        for path in self.root.glob("*/*"):
            if not path.is_file() or path.stat().st_mtime > cutoff:
                continue
            if path.parent.name == "tmp":
                path.unlink(missing_ok=True)
                removed += 1
            elif _DIGEST.match(path.name):
                old[path.name] = path
        for digest in set(old) - referenced(set(old)):
            old[digest].unlink(missing_ok=True)
            removed += 1
        return removed
