"""Turn sheets of rows into a Form, collecting every problem in one pass.

A form with any error is refused whole (FormError with all problems); warnings are kept
apart and returned with the form.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from pathlib import Path

from .. import expr
from .. import units
from ..errors import FormError, Problem
from ..i18n import N_
from ..text import nfc
from . import model as m
from .sheets import Sheet, language_code, read_csv, read_sheets
from .types import TypeProblem, parse_type

NAME = re.compile(r"^[^\W\d][\w.-]*$")
YES = {"yes", "true", "true()", "1", "y"}
NO = {"no", "false", "false()", "0", "n", ""}
SURVEY_COLUMNS = {
    "type", "name", "label", "hint", "required", "required_message", "constraint", "constraint_message",
    "relevant", "calculation", "default", "read_only", "choice_filter", "parameters", "appearance",
    "repeat_count", "personal", "guidance_hint", "trigger", "note",
}
IGNORED_COLUMNS = {"image", "audio", "video", "big-image", "media", "autoplay", "rows", "buttontext",
                   "noapperrorstring", "bind", "instance", "body", "save_to", "intent", "jr:count"}
CURLY_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})
EXPRESSION_COLUMNS = ("relevant", "constraint", "calculation", "required", "choice_filter", "repeat_count",
                      "default")


class _Builder:
    def __init__(self, path: Path):
        self.path = path
        self.file = str(path)
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.unit = "row"

    def error(self, message, sheet="", row=None, column="", **params):
        self.problems.append(Problem(message, params, self.file, sheet, row, column, "error", self.unit))

    def warn(self, message, sheet="", row=None, column="", **params):
        self.warnings.append(Problem(message, params, self.file, sheet, row, column, "warning", self.unit))

    # -- sheets ----------------------------------------------------------------------------
    def find_sheet(self, sheets: dict[str, Sheet], name: str, required: bool) -> Sheet | None:
        if name in sheets:
            return sheets[name]
        close = difflib.get_close_matches(name, list(sheets), n=1, cutoff=0.75)
        if close:
            self.warn("No '{name}' sheet; there is a sheet '{other}': did you mean '{name}'?", name=name,
                      other=sheets[close[0]].name)
        if required:
            if name == "survey" and len(sheets) == 1:
                only = next(iter(sheets.values()))
                if "type" in only.columns and "name" in only.columns:
                    self.warn("No 'survey' sheet; reading the only sheet, '{sheet}', as the survey.",
                              sheet=only.name)
                    return only
            self.error("The form has no '{name}' sheet.", name=name)
        return None

    def translations(self, cells: dict[str, str], column: str, default_lang: str) -> dict[str, str]:
        out = {}
        for key, value in cells.items():
            base, _, lang = key.partition("::")
            if base == column:
                out[language_code(lang) if lang else default_lang] = value
        return out

    # -- settings and choices --------------------------------------------------------------
    def settings(self, sheet: Sheet | None) -> dict[str, str]:
        if sheet is None or not sheet.rows:
            return {}
        return dict(sheet.rows[0].cells)

    def choice_list_rows(self, sheet: Sheet, lists: dict[str, m.ChoiceList], default_lang: str,
                         allow_duplicates: bool, fixed_list: str = ""):
        for row in sheet.rows:
            cells = row.cells
            list_name = fixed_list or cells.get("list_name", "")
            name = cells.get("name", "")
            if not list_name and not name:
                continue  # a spacer row with only a stray cell
            if not list_name:
                self.error("Choice '{name}' has no list_name.", sheet.name, row.number, "list_name", name=name)
                continue
            if not name:
                self.error("A choice of list '{list}' has no name.", sheet.name, row.number, "name", list=list_name)
                continue
            labels = self.translations(cells, "label", default_lang)
            columns = {k: v for k, v in cells.items()
                       if k not in ("list_name", "name") and not k.startswith(("label", "image", "audio", "video",
                                                                                "media"))}
            clist = lists.setdefault(list_name, m.ChoiceList(list_name, [], sheet.name))
            if not allow_duplicates and clist.get(name) is not None:
                self.error("Choice name '{name}' appears twice in list '{list}': names must be unique within a list.",
                           sheet.name, row.number, "name", name=name, list=list_name)
                continue
            clist.choices.append(m.Choice(name, labels, columns, row.number))

    # -- survey ----------------------------------------------------------------------------
    def survey(self, sheet: Sheet, default_lang: str) -> m.Field:
        root = m.Field("", m.GROUP, row=None)
        stack: list[m.Field] = [root]
        for key in sheet.columns:
            base = key.partition("::")[0]
            if base not in SURVEY_COLUMNS and base.split(":")[0] not in IGNORED_COLUMNS and not base.startswith(
                    ("media", "bind", "instance", "body")):
                self.warn("Column '{header}' is not used by field-app; its values are kept as written.",
                          sheet.name, column=key, header=key)
            elif base.split(":")[0] in IGNORED_COLUMNS or base.startswith(("media", "bind", "instance", "body")):
                self.warn("Column '{header}' (media or ODK display setting) is ignored.", sheet.name, column=key,
                          header=key)
        for row in sheet.rows:
            cells = row.cells
            type_text = cells.get("type", "")
            name = cells.get("name", "")
            if not type_text:
                if name or any(k.startswith("label") for k in cells):
                    self.error("Row has no type.", sheet.name, row.number, "type")
                continue
            try:
                parsed = parse_type(type_text)
            except TypeProblem as e:
                self.error(e.message, sheet.name, row.number, "type", **e.params)
                continue
            if parsed.kind in ("end_group", "end_repeat"):
                want = m.GROUP if parsed.kind == "end_group" else m.REPEAT
                top = stack[-1]
                if len(stack) == 1:
                    self.error("'{type}' closes nothing: no group or repeat is open.", sheet.name, row.number,
                               "type", type=type_text)
                elif top.kind != want:
                    self.error("'{type}' cannot close the {kind} '{name}' opened on line {opened}."
                               if self.unit == "line" else
                               "'{type}' cannot close the {kind} '{name}' opened on row {opened}.", sheet.name, row.number, "type", type=type_text, kind=N_(top.kind),
                               name=top.name, opened=top.row)
                else:
                    stack.pop()
                continue
            f = self.field(row, parsed, type_text, name, default_lang, sheet.name)
            if f is None:
                continue
            f.parent = stack[-1]
            stack[-1].children.append(f)
            if f.is_container:
                stack.append(f)
        for open_field in reversed(stack[1:]):
            self.error("The {kind} '{name}' opened on this row is never closed: add an '{end}' row.",
                       sheet.name, open_field.row, "type", kind=N_(open_field.kind), name=open_field.name,
                       end=f"end_{open_field.kind}")
        return root

    def field(self, row, parsed, type_text, name, default_lang, sheet) -> m.Field | None:
        cells = row.cells
        kind = {"begin_group": m.GROUP, "begin_repeat": m.REPEAT}.get(parsed.kind, parsed.kind)
        if not name:
            if kind == m.GROUP:
                name = f"group_{row.number}"
                self.warn("A group without a name: named '{name}'.", sheet, row.number, "name", name=name)
            else:
                self.error("A {kind} needs a name.", sheet, row.number, "name", kind=type_text)
                return None
        if not NAME.match(name):
            self.error("Name '{name}' is not valid: start with a letter or _, then letters, digits, _, - or . only.",
                       sheet, row.number, "name", name=name)
            return None
        params = {}
        for part in re.split(r"[\s;]+", cells.get("parameters", "").strip()):
            if "=" in part:
                k, _, v = part.partition("=")
                params[k.strip().lower()] = v.strip()
        f = m.Field(
            name=name, kind=kind, type_text=type_text, row=row.number,
            labels=self.translations(cells, "label", default_lang),
            hints=self.translations(cells, "hint", default_lang),
            required_message=self.translations(cells, "required_message", default_lang),
            constraint_message=self.translations(cells, "constraint_message", default_lang),
            constraint=cells.get("constraint", ""), relevant=cells.get("relevant", ""),
            calculation=cells.get("calculation", ""), default=cells.get("default", ""),
            choice_filter=cells.get("choice_filter", ""), appearance=cells.get("appearance", ""),
            repeat_count=cells.get("repeat_count", ""), parameters=params,
            list_name=parsed.list_name or parsed.from_file, or_other=parsed.or_other,
            unit_kind=parsed.unit_kind, meta=parsed.meta,
            read_only=cells.get("read_only", "").strip().lower() in YES,
            personal=cells.get("personal", "").strip().lower() in YES,
        )
        f.extra = {k: v for k, v in cells.items() if k.partition("::")[0] not in SURVEY_COLUMNS}
        required = cells.get("required", "").strip()
        f.required = "yes" if required.lower() in YES else ("" if required.lower() in NO else required)
        if kind == m.QUANTITY:
            allowed = [u.code for u in units.units_of(f.unit_kind)]
            wanted = [u.strip() for u in params.get("units", "").split(",") if u.strip()]
            bad = [u for u in wanted if u not in allowed]
            if bad:
                self.error("Unknown {kind} unit(s) {units} in parameters; use {allowed}.", sheet, row.number,
                           "parameters", kind=N_(f.unit_kind), units=", ".join(bad), allowed=", ".join(allowed))
            f.units = tuple(wanted or allowed)
        if kind == m.CALCULATE and not f.calculation:
            self.error("A calculate row needs a calculation.", sheet, row.number, "calculation")
        shown = kind not in (m.CALCULATE, m.META, m.GROUP, m.REPEAT) and not f.read_only and "hidden" not in (
            f.appearance, type_text.lower())
        if shown and not f.labels:
            self.warn("'{name}' has no label: people will see only its name.", sheet, row.number, "label", name=name)
        if kind == m.META and parsed.meta in ("subscriberid", "simserial", "phonenumber", "start-geopoint"):
            self.warn("'{type}' is recorded by phones; on a laptop it stays empty.", sheet, row.number, "type",
                      type=type_text)
        return f


def _table_of(f: m.Field) -> str:
    r = f.repeat()
    return r.name if r else ""


def check_names(b: _Builder, form: m.Form, sheet_name: str):
    """Names are unique in the whole form (they become columns and ${} references)."""
    seen: dict[str, m.Field] = {}
    others: list[tuple[m.Field, m.Field]] = []
    for f in form.walk():
        if f.name in seen:
            b.error("Name '{name}' is used twice (first on line {first}): names must be unique in a form."
                    if b.unit == "line" else
                    "Name '{name}' is used twice (first on row {first}): names must be unique in a form.", sheet_name, f.row, "name", name=f.name, first=seen[f.name].row)
        else:
            seen[f.name] = f
        if f.or_other:
            others.append((f, m.Field(f"{f.name}_other", m.TEXT, type_text="text", row=f.row,
                                      relevant=f"selected(${{{f.name}}}, 'other')",
                                      labels={lang: f"{text} (other)" for lang, text in f.labels.items()},
                                      parent=f.parent)))
    for f in form.walk():
        if f.kind == m.QUANTITY and f"{f.name}_unit" in seen:
            b.error("Name '{name}' clashes with the unit of quantity '{q}'.", sheet_name, seen[f"{f.name}_unit"].row,
                    "name", name=f"{f.name}_unit", q=f.name)
    for f, other in others:  # the text field that holds an 'other' answer, right after its question
        if other.name in seen:
            b.error("Name '{name}' clashes with the 'other' answer of '{q}' (or_other).", sheet_name,
                    seen[other.name].row, "name", name=other.name, q=f.name)
            continue
        seen[other.name] = other
        siblings = f.parent.children
        siblings.insert(siblings.index(f) + 1, other)
    form.fields = seen


def check_choices(b: _Builder, form: m.Form, sheet_name: str):
    for f in form.walk():
        if f.kind not in (m.SELECT_ONE, m.SELECT_MULTIPLE):
            continue
        if f.list_name.lower().endswith(".csv"):
            if f.list_name not in form.choices:
                path = b.path.parent / f.list_name
                if not path.exists():
                    b.error("Choices file '{file}' not found next to the form.", sheet_name, f.row, "type",
                            file=f.list_name)
                    continue
                sheet = read_csv(path, b.problems)
                if sheet is not None:
                    file_builder = _Builder(path)
                    lists: dict[str, m.ChoiceList] = {}
                    file_builder.choice_list_rows(sheet, lists, form.default_language, False, f.list_name)
                    b.problems.extend(file_builder.problems)
                    form.choices[f.list_name] = lists.get(f.list_name, m.ChoiceList(f.list_name, [], f.list_name))
        elif f.list_name not in form.choices:
            close = difflib.get_close_matches(f.list_name, list(form.choices), n=1)
            if close:
                b.error("List name '{list}' is not in the choices sheet. Did you mean '{close}'?", sheet_name,
                        f.row, "type", list=f.list_name, close=close[0])
            else:
                b.error("List name '{list}' is not in the choices sheet.", sheet_name, f.row, "type",
                        list=f.list_name)
        if f.or_other and f.list_name in form.choices:
            clist = form.choices[f.list_name]
            if clist.get("other") is None:
                clist.choices.append(m.Choice("other", {lang: "Other" if lang == "en" else "Khác" if lang == "vi"
                                                        else "Other" for lang in form.languages or ["en"]}))


def _parse(b: _Builder, f: m.Field, column: str, text: str, sheet_name: str) -> expr.Expr | None:
    """Parse one expression, or report why not. Typographic quotes (Excel's autocorrect) are read
    as straight quotes, with a warning, when that makes the expression valid."""
    try:
        return expr.parse(text)
    except expr.ExprError as err:
        straight = text.translate(CURLY_QUOTES)
        if straight != text:
            try:
                parsed = expr.parse(straight)
            except expr.ExprError:
                pass
            else:
                setattr(f, column, straight)
                b.warn("Typographic quotes in {part} were read as straight quotes: {text}", sheet_name, f.row,
                       column, part=column, text=straight)
                return parsed
        if "unknown function" in err.message.lower():
            b.error("Unsupported function in {part}: {error}", sheet_name, f.row, column, part=column,
                    error=err.message)
        else:
            b.error("The {part} is not a valid expression: {error}", sheet_name, f.row, column, part=column,
                    error=str(err))
        return None


def check_expressions(b: _Builder, form: m.Form, sheet_name: str):
    """Parse every expression; every ${name} must exist; calculations must not form a cycle."""
    names = set(form.fields)
    names |= {f"{f.name}_unit" for f in form.walk() if f.kind == m.QUANTITY}
    depends: dict[str, set[str]] = {}
    for f in form.walk():
        for column in EXPRESSION_COLUMNS:
            text = getattr(f, column)
            if not text or (column == "required" and text == "yes"):
                continue
            if column == "default" and "${" not in text and "(" not in text:
                continue  # a literal default value
            e = _parse(b, f, column, text, sheet_name)
            if e is None:
                continue
            for ref in sorted(e.references()):
                if ref not in names:
                    close = difflib.get_close_matches(ref, list(names), n=1)
                    if close:
                        b.error("'${{{ref}}}' in {part} names no field of this form. Did you mean '{close}'?",
                                sheet_name, f.row, column, ref=ref, part=column, close=close[0])
                    else:
                        b.error("'${{{ref}}}' in {part} names no field of this form.", sheet_name, f.row, column,
                                ref=ref, part=column)
            if column == "calculation":
                depends[f.name] = {r.removesuffix("_unit") if r not in form.fields else r for r in e.references()}
    # cycles among calculations
    state: dict[str, int] = {}
    reported: set[frozenset] = set()

    def visit(name: str, path: list[str]):
        state[name] = 1
        for dep in depends.get(name, ()):
            if dep not in depends:
                continue
            if state.get(dep) == 1:
                cycle = path[path.index(dep):] + [dep] if dep in path else [name, dep]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    b.error("Calculations form a cycle: {cycle}.", sheet_name, form.fields[dep].row, "calculation",
                            cycle=" -> ".join(cycle))
            elif state.get(dep) is None:
                visit(dep, path + [dep])
        state[name] = 2

    for name in depends:
        if state.get(name) is None:
            visit(name, [name])


def build_form(path: Path) -> tuple[m.Form, list[Problem]]:
    """Load and check a form file. Returns (form, warnings) or raises FormError with every problem."""
    path = Path(path)
    b = _Builder(path)
    sheets = read_sheets(path, b.problems)
    if sheets:
        b.unit = next(iter(sheets.values())).row_unit
    survey_sheet = b.find_sheet(sheets, "survey", required=bool(sheets))
    choices_sheet = b.find_sheet(sheets, "choices", required=False)
    settings_sheet = sheets.get("settings")
    for key, sheet in sheets.items():
        if sheet not in (survey_sheet, choices_sheet, settings_sheet) and key not in ("columns", "changelog"):
            b.warn("Sheet '{sheet}' is not part of the XLSForm standard and is ignored.", sheet=sheet.name)
    settings = b.settings(settings_sheet)
    default_name = settings.get("default_language", "")
    default_lang = language_code(default_name) if default_name else "default"
    languages: dict[str, str] = {}
    for sheet in (survey_sheet, choices_sheet):
        for key in (sheet.columns if sheet else []):
            base, _, lang = key.partition("::")
            if base in ("label", "hint") and lang:
                languages.setdefault(language_code(lang), lang)
    if default_lang == "default" and languages:
        default_lang = "en" if "en" in languages else next(iter(languages))
    if default_lang == "default":
        default_lang = "en"
    form = m.Form(
        form_id=settings.get("form_id") or path.stem, version=settings.get("version", ""),
        title={}, default_language=default_lang, languages=list(languages) or [default_lang],
        language_names=languages, root=m.Field("", m.GROUP), choices={}, settings=settings, source=str(path),
    )
    form.title = b.translations(settings, "form_title", default_lang) or {default_lang: form.form_id}
    if choices_sheet is not None:
        allow = settings.get("allow_choice_duplicates", "").lower() in YES
        b.choice_list_rows(choices_sheet, form.choices, default_lang, allow)
    if survey_sheet is not None:
        form.root = b.survey(survey_sheet, default_lang)
        name = survey_sheet.name
        check_names(b, form, name)
        check_choices(b, form, name)
        check_expressions(b, form, name)
        if not form.fields and not b.problems:
            b.error("The survey sheet has no questions.", name)
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", form.form_id):
        safe = re.sub(r"\W+", "_", unicodedata.normalize("NFKD", form.form_id).encode("ascii", "ignore").decode())
        safe = safe.strip("_") or "form"
        safe = safe if re.match(r"[A-Za-z_]", safe) else f"form_{safe}"
        b.warn("form_id '{id}' is used as '{safe}' (letters, digits and _ only).", "settings", column="form_id",
               id=form.form_id, safe=safe)
        form.form_id = safe
    if b.problems:
        b.problems.sort(key=lambda p: (p.sheet != "survey", p.row or 0))
        raise FormError(b.problems, b.warnings)
    form.form_id = nfc(form.form_id)
    return form, b.warnings
