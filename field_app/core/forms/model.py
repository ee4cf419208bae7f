"""The form model: what a loaded form definition becomes.

A Form is a tree of Fields (groups and repeats hold children). Data is flat per table:
the form's own table holds every field outside repeats, each repeat is a child table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from ..i18n import N_

# Field kinds, as the rest of the app sees them.
TEXT, INTEGER, DECIMAL, DATE, TIME, DATETIME = "text", "integer", "decimal", "date", "time", "datetime"
SELECT_ONE, SELECT_MULTIPLE = "select_one", "select_multiple"
NOTE, CALCULATE, GEOPOINT, QUANTITY, MONEY = "note", "calculate", "geopoint", "quantity", "money"
ACKNOWLEDGE, BARCODE, META, ATTACHMENT = "acknowledge", "barcode", "meta", "attachment"
GROUP, REPEAT = N_("group"), N_("repeat")

# Kinds that hold an answer in storage (notes and groups do not).
STORED = {TEXT, INTEGER, DECIMAL, DATE, TIME, DATETIME, SELECT_ONE, SELECT_MULTIPLE, CALCULATE,
          GEOPOINT, QUANTITY, MONEY, ACKNOWLEDGE, BARCODE, META, ATTACHMENT}


@dataclass
class Choice:
    name: str
    labels: dict[str, str]  # language code -> label
    columns: dict[str, str] = field(default_factory=dict)  # extra columns, for choice_filter
    row: int | None = None

    def label(self, lang: str, default_lang: str = "en") -> str:
        return self.labels.get(lang) or self.labels.get(default_lang) or next(iter(self.labels.values()), self.name)


@dataclass
class ChoiceList:
    name: str
    choices: list[Choice]
    source: str = "choices"  # sheet name, or the CSV file it came from

    def get(self, name: str) -> Choice | None:
        for c in self.choices:
            if c.name == name:
                return c
        return None

    def names(self) -> list[str]:
        return [c.name for c in self.choices]


@dataclass
class Field:
    name: str
    kind: str
    type_text: str = ""  # the type as written in the form
    row: int | None = None
    labels: dict[str, str] = field(default_factory=dict)
    hints: dict[str, str] = field(default_factory=dict)
    required: str = ""  # "" (no), "yes", or an expression
    required_message: dict[str, str] = field(default_factory=dict)
    constraint: str = ""
    constraint_message: dict[str, str] = field(default_factory=dict)
    relevant: str = ""
    calculation: str = ""
    default: str = ""
    read_only: bool = False
    choice_filter: str = ""
    list_name: str = ""
    or_other: bool = False
    unit_kind: str = ""  # quantity: "area" or "mass"
    units: tuple[str, ...] = ()  # quantity: unit codes offered
    meta: str = ""  # meta kind: start, end, today, deviceid, username, ...
    parameters: dict[str, str] = field(default_factory=dict)
    appearance: str = ""
    repeat_count: str = ""
    personal: bool = False
    extra: dict[str, str] = field(default_factory=dict)  # other columns, kept as written
    children: list["Field"] = field(default_factory=list)
    parent: "Field | None" = field(default=None, repr=False, compare=False)

    @property
    def is_container(self) -> bool:
        return self.kind in (GROUP, REPEAT)

    @property
    def stored(self) -> bool:
        return self.kind in STORED

    def label(self, lang: str = "en", default_lang: str = "en") -> str:
        return self.labels.get(lang) or self.labels.get(default_lang) or next(iter(self.labels.values()), self.name)

    def repeat(self) -> "Field | None":
        """The nearest enclosing repeat, or None if the field lives in the form's own table."""
        p = self.parent
        while p is not None and p.kind != REPEAT:
            p = p.parent
        return p

    def walk(self) -> Iterator["Field"]:
        for child in self.children:
            yield child
            yield from child.walk()


@dataclass
class Form:
    form_id: str
    version: str
    title: dict[str, str]
    default_language: str  # language code
    languages: list[str]  # codes, in the order of the columns
    language_names: dict[str, str]  # code -> name as written ("English (en)")
    root: Field  # a group holding the top-level fields
    choices: dict[str, ChoiceList]
    settings: dict[str, str] = field(default_factory=dict)
    source: str = ""  # file it was loaded from
    fields: dict[str, Field] = field(default_factory=dict)  # every named field, by name

    def walk(self) -> Iterator[Field]:
        return self.root.walk()

    def field(self, name: str) -> Field:
        return self.fields[name]

    def repeats(self) -> list[Field]:
        return [f for f in self.walk() if f.kind == REPEAT]

    def table_fields(self, repeat: Field | None = None) -> list[Field]:
        """Stored fields that live in the table of `repeat` (None: the form's own table)."""
        return [f for f in self.walk() if f.stored and f.repeat() is repeat]

    def title_text(self, lang: str = "en") -> str:
        return self.title.get(lang) or self.title.get(self.default_language) or self.form_id

    def personal_fields(self) -> list[str]:
        return [f.name for f in self.walk() if f.personal]
