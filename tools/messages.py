"""List the user-visible messages of field_app (msgids) and those missing from a catalogue.

    python tools/messages.py            # every msgid
    python tools/messages.py --missing  # msgids with no Vietnamese translation yet
"""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CALLS = {"error", "warn", "Problem", "N_", "tr", "ValueProblem", "TypeProblem", "RecordError"}


def msgids(root: Path = ROOT / "field_app") -> dict[str, str]:
    """msgid -> first place it is used."""
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name not in CALLS:
                continue
            arg = node.args[0]
            parts = []
            options = [arg.body, arg.orelse] if isinstance(arg, ast.IfExp) else [arg]  # "a" if x else "b"
            for option in options:
                if isinstance(option, ast.Constant) and isinstance(option.value, str):
                    parts.append(option.value)
            for text in parts:
                if text.strip() and text != "{text}":
                    found.setdefault(text, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def catalogue(lang: str = "vi") -> dict[str, str]:
    with open(ROOT / "resources" / "i18n" / f"{lang}.toml", "rb") as f:
        return tomllib.load(f)


if __name__ == "__main__":
    ids = msgids()
    if "--missing" in sys.argv:
        have = catalogue()
        ids = {k: v for k, v in ids.items() if k not in have}
    for text, where in ids.items():
        print(f"{where}\t{text}")
