"""The window, driven for real (offscreen): forms, records, a record in detail, both languages."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6.QtWidgets")

from field_app.core.demo_project import make_demo  # noqa: E402
from field_app.core.storage import Project  # noqa: E402
from field_app.ui.main_window import MainWindow  # noqa: E402
from field_app.ui.qt import Qt  # noqa: E402


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("ui") / "demo.fieldapp"
    make_demo(path, households=30)
    return path


@pytest.fixture
def window(qtbot, demo_path):
    w = MainWindow(Project.open(demo_path, officer="Lan"))
    qtbot.addWidget(w)
    w.show()
    return w


def test_window_lists_forms_and_records(window):
    assert window.forms.count() == 3
    titles = [window.forms.item(i).text() for i in range(3)]
    assert any("30 records" in t for t in titles)
    assert window.model.rowCount() > 0
    assert window.detail.toPlainText().strip()


def test_selecting_a_form_and_record(window, qtbot):
    trade_row = next(i for i in range(window.forms.count()) if window.forms.item(i).data(Qt.UserRole) == "trade")
    window.forms.setCurrentRow(trade_row)
    assert window.model.form.form_id == "trade"
    window.table.selectRow(2)
    text = window.detail.toPlainText()
    assert "đ" in text  # money shown grouped with the đồng sign


def test_switching_to_vietnamese(window):
    window.lang.setCurrentIndex(1)
    try:
        titles = " ".join(window.forms.item(i).text() for i in range(window.forms.count()))
        assert "Khảo sát hộ gia đình" in titles or "hộ" in titles.lower()
        assert "Ngôn ngữ" in window.lang_label.text()
        headers = [window.model.headerData(c, Qt.Horizontal) for c in range(window.model.columnCount())]
        assert "Trạng thái" in headers
    finally:
        window.lang.setCurrentIndex(0)


def test_window_renders_to_png(window, tmp_path):
    path = tmp_path / "window.png"
    assert window.grab().save(str(path))
    assert path.stat().st_size > 10_000


def test_demo_made_in_background_on_first_start(qtbot, tmp_path, monkeypatch):
    from field_app.ui import app

    monkeypatch.setattr(app, "DEMO_HOUSEHOLDS", 5)
    from field_app.ui.qt import QApplication

    path = tmp_path / "first.fieldapp"
    assert app.make_demo_in_background(QApplication.instance(), path)
    with Project.open(path) as p:
        assert p.count("household") == 5


def test_a_bad_project_gets_a_message_not_a_crash(qtbot, tmp_path, monkeypatch):
    from field_app.ui import app, errors

    shown = []
    monkeypatch.setattr(errors.QMessageBox, "exec", lambda box: shown.append((box.text(), box.detailedText())))
    bad = tmp_path / "notes.fieldapp"
    bad.write_text("not a database")
    assert app.main(str(bad)) == 1
    assert shown and "not a field-app project" in shown[0][0] and "Traceback" in shown[0][1]


def test_add_form_lists_every_problem_or_adds_it(qtbot, demo_path, tmp_path, monkeypatch):
    import shutil

    from conftest import sample
    from field_app.ui import errors

    shutil.copy(demo_path, tmp_path / "copy.fieldapp")
    window = MainWindow(Project.open(tmp_path / "copy.fieldapp", officer="Lan"))
    qtbot.addWidget(window)

    shown = []
    monkeypatch.setattr(errors.QMessageBox, "exec", lambda box: shown.append((box.text(), box.detailedText())))
    assert not window.add_form(str(sample("broken_xlsform.xlsx")))
    title, details = shown[-1]
    assert "cannot be added" in title and details.count("error:") == 4 and "row 53" in details
    assert window.add_form(str(sample("rattan_harvester_xlsform.xlsx")))
    assert window.forms.count() == 4 and "rattan_hh_quangnam_2024" in window.project.forms()


def test_cancelling_the_first_demo_leaves_nothing(qtbot, tmp_path, monkeypatch):
    from field_app.ui import app, errors
    from field_app.ui.qt import QApplication, QProgressDialog, QTimer

    monkeypatch.setattr(app, "DEMO_HOUSEHOLDS", 3000)
    monkeypatch.setattr(errors.QMessageBox, "exec", lambda box: None)
    real_exec = QProgressDialog.exec

    def exec_and_cancel(dialog):
        QTimer.singleShot(0, dialog.canceled.emit)  # the officer presses Cancel at once
        return real_exec(dialog)

    monkeypatch.setattr(QProgressDialog, "exec", exec_and_cancel)
    path = tmp_path / "first.fieldapp"
    assert app.make_demo_in_background(QApplication.instance(), path) is False
    assert list(tmp_path.iterdir()) == []  # neither the project nor a half-made .part file
