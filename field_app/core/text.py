"""Text and number conventions: Unicode NFC everywhere, vi-VN number parsing."""

from __future__ import annotations

import re
import unicodedata


def nfc(value):
    """Return `value` in Unicode NFC if it is text; other values unchanged."""
    if isinstance(value, str) and not unicodedata.is_normalized("NFC", value):
        return unicodedata.normalize("NFC", value)
    return value


_CURRENCY = re.compile(r"\s*(đ|đồng|vnd|vnđ|d)\s*$", re.IGNORECASE)


def parse_vn_number(text: str) -> float | int | None:
    """Parse a number written the vi-VN way: '.' groups thousands, ',' is the decimal mark.

    '1.500.000' -> 1500000, '2,5' -> 2.5, '6.200đ' -> 6200, '3.200' -> 3200. A lone '.' with
    other than three digits after it ('3.5') is read as a decimal point, as people also type it.
    Returns None when the text is not a number.
    """
    s = nfc(text).strip().replace("\u00a0", " ")
    s = _CURRENCY.sub("", s).replace(" ", "")
    if not s:
        return None
    sign = -1 if s.startswith("-") else 1
    s = s.lstrip("+-")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?", s):
        s = s.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d+,\d+", s):
        s = s.replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", s) and s.count(",") > 1:
        s = s.replace(",", "")  # en-US grouping '1,500,000'
    elif not re.fullmatch(r"\d+(\.\d+)?", s):
        return None
    number = float(s)
    if number.is_integer() and "." not in s:
        return sign * int(s)
    return sign * number
