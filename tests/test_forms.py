"""Form loading: built-in forms, the sample XLSForms, pyxform's examples, and every refusal."""

from __future__ import annotations

import pytest

from conftest import SAMPLES, sample
from field_app.core.errors import FormError
from field_app.core.forms import builtin_forms, check_form, load_form
from field_app.core.forms import model as m


def test_builtin_forms_load_with_both_languages():
    forms = builtin_forms()
    assert set(forms) >= {"household", "enterprise", "trade"}
    for form in forms.values():
        assert {"en", "vi"} <= set(form.languages)
        for f in form.walk():
            if f.kind not in (m.CALCULATE, m.META) and f.labels:
                assert f.labels.get("vi"), f"{form.form_id}.{f.name} lacks a Vietnamese label"


def test_household_form_has_domain_fields():
    form = builtin_forms()["household"]
    kinds = {f.name: f.kind for f in form.walk()}
    assert kinds["members"] == m.REPEAT and kinds["crops"] == m.REPEAT and kinds["plots"] == m.REPEAT
    assert form.fields["head_name"].personal and form.fields["head_phone"].personal
    assert form.fields["crop_area"].kind == m.QUANTITY and form.fields["crop_area"].unit_kind == "area"
    assert form.fields["harvest_dried"].unit_kind == "mass"
    drying = form.choices[form.fields["drying_method"].list_name].names()
    assert {"traditional_kiln", "improved_dryer", "sun"} <= set(drying)
    assert form.fields["commune"].choice_filter


def test_trade_form_prices_per_unit():
    form = builtin_forms()["trade"]
    assert form.fields["quantity"].kind == m.QUANTITY
    assert form.fields["unit_price"].kind == m.MONEY
    assert form.choices[form.fields["price_unit"].list_name].names() == ["kg", "yen", "ta", "tan"]


def test_rattan_sample_form_loads():
    form = load_form(sample("rattan_harvester_xlsform.xlsx"))
    assert form.form_id == "rattan_hh_quangnam_2024"
    assert form.version == "2024061201"
    assert form.languages == ["en", "vi"]
    assert form.fields["commune"].choice_filter == "district=${district}"
    assert form.fields["members"].kind == m.REPEAT and form.fields["sales"].kind == m.REPEAT
    # month names typed as numbers are read as the text "1".."12", not 1.0
    assert form.choices["month"].names() == [str(i) for i in range(1, 13)]
    # the same choice name in several lists is fine
    assert form.choices["yes_no"].get("yes") and form.choices["buyer_type"]
    assert form.choices["district"].get("bac_tra_my").labels["vi"] == "Bắc Trà My"


def test_broken_sample_reports_all_four_faults_at_once():
    form, errors, _ = check_form(sample("broken_xlsform.xlsx"))
    assert form is None
    found = {(p.row, p.column) for p in errors}
    assert found == {(73, "calculation"), (81, "name"), (53, "type"), (52, "type")}
    text = "\n".join(str(p) for p in errors)
    assert "hh_members" in text and "problems_other" in text and "buyer_types" in text and "sales" in text
    assert all("survey" in p.sheet for p in errors)


EXPECTED_REFUSALS = {
    "bug_example_xls__UCL_Biomass_Plot_Form.xlsx": "UCL_regions.csv",  # its CSV files are not shipped
    "bug_example_xls__bad_calc.xlsx": "not a valid expression",
    "example_xls__bad_calc.xlsx": "not a valid expression",
    "bug_example_xls__duplicate_columns.xlsx": "Duplicate column header 'label'",
    "example_xls__case_insensitivity.xlsx": "select_one_external",
    "example_xls__include.xlsx": "'include'",
    "example_xls__include_json.xlsx": "'include'",
    "example_xls__loop.xlsx": "begin loop",
    "example_xls__pull_data.xlsx": "pulldata",
}


@pytest.mark.skipif(not (SAMPLES / "pyxform-examples").exists(), reason="../shared/samples not present")
@pytest.mark.parametrize("path", sorted((SAMPLES / "pyxform-examples").glob("*.xlsx")), ids=lambda p: p.name)
def test_pyxform_examples(path):
    form, errors, warnings = check_form(path)
    expected = EXPECTED_REFUSALS.get(path.name)
    if expected is None:
        assert form is not None, [str(e) for e in errors]
        assert form.fields
    else:
        assert form is None
        assert any(expected in str(e) for e in errors), [str(e) for e in errors]
        assert all(e.row is not None or e.sheet for e in errors)


def test_spec_form_keeps_what_it_can(tmp_path):
    form = load_form(SAMPLES / "pyxform-examples" / "example_xls__xlsform_spec_test.xlsx") if (
        SAMPLES / "pyxform-examples").exists() else None
    if form is None:
        pytest.skip("../shared/samples not present")
    kinds = {f.kind for f in form.walk()}
    assert {m.ACKNOWLEDGE, m.TIME, m.DATETIME, m.GEOPOINT, m.BARCODE, m.ATTACHMENT, m.META, m.REPEAT} <= kinds
    assert form.form_id == "Spec_test"


# -- inline forms: each fault alone ---------------------------------------------------------------

def _errors(write_form, survey, choices=()):
    _form, errors, _ = check_form(write_form(survey, choices))
    return errors


def test_unknown_type(write_form):
    errors = _errors(write_form, [{"type": "integr", "name": "a", "label": "A"}])
    assert len(errors) == 1 and "Unknown type 'integr'" in str(errors[0]) and errors[0].row is not None


def test_unsupported_type_is_named(write_form):
    errors = _errors(write_form, [{"type": "geotrace", "name": "a", "label": "A"}])
    assert "geotrace" in str(errors[0]) and "not supported" in str(errors[0])


def test_duplicate_name(write_form):
    errors = _errors(write_form, [{"type": "text", "name": "a", "label": "A"},
                                  {"type": "integer", "name": "a", "label": "B"}])
    assert len(errors) == 1 and "used twice" in str(errors[0])


def test_reference_to_nothing(write_form):
    errors = _errors(write_form, [{"type": "integer", "name": "a", "label": "A", "relevant": "${b} > 1"}])
    assert len(errors) == 1 and "${b}" in str(errors[0]) and errors[0].column == "relevant"


def test_calculation_cycle(write_form):
    errors = _errors(write_form, [
        {"type": "calculate", "name": "a", "calculation": "${b} + 1"},
        {"type": "calculate", "name": "b", "calculation": "${c} * 2"},
        {"type": "calculate", "name": "c", "calculation": "${a}"},
        {"type": "calculate", "name": "d", "calculation": "${a}"},
    ])
    assert len(errors) == 1 and "cycle" in str(errors[0])
    assert {"a", "b", "c"} <= set(str(errors[0]).split("cycle: ")[1].rstrip(".").split(" -> "))


def test_self_reference_is_a_cycle(write_form):
    errors = _errors(write_form, [{"type": "calculate", "name": "a", "calculation": "${a} + 1"}])
    assert len(errors) == 1 and "cycle" in str(errors[0])


@pytest.mark.parametrize("rows,expect", [
    ([{"type": "begin_group", "name": "g", "label": "G"}, {"type": "text", "name": "a", "label": "A"}],
     "never closed"),
    ([{"type": "text", "name": "a", "label": "A"}, {"type": "end_group"}], "closes nothing"),
    ([{"type": "begin_repeat", "name": "r", "label": "R"}, {"type": "text", "name": "a", "label": "A"},
      {"type": "end_group"}], "cannot close"),
])
def test_unbalanced_groups(write_form, rows, expect):
    errors = _errors(write_form, rows)
    assert any(expect in str(e) for e in errors)


def test_all_faults_reported_in_one_pass(write_form):
    errors = _errors(write_form, [
        {"type": "integr", "name": "a", "label": "A"},
        {"type": "text", "name": "b", "label": "B"},
        {"type": "text", "name": "b", "label": "B2"},
        {"type": "select_one nolist", "name": "c", "label": "C"},
        {"type": "integer", "name": "d", "label": "D", "constraint": ". > ${zz}"},
        {"type": "integer", "name": "e", "label": "E", "relevant": "${d} >"},
        {"type": "begin_group", "name": "g", "label": "G"},
    ])
    assert len(errors) == 6
    assert [e.row for e in errors] == sorted(e.row for e in errors)


def test_select_lists_and_or_other(write_form):
    path = write_form(
        [{"type": "select_one color or_other", "name": "c", "label::English (en)": "Colour",
          "label::Vietnamese (vi)": "Màu"}],
        [{"list_name": "color", "name": "red", "label::English (en)": "Red", "label::Vietnamese (vi)": "Đỏ"}])
    form = load_form(path)
    assert form.fields["c_other"].relevant == "selected(${c}, 'other')"
    assert form.choices["color"].names() == ["red", "other"]


def test_duplicate_choice_in_list(write_form):
    errors = _errors(write_form, [{"type": "select_one l", "name": "a", "label": "A"}],
                     [{"list_name": "l", "name": "x", "label": "X"}, {"list_name": "l", "name": "x", "label": "Y"}])
    assert len(errors) == 1 and "twice in list 'l'" in str(errors[0])


def test_quantity_units(write_form):
    form = load_form(write_form([{"type": "quantity mass", "name": "q", "label": "Q", "parameters": "units=kg,ta"}]))
    assert form.fields["q"].units == ("kg", "ta")
    errors = _errors(write_form, [{"type": "quantity mass", "name": "q", "label": "Q", "parameters": "units=kg,bao"}])
    assert "bao" in str(errors[0])
    errors = _errors(write_form, [{"type": "quantity", "name": "q", "label": "Q"}])
    assert "quantity area" in str(errors[0])


def test_toml_messages_give_the_line(write_form):
    path = write_form([{"type": "text", "name": "a", "label": "A"}, {"type": "bogus", "name": "b", "label": "B"}])
    _form, errors, _ = check_form(path)
    line = path.read_text().splitlines()[errors[0].row - 1]
    assert line == "[[survey]]" and "line" in str(errors[0])


def test_unreadable_files(tmp_path):
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(FormError):
        load_form(bad)
    toml = tmp_path / "x.toml"
    toml.write_text("[[survey]\ntype=", encoding="utf-8")
    _f, errors, _ = check_form(toml)
    assert errors and "Cannot read" in str(errors[0])
    old_excel = tmp_path / "x.xls"
    old_excel.write_bytes(b"\xd0\xcf\x11\xe0")
    assert "save it as .xlsx" in str(check_form(old_excel)[1][0])
    other = tmp_path / "x.pdf"
    other.write_text("x")
    assert "Unsupported form file type" in str(check_form(other)[1][0])


def test_vietnamese_messages(write_form):
    from field_app.core.i18n import set_language

    _f, errors, _ = check_form(write_form([{"type": "text", "name": "a", "label": "A"},
                                           {"type": "text", "name": "a", "label": "B"}]))
    set_language("vi")
    try:
        assert "hai lần" in str(errors[0])
    finally:
        set_language("en")


def test_reasons_and_kinds_are_translated(write_form):
    from field_app.core.i18n import set_language

    _f, errors, _ = check_form(write_form([{"type": "geotrace", "name": "a", "label": "A"},
                                           {"type": "begin_repeat", "name": "r", "label": "R"},
                                           {"type": "text", "name": "b", "label": "B"}]))
    set_language("vi")
    try:
        text = " ".join(str(e) for e in errors)
        assert "công cụ bản đồ" in text and "nhóm lặp" in text and "line" not in text
    finally:
        set_language("en")
