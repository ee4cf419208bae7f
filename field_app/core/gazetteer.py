"""A small built-in gazetteer of Vietnamese administrative units, before and after 1 July 2025.

Vietnam abolished the district level on 1 July 2025 and merged provinces and communes. Older
surveys name a place as province > district > commune ("old" system); newer ones as
province > commune ("2025" system). The gazetteer is three CSV files in the forms folder, used
both as choice lists by the household form (``select_one_from_file``) and here:

* ``gazetteer_provinces.csv``: name, label::English (en), label::Vietnamese (vi), system,
  new_province
* ``gazetteer_districts.csv``: name, label::English (en), label::Vietnamese (vi), province
* ``gazetteer_communes.csv``: name, label::English (en), label::Vietnamese (vi), system,
  province, district, new_commune, new_province

``system`` is ``2025``, ``old`` or ``any`` (the ``other`` row every file ends with). An old commune
whose ``new_commune`` is empty was split between several 2025 communes, or its successor is not
confirmed: :meth:`Gazetteer.to_2025` then gives the province only and never guesses.

Standard library only; no Qt.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import FieldAppError
from .paths import forms_dir

__all__ = [
    "FILES",
    "LEVELS",
    "SYSTEMS",
    "Gazetteer",
    "GazetteerError",
    "Unit",
    "default_gazetteer",
]

LEVELS = ("province", "district", "commune")
SYSTEMS = ("2025", "old", "any")
OTHER = "other"

FILES = {
    "province": "gazetteer_provinces.csv",
    "district": "gazetteer_districts.csv",
    "commune": "gazetteer_communes.csv",
}

_LABEL_EN = "label::English (en)"
_LABEL_VI = "label::Vietnamese (vi)"
_COLUMNS = {
    "province": ("name", _LABEL_EN, _LABEL_VI, "system", "new_province"),
    "district": ("name", _LABEL_EN, _LABEL_VI, "province"),
    "commune": (
        "name",
        _LABEL_EN,
        _LABEL_VI,
        "system",
        "province",
        "district",
        "new_commune",
        "new_province",
    ),
}
_CODE = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)*")
_LABEL_COLUMN = re.compile(r"label::.*\((?P<lang>[A-Za-z][A-Za-z0-9_-]*)\)\s*")


class GazetteerError(FieldAppError):
    """A gazetteer file that cannot be read: which file, which line (1 = the header), and why."""

    def __init__(self, file: str | Path, line: int, reason: str):
        self.file = str(file)
        self.line = line
        self.reason = reason
        super().__init__(f"{self.file}:{line}: {reason}")


@dataclass(frozen=True)
class Unit:
    """One province, district or commune.

    ``parent`` is the province code for districts and 2025 communes and the district code for
    old communes (None for provinces and for the ``other`` rows). ``province`` is the unit's
    province (None for provinces). ``new_code`` is, for an old province, the 2025 province it
    became part of and, for an old commune, its 2025 commune (None when split or unconfirmed);
    ``new_province`` is the 2025 province of an old unit. Both are None for 2025 units.
    """

    code: str
    level: str
    system: str
    labels: dict[str, str] = field(hash=False)
    parent: str | None
    province: str | None
    new_code: str | None
    new_province: str | None

    def label(self, lang: str = "vi") -> str:
        return self.labels.get(lang) or self.labels.get("vi") or self.labels.get("en") or self.code


class Gazetteer:
    """Provinces, districts and communes, with the old-to-2025 mapping."""

    def __init__(self, units: Iterable[Unit], sources: dict[tuple[str, str], str] | None = None):
        self._all: dict[str, list[Unit]] = {level: [] for level in LEVELS}
        self._index: dict[str, dict[str, Unit]] = {level: {} for level in LEVELS}
        for unit in units:
            if unit.level not in self._all:
                raise ValueError(f"unknown level {unit.level!r} for unit {unit.code!r}")
            self._all[unit.level].append(unit)
            self._index[unit.level].setdefault(unit.code, unit)  # the first one wins
        # where each unit was read from ("file:line"), for validate()'s messages
        self._sources = dict(sources or {})

    # -- loading ---------------------------------------------------------------------------

    @classmethod
    def load(cls, folder: str | Path) -> Gazetteer:
        """Read the three CSV files in ``folder``; raise GazetteerError for the first bad row."""
        folder = Path(folder)
        units: list[Unit] = []
        sources: dict[tuple[str, str], str] = {}
        provinces_new: dict[str, str | None] = {}
        for level in LEVELS:
            path = folder / FILES[level]
            first_line: dict[str, int] = {}
            for line, row, labels in _read(path, level):
                unit = _unit(path, line, level, row, labels, provinces_new)
                if unit.code in first_line:
                    first = first_line[unit.code]
                    raise GazetteerError(path, line, f"code '{unit.code}' is already used on line {first}")
                first_line[unit.code] = line
                if level == "province" and unit.system == "old":
                    provinces_new[unit.code] = unit.new_code
                units.append(unit)
                sources[(level, unit.code)] = f"{path.name}:{line}"
        return cls(units, sources)

    # -- look-ups --------------------------------------------------------------------------

    def unit(self, level: str, code: str | None) -> Unit | None:
        _check_level(level)
        if not code:
            return None
        return self._index[level].get(code)

    def units(self, level: str, system: str | None = None) -> list[Unit]:
        """Every unit of ``level`` in file order, optionally only those of one ``system``."""
        _check_level(level)
        return [u for u in self._all[level] if system is None or u.system == system]

    def label(self, level: str, code: str, lang: str = "vi") -> str:
        """The unit's label in ``lang`` (falling back to Vietnamese, then English); an unknown
        code is returned as it is, so a stored value can always be shown."""
        unit = self.unit(level, code)
        return unit.label(lang) if unit else (code or "")

    def children(self, level: str, parent_code: str) -> list[Unit]:
        """Units of ``level`` directly under ``parent_code``, in file order.

        ``children("district", "lao_cai_old")`` gives the old districts of Lào Cai;
        ``children("commune", "bat_xat")`` the old communes of Bát Xát district;
        ``children("commune", "lao_cai")`` the 2025 communes of Lào Cai province.
        The ``other`` rows are nobody's children.
        """
        _check_level(level)
        return [u for u in self._all[level] if u.parent is not None and u.parent == parent_code]

    def to_2025(
        self, province: str, commune: str | None, district: str | None = None
    ) -> tuple[str | None, str | None]:
        """(new_province, new_commune) for a place given in either system.

        A 2025 place maps to itself. An old place maps through the gazetteer; an old commune
        that was split, or whose successor is not confirmed, gives (new_province, None), and so
        does a commune that is unknown or not in the given province and district. An unknown
        province gives (None, None). Nothing is guessed from names.
        """
        prov = self.unit("province", province)
        if prov is None or prov.system == "any":
            return (None, None)
        if prov.system == "2025":
            com = self.unit("commune", commune)
            if com is not None and com.system == "2025" and com.province == prov.code:
                return (prov.code, com.code)
            return (prov.code, None)
        new_province = prov.new_code if self.unit("province", prov.new_code) else None
        com = self.unit("commune", commune)
        if com is None or com.system != "old" or com.province != prov.code:
            return (new_province, None)
        if district and com.parent != district:
            return (new_province, None)
        target = self.unit("commune", com.new_code)
        if com.new_province and self.unit("province", com.new_province):
            new_province = com.new_province
        if target is None or target.system != "2025" or target.province != new_province:
            return (new_province, None)
        return (new_province, target.code)

    # -- checks ----------------------------------------------------------------------------

    def validate(self) -> list[str]:
        """Consistency problems, one sentence each; an empty list when all is well."""
        problems: list[str] = []

        def where(level: str, code: str) -> str:
            return self._sources.get((level, code), f"{level} '{code}'")

        for level in LEVELS:
            seen: dict[str, int] = {}
            for unit in self._all[level]:
                seen[unit.code] = seen.get(unit.code, 0) + 1
            for code, count in seen.items():
                if count > 1:
                    problems.append(f"{FILES[level]}: {level} code '{code}' is used {count} times")
            other = self.unit(level, OTHER)
            if other is None or other.system != "any":
                problems.append(f"{FILES[level]}: no '{OTHER}' row with system 'any'")

        for unit in self._all["district"]:
            if unit.code != OTHER and self.unit("province", unit.code) is not None:
                problems.append(
                    f"{where('district', unit.code)}: district code '{unit.code}' is also a province "
                    "code, so the communes under them would be mixed"
                )

        for level in LEVELS:
            for unit in self._all[level]:
                problems.extend(
                    f"{where(level, unit.code)}: {level} '{unit.code}': {text}"
                    for text in self._problems(unit)
                )
        return problems

    def _problems(self, unit: Unit) -> list[str]:
        out: list[str] = []
        vi, en = unit.labels.get("vi", ""), unit.labels.get("en", "")
        if not vi or not en:
            out.append("needs both an English and a Vietnamese label")
        if vi and not unicodedata.is_normalized("NFC", vi):
            out.append("the Vietnamese label is not in Unicode NFC")
        if en and not en.isascii():
            out.append("the English label should be written without diacritics")
        if unit.system not in SYSTEMS:
            out.append(f"system '{unit.system}' is not one of {', '.join(SYSTEMS)}")
        if unit.system == "any":
            if unit.code != OTHER:
                out.append(f"only the '{OTHER}' row may have system 'any'")
            return out

        province = self.unit("province", unit.province)
        if unit.level == "province":
            if unit.system == "old":
                new = self.unit("province", unit.new_code)
                if not unit.new_code:
                    out.append("an old province needs new_province")
                elif new is None or new.system != "2025":
                    out.append(f"new_province '{unit.new_code}' is not a 2025 province")
            elif unit.new_code:
                out.append("a 2025 province has no new_province")
            return out

        if unit.level == "district":
            if province is None:
                out.append(f"province '{unit.province}' does not exist")
            elif province.system != "old":
                out.append(f"province '{unit.province}' is not an old province (districts are old)")
            return out

        # communes
        if unit.system == "2025":
            if province is None:
                out.append(f"province '{unit.province}' does not exist")
            elif province.system != "2025":
                out.append(f"province '{unit.province}' is not a 2025 province")
            return out
        if province is None:
            out.append(f"province '{unit.province}' does not exist")
        elif province.system != "old":
            out.append(f"province '{unit.province}' is not an old province")
        district = self.unit("district", unit.parent)
        if district is None:
            out.append(f"district '{unit.parent}' does not exist")
        elif district.province != unit.province:
            out.append(
                f"district '{unit.parent}' is in province '{district.province}', not '{unit.province}'"
            )
        new_province = self.unit("province", unit.new_province)
        if not unit.new_province:
            out.append("an old commune needs new_province")
        elif new_province is None or new_province.system != "2025":
            out.append(f"new_province '{unit.new_province}' is not a 2025 province")
        elif province is not None and province.system == "old" and province.new_code != new_province.code:
            out.append(
                f"new_province '{unit.new_province}' differs from the one of province "
                f"'{province.code}' ('{province.new_code}')"
            )
        if unit.new_code:
            target = self.unit("commune", unit.new_code)
            if target is None or target.system != "2025":
                out.append(f"new_commune '{unit.new_code}' is not a 2025 commune")
            elif unit.new_province and target.province != unit.new_province:
                out.append(
                    f"new_commune '{unit.new_code}' is in province '{target.province}', "
                    f"not '{unit.new_province}'"
                )
        return out


def default_gazetteer() -> Gazetteer:
    """The gazetteer shipped in the forms folder (``FIELD_APP_FORMS_DIR`` overrides it)."""
    return Gazetteer.load(forms_dir())


# -- reading -------------------------------------------------------------------------------


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")


def _read(path: Path, level: str):
    """Yield (line, row dict, labels) for each record; line is where the record starts."""
    try:
        handle = open(path, encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise GazetteerError(path, 0, f"cannot be read: {exc.strerror or exc}") from exc
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
            if header is None:
                raise GazetteerError(path, 1, "the file is empty; it needs a header line")
            header = [h.strip() for h in header]
            missing = [c for c in _COLUMNS[level] if c not in header]
            if missing:
                raise GazetteerError(path, 1, f"missing column(s): {', '.join(missing)}")
            dupes = sorted({h for h in header if header.count(h) > 1})
            if dupes:
                raise GazetteerError(path, 1, f"column(s) named twice: {', '.join(dupes)}")
            label_columns = {}
            for name in header:
                match = _LABEL_COLUMN.fullmatch(name)
                if match:
                    label_columns[name] = match.group("lang")
            previous_end = reader.line_num
            for fields in reader:
                line = previous_end + 1
                previous_end = reader.line_num
                if not fields or all(not f.strip() for f in fields):
                    continue  # a blank line
                if len(fields) != len(header):
                    raise GazetteerError(
                        path, line, f"has {len(fields)} fields; the header has {len(header)}"
                    )
                row = {
                    name: unicodedata.normalize("NFC", value.strip()) for name, value in zip(header, fields)
                }
                labels = {lang: row[name] for name, lang in label_columns.items() if row[name]}
                yield line, row, labels
        except csv.Error as exc:
            raise GazetteerError(path, reader.line_num, f"not valid CSV: {exc}") from exc
        except UnicodeDecodeError as exc:
            raise GazetteerError(path, reader.line_num + 1, "is not UTF-8 text") from exc


def _unit(
    path: Path,
    line: int,
    level: str,
    row: dict[str, str],
    labels: dict[str, str],
    provinces_new: dict[str, str | None],
) -> Unit:
    def fail(reason: str) -> GazetteerError:
        return GazetteerError(path, line, reason)

    code = row["name"]
    if not code:
        raise fail("the name (code) is empty")
    if not _CODE.fullmatch(code):
        raise fail(f"name '{code}' is not a snake_case code (a-z, 0-9 and single '_')")
    if not labels.get("en") or not labels.get("vi"):
        raise fail(f"'{code}' needs both an English and a Vietnamese label")
    none = lambda value: value or None  # noqa: E731

    if level == "province":
        system = row["system"]
        if system not in SYSTEMS:
            raise fail(f"system '{system}' is not one of {', '.join(SYSTEMS)}")
        if system == "any" and code != OTHER:
            raise fail(f"only the '{OTHER}' row may have system 'any'")
        new = none(row["new_province"])
        if system != "old" and new:
            raise fail(f"new_province is only for old provinces, not for system '{system}'")
        return Unit(code, level, system, labels, None, None, new, new)

    if level == "district":
        province = row["province"]
        if code == OTHER or province == "any":
            if code != OTHER or province != "any":
                raise fail(f"only the '{OTHER}' row has province 'any'")
            return Unit(code, level, "any", labels, None, None, None, None)
        if not province:
            raise fail(f"district '{code}' has no province")
        new_province = provinces_new.get(province)
        return Unit(code, level, "old", labels, province, province, None, new_province)

    system = row["system"]
    if system not in SYSTEMS:
        raise fail(f"system '{system}' is not one of {', '.join(SYSTEMS)}")
    province, district = none(row["province"]), none(row["district"])
    new_commune, new_province = none(row["new_commune"]), none(row["new_province"])
    if system == "any":
        if code != OTHER:
            raise fail(f"only the '{OTHER}' row may have system 'any'")
        return Unit(code, level, system, labels, None, None, None, None)
    if not province:
        raise fail(f"commune '{code}' has no province")
    if system == "2025":
        if district or new_commune or new_province:
            raise fail("a 2025 commune leaves district, new_commune and new_province empty")
        return Unit(code, level, system, labels, province, province, None, None)
    if not district:
        raise fail(f"old commune '{code}' has no district")
    return Unit(code, level, system, labels, district, province, new_commune, new_province)
