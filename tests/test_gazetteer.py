"""The built-in gazetteer: shipped files, old-to-2025 mapping, and errors for malformed files."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from field_app.core.gazetteer import FILES, Gazetteer, GazetteerError, Unit, default_gazetteer

FORMS = Path(__file__).resolve().parents[1] / "forms"
README = FORMS / "gazetteer_README.md"

HEADERS = {
    "province": ["name", "label::English (en)", "label::Vietnamese (vi)", "system", "new_province"],
    "district": ["name", "label::English (en)", "label::Vietnamese (vi)", "province"],
    "commune": [
        "name",
        "label::English (en)",
        "label::Vietnamese (vi)",
        "system",
        "province",
        "district",
        "new_commune",
        "new_province",
    ],
}
LAST_ROWS = {
    "province": ["other", "Other", "Khác", "any", ""],
    "district": ["other", "Other", "Khác", "any"],
    "commune": ["other", "Other", "Khác", "any", "", "", "", ""],
}

# Old communes deliberately left without a 2025 commune; each is explained in the README.
SPLIT = {
    "hd_kim_chung",
    "hd_an_khanh",
    "hd_an_thuong",
    "hd_song_phuong",
    "hd_van_con",
    "hd_van_canh",
    "hd_la_phu",
    "qo_quoc_oai",
    "qo_phuong_son",
    "qo_ngoc_liep",
    "qo_ngoc_my",
    "qo_phu_cat",
}
UNCONFIRMED = {"qo_tan_hoa", "qo_tan_phu"}

# (old province, 2025 province) for the four survey regions
REGIONS = [
    ("lao_cai_old", "lao_cai"),
    ("lai_chau_old", "lai_chau"),
    ("quang_nam", "da_nang"),
    ("ha_noi_old", "ha_noi"),
]


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load(FORMS)


def rows(level: str) -> list[list[str]]:
    with open(FORMS / FILES[level], encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


# -- the shipped files ---------------------------------------------------------------------


def test_shipped_files_load_and_are_consistent(gaz):
    assert gaz.validate() == []
    assert len(gaz.units("province")) >= 9
    assert len(gaz.units("commune", "2025")) >= 100
    assert len(gaz.units("commune", "old")) >= 250


@pytest.mark.parametrize("level", sorted(FILES))
def test_file_format(level):
    raw = (FORMS / FILES[level]).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "no byte-order mark"
    text = raw.decode("utf-8")
    assert unicodedata.is_normalized("NFC", text)
    assert "\r" not in text
    table = rows(level)
    assert table[0] == HEADERS[level]
    assert table[-1] == LAST_ROWS[level]
    for row in table[1:]:
        assert len(row) == len(HEADERS[level])
        assert not row[0].startswith("#"), "no comment lines in choice files"


@pytest.mark.parametrize("level", sorted(FILES))
def test_labels(level):
    for row in rows(level)[1:]:
        code, en, vi = row[0], row[1], row[2]
        assert unicodedata.is_normalized("NFC", vi), code
        assert en.isascii(), code
        # the English label is the Vietnamese one without diacritics
        stripped = unicodedata.normalize("NFD", vi.replace("Đ", "D").replace("đ", "d"))
        stripped = "".join(ch for ch in stripped if unicodedata.category(ch) != "Mn")
        if code != "other":
            assert en == stripped, code


def test_every_old_commune_maps_to_an_existing_2025_commune_or_is_documented(gaz):
    readme = README.read_text(encoding="utf-8")
    unmapped = set()
    for unit in gaz.units("commune", "old"):
        if unit.new_code is None:
            unmapped.add(unit.code)
            continue
        target = gaz.unit("commune", unit.new_code)
        assert target is not None and target.system == "2025", unit.code
        assert target.province == unit.new_province, unit.code
    assert unmapped == SPLIT | UNCONFIRMED
    for code in unmapped:
        assert f"`{code}`" in readme, f"{code} is not explained in {README.name}"


def test_starch_villages_of_hoai_duc(gaz):
    for old in ("hd_duong_lieu", "hd_minh_khai", "hd_cat_que", "hd_yen_so", "hd_dac_so"):
        assert gaz.to_2025("ha_noi_old", old, "hoai_duc") == ("ha_noi", "duong_hoa")
    assert gaz.to_2025("ha_noi_old", "hd_duc_giang", "hoai_duc") == ("ha_noi", "hoai_duc")
    hoai_duc = {u.code for u in gaz.children("commune", "hoai_duc")}
    assert {"hd_duong_lieu", "hd_minh_khai", "hd_cat_que", "hd_duc_giang"} <= hoai_duc


def test_known_mappings(gaz):
    assert gaz.to_2025("ha_noi_old", "qo_cong_hoa") == ("ha_noi", "hung_dao")
    assert gaz.to_2025("lao_cai_old", "bx_a_lu", "bat_xat") == ("lao_cai", "y_ty")
    assert gaz.to_2025("lao_cai_old", "sp_trung_chai", "sa_pa") == ("lao_cai", "ta_phin")
    assert gaz.to_2025("lao_cai_old", "vb_nam_xe") == ("lao_cai", "nam_xe")
    assert gaz.to_2025("lai_chau_old", "mt_ka_lang", "muong_te") == ("lai_chau", "thu_lum")
    assert gaz.to_2025("lai_chau_old", "mt_pa_ve_su") == ("lai_chau", "bum_nua")
    assert gaz.to_2025("quang_nam", "btm_tra_ka", "bac_tra_my") == ("da_nang", "tra_giap")
    assert gaz.to_2025("quang_nam", "ntm_tra_cang") == ("da_nang", "tra_tap")


def test_to_2025_never_guesses(gaz):
    # divided old commune: province only
    assert gaz.to_2025("ha_noi_old", "hd_kim_chung", "hoai_duc") == ("ha_noi", None)
    # province only
    assert gaz.to_2025("quang_nam", None) == ("da_nang", None)
    # commune of another province or district
    assert gaz.to_2025("lai_chau_old", "bx_y_ty") == ("lai_chau", None)
    assert gaz.to_2025("lao_cai_old", "bx_y_ty", "sa_pa") == ("lao_cai", None)
    # a 2025 commune given with an old province is not an old place
    assert gaz.to_2025("lao_cai_old", "y_ty") == ("lao_cai", None)
    # unknown
    assert gaz.to_2025("lao_cai_old", "nowhere") == ("lao_cai", None)
    assert gaz.to_2025("atlantis", "x") == (None, None)
    assert gaz.to_2025("other", "other") == (None, None)


def test_to_2025_of_a_2025_place_is_the_identity(gaz):
    for unit in gaz.units("commune", "2025"):
        assert gaz.to_2025(unit.province, unit.code) == (unit.province, unit.code)
    for unit in gaz.units("province", "2025"):
        assert gaz.to_2025(unit.code, None) == (unit.code, None)
    # a 2025 commune named with the wrong 2025 province keeps the province only
    assert gaz.to_2025("da_nang", "y_ty") == ("da_nang", None)


@pytest.mark.parametrize("old, new", REGIONS)
def test_regions_present_in_both_systems(gaz, old, new):
    old_province = gaz.unit("province", old)
    new_province = gaz.unit("province", new)
    assert old_province.system == "old" and new_province.system == "2025"
    assert old_province.new_code == new
    assert old_province.label("vi") and new_province.label("vi")
    districts = gaz.children("district", old)
    assert districts
    assert all(gaz.children("commune", d.code) for d in districts)
    assert gaz.children("commune", new)
    assert gaz.to_2025(old, None) == (new, None)


def test_labels_and_lookups(gaz):
    assert gaz.label("province", "quang_nam") == "Quảng Nam"
    assert gaz.label("province", "quang_nam", "en") == "Quang Nam"
    assert gaz.label("district", "sa_pa") == "Sa Pa"
    assert gaz.label("commune", "bx_y_ty") == "Y Tý"
    assert gaz.label("commune", "other", "vi") == "Khác"
    assert gaz.label("commune", "unknown_code") == "unknown_code"
    assert gaz.unit("commune", "unknown_code") is None
    district = gaz.unit("district", "bat_xat")
    assert (district.parent, district.province, district.new_province) == ("lao_cai_old", "lao_cai_old", "lao_cai")
    commune = gaz.unit("commune", "bx_y_ty")
    assert (commune.parent, commune.province, commune.new_code) == ("bat_xat", "lao_cai_old", "y_ty")
    assert [d.code for d in gaz.children("district", "quang_nam")][:2] == ["bac_tra_my", "nam_tra_my"]
    with pytest.raises(ValueError):
        gaz.children("village", "x")


def test_default_gazetteer_and_override(monkeypatch, tmp_path):
    monkeypatch.delenv("FIELD_APP_FORMS_DIR", raising=False)
    assert default_gazetteer().unit("province", "lao_cai") is not None
    folder = copy_forms(tmp_path)
    edit(folder, "province", lambda t: t.replace("Quảng Nam", "Quảng Nam cũ"))
    monkeypatch.setenv("FIELD_APP_FORMS_DIR", str(folder))
    assert default_gazetteer().label("province", "quang_nam") == "Quảng Nam cũ"


def test_core_module_does_not_import_qt():
    code = (
        "import sys, field_app.core.gazetteer as g; g.default_gazetteer(); "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'PyQt5', 'PyQt6', 'shiboken6')]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=FORMS.parent)


# -- malformed files -----------------------------------------------------------------------


def copy_forms(tmp_path: Path) -> Path:
    folder = tmp_path / "forms"
    folder.mkdir()
    for name in FILES.values():
        shutil.copy(FORMS / name, folder / name)
    return folder


def edit(folder: Path, level: str, change) -> Path:
    path = folder / FILES[level]
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    return path


def line_of(path: Path, prefix: str) -> int:
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text.startswith(prefix):
            return number
    raise AssertionError(prefix)


def test_missing_column(tmp_path):
    folder = copy_forms(tmp_path)
    path = edit(folder, "commune", lambda t: t.replace(",new_commune,", ",", 1))
    with pytest.raises(GazetteerError) as info:
        Gazetteer.load(folder)
    assert info.value.file.endswith("gazetteer_communes.csv") and info.value.line == 1
    assert "new_commune" in info.value.reason
    assert str(info.value).startswith(f"{path}:1:")


def test_duplicate_code(tmp_path):
    folder = copy_forms(tmp_path)
    path = folder / FILES["district"]
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    bat_xat = line_of(path, "bat_xat,")
    lines.insert(len(lines) - 1, lines[bat_xat - 1])  # again, just before 'other'
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(GazetteerError) as info:
        Gazetteer.load(folder)
    assert info.value.file.endswith("gazetteer_districts.csv")
    assert info.value.line == len(lines) - 1
    assert "bat_xat" in info.value.reason and f"line {bat_xat}" in info.value.reason


def test_wrong_number_of_fields_counts_editor_lines(tmp_path):
    folder = copy_forms(tmp_path)
    path = folder / FILES["province"]
    text = path.read_text(encoding="utf-8")
    # a blank line and a quoted field running over two lines before the bad row
    text = text.replace("lao_cai,", '\nlao_cai_x,"Lao\nCai",Lào Cai,2025,\nlao_cai,', 1)
    text = text.replace("quang_nam,Quang Nam,Quảng Nam,old,da_nang", "quang_nam,Quang Nam,Quảng Nam,old,da_nang,extra")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GazetteerError) as info:
        Gazetteer.load(folder)
    assert info.value.line == line_of(path, "quang_nam,")
    assert "fields" in info.value.reason


@pytest.mark.parametrize(
    "level, old, new, words",
    [
        ("province", "lai_chau,Lai Chau,Lai Châu,2025,", "lai_chau,Lai Chau,Lai Châu,new,", "system"),
        ("commune", "bx_y_ty,", "Bx Y Ty,", "snake_case"),
        ("commune", "bx_y_ty,Y Ty,Y Tý,", "bx_y_ty,Y Ty,,", "label"),
        ("commune", "bx_y_ty,Y Ty,Y Tý,old,lao_cai_old,bat_xat,", "bx_y_ty,Y Ty,Y Tý,old,lao_cai_old,,", "district"),
        ("commune", "y_ty,Y Ty,Y Tý,2025,lao_cai,,,", "y_ty,Y Ty,Y Tý,2025,lao_cai,bat_xat,,", "2025"),
    ],
)
def test_malformed_rows(tmp_path, level, old, new, words):
    folder = copy_forms(tmp_path)
    path = folder / FILES[level]
    expected_line = line_of(path, old)
    edit(folder, level, lambda t: t.replace(old, new, 1))
    with pytest.raises(GazetteerError) as info:
        Gazetteer.load(folder)
    assert info.value.file.endswith(FILES[level])
    assert info.value.line == expected_line
    assert words in info.value.reason


def test_validate_reports_inconsistencies(tmp_path):
    folder = copy_forms(tmp_path)
    edit(folder, "commune", lambda t: t.replace(",bat_xat,y_ty,lao_cai", ",bat_xat,y_tyy,lao_cai", 1))
    edit(folder, "commune", lambda t: t.replace(",lao_cai_old,bac_ha,", ",lao_cai_old,bac_haa,", 1))
    edit(folder, "district", lambda t: t.replace("quoc_oai,Quoc Oai,Quốc Oai,ha_noi_old", "quoc_oai,Quoc Oai,Quốc Oai,ha_noi"))
    edit(folder, "province", lambda t: t.replace("quang_nam,Quang Nam,Quảng Nam,old,da_nang", "quang_nam,Quang Nam,Quảng Nam,old,lao_cai_old"))
    problems = Gazetteer.load(folder).validate()
    text = "\n".join(problems)
    assert "new_commune 'y_tyy' is not a 2025 commune" in text
    assert "district 'bac_haa' does not exist" in text
    assert "province 'ha_noi' is not an old province" in text
    assert "new_province 'lao_cai_old' is not a 2025 province" in text
    assert all(p.startswith("gazetteer_") for p in problems)


def test_validate_reports_duplicates_and_missing_other():
    labels = {"en": "X", "vi": "X"}
    units = [
        Unit("x", "province", "2025", labels, None, None, None, None),
        Unit("x", "province", "2025", labels, None, None, None, None),
        Unit("xa", "commune", "2025", {"en": "Xa", "vi": unicodedata.normalize("NFD", "Xã")}, "x", "x", None, None),
    ]
    problems = Gazetteer(units).validate()
    assert any("'x' is used 2 times" in p for p in problems)
    assert any("no 'other' row" in p for p in problems)
    assert any("not in Unicode NFC" in p for p in problems)
