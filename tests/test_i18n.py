"""The Vietnamese catalogue (resources/i18n/vi.toml) against the messages of the code."""

from __future__ import annotations

import string
import sys
import tomllib
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from field_app.core.i18n import catalogue, tr

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import messages  # noqa: E402  (tools/messages.py)

CATALOGUE = ROOT / "resources" / "i18n" / "vi.toml"

# Translations that may equal their English msgid: nothing in them is language.
SAME_AS_ENGLISH = {
    "field-app — {name}",
}

# msgids the code composes at run time (a listed msgid + a suggestion, see forms/build.py), which
# tools/messages.py does not list: composed key -> the listed msgid it starts with.
COMPOSED: dict[str, str] = {}  # msgid + suffix pairs; none left: every variant is a whole msgid


@pytest.fixture(scope="module")
def msgids() -> dict[str, str]:
    return messages.msgids()


@pytest.fixture(scope="module")
def vi() -> dict[str, str]:
    with open(CATALOGUE, "rb") as f:
        return tomllib.load(f)


def placeholders(text: str) -> Counter:
    """The {placeholders} of a str.format text: (name, conversion, format spec), with their counts."""
    return Counter((name, conversion, spec) for _literal, name, spec, conversion in string.Formatter().parse(text)
                   if name is not None)


def test_catalogue_is_a_flat_table_of_strings(vi):
    assert vi, "vi.toml is empty"
    bad = {k: v for k, v in vi.items() if not isinstance(v, str)}
    assert not bad, f"vi.toml entries that are not strings: {bad}"


def test_every_msgid_has_a_translation(msgids, vi):
    missing = {k: where for k, where in msgids.items() if k not in vi}
    assert not missing, "msgids with no Vietnamese translation (python tools/messages.py --missing):\n" + "\n".join(
        f"  {where}\t{k!r}" for k, where in missing.items())


def test_placeholders_match(vi):
    wrong = {k: v for k, v in vi.items() if placeholders(k) != placeholders(v)}
    assert not wrong, "translations whose {placeholders} differ from the msgid's:\n" + "\n".join(
        f"  {k!r}\n    -> {v!r}" for k, v in wrong.items())


def test_translations_are_nfc_non_empty_and_translated(vi):
    not_nfc = [k for k, v in vi.items() if unicodedata.normalize("NFC", v) != v]
    assert not not_nfc, f"translations not in NFC: {not_nfc}"
    keys_not_nfc = [k for k in vi if unicodedata.normalize("NFC", k) != k]
    assert not keys_not_nfc, f"msgids not in NFC: {keys_not_nfc}"
    empty = [k for k, v in vi.items() if not v.strip()]
    assert not empty, f"empty translations: {empty}"
    untranslated = [k for k, v in vi.items() if v == k and k not in SAME_AS_ENGLISH]
    assert not untranslated, f"translations equal to the English: {untranslated}"


def test_translations_format_like_their_msgids(vi):
    """Every translation formats without error with the values its msgid takes."""
    for k, v in vi.items():
        params = {name.split(".")[0].split("[")[0]: 1.5 for name, _c, _s in placeholders(k)}
        assert v.format(**params), k


def test_tr_fills_placeholders_in_vietnamese():
    catalogue.cache_clear()
    assert tr("row {row}", "vi", row=5) == "dòng 5"
    assert tr("line {row}", "vi", row=12) == "dòng 12"
    assert tr("sheet '{sheet}'", "vi", sheet="survey") == "trang tính 'survey'"
    assert tr("column '{column}'", "vi", column="name") == "cột 'name'"
    text = tr("Name '{name}' is used twice (first on row {first}): names must be unique in a form.", "vi",
              name="age", first=3)
    assert "hai lần" in text and "'age'" in text and "dòng 3" in text
    text = tr("Demo project {path}: {summary} in {seconds:.1f} s", "vi", path="demo.fieldapp", summary="300 household",
              seconds=2.345)
    assert "demo.fieldapp" in text and "300 household" in text and "2.3" in text
    assert tr("{title}\n{count} records", "vi", title="Hộ gia đình", count="1,234") == "Hộ gia đình\n1,234 bản ghi"
    assert tr("'${{{ref}}}' in {part} names no field of this form.", "vi", ref="age", part="relevant").startswith(
        "'${age}'")
    assert tr("Cancel", "vi") != "Cancel"
    assert tr("row {row}", "en", row=5) == "row 5"


def test_problem_location_in_vietnamese():
    from field_app.core.errors import Problem

    p = Problem("Row has no type.", {}, "form.xlsx", "survey", 7, "type")
    assert p.where("vi") == "form.xlsx: trang tính 'survey', dòng 7, cột 'type'"
    assert p.text("vi") != p.text("en")


def test_no_stale_keys(msgids, vi):
    stale = sorted(k for k in vi if k not in msgids and not (k in COMPOSED and COMPOSED[k] in msgids))
    assert not stale, ("keys in vi.toml that are no longer msgids in the code (remove them, or update them "
                       "to the new English text):\n" + "\n".join(f"  {k!r}" for k in stale))


def test_composed_keys_extend_their_msgid(vi):
    for composed, base in COMPOSED.items():
        assert composed.startswith(base), composed
        if composed in vi and base in vi:
            assert placeholders(base) <= placeholders(composed)


def test_only_program_text_is_translated_inside_messages():
    from field_app.core.i18n import N_, tr

    # a user's field called "area" stays "area"; the kind of unit "area" is translated
    assert "'area'" in tr("Name '{name}' is used twice (first on row {first}): names must be unique in a form.",
                          "vi", name="area", first=2)
    assert "diện tích" in tr("Unknown {kind} unit(s) {units} in parameters; use {allowed}.", "vi",
                             kind=N_("area"), units="bao", allowed="ha")
