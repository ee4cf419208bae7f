"""The one way to run long work off the GUI thread: progress, cancel, result or error by signal."""

from __future__ import annotations

import threading
import traceback
from typing import Callable

from .qt import QObject, QRunnable, QThreadPool, Signal


class _Signals(QObject):
    progress = Signal(int)
    done = Signal(object)
    failed = Signal(str, str)  # message, details


class Task(QRunnable):
    """Run `fn(progress, cancelled)` in the thread pool. `fn` calls progress(n) and checks cancelled()."""

    def __init__(self, fn: Callable):
        super().__init__()
        self.fn = fn
        self.signals = _Signals()
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def run(self) -> None:
        try:
            result = self.fn(self.signals.progress.emit, self._cancel.is_set)
        except Exception as e:  # shown to the user by the window, with details to copy
            self.signals.failed.emit(str(e), traceback.format_exc())
        else:
            self.signals.done.emit(result)


def start(task: Task) -> Task:
    QThreadPool.globalInstance().start(task)
    return task
