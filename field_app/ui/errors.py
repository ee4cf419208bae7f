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
