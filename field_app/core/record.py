"""A record against its form: calculations, skip logic (relevant), required answers, constraints.

A record is a dict keyed by field name; a repeat maps to a list of such dicts. Nothing here
changes an answer the user gave: a value in a question that is no longer relevant is kept and
reported as a warning, never dropped.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from functools import lru_cache

from . import expr
from .errors import Problem
from .forms import model as m
from .forms.sheets import language_code
from .i18n import N_, language
from .values import ValueProblem, coerce, coerce_unit


@lru_cache(maxsize=4096)
def _parse(text: str) -> expr.Expr:
    return expr.parse(text)


def _empty(value) -> bool:
    return value is None or value == "" or value == []


class RecordContext:
    """Answers seen from one place in a record: the repeat instances we stand in."""

    def __init__(self, form: m.Form, record: dict, frames: tuple = (), current=None, today: dt.date | None = None):
        self.form = form
        self.record = record
        self.frames = frames  # ((repeat field, instance dict, position), ...) from outer to inner
        self._current = current
        self._today = today or dt.date.today()

    def at(self, frames: tuple, current=None) -> "RecordContext":
        return RecordContext(self.form, self.record, frames, current, self._today)

    def value(self, name: str):
        f = self.form.fields.get(name)
        if f is None and name.endswith("_unit"):
            f = self.form.fields.get(name[:-5])
        if f is None:
            raise expr.ExprError(f"no field '{name}'")
        chain = []
        r = f.repeat()
        while r is not None:
            chain.insert(0, r)
            r = r.repeat()
        # walk down: use the instance we stand in when there is one, else every instance
        containers = [self.record]
        for repeat in chain:
            mine = [inst for (rep, inst, _pos) in self.frames if rep is repeat]
            if mine:
                containers = mine
            else:
                containers = [item for c in containers for item in (c.get(repeat.name) or [])]
                if not containers:
                    return []
        values = [c.get(name) for c in containers]
        if chain and not any(rep is chain[-1] for (rep, _i, _p) in self.frames):
            return values
        return values[0] if values else None

    def current(self):
        return self._current

    def column(self, name: str):
        raise expr.ExprError(f"'{name}' is only meaningful in a choice_filter")

    def position(self) -> int:
        return self.frames[-1][2] if self.frames else 1

    def today(self) -> dt.date:
        return self._today


class ChoiceContext(RecordContext):
    """For a choice_filter: bare names are the columns of the choice being tested."""

    def __init__(self, base: RecordContext, choice: m.Choice):
        super().__init__(base.form, base.record, base.frames, base._current, base._today)
        self.choice = choice

    def column(self, name: str):
        if name == "name":
            return self.choice.name
        base, _, lang = name.partition("::")
        if base == "label":
            return self.choice.labels.get(language_code(lang) if lang else self.form.default_language, "")
        return self.choice.columns.get(name, "")


def _result(value):
    """An expression result as stored: whole floats become ints, NaN becomes empty."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return int(value) if value.is_integer() else value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return " ".join(expr.to_string(v) for v in value)
    return value


def _instances(form: m.Form, record: dict):
    """Yield (frames, container dict, fields of that container) for the record and each repeat row."""
    def walk(container: dict, frames: tuple, parent: m.Field):
        fields = []
        stack = list(parent.children)
        while stack:
            f = stack.pop(0)
            if f.kind == m.GROUP:
                stack[0:0] = f.children
                fields.append(f)
            elif f.kind == m.REPEAT:
                fields.append(f)
            else:
                fields.append(f)
        yield frames, container, fields
        for f in fields:
            if f.kind == m.REPEAT:
                for i, item in enumerate(container.get(f.name) or [], start=1):
                    yield from walk(item, frames + ((f, item, i),), f)

    yield from walk(record, (), form.root)


def compute(form: m.Form, record: dict, today: dt.date | None = None) -> dict:
    """Fill every calculate field from its calculation (the record dict is updated and returned)."""
    calcs = [f for f in form.walk() if f.kind == m.CALCULATE and f.calculation]
    if not calcs:
        return record
    base = RecordContext(form, record, today=today)
    for _ in range(len(calcs) + 1):  # calculations may use later ones; cycles are refused at load
        changed = False
        for frames, container, fields in _instances(form, record):
            ctx = base.at(frames)
            for f in fields:
                if f.kind != m.CALCULATE or not f.calculation:
                    continue
                try:
                    value = _result(_parse(f.calculation).evaluate(ctx))
                except (expr.ExprError, ArithmeticError, ValueError, TypeError):
                    value = None
                if container.get(f.name) != value:
                    container[f.name] = value
                    changed = True
        if not changed:
            break
    return record


def _text(messages: dict[str, str], lang: str) -> str:
    return messages.get(lang) or messages.get("en") or next(iter(messages.values()), "")


def relevant(field: m.Field, ctx: RecordContext) -> bool:
    if not field.relevant:
        return True
    try:
        return expr.truthy(_parse(field.relevant).evaluate(ctx))
    except (expr.ExprError, ArithmeticError, ValueError, TypeError):
        return True


def choices_for(field: m.Field, form: m.Form, ctx: RecordContext) -> list[m.Choice]:
    """The choices a select offers here, after its choice_filter."""
    clist = form.choices.get(field.list_name)
    if clist is None:
        return []
    return [c for c in clist.choices if _offered(field, c, ctx)]


def _offered(field: m.Field, choice: m.Choice, ctx: RecordContext) -> bool:
    if not field.choice_filter:
        return True
    try:
        return expr.truthy(_parse(field.choice_filter).evaluate(ChoiceContext(ctx, choice)))
    except (expr.ExprError, ArithmeticError, ValueError, TypeError):
        return True  # a filter that cannot be evaluated hides nothing


def validate(form: m.Form, record: dict, lang: str | None = None, today: dt.date | None = None) -> list[Problem]:
    """Every problem with a record: errors (blocking 'final') and warnings. The record is not changed."""
    lang = lang or language()
    problems: list[Problem] = []
    record = compute(form, copy.deepcopy(record), today)  # checks see calculations; the caller's dict is untouched
    base = RecordContext(form, record, today=today)
    hidden: set[tuple[int, int]] = set()  # (container, group or repeat) found not relevant

    for frames, container, fields in _instances(form, record):
        where = ".".join(f"{rep.name}[{pos}]" for rep, _i, pos in frames) or form.form_id
        ctx = base.at(frames)
        if frames:
            outer = frames[-2][1] if len(frames) > 1 else record
            if (id(outer), id(frames[-1][0])) in hidden:
                continue
        for f in fields:
            applies = (f.parent is None or (id(container), id(f.parent)) not in hidden) and relevant(f, ctx)
            if not applies:
                if f.is_container:
                    hidden.add((id(container), id(f)))
                elif f.stored and not _empty(container.get(f.name)):
                    problems.append(Problem(N_("'{name}' is answered but does not apply here; the answer is kept."),
                                            {"name": f.name}, sheet=where, column=f.name, severity="warning"))
                continue
            if f.kind == m.REPEAT:
                _check_repeat_count(f, container, ctx, where, problems)
                continue
            if not f.stored or f.kind in (m.CALCULATE, m.META):
                continue
            value = container.get(f.name)
            _check_field(form, f, value, container, ctx, where, lang, problems)
    return problems


def _check_repeat_count(f, container, ctx, where, problems):
    if not f.repeat_count:
        return
    try:
        want = expr.to_number(_parse(f.repeat_count).evaluate(ctx))
    except (expr.ExprError, ArithmeticError, ValueError, TypeError):
        return
    have = len(container.get(f.name) or [])
    if not math.isnan(want) and int(want) != have:
        problems.append(Problem(N_("'{name}' should have {want} rows but has {have}."),
                                {"name": f.name, "want": int(want), "have": have}, sheet=where, column=f.name,
                                severity="warning"))


def _check_field(form, f, value, container, ctx, where, lang, problems):
    def error(message, **params):
        problems.append(Problem(message, params, sheet=where, column=f.name))

    required = f.required == "yes"
    if f.required and f.required != "yes":
        try:
            required = expr.truthy(_parse(f.required).evaluate(ctx))
        except (expr.ExprError, ArithmeticError, ValueError, TypeError):
            required = False
    if _empty(value):
        if required:
            custom = _text(f.required_message, lang)
            if custom:
                error("{text}", text=custom)
            else:
                error(N_("'{label}' needs an answer."), label=f.label(lang, form.default_language))
        return
    try:
        stored = coerce(f, value, form)
        if f.kind == m.QUANTITY:
            unit = container.get(f"{f.name}_unit")
            if _empty(unit):
                error(N_("'{label}' needs a unit."), label=f.label(lang, form.default_language))
                return
            coerce_unit(f, unit)
    except ValueProblem as e:
        error(e.message, **e.params)
        return
    if f.kind in (m.INTEGER, m.DECIMAL) and f.type_text.strip().lower() == "range":
        lo, hi = f.parameters.get("start"), f.parameters.get("end")
        if (lo and stored < float(lo)) or (hi and stored > float(hi)):
            error(N_("{value} is outside the range {lo} to {hi}."), value=stored, lo=lo or "", hi=hi or "")
            return
    if f.kind in (m.SELECT_ONE, m.SELECT_MULTIPLE) and f.choice_filter:
        clist = form.choices.get(f.list_name)
        for name in str(stored).split():
            choice = clist.get(name) if clist else None
            if choice is not None and not _offered(f, choice, ctx):
                error(N_("'{choice}' is not among the choices offered here for '{label}'."), choice=name,
                      label=f.label(lang, form.default_language))
                return
    if f.constraint:
        try:
            ok = expr.truthy(_parse(f.constraint).evaluate(ctx.at(ctx.frames, stored)))
        except (expr.ExprError, ArithmeticError, ValueError, TypeError):
            ok = True
        if not ok:
            custom = _text(f.constraint_message, lang)
            if custom:
                error("{text}", text=custom)
            else:
                error(N_("'{value}' is not accepted for '{label}' (rule: {rule})."), value=stored,
                      label=f.label(lang, form.default_language), rule=f.constraint)


def defaults(form: m.Form, today: dt.date | None = None) -> dict:
    """A new record's starting answers: each field's default (literal, or an expression), then calculations."""
    record: dict = {}
    ctx = RecordContext(form, record, today=today)
    for f in form.walk():
        if not f.default or not f.stored or f.repeat() is not None:
            continue
        if "${" in f.default or "(" in f.default:
            try:
                record[f.name] = _result(_parse(f.default).evaluate(ctx))
            except (expr.ExprError, ArithmeticError, ValueError, TypeError):
                continue
        else:
            record[f.name] = f.default
    return compute(form, record, today)
