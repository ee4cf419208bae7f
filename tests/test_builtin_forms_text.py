"""Checks on the text of the built-in forms (forms/*.toml), independent of the form loader.

The helpers at the top (``load_form``, ``form_fields``, ...) are a small, strict reading of the
TOML-serialised XLSForm; tests/test_demo.py reuses them to check generated records.
"""

from __future__ import annotations

import csv
import re
import shutil
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pytest

FORMS_DIR = Path(__file__).resolve().parents[1] / "forms"
BUILTIN = ("household", "enterprise", "trade")

EN, VI = "English (en)", "Vietnamese (vi)"
LANG_COLUMNS = ("label", "hint", "required_message", "constraint_message")
SURVEY_COLUMNS = {
    "type", "name", "required", "constraint", "relevant", "calculation", "default", "read_only",
    "choice_filter", "parameters", "repeat_count", "appearance", "personal",
} | {f"{col}::{lang}" for col in LANG_COLUMNS for lang in (EN, VI)}
EXPRESSION_COLUMNS = ("required", "constraint", "relevant", "calculation", "choice_filter", "repeat_count")
SIMPLE_TYPES = {"text", "integer", "decimal", "date", "note", "calculate", "geopoint", "money"}
STRUCTURE_TYPES = {"begin_group", "end_group", "begin_repeat", "end_repeat"}
QUANTITY_UNITS = {"area": ("ha", "m2", "sao_bac", "sao_trung"), "mass": ("kg", "yen", "ta", "tan")}
UNIT_KG = {"kg": 1, "yen": 10, "ta": 100, "tan": 1000}
FUNCTIONS = {
    "and", "or", "not", "div", "mod", "selected", "count-selected", "if", "coalesce",
    "string-length", "regex", "today", "date", "number", "round", "sum", "count", "position",
    "concat",
}
REF = re.compile(r"\$\{([^}]*)\}")
SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
CHOICE_NAME = re.compile(r"^[a-z0-9][a-z0-9_]*$")


@dataclass
class Field:
    name: str
    type: str  # base type: text, integer, select_one, quantity, ...
    list_name: str | None = None  # select list, or the CSV file for *_from_file
    quantity_kind: str | None = None  # area / mass
    repeat: str | None = None  # innermost repeat the field is in
    row: dict = field(default_factory=dict)
    auto: bool = False  # `<name>_other` / `<name>_unit` added by the type
    conditional: bool = False  # the row, or a group or repeat around it, has `relevant`


def load_form(form_id: str) -> dict:
    with open(FORMS_DIR / f"{form_id}.toml", "rb") as fh:
        return tomllib.load(fh)


def parse_type(type_text: str) -> tuple[str, str | None, bool]:
    """'select_one crop or_other' -> ('select_one', 'crop', True)."""
    parts = type_text.split()
    or_other = len(parts) == 3 and parts[2] == "or_other"
    if or_other:
        parts = parts[:2]
    if len(parts) == 1:
        return parts[0], None, False
    if len(parts) == 2:
        return parts[0], parts[1], or_other
    raise ValueError(f"cannot read type {type_text!r}")


def form_fields(form: dict) -> dict[str, Field]:
    """Every name a record of this form may carry: questions, calculates, notes, groups,
    repeats, and the automatic `<name>_unit` / `<name>_other` fields."""
    fields: dict[str, Field] = {}
    repeats: list[str] = []
    stack: list[bool] = []  # per open group/repeat: is it conditional?
    for row in form["survey"]:
        base, arg, or_other = parse_type(row["type"])
        if base in ("end_repeat", "end_group"):
            stack.pop()
            if base == "end_repeat":
                repeats.pop()
            continue
        name = row["name"]
        repeat = repeats[-1] if repeats else None
        cond = "relevant" in row or any(stack)
        if base == "quantity":
            fields[name] = Field(name, "quantity", quantity_kind=arg, repeat=repeat, row=row, conditional=cond)
            fields[f"{name}_unit"] = Field(f"{name}_unit", "unit", quantity_kind=arg, repeat=repeat, auto=True,
                                           conditional=cond)
        else:
            fields[name] = Field(name, base, list_name=arg, repeat=repeat, row=row, conditional=cond)
            if or_other:
                fields[f"{name}_other"] = Field(f"{name}_other", "text", repeat=repeat, auto=True, conditional=True)
        if base in ("begin_group", "begin_repeat"):
            stack.append(cond)
        if base == "begin_repeat":
            repeats.append(name)
    return fields


def choice_lists(form: dict) -> dict[str, dict[str, dict]]:
    lists: dict[str, dict[str, dict]] = {}
    for row in form.get("choices", []):
        lists.setdefault(row["list_name"], {})[row["name"]] = row
    return lists


def allowed_choices(form: dict, f: Field) -> set[str]:
    """Valid values of a select field (the CSV names for *_from_file)."""
    if f.type.endswith("_from_file"):
        with open(FORMS_DIR / f.list_name, encoding="utf-8", newline="") as fh:
            return {r["name"] for r in csv.DictReader(fh)}
    names = set(choice_lists(form)[f.list_name])
    if parse_type(f.row["type"])[2]:
        names.add("other")
    return names


def iter_strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield k
            yield from iter_strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from iter_strings(v)


# ------------------------------------------------------------------------------------ tests


@pytest.fixture(params=BUILTIN)
def form_id(request):
    return request.param


@pytest.fixture
def form(form_id):
    return load_form(form_id)


def test_settings(form, form_id):
    s = form["settings"]
    assert s["form_id"] == form_id
    assert re.fullmatch(r"\d{10}", s["version"]) and isinstance(s["version"], str)
    assert s["form_title"] and s[f"form_title::{VI}"]
    assert s["default_language"] == EN
    assert set(form) == {"settings", "survey", "choices"}


def test_only_known_columns_and_string_values(form):
    for row in form["survey"]:
        assert set(row) <= SURVEY_COLUMNS, (row.get("name"), set(row) - SURVEY_COLUMNS)
        assert all(isinstance(v, str) and v.strip() == v and v for v in row.values()), row
    for row in form["choices"]:
        assert {"list_name", "name", f"label::{EN}", f"label::{VI}"} <= set(row), row
        assert all(isinstance(v, str) and v for v in row.values()), row


def test_types_known(form):
    lists = choice_lists(form)
    for row in form["survey"]:
        base, arg, or_other = parse_type(row["type"])
        if base in ("select_one", "select_multiple"):
            assert arg in lists, f"{row['name']}: no choice list {arg!r}"
            assert "other" not in lists[arg] or not or_other, f"{arg}: 'other' is added by or_other"
        elif base in ("select_one_from_file", "select_multiple_from_file"):
            assert arg.endswith(".csv") and "/" not in arg and not or_other
        elif base == "quantity":
            assert arg in QUANTITY_UNITS, row
        else:
            assert arg is None and base in SIMPLE_TYPES | STRUCTURE_TYPES, row
        if "parameters" in row:
            assert base == "quantity" and re.fullmatch(r"units=[a-z0-9_]+(,[a-z0-9_]+)*", row["parameters"])
            assert set(row["parameters"][6:].split(",")) <= set(QUANTITY_UNITS[arg])
        if base == "calculate":
            assert "calculation" in row
            labels = {k for k in row if k.startswith("label")}
            assert not labels or labels == {f"label::{EN}", f"label::{VI}"}  # a calculation shown to people
        if "calculation" in row:
            assert base == "calculate"
        if "repeat_count" in row:
            assert base == "begin_repeat"
        if "choice_filter" in row:
            assert base.startswith("select")


def test_names_unique_snake_case(form):
    seen: set[str] = set()
    for row in form["survey"]:
        base, arg, or_other = parse_type(row["type"])
        if base in ("end_group", "end_repeat"):
            assert "name" not in row, "end rows have no name"
            continue
        names = [row["name"]]
        if or_other:
            names.append(row["name"] + "_other")
        if base == "quantity":
            names.append(row["name"] + "_unit")
        for n in names:
            assert SNAKE.fullmatch(n) and n.isascii(), n
            assert n not in seen, f"duplicate name {n}"
            seen.add(n)
    for list_name, choices in choice_lists(form).items():
        assert SNAKE.fullmatch(list_name)
        assert all(CHOICE_NAME.fullmatch(c) for c in choices), list_name
    pairs = [(r["list_name"], r["name"]) for r in form["choices"]]
    assert len(pairs) == len(set(pairs)), "duplicate choice within a list"


def test_groups_and_repeats_balanced(form):
    stack: list[str] = []
    for row in form["survey"]:
        t = row["type"]
        if t in ("begin_group", "begin_repeat"):
            stack.append(t[6:])
        elif t in ("end_group", "end_repeat"):
            assert stack and stack.pop() == t[4:], f"unbalanced {t}"
    assert not stack


def test_references_exist(form):
    fields = form_fields(form)
    for row in form["survey"]:
        for col, value in row.items():
            for ref in REF.findall(value):
                assert ref in fields, f"{row.get('name', row['type'])}.{col}: ${{{ref}}} is not a field"
                f = fields[ref]
                assert f.type not in ("note", "begin_group"), f"${{{ref}}} has no value"
                if f.type == "begin_repeat":
                    assert re.search(r"count\(\$\{" + ref + r"\}\)", value), "a repeat is only counted"
                if f.repeat and f.repeat != fields.get(row.get("name", ""), Field("", "")).repeat:
                    # a field inside a repeat is referenced from outside only through sum()
                    assert re.search(r"(sum|count)\(\$\{" + ref + r"\}\)", value), (row.get("name"), ref)


def test_expressions_use_known_functions(form):
    for row in form["survey"]:
        for col in EXPRESSION_COLUMNS:
            expr = row.get(col)
            if not expr or (col == "required" and expr == "yes"):
                continue
            assert "pulldata" not in expr and "jr:" not in expr
            assert expr.count("(") == expr.count(")"), (row["name"], col)
            assert expr.count("'") % 2 == 0, (row["name"], col)
            bare = re.sub(r"'[^']*'", "''", REF.sub("x", expr))
            for fn in re.findall(r"([a-z][a-z-]*)\s*\(", bare):
                assert fn in FUNCTIONS, f"{row['name']}.{col}: unknown function {fn}()"


def test_no_cycles_among_calculations(form):
    deps = {
        r["name"]: set(REF.findall(r["calculation"])) for r in form["survey"] if "calculation" in r
    }
    state: dict[str, int] = {}

    def visit(n, path):
        if state.get(n) == 1:
            raise AssertionError(f"cycle: {' -> '.join(path + [n])}")
        if state.get(n) == 2 or n not in deps:
            return
        state[n] = 1
        for d in deps[n]:
            visit(d, path + [n])
        state[n] = 2

    for n in deps:
        visit(n, [])


def test_bilingual_labels_hints_messages(form):
    same = total = 0
    for row in form["survey"]:
        base = parse_type(row["type"])[0]
        if base in ("calculate", "end_group", "end_repeat"):
            continue
        total += 1
        assert row.get(f"label::{EN}") and row.get(f"label::{VI}"), f"{row['name']}: label in both languages"
        same += row[f"label::{EN}"] == row[f"label::{VI}"]
        for col in ("hint", "required_message", "constraint_message"):
            assert (f"{col}::{EN}" in row) == (f"{col}::{VI}" in row), f"{row['name']}: {col} in one language only"
        if "constraint" in row:
            assert f"constraint_message::{EN}" in row, f"{row['name']}: constraint without a message"
    for row in form["choices"]:
        assert row[f"label::{EN}"] and row[f"label::{VI}"]
    assert same <= total * 0.05, "Vietnamese labels look copied from English"


def test_vietnamese_is_nfc_and_vietnamese(form_id):
    text = (FORMS_DIR / f"{form_id}.toml").read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", text)
    form = tomllib.loads(text)
    for s in iter_strings(form):
        assert unicodedata.is_normalized("NFC", s)
    vi = [r[f"label::{VI}"] for r in form["survey"] if f"label::{VI}" in r]
    assert sum(not s.isascii() for s in vi) >= 0.9 * len(vi), "Vietnamese labels lack diacritics"
    # Vietnamese-only letters never appear in the English labels (place names aside).
    assert any(ch in "ăâđêôơư" for s in vi for ch in s.lower())


def test_selects_with_other_have_their_text_fields(form):
    fields = form_fields(form)
    for row in form["survey"]:
        base, arg, _ = parse_type(row["type"])
        if base == "select_one_from_file":
            other = f"{row['name']}_other"
            assert other in fields and fields[other].row.get("relevant") == f"${{{row['name']}}}='other'"


def test_unit_references_only_for_quantities(form):
    fields = form_fields(form)
    for row in form["survey"]:
        for value in row.values():
            for ref in REF.findall(value):
                if fields[ref].type == "unit":
                    assert fields[ref[: -len("_unit")]].type == "quantity"


def test_personal_fields_marked(form):
    fields = form_fields(form)
    personal = {n for n, f in fields.items() if f.row.get("personal") == "yes"}
    for n in personal:
        assert fields[n].type == "text", n
    names = {n for n in fields if re.search(r"(^|_)(name|phone)$", n)}
    assert names <= personal, names - personal


GAZETTEER_COLUMNS = {
    "gazetteer_provinces.csv": ["name", f"label::{EN}", f"label::{VI}", "system", "new_province"],
    "gazetteer_districts.csv": ["name", f"label::{EN}", f"label::{VI}", "province"],
    "gazetteer_communes.csv": [
        "name", f"label::{EN}", f"label::{VI}", "system", "province", "district", "new_commune", "new_province",
    ],
}


def test_choice_files_exist_with_filter_columns(form):
    for row in form["survey"]:
        base, arg, _ = parse_type(row["type"])
        if not base.endswith("_from_file"):
            continue
        path = FORMS_DIR / arg
        assert path.exists(), f"{row['name']}: forms/{arg} is missing"
        with open(path, encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh))
        assert set(GAZETTEER_COLUMNS[arg]) <= set(header), f"{arg}: columns {GAZETTEER_COLUMNS[arg]}"
        for col in re.findall(r"(?<![\w$'{])([a-z_]+)\s*(?:=|!=)", row.get("choice_filter", "")):
            assert col in header, f"{row['name']}: filter column {col} not in {arg}"


def test_trade_product_filter_column():
    form = load_form("trade")
    chains = set(choice_lists(form)["chain"]) | {"any"}
    for row in choice_lists(form)["product"].values():
        assert row.get("chain") in chains, row


def test_household_place_fields():
    rows = {r["name"]: r for r in load_form("household")["survey"] if "name" in r}
    assert rows["admin_system"]["default"] == "2025"
    assert rows["province"]["choice_filter"] == "system=${admin_system} or system='any'"
    assert rows["district"]["relevant"] == "${admin_system}='old'"
    assert rows["district"]["choice_filter"] == "province=${province} or name='other'"
    assert rows["commune"]["choice_filter"] == (
        "(system=${admin_system} and (province=${province}) and "
        "(${admin_system}='2025' or district=${district})) or name='other'"
    )


# ------------------------------------------------------------------ cross-check with pyxform


def to_pyxform(form: dict) -> dict:
    """The form as a pyxform workbook dict: field-app types mapped to XLSForm ones
    (quantity -> decimal + a unit select, money -> integer) so that pyxform checks names,
    references, lists and structure with its own rules."""
    survey, choices = [], [dict(r) for r in form["choices"]]
    for kind, units in QUANTITY_UNITS.items():
        for u in units:
            choices.append({"list_name": f"fa_unit_{kind}", "name": u, f"label::{EN}": u, f"label::{VI}": u})
    for row in form["survey"]:
        row = {k: v for k, v in row.items() if k != "personal"}
        base, arg, _ = parse_type(row["type"])
        if base == "money":
            row["type"] = "integer"
        if base == "quantity":
            row["type"] = "decimal"
            row.pop("parameters", None)
            survey.append(row)
            survey.append({
                "type": f"select_one fa_unit_{arg}", "name": f"{row['name']}_unit",
                f"label::{EN}": "unit", f"label::{VI}": "đơn vị",
                **({"relevant": row["relevant"]} if "relevant" in row else {}),
            })
            continue
        survey.append(row)
    # pyxform has no translated form title: keep the default-language one.
    settings = {k: v for k, v in form["settings"].items() if "::" not in k}
    return {"survey": survey, "choices": choices, "settings": [settings]}


def test_pyxform_accepts_the_form(form):
    xls2xform = pytest.importorskip("pyxform.xls2xform")
    result = xls2xform.convert(to_pyxform(form), form_name="data")
    assert "<h:html" in result.xform


@pytest.mark.skipif(shutil.which("java") is None, reason="ODK Validate needs Java")
def test_odk_validate_accepts_the_form(form):
    """JavaRosa (the ODK Collect engine) parses every expression of the form."""
    xls2xform = pytest.importorskip("pyxform.xls2xform")
    xls2xform.convert(to_pyxform(form), form_name="data", validate=True)
