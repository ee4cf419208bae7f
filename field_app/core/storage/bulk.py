"""The bulk path for imports, merges and demo data: one transaction, executemany, all or nothing.

Rows go to SQLite as tuples in batches of FLUSH_EVERY records; each value is checked and
converted by a per-column converter built once (`values.converter`). Reached through
`Project.bulk_insert`.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Callable, Iterable

from ..errors import Problem, RecordError
from ..i18n import N_, tr
from ..values import ValueProblem, converter
from .identity import new_uuid, now
from .schema import CHILD_META, ROOT_META, STATUSES, Table, quote

if TYPE_CHECKING:
    from .project import Project

FLUSH_EVERY = 5_000  # records per executemany batch


class Cancelled(Exception):
    """Raised inside a long job when the user pressed Cancel; the transaction is rolled back."""


class _Where:
    """Where a bulk record is ('record 12.members[2]'), made into text only if there is a problem."""

    __slots__ = ("parent", "part")

    def __init__(self, parent, part: str = ""):
        self.parent, self.part = parent, part

    def __str__(self) -> str:
        if isinstance(self.parent, int):
            return tr("record {n}", n=self.parent)
        return f"{self.parent}.{self.part}"


def bulk_insert(project: "Project", form_id: str, records: Iterable[dict], *, status: str = "final",
                source: str = "", batch: str | None = None, progress: Callable[[int], None] | None = None,
                cancel: Callable[[], bool] | None = None) -> tuple[int, str]:
    form = project.form(form_id)
    tables = project._tables[form_id]
    batch = batch or new_uuid()
    stamp = now()
    plans = {t.name: [(c.name, converter(c.field, form, c.part)) for c in t.columns] for t in tables}
    children = {t.name: [(c, c.repeat.name) for c in tables if c.parent is t] for t in tables}
    allowed = {t.name: {c.name for c in t.columns} | {r for _c, r in children[t.name]} for t in tables}
    buffers: dict[str, list[tuple]] = {t.name: [] for t in tables}
    root = tables[0]
    count = 0

    def row_values(table: Table, data: dict, where: str) -> list:
        unknown = [k for k in data.keys() - allowed[table.name] if not k.startswith("_")]
        if unknown:
            problems = [Problem(N_("'{key}' is not a field of this part of form '{form}'"),
                                {"key": k, "form": form_id}, sheet=str(where), column=k) for k in sorted(unknown)]
            raise RecordError(problems)
        values = []
        for name, convert in plans[table.name]:
            value = data.get(name)
            if value is not None:
                try:
                    value = convert(value)
                except ValueProblem as e:
                    raise RecordError([Problem(e.message, e.params, sheet=str(where), column=name)]) from None
            values.append(value)
        return values

    def add_children(table: Table, data: dict, row_uuid: str, root_uuid: str, where: str) -> None:
        for child, name in children[table.name]:
            items = data.get(name) or []
            if not isinstance(items, list):
                raise RecordError([Problem(N_("Repeat '{name}' must be a list of rows."), {"name": name},
                                           sheet=str(where), column=name)])
            for i, item in enumerate(items, start=1):
                item_where = _Where(where, f"{name}[{i}]")
                item_uuid = item.get("_uuid") or new_uuid()
                buffers[child.name].append((item_uuid, row_uuid, root_uuid, i,
                                            *row_values(child, item, item_where)))
                add_children(child, item, item_uuid, root_uuid, item_where)

    with project.transaction():
        for record in records:
            where = _Where(count + 1)
            uuid = record.get("_uuid") or new_uuid()
            if (record.get("_status") or status) not in STATUSES:
                raise RecordError([Problem(N_("Status must be draft or final, not '{status}'."),
                                           {"status": record.get("_status") or status}, sheet=str(where))])
            meta = (uuid, form_id, form.version, record.get("_created") or stamp,
                    record.get("_modified") or stamp, record.get("_officer") or project.officer, project.device,
                    project.officer, project.device, record.get("_status") or status, 0, 1, batch)
            buffers[root.name].append(meta + tuple(row_values(root, record, where)))
            add_children(root, record, uuid, uuid, where)
            count += 1
            if count % FLUSH_EVERY == 0:
                _flush(project.conn, tables, buffers)
                if progress:
                    progress(count)
                if cancel and cancel():
                    raise Cancelled()
        _flush(project.conn, tables, buffers)
        project._audit("bulk_insert", form_id, None, root.name, None, "_batch", None,
                    {"batch": batch, "count": count, "source": source}, stamp)
    if progress:
        progress(count)
    return count, batch



def _flush(conn: sqlite3.Connection, tables: list[Table], buffers: dict[str, list[tuple]]) -> None:
    for table in tables:  # parents first, so foreign keys hold
        rows = buffers[table.name]
        if not rows:
            continue
        cols = list(ROOT_META if table.is_root else CHILD_META) + [c.name for c in table.columns]
        sql = (f"INSERT INTO {quote(table.name)} ({', '.join(map(quote, cols))}) "
               f"VALUES ({', '.join('?' * len(cols))})")
        conn.executemany(sql, rows)
        rows.clear()

