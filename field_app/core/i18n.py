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


def tr(msgid: str, lang: str | None = None, **params) -> str:
    """Translate `msgid` into `lang` (default: the current language) and fill its placeholders."""
    text = catalogue(lang or _language).get(msgid, msgid)
    return text.format(**params) if params else text


def N_(msgid: str) -> str:
    """Mark a string for translation where it is defined; translate it where it is shown."""
    return msgid
