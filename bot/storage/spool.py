"""Deliveries kept on this machine's disk while the database cannot take them.

One JSON file per delivery, written to a temporary name, flushed to disk and renamed, so a
crash leaves either the whole file or none. The recovery sweep moves them into the database
once it answers again.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any


class Spool:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def put(self, key: str, entry: dict[str, Any]) -> None:
        """Written for this user only (the folder 0700, the file 0600): an entry is a user's
        request as Slack sent it."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self._path(key)
        temporary = path.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(descriptor, 0o600)  # a leftover of a crash may have been made otherwise
        with open(descriptor, "w", encoding="utf-8") as handle:
            json.dump({**entry, "key": key}, handle, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        directory = os.open(self.folder, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself survives a power cut
        finally:
            os.close(directory)

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            return _read(self._path(key))
        except FileNotFoundError:
            return None

    def remove(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def entries(self) -> list[dict[str, Any]]:
        """Every complete entry, oldest file first (unreadable leftovers are skipped)."""
        if not self.folder.is_dir():
            return []
        paths = sorted(self.folder.glob("*.json"), key=_age)
        found = []
        for path in paths:
            try:
                found.append(_read(path))
            except (OSError, ValueError):
                continue
        return found

    def __len__(self) -> int:
        return len(list(self.folder.glob("*.json"))) if self.folder.is_dir() else 0

    def _path(self, key: str) -> Path:
        return self.folder / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.json"


def _read(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path} is not a spooled delivery")
    return data


def _age(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # taken meanwhile (drained by the work it belongs to)
        return 0.0
