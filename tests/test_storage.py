"""Storage: round trips, repeats, audit, deletes, transactions, migrations, newer files, bulk path."""

from __future__ import annotations

import sqlite3
import unicodedata

import pytest

from conftest import sample
from field_app.core.errors import NewerDatabaseError, RecordError, StorageError
from field_app.core.forms import builtin_form
from field_app.core.storage import SCHEMA_VERSION, Project
from field_app.core.storage.backup import restore

TRADE = {
    "trade_date": "2024-12-05", "seller_type": "household", "seller_id": "LC-0001", "seller_role": "farmer",
    "buyer_type": "enterprise", "buyer_id": "ENT-0001", "buyer_role": "collector", "chain": "cardamom",
    "product": "cardamom_dried", "quantity": 5, "quantity_unit": "ta", "unit_price": 6_000_000, "price_unit": "ta",
    "transport_paid_by": "buyer", "processing_paid_by": "none", "payment": "cash",
}


@pytest.fixture
def trades(project):
    project.add_form(builtin_form("trade"))
    return project


def test_connection_settings(project):
    conn = project.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_trade_round_trip_with_units_and_calculations(trades):
    result = trades.save("trade", dict(TRADE))
    rec = trades.get("trade", result.uuid)
    assert rec["quantity"] == 5 and rec["quantity_unit"] == "ta"
    assert rec["unit_price"] == 6_000_000 and isinstance(rec["unit_price"], int)
    assert rec["quantity_kg"] == 500
    assert rec["price_per_kg"] == 60_000
    assert rec["trade_value"] == 30_000_000
    for key in ("_uuid", "_form_id", "_form_version", "_created", "_modified", "_officer", "_device", "_status",
                "_deleted", "_revision", "_modified_device"):
        assert key in rec
    assert rec["_officer"] == "Tester" and rec["_device"] == "test-device" and rec["_status"] == "draft"


def test_money_from_vietnamese_text(trades):
    rec = trades.get("trade", trades.save("trade", {**TRADE, "unit_price": "6.000.000"}).uuid)
    assert rec["unit_price"] == 6_000_000


def test_bad_values_are_refused_whole(trades):
    with pytest.raises(RecordError) as err:
        trades.save("trade", {**TRADE, "quantity_unit": "bao", "trade_date": "31/04/2024", "nonsense": 1})
    text = str(err.value)
    assert "bao" in text and "31/04/2024" in text and "nonsense" in text
    assert trades.count("trade") == 0


def test_text_is_stored_nfc(project):
    project.add_form(builtin_form("household"))
    nfd = unicodedata.normalize("NFD", "Phùng Thị Thanh Hằng")
    uuid = project.save("household", {"hh_code": "HD-001", "head_name": nfd}).uuid
    stored = project.get("household", uuid)["head_name"]
    assert stored == unicodedata.normalize("NFC", nfd) and stored != nfd
    row = project.conn.execute("SELECT COUNT(*) FROM household WHERE head_name = ?",
                               ("Phùng Thị Thanh Hằng",)).fetchone()
    assert row[0] == 1


def test_repeats_saved_and_updated_in_place(project):
    project.add_form(builtin_form("household"))
    members = [{"member_name": "A", "member_sex": "male", "member_age": 40, "relation_to_head": "head"},
               {"member_name": "B", "member_sex": "female", "member_age": 12, "relation_to_head": "child"}]
    uuid = project.save("household", {"hh_code": "HD-002", "hh_size": 2, "members": members}).uuid
    rec = project.get("household", uuid)
    assert [m["member_name"] for m in rec["members"]] == ["A", "B"]
    ids = [m["_uuid"] for m in rec["members"]]
    rec["members"][1]["member_age"] = 13
    rec["members"].append({"member_name": "C", "member_sex": "female", "member_age": 70, "relation_to_head": "parent"})
    result = project.save("household", rec)
    again = project.get("household", uuid)
    assert [m["_uuid"] for m in again["members"]][:2] == ids  # same rows, updated in place
    assert again["members"][1]["member_age"] == 13 and len(again["members"]) == 3
    assert ("members[2].member_age", 12, 13) in result.changes
    assert result.revision == 2
    # removing a row keeps it in the audit trail
    again["members"] = again["members"][:1]
    project.save("household", again)
    removed = [h for h in project.history(uuid) if h["action"] == "remove_row"]
    assert {h["old"]["member_name"] for h in removed} == {"B", "C"}


def test_save_is_all_or_nothing_for_repeats(project):
    project.add_form(builtin_form("household"))
    with pytest.raises(RecordError):
        project.save("household", {"hh_code": "HD-003", "members": [
            {"member_name": "A", "member_age": 30}, {"member_name": "B", "member_age": "forty"}]})
    assert project.count("household") == 0
    assert project.conn.execute("SELECT COUNT(*) FROM household__members").fetchone()[0] == 0


def test_audit_trail_records_who_what_when(trades):
    uuid = trades.save("trade", dict(TRADE)).uuid
    trades.officer = "Hoa"
    trades.save("trade", {"_uuid": uuid, "unit_price": 6_500_000})
    history = trades.history(uuid)
    assert history[0]["action"] == "create" and history[0]["officer"] == "Tester"
    change = next(h for h in history if h["field"] == "unit_price")
    assert (change["old"], change["new"], change["officer"]) == (6_000_000, 6_500_000, "Hoa")
    assert change["device"] == "test-device" and change["time"]
    assert trades.get("trade", uuid)["_modified_by"] == "Hoa"


def test_delete_is_undoable(trades):
    uuid = trades.save("trade", dict(TRADE)).uuid
    trades.delete("trade", uuid)
    assert trades.get("trade", uuid) is None and trades.count("trade") == 0
    assert trades.get("trade", uuid, include_deleted=True)["_deleted"] == 1
    trades.undelete("trade", uuid)
    assert trades.get("trade", uuid)["unit_price"] == 6_000_000
    assert [h["action"] for h in trades.history(uuid)][-2:] == ["delete", "undelete"]


def test_final_requires_valid_record(trades):
    with pytest.raises(RecordError) as err:
        trades.save("trade", {"seller_id": "X"}, status="final")
    assert "trade_date" in str(err.value)
    uuid = trades.save("trade", dict(TRADE), status="final").uuid
    assert trades.get("trade", uuid)["_status"] == "final"


def test_transaction_rolls_back_everything(trades):
    with pytest.raises(RuntimeError):
        with trades.transaction():
            trades.save("trade", dict(TRADE))
            trades.save("trade", dict(TRADE))
            raise RuntimeError("power cut")
    assert trades.count("trade") == 0


def test_new_form_version_adds_columns_and_keeps_data(tmp_path, project, write_form):
    v1 = write_form([{"type": "text", "name": "a", "label": "A"}], settings={"form_id": "f", "version": "1"},
                    name="v1.toml")
    project.add_form(v1)
    uuid = project.save("f", {"a": "kept"}).uuid
    v2 = write_form([{"type": "text", "name": "a", "label": "A"}, {"type": "integer", "name": "b", "label": "B"},
                     {"type": "begin_repeat", "name": "r", "label": "R"}, {"type": "text", "name": "c", "label": "C"},
                     {"type": "end_repeat"}], settings={"form_id": "f", "version": "2"}, name="v2.toml")
    change = project.add_form(v2)
    assert change.new_columns == ["f.b"] and change.new_tables == ["f__r"]
    assert project.get("f", uuid)["a"] == "kept"
    project.save("f", {"_uuid": uuid, "b": 3, "r": [{"c": "x"}]})
    rec = project.get("f", uuid)
    assert rec["a"] == "kept" and rec["b"] == 3 and rec["r"][0]["c"] == "x"
    # the same version with other content is refused
    v2b = write_form([{"type": "text", "name": "z", "label": "Z"}], settings={"form_id": "f", "version": "2"},
                     name="v2b.toml")
    with pytest.raises(StorageError, match="new version"):
        project.add_form(v2b)


def test_forms_travel_inside_the_project(tmp_path):
    path = tmp_path / "x.fieldapp"
    with Project.create(path) as p:
        p.add_form(sample("rattan_harvester_xlsform.xlsx"))
        p.add_form(builtin_form("household"))  # with its gazetteer CSV files
    with Project.open(path) as p:
        assert set(p.forms()) == {"rattan_hh_quangnam_2024", "household"}
        hh = p.form("household")
        assert len(hh.choices["gazetteer_communes.csv"].choices) > 100


def test_newer_database_is_refused_and_untouched(tmp_path):
    path = tmp_path / "future.fieldapp"
    with Project.create(path):
        pass
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(NewerDatabaseError, match="newer field-app"):
        Project.open(path)
    assert path.read_bytes() == before
    assert not (tmp_path / "future.fieldapp-wal").exists()


def test_not_a_project_is_refused(tmp_path):
    text = tmp_path / "notes.fieldapp"
    text.write_text("hello")
    with pytest.raises(StorageError, match="not a field-app project"):
        Project.open(text)
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(StorageError, match="not a field-app project"):
        Project.open(other)
    with pytest.raises(StorageError, match="does not exist"):
        Project.open(tmp_path / "missing.fieldapp")


def test_migration_from_empty_file(tmp_path):
    path = tmp_path / "old.fieldapp"
    sqlite3.connect(path).close()  # an empty SQLite file, user_version 0
    with Project.open(path) as p:
        assert p.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert p.meta("app") == "field-app"


def test_bulk_insert_is_atomic_and_marks_its_batch(trades):
    rows = [dict(TRADE, seller_id=f"LC-{i:04d}") for i in range(12_000)]
    count, batch = trades.bulk_insert("trade", rows, source="test")
    assert count == 12_000 and trades.count("trade") == 12_000
    n = trades.conn.execute("SELECT COUNT(*) FROM trade WHERE _batch = ?", (batch,)).fetchone()[0]
    assert n == 12_000
    bad = [dict(TRADE)] * 6000 + [dict(TRADE, quantity="lots")]
    with pytest.raises(RecordError, match="record 6001"):
        trades.bulk_insert("trade", bad)
    assert trades.count("trade") == 12_000


def test_bulk_insert_cancel_rolls_back(trades):
    from field_app.core.storage import Cancelled

    with pytest.raises(Cancelled):
        trades.bulk_insert("trade", [dict(TRADE)] * 11_000, cancel=lambda: True)
    assert trades.count("trade") == 0


def test_writes_only_from_the_owning_thread(trades):
    import threading

    errors = []
    t = threading.Thread(target=lambda: errors.append(_try(lambda: trades.save("trade", dict(TRADE)))))
    t.start()
    t.join()
    assert isinstance(errors[0], StorageError)


def _try(fn):
    try:
        fn()
    except Exception as e:
        return e


def test_backup_and_restore(tmp_path, trades):
    uuid = trades.save("trade", dict(TRADE)).uuid
    copy = trades.backup(tmp_path / "copy.fieldapp")
    trades.delete("trade", uuid)
    path = trades.path
    trades.close()
    kept = restore(copy, path)
    assert kept is not None and kept.exists()
    with Project.open(path) as p:
        assert p.get("trade", uuid) is not None
    with Project.open(kept) as p:
        assert p.get("trade", uuid) is None  # the replaced file, kept as it was


def test_record_ids_are_unique_and_time_ordered():
    import time
    import uuid

    from field_app.core.storage.identity import new_uuid

    first = new_uuid()
    time.sleep(0.002)
    ids = [new_uuid() for _ in range(50_000)]
    assert len(set(ids)) == 50_000
    assert all(first < i for i in ids)
    assert uuid.UUID(first).version == 7 and uuid.UUID(first).variant == uuid.RFC_4122


def test_a_stored_form_that_no_longer_loads_does_not_lock_the_project(tmp_path, write_form):
    path = tmp_path / "p.fieldapp"
    with Project.create(path) as p:
        p.add_form(write_form([{"type": "text", "name": "a", "label": "A"}], settings={"form_id": "f", "version": "1"},
                              name="f1.toml"))
        uuid = p.save("f", {"a": "kept"}).uuid
        p.add_form(write_form([{"type": "text", "name": "a", "label": "A"}, {"type": "text", "name": "b", "label": "B"}],
                              settings={"form_id": "f", "version": "2"}, name="f2.toml"))
        p.add_form(builtin_form("trade"))
        with p.transaction():  # as if a later field-app had stored a form this one cannot read
            p.conn.execute("UPDATE _form_files SET content = ? WHERE form_id = 'f' AND version = '2'",
                           (b'[[survey]]\ntype = "hologram"\nname = "x"\n',))
    with Project.open(path) as p:
        assert p.form("f").version == "1"  # the latest version that loads
        assert "hologram" in p.form_problems["f"]
        assert p.get("f", uuid)["a"] == "kept" and "trade" in p.forms()


def test_reserved_form_ids_are_refused(project, write_form):
    for form_id in ("_meta", "household__members", "sqlite_master"):
        with pytest.raises(StorageError, match="reserved"):
            project.add_form(write_form([{"type": "text", "name": "a", "label": "A"}], settings={"form_id": form_id}))


def test_attachments_are_stored_once_and_travel_with_the_project(tmp_path, project, write_form):
    project.add_form(write_form([{"type": "image", "name": "photo", "label": "Photo of the dryer"}],
                                settings={"form_id": "f"}))
    picture = tmp_path / "máy sấy.jpg"
    picture.write_bytes(b"\xff\xd8\xff" + bytes(range(256)) * 100)
    ref = project.attach(picture)
    assert project.attach(picture) == ref  # same content, stored once
    uuid = project.save("f", {"photo": ref}).uuid
    name, content = project.attachment(project.get("f", uuid)["photo"])
    assert name == "máy sấy.jpg" and content == picture.read_bytes()
    with pytest.raises(StorageError, match="cannot read"):
        project.attach(tmp_path / "missing.jpg")


def test_migration_from_version_1_keeps_data(tmp_path):
    from field_app.core.storage import migrations

    path = tmp_path / "v1.fieldapp"
    with Project.create(path) as p:
        p.add_form(builtin_form("trade"))
        uuid = p.save("trade", dict(TRADE)).uuid
        p.conn.execute("DROP TABLE _attachments")  # back to how version 1 left files
        p.conn.execute("PRAGMA user_version = 1")
    assert migrations.SCHEMA_VERSION >= 2
    with Project.open(path) as p:
        assert p.conn.execute("PRAGMA user_version").fetchone()[0] == migrations.SCHEMA_VERSION
        assert p.get("trade", uuid)["unit_price"] == 6_000_000
        assert p.db["_attachments"].exists()


def test_a_failing_migration_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    from field_app.core.storage import migrations

    path = tmp_path / "p.fieldapp"
    with Project.create(path):
        pass

    def broken(conn):
        conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("power cut in the middle of a migration")

    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS + [broken])
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", len(migrations.MIGRATIONS))
    with pytest.raises(RuntimeError):
        Project.open(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(migrations.MIGRATIONS) - 1
    assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'half_done'").fetchone()
    conn.close()


def test_two_programs_writing_one_project_wait_for_each_other(tmp_path):
    """The window and a command on the same file at once: every save lands, none fails as locked."""
    import threading

    path = tmp_path / "shared.fieldapp"
    with Project.create(path) as p:
        p.add_form(builtin_form("trade"))
    errors, done = [], []

    def writer(name):
        try:
            with Project.open(path, officer=name) as p:
                for i in range(40):
                    uuid = p.save("trade", dict(TRADE, seller_id=f"LC-{i:04d}")).uuid
                    p.save("trade", {"_uuid": uuid, "unit_price": 6_100_000})  # read, then write
                    done.append(uuid)
        except Exception as e:  # collected for the assertion
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("Lan", "Hoa", "Minh")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    with Project.open(path) as p:
        assert p.count("trade") == 120 and len(done) == 120
        assert all(p.get("trade", u)["_revision"] == 2 for u in done)


def test_an_update_keeps_a_final_record_final(trades):
    uuid = trades.save("trade", dict(TRADE), status="final").uuid
    trades.save("trade", {"_uuid": uuid, "unit_price": 6_200_000})
    assert trades.get("trade", uuid)["_status"] == "final"
    with pytest.raises(RecordError, match="trade_date"):  # a final record must stay valid
        trades.save("trade", {"_uuid": uuid, "trade_date": None})
    trades.save("trade", {"_uuid": uuid, "trade_date": None}, status="draft")
    assert trades.get("trade", uuid)["_status"] == "draft"


def test_checking_a_file_writes_nothing_beside_it(tmp_path):
    """Looking at a file before opening it must not create -wal/-shm files (another program may own them)."""
    from field_app.core.storage.project import _check_file

    path = tmp_path / "p.fieldapp"
    with Project.create(path):
        pass
    before = sorted(p.name for p in tmp_path.iterdir())
    _check_file(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert sqlite3.connect(path).execute("PRAGMA application_id").fetchone()[0] == 0x46617070


def test_restore_refuses_a_project_in_use(tmp_path, trades):
    copy = trades.backup(tmp_path / "copy.fieldapp")
    with pytest.raises(StorageError, match="open in another program"):
        restore(copy, trades.path)
    assert trades.count("trade") == 0 and trades.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_full_records_match_get(tmp_path):
    from field_app.core.demo_project import make_demo

    path = tmp_path / "d.fieldapp"
    make_demo(path, households=25)
    with Project.open(path) as p:
        streamed = list(p.full_records("household", chunk=7))  # several chunks
        assert len(streamed) == 25
        for rec in streamed:
            assert rec == p.get("household", rec["_uuid"])
        assert any(rec.get("members") for rec in streamed) and any(rec.get("crops") for rec in streamed)
