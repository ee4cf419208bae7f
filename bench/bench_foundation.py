"""Benchmarks of the foundation. Prints figures; copy them into docs/benchmarks.md.

    .venv/bin/python bench/bench_foundation.py [--households 100000]

Measures: loading forms, saving one household (one transaction), the bulk path against
sqlite-utils' insert_all, and the whole `field-app demo` at the given size.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("FIELD_APP_DEVICE_ID", "bench")


def timed(fn, repeat=3):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=10_000)
    args = parser.parse_args()

    import sqlite_utils

    from field_app.core.demo import generate
    from field_app.core.demo_project import make_demo
    from field_app.core.forms import builtin_form, load_form
    from field_app.core.forms.build import build_form
    from field_app.core.storage import Project

    tmp = Path(tempfile.mkdtemp(prefix="field-app-bench-"))
    print(f"# field-app foundation benchmarks ({os.cpu_count()} cores)")

    t, _ = timed(lambda: build_form(Path("forms/household.toml")))
    print(f"load household.toml (with gazetteer CSVs): {t * 1000:.0f} ms")
    t, _ = timed(lambda: load_form(Path("../shared/samples/rattan_harvester_xlsform.xlsx")))
    print(f"load rattan_harvester_xlsform.xlsx: {t * 1000:.0f} ms")

    households = [r for f, r in generate(households=200, seed=1) if f == "household"]
    with Project.create(tmp / "save.fieldapp", officer="bench") as p:
        p.add_form(builtin_form("household"))
        start = time.perf_counter()
        for rec in households:
            p.save("household", dict(rec))
        per = (time.perf_counter() - start) / len(households)
        print(f"save one household with its repeats (own transaction, synchronous=FULL): {per * 1000:.1f} ms")

    trades = [r for f, r in generate(households=2_000, seed=2) if f == "trade"][:20_000]
    n = len(trades)
    with Project.create(tmp / "bulk.fieldapp", officer="bench") as p:
        p.add_form(builtin_form("trade"))
        start = time.perf_counter()
        p.bulk_insert("trade", trades)
        bulk = time.perf_counter() - start
    print(f"bulk_insert {n:,} trades: {bulk:.2f} s ({n / bulk:,.0f} records/s)")
    with Project.create(tmp / "raw.fieldapp", officer="bench") as p:
        p.add_form(builtin_form("trade"))
        cols = [c.name for c in p.db["trade"].columns]
        rows = [{c: r.get(c) for c in cols if c in r} for r in trades]
        db = sqlite_utils.Database(p.conn)
        start = time.perf_counter()
        db["trade"].insert_all(({**r, "_uuid": f"u{i}", "_form_id": "trade", "_status": "final"}
                                for i, r in enumerate(rows)))
        naive = time.perf_counter() - start
    print(f"sqlite-utils insert_all of the same rows (unchecked, commits per batch): {naive:.2f} s "
          f"-> bulk_insert is {naive / bulk:.1f}x faster while checking every value")

    start = time.perf_counter()
    counts = make_demo(tmp / "demo.fieldapp", households=args.households)
    total = time.perf_counter() - start
    records = sum(counts.values())
    size = (tmp / "demo.fieldapp").stat().st_size / 1e6
    print(f"field-app demo --households {args.households:,}: {counts} = {records:,} records in {total:.1f} s "
          f"({records / total:,.0f} records/s), file {size:.0f} MB")
    start = time.perf_counter()
    gen = sum(1 for _ in generate(households=args.households))
    print(f"  of which generating the data alone: {time.perf_counter() - start:.1f} s for {gen:,} records")


if __name__ == "__main__":
    main()
