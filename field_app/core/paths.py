"""Where the app finds its built-in forms and resources: the source tree, a wheel, or a frozen build."""

from __future__ import annotations

import os
import sys
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]  # field_app/


def _find(top_name: str, packaged_name: str) -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / top_name
    source = _PACKAGE.parent / top_name  # a checkout: forms/ and resources/ beside field_app/
    if source.is_dir():
        return source
    return _PACKAGE / packaged_name  # an installed wheel carries them inside the package


def forms_dir() -> Path:
    return Path(os.environ.get("FIELD_APP_FORMS_DIR") or _find("forms", "builtin_forms"))


def resources_dir() -> Path:
    return Path(os.environ.get("FIELD_APP_RESOURCES_DIR") or _find("resources", "resources"))
