"""The demo data generator (field_app.core.demo) against the built-in forms' text."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import itertools
import math
import re
import statistics
import tracemalloc
from collections import Counter, defaultdict

import pytest

from field_app.core import demo
from test_builtin_forms_text import (
    FORMS_DIR, QUANTITY_UNITS, UNIT_KG, allowed_choices, form_fields, load_form,
)

TODAY = dt.date(2026, 11, 24)
SEED = 20261124
FORMS = {f: load_form(f) for f in ("household", "enterprise", "trade")}
FIELDS = {f: form_fields(form) for f, form in FORMS.items()}


@pytest.fixture(scope="module")
def records() -> list[tuple[str, dict]]:
    return list(demo.generate(300, seed=SEED, today=TODAY))


def by_form(records, form_id):
    return [r for f, r in records if f == form_id]


def gazetteer(name):
    with open(FORMS_DIR / name, encoding="utf-8", newline="") as fh:
        return {r["name"]: r for r in csv.DictReader(fh)}


def xround(x):
    return math.floor(x + 0.5)


# ------------------------------------------------------------------------------ shape


def test_counts(records):
    c = Counter(f for f, _ in records)
    assert c["household"] == 300
    assert 25 <= c["enterprise"] <= 40
    assert 2000 <= c["trade"] <= 5000, c
    assert set(c) == {"household", "enterprise", "trade"}


def test_deterministic_for_a_seed():
    a = list(demo.generate(40, seed=7, today=TODAY))
    b = list(demo.generate(40, seed=7, today=TODAY))
    c = list(demo.generate(40, seed=8, today=TODAY))
    assert a == b
    assert a != c


def test_is_a_lazy_iterator():
    tracemalloc.start()
    it = demo.generate(10_000_000, seed=1, today=TODAY)
    first = list(itertools.islice(it, 200))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # ten million households are not built up front: the first records come with little memory
    assert len(first) == 200 and peak < 50 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"


def check_value(form_id: str, name: str, value, where: str):
    form, fields = FORMS[form_id], FIELDS[form_id]
    f = fields[name]
    ctx = f"{form_id} {where}.{name}={value!r}"
    if f.type == "select_one" or f.type == "select_one_from_file":
        assert isinstance(value, str) and value in allowed_choices(form, f), ctx
    elif f.type == "select_multiple":
        assert isinstance(value, str) and value == value.strip(), ctx
        parts = value.split(" ")
        assert parts and len(parts) == len(set(parts)) and set(parts) <= allowed_choices(form, f), ctx
    elif f.type in ("integer", "money"):
        assert type(value) is int, ctx
    elif f.type in ("decimal", "quantity"):
        assert type(value) in (int, float) and math.isfinite(value) and value >= 0, ctx
    elif f.type == "unit":
        allowed = QUANTITY_UNITS[f.quantity_kind]
        params = fields[name[: -len("_unit")]].row.get("parameters")
        if params:
            allowed = params[len("units="):].split(",")
        assert value in allowed, ctx
    elif f.type == "date":
        assert isinstance(value, str) and dt.date.fromisoformat(value) <= TODAY, ctx
    elif f.type in ("text", "geopoint"):
        assert isinstance(value, str) and value.strip() == value and value, ctx
    elif f.type == "calculate":
        assert type(value) in (int, float), ctx
    elif f.type == "begin_repeat":
        assert isinstance(value, list), ctx
    else:
        raise AssertionError(f"{ctx}: a {f.type} field has no value in a record")


def test_keys_and_values_match_the_forms(records):
    for form_id, rec in records:
        fields = FIELDS[form_id]
        for key, value in rec.items():
            if key.startswith("_"):
                continue
            assert key in fields and fields[key].repeat is None, f"{form_id}: unknown top-level key {key}"
            check_value(form_id, key, value, "")
            if fields[key].type == "begin_repeat":
                for i, row in enumerate(value):
                    assert isinstance(row, dict)
                    for k, v in row.items():
                        assert k in fields and fields[k].repeat == key, f"{form_id}: {k} is not a field of {key}"
                        check_value(form_id, k, v, f"{key}[{i}]")
        # every quantity comes with its unit, and the other way round
        for container in [rec] + [row for v in rec.values() if isinstance(v, list) for row in v]:
            for key in container:
                if not key.startswith("_") and fields[key].type == "quantity":
                    assert f"{key}_unit" in container
                if not key.startswith("_") and fields[key].type == "unit":
                    assert key[:-5] in container
        assert rec["_status"] in ("final", "draft") and isinstance(rec["_officer"], str)


def test_required_fields_present(records):
    for form_id, rec in records:
        required = [(n, f.repeat) for n, f in FIELDS[form_id].items()
                    if f.row.get("required") == "yes" and not f.conditional]
        for name, repeat in required:
            rows = [rec] if repeat is None else rec[repeat]
            for row in rows:
                assert name in row, f"{form_id}: required {name} missing"


def test_money_is_int_everywhere(records):
    for form_id, rec in records:
        fields = FIELDS[form_id]
        rows = [rec] + [row for v in rec.values() if isinstance(v, list) for row in v]
        for row in rows:
            for k, v in row.items():
                if not k.startswith("_") and fields[k].type == "money":
                    assert type(v) is int and v >= 0, (k, v)


# ------------------------------------------------------------------------------ households


def test_household_places_follow_the_gazetteer_filters(records):
    provinces = gazetteer("gazetteer_provinces.csv")
    districts = gazetteer("gazetteer_districts.csv")
    communes = gazetteer("gazetteer_communes.csv")
    old = 0
    for form_id in ("household", "enterprise"):
        for r in by_form(records, form_id):
            system = r["admin_system"]
            assert provinces[r["province"]]["system"] == system
            c = communes[r["commune"]]
            assert c["system"] == system and c["province"] == r["province"]
            if system == "old":
                old += form_id == "household"
                assert districts[r["district"]]["province"] == r["province"] and c["district"] == r["district"]
            else:
                assert "district" not in r
    assert 0.1 * 300 <= old <= 0.3 * 300
    communes_used = {r["commune"] for r in by_form(records, "household")}
    assert len(communes_used) >= 10, "several communes per cluster"


def test_household_logic(records):
    for r in by_form(records, "household"):
        assert re.fullmatch(r"[A-Z]{2,3}-[0-9]{3,6}", r["hh_code"])
        assert "head_phone" not in r or re.fullmatch(r"0[0-9]{9}", r["head_phone"])
        assert r["hh_size"] == len(r["members"])
        assert [m["relation_to_head"] == "head" for m in r["members"]] == [True] + [False] * (r["hh_size"] - 1)
        assert r["head_name"] == r["members"][0]["member_name"]
        for m in r["members"]:
            assert len(m["member_name"].split()) >= 2
            assert ("member_occupation" in m) == (m["member_age"] >= 6)
        assert ("ethnicity_other" in r) == (r["ethnicity"] == "other")
        assert ("pigs_fed_residue" in r) == (r["pigs"] > 0)
        assert ("credit_source" in r) == (r["credit_access"] == "yes")
        assert ("extension_topics" in r) == (r["extension_access"] == "yes")
        for multi in ("processes", "associations"):
            assert r[multi] == "none" or "none" not in r[multi].split()
        starch = "wet_starch" in r["processes"].split() or "dry_starch" in r["processes"].split()
        assert ("roots_processed" in r) == starch
        for c in r["crops"]:
            cardamom = c["crop"] == "cardamom"
            assert ("harvest_maturity" in c) == cardamom and ("drying_method" in c) == cardamom
            assert ("crop_other" in c) == (c["crop"] == "other")
            assert ("crop_area" in c) or c["crop"] == "rattan"
            assert ("sale_price" in c) == (c["qty_sold"] > 0) == ("sold_to" in c)
            # calculations as in the form
            assert c["qty_sold_kg"] == c["qty_sold"] * UNIT_KG[c["qty_sold_unit"]]
            assert c["crop_sales_value"] == xround(c["qty_sold_kg"] * c.get("sale_price", 0))
        for p in r["plots"]:
            assert ("plot_crop_other" in p) == (p["plot_crop"] == "other")
        assert r["crop_sales_total"] == sum(c["crop_sales_value"] for c in r["crops"])
        incomes = [r[k] for k in ("income_crops", "income_livestock", "income_processing", "income_trading",
                                  "income_wages", "income_remittances", "income_other")]
        assert r["total_income"] == sum(incomes)
        assert r["income_per_capita"] == xround(r["total_income"] / r["hh_size"])
        assert r["income_pc_month"] == xround(r["income_per_capita"] / 12)
        assert r["poverty_line"] == (2_000_000 if r["area_type"] == "urban" else 1_500_000)


def test_cardamom_is_plausible(records):
    yields, ratios, price = [], defaultdict(list), defaultdict(list)
    for r in by_form(records, "household"):
        for c in r["crops"]:
            if c["crop"] != "cardamom" or "harvest_dried" not in c:
                continue
            ha = c["crop_area"] * {"ha": 10000, "m2": 1, "sao_bac": 360, "sao_trung": 500}[c["crop_area_unit"]] / 1e4
            dried = c["harvest_dried"] * UNIT_KG[c["harvest_dried_unit"]]
            fresh = c["harvest_fresh"] * UNIT_KG[c["harvest_fresh_unit"]]
            yields.append(dried / ha)
            ratios[c["drying_method"]].append(fresh / dried)
            if c.get("cardamom_sold_as") == "dried" and c["harvest_maturity"] == "mature":
                price[c["drying_method"]].append(c["sale_price"])
    assert len(yields) > 50
    assert 40 <= min(yields) and max(yields) <= 170 and 70 <= statistics.median(yields) <= 130
    assert all(3.8 <= x <= 5.2 for v in ratios.values() for x in v)
    assert statistics.mean(ratios["improved_dryer"]) < statistics.mean(ratios["traditional_kiln"])
    assert statistics.mean(price["improved_dryer"]) > statistics.mean(price["traditional_kiln"])
    assert all(180_000 <= p <= 400_000 for v in price.values() for p in v)


def test_some_households_are_poor(records):
    hh = by_form(records, "household")
    poor = [r for r in hh if r["income_pc_month"] < r["poverty_line"]]
    assert 0.1 * len(hh) < len(poor) < 0.6 * len(hh)
    hanoi = [r for r in hh if r["hh_code"].startswith("HN-")]
    assert sum(r in poor for r in hanoi) < 0.25 * len(hanoi), "starch villages are better off"


# ------------------------------------------------------------------------------ enterprises


def test_enterprise_logic(records):
    ents = by_form(records, "enterprise")
    roles = Counter(r["role"] for r in ents)
    assert {"collector", "trader", "processor", "exporter"} <= set(roles)
    for r in ents:
        assert re.fullmatch(r"ENT-[0-9]{4,6}", r["enterprise_id"])
        assert 1950 <= r["year_started"] <= TODAY.year
        assert r["hired_total"] == sum(r[k] for k in ("hired_skilled_men", "hired_skilled_women",
                                                      "hired_unskilled_men", "hired_unskilled_women"))
        assert ("wage_per_day" in r) == (r["hired_total"] > 0)
        assert r["total_costs"] == sum(r[k] for k in ("cost_transport", "cost_processing", "cost_fuel", "cost_tax",
                                                      "cost_other"))
        for row in r["products_sold"]:
            peak = row["sold_volume_peak"] * UNIT_KG[row["sold_volume_peak_unit"]]
            off = row["sold_volume_off"] * UNIT_KG[row["sold_volume_off_unit"]]
            assert off < peak, "peak season (Nov-Mar) is busier"
            assert set(row["sold_markets"].split()) <= set(r["markets"].split())
    assert len({r["enterprise_id"] for r in ents}) == len(ents)


# ------------------------------------------------------------------------------ trades


def test_trades_link_parties_that_exist_before_them(records):
    seen = {"household": set(), "enterprise": set()}
    for form_id, r in records:
        if form_id == "household":
            seen["household"].add(r["hh_code"])
        elif form_id == "enterprise":
            seen["enterprise"].add(r["enterprise_id"])
        else:
            assert r["seller_id"] != r["buyer_id"]
            for side in ("seller", "buyer"):
                kind = r[f"{side}_type"]
                if kind != "other":
                    assert r[f"{side}_id"] in seen[kind], f"{side} {r[f'{side}_id']} unknown at this point"
    assert len(seen["household"]) == 300


def test_trade_calculations_and_terms(records):
    units = Counter()
    for r in by_form(records, "trade"):
        f = UNIT_KG[r["price_unit"]]
        assert r["price_unit_kg"] == f
        assert r["quantity_kg"] == r["quantity"] * UNIT_KG[r["quantity_unit"]]
        assert r["price_per_kg"] == xround(r["unit_price"] / f)
        assert r["trade_value"] == xround(r["quantity_kg"] * r["unit_price"] / f)
        assert r["quantity"] > 0 and r["unit_price"] > 0
        assert 100 <= r["unit_price"] / f <= 5_000_000
        assert r["transport_paid_by"] != "none" or r.get("transport_cost", 0) == 0
        assert r["processing_paid_by"] != "none" or r.get("processing_cost", 0) == 0
        product_chain = allowed_product_chain(r["product"])
        assert product_chain in (r["chain"], "any")
        assert "lot_code" not in r or re.fullmatch(r"[A-Z0-9][A-Z0-9-]{2,29}", r["lot_code"])
        units[r["quantity_unit"]] += 1
        units["price per " + r["price_unit"]] += 1
    assert {"kg", "yen", "ta", "tan", "price per kg", "price per ta", "price per tan"} <= set(units), units


def allowed_product_chain(product: str) -> str:
    return next(c["chain"] for c in FORMS["trade"]["choices"] if c["list_name"] == "product" and c["name"] == product)


def lots(records) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for r in by_form(records, "trade"):
        if "lot_code" in r:
            out[r["lot_code"]].append(r)
    return out


def test_lots_follow_a_chain(records):
    chains = [t for t in lots(records).values() if len(t) >= 2]
    assert len(chains) > 500
    for trades in chains:
        assert len({t["chain"] for t in trades}) == 1
        for a, b in zip(trades, trades[1:]):
            assert b["seller_id"] == a["buyer_id"], "the lot moves on from its last buyer"
            assert a["trade_date"] <= b["trade_date"]
            assert b["quantity_kg"] <= a["quantity_kg"] * 1.02, "no lot grows along the chain"
    first_sellers = Counter(t[0]["seller_role"] for t in chains)
    assert first_sellers["farmer"] and first_sellers["harvester"] and first_sellers["collector"]
    last_buyers = Counter(t[-1]["buyer_role"] for t in chains)
    assert last_buyers["exporter"] > 0


def test_prices_rise_along_the_chain(records):
    steps = up = 0
    ratios = []
    for trades in lots(records).values():
        for a, b in zip(trades, trades[1:]):
            steps += 1
            up += b["price_per_kg"] > a["price_per_kg"]
        if len(trades) >= 2:
            ratios.append(trades[-1]["price_per_kg"] / trades[0]["price_per_kg"])
    assert up >= 0.95 * steps
    assert statistics.mean(ratios) > 1.1 and min(ratios) > 1.0
    # cardamom: farmer ~200-350k, exporter 15-25 % more
    farm, export = [], []
    for trades in lots(records).values():
        if trades[0]["product"] == "cardamom_dried" and trades[-1]["buyer_role"] == "exporter":
            farm.append(trades[0]["price_per_kg"])
            export.append(trades[-1]["price_per_kg"])
    assert farm and 1.1 < statistics.mean(export) / statistics.mean(farm) < 1.3
    assert 180_000 < statistics.mean(farm) < 350_000


def test_trade_prices_are_plausible(records):
    prices = defaultdict(list)
    for r in by_form(records, "trade"):
        prices[r["product"]].append(r["price_per_kg"])
    med = {p: statistics.median(v) for p, v in prices.items()}
    assert 8_000 <= med["rattan_raw"] <= 20_000
    assert 5_000 <= med["wet_starch"] <= 7_500
    assert 30_000 <= med["noodles"] <= 70_000
    assert 200_000 <= med["cardamom_dried"] <= 400_000


def test_seasonality(records):
    volume = Counter()
    for r in by_form(records, "trade"):
        volume[int(r["trade_date"][5:7])] += r["quantity_kg"]
    peak = sum(volume[m] for m in (11, 12, 1, 2, 3))
    for start in range(4, 7):  # any five months from April to October
        off = sum(volume[m] for m in range(start, start + 5))
        assert peak > 1.5 * off, (peak, off)
    dates = [r["trade_date"] for r in by_form(records, "trade")]
    assert min(dates) >= (TODAY - dt.timedelta(days=366)).isoformat() and max(dates) <= TODAY.isoformat()


# ------------------------------------------------------------------------------ robustness and speed


def test_without_gazetteer_files(tmp_path):
    recs = list(demo.generate(30, seed=3, today=TODAY, forms_dir=tmp_path))
    hh = by_form(recs, "household")
    assert len(hh) == 30 and all(r["commune"] for r in hh)
    assert {r["province"] for r in hh} <= {"lao_cai", "lai_chau", "da_nang", "ha_noi",
                                           "lao_cai_old", "lai_chau_old", "quang_nam", "ha_noi_old"}


def test_streams_in_constant_memory():
    tracemalloc.start()
    # 2,000 enterprises come first, then households with their trades
    count = sum(1 for _ in itertools.islice(demo.generate(20_000, seed=5, today=TODAY), 8_000))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 8_000
    # enterprise ids and a window of recent households are kept; records are not
    assert peak < 5 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


# ------------------------------------------------------------------------------ with the form loader


def test_records_pass_the_form_loader_checks():
    """The app's own reading of the forms: no problem in any record, and its calculations agree."""
    from field_app.core import record as record_api
    from field_app.core.forms import builtin_forms

    forms = builtin_forms()
    problems = Counter()
    for form_id, rec in demo.generate(60, seed=11, today=TODAY):
        for p in record_api.validate(forms[form_id], rec, lang="en", today=TODAY):
            problems[(form_id, p.column, str(p))] += 1
        computed = record_api.compute(forms[form_id], copy.deepcopy(rec), today=TODAY)
        assert computed == rec, form_id
    assert not problems, problems.most_common(10)
