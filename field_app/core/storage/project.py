"""A survey project: one SQLite file, opened like a document.

`Project` is the one door to storage: the CLI and the GUI call its methods and never write
SQL of their own. Every write is one explicit transaction; one connection writes, from the
thread that opened it (the GUI hands the project to its database worker).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import mimetypes
import shutil
import sqlite3
import struct
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator


def _import_sqlite_utils():
    """Import sqlite-utils without letting it pull in pandas and numpy (half a second at start-up).

    It imports them only to map their value types on insert, which this layer never does (rows
    go through `values` and executemany). If they are already loaded, it gets them as usual.
    """
    hidden = [name for name in ("pandas", "numpy") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # `import` now raises ImportError
    try:
        import sqlite_utils
    finally:
        for name in hidden:
            if sys.modules.get(name) is None:
                del sys.modules[name]
    return sqlite_utils


sqlite_utils = _import_sqlite_utils()
from ... import __version__
from ..errors import FormError, NewerDatabaseError, Problem, RecordError, StorageError
from ..forms import Form, load_form
from ..i18n import N_
from ..text import nfc
from ..values import ValueProblem, coerce, coerce_unit
from . import migrations
from .bulk import Cancelled
from .identity import device_id, new_uuid, now
from .schema import CHILD_META, ROOT_META, STATUSES, Table, create_sql, quote, tables_for

APP_ID = "field-app"
BUSY_TIMEOUT_MS = 10_000
MAX_ATTACHMENT = 50_000_000  # bytes; a phone photo is 2-8 MB


@dataclass
class SaveResult:
    uuid: str
    revision: int
    created: bool
    changes: list[tuple[str, object, object]] = field(default_factory=list)  # (field path, old, new)


@dataclass
class FormChange:
    form_id: str
    version: str
    new_form: bool
    new_tables: list[str]
    new_columns: list[str]
    unchanged: bool = False


def _json(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _check_file(path: Path) -> None:
    """Refuse a file that is not ours or is from a newer field-app, reading only its 100-byte
    header: no SQLite connection, so nothing is written, not even a -wal or -shm file."""
    if not path.exists():
        return
    if path.is_dir():
        raise StorageError(f"{path} is a folder, not a project file")
    with open(path, "rb") as f:
        head = f.read(100)
    if not head:
        return  # an empty file: a new project
    if len(head) < 100 or head[:16] != b"SQLite format 3\x00":
        raise StorageError(f"{path} is not a field-app project (not an SQLite file)")
    (pages,) = struct.unpack(">I", head[28:32])
    version, app_id = struct.unpack(">i", head[60:64])[0], struct.unpack(">i", head[68:72])[0]
    _refuse_foreign(path, version, app_id, has_tables=pages > 1)


def _refuse_foreign(path: Path, version: int, app_id: int, has_tables: bool) -> None:
    if version > migrations.SCHEMA_VERSION:
        raise NewerDatabaseError(
            f"{path} was written by a newer field-app (schema {version}, this program knows up to "
            f"{migrations.SCHEMA_VERSION}); update field-app to open it. The file was not changed.")
    if app_id != migrations.APPLICATION_ID and (app_id != 0 or has_tables):
        raise StorageError(f"{path} is an SQLite file but not a field-app project")


class Project:
    """An open project file. Use `Project.open(path)`; close it (or use `with`)."""

    def __init__(self, path: Path, conn: sqlite3.Connection, officer: str, device: str):
        self.path = path
        self.conn = conn
        self.db = sqlite_utils.Database(conn)
        self.officer = officer
        self.device = device
        self._owner = threading.get_ident()
        self._forms: dict[str, Form] = {}
        self._tables: dict[str, list[Table]] = {}
        self.form_problems: dict[str, str] = {}  # form id -> why its stored definition cannot be used

    # -- opening -----------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path, *, officer: str = "", device: str | None = None,
             create: bool = False) -> "Project":
        path = Path(path)
        if not path.exists() and not create:
            raise StorageError(f"{path} does not exist (use 'field-app new' to make a project)")
        _check_file(path)
        if create and not path.parent.exists():
            raise StorageError(f"folder {path.parent} does not exist")
        conn = None
        try:
            conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            # the header may be behind an unmerged write-ahead log: look again, still only reading
            _refuse_foreign(path, conn.execute("PRAGMA user_version").fetchone()[0],
                            conn.execute("PRAGMA application_id").fetchone()[0],
                            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] > 0)
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise StorageError(f"{path}: cannot use write-ahead logging (journal mode {mode})")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            migrations.migrate(conn)
        except BaseException as e:
            if conn is not None:
                conn.close()
            if isinstance(e, sqlite3.DatabaseError):
                raise StorageError(f"{path}: {e}") from None
            raise
        project = cls(path, conn, officer, device or device_id())
        project._init_meta()
        project._load_forms()
        return project

    @classmethod
    def create(cls, path: str | Path, **kw) -> "Project":
        path = Path(path)
        if path.exists():
            raise StorageError(f"{path} already exists")
        return cls.open(path, create=True, **kw)

    def close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self.conn.close()
            self.conn = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @contextlib.contextmanager
    def transaction(self):
        """One atomic unit of work. The outermost level takes the write lock at once (BEGIN
        IMMEDIATE), so two programs on one file wait for each other (busy timeout) instead of
        failing when a read turns into a write; inner levels are sqlite-utils' savepoints."""
        if self.conn.in_transaction:
            with self.db.atomic():
                yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        try:
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def _init_meta(self) -> None:
        if self.meta("app") is None:
            with self.transaction():
                for key, value in (("app", APP_ID), ("project_id", new_uuid()), ("created", now()),
                                   ("created_by", self.officer), ("created_device", self.device)):
                    self.conn.execute("INSERT OR IGNORE INTO _meta(key, value) VALUES (?, ?)", (key, value))
        with self.transaction():
            self.conn.execute("INSERT OR REPLACE INTO _meta(key, value) VALUES ('app_version', ?)", (__version__,))

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM _meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    # -- forms ---------------------------------------------------------------------------------
    def _load_forms(self) -> None:
        """Rebuild each form from the files stored in the project: its latest version that loads.

        A stored form that this program cannot read (say, a later field-app wrote it) must not
        lock the officer out of the whole project: the reason is kept in `form_problems`.
        """
        rows = self.conn.execute("SELECT form_id, version, file_name FROM _forms ORDER BY seq DESC").fetchall()
        for form_id, version, file_name in rows:
            if form_id in self._forms:
                continue
            try:
                form = self._stored_form(form_id, version, file_name)
            except FormError as e:
                self.form_problems.setdefault(form_id, f"version {version}: {e}")
                continue
            form.source = f"{self.path}:{form_id}@{version}"
            self._forms[form_id] = form
            self._tables[form_id] = tables_for(form)
        first_added = [r[0] for r in self.conn.execute(
            "SELECT form_id FROM _forms GROUP BY form_id ORDER BY MIN(seq)")]
        self._forms = {f: self._forms[f] for f in first_added if f in self._forms}  # in the order they were added

    def _stored_form(self, form_id: str, version: str, file_name: str) -> Form:
        with tempfile.TemporaryDirectory(prefix="field-app-form-") as tmp:
            for name, content in self.conn.execute(
                    "SELECT file_name, content FROM _form_files WHERE form_id = ? AND version = ?", (form_id, version)):
                (Path(tmp) / name).write_bytes(content)
            return load_form(Path(tmp) / file_name)

    def forms(self) -> dict[str, Form]:
        return dict(self._forms)

    def form(self, form_id: str) -> Form:
        try:
            return self._forms[form_id]
        except KeyError:
            if form_id in self.form_problems:
                raise StorageError(f"form '{form_id}' cannot be used: {self.form_problems[form_id]}") from None
            known = ", ".join(sorted(self._forms)) or "none"
            raise StorageError(f"no form '{form_id}' in this project (forms: {known})") from None

    def add_form(self, source: str | Path | Form) -> FormChange:
        """Add a form, or a new version of one: new tables and columns are added, nothing is dropped."""
        form = source if isinstance(source, Form) else load_form(source)
        path = Path(form.source)
        files = {path.name: path.read_bytes()}
        for clist in form.choices.values():
            if clist.source.lower().endswith(".csv"):
                files[clist.source] = (path.parent / clist.source).read_bytes()
        if form.form_id.startswith(("_", "sqlite_")) or "__" in form.form_id:
            raise StorageError(f"{path}: form_id '{form.form_id}' is reserved (no leading _, no sqlite_, no __)")
        for f in form.walk():
            if f.name in ROOT_META or f.name in CHILD_META:
                raise StorageError(f"{path}: field name '{f.name}' is reserved by field-app; rename it")
        existing = self.conn.execute("SELECT file_name FROM _forms WHERE form_id = ? AND version = ?",
                                     (form.form_id, form.version)).fetchone()
        if existing:
            stored = dict(self.conn.execute(
                "SELECT file_name, content FROM _form_files WHERE form_id = ? AND version = ?",
                (form.form_id, form.version)).fetchall())
            if stored == files:
                return FormChange(form.form_id, form.version, False, [], [], unchanged=True)
            raise StorageError(f"{path}: form '{form.form_id}' version '{form.version}' is already in the "
                               "project with different content; give the changed form a new version")
        new_tables, new_columns = [], []
        is_new = form.form_id not in self._forms
        with self.transaction():
            for table in tables_for(form):
                if not self.db[table.name].exists():
                    for sql in create_sql(table):
                        self.conn.execute(sql)
                    new_tables.append(table.name)
                    continue
                have = {c.name for c in self.db[table.name].columns}
                for col in table.columns:
                    if col.name not in have:
                        self.conn.execute(f"ALTER TABLE {quote(table.name)} ADD COLUMN {quote(col.name)} "
                                          f"{col.sql_type}".rstrip())
                        new_columns.append(f"{table.name}.{col.name}")
            seq = self.conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM _forms").fetchone()[0]
            self.conn.execute("INSERT INTO _forms VALUES (?, ?, ?, ?, ?, ?, ?)",
                              (form.form_id, form.version, form.title_text(), path.name, now(), self.officer, seq))
            self.conn.executemany("INSERT INTO _form_files VALUES (?, ?, ?, ?)",
                                  [(form.form_id, form.version, n, c) for n, c in files.items()])
            self._audit("add_form", form.form_id, None, None, None, "version", None, form.version)
        self._forms[form.form_id] = form
        self._tables[form.form_id] = tables_for(form)
        return FormChange(form.form_id, form.version, is_new, new_tables, new_columns)

    # -- writing one record --------------------------------------------------------------------
    def _check_thread(self) -> None:
        if threading.get_ident() != self._owner:
            raise StorageError("a project is written from one thread only; hand it to the database worker")

    def _audit(self, action, form_id, record_uuid, table, row_uuid, field_name, old, new, when=None):
        self.conn.execute(
            "INSERT INTO _audit(time, officer, device, action, form_id, record_uuid, table_name, row_uuid, "
            "field, old, new) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (when or now(), self.officer, self.device, action, form_id, record_uuid, table, row_uuid, field_name,
             _json(old), _json(new)))

    def _row_values(self, form: Form, table: Table, data: dict, where: str, problems: list[Problem]) -> dict:
        """The stored values of one table row from a record dict; unknown keys are an error."""
        known = {c.name for c in table.columns}
        repeats = {r.name for r in form.repeats() if r.repeat() is table.repeat}
        for key in data:
            if key.startswith("_") or key in known or key in repeats:
                continue
            f = form.fields.get(key)
            reason = (N_("'{key}' is not stored (a {kind})") if f is not None and not f.stored
                      else N_("'{key}' is not a field of this part of form '{form}'"))
            problems.append(Problem(reason, {"key": key, "kind": f.kind if f else "", "form": form.form_id},
                                    sheet=where, column=key))
        values = {}
        for col in table.columns:
            if col.name not in data:
                continue
            try:
                if col.part == "unit":
                    values[col.name] = coerce_unit(col.field, data[col.name])
                else:
                    values[col.name] = coerce(col.field, data[col.name], form)
            except ValueProblem as e:
                problems.append(Problem(e.message, e.params, sheet=where, column=col.name))
        return values

    def save(self, form_id: str, record: dict, *, status: str | None = None) -> SaveResult:
        """Save a record with all its repeat rows, wholly or not at all.

        Keys: field names; a repeat's name maps to a list of row dicts; `_uuid` (of the record
        and of each repeat row) says which existing rows are updated. Keys left out keep their
        stored value; a key set to None clears it. A 'final' record must pass validation; an
        update keeps the status the record had unless `status` (or `_status`) says otherwise.
        """
        from ..record import compute, validate

        self._check_thread()
        form = self.form(form_id)
        tables = self._tables[form_id]
        uuid = record.get("_uuid") or new_uuid()
        with self.transaction():
            old = self.get(form_id, uuid, include_deleted=True) if record.get("_uuid") else None
            # an update keeps the record's status unless one is asked for: a final record stays final
            status = status or record.get("_status") or (old["_status"] if old else "draft")
            if status not in STATUSES:
                raise RecordError([Problem(N_("Status must be draft or final, not '{status}'."),
                                           {"status": status})])
            merged = _merge(old, record) if old else dict(record)
            merged = compute(form, merged)
            problems: list[Problem] = []
            if status == "final":
                problems += [p for p in validate(form, merged) if p.severity == "error"]
            rows = self._flatten(form, tables, merged, uuid, problems)
            if problems:
                raise RecordError(problems)
            stamp = now()
            result = SaveResult(uuid, 1, old is None)
            root_table = tables[0]
            root_values = rows[root_table.name][0][1]
            if old is None:
                meta = {"_uuid": uuid, "_form_id": form_id, "_form_version": form.version, "_created": stamp,
                        "_modified": stamp, "_officer": record.get("_officer") or self.officer,
                        "_device": self.device, "_modified_by": self.officer, "_modified_device": self.device,
                        "_status": status, "_deleted": 0, "_revision": 1}
                self._insert(root_table, {**meta, **root_values})
                self._audit("create", form_id, uuid, root_table.name, uuid, None, None,
                            {k: v for k, v in root_values.items() if v is not None}, stamp)
                result.changes += self._save_children(form_id, tables, rows, uuid, stamp)
            else:
                child_changes = self._save_children(form_id, tables, rows, uuid, stamp)
                changes = {k: v for k, v in root_values.items() if old.get(k) != v}
                if old.get("_status") != status:
                    changes["_status"] = status
                revision = old["_revision"] + (1 if changes or child_changes else 0)
                meta = {"_modified": stamp, "_modified_by": self.officer, "_modified_device": self.device,
                        "_revision": revision, "_form_version": form.version}
                if revision != old["_revision"]:
                    self._update(root_table, uuid, {**meta, **changes})
                for key, value in changes.items():
                    self._audit("update", form_id, uuid, root_table.name, uuid, key, old.get(key), value, stamp)
                    result.changes.append((key, old.get(key), value))
                result.changes += child_changes
                result.revision = revision
        return result

    def _flatten(self, form: Form, tables: list[Table], record: dict, uuid: str,
                 problems: list[Problem]) -> dict[str, list[tuple[str, dict, str | None, int]]]:
        """Rows per table: (row uuid, values, parent uuid, position)."""
        rows: dict[str, list] = {t.name: [] for t in tables}
        by_repeat = {t.repeat.name: t for t in tables if t.repeat is not None}

        def walk(table: Table, data: dict, row_uuid: str, parent: str | None, position: int, where: str):
            rows[table.name].append((row_uuid, self._row_values(form, table, data, where, problems), parent,
                                     position))
            for name, child in by_repeat.items():
                if child.parent is not table or name not in data:
                    continue
                items = data[name] or []
                if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                    problems.append(Problem(N_("Repeat '{name}' must be a list of rows."), {"name": name},
                                            sheet=where, column=name))
                    continue
                for i, item in enumerate(items, start=1):
                    walk(child, item, item.get("_uuid") or new_uuid(), row_uuid, i, f"{name}[{i}]")

        walk(tables[0], record, uuid, None, 0, form.form_id)
        return rows

    def _insert(self, table: Table, values: dict) -> None:
        cols = list(values)
        self.conn.execute(f"INSERT INTO {quote(table.name)} ({', '.join(map(quote, cols))}) "
                          f"VALUES ({', '.join('?' * len(cols))})", [values[c] for c in cols])

    def _update(self, table: Table, uuid: str, values: dict) -> None:
        if values:
            sets = ", ".join(f"{quote(c)} = ?" for c in values)
            self.conn.execute(f"UPDATE {quote(table.name)} SET {sets} WHERE _uuid = ?", [*values.values(), uuid])

    def _old_child_rows(self, table: Table, root_uuid: str) -> dict[str, dict]:
        cur = self.conn.execute(f"SELECT * FROM {quote(table.name)} WHERE _root = ?", (root_uuid,))
        names = [d[0] for d in cur.description]
        return {r[0]: dict(zip(names, r)) for r in cur}

    def _save_children(self, form_id, tables, rows, root_uuid, stamp) -> list[tuple[str, object, object]]:
        """Insert, update and remove the record's repeat rows; returns what changed."""
        result_changes: list[tuple[str, object, object]] = []
        for table in tables[1:]:  # parents before children, so foreign keys hold
            current = self._old_child_rows(table, root_uuid)
            for row_uuid, values, parent, position in rows[table.name]:
                before = current.pop(row_uuid, None)
                if before is None:
                    self._insert(table, {"_uuid": row_uuid, "_parent": parent, "_root": root_uuid,
                                         "_position": position, **values})
                    self._audit("create", form_id, root_uuid, table.name, row_uuid, None, None,
                                {k: v for k, v in values.items() if v is not None}, stamp)
                    result_changes.append((f"{table.repeat.name}[{position}]", None, "new row"))
                    continue
                changes = {k: v for k, v in values.items() if before.get(k) != v}
                if before["_position"] != position:
                    changes["_position"] = position
                self._update(table, row_uuid, changes)
                for key, value in changes.items():
                    self._audit("update", form_id, root_uuid, table.name, row_uuid, key, before.get(key), value,
                                stamp)
                    result_changes.append((f"{table.repeat.name}[{position}].{key}", before.get(key), value))
            # rows no longer in the record: kept in the audit trail whole, so the removal can be undone
            for row_uuid, before in current.items():
                self.conn.execute(f"DELETE FROM {quote(table.name)} WHERE _uuid = ?", (row_uuid,))
                self._audit("remove_row", form_id, root_uuid, table.name, row_uuid, None, before, None, stamp)
                result_changes.append((f"{table.repeat.name}[{before['_position']}]", "row", None))
        return result_changes

    def delete(self, form_id: str, uuid: str) -> None:
        """Mark a record deleted; `undelete` brings it back. Nothing is erased."""
        self._set_deleted(form_id, uuid, 1)

    def undelete(self, form_id: str, uuid: str) -> None:
        self._set_deleted(form_id, uuid, 0)

    def _set_deleted(self, form_id: str, uuid: str, flag: int) -> None:
        self._check_thread()
        table = self._tables[self.form(form_id).form_id][0]
        with self.transaction():
            row = self.conn.execute(f"SELECT _deleted, _revision FROM {quote(table.name)} WHERE _uuid = ?",
                                    (uuid,)).fetchone()
            if row is None:
                raise StorageError(f"no {form_id} record {uuid}")
            if row[0] == flag:
                return
            stamp = now()
            self._update(table, uuid, {"_deleted": flag, "_revision": row[1] + 1, "_modified": stamp,
                                       "_modified_by": self.officer, "_modified_device": self.device})
            self._audit("delete" if flag else "undelete", form_id, uuid, table.name, uuid, "_deleted", row[0], flag,
                        stamp)

    # -- attachments -----------------------------------------------------------------------------
    def attach(self, path: str | Path) -> str:
        """Store a file (a photo, a scanned receipt) in the project; returns the reference to save
        as the answer of an image/audio/video/file question. The same content is stored once."""
        self._check_thread()
        path = Path(path)
        try:
            content = path.read_bytes()
        except OSError as e:
            raise StorageError(f"{path}: cannot read the file: {e.strerror or e}") from None
        if len(content) > MAX_ATTACHMENT:
            raise StorageError(f"{path}: {len(content) / 1e6:.0f} MB is too large to attach "
                               f"(at most {MAX_ATTACHMENT // 1_000_000} MB)")
        digest = hashlib.sha256(content).hexdigest()
        row = self.conn.execute("SELECT id, file_name FROM _attachments WHERE sha256 = ? AND size = ?",
                                (digest, len(content))).fetchone()
        if row:
            return f"{row[0]}/{row[1]}"
        ident = new_uuid()
        with self.transaction():
            self.conn.execute("INSERT INTO _attachments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                              (ident, nfc(path.name), mimetypes.guess_type(path.name)[0], len(content), digest,
                               content, now(), self.officer, self.device))
        return f"{ident}/{nfc(path.name)}"

    def attachment(self, reference: str) -> tuple[str, bytes]:
        """(file name, content) of an attachment reference made by `attach`."""
        ident = reference.split("/", 1)[0]
        row = self.conn.execute("SELECT file_name, content FROM _attachments WHERE id = ?", (ident,)).fetchone()
        if row is None:
            raise StorageError(f"no attachment {reference}")
        return row[0], row[1]

    # -- the bulk path (imports, merges, demo data) ----------------------------------------------
    def bulk_insert(self, form_id: str, records: Iterable[dict], *, status: str = "final",
                    source: str = "", batch: str | None = None, progress: Callable[[int], None] | None = None,
                    cancel: Callable[[], bool] | None = None) -> tuple[int, str]:
        """Insert many new records in one transaction with executemany; all or nothing.

        Values are checked and converted as in `save`, but calculations are taken as given and
        'final' validation is left to the caller. Returns (count, batch id); every record carries
        the batch id, so a whole import can be found and undone. See storage/bulk.py.
        """
        from .bulk import bulk_insert

        self._check_thread()
        return bulk_insert(self, form_id, records, status=status, source=source, batch=batch, progress=progress,
                           cancel=cancel)

    # -- reading -------------------------------------------------------------------------------
    def get(self, form_id: str, uuid: str, *, include_deleted: bool = False) -> dict | None:
        """A record as a dict: fields, meta keys (`_uuid`, `_status`, ...) and repeats as lists."""
        tables = self._tables[self.form(form_id).form_id]
        cur = self.conn.execute(f"SELECT * FROM {quote(tables[0].name)} WHERE _uuid = ?", (uuid,))
        row = cur.fetchone()
        if row is None:
            return None
        record = dict(zip([d[0] for d in cur.description], row))
        if record["_deleted"] and not include_deleted:
            return None
        self._add_repeats(tables, {uuid: record})
        return record

    def full_records(self, form_id: str, *, include_deleted: bool = False, chunk: int = 1000) -> Iterator[dict]:
        """Every record of a form with its repeats, in the order they were stored, read a chunk at a time."""
        tables = self._tables[self.form(form_id).form_id]
        sql = f"SELECT * FROM {quote(tables[0].name)}" + ("" if include_deleted else " WHERE _deleted = 0")
        cur = self.conn.execute(sql + " ORDER BY rowid")
        names = [d[0] for d in cur.description]
        while rows := cur.fetchmany(chunk):
            records = {r[0]: dict(zip(names, r)) for r in rows}  # _uuid is the first column
            self._add_repeats(tables, records)
            yield from records.values()

    def _add_repeats(self, tables: list[Table], roots: dict[str, dict]) -> None:
        """Put each repeat row into its parent, in order, for the records in `roots` (by uuid)."""
        by_parent: dict[str, dict] = dict(roots)
        marks = ", ".join("?" * len(roots))
        for table in tables[1:]:  # parents before children
            cur = self.conn.execute(f"SELECT * FROM {quote(table.name)} WHERE _root IN ({marks}) "
                                    "ORDER BY _root, _position", list(roots))
            names = [d[0] for d in cur.description]
            for r in cur:
                item = dict(zip(names, r))
                parent = by_parent.get(item.pop("_parent"))
                item.pop("_root")
                if parent is not None:
                    parent.setdefault(table.repeat.name, []).append(item)
                    by_parent[item["_uuid"]] = item

    def records(self, form_id: str, *, include_deleted: bool = False, limit: int | None = None) -> Iterator[dict]:
        """The form's own rows (no repeats), newest change first."""
        table = self._tables[self.form(form_id).form_id][0]
        sql = f"SELECT * FROM {quote(table.name)}"
        if not include_deleted:
            sql += " WHERE _deleted = 0"
        sql += " ORDER BY _modified DESC, rowid DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        cur = self.conn.execute(sql)
        names = [d[0] for d in cur.description]
        for r in cur:
            yield dict(zip(names, r))

    def count(self, form_id: str, *, include_deleted: bool = False) -> int:
        table = self._tables[self.form(form_id).form_id][0]
        sql = f"SELECT COUNT(*) FROM {quote(table.name)}" + ("" if include_deleted else " WHERE _deleted = 0")
        return self.conn.execute(sql).fetchone()[0]

    def history(self, record_uuid: str) -> list[dict]:
        cur = self.conn.execute("SELECT * FROM _audit WHERE record_uuid = ? ORDER BY id", (record_uuid,))
        names = [d[0] for d in cur.description]
        out = []
        for r in cur:
            item = dict(zip(names, r))
            for key in ("old", "new"):
                item[key] = json.loads(item[key]) if item[key] is not None else None
            out.append(item)
        return out

    def backup(self, target: str | Path) -> Path:
        """A consistent copy of the project (WAL included), written beside then renamed into place."""
        target = Path(target)
        tmp = target.with_name(target.name + ".part")
        tmp.unlink(missing_ok=True)
        dest = sqlite3.connect(str(tmp))
        try:
            self.conn.backup(dest)
        finally:
            dest.close()
        shutil.move(str(tmp), str(target))
        return target


def _merge(old: dict, new: dict) -> dict:
    """A saved record updated with the keys given in `new` (repeats replace whole lists)."""
    merged = {k: v for k, v in old.items()}
    merged.update({k: v for k, v in new.items()})
    return merged


def open_project(path: str | Path, **kw) -> Project:
    return Project.open(path, **kw)


__all__ = ["Project", "SaveResult", "FormChange", "Cancelled", "open_project"]
