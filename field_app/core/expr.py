"""Safe parser and evaluator for the XLSForm / ODK XPath expression subset.

Used for the relevant, constraint, calculation, required, default,
choice_filter and repeat_count columns. User text never reaches Python's
eval/exec/compile: a tokenizer feeds a precedence-climbing parser that builds a
small AST, and ``Expr.evaluate`` walks it.

Values are plain Python: None (empty answer), str, int, float, bool,
datetime.date / datetime.datetime, and list (the values of a field across
repeat instances, seen from outside the repeat). Conversions follow XPath 1.0;
see ``truthy``, ``to_number`` and ``to_string``.

Semantic choices callers should know:
- Date questions may be datetime.date or ISO 'YYYY-MM-DD' text: ISO text
  compares as a date against dates and other ISO text, and counts as days
  since 1970-01-01 in + - * div mod (to_number() itself stays strict: NaN).
- A list acts as an XPath node-set: a comparison is true if ANY item matches;
  boolean(), not(), if(), and, or treat a non-empty list as true; sum, count,
  count-non-empty, min, max, join, indexed-repeat, selected, count-selected and
  selected-at use the whole list; other functions use its first item.
  Return [] (not None) for a repeat with no instances.
- sum(), min() and max() follow XPath: one empty item makes the result NaN.
- string-length() counts characters after NFC normalisation.
- regex() searches anywhere (anchor with ^...$) and is False for text longer
  than MAX_REGEX_INPUT; Python's re syntax is used.
- Expressions are limited to MAX_LENGTH characters and MAX_DEPTH nesting.
"""
from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Callable, Protocol

MAX_LENGTH = 10_000       # characters in one expression
MAX_DEPTH = 100           # nesting levels; keeps parse and evaluate far from RecursionError
MAX_REGEX_INPUT = 10_000  # regex() is False for longer text
NAN = float("nan")
INF = float("inf")
_EPOCH = _dt.date(1970, 1, 1)


class ExprError(ValueError):
    """A syntax, arity, unknown-function or evaluation error in an expression."""

    def __init__(self, message: str, source: str = "", position: int | None = None):
        super().__init__(message)
        self.message = message
        self.source = source
        self.position = position  # 0-based character offset, or None

    def __str__(self) -> str:
        text = self.message
        if self.position is not None:
            text += f" at character {self.position + 1}"
        if self.source:
            shown = self.source if len(self.source) <= 200 else self.source[:200] + "…"
            text += f" in: {shown}"
        return text


class Context(Protocol):
    """What ``Expr.evaluate`` needs from its caller.

    value(name): the value of ${name}; for a field inside a repeat, evaluated
        from outside that repeat, a list with one value per instance.
    current(): the value of '.' (the field the expression belongs to).
    column(name): a bare name in a choice_filter (e.g. `district`): that column
        of the choice being filtered; raise ExprError when not available.
    position(): the 1-based index of the current repeat instance.
    today(): today's date.
    Optional, used when present: choice_label(value, list_name) -> str for
    jr:choice-name(), and now() -> datetime for now().
    """

    def value(self, name: str) -> Any: ...
    def current(self) -> Any: ...
    def column(self, name: str) -> Any: ...
    def position(self) -> int: ...
    def today(self) -> _dt.date: ...


class SimpleContext:
    """A dict-backed Context. Unknown ${names} and columns raise ExprError;
    a name mapped to None is an empty answer."""

    def __init__(self, values: dict | None = None, current: Any = None,
                 columns: dict | None = None, position: int = 1,
                 today: _dt.date | None = None, labels: dict | None = None):
        self.values = {} if values is None else values
        self.current_value = current
        self.columns = columns
        self.repeat_position = position
        self.today_date = today
        self.labels = labels or {}  # {list_name: {choice_name: label}}

    def value(self, name: str) -> Any:
        if name not in self.values:
            raise ExprError(f"unknown field ${{{name}}}")
        return self.values[name]

    def current(self) -> Any:
        return self.current_value

    def column(self, name: str) -> Any:
        if self.columns is None or name not in self.columns:
            raise ExprError(f"no choice column {name!r} here")
        return self.columns[name]

    def position(self) -> int:
        return self.repeat_position

    def today(self) -> _dt.date:
        return self.today_date or _dt.date.today()

    def choice_label(self, value: str, list_name: str) -> str:
        return self.labels.get(list_name, {}).get(value, value)


# ---------------------------------------------------------------- conversions

_NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _first(value: Any) -> Any:
    """Node-set to scalar: the first item of a list (None if empty)."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _is_empty(value: Any) -> bool:
    value = _first(value)
    return value is None or value == ""


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def truthy(value: Any) -> bool:
    """XPath boolean(): None, "", 0, NaN, False and [] are false."""
    if isinstance(value, float) and math.isnan(value):
        return False
    return bool(value)


def to_number(value: Any) -> int | float:
    """XPath number(); ints stay ints, dates become days since 1970-01-01."""
    value = _first(value)
    if value is None:
        return NAN
    if isinstance(value, (int, float)):
        return int(value) if isinstance(value, bool) else value
    if isinstance(value, _dt.datetime):
        utc = _dt.timezone.utc if value.tzinfo else None  # naive stays naive
        return (value - _dt.datetime(1970, 1, 1, tzinfo=utc)).total_seconds() / 86400
    if isinstance(value, _dt.date):
        return (value - _EPOCH).days
    if isinstance(value, str):
        text = value.strip()
        if not _NUMBER_TEXT.fullmatch(text):
            return NAN
        return int(text) if text.lstrip("+-").isdigit() and len(text) <= 300 else float(text)
    try:
        return float(value)
    except (TypeError, ValueError):
        return NAN


def to_string(value: Any) -> str:
    """XPath string(): None -> "", 3.0 -> "3", NaN -> "NaN", dates as ISO,
    lists space-joined."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        if value.is_integer():
            return str(int(value))
        text = repr(value)
        return format(Decimal(text), "f") if "e" in text else text
    if isinstance(value, _dt.datetime):
        return value.isoformat(timespec="milliseconds")
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return " ".join(to_string(v) for v in value)
    return str(value)


def _to_date(value: Any) -> _dt.date | None:
    """A date (or datetime) from a date, an ISO string or a day number."""
    value = _first(value)
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not _ISO_DATE.match(text):
            return None
        try:
            if len(text) == 10:
                return _dt.date.fromisoformat(text)
            return _dt.datetime.fromisoformat(text)
        except ValueError:
            return None
    if _is_number(value) and math.isfinite(value):
        try:
            return _EPOCH + _dt.timedelta(days=math.floor(value))
        except OverflowError:
            return None
    return None


def _day_number(value: Any) -> int | float:
    """Number for date comparisons: ISO strings are read as dates."""
    parsed = _to_date(value) if isinstance(_first(value), str) else None
    return to_number(value if parsed is None else parsed)


# ------------------------------------------------------------------ operators

def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return truthy(a) == truthy(b)
    if _is_number(a) or _is_number(b):
        return to_number(a) == to_number(b)  # NaN is never equal
    if isinstance(a, _dt.date) or isinstance(b, _dt.date):
        return _day_number(a) == _day_number(b)
    return to_string(a) == to_string(b)


def _is_date_text(value: Any) -> bool:
    return isinstance(value, str) and _to_date(value) is not None


_RELATIONS = {"<": lambda x, y: x < y, "<=": lambda x, y: x <= y,
              ">": lambda x, y: x > y, ">=": lambda x, y: x >= y}


def _compare(op: str, a: Any, b: Any) -> bool:
    # A list is a node-set: true if any item satisfies the comparison.
    if isinstance(a, list) and not isinstance(b, bool):
        return any(_compare(op, item, b) for item in a)
    if isinstance(b, list) and not isinstance(a, bool):
        return any(_compare(op, a, item) for item in b)
    if op == "=":
        return _equal(a, b)
    if op == "!=":
        return not _equal(a, b)
    dates = isinstance(a, _dt.date) or isinstance(b, _dt.date)
    if dates or (_is_date_text(a) and _is_date_text(b)):
        return _RELATIONS[op](_day_number(a), _day_number(b))
    return _RELATIONS[op](to_number(a), to_number(b))  # NaN compares False


def _tame(x: int | float) -> int | float:
    """Turn huge ints into floats so they cannot grow without bound."""
    if isinstance(x, int) and abs(x) > 10**300:
        try:
            return float(x)
        except OverflowError:
            return INF if x > 0 else -INF
    return x


def _arithmetic(op: str, a: Any, b: Any) -> int | float:
    x, y = _day_number(a), _day_number(b)  # ISO date text counts as days, like a date
    if op == "+":
        return _tame(x + y)
    if op == "-":
        return _tame(x - y)
    if op == "*":
        return _tame(x * y)
    if op == "div":
        if y == 0:
            if x == 0 or math.isnan(x):
                return NAN
            return math.copysign(INF, x) * math.copysign(1.0, y)
        return x / y
    if isinstance(x, int) and isinstance(y, int):  # mod
        if y == 0:
            return NAN
        r = abs(x) % abs(y)  # XPath: the result has the sign of the dividend
        return -r if x < 0 else r
    try:
        return math.fmod(x, y)
    except ValueError:
        return NAN


# ------------------------------------------------------------------ AST nodes

class Node:
    """Base AST node; ``pos`` is the 0-based offset in the source."""
    __slots__ = ()

    def children(self) -> tuple:
        return ()


@dataclass(eq=False, slots=True)
class Literal(Node):
    value: Any
    pos: int

    def evaluate(self, ctx):
        return self.value


@dataclass(eq=False, slots=True)
class Lookup(Node):
    """${name} (kind 'value'), '.' or current() ('current'), or a bare
    choice-column name ('column')."""
    kind: str
    name: str
    pos: int

    def evaluate(self, ctx):
        try:
            if self.kind == "value":
                return ctx.value(self.name)
            return ctx.column(self.name) if self.kind == "column" else ctx.current()
        except ExprError as e:
            e.position = self.pos if e.position is None else e.position
            raise


@dataclass(eq=False, slots=True)
class Negate(Node):
    operand: Node
    pos: int

    def children(self):
        return (self.operand,)

    def evaluate(self, ctx):
        return -to_number(self.operand.evaluate(ctx))


@dataclass(eq=False, slots=True)
class Chain(Node):
    """A left-associative run of same-precedence operators: a op b op c ...
    Evaluated in a loop, so long sums like ${a} + ${b} + ... use no stack."""
    first: Node
    rest: list  # [(operator, node)]
    pos: int

    def children(self):
        return (self.first, *(node for _, node in self.rest))

    def evaluate(self, ctx):
        value = self.first.evaluate(ctx)
        for op, node in self.rest:
            if op == "and":  # short-circuit
                value = truthy(value) and truthy(node.evaluate(ctx))
            elif op == "or":
                value = truthy(value) or truthy(node.evaluate(ctx))
            elif op in _ARITHMETIC:
                value = _arithmetic(op, value, node.evaluate(ctx))
            else:
                value = _compare(op, value, node.evaluate(ctx))
        return value


@dataclass(eq=False, slots=True)
class Call(Node):
    name: str
    args: list
    pos: int

    def children(self):
        return tuple(self.args)

    def evaluate(self, ctx):
        _, _, func, mode = FUNCTIONS[self.name]
        if mode == "lazy":
            return func(ctx, *self.args)
        values = [arg.evaluate(ctx) for arg in self.args]
        if mode == "scalar":
            values = [_first(v) for v in values]
        return func(ctx, *values)


# ------------------------------------------------------------------ tokenizer

_PRECEDENCE = {"or": 1, "and": 2, "=": 3, "!=": 3, "<": 4, "<=": 4, ">": 4, ">=": 4,
               "+": 5, "-": 5, "*": 6, "div": 6, "mod": 6}
_ARITHMETIC = {"+", "-", "*", "div", "mod"}
_KEYWORD_OPERATORS = {"and", "or", "div", "mod"}
_SYMBOLS = ("!=", "<=", ">=", "=", "<", ">", "+", "-", "*")
_DIGITS = set("0123456789")
_NUMBER_TOKEN = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
_UNSUPPORTED = {
    "/": "XPath paths ('/') are not supported; refer to fields as ${name}",
    "[": "XPath predicates ('[...]') are not supported",
    "]": "XPath predicates ('[...]') are not supported",
    "@": "XPath attributes ('@') are not supported",
    "|": "node-set union ('|') is not supported",
    "!": "unexpected '!' (use != or not(...))",
    "&": "unexpected '&' (use 'and')",
    **{q: "curly quotes are not allowed; use straight ' or \"" for q in "\u2018\u2019\u201c\u201d"},
}


def _name_start(ch: str) -> bool:
    return ch == "_" or ch.isalpha()


def _name_char(ch: str) -> bool:
    return ch.isalnum() or ch in "_-.\u00b7" or unicodedata.category(ch) in ("Mn", "Mc")


def _name_end(text: str, i: int) -> int:
    while i < len(text) and _name_char(text[i]):
        i += 1
    return i


def tokenize(text: str) -> list[tuple[str, Any, int]]:
    """Split ``text`` into (kind, value, position) tokens ending with 'end'."""
    tokens: list[tuple[str, Any, int]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        # XPath rule: right after an operand, 'and' 'or' 'div' 'mod' are operators.
        after_operand = bool(tokens) and tokens[-1][0] not in ("op", "(", ",")
        if ch in "'\"":  # XPath 1.0 strings have no escapes
            end = text.find(ch, i + 1)
            if end < 0:
                raise ExprError("unterminated string literal", text, i)
            tokens.append(("str", text[i + 1:end], i))
            i = end + 1
        elif ch in _DIGITS or (ch == "." and text[i + 1:i + 2] in _DIGITS):
            digits = _NUMBER_TOKEN.match(text, i).group()
            number = int(digits) if "." not in digits and len(digits) <= 300 else float(digits)
            tokens.append(("num", number, i))
            i += len(digits)
        elif ch == "$":
            if not text.startswith("${", i):
                raise ExprError("expected '{' after '$'", text, i)
            close = text.find("}", i + 2)
            if close < 0:
                raise ExprError("unterminated ${...} reference (missing '}')", text, i)
            name = text[i + 2:close]
            if not name:
                raise ExprError("empty reference ${}", text, i)
            for k, c in enumerate(name):
                if not (_name_start(c) if k == 0 else _name_char(c)):
                    raise ExprError(f"invalid character {c!r} in reference ${{{name}}}",
                                    text, i + 2 + k)
            tokens.append(("ref", name, i))
            i = close + 1
        elif ch == ".":
            kind = "dotdot" if text.startswith("..", i) else "dot"
            tokens.append((kind, kind, i))
            i += 2 if kind == "dotdot" else 1
        elif _name_start(ch):
            end = _name_end(text, i + 1)
            if after_operand and text[i:end] in _KEYWORD_OPERATORS:
                tokens.append(("op", text[i:end], i))
            else:
                if text[end:end + 1] == ":" and _name_start(text[end + 1:end + 2]):
                    end = _name_end(text, end + 2)  # prefixed name: jr:choice-name
                elif text[end:end + 2] == "::" and _name_start(text[end + 2:end + 3]):
                    end = _name_end(text, end + 3)  # a choice column in a language: label::English
                tokens.append(("name", text[i:end], i))
            i = end
        elif ch in "(),":
            tokens.append((ch, ch, i))
            i += 1
        else:
            symbol = next((s for s in _SYMBOLS if text.startswith(s, i)), None)
            if ch == "/" and [t[1] for t in tokens[-3:]] == ["current", "(", ")"]:
                raise ExprError("current()/... paths are not supported; use '.' or ${name}",
                                text, i)
            if symbol is None:
                raise ExprError(_UNSUPPORTED.get(ch, f"unexpected character {ch!r}"), text, i)
            tokens.append(("op", symbol, i))
            i += len(symbol)
    tokens.append(("end", None, n))
    return tokens


def _describe(token: tuple[str, Any, int]) -> str:
    kind, value, _ = token
    return {"end": "end of expression", "str": f"string {value!r}",
            "num": f"number {to_string(value)}", "ref": f"${{{value}}}",
            "name": f"name {value!r}"}.get(kind, repr(value))


# --------------------------------------------------------------------- parser

class _Parser:
    """Precedence climbing over the token list."""

    def __init__(self, text: str):
        self.text, self.tokens, self.i, self.depth = text, tokenize(text), 0, 0

    def peek(self):
        return self.tokens[self.i]

    def advance(self):
        self.i += 1
        return self.tokens[self.i - 1]

    def fail(self, message: str, pos: int):
        raise ExprError(message, self.text, pos)

    def parse(self) -> Node:
        node = self.expression(1)
        kind, _, pos = token = self.peek()
        if kind == ")":
            self.fail("unbalanced ')'", pos)
        if kind != "end":
            self.fail(f"expected an operator before {_describe(token)}", pos)
        return node

    def expression(self, min_precedence: int) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail(f"expression is nested too deeply (limit {MAX_DEPTH})", self.peek()[2])
        left = self.unary()
        kind, op, _ = self.peek()
        while kind == "op" and _PRECEDENCE[op] >= min_precedence:
            level, rest = _PRECEDENCE[op], []
            while kind == "op" and _PRECEDENCE[op] == level:
                self.advance()
                rest.append((op, self.expression(level + 1)))
                kind, op, _ = self.peek()
            left = Chain(left, rest, left.pos)
        self.depth -= 1
        return left

    def unary(self) -> Node:
        pos, minus = self.peek()[2], 0
        while self.peek()[:2] == ("op", "-"):
            self.advance()
            minus += 1
        node = self.primary()
        if minus:  # an even count still converts to a number: --'5' = 5
            node = Negate(node if minus % 2 else Negate(node, pos), pos)
        return node

    def primary(self) -> Node:
        kind, value, pos = token = self.advance()
        if kind in ("num", "str"):
            return Literal(value, pos)
        if kind == "ref":
            return Lookup("value", value, pos)
        if kind == "dot":
            return Lookup("current", ".", pos)
        if kind == "(":
            node = self.expression(1)
            self.expect_close(pos, "'('")
            return node
        if kind == "name" and self.peek()[0] == "(":
            return self.call(value, pos)
        if kind == "name" and (":" not in value or "::" in value):
            return Lookup("column", value, pos)
        if kind == "dotdot":
            self.fail("'..' is only supported as position(..)", pos)
        self.fail(f"unexpected {_describe(token)}", pos)

    def expect_close(self, open_pos: int, what: str) -> None:
        kind, _, pos = token = self.advance()
        if kind == "end":
            self.fail(f"unclosed {what} (missing ')')", open_pos)
        if kind != ")":
            self.fail(f"expected ')' to close {what}, found {_describe(token)}", pos)

    def call(self, name: str, pos: int) -> Node:
        open_pos = self.advance()[2]
        if name == "current":
            if self.advance()[0] != ")":
                self.fail("current() takes no arguments", pos)
            return Lookup("current", ".", pos)
        if name == "position":  # only the ODK idiom position(..)
            if self.advance()[0] != "dotdot" or self.advance()[0] != ")":
                self.fail("position() is only supported as position(..)", pos)
            return Call(name, [], pos)
        if name not in FUNCTIONS:
            self.fail(f"unknown function {name!r}", pos)
        args: list[Node] = []
        if self.peek()[0] == ")":
            self.advance()
        else:
            while True:
                args.append(self.expression(1))
                kind, _, at = token = self.advance()
                if kind == ")":
                    break
                if kind == "end":
                    self.fail(f"unclosed '(' of {name}() (missing ')')", open_pos)
                if kind != ",":
                    self.fail(f"expected ',' or ')' in {name}(), found {_describe(token)}", at)
        low, high, _, _ = FUNCTIONS[name]
        if len(args) < low or (high is not None and len(args) > high):
            expected = (f"at least {low}" if high is None else str(low) if low == high
                        else f"{low} to {high}")
            plural = "" if expected == "1" else "s"
            self.fail(f"{name}() takes {expected} argument{plural}, got {len(args)}", pos)
        # Catch bad literal regex patterns and dates when the form is loaded.
        first = args[0] if args else None
        if name == "regex" and isinstance(args[1], Literal):
            try:
                re.compile(to_string(args[1].value))
            except re.error as e:
                self.fail(f"invalid regular expression: {e.msg}", args[1].pos)
        if name == "date" and isinstance(first, Literal) and _to_date(first.value) is None:
            self.fail(f"invalid date {first.value!r} (expected YYYY-MM-DD)", first.pos)
        return Call(name, args, pos)


# --------------------------------------------------------------- public entry

class Expr:
    """A parsed expression. Immutable; safe to cache and share."""
    __slots__ = ("source", "_root", "_references", "_functions", "_uses_current")

    def __init__(self, source: str, root: Node):
        self.source, self._root = source, root
        refs, funcs, current = set(), set(), False
        stack = [root]
        while stack:
            node = stack.pop()
            if isinstance(node, Lookup) and node.kind == "value":
                refs.add(node.name)
            elif isinstance(node, Lookup) and node.kind == "current":
                current = True
            elif isinstance(node, Call):
                funcs.add(node.name)
                current = current or node.name == "once" or (
                    not node.args and node.name in _CURRENT_DEFAULT)
            stack.extend(node.children())
        self._references, self._functions = frozenset(refs), frozenset(funcs)
        self._uses_current = current

    def references(self) -> set[str]:
        """Names used as ${name}."""
        return set(self._references)

    def uses_current(self) -> bool:
        """True if the expression reads the current field ('.')."""
        return self._uses_current

    def functions(self) -> set[str]:
        """Names of the functions called."""
        return set(self._functions)

    def evaluate(self, ctx: Context) -> Any:
        """The expression's value; raises ExprError (e.g. from ctx.column)."""
        try:
            return self._root.evaluate(ctx)
        except ExprError as e:
            e.source = e.source or self.source
            raise
        except RecursionError:
            raise ExprError("expression is nested too deeply", self.source) from None

    def __repr__(self) -> str:
        return f"Expr({self.source!r})"


@lru_cache(maxsize=2048)
def parse(text: str) -> Expr:
    """Parse an expression; raises ExprError for anything unsupported."""
    if not isinstance(text, str):
        raise ExprError(f"expression must be text, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExprError(f"expression is too long ({len(text)} characters, limit {MAX_LENGTH})",
                        text)
    if not text.strip():
        raise ExprError("empty expression", text, 0)
    try:
        return Expr(text, _Parser(text).parse())
    except RecursionError:
        raise ExprError("expression is nested too deeply", text) from None


def evaluate(text: str, ctx: Context) -> Any:
    """Parse (cached) and evaluate ``text`` against ``ctx``."""
    return parse(text).evaluate(ctx)


# ------------------------------------------------------------------ functions
# FUNCTIONS[name] = (min_args, max_args or None, implementation, mode); the
# implementation gets (ctx, *args). Modes: "scalar" = arguments evaluated and
# lists reduced to their first item; "list" = evaluated, lists kept;
# "lazy" = the implementation gets the argument nodes and evaluates as needed.

FUNCTIONS: dict[str, tuple[int, int | None, Callable, str]] = {}
_CURRENT_DEFAULT = {"string", "string-length", "normalize-space", "number"}  # f() means f(.)


def _choices(value: Any) -> list[str]:
    """Items of a multiple-choice answer (space-separated text or a list)."""
    items = value if isinstance(value, list) else [value]
    return [part for item in items for part in to_string(item).split()]


def _flatten(values) -> list:
    return [item for v in values for item in (v if isinstance(v, list) else [v])]


def _or_current(ctx, args) -> Any:
    return args[0] if args else _first(ctx.current())


def _nth(items: list, n: Any, base: int) -> Any:
    """items[n - base], or None when n is not a valid index."""
    n = to_number(n)
    if not math.isfinite(n) or not base <= int(n) < len(items) + base:
        return None
    return items[int(n) - base]


def _indexed_repeat(ctx, field, _repeat, index):
    items = field.evaluate(ctx)  # the repeat argument is accepted and ignored
    return _nth(items if isinstance(items, list) else [items], index.evaluate(ctx), 1)


def _choice_name(ctx, value, list_name):
    label = getattr(ctx, "choice_label", None)
    if callable(label) and not _is_empty(value):
        return label(to_string(value), to_string(list_name))
    return value


def _sum(ctx, values):
    total: int | float = 0
    for item in values if isinstance(values, list) else [values]:
        total = _tame(total + to_number(item))
    return total


def _extreme(pick: Callable) -> Callable:
    def func(ctx, *values):
        numbers = [to_number(v) for v in _flatten(values)]
        return NAN if not numbers or any(math.isnan(x) for x in numbers) else pick(numbers)
    return func


def _substr(ctx, text, start, end=None):
    """0-based, end exclusive; negative indexes count from the end."""
    text = to_string(text)
    a, b = to_number(start), len(text) if end is None else to_number(end)
    if math.isnan(a) or math.isnan(b):
        return ""
    size = len(text)
    return text[int(max(min(a, size), -size)):int(max(min(b, size), -size))]


def _translate(ctx, text, source, target):
    source, target = to_string(source), to_string(target)
    table: dict[int, Any] = {}
    for k, ch in enumerate(source):
        table.setdefault(ord(ch), target[k] if k < len(target) else None)
    return to_string(text).translate(table)


def _regex(ctx, text, pattern):
    text = to_string(text)
    if len(text) > MAX_REGEX_INPUT:
        return False
    try:
        return re.search(to_string(pattern), text) is not None
    except re.error:
        return False


def _date(ctx, value):
    result = _to_date(value)
    return result.date() if isinstance(result, _dt.datetime) else result


def _format_date(ctx, value, fmt):
    """ODK codes: %Y %y %m %n %d %e %b %a, and %H %h %M %S %3 for times."""
    d = _to_date(value)
    if d is None:
        return ""
    t = d if isinstance(d, _dt.datetime) else _dt.datetime(d.year, d.month, d.day)
    codes = {"Y": f"{d.year:04d}", "y": f"{d.year % 100:02d}", "m": f"{d.month:02d}",
             "n": str(d.month), "d": f"{d.day:02d}", "e": str(d.day),
             "b": _MONTHS[d.month - 1], "a": _WEEKDAYS[d.weekday()],
             "H": f"{t.hour:02d}", "h": str(t.hour), "M": f"{t.minute:02d}",
             "S": f"{t.second:02d}", "3": f"{t.microsecond // 1000:03d}"}
    return re.sub(r"%(.)", lambda m: codes.get(m.group(1), m.group(0)), to_string(fmt))


_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_WEEKDAYS = "Mon Tue Wed Thu Fri Sat Sun".split()


def _round(ctx, value, digits=0):
    """Half away from zero as in ODK (round(2.5) = 3), not banker's rounding."""
    x, places = to_number(value), to_number(digits)
    if math.isnan(places) or not math.isfinite(x):
        return NAN if math.isnan(places) else x
    places = int(max(-400, min(400, places)))
    try:
        exact = Decimal(repr(x)) if isinstance(x, float) else Decimal(x)
        result = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except (InvalidOperation, OverflowError):
        return x
    return int(result) if places <= 0 else float(result)


def _pow(ctx, base, exponent):
    x, y = to_number(base), to_number(exponent)
    try:
        result = math.pow(x, y)
    except OverflowError:
        return INF
    except ValueError:
        return NAN
    exact = isinstance(x, int) and isinstance(y, int) and y >= 0 and abs(result) < 2**53
    return int(result) if exact else result


def _math(func: Callable, whole: bool = False) -> Callable:
    """Wrap a math function: errors become NaN/Infinity as in XPath."""
    def apply(ctx, value):
        x = to_number(value)
        if whole and (isinstance(x, int) or not math.isfinite(x)):
            return x
        try:
            return func(x)
        except OverflowError:
            return INF
        except ValueError:
            return -INF if x == 0 else NAN  # log(0) is -Infinity
    return apply


def _now(ctx):
    now = getattr(ctx, "now", None)
    return now() if callable(now) else _dt.datetime.now()


_S, _L, _Z = "scalar", "list", "lazy"
for _name, _low, _high, _mode, _func in [
    # logic and choices
    ("if", 3, 3, _Z, lambda ctx, c, a, b: a.evaluate(ctx) if truthy(c.evaluate(ctx))
        else b.evaluate(ctx)),
    ("coalesce", 2, 2, _Z, lambda ctx, a, b: b.evaluate(ctx) if _is_empty(v := a.evaluate(ctx))
        else v),
    ("once", 1, 1, _Z, lambda ctx, a: a.evaluate(ctx) if _is_empty(v := ctx.current()) else v),
    ("not", 1, 1, _L, lambda ctx, a: not truthy(a)),
    ("boolean", 1, 1, _L, lambda ctx, a: truthy(a)),
    ("true", 0, 0, _S, lambda ctx: True),
    ("false", 0, 0, _S, lambda ctx: False),
    ("boolean-from-string", 1, 1, _S, lambda ctx, a: to_string(a).strip() in ("true", "1")),
    ("selected", 2, 2, _L, lambda ctx, m, v: to_string(_first(v)).strip() in _choices(m)),
    ("count-selected", 1, 1, _L, lambda ctx, m: len(_choices(m))),
    ("selected-at", 2, 2, _L, lambda ctx, m, n: _nth(_choices(m), _first(n), 0) or ""),
    ("jr:choice-name", 2, 2, _S, _choice_name),
    ("position", 0, 0, _S, lambda ctx: ctx.position()),
    ("uuid", 0, 0, _S, lambda ctx: str(uuid.uuid4())),
    # repeats (lists)
    ("sum", 1, 1, _L, _sum),
    ("count", 1, 1, _L, lambda ctx, a: len(a) if isinstance(a, list) else int(a is not None)),
    ("count-non-empty", 1, 1, _L, lambda ctx, a: sum(not _is_empty(v) for v in _flatten([a]))),
    ("min", 1, None, _L, _extreme(min)),
    ("max", 1, None, _L, _extreme(max)),
    ("join", 2, None, _L, lambda ctx, sep, *a: to_string(_first(sep)).join(
        to_string(v) for v in _flatten(a))),
    ("indexed-repeat", 3, 3, _Z, _indexed_repeat),
    # text
    ("string", 0, 1, _S, lambda ctx, *a: to_string(_or_current(ctx, a))),
    ("concat", 0, None, _S, lambda ctx, *a: "".join(to_string(v) for v in a)),
    ("string-length", 0, 1, _S, lambda ctx, *a: len(unicodedata.normalize(
        "NFC", to_string(_or_current(ctx, a))))),
    ("normalize-space", 0, 1, _S, lambda ctx, *a: " ".join(to_string(_or_current(ctx, a)).split())),
    ("substr", 2, 3, _S, _substr),
    ("contains", 2, 2, _S, lambda ctx, a, b: to_string(b) in to_string(a)),
    ("starts-with", 2, 2, _S, lambda ctx, a, b: to_string(a).startswith(to_string(b))),
    ("ends-with", 2, 2, _S, lambda ctx, a, b: to_string(a).endswith(to_string(b))),
    ("translate", 3, 3, _S, _translate),
    ("regex", 2, 2, _S, _regex),
    # dates
    ("today", 0, 0, _S, lambda ctx: ctx.today()),
    ("now", 0, 0, _S, _now),
    ("date", 1, 1, _S, _date),
    ("decimal-date-time", 1, 1, _S, lambda ctx, a: float(to_number(_to_date(a)))),
    ("format-date", 2, 2, _S, _format_date),
    ("format-date-time", 2, 2, _S, _format_date),
    # numbers
    ("number", 0, 1, _S, lambda ctx, *a: to_number(_or_current(ctx, a))),
    ("int", 1, 1, _S, _math(math.trunc, whole=True)),
    ("round", 1, 2, _S, _round),
    ("floor", 1, 1, _S, _math(math.floor, whole=True)),
    ("ceiling", 1, 1, _S, _math(math.ceil, whole=True)),
    ("abs", 1, 1, _S, _math(abs)),
    ("pow", 2, 2, _S, _pow),
    ("atan2", 2, 2, _S, lambda ctx, y, x: math.atan2(to_number(y), to_number(x))),
    ("pi", 0, 0, _S, lambda ctx: math.pi),
]:
    FUNCTIONS[_name] = (_low, _high, _func, _mode)
for _name, _func in [("sqrt", math.sqrt), ("log", math.log), ("log10", math.log10),
                     ("exp", math.exp), ("exp10", lambda x: math.pow(10, x)),
                     ("sin", math.sin), ("cos", math.cos), ("tan", math.tan),
                     ("asin", math.asin), ("acos", math.acos), ("atan", math.atan)]:
    FUNCTIONS[_name] = (1, 1, _math(_func), _S)
del _name, _low, _high, _mode, _func
