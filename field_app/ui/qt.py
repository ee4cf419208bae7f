"""The one place that imports Qt, so a change of binding or version touches one file."""

from PySide6.QtCore import (  # noqa: F401
    QAbstractTableModel, QModelIndex, QObject, QPoint, QRunnable, QSize, Qt, QThreadPool, QTimer, Signal, Slot,
)
from PySide6.QtGui import QAction, QFont, QGuiApplication, QKeySequence  # noqa: F401
from PySide6.QtWidgets import (  # noqa: F401
    QAbstractItemView, QApplication, QComboBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QListWidget,
    QListWidgetItem, QMainWindow, QMessageBox, QProgressDialog, QSplitter, QStatusBar, QTableView, QTextBrowser,
    QToolBar, QVBoxLayout, QWidget,
)

__all__ = [name for name in dir() if name.startswith("Q") or name in ("Qt", "Signal", "Slot")]
