"""Who and where: the device id of this computer, and timestamps."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import time
import uuid
from pathlib import Path


def config_dir() -> Path:
    if os.environ.get("FIELD_APP_CONFIG_DIR"):
        return Path(os.environ["FIELD_APP_CONFIG_DIR"])
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "field-app"


def device_id() -> str:
    """A stable id for this computer, made once and kept in the user's config folder."""
    if os.environ.get("FIELD_APP_DEVICE_ID"):
        return os.environ["FIELD_APP_DEVICE_ID"]
    path = config_dir() / "device.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))["device_id"]
    except (OSError, ValueError, KeyError):
        pass
    ident = f"{platform.node() or 'device'}-{uuid.uuid4().hex[:8]}"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"device_id": ident}), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home: the id then lasts for this run only
    return ident


def now() -> str:
    """Local time with its UTC offset, to the second: '2026-11-24T09:15:02+07:00'."""
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def new_uuid() -> str:
    """A UUID version 7 (RFC 9562): milliseconds since 1970, then 74 random bits.

    Unique like uuid4, but new ids sort after older ones, so inserts go to the end of the
    primary-key index instead of all over it (much faster for a million rows).
    """
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = ((ms & 0xFFFF_FFFF_FFFF) << 80) | (0x7 << 76) | (((rand >> 62) & 0xFFF) << 64) | (0b10 << 62) | (
        rand & ((1 << 62) - 1))
    return str(uuid.UUID(int=value))
