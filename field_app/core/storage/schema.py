"""How forms become tables: names, columns and SQL types. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass

from ..forms import model as m

# Columns every record of a form's own table carries.
ROOT_META = {
    "_uuid": "TEXT",
    "_form_id": "TEXT",
    "_form_version": "TEXT",
    "_created": "TEXT",
    "_modified": "TEXT",
    "_officer": "TEXT",
    "_device": "TEXT",
    "_modified_by": "TEXT",
    "_modified_device": "TEXT",
    "_status": "TEXT",
    "_deleted": "INTEGER",
    "_revision": "INTEGER",
    "_batch": "TEXT",
}
# Columns every row of a repeat table carries.
CHILD_META = {
    "_uuid": "TEXT",
    "_parent": "TEXT",
    "_root": "TEXT",
    "_position": "INTEGER",
}
STATUSES = ("draft", "final")

SQL_TYPES = {
    m.TEXT: "TEXT", m.INTEGER: "INTEGER", m.DECIMAL: "REAL", m.DATE: "TEXT", m.TIME: "TEXT",
    m.DATETIME: "TEXT", m.SELECT_ONE: "TEXT", m.SELECT_MULTIPLE: "TEXT", m.GEOPOINT: "TEXT",
    m.MONEY: "INTEGER", m.ACKNOWLEDGE: "TEXT", m.BARCODE: "TEXT", m.META: "TEXT", m.ATTACHMENT: "TEXT",
    m.CALCULATE: "",  # no declared type: a calculation may give a number or text, kept as it is
}


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str
    field: m.Field
    part: str = "value"  # "value", or "unit" for the unit of a quantity


@dataclass
class Table:
    name: str
    repeat: m.Field | None  # None for the form's own table
    parent: "Table | None"
    columns: list[Column]

    @property
    def is_root(self) -> bool:
        return self.repeat is None


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def table_name(form_id: str, repeat: m.Field | None = None) -> str:
    return form_id if repeat is None else f"{form_id}__{repeat.name}"


def columns_for(form: m.Form, repeat: m.Field | None) -> list[Column]:
    cols = []
    for f in form.table_fields(repeat):
        if f.kind == m.QUANTITY:
            cols.append(Column(f.name, "REAL", f))
            cols.append(Column(f"{f.name}_unit", "TEXT", f, "unit"))
        else:
            cols.append(Column(f.name, SQL_TYPES[f.kind], f))
    return cols


def tables_for(form: m.Form) -> list[Table]:
    """The form's own table first, then one table per repeat, parents before children."""
    root = Table(table_name(form.form_id), None, None, columns_for(form, None))
    tables = [root]
    by_repeat: dict[int, Table] = {}
    for r in form.repeats():
        outer = r.repeat()
        parent = by_repeat[id(outer)] if outer is not None else root
        t = Table(table_name(form.form_id, r), r, parent, columns_for(form, r))
        by_repeat[id(r)] = t
        tables.append(t)
    return tables


def create_sql(table: Table) -> list[str]:
    meta = ROOT_META if table.is_root else CHILD_META
    defs = []
    for name, sql_type in meta.items():
        if name == "_uuid":
            defs.append(f"{quote(name)} TEXT PRIMARY KEY NOT NULL")
        elif name == "_parent":
            defs.append(f"{quote(name)} TEXT NOT NULL REFERENCES {quote(table.parent.name)}(_uuid) "
                        "ON DELETE CASCADE")
        elif name == "_deleted":
            defs.append(f"{quote(name)} INTEGER NOT NULL DEFAULT 0")
        elif name == "_revision":
            defs.append(f"{quote(name)} INTEGER NOT NULL DEFAULT 1")
        elif name == "_status":
            defs.append(f"{quote(name)} TEXT NOT NULL DEFAULT 'draft' CHECK (_status IN ('draft', 'final'))")
        else:
            defs.append(f"{quote(name)} {sql_type}")
    defs += [f"{quote(c.name)} {c.sql_type}".rstrip() for c in table.columns]
    sql = [f"CREATE TABLE {quote(table.name)} (\n  " + ",\n  ".join(defs) + "\n)"]
    if table.is_root:
        sql.append(f"CREATE INDEX {quote('idx_' + table.name + '_modified')} ON {quote(table.name)}(_modified)")
    else:
        sql.append(f"CREATE INDEX {quote('idx_' + table.name + '_parent')} ON {quote(table.name)}(_parent)")
        sql.append(f"CREATE INDEX {quote('idx_' + table.name + '_root')} ON {quote(table.name)}(_root)")
    return sql
