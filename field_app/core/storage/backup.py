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


def _keep_copy(project: Path, kept: Path) -> None:
    """Copy the file about to be replaced; refuse if another program has it open."""
    src = sqlite3.connect(str(project), timeout=0.5)
    try:
        try:  # only a connection that is alone on the file gets an exclusive lock
            src.execute("PRAGMA locking_mode = EXCLUSIVE")
            src.execute("BEGIN EXCLUSIVE")
            src.execute("COMMIT")
        except sqlite3.OperationalError:
            raise StorageError(f"{project} is open in another program; close it before restoring") from None
        except sqlite3.DatabaseError:
            shutil.copy2(project, kept)  # a damaged file is still kept, byte for byte
            return
        dest = sqlite3.connect(str(kept))
        try:
            src.backup(dest)
        finally:
            dest.close()
    finally:
        src.close()


def restore(backup: Path, project: Path) -> Path | None:
    """Copy `backup` into place as `project`. Returns where the replaced file was kept, if any."""
    _integrity(backup)
    kept = None
    if project.exists():
        dated = default_backup_path(project)
        kept = dated.with_name(f"{dated.stem}-before-restore{dated.suffix}")
        _keep_copy(project, kept)
    tmp = project.with_name(project.name + ".restoring")
    shutil.copy2(backup, tmp)
    with open(tmp, "rb+") as f:
        os.fsync(f.fileno())
    for side in ("-wal", "-shm"):  # a stale log of the old file must not be replayed into the new one
        Path(str(project) + side).unlink(missing_ok=True)
    os.replace(tmp, project)
    return kept
