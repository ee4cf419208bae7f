"""Where the app finds its built-in forms and resources (source tree or frozen build)."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def _root() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parents[2]


def forms_dir() -> Path:
    return Path(os.environ.get("FIELD_APP_FORMS_DIR") or _root() / "forms")


def resources_dir() -> Path:
    return Path(os.environ.get("FIELD_APP_RESOURCES_DIR") or _root() / "resources")
