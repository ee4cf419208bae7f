"""Read a form definition into plain sheets of rows: XLSForm .xlsx, TOML, and CSV choice files.

Every row keeps the number a person sees (spreadsheet row, or TOML line), so that every
message can point at it. Column headers are normalised here, once.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Problem
from ..text import nfc

# Header spellings seen in the wild, mapped to the XLSForm name.
COLUMN_ALIASES = {
    "list name": "list_name",
    "requiredmsg": "required_message",
    "required message": "required_message",
    "constraint message": "constraint_message",
    "choice filter": "choice_filter",
    "repeat count": "repeat_count",
    "read only": "read_only",
    "form title": "form_title",
    "form id": "form_id",
    "default language": "default_language",
}

KNOWN_LANGUAGES = {
    "english": "en", "vietnamese": "vi", "tiếng việt": "vi", "tieng viet": "vi", "french": "fr",
    "spanish": "es", "chinese": "zh", "swahili": "sw", "lao": "lo", "khmer": "km", "thai": "th",
    "portuguese": "pt", "arabic": "ar", "hindi": "hi", "indonesian": "id",
}


def language_code(name: str) -> str:
    """'English (en)' -> 'en'; 'English' -> 'en'; 'EN' -> 'en'; unknown names are kept."""
    name = name.strip()
    m = re.search(r"\(([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)?)\)\s*$", name)
    if m:
        return m.group(1).lower()
    low = name.lower()
    if low in KNOWN_LANGUAGES:
        return KNOWN_LANGUAGES[low]
    if re.fullmatch(r"[a-z]{2,3}", low):
        return low
    return name


def normalise_column(header: str) -> tuple[str, str]:
    """Split a header into (column, language name). 'Label::English (en)' -> ('label', 'English (en)')."""
    text = re.sub(r"\s+", " ", nfc(str(header))).strip()
    if "::" in text:
        base, _, lang = text.partition("::")
    elif re.match(r"^[A-Za-z_]+:[^:]", text) and not text.lower().startswith(("jr:", "uri:")):
        base, _, lang = text.partition(":")  # pyxform also reads 'label:English'
    else:
        base, lang = text, ""
    base = base.strip().lower()
    base = COLUMN_ALIASES.get(base, base)
    return base, lang.strip()


@dataclass
class Row:
    number: int  # as a person sees it: spreadsheet row or TOML line
    cells: dict[str, str]  # normalised column -> text


@dataclass
class Sheet:
    name: str
    rows: list[Row] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)  # normalised, in file order
    row_unit: str = "row"  # "row" for spreadsheets, "line" for text files


def cell_text(value) -> str:
    """A spreadsheet cell as the text a person typed: 12.0 -> '12', True -> 'true'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return nfc(str(value)).strip()


def _key(base: str, lang: str) -> str:
    return f"{base}::{lang}" if lang else base


def _table(name: str, header: list, body, file: str, problems: list[Problem], unit="row") -> Sheet:
    """Build a Sheet from a header row and (number, values) rows."""
    sheet = Sheet(name, row_unit=unit)
    keys: list[str | None] = []
    seen: dict[str, int] = {}
    for col, h in enumerate(header):
        text = cell_text(h)
        if not text:
            keys.append(None)
            continue
        key = _key(*normalise_column(text))
        if key in seen:
            problems.append(Problem("Duplicate column header '{header}': each column may appear once.",
                                    {"header": text}, file, name, 1, text))
            keys.append(None)
            continue
        seen[key] = col
        keys.append(key)
        sheet.columns.append(key)
    for number, values in body:
        cells = {}
        for key, value in zip(keys, values):
            if key is not None:
                text = cell_text(value)
                if text:
                    cells[key] = text
        if cells:
            sheet.rows.append(Row(number, cells))
    return sheet


def read_xlsx(path: Path, problems: list[Problem]) -> dict[str, Sheet]:
    import openpyxl  # imported here: keep it off the app's start-up path

    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except Exception as e:  # a broken or non-xlsx file
        problems.append(Problem("Cannot read the workbook: {error}", {"error": str(e)}, str(path)))
        return {}
    sheets = {}
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        if not rows:
            sheets[ws.title.lower()] = Sheet(ws.title)
            continue
        body = ((i, r) for i, r in enumerate(rows[1:], start=2))
        sheets[ws.title.lower()] = _table(ws.title, list(rows[0]), body, str(path), problems)
    return sheets


def _toml_lines(text: str, section: str) -> list[int]:
    pattern = re.compile(r"^\s*\[\[\s*" + section + r"\s*\]\]", re.IGNORECASE)
    return [i for i, line in enumerate(text.splitlines(), start=1) if pattern.match(line)]


def read_toml(path: Path, problems: list[Problem]) -> dict[str, Sheet]:
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        problems.append(Problem("Cannot read the form file: {error}", {"error": str(e)}, str(path)))
        return {}
    sheets: dict[str, Sheet] = {}
    for name, value in data.items():
        if isinstance(value, dict):  # [settings]: one row of values
            header = list(value.keys())
            sheets[name.lower()] = _table(name, header, [(None, [value[k] for k in header])], str(path),
                                          problems, unit="line")
        elif isinstance(value, list) and all(isinstance(v, dict) for v in value):
            lines = _toml_lines(text, re.escape(name))
            header: list[str] = []
            for item in value:
                header.extend(k for k in item if k not in header)
            body = []
            for i, item in enumerate(value):
                number = lines[i] if i < len(lines) else None
                body.append((number, [item.get(k) for k in header]))
            sheets[name.lower()] = _table(name, header, body, str(path), problems, unit="line")
        else:
            problems.append(Problem("Unexpected top-level entry '{name}': expected [settings], [[survey]] or [[choices]].",
                                    {"name": name}, str(path)))
    return sheets


def read_csv(path: Path, problems: list[Problem]) -> Sheet | None:
    """A choices file for select_one_from_file: header row with name and label columns."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError) as e:
        problems.append(Problem("Cannot read the choices file: {error}", {"error": str(e)}, str(path)))
        return None
    if not rows:
        return Sheet(path.name)
    return _table(path.name, rows[0], ((i, r) for i, r in enumerate(rows[1:], start=2)), str(path), problems)


def read_sheets(path: Path, problems: list[Problem]) -> dict[str, Sheet]:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, problems)
    if suffix == ".toml":
        return read_toml(path, problems)
    if suffix == ".xls":
        problems.append(Problem("This is an old Excel .xls file: open it in Excel or LibreOffice and save it as .xlsx.",
                                {}, str(path)))
        return {}
    problems.append(Problem("Unsupported form file type '{suffix}': use an XLSForm .xlsx or a .toml form.",
                            {"suffix": suffix or path.name}, str(path)))
    return {}
