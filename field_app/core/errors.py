"""The core's exceptions and the Problem record used for form and data messages.

The core raises these and never prints; each client turns them into messages in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .i18n import tr


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where it is (file, sheet, row, column) and why.

    `message` is an English msgid with `{placeholders}` filled from `params` at display time,
    so the same problem can be shown in English or Vietnamese.
    """

    message: str
    params: dict = field(default_factory=dict)
    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    severity: str = "error"  # or "warning"
    row_unit: str = "row"  # "line" for text files

    def text(self, lang: str | None = None) -> str:
        return tr(self.message, lang, **self.params)

    def where(self, lang: str | None = None) -> str:
        if not self.file and self.row is None:  # a place in a record: members[2].age
            return ".".join(p for p in (self.sheet, self.column) if p)
        parts = []
        if self.file:
            parts.append(self.file)
        loc = []
        if self.sheet:
            loc.append(tr("sheet '{sheet}'", lang, sheet=self.sheet))
        if self.row is not None:
            if self.row_unit == "line":
                loc.append(tr("line {row}", lang, row=self.row))
            else:
                loc.append(tr("row {row}", lang, row=self.row))
        if self.column:
            loc.append(tr("column '{column}'", lang, column=self.column))
        if loc:
            parts.append(", ".join(loc))
        return ": ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.text()}" if where else self.text()


class FieldAppError(Exception):
    """Base of every error the core raises on purpose."""


class FormError(FieldAppError):
    """A form definition that cannot be used; carries every problem found in one pass."""

    def __init__(self, problems: list[Problem], warnings: list[Problem] | None = None):
        self.problems = problems
        self.warnings = warnings or []
        first = str(problems[0]) if problems else tr("invalid form")
        more = " " + tr("(and {n} more)", n=len(problems) - 1) if len(problems) > 1 else ""
        super().__init__(first + more)


class StorageError(FieldAppError):
    """A project file that cannot be opened or written."""


class NewerDatabaseError(StorageError):
    """The project was written by a newer field-app; it is left untouched."""


class RecordError(FieldAppError):
    """A record that cannot be saved (wrong type, unknown field, failed checks for 'final')."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems[:5]) + (" ..." if len(problems) > 5 else ""))
