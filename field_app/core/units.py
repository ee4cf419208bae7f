"""Units of area and mass used in Vietnamese surveys, and explicit conversions between them.

A quantity is always stored as (number, unit code); nothing is converted behind the user's
back. The sào differs by region, so it exists as two units.
"""

from __future__ import annotations

from dataclasses import dataclass

from .i18n import N_


@dataclass(frozen=True)
class Unit:
    code: str
    kind: str  # "area" or "mass"
    factor: float  # size in the base unit of its kind: m² for area, kg for mass
    label_en: str
    label_vi: str

    def label(self, lang: str = "en") -> str:
        return self.label_vi if lang == "vi" else self.label_en


UNITS: dict[str, Unit] = {
    u.code: u
    for u in (
        Unit("ha", "area", 10_000, "ha", "ha"),
        Unit("m2", "area", 1, "m²", "m²"),
        Unit("sao_bac", "area", 360, "sào (North, 360 m²)", "sào Bắc Bộ (360 m²)"),
        Unit("sao_trung", "area", 500, "sào (Central, 500 m²)", "sào Trung Bộ (500 m²)"),
        Unit("kg", "mass", 1, "kg", "kg"),
        Unit("yen", "mass", 10, "yến (10 kg)", "yến (10 kg)"),
        Unit("ta", "mass", 100, "tạ (100 kg)", "tạ (100 kg)"),
        Unit("tan", "mass", 1000, "tấn (1000 kg)", "tấn (1000 kg)"),
    )
}
KINDS = {"area": ("m2", N_("area")), "mass": ("kg", N_("mass"))}

# What people write for each unit, mapped to its code (for imports and typed answers).
ALIASES = {
    "ha": "ha", "hecta": "ha", "héc ta": "ha", "hectare": "ha",
    "m2": "m2", "m²": "m2", "m^2": "m2",
    "sào bắc bộ": "sao_bac", "sào bắc": "sao_bac", "sao_bac": "sao_bac",
    "sào trung bộ": "sao_trung", "sào trung": "sao_trung", "sao_trung": "sao_trung",
    "kg": "kg", "kilogram": "kg", "cân": "kg",
    "yến": "yen", "yen": "yen",
    "tạ": "ta", "ta": "ta",
    "tấn": "tan", "tan": "tan", "t": "tan", "tonne": "tan", "ton": "tan",
}


class UnitError(ValueError):
    pass


def unit(code: str) -> Unit:
    try:
        return UNITS[code]
    except KeyError:
        raise UnitError(f"unknown unit '{code}'") from None


def units_of(kind: str) -> list[Unit]:
    return [u for u in UNITS.values() if u.kind == kind]


def convert(value: float | int | None, from_unit: str, to_unit: str) -> float | None:
    """Convert `value` from one unit to another of the same kind; None stays None."""
    if value is None:
        return None
    a, b = unit(from_unit), unit(to_unit)
    if a.kind != b.kind:
        raise UnitError(f"cannot convert {a.kind} ({a.code}) to {b.kind} ({b.code})")
    return value * a.factor / b.factor


def to_base(value: float | int | None, code: str) -> float | None:
    """The value in m² (area) or kg (mass)."""
    return None if value is None else value * unit(code).factor


def price_per(price: int, price_unit: str, target_unit: str = "kg") -> float:
    """Re-express a price given per `price_unit` as a price per `target_unit`.

    6.000.000 đ per tạ is 60.000 đ per kg.
    """
    return price * unit(target_unit).factor / unit(price_unit).factor


def lookup(text: str) -> str | None:
    """The unit code for what a person wrote ('tạ', 'Tấn', 'm²'), or None."""
    from .text import nfc

    return ALIASES.get(nfc(text).strip().lower())
