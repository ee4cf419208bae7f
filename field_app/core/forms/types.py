"""The XLSForm type column: aliases, select lists, and what field-app does not support."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..i18n import N_
from . import model as m


@dataclass
class ParsedType:
    kind: str  # a model kind, or begin_group / end_group / begin_repeat / end_repeat
    list_name: str = ""
    from_file: str = ""
    or_other: bool = False
    unit_kind: str = ""
    meta: str = ""


SIMPLE = {
    "text": m.TEXT, "string": m.TEXT, "phone number": m.TEXT, "hidden": m.TEXT,
    "integer": m.INTEGER, "int": m.INTEGER,
    "decimal": m.DECIMAL, "range": m.DECIMAL,
    "date": m.DATE, "time": m.TIME, "datetime": m.DATETIME,
    "note": m.NOTE, "calculate": m.CALCULATE,
    "geopoint": m.GEOPOINT, "gps": m.GEOPOINT, "location": m.GEOPOINT,
    "acknowledge": m.ACKNOWLEDGE, "trigger": m.ACKNOWLEDGE,
    "barcode": m.BARCODE,
    "money": m.MONEY,
    "image": m.ATTACHMENT, "photo": m.ATTACHMENT, "audio": m.ATTACHMENT, "video": m.ATTACHMENT,
    "file": m.ATTACHMENT,
}
CONTAINERS = {
    "begin group": "begin_group", "begin_group": "begin_group",
    "end group": "end_group", "end_group": "end_group",
    "begin repeat": "begin_repeat", "begin_repeat": "begin_repeat",
    "end repeat": "end_repeat", "end_repeat": "end_repeat",
}
# Metadata filled in by the program, not asked. On a laptop some stay empty (no SIM card).
META = {
    "start": "start", "end": "end", "today": "today", "deviceid": "deviceid", "uri:deviceid": "deviceid",
    "username": "username", "uri:username": "username", "email": "email", "uri:email": "email",
    "subscriberid": "subscriberid", "simserial": "simserial", "phonenumber": "phonenumber",
    "audit": "audit", "start-geopoint": "start-geopoint", "instanceid": "instanceid",
}
# Known XLSForm features that field-app refuses, with the reason shown to the user.
UNSUPPORTED = {
    "select_one_external": N_("external choices need ODK's external itemsets"),
    "select_multiple_external": N_("external choices need ODK's external itemsets"),
    "osm": N_("OpenStreetMap questions need ODK Collect's map widget"),
    "geotrace": N_("lines drawn on a map need a map widget"),
    "geoshape": N_("shapes drawn on a map need a map widget"),
    "rank": N_("rank questions are not supported yet"),
    "begin loop": N_("'begin loop' is an old pyxform feature; use begin_repeat"),
    "begin_loop": N_("'begin loop' is an old pyxform feature; use begin_repeat"),
    "end loop": N_("'end loop' is an old pyxform feature; use end_repeat"),
    "end_loop": N_("'end loop' is an old pyxform feature; use end_repeat"),
    "include": N_("'include' pulls in other files; paste the included rows into the form instead"),
    "xml-external": N_("external XML data needs ODK's external instances"),
    "csv-external": N_("external CSV data needs ODK's external instances"),
    "background-audio": N_("background audio recording needs a phone"),
    "background-geopoint": N_("background location needs a phone"),
}

_SELECT = re.compile(
    r"^(select_one|select one|select1|select_multiple|select multiple|select all that apply)"
    r"(?: from)? (\S+)( or_other| or specify other)?$"
)
_FROM_FILE = re.compile(r"^(select_one_from_file|select one from file|select_multiple_from_file|"
                        r"select multiple from file) (\S+\.(?:csv|xml|geojson))$")


class TypeProblem(ValueError):
    """The type cannot be used; the message says why (an English msgid with params)."""

    def __init__(self, message: str, **params):
        self.message, self.params = message, params
        super().__init__(message.format(**params))


def parse_type(text: str) -> ParsedType:
    t = re.sub(r"\s+", " ", text).strip()
    low = t.lower()
    if low in CONTAINERS:
        return ParsedType(CONTAINERS[low])
    if low in SIMPLE:
        return ParsedType(SIMPLE[low])
    if low in META:
        return ParsedType(m.META, meta=META[low])
    if low.startswith("quantity"):
        kind = low[len("quantity"):].strip()
        if kind not in ("area", "mass"):
            raise TypeProblem("Type '{type}': a quantity needs a kind of unit, 'quantity area' or 'quantity mass'.",
                              type=t)
        return ParsedType(m.QUANTITY, unit_kind=kind)
    match = _SELECT.match(low)
    if match:
        kind = m.SELECT_ONE if match.group(1) in ("select_one", "select one", "select1") else m.SELECT_MULTIPLE
        return ParsedType(kind, list_name=t[match.start(2):match.end(2)], or_other=bool(match.group(3)))
    match = _FROM_FILE.match(low)
    if match:
        kind = m.SELECT_ONE if "one" in match.group(1) else m.SELECT_MULTIPLE
        file = t[match.start(2):match.end(2)]
        if not file.lower().endswith(".csv"):
            raise TypeProblem("Type '{type}': choices from {ext} files are not supported; use a CSV file.",
                              type=t, ext=file.rsplit(".", 1)[-1])
        return ParsedType(kind, from_file=file)
    head = low.split(" ")[0]
    for key in (low, " ".join(low.split(" ")[:2]), head):
        if key in UNSUPPORTED:
            raise TypeProblem("Type '{type}' is not supported by field-app: {reason}.", type=t,
                              reason=UNSUPPORTED[key])
    raise TypeProblem("Unknown type '{type}'.", type=t)
