"""A process killed in the middle of saving loses nothing it reported saved, and leaves no half record."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from field_app.core.storage import Project

WRITER = r"""
import sys
from field_app.core.forms import builtin_form
from field_app.core.storage import Project
p = Project.open(sys.argv[1], officer="writer")
i = 0
while True:
    i += 1
    n = 1 + i % 6
    members = [{"member_name": f"M{k}", "member_age": 20 + k} for k in range(n)]
    r = p.save("household", {"hh_code": f"LC-{i:05d}", "hh_size": n, "members": members})
    print(r.uuid, flush=True)
    if i % 7 == 0:
        p.bulk_insert("household", [{"hh_code": f"BK-{i:05d}-{j}", "hh_size": 1,
                                     "members": [{"member_name": "B"}]} for j in range(300)])
"""


@pytest.mark.parametrize("delay", [0.0, 0.03, 0.2])
def test_kill_during_saves_loses_nothing_committed(tmp_path, delay):
    path = tmp_path / "field.fieldapp"
    with Project.create(path, officer="setup") as p:
        from field_app.core.forms import builtin_form

        p.add_form(builtin_form("household"))
    env = {**os.environ, "FIELD_APP_DEVICE_ID": "killed-laptop"}
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True, env=env)
    saved = []
    deadline = time.monotonic() + 60
    while len(saved) < 40 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line:
            saved.append(line.strip())
    time.sleep(delay)  # kill it somewhere inside a later save or bulk insert
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    saved += [line.strip() for line in proc.stdout if line.strip()]
    assert len(saved) >= 40

    with Project.open(path) as p:
        assert p.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for uuid in saved:  # everything the writer was told was saved is there
            assert p.get("household", uuid) is not None, uuid
        # no record is half written: each has exactly the members it was saved with
        rows = p.conn.execute(
            "SELECT h.hh_size, COUNT(m._uuid) FROM household h LEFT JOIN household__members m ON m._root = h._uuid "
            "GROUP BY h._uuid").fetchall()
        assert rows and all(size == count for size, count in rows)
        bulk = p.conn.execute("SELECT _batch, COUNT(*) FROM household WHERE hh_code LIKE 'BK-%' GROUP BY _batch")
        assert all(count == 300 for _batch, count in bulk)  # a bulk insert is all or nothing
