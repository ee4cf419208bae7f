"""Check and convert one answer to the form its field stores: the type rules, in one place.

`coerce` never guesses: text that is not clearly a number, a date that does not exist, a choice
that is not in the list, all raise ValueProblem with a message that says why.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata

from . import units
from .forms import model as m
from .i18n import N_
from .text import nfc, parse_vn_number


class ValueProblem(ValueError):
    def __init__(self, message: str, **params):
        self.message, self.params = message, params
        super().__init__(message.format(**params))


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, float) and math.isnan(value))


def to_integer(value) -> int:
    if isinstance(value, bool):
        raise ValueProblem(N_("'{value}' is not a whole number."), value=value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueProblem(N_("{value} is not a whole number."), value=value)
    if isinstance(value, str):
        s = value.strip()
        if re.fullmatch(r"[-+]?\d+", s):
            return int(s)
        number = parse_vn_number(s)
        if isinstance(number, int):
            return number
    raise ValueProblem(N_("'{value}' is not a whole number."), value=value)


def to_decimal(value) -> float:
    if isinstance(value, bool):
        raise ValueProblem(N_("'{value}' is not a number."), value=value)
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        s = value.strip()
        if re.fullmatch(r"[-+]?(\d+([.,]\d*)?|[.,]\d+)([eE][-+]?\d+)?", s):
            return float(s.replace(",", "."))
        number = parse_vn_number(s)
        if number is not None:
            return float(number)
    raise ValueProblem(N_("'{value}' is not a number."), value=value)


def to_date(value) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        s = value.strip()
        for pattern, order in ((r"(\d{4})-(\d{1,2})-(\d{1,2})", "ymd"), (r"(\d{1,2})/(\d{1,2})/(\d{4})", "dmy")):
            match = re.fullmatch(pattern, s)
            if match:
                a, b, c = (int(x) for x in match.groups())
                y, mo, d = (a, b, c) if order == "ymd" else (c, b, a)
                try:
                    return dt.date(y, mo, d).isoformat()
                except ValueError:
                    raise ValueProblem(N_("'{value}' is not a date that exists."), value=value) from None
    raise ValueProblem(N_("'{value}' is not a date (write YYYY-MM-DD or DD/MM/YYYY)."), value=value)


def to_geopoint(value) -> str:
    parts = value.split() if isinstance(value, str) else list(value)
    try:
        numbers = [float(str(p).replace(",", ".")) for p in parts]
    except ValueError:
        numbers = []
    if len(numbers) not in (2, 3, 4) or not (-90 <= numbers[0] <= 90 and -180 <= numbers[1] <= 180):
        raise ValueProblem(N_("'{value}' is not a location: write latitude and longitude, e.g. '22.34 103.84'."),
                           value=value)
    return " ".join(f"{n:g}" for n in numbers)


def coerce(field: m.Field, value, form: m.Form):
    """The stored form of `value` for `field` (None for an empty answer)."""
    if _empty(value):
        return None
    kind = field.kind
    if kind in (m.TEXT, m.BARCODE, m.META, m.ATTACHMENT):
        return nfc(str(value)) if not isinstance(value, str) else nfc(value)
    if kind in (m.INTEGER, m.MONEY):
        number = to_integer(value)
        if kind == m.MONEY and isinstance(value, float) and not value.is_integer():
            raise ValueProblem(N_("Money is in whole đồng: {value} has a fraction."), value=value)
        return number
    if kind == m.DECIMAL or kind == m.QUANTITY:
        return to_decimal(value)
    if kind == m.DATE:
        return to_date(value)
    if kind in (m.TIME, m.DATETIME):
        return nfc(str(value)).strip()
    if kind == m.GEOPOINT:
        return to_geopoint(value)
    if kind == m.ACKNOWLEDGE:
        return "OK"
    if kind == m.CALCULATE:
        return nfc(value) if isinstance(value, str) else value
    if kind in (m.SELECT_ONE, m.SELECT_MULTIPLE):
        clist = form.choices.get(field.list_name)
        names = value.split() if isinstance(value, str) else [nfc(str(v)) for v in value]
        if kind == m.SELECT_ONE and len(names) != 1:
            raise ValueProblem(N_("Choose one answer, not '{value}'."), value=value)
        if clist is not None:
            known = set(clist.names())
            for name in names:
                if name not in known:
                    raise ValueProblem(N_("'{choice}' is not a choice of list '{list}'."), choice=name,
                                       list=field.list_name)
        unique = list(dict.fromkeys(names))
        return " ".join(unique)
    raise ValueProblem(N_("Field '{name}' of kind {kind} holds no answer."), name=field.name, kind=kind)


def coerce_unit(field: m.Field, value) -> str | None:
    """The unit code of a quantity answer; accepts codes and what people write ('tạ')."""
    if _empty(value):
        return None
    code = value if value in units.UNITS else units.lookup(str(value))
    if code is None or code not in field.units:
        raise ValueProblem(N_("'{unit}' is not a unit for '{name}': use one of {units}."), unit=value,
                           name=field.name, units=", ".join(field.units))
    return code


def converter(field: m.Field, form: m.Form, part: str = "value"):
    """A fast `coerce` for one column, for the bulk path: common well-typed values take a short
    way, anything else goes through `coerce` (same result, same errors). Never called with None."""
    if part == "unit":
        allowed = frozenset(field.units)
        return lambda v: v if v in allowed else coerce_unit(field, v)
    kind = field.kind

    def slow(v):
        return coerce(field, v, form)

    if kind in (m.TEXT, m.BARCODE, m.META, m.ATTACHMENT, m.TIME, m.DATETIME):
        return lambda v: (v if unicodedata.is_normalized("NFC", v) else nfc(v)) if type(v) is str and v.strip() \
            else slow(v)
    if kind in (m.INTEGER, m.MONEY):
        return lambda v: v if type(v) is int else slow(v)
    if kind in (m.DECIMAL, m.QUANTITY):
        return lambda v: float(v) if type(v) in (int, float) and v == v else slow(v)
    if kind == m.DATE:
        def date(v):
            if type(v) is str and len(v) == 10 and v[4] == "-":
                try:
                    dt.date.fromisoformat(v)
                    return v
                except ValueError:
                    pass
            return slow(v)
        return date
    if kind == m.SELECT_ONE:
        clist = form.choices.get(field.list_name)
        names = frozenset(clist.names()) if clist else None
        return lambda v: v if names is not None and v in names else slow(v)
    if kind == m.CALCULATE:
        return lambda v: v if type(v) in (int, float) and v == v else slow(v)
    return slow
