"""Start the window: open the given project, or the demo project (made on first start)."""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

from ..core.i18n import set_language, tr
from ..core.storage import Project
from .errors import show_error
from .qt import QApplication, QProgressDialog, Qt, QThreadPool
from .tasks import Task, start

DEMO_HOUSEHOLDS = 300


def data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(os.environ.get("FIELD_APP_DATA_DIR") or Path(base) / "field-app")


def default_project() -> Path:
    return data_dir() / "demo.fieldapp"


def officer() -> str:
    return os.environ.get("FIELD_APP_OFFICER") or os.environ.get("USER") or ""


def make_demo_in_background(app: QApplication, path: Path) -> bool:
    """Generate the demo project off the GUI thread, with a progress dialog. True when done."""
    from ..core.demo_project import make_demo

    path.parent.mkdir(parents=True, exist_ok=True)
    dialog = QProgressDialog(tr("Making the demo project…"), tr("Cancel"), 0, 0)
    dialog.setWindowTitle("field-app")
    dialog.setWindowModality(Qt.ApplicationModal)
    outcome = {}

    def work(progress, cancelled):
        def report(n):
            progress(n)
            if cancelled():
                raise InterruptedError(tr("cancelled"))
        return make_demo(path, households=DEMO_HOUSEHOLDS, progress=report)

    task = Task(work)
    task.signals.progress.connect(lambda n: dialog.setLabelText(tr("Making the demo project… {n} records", n=n)))
    task.signals.done.connect(lambda result: (outcome.setdefault("ok", True), dialog.reset()))
    task.signals.failed.connect(lambda msg, details: (outcome.update(error=msg, details=details), dialog.reset()))
    dialog.canceled.connect(task.cancel)
    start(task)
    dialog.exec()
    if "ok" not in outcome and "error" not in outcome:  # cancel pressed: the worker stops at its next batch
        QThreadPool.globalInstance().waitForDone()
        app.processEvents()  # deliver its last signal
    if "error" in outcome:
        show_error(None, "field-app", tr("The demo project could not be made: {error}", error=outcome["error"]),
                   outcome.get("details", ""))
        return False
    return True


def main(project: str | None = None) -> int:
    from .main_window import MainWindow

    set_language(os.environ.get("FIELD_APP_LANG", "en"))
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("field-app")
    path = Path(project) if project else default_project()
    if project is None and not path.exists():
        if not make_demo_in_background(app, path):
            return 1
    try:
        opened = Project.open(path, officer=officer())
    except Exception as e:  # one clear message; the traceback only behind "details"
        show_error(None, "field-app", tr("Cannot open {path}: {error}", path=path, error=e), traceback.format_exc())
        print(f"field-app: {e}", file=sys.stderr)
        return 1
    window = MainWindow(opened)
    window.show()
    return app.exec()
