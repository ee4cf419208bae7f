"""Shared test set-up: Qt offscreen before any Qt import, private config, inline forms."""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["FIELD_APP_DEVICE_ID"] = "test-device"

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT.parent / "shared" / "samples"
DATA = Path(__file__).resolve().parent / "data"


def sample(name: str) -> Path:
    """A file from ../shared/samples, or its copy in tests/data when shared/ is absent."""
    path = SAMPLES / name
    return path if path.exists() else DATA / name


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("FIELD_APP_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))
    monkeypatch.setenv("FIELD_APP_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    from field_app.core.i18n import set_language

    set_language("en")


def toml_form(survey: list[dict], choices: list[dict] = (), settings: dict | None = None) -> str:
    """A form written inline in a test, as TOML text."""
    settings = {"form_id": "t", "version": "1", **(settings or {})}
    out = ["[settings]"] + [f"{json.dumps(k)} = {json.dumps(v, ensure_ascii=False)}" for k, v in settings.items()]
    for section, rows in (("survey", survey), ("choices", choices)):
        for row in rows:
            out.append(f"\n[[{section}]]")
            out += [f"{json.dumps(k)} = {json.dumps(v, ensure_ascii=False)}" for k, v in row.items()]
    return "\n".join(out) + "\n"


@pytest.fixture
def write_form(tmp_path):
    def write(survey, choices=(), settings=None, name="form.toml") -> Path:
        path = tmp_path / name
        path.write_text(toml_form(survey, choices, settings), encoding="utf-8")
        return path

    return write


@pytest.fixture
def project(tmp_path):
    from field_app.core.storage import Project

    p = Project.create(tmp_path / "p.fieldapp", officer="Tester")
    yield p
    p.close()
