"""Time from starting the process to the main window painted, on a given project.

    .venv/bin/python bench/bench_startup.py PROJECT [runs]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

CHILD = r"""
import sys
from field_app.ui.qt import QApplication, QTimer
from field_app.core.storage import Project
from field_app.ui.main_window import MainWindow
app = QApplication([])
w = MainWindow(Project.open(sys.argv[1], officer="bench"))
w.show()
QTimer.singleShot(0, lambda: (print("painted", flush=True), app.quit()))
app.exec()
"""


def main() -> None:
    project = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", CHILD, project], capture_output=True, text=True, env=env)
        assert "painted" in out.stdout, out.stderr
        times.append(time.perf_counter() - start)
    size = os.path.getsize(project) / 1e6
    print(f"start to painted window on {project} ({size:.0f} MB): median {statistics.median(times):.2f} s "
          f"over {runs} runs (min {min(times):.2f}, max {max(times):.2f})")


if __name__ == "__main__":
    main()
