"""Survey forms: XLSForm definitions (.xlsx or .toml) loaded into a checked model."""

from __future__ import annotations

from pathlib import Path

from ..errors import FormError, Problem
from ..paths import forms_dir
from .build import build_form
from .model import Choice, ChoiceList, Field, Form

__all__ = ["Choice", "ChoiceList", "Field", "Form", "FormError", "load_form", "check_form", "builtin_forms",
           "builtin_form"]


def load_form(path: str | Path) -> Form:
    """Load a form, or raise FormError listing every problem in the file."""
    form, _warnings = build_form(Path(path))
    return form


def check_form(path: str | Path) -> tuple[Form | None, list[Problem], list[Problem]]:
    """(form or None, errors, warnings): every problem at once, for `field-app check-form`."""
    try:
        form, warnings = build_form(Path(path))
        return form, [], warnings
    except FormError as e:
        return None, e.problems, e.warnings


def builtin_forms(folder: Path | None = None) -> dict[str, Form]:
    """The forms shipped in forms/, by form_id."""
    forms = {}
    for path in sorted((folder or forms_dir()).glob("*.toml")):
        form = load_form(path)
        forms[form.form_id] = form
    return forms


def builtin_form(form_id: str) -> Form:
    return load_form(forms_dir() / f"{form_id}.toml")
