"""Translation of user-visible text.

Messages are written in English in the code and looked up in a catalogue per language
(`resources/i18n/<lang>.toml`, English text = translation). Placeholders use str.format.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache

from .paths import resources_dir

_language = "en"
LANGUAGES = {"en": "English", "vi": "Tiếng Việt"}


def set_language(code: str) -> None:
    global _language
    _language = code if code in LANGUAGES else "en"


def language() -> str:
    return _language


@lru_cache(maxsize=None)
def catalogue(code: str) -> dict[str, str]:
    path = resources_dir() / "i18n" / f"{code}.toml"
    if code == "en" or not path.exists():
        return {}
    with open(path, "rb") as f:
        return tomllib.load(f)


class Msg(str):
    """Program text (a reason, a kind of unit) that is translated wherever it is shown.

    Being a str, it compares and hashes like its English text; only its type marks it, so a
    user's own text that happens to read 'area' is never translated.
    """

    __slots__ = ()


def tr(msgid: str, lang: str | None = None, **params) -> str:
    """Translate `msgid` into `lang` (default: the current language) and fill its placeholders.

    Parameters that are Msg (made by N_) are translated too.
    """
    table = catalogue(lang or _language)
    text = table.get(msgid, msgid)
    if not params:
        return text
    params = {k: table.get(v, v) if isinstance(v, Msg) else v for k, v in params.items()}
    return text.format(**params)


def N_(msgid: str) -> Msg:
    """Mark a string for translation where it is defined; it is translated where it is shown."""
    return Msg(msgid)
