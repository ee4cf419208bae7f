"""Versioned schema of the project file. `PRAGMA user_version` says how many steps ran.

Each step runs in its own transaction together with the version bump, so a crash leaves
the file at the previous version, never half-migrated. Steps are only ever appended.
"""

from __future__ import annotations

import sqlite3


APPLICATION_ID = 0x46617070  # "Fapp" in the SQLite header: this file is a field-app project


def _v1(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("CREATE TABLE _meta (key TEXT PRIMARY KEY NOT NULL, value TEXT)")
    conn.execute("""CREATE TABLE _forms (
  form_id TEXT NOT NULL,
  version TEXT NOT NULL,
  title TEXT,
  file_name TEXT NOT NULL,
  added TEXT NOT NULL,
  added_by TEXT,
  seq INTEGER NOT NULL,
  PRIMARY KEY (form_id, version)
)""")
    conn.execute("""CREATE TABLE _form_files (
  form_id TEXT NOT NULL,
  version TEXT NOT NULL,
  file_name TEXT NOT NULL,
  content BLOB NOT NULL,
  PRIMARY KEY (form_id, version, file_name),
  FOREIGN KEY (form_id, version) REFERENCES _forms(form_id, version)
)""")
    conn.execute("""CREATE TABLE _audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time TEXT NOT NULL,
  officer TEXT,
  device TEXT,
  action TEXT NOT NULL,
  form_id TEXT,
  record_uuid TEXT,
  table_name TEXT,
  row_uuid TEXT,
  field TEXT,
  old TEXT,
  new TEXT
)""")
    conn.execute("CREATE INDEX idx_audit_record ON _audit(record_uuid)")


def _v2(conn: sqlite3.Connection) -> None:
    """Files attached to answers (photos, scans), kept inside the project so they travel with it."""
    conn.execute("""CREATE TABLE _attachments (
  id TEXT PRIMARY KEY NOT NULL,
  file_name TEXT NOT NULL,
  media_type TEXT,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  content BLOB NOT NULL,
  added TEXT NOT NULL,
  added_by TEXT,
  added_device TEXT
)""")
    conn.execute("CREATE INDEX idx_attachments_sha256 ON _attachments(sha256)")


# Append new steps here; never edit a step that has shipped.
MIGRATIONS = [_v1, _v2]
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the file up to SCHEMA_VERSION; returns the number of steps run."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    for version in range(current, SCHEMA_VERSION):
        conn.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return SCHEMA_VERSION - current
