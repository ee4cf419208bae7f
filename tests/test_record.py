"""Values and records: every type's checks, skip logic, required, constraints, calculations, repeats."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import sample
from field_app.core import units
from field_app.core.forms import builtin_form, load_form
from field_app.core.record import choices_for, compute, validate, RecordContext
from field_app.core.text import parse_vn_number
from field_app.core.values import ValueProblem, coerce, coerce_unit

TODAY = dt.date(2024, 6, 30)


@pytest.fixture(scope="module")
def rattan():
    return load_form(sample("rattan_harvester_xlsform.xlsx"))


@pytest.fixture
def typed(write_form):
    return load_form(write_form([
        {"type": "text", "name": "t", "label": "T"},
        {"type": "integer", "name": "i", "label": "I"},
        {"type": "decimal", "name": "d", "label": "D"},
        {"type": "date", "name": "dt", "label": "Date"},
        {"type": "select_one c", "name": "s1", "label": "S1"},
        {"type": "select_multiple c", "name": "sm", "label": "SM"},
        {"type": "geopoint", "name": "g", "label": "G"},
        {"type": "quantity area", "name": "q", "label": "Q"},
        {"type": "money", "name": "m", "label": "M"},
        {"type": "note", "name": "n", "label": "N"},
        {"type": "calculate", "name": "k", "calculation": "${i} * 2"},
    ], [{"list_name": "c", "name": "a", "label": "A"}, {"list_name": "c", "name": "b", "label": "B"}]))


@pytest.mark.parametrize("name,value,stored", [
    ("t", "Thảo quả", "Thảo quả"),
    ("i", "12", 12), ("i", 12.0, 12), ("i", "1.500", 1500),
    ("d", "2,5", 2.5), ("d", "2.5", 2.5), ("d", 3, 3.0),
    ("dt", "2024-02-29", "2024-02-29"), ("dt", "05/02/2024", "2024-02-05"), ("dt", dt.date(2024, 1, 2), "2024-01-02"),
    ("s1", "a", "a"), ("sm", "b a b", "b a"), ("sm", ["a", "b"], "a b"),
    ("g", "22.34 103.84", "22.34 103.84"), ("g", "15,5 108,2 10", "15.5 108.2 10"),
    ("q", "2,5", 2.5), ("m", "1.500.000", 1_500_000), ("m", 250000, 250000), ("m", "6.200đ", 6200),
    ("t", "", None), ("i", None, None),
])
def test_coerce_accepts(typed, name, value, stored):
    assert coerce(typed.fields[name], value, typed) == stored


@pytest.mark.parametrize("name,value,why", [
    ("i", "12.5", "whole number"), ("i", "abc", "whole number"), ("i", True, "whole number"),
    ("d", "two", "not a number"),
    ("dt", "31/04/2024", "not a date that exists"), ("dt", "2024-13-01", "not a date that exists"), ("dt", "yesterday", "not a date"),
    ("s1", "z", "not a choice"), ("s1", "a b", "Choose one"), ("sm", "a zz", "not a choice"),
    ("g", "north", "not a location"), ("g", "95 200", "not a location"),
    ("m", 12.5, "whole"),
])
def test_coerce_refuses(typed, name, value, why):
    with pytest.raises(ValueProblem, match=why):
        coerce(typed.fields[name], value, typed)


def test_units_are_explicit(typed):
    f = typed.fields["q"]
    assert coerce_unit(f, "sào trung bộ") == "sao_trung" and coerce_unit(f, "ha") == "ha"
    with pytest.raises(ValueProblem, match="not a unit"):
        coerce_unit(f, "kg")
    assert units.convert(2, "sao_trung", "m2") == 1000 and units.convert(1, "sao_bac", "m2") == 360
    assert units.convert(5, "ta", "kg") == 500 and units.convert(1500, "kg", "tan") == 1.5
    assert units.price_per(6_000_000, "ta") == 60_000
    with pytest.raises(units.UnitError):
        units.convert(1, "kg", "ha")


@pytest.mark.parametrize("text,value", [
    ("1.500.000", 1500000), ("3.200", 3200), ("2,5", 2.5), ("6.200đ", 6200), ("6.500 đ", 6500),
    ("62000đ", 62000), ("13.500.000", 13500000), ("-1.000", -1000), ("1,500,000", 1500000), ("3.5", 3.5),
    ("không rõ", None), ("", None),
])
def test_vietnamese_numbers(text, value):
    assert parse_vn_number(text) == value


def test_required_relevant_and_constraints(rattan):
    record = {"interview_date": "2030-01-01", "consent": "no", "hh_size": 0}
    problems = validate(rattan, record, today=TODAY)
    errors = {p.column for p in problems if p.severity == "error"}
    assert "interview_date" in errors  # constraint: not in the future
    assert "district" in errors  # required
    # consent = no hides the household group: nothing there is required
    assert "resp_name" not in errors and "hh_size" not in errors
    warnings = {p.column for p in problems if p.severity == "warning"}
    assert "hh_size" in warnings  # answered but not applicable: kept, reported


def test_constraint_message_in_each_language(rattan):
    record = {"consent": "yes", "hh_size": 99}
    en = [p.text() for p in validate(rattan, record, lang="en", today=TODAY) if p.column == "hh_size"]
    vi = [p.text() for p in validate(rattan, record, lang="vi", today=TODAY) if p.column == "hh_size"]
    assert en and vi and en != vi


def test_position_constraint_inside_repeat(rattan):
    members = [{"m_name": "A", "m_sex": "male", "m_age": 40, "m_relation": "spouse"}]
    problems = validate(rattan, {"consent": "yes", "hh_size": 1, "members": members}, today=TODAY)
    assert any(p.sheet == "members[1]" and p.column == "m_relation" and p.severity == "error" for p in problems)
    members[0]["m_relation"] = "head"
    problems = validate(rattan, {"consent": "yes", "hh_size": 1, "members": members}, today=TODAY)
    assert not any(p.sheet == "members[1]" and p.column == "m_relation" for p in problems)


def test_repeat_count_mismatch_is_a_warning(rattan):
    problems = validate(rattan, {"consent": "yes", "hh_size": 3, "members": [{"m_name": "A"}]}, today=TODAY)
    assert any(p.column == "members" and p.severity == "warning" and "3" in p.text() for p in problems)


def test_calculations_and_sum_over_repeat(rattan):
    record = {"consent": "yes", "land_sao": 4, "sold_rattan": "yes", "hh_size": 4,
              "inc_crops": 1_000_000, "inc_livestock": 0, "inc_forest_other": 0, "inc_wages": 0, "inc_other": 0,
              "sales": [{"sale_unit": "ta", "sale_qty": 2, "price_kg": 10_000},
                        {"sale_unit": "kg", "sale_qty": 50, "price_kg": 12_000}]}
    compute(rattan, record)
    assert record["land_m2"] == 2000 and record["land_ha"] == 0.2
    assert record["sales"][0]["qty_kg"] == 200 and record["sales"][1]["qty_kg"] == 50
    assert record["rattan_income"] == 200 * 10_000 + 50 * 12_000
    assert record["total_income"] == 1_000_000 + 2_600_000
    assert record["income_pc"] == round(3_600_000 / 4)


def test_cascading_choices(rattan):
    ctx = RecordContext(rattan, {"district": "bac_tra_my"})
    offered = {c.name for c in choices_for(rattan.fields["commune"], rattan, ctx)}
    assert offered and all(rattan.choices["commune"].get(n).columns["district"] == "bac_tra_my" for n in offered)
    record = {"district": "bac_tra_my", "commune": "tra_linh"}  # a Nam Trà My commune
    assert any(p.column == "commune" and "not among the choices" in p.text()
               for p in validate(rattan, record, today=TODAY))


def test_household_gazetteer_cascade():
    form = builtin_form("household")
    old = RecordContext(form, {"admin_system": "old", "province": "quang_nam", "district": "bac_tra_my"})
    provinces = {c.name for c in choices_for(form.fields["province"], form, old)}
    assert "quang_nam" in provinces and "da_nang" not in provinces and "other" in provinces
    communes = choices_for(form.fields["commune"], form, old)
    assert communes and all(c.columns.get("district") == "bac_tra_my" or c.name == "other" for c in communes)
    new = RecordContext(form, {"admin_system": "2025", "province": "da_nang"})
    assert {c.name for c in choices_for(form.fields["province"], form, new)} >= {"da_nang", "lao_cai"}


def test_defaults_for_a_new_record(write_form):
    from field_app.core.record import defaults

    form = load_form(write_form([
        {"type": "select_one s", "name": "system", "label": "S", "default": "2025"},
        {"type": "date", "name": "d", "label": "D", "default": "today()"},
        {"type": "integer", "name": "n", "label": "N"},
    ], [{"list_name": "s", "name": "2025", "label": "2025"}]))
    assert defaults(form, today=TODAY) == {"system": "2025", "d": "2024-06-30"}
    assert defaults(builtin_form("household"))["admin_system"] == "2025"


def test_skip_logic_is_per_repeat_row(write_form):
    form = load_form(write_form([
        {"type": "begin_repeat", "name": "crops", "label": "Crops"},
        {"type": "text", "name": "crop", "label": "Crop"},
        {"type": "begin_group", "name": "drying", "label": "Drying", "relevant": "${crop} = 'cardamom'"},
        {"type": "text", "name": "method", "label": "Method", "required": "yes"},
        {"type": "end_group"},
        {"type": "end_repeat"},
    ]))
    record = {"crops": [{"crop": "rice"}, {"crop": "cardamom"}, {"crop": "maize", "method": "sun"}]}
    problems = validate(form, record)
    assert [(p.sheet, p.severity) for p in problems] == [("crops[2]", "error"), ("crops[3]", "warning")]


@pytest.mark.parametrize("name,value", [
    ("t", "Thảo quả"), ("t", "Tha\u0309o qua\u0309"), ("t", "  "), ("t", 12), ("i", 5), ("i", "7"), ("i", 2.0),
    ("i", "x"), ("i", True), ("d", 1), ("d", 2.5), ("d", "2,5"), ("d", float("nan")), ("dt", "2024-02-29"),
    ("dt", "2024-02-30"), ("dt", "05/02/2024"), ("s1", "a"), ("s1", "zz"), ("sm", "a b"), ("m", 10), ("m", "1.000"),
    ("q", 3), ("g", "1 2"),
])
def test_bulk_converters_agree_with_coerce(typed, name, value):
    from field_app.core.values import converter

    f = typed.fields[name]
    fast = converter(f, typed)
    try:
        expected = coerce(f, value, typed)
    except ValueProblem as e:
        with pytest.raises(ValueProblem) as err:
            fast(value)
        assert err.value.message == e.message
    else:
        assert fast(value) == expected
