"""The one place the window shows an error: a clear sentence, with details to copy when there are any."""

from __future__ import annotations

from ..core.i18n import tr
from .qt import QMessageBox


def show_error(parent, title: str, message: str, details: str = "") -> None:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Warning)
    box.setWindowTitle(title or "field-app")
    box.setText(message)
    if details:
        box.setDetailedText(details)  # selectable: officers can copy it into a report
        box.setInformativeText(tr("Show details to copy the technical description."))
    box.exec()


def show_problems(parent, title: str, errors: list, warnings: list) -> None:
    """Every problem of a file at once, errors first, each with its sheet, row and column."""
    lines = [tr("error: {problem}", problem=str(p)) for p in errors]
    lines += [tr("warning: {problem}", problem=str(p)) for p in warnings]
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Warning if errors else QMessageBox.Information)
    box.setWindowTitle("field-app")
    box.setText(title)
    box.setInformativeText(tr("{errors} error(s), {warnings} warning(s).", errors=len(errors), warnings=len(warnings)))
    box.setDetailedText("\n".join(lines))
    box.exec()
