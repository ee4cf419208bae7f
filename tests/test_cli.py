"""The command line: each command's behaviour, exit codes and one-line errors."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys


from conftest import ROOT, sample
from field_app.cli import cli, main
from field_app.core.storage import SCHEMA_VERSION


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_check_form_reports_every_problem(capsys):
    code, out, _ = run(capsys, "check-form", sample("broken_xlsform.xlsx"))
    assert code == 1
    errors = [line for line in out.splitlines() if line.startswith("error:")]
    assert len(errors) == 4
    assert all(re.search(r"row \d+", line) for line in errors)


def test_check_form_json_and_valid(capsys):
    code, out, _ = run(capsys, "check-form", "--json", sample("rattan_harvester_xlsform.xlsx"))
    data = json.loads(out)
    assert code == 0 and data["ok"] and data["form_id"] == "rattan_hh_quangnam_2024" and data["errors"] == []


def test_new_add_show_history_delete(tmp_path, capsys):
    path = tmp_path / "p.fieldapp"
    assert run(capsys, "new", path, "--officer", "Mai")[0] == 0
    code, out, _ = run(capsys, "forms", path, "--json")
    assert {f["form_id"] for f in json.loads(out)} == {"household", "enterprise", "trade"}
    record = {"hh_code": "LC-0001", "head_name": "Giàng A Páo", "hh_size": 1,
              "crops": [{"crop": "cardamom", "crop_area": 0.5, "crop_area_unit": "ha",
                         "harvest_dried": 60, "harvest_dried_unit": "kg", "drying_method": "improved_dryer"}]}
    code, out, _ = run(capsys, "add", path, "--form", "household", "--officer", "Mai", "--data",
                       json.dumps(record, ensure_ascii=False))
    assert code == 0
    uuid = json.loads(out)["uuid"]
    code, out, _ = run(capsys, "show", path, "--form", "household", uuid)
    assert code == 0 and "Giàng A Páo" in out and "cardamom" in out
    code, out, _ = run(capsys, "show", path, "--form", "household", uuid, "--json")
    assert json.loads(out)["record"]["crops"][0]["harvest_dried"] == 60
    code, out, _ = run(capsys, "history", path, uuid, "--json")
    assert json.loads(out)[0]["action"] == "create" and json.loads(out)[0]["officer"] == "Mai"
    assert run(capsys, "delete", path, "--form", "household", uuid)[0] == 0
    assert "LC-0001" not in run(capsys, "show", path, "--form", "household")[1]
    assert run(capsys, "delete", path, "--form", "household", uuid, "--undo")[0] == 0
    assert "LC-0001" in run(capsys, "show", path, "--form", "household")[1]


def test_errors_are_one_clear_line(tmp_path, capsys):
    path = tmp_path / "p.fieldapp"
    run(capsys, "new", path)
    code, _, err = run(capsys, "add", path, "--form", "household", "--data", '{"hh_size": "many"}')
    assert code == 1 and "hh_size" in err and "Traceback" not in err
    code, _, err = run(capsys, "add", path, "--form", "nosuch", "--data", "{}")
    assert code == 1 and "no form 'nosuch'" in err
    code, _, err = run(capsys, "add", path, "--form", "household", "--data", "{not json")
    assert code == 1 and "cannot read the record" in err
    code, _, err = run(capsys, "new", path)
    assert code == 1 and "already exists" in err
    code, _, err = run(capsys, "forms", tmp_path / "missing.fieldapp")
    assert code == 2 and "does not exist" in err


def test_newer_project_refused_by_cli(tmp_path, capsys):
    path = tmp_path / "p.fieldapp"
    run(capsys, "new", path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.commit()
    conn.close()
    code, _, err = run(capsys, "forms", path)
    assert code == 1 and "newer field-app" in err and len(err.strip().splitlines()) == 1


def test_add_form_and_new_version(tmp_path, capsys, write_form):
    path = tmp_path / "p.fieldapp"
    run(capsys, "new", path, "--no-builtin")
    code, out, _ = run(capsys, "add-form", path, sample("rattan_harvester_xlsform.xlsx"))
    assert code == 0 and "3 new table(s)" in out
    code, out, _ = run(capsys, "add-form", path, sample("rattan_harvester_xlsform.xlsx"))
    assert code == 0 and "already in the project" in out
    code, _, err = run(capsys, "add-form", path, sample("broken_xlsform.xlsx"))
    assert code == 1 and "row" in err


def test_demo_and_backup_restore(tmp_path, capsys):
    path = tmp_path / "demo.fieldapp"
    code, out, _ = run(capsys, "demo", path, "--households", "40")
    assert code == 0 and "household" in out
    code, out, _ = run(capsys, "forms", path, "--json")
    counts = {f["form_id"]: f["records"] for f in json.loads(out)}
    assert counts["household"] == 40 and counts["trade"] > 100 and counts["enterprise"] >= 4
    code, _, err = run(capsys, "demo", path)
    assert code == 1 and "--force" in err
    code, out, _ = run(capsys, "backup", path, "--out", tmp_path / "b.fieldapp")
    assert code == 0 and (tmp_path / "b.fieldapp").exists()
    code, out, _ = run(capsys, "restore", tmp_path / "b.fieldapp", path)
    assert code == 0 and "kept as" in out


def test_unknown_command(capsys):
    code, _, err = run(capsys, "frobnicate", "x")
    assert code == 2 and "unknown command" in err


def test_every_command_has_help_and_docs():
    docs = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for name, command in cli.commands.items():
        assert command.help, f"{name} has no help"
        assert f"## `field-app {name}" in docs, f"{name} is not in docs/cli.md"


def test_readme_commands_match_ci():
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    commands = [line.strip() for line in readme[:12] if line.startswith("    ")]
    assert commands[0] == "./setup && .venv/bin/field-app"
    assert commands[1] in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_console_script_runs():
    result = subprocess.run([sys.executable, "-m", "field_app.cli", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and "field-app" in result.stdout


def test_check_stored_records(tmp_path, capsys):
    path = tmp_path / "demo.fieldapp"
    run(capsys, "demo", path, "--households", "20")
    code, out, _ = run(capsys, "check", path, "--form", "household", "--json")
    data = json.loads(out)
    assert code == 0 and data["checked"] == 20 and data["with_errors"] == 0
    from field_app.core.storage import Project

    with Project.open(path) as p:  # spoil one record: a member older than any person
        rec = next(p.full_records("household"))
        rec["members"][0]["member_age"] = 150
        p.save("household", rec, status="draft")
    code, out, _ = run(capsys, "check", path, "--form", "household")
    assert code == 1 and "members[1].member_age" in out and rec["_uuid"] in out
    assert "20 records checked: 1 with errors" in out
