"""The command line: every job that needs no screen. `field-app [PROJECT]` alone starts the GUI.

Each command opens a Project and calls the core; core errors become one line on stderr and a
non-zero exit, here and nowhere else.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import click

from . import __version__
from .core.errors import FieldAppError, FormError, RecordError
from .core.i18n import set_language, tr


def _officer(value: str | None) -> str:
    return value or os.environ.get("FIELD_APP_OFFICER") or os.environ.get("USER") or ""


def _open(path: str, officer: str | None = None):
    from .core.storage import Project

    return Project.open(path, officer=_officer(officer))


def _dump(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="field-app")
@click.option("--lang", type=click.Choice(["en", "vi"]), envvar="FIELD_APP_LANG", default="en",
              help="Language of messages (en or vi).")
def cli(lang):
    """field-app: offline surveys and value-chain analysis for agrifood clusters.

    Run `field-app [PROJECT]` with no command to open the window.
    """
    set_language(lang)


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--officer", help="Your name, recorded with every change (default: $FIELD_APP_OFFICER or $USER).")
@click.option("--no-builtin", is_flag=True, help="Start without the built-in household, enterprise and trade forms.")
def new(path, officer, no_builtin):
    """Make a new, empty project file with the built-in forms."""
    from .core.forms import builtin_forms
    from .core.storage import Project

    with Project.create(path, officer=_officer(officer)) as project:
        if not no_builtin:
            for form in builtin_forms().values():
                project.add_form(form)
        click.echo(tr("Created {path} with forms: {forms}", path=path,
                      forms=", ".join(sorted(project.forms())) or "-"))


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--households", default=300, show_default=True, type=click.IntRange(1, 1_000_000),
              help="Number of generated households (enterprises and trades scale with it).")
@click.option("--seed", default=20261124, show_default=True, help="Random seed: the same seed gives the same data.")
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
def demo(path, households, seed, force):
    """Make a demo project with generated households, enterprises and trades."""
    from .core.demo_project import make_demo

    if Path(path).exists():
        if not force:
            raise click.ClickException(tr("{path} exists; use --force to replace it", path=path))
    start = time.perf_counter()

    interactive = sys.stderr.isatty()

    def progress(done):
        if interactive:
            click.echo("\r  " + tr("{n} records", n=f"{done:,}"), nl=False, err=True)

    counts = make_demo(Path(path), households=households, seed=seed, replace=force, progress=progress)
    if interactive:
        click.echo("", err=True)
    summary = ", ".join(f"{n:,} {form_id}" for form_id, n in counts.items())
    click.echo(tr("Demo project {path}: {summary} in {seconds:.1f} s", path=path, summary=summary,
                  seconds=time.perf_counter() - start))


@cli.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def forms(project, as_json):
    """List the forms of a project with their versions and record counts."""
    with _open(project) as p:
        rows = [{"form_id": f.form_id, "version": f.version, "title": f.title_text(), "records": p.count(f.form_id),
                 "fields": sum(1 for x in f.walk() if x.stored)} for f in p.forms().values()]
        problems = dict(p.form_problems)
    for r in rows:
        if r["form_id"] in problems:
            r["problem"] = problems[r["form_id"]]
    rows += [{"form_id": f, "problem": why} for f, why in problems.items() if f not in {r["form_id"] for r in rows}]
    if as_json:
        click.echo(_dump(rows))
        return
    for form_id, reason in problems.items():
        click.echo(tr("warning: form '{form_id}' has a stored version this program cannot read: {reason}",
                      form_id=form_id, reason=reason), err=True)
    for r in rows:
        if "records" not in r:
            continue
        count = tr("{n} records", n=f"{r['records']:,}")
        click.echo(f"{r['form_id']:<24} v{r['version']:<12} {count:>16}  {r['title']}")


@cli.command("check-form")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
def check_form(file, as_json):
    """Check a form (.xlsx XLSForm or .toml): every problem at once, with sheet and row. Exit 1 if any error."""
    from .core.forms import check_form as check

    form, errors, warnings = check(file)
    if as_json:
        click.echo(_dump({
            "file": file, "ok": not errors,
            "form_id": form.form_id if form else None, "version": form.version if form else None,
            "errors": [_problem_dict(p) for p in errors], "warnings": [_problem_dict(p) for p in warnings]}))
    else:
        for p in errors:
            click.echo(tr("error: {problem}", problem=str(p)))
        for p in warnings:
            click.echo(tr("warning: {problem}", problem=str(p)))
        if form:
            n = sum(1 for f in form.walk() if f.stored)
            click.echo(tr("{file}: form '{form_id}' version {version} is valid ({n} fields, languages {langs}).",
                          file=file, form_id=form.form_id, version=form.version or "-", n=n,
                          langs=", ".join(form.languages)))
        else:
            click.echo(tr("{file}: {n} error(s); the form cannot be used.", file=file, n=len(errors)))
    sys.exit(1 if errors else 0)


def _problem_dict(p) -> dict:
    return {"file": p.file, "sheet": p.sheet, "row": p.row, "column": p.column, "message": p.text(),
            "severity": p.severity}


@cli.command("add-form")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def add_form(project, file):
    """Add a form (or a new version of one) to a project; new fields become new columns."""
    with _open(project) as p:
        change = p.add_form(file)
    if change.unchanged:
        click.echo(tr("Form '{form_id}' version {version} is already in the project.", form_id=change.form_id,
                      version=change.version))
    else:
        click.echo(tr("Added form '{form_id}' version {version}: {tables} new table(s), {columns} new column(s).",
                      form_id=change.form_id, version=change.version, tables=len(change.new_tables),
                      columns=len(change.new_columns)))


@cli.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--form", "form_id", required=True, help="Form id, e.g. household.")
@click.option("--data", help="The record as JSON text.")
@click.option("--file", "data_file", type=click.Path(exists=True, dir_okay=False), help="A JSON file with the record.")
@click.option("--final", is_flag=True, help="Save as final: the record must pass every check.")
@click.option("--officer", help="Your name, recorded with the change.")
def add(project, form_id, data, data_file, final, officer):
    """Add (or update, when it has a _uuid) one record given as JSON."""
    if bool(data) == bool(data_file):
        raise click.UsageError(tr("give the record with --data or --file"))
    try:
        text = data if data else Path(data_file).read_text(encoding="utf-8")
        record = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise click.ClickException(tr("cannot read the record: {error}", error=str(e))) from None
    if not isinstance(record, dict):
        raise click.ClickException(tr("the record must be a JSON object"))
    with _open(project, officer) as p:
        result = p.save(form_id, record, status="final" if final else None)
    click.echo(_dump({"uuid": result.uuid, "revision": result.revision, "created": result.created,
                      "changes": [list(c) for c in result.changes]}))


@cli.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--form", "form_id", required=True, help="Form id, e.g. household.")
@click.argument("uuid", required=False)
@click.option("--limit", default=20, show_default=True, help="How many records to list.")
@click.option("--deleted", is_flag=True, help="Include deleted records.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def show(project, form_id, uuid, limit, deleted, as_json):
    """Show one record (with its repeats and checks), or list the latest records of a form."""
    from .core.record import validate

    with _open(project) as p:
        form = p.form(form_id)
        if uuid:
            record = p.get(form_id, uuid, include_deleted=True)
            if record is None:
                raise click.ClickException(tr("no {form} record {uuid}", form=form_id, uuid=uuid))
            checks = [str(x) for x in validate(form, record)]
            if as_json:
                click.echo(_dump({"record": record, "checks": checks}))
            else:
                _print_record(form, record)
                for c in checks:
                    click.echo(f"  ! {c}")
            return
        rows = list(p.records(form_id, include_deleted=deleted, limit=limit))
    if as_json:
        click.echo(_dump(rows))
        return
    fields = [f.name for f in form.table_fields(None) if f.kind not in ("meta", "calculate")]
    for r in rows:
        values = "  ".join([str(r[n]) for n in fields if r.get(n) not in (None, "")][:5])
        flag = " " + tr("(deleted)") if r["_deleted"] else ""
        click.echo(f"{r['_uuid']}  {r['_status']:<5}  {r['_modified']}  {values}{flag}")


def _print_record(form, record, indent=""):
    for key, value in record.items():
        if isinstance(value, list):
            click.echo(f"{indent}{key}:")
            for i, item in enumerate(value, start=1):
                click.echo(f"{indent}  [{i}]")
                _print_record(form, item, indent + "    ")
        elif value is not None and not (key.startswith("_") and indent):
            label = form.fields[key].label() if key in form.fields else key
            click.echo(f"{indent}{label} ({key}): {value}")


@cli.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--form", "form_id", required=True, help="Form id, e.g. household.")
@click.option("--errors-only", is_flag=True, help="Leave out warnings.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def check(project, form_id, errors_only, as_json):
    """Check every stored record of a form against the form's rules; exit 1 if any has an error."""
    from .core.record import validate

    found, checked, with_errors = [], 0, 0
    with _open(project) as p:
        form = p.form(form_id)
        for record in p.full_records(form_id):
            checked += 1
            problems = [x for x in validate(form, record) if not errors_only or x.severity == "error"]
            with_errors += any(x.severity == "error" for x in problems)
            found += [{"uuid": record["_uuid"], "status": record["_status"], "where": x.sheet, "field": x.column,
                       "severity": x.severity, "message": x.text()} for x in problems]
    if as_json:
        click.echo(_dump({"checked": checked, "with_errors": with_errors, "problems": found}))
    else:
        for x in found:
            click.echo(f"{x['uuid']}  {x['severity']:<7} {x['where']}.{x['field']}: {x['message']}")
        click.echo(tr("{checked} records checked: {errors} with errors, {problems} problems in all.",
                      checked=checked, errors=with_errors, problems=len(found)))
    sys.exit(1 if with_errors else 0)


@cli.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.argument("uuid")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def history(project, uuid, as_json):
    """The audit trail of one record: who changed what, when, from what to what."""
    with _open(project) as p:
        rows = p.history(uuid)
    if as_json:
        click.echo(_dump(rows))
        return
    for r in rows:
        what = r["field"] or r["table_name"]
        click.echo(f"{r['time']}  {r['officer'] or '-':<12} {r['action']:<10} {what}: {r['old']!r} -> {r['new']!r}")


@cli.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--form", "form_id", required=True)
@click.argument("uuid")
@click.option("--undo", is_flag=True, help="Bring a deleted record back.")
def delete(project, form_id, uuid, undo):
    """Delete a record (it is only marked; --undo brings it back)."""
    with _open(project) as p:
        (p.undelete if undo else p.delete)(form_id, uuid)
    click.echo(tr("Restored {uuid}", uuid=uuid) if undo else tr("Deleted {uuid} (undo with --undo)", uuid=uuid))


@cli.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", type=click.Path(dir_okay=False), help="Backup file (default: beside the project, dated).")
def backup(project, out):
    """Write a consistent copy of a project, safe to take while it is open."""
    from .core.storage.backup import default_backup_path

    target = Path(out) if out else default_backup_path(Path(project))
    with _open(project) as p:
        p.backup(target)
    click.echo(tr("Backup written to {path}", path=target))


@cli.command()
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False))
@click.argument("project", type=click.Path(dir_okay=False))
def restore(backup_file, project):
    """Put a backup back in place as PROJECT; an existing PROJECT is first backed up itself."""
    from .core.storage.backup import restore as do_restore

    kept = do_restore(Path(backup_file), Path(project))
    click.echo(tr("Restored {project} from {backup}", project=project, backup=backup_file))
    if kept:
        click.echo(tr("The previous file was kept as {path}", path=kept))


def run_gui(project: str | None) -> int:
    try:
        from .ui.app import main as gui_main
    except ImportError as e:
        print(tr("field-app: the window cannot start: {error}. Run ./setup, or use a command (field-app --help).",
                 error=e), file=sys.stderr)
        return 1
    return gui_main(project)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = set(cli.commands)
    if not argv or (argv[0] not in commands and not argv[0].startswith("-")):
        if len(argv) > 1:
            print(tr("field-app: unknown command '{name}' (see field-app --help)", name=argv[0]), file=sys.stderr)
            return 2
        return run_gui(argv[0] if argv else None)
    try:
        cli.main(args=argv, prog_name="field-app", standalone_mode=False)
    except click.exceptions.Exit as e:
        return e.exit_code
    except click.ClickException as e:
        e.show()
        return e.exit_code
    except click.exceptions.Abort:
        print("Aborted.", file=sys.stderr)
        return 1
    except (FormError, RecordError) as e:
        print(f"field-app: {e}", file=sys.stderr)
        for p in getattr(e, "problems", [])[1:]:
            print(f"  {p}", file=sys.stderr)
        return 1
    except FieldAppError as e:
        print(f"field-app: {e}", file=sys.stderr)
        return 1
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else 0
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
