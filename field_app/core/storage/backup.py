"""Backups of a project file, and putting one back without losing the file it replaces."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
from pathlib import Path

from ..errors import StorageError
from .project import _check_file


def default_backup_path(project: Path) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = project.parent / "backups"
    folder.mkdir(exist_ok=True)
    return folder / f"{project.stem}-{stamp}{project.suffix or '.fieldapp'}"


def _integrity(path: Path) -> None:
    _check_file(path)
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as e:
        raise StorageError(f"{path} is damaged: {e}") from None
    finally:
        conn.close()
    if result != "ok":
        raise StorageError(f"{path} is damaged: {result}")


def restore(backup: Path, project: Path) -> Path | None:
    """Copy `backup` into place as `project`. Returns where the replaced file was kept, if any."""
    _integrity(backup)
    kept = None
    if project.exists():
        kept = default_backup_path(project).with_name(
            default_backup_path(project).stem + "-before-restore" + (project.suffix or ".fieldapp"))
        src = sqlite3.connect(str(project))
        dest = sqlite3.connect(str(kept))
        try:
            src.backup(dest)
        except sqlite3.DatabaseError:
            dest.close()
            shutil.copy2(project, kept)  # a damaged file is still kept, byte for byte
        finally:
            src.close()
            dest.close()
    tmp = project.with_name(project.name + ".restoring")
    shutil.copy2(backup, tmp)
    with open(tmp, "rb+") as f:
        os.fsync(f.fileno())
    for side in ("-wal", "-shm"):  # a stale log of the old file must not be replayed into the new one
        Path(str(project) + side).unlink(missing_ok=True)
    os.replace(tmp, project)
    return kept
