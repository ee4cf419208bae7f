"""Render the main window offscreen to PNG, in English and Vietnamese, for docs and review.

    QT_QPA_PLATFORM=offscreen python tools/screenshot.py [OUT_DIR]
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from field_app.core.demo_project import make_demo  # noqa: E402
from field_app.core.storage import Project  # noqa: E402
from field_app.ui.main_window import MainWindow  # noqa: E402
from field_app.ui.qt import QApplication, Qt  # noqa: E402


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.fieldapp"
        make_demo(path, households=60)
        window = MainWindow(Project.open(path, officer="Lò Thị Mai"))
        window.resize(1280, 760)
        window.show()
        for lang_index, lang in enumerate(("en", "vi")):
            window.lang.setCurrentIndex(lang_index)
            for form_id in ("household", "trade"):
                row = next(i for i in range(window.forms.count())
                           if window.forms.item(i).data(Qt.UserRole) == form_id)
                window.forms.setCurrentRow(row)
                window.table.selectRow(1)
                app.processEvents()
                target = out / f"window-{form_id}-{lang}.png"
                window.grab().save(str(target))
                print(target)
        window.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/images"))
