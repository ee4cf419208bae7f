"""The main window: the project's forms, their latest records, and one record in detail.

A shell that delegates: it reads through `Project` and formats through core functions.
"""

from __future__ import annotations

import html
import traceback
from pathlib import Path

from ..core import units
from ..core.errors import FieldAppError
from ..core.forms import Form, check_form
from ..core.forms import model as m
from ..core.i18n import LANGUAGES, language, set_language, tr
from ..core.storage import Project
from .errors import show_error, show_problems
from .qt import (
    QAbstractItemView, QAbstractTableModel, QAction, QComboBox, QFileDialog, QHeaderView, QLabel, QListWidget,
    QListWidgetItem, QMainWindow, QModelIndex, QSplitter, QTableView, QTextBrowser, QToolBar, Qt,
)

RECORD_LIMIT = 1000
SUMMARY_FIELDS = 6


def display(form: Form, f: m.Field, value, record: dict | None = None, lang: str = "en") -> str:
    """An answer as a person reads it: choice labels, units, grouped money."""
    if value is None or value == "":
        return ""
    if f.kind in (m.SELECT_ONE, m.SELECT_MULTIPLE):
        clist = form.choices.get(f.list_name)
        if clist is not None:
            labels = []
            for name in str(value).split():
                choice = clist.get(name)
                labels.append(choice.label(lang, form.default_language) if choice else name)
            return ", ".join(labels)
    if f.kind == m.MONEY and isinstance(value, int):
        return f"{value:,}".replace(",", ".") + " đ"
    if f.kind == m.QUANTITY and record is not None:
        unit = record.get(f"{f.name}_unit")
        number = f"{value:g}" if isinstance(value, float) else str(value)
        return f"{number} {units.UNITS[unit].label(lang)}" if unit in units.UNITS else number
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def summary_fields(form: Form) -> list[m.Field]:
    """The columns of the record list: answers every record has first (required, not conditional,
    no default), then the others; never personal data."""
    candidates = [f for f in form.table_fields(None) if f.kind not in (m.META, m.CALCULATE) and not f.personal]
    required = [f for f in candidates if f.required == "yes" and not f.default and not f.relevant]
    rest = [f for f in candidates if f not in required]
    return (required + rest)[:SUMMARY_FIELDS]


def caption(text: str) -> str:
    """A label followed by its value: 'Price:' but 'Who paid?' stays as it is."""
    text = text.strip()
    return text if text.endswith(("?", ":", "？")) else text + ":"


class RecordsModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.form: Form | None = None
        self.rows: list[dict] = []
        self.fields: list[m.Field] = []

    def load(self, form: Form | None, rows: list[dict]) -> None:
        self.beginResetModel()
        self.form, self.rows = form, rows
        self.fields = [] if form is None else summary_fields(form)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else 2 + len(self.fields)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if role != Qt.DisplayRole or orientation != Qt.Horizontal:
            return None
        if section == 0:
            return tr("Status")
        if section == 1:
            return tr("Changed")
        return self.fields[section - 2].label(language(), self.form.default_language)

    def data(self, index, role=Qt.DisplayRole):
        if role != Qt.DisplayRole or not index.isValid():
            return None
        row = self.rows[index.row()]
        col = index.column()
        if col == 0:
            return tr("final") if row["_status"] == "final" else tr("draft")
        if col == 1:
            return (row["_modified"] or "")[:16].replace("T", " ")
        f = self.fields[col - 2]
        return display(self.form, f, row.get(f.name), row, language())


class MainWindow(QMainWindow):
    def __init__(self, project: Project):
        super().__init__()
        self.project = project
        self.resize(1180, 720)
        self.forms = QListWidget()
        self.forms.setMinimumWidth(220)
        self.model = RecordsModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setResizeContentsPrecision(50)  # size columns from the first rows, not all of them
        self.table.verticalHeader().setVisible(False)
        self.detail = QTextBrowser()
        self.detail.setMinimumWidth(320)
        split = QSplitter()
        split.addWidget(self.forms)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setStretchFactor(1, 3)
        split.setStretchFactor(2, 2)
        self.setCentralWidget(split)

        self.toolbar = QToolBar()
        self.toolbar.setMovable(False)
        self.addToolBar(self.toolbar)
        self.open_action = QAction(self)
        self.open_action.setShortcut("Ctrl+O")
        self.open_action.triggered.connect(self.choose_project)
        self.toolbar.addAction(self.open_action)
        self.add_form_action = QAction(self)
        self.add_form_action.triggered.connect(self.choose_form)
        self.toolbar.addAction(self.add_form_action)
        self.lang_label = QLabel()
        self.toolbar.addSeparator()
        self.toolbar.addWidget(self.lang_label)
        self.lang = QComboBox()
        for code, name in LANGUAGES.items():
            self.lang.addItem(name, code)
        self.lang.setCurrentIndex(list(LANGUAGES).index(language()))
        self.lang.currentIndexChanged.connect(self.change_language)
        self.toolbar.addWidget(self.lang)
        self.status = QLabel()
        self.statusBar().addPermanentWidget(self.status)

        self.forms.currentRowChanged.connect(self.show_form)
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: self.show_record(cur.row()))
        self.retranslate()
        self.fill_forms()

    # -- text ------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.setWindowTitle(tr("field-app — {name}", name=Path(self.project.path).name))
        self.open_action.setText(tr("Open project…"))
        self.add_form_action.setText(tr("Add form…"))
        self.lang_label.setText(tr("Language:") + " ")
        self.status.setText(tr("Officer: {officer} · Device: {device}", officer=self.project.officer or "-",
                               device=self.project.device))

    def change_language(self, index: int) -> None:
        set_language(self.lang.itemData(index))
        self.retranslate()
        current = self.forms.currentRow()
        self.fill_forms()
        self.forms.setCurrentRow(max(current, 0))

    # -- content ---------------------------------------------------------------------------------
    def fill_forms(self) -> None:
        self.forms.blockSignals(True)
        self.forms.clear()
        self.counts = {form_id: self.project.count(form_id) for form_id in self.project.forms()}
        for form in self.project.forms().values():
            item = QListWidgetItem(tr("{title}\n{count} records", title=form.title_text(language()),
                                      count=f"{self.counts[form.form_id]:,}"))
            item.setData(Qt.UserRole, form.form_id)
            self.forms.addItem(item)
        self.forms.blockSignals(False)
        if self.forms.count():
            self.forms.setCurrentRow(0)
            self.show_form(0)
        else:
            self.model.load(None, [])
            self.detail.setHtml(f"<p>{html.escape(tr('This project has no forms yet.'))}</p>")

    def current_form(self) -> Form | None:
        item = self.forms.currentItem()
        return self.project.form(item.data(Qt.UserRole)) if item else None

    def show_form(self, row: int) -> None:
        form = self.current_form()
        if form is None:
            return
        rows = list(self.project.records(form.form_id, limit=RECORD_LIMIT))
        self.model.load(form, rows)
        self.statusBar().showMessage(tr("{form}: showing {shown} of {total} records", form=form.title_text(language()),
                                        shown=len(rows), total=self.counts.get(form.form_id, len(rows))))
        if rows:
            self.table.selectRow(0)
            self.show_record(0)
        else:
            self.detail.clear()

    def show_record(self, row: int) -> None:
        form = self.model.form
        if form is None or row < 0 or row >= len(self.model.rows):
            return
        record = self.project.get(form.form_id, self.model.rows[row]["_uuid"])
        if record is not None:
            self.detail.setHtml(record_html(form, record, language()))

    def choose_project(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Open project"), str(Path(self.project.path).parent),
                                              tr("field-app projects (*.fieldapp);;All files (*)"))
        if not path:
            return
        try:
            project = Project.open(path, officer=self.project.officer)
        except Exception as e:  # shown, never a crash
            show_error(self, tr("Cannot open project"), str(e), traceback.format_exc())
            return
        self.project.close()
        self.project = project
        self.retranslate()
        self.fill_forms()

    def choose_form(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Add form"), str(Path(self.project.path).parent),
                                              tr("Forms (*.xlsx *.toml);;All files (*)"))
        if path:
            self.add_form(path)

    def add_form(self, path: str) -> bool:
        """Check a form file; add it when it is usable, else list every problem with its row."""
        form, errors, warnings = check_form(path)
        if errors:
            show_problems(self, tr("The form cannot be added"), errors, warnings)
            return False
        try:
            change = self.project.add_form(form)
        except FieldAppError as e:
            show_error(self, tr("The form cannot be added"), str(e))
            return False
        self.fill_forms()
        message = tr("Added form '{form_id}' version {version}: {tables} new table(s), {columns} new column(s).",
                     form_id=change.form_id, version=change.version, tables=len(change.new_tables),
                     columns=len(change.new_columns))
        if warnings:
            show_problems(self, message, [], warnings)
        else:
            self.statusBar().showMessage(message)
        return True

    def closeEvent(self, event) -> None:
        self.project.close()
        super().closeEvent(event)


def record_html(form: Form, record: dict, lang: str) -> str:
    """One record as readable HTML: labels in the chosen language, repeats as numbered rows."""
    out = [f"<h3>{html.escape(form.title_text(lang))}</h3>"]

    def shown(f: m.Field) -> bool:  # answers, and calculations the form gave a label
        return f.stored and f.kind != m.META and (f.kind != m.CALCULATE or bool(f.labels))

    def fields_of(container: dict, parent: m.Field, depth: int):
        for f in parent.children:
            if f.kind == m.GROUP:
                out.append(f"<h4>{html.escape(f.label(lang, form.default_language))}</h4>")
                fields_of(container, f, depth)
            elif f.kind == m.REPEAT:
                items = container.get(f.name) or []
                out.append(f"<h4>{html.escape(f.label(lang, form.default_language))} ({len(items)})</h4>")
                for i, item in enumerate(items, start=1):
                    out.append(f"<p style='margin-left:{12 * (depth + 1)}px'><b>{i}.</b> ")
                    parts = []
                    for c in f.children:
                        if shown(c) and item.get(c.name) not in (None, ""):
                            parts.append(f"{html.escape(caption(c.label(lang, form.default_language)))} "
                                         f"{html.escape(display(form, c, item.get(c.name), item, lang))}")
                    out.append("; ".join(parts) + "</p>")
            elif shown(f) and container.get(f.name) not in (None, ""):
                value = display(form, f, container.get(f.name), container, lang)
                label = caption(f.label(lang, form.default_language))
                out.append(f"<p style='margin:2px 0 2px {12 * depth}px'>{html.escape(label)} "
                           f"<b>{html.escape(value)}</b></p>")

    fields_of(record, form.root, 0)
    return "\n".join(out)
