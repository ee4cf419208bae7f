"""Invented demo data for the three built-in forms (household, enterprise, trade).

Nothing here is real: names are drawn from common Vietnamese family, middle and given names,
phone numbers are random ``09xxxxxxxx``, and every quantity and price is simulated. Places are
real codes from ``forms/gazetteer_*.csv`` (a few hard-coded ones when the files are missing).

Scenario: four clusters. Cardamom (thảo quả) growers in Lào Cai and Lai Châu, rattan (mây)
harvesters in Quảng Nam (Đà Nẵng since July 2025), and canna/cassava starch villages in Hoài Đức
and Quốc Oai (Hà Nội). Enterprises (about one per ten households) are the collectors, traders,
processors and exporters of those chains. Trades (about ten per household) follow lots along
the chain, farmer -> collector -> trader/processor -> exporter, under one ``lot_code``, with
prices per kg rising along the chain, more trade in November–March than in the rest of the
year, and mixed units (kg, yến, tạ, tấn; prices sometimes per tạ or per tấn).

Records are plain dicts keyed by the forms' field names (groups are flat), a repeat is a list of
dicts, a ``quantity`` field ``x`` comes with ``x_unit``, select_multiple values are space-separated
choice names, dates are ISO strings, money is ``int``, calculated fields are computed as the
forms' ``calculation`` does. Meta keys start with ``_`` (``_officer``, ``_status``).

Order: all enterprises first, then each household followed by the trades of its lots, so a trade
always comes after both of its parties. The generator streams: apart from the enterprise list
and a short window of recent households it keeps nothing, so ``households=100_000`` (about
1.1 million records) runs in constant memory.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import itertools
import math
import random
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .paths import forms_dir as default_forms_dir

__all__ = ["DEFAULT_SEED", "generate"]

DEFAULT_SEED = 20261124

UNIT_KG = {"kg": 1, "yen": 10, "ta": 100, "tan": 1000}
AREA_M2 = {"ha": 10000, "m2": 1, "sao_bac": 360, "sao_trung": 500}
# Trade is heavier from November to March (canna harvest, cardamom and rattan buying, Tết).
MONTH_WEIGHT = {1: 2.4, 2: 1.7, 3: 1.8, 4: 0.8, 5: 0.6, 6: 0.5, 7: 0.5, 8: 0.6, 9: 0.8, 10: 1.1, 11: 2.2, 12: 2.6}


def _plot(area: tuple, crop: str, tenure: str, irrigated: str, other: str = "") -> dict:
    """One row of the household's plots repeat; `area` is (number, unit code)."""
    row = {"plot_area": area[0], "plot_area_unit": area[1], "plot_crop": crop}
    if other:
        row["plot_crop_other"] = other
    return {**row, "plot_tenure": tenure, "plot_irrigated": irrigated}


def _xround(x: float) -> int:
    """XPath ``round(x, 0)``: halves go up (Python's round() goes to even)."""
    return math.floor(x + 0.5)


def _round_to(x: float, step: int) -> int:
    return int(math.floor(x / step + 0.5)) * step


# ------------------------------------------------------------------------------- names

_KINH = (
    ("Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Trần", "Lê", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi",
     "Đỗ", "Ngô", "Dương", "Phùng", "Đinh", "Nghiêm", "Lý", "Đào"),
    ("Văn", "Văn", "Văn", "Đức", "Minh", "Quang", "Xuân", "Hữu", "Công", "Tiến"),
    ("Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Kim", "Minh"),
    ("Hùng", "Dũng", "Tuấn", "Hải", "Long", "Nam", "Sơn", "Thắng", "Cường", "Bình", "Quân", "Hòa",
     "Tiến", "Phúc", "Khánh", "Trung", "Toàn", "Hiếu", "Mạnh", "Lâm", "Thành", "Đạt", "Vinh", "Huy"),
    ("Lan", "Hương", "Hoa", "Mai", "Hà", "Hằng", "Thảo", "Linh", "Nga", "Yến", "Liên", "Phương",
     "Trang", "Dung", "Huyền", "Loan", "Nhung", "Oanh", "Thủy", "Vân", "Hạnh", "Tâm", "Xuân", "Hiền"),
)
_NAMES = {
    "kinh": _KINH,
    "hmong": (
        ("Giàng", "Giàng", "Sùng", "Vàng", "Thào", "Lý", "Hầu", "Mùa", "Lù", "Sần", "Má", "Hạng"),
        ("A", "A", "Seo", "Văn", "Mí"),
        ("Thị", "Thị", "Thị", "Mỷ"),
        ("Pháo", "Dình", "Chư", "Lử", "Sử", "Páo", "Chứ", "Dế", "Tủa", "Chơ", "Vư", "Sàng", "Chu",
         "Lềnh", "Súa", "Dơ", "Pó", "Chứ"),
        ("Mai", "Sua", "Dua", "Sênh", "Pàng", "Cở", "Chá", "Dợ", "Mỷ", "Xúa", "Ly", "Sò", "Dí", "Chi"),
    ),
    "dao": (
        ("Triệu", "Bàn", "Đặng", "Chảo", "Lý", "Tẩn", "Phàn", "Lò"),
        ("Văn", "Láo", "Dào", "Láo", "Văn"),
        ("Thị", "Thị", "Mẩy", "Tả"),
        ("Lở", "Quý", "Chiêu", "Sành", "Pao", "Phin", "Vần", "Sơn", "Kim", "Tả", "Xuân", "Chản"),
        ("Mẩy", "Chiêu", "Xoan", "Nải", "Phẩy", "Lở", "Mai", "Dung", "Phù", "Sành"),
    ),
    "ha_nhi": (
        ("Lý", "Chu", "Pờ", "Lò", "Phùng", "Ly"),
        ("Gò", "Xá", "Hừ", "Văn", "A"),
        ("Thị", "Mé", "Thị"),
        ("Xá", "Phá", "Gô", "Lừ", "Chè", "Hờ", "Dì", "Pà", "Giá"),
        ("Mé", "Chà", "Gó", "Lu", "Xì", "Pu", "Mơ", "Chi"),
    ),
    "thai": (
        ("Lò", "Lường", "Tòng", "Quàng", "Cầm", "Lù", "Điêu", "Hoàng"),
        ("Văn", "Văn", "Văn"),
        ("Thị", "Thị"),
        ("Ún", "Xiển", "Hặc", "Pấng", "Thoong", "Inh", "Ngoan", "Khăm", "Bun", "Chăn"),
        ("Ún", "Ếm", "Xuân", "Phóng", "Hoa", "Bích", "Lả", "Pảnh", "Ánh", "Khẻ"),
    ),
    "giay": (
        ("Hoàng", "Lù", "Vàng", "Sần", "Lò", "Lương"),
        ("Văn", "Văn", "Seo"),
        ("Thị", "Thị"),
        ("Chúng", "Pao", "Tuấn", "Lềnh", "Sùng", "Dìn", "Ngân", "Phúc"),
        ("Xuyến", "Mai", "Liên", "Dung", "Pham", "Thảo"),
    ),
    "tay": (
        ("Hoàng", "Nông", "Lương", "Ma", "Lục", "Vi", "Hà"),
        ("Văn", "Văn", "Đức"),
        ("Thị", "Thị"),
        ("Khoa", "Lợi", "Thắng", "Chiến", "Tiến", "Kiên", "Bảo", "Cường"),
        ("Nhàn", "Lụa", "Quyên", "Thơm", "Hoa", "Yến", "Chinh"),
    ),
    "co_tu": (
        ("Bhriu", "Alăng", "Zơrâm", "Clâu", "Bling", "Hôih", "Pơloong", "Ating", "Coor", "Riah"),
        ("", "", "Văn"),
        ("Thị", "Thị", ""),
        ("Liếc", "Đớt", "Nhâm", "Blao", "Pố", "Hiêng", "Bơ", "Ting", "Chiến", "Mai", "Bhướp", "Quân"),
        ("Lan", "Nhung", "Hoa", "Bhuông", "Rinh", "Liên", "Dung", "Hạnh", "Thoa", "Ca"),
    ),
    "gie_trieng": (
        ("Hồ", "Đinh", "Pơloong", "Zơrâm", "Nguyễn"),
        ("Văn", "Văn", "Ngọc"),
        ("Thị", "Thị"),
        ("Rin", "Xanh", "Thương", "Hùng", "Ba", "Đức", "Nhí", "Lâm"),
        ("Hoa", "Lý", "Ri", "Bê", "Thuận", "Mận", "Ngà"),
    ),
    "xo_dang": (
        ("Hồ", "Đinh", "Nguyễn", "Hồ"),
        ("Văn", "Văn", "Thanh"),
        ("Thị", "Thị"),
        ("Ngân", "Bay", "Đen", "Dố", "Phước", "Lép", "Mười", "Tâm", "Sáu"),
        ("Nguyệt", "Bế", "Hoa", "Mai", "Vân", "Lài", "Sen", "Mơ"),
    ),
    "ca_dong": (
        ("Hồ", "Đinh", "Nguyễn"),
        ("Văn", "Văn", "Thanh"),
        ("Thị", "Thị"),
        ("Mia", "Bông", "Quốc", "Tuấn", "Ngó", "Lan", "Ba", "Thia"),
        ("Thơ", "Nga", "Bé", "Nhân", "Lai", "Ngọc"),
    ),
}
_NAMES["other"] = _KINH
_OTHER_ETHNICITY = {"lc": ("Phù Lá", "Mường", "Nùng"), "lch": ("Lự", "Cống", "La Hủ"),
                    "qn": ("Mường", "Tà Ôi", "Bru - Vân Kiều"), "hn": ("Mường", "Tày", "Nùng")}


def _name(rng: random.Random, ethnicity: str, male: bool, family: str | None = None) -> str:
    fam, mid_m, mid_f, giv_m, giv_f = _NAMES[ethnicity]
    family = family or rng.choice(fam)
    mid = rng.choice(mid_m if male else mid_f)
    given = rng.choice(giv_m if male else giv_f)
    return " ".join(p for p in (family, mid, given) if p)


def _phone(rng: random.Random) -> str:
    return f"09{rng.randrange(100_000_000):08d}"


# ------------------------------------------------------------------------------- clusters


@dataclass
class _Cluster:
    key: str
    chain: str
    prefix: str  # household code prefix
    lot_prefix: str
    old_province: str
    districts: tuple[str, ...]
    preferred: tuple[str, ...]  # old commune codes listed first
    share: float
    centre: tuple[float, float]
    ethnicity: dict[str, float]
    village_stem: str
    fallback: tuple[tuple[str, str, str, str], ...]  # (district, old commune, new province, new commune)
    communes: list[tuple[str, str, str, str]] = field(default_factory=list)
    officers: list[str] = field(default_factory=list)


def _clusters() -> list[_Cluster]:
    return [
        _Cluster(
            "lc", "cardamom", "LC", "TQ", "lao_cai_old", ("bat_xat", "sa_pa", "van_ban"),
            ("bx_y_ty", "bx_a_lu", "bx_sang_ma_sao", "bx_trung_leng_ho", "sp_ta_van", "sp_ban_ho"),
            0.22, (22.50, 103.72),
            {"hmong": 55, "dao": 23, "giay": 5, "ha_nhi": 5, "kinh": 7, "tay": 4, "other": 1},
            "Bản", (("bat_xat", "bx_y_ty", "lao_cai", "y_ty"), ("bat_xat", "bx_a_lu", "lao_cai", "y_ty"),
                    ("bat_xat", "bx_den_sang", "lao_cai", "den_sang"), ("sa_pa", "sp_ta_van", "lao_cai", "ta_van")),
        ),
        _Cluster(
            "lch", "cardamom", "LCH", "TQ", "lai_chau_old", ("tam_duong", "phong_tho", "sin_ho", "muong_te"),
            ("td_ho_thau", "td_giang_ma", "pt_dao_san", "pt_sin_suoi_ho", "sh_ta_phin", "sh_hong_thu"),
            0.18, (22.38, 103.30),
            {"hmong": 50, "dao": 20, "ha_nhi": 10, "thai": 10, "kinh": 7, "giay": 2, "other": 1},
            "Bản", (("tam_duong", "td_ho_thau", "lai_chau", "ta_leng"),
                    ("phong_tho", "pt_dao_san", "lai_chau", "dao_san"),
                    ("sin_ho", "sh_ta_phin", "lai_chau", "sin_ho")),
        ),
        _Cluster(
            "qn", "rattan", "QN", "MY", "quang_nam",
            ("nam_giang", "dong_giang", "tay_giang", "phuoc_son", "bac_tra_my", "nam_tra_my"),
            ("ng_ta_bhing", "ng_cha_val", "dg_song_kon", "tg_a_tieng", "btm_tra_giac", "ntm_tra_cang"),
            0.25, (15.60, 107.70),
            {"co_tu": 45, "xo_dang": 14, "ca_dong": 10, "gie_trieng": 15, "kinh": 15, "other": 1},
            "Thôn", (("nam_giang", "ng_ta_bhing", "da_nang", "ben_giang"),
                     ("dong_giang", "dg_song_kon", "da_nang", "song_kon"),
                     ("tay_giang", "tg_a_tieng", "da_nang", "tay_giang")),
        ),
        _Cluster(
            "hn", "starch", "HN", "TB", "ha_noi_old", ("hoai_duc", "quoc_oai"),
            ("hd_duong_lieu", "hd_minh_khai", "qo_cong_hoa", "hd_cat_que", "hd_dac_so", "hd_yen_so"),
            0.35, (21.05, 105.66),
            {"kinh": 99, "other": 1},
            "Thôn", (("hoai_duc", "hd_duong_lieu", "ha_noi", "duong_hoa"),
                     ("hoai_duc", "hd_minh_khai", "ha_noi", "duong_hoa"),
                     ("hoai_duc", "hd_cat_que", "ha_noi", "duong_hoa"),
                     ("quoc_oai", "qo_cong_hoa", "ha_noi", "hung_dao")),
        ),
    ]


def _gazetteer_communes(forms_dir: Path) -> list[dict] | None:
    path = forms_dir / "gazetteer_communes.csv"
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except OSError:
        return None
    new = {r["name"] for r in rows if r.get("system") == "2025"}
    return [r for r in rows if r.get("system") == "old" and r.get("new_commune") in new and r.get("new_province")]


def _choose_communes(rng: random.Random, cl: _Cluster, rows: list[dict] | None, n: int) -> None:
    if rows is None:
        cl.communes = list(cl.fallback)
        return
    cands = {r["name"]: (r["district"], r["name"], r["new_province"], r["new_commune"])
             for r in rows if r["province"] == cl.old_province and r["district"] in cl.districts}
    if not cands:
        cl.communes = list(cl.fallback)
        return
    chosen = [cands[c] for c in cl.preferred if c in cands][:n]
    if len(chosen) < n:
        rest = sorted(set(cands) - {c[1] for c in chosen})
        chosen += [cands[c] for c in rng.sample(rest, min(len(rest), n - len(chosen)))]
    cl.communes = chosen


class _Cum:
    """Weighted choice with precomputed cumulative weights (``random.choices`` is slower)."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, weights: dict):
        self.items = list(weights)
        self.cum = list(itertools.accumulate(weights.values()))
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random):
        return self.items[bisect.bisect(self.cum, rng.random() * self.total)]


# ------------------------------------------------------------------------------- generator


class _Demo:
    def __init__(self, households: int, seed: int, today: dt.date, forms_dir: Path):
        self.n_households = households
        self.rng = random.Random(seed)
        self.today = today
        self.year = today.year
        self.clusters = _clusters()
        self.pick_cluster = _Cum({c.key: c.share for c in self.clusters})
        self.by_key = {c.key: c for c in self.clusters}
        rows = _gazetteer_communes(forms_dir)
        setup = random.Random(seed + 1)
        for cl in self.clusters:
            n = max(4, min(12, int(households * cl.share) // 40))
            _choose_communes(setup, cl, rows, n)
            cl.officers = [_name(setup, "kinh", setup.random() < 0.5) for _ in range(3)]
        # Trade window: the 12 months before today, weighted by season; lots start early enough
        # to leave room for the later steps of the chain.
        start = today - dt.timedelta(days=365)
        days = [start + dt.timedelta(days=i) for i in range(366 - 25)]
        self.trade_days = days
        acc, cum = 0.0, []
        for d in days:
            acc += MONTH_WEIGHT[d.month]
            cum.append(acc)
        self.trade_cum = cum
        # this season's farm-gate price of dried cardamom (set by demand across the border)
        self.cardamom_price = setup.uniform(250_000, 290_000)
        self.lot_serial = 0
        self.ent_serial = 0
        # enterprise ids by (cluster, role) and by (chain, role); recent households for hh-to-hh trades
        self.local: dict[tuple[str, str], list[str]] = {}
        self.chain_pool: dict[tuple[str, str], list[str]] = {}
        self.recent: dict[str, deque] = {c.key: deque(maxlen=40) for c in self.clusters}
        self.recent_processors: deque = deque(maxlen=40)

    # --------------------------------------------------------------- small helpers
    def trade_day(self) -> dt.date:
        r = self.rng.random() * self.trade_cum[-1]
        return self.trade_days[bisect.bisect(self.trade_cum, r)]

    def later(self, d: dt.date, lo: int, hi: int) -> dt.date:
        d2 = d + dt.timedelta(days=self.rng.randint(lo, hi))
        return d2 if d2 <= self.today else self.today

    def interview_day(self) -> str:
        d = self.today - dt.timedelta(days=self.rng.randint(0, 75))
        return max(d, dt.date(2024, 1, 1)).isoformat()

    def status(self) -> str:
        return "draft" if self.rng.random() < 0.07 else "final"

    def place(self, cl: _Cluster, rec: dict, old_share: float = 0.2) -> None:
        rng = self.rng
        district, old_commune, new_province, new_commune = rng.choice(cl.communes)
        if rng.random() < old_share:
            rec["admin_system"] = "old"
            rec["province"] = cl.old_province
            rec["district"] = district
            rec["commune"] = old_commune
        else:
            rec["admin_system"] = "2025"
            rec["province"] = new_province
            rec["commune"] = new_commune
        n_villages = 4 + (sum(map(ord, old_commune)) % 8)
        rec["village"] = f"{cl.village_stem} {rng.randint(1, n_villages)}"

    def gps(self, cl: _Cluster) -> str:
        lat, lon = cl.centre
        return f"{lat + self.rng.uniform(-0.25, 0.25):.5f} {lon + self.rng.uniform(-0.25, 0.25):.5f}"

    def mass(self, kg: float, big: bool = False) -> tuple[float, str]:
        """A mass as people would say it: small amounts in kg or yến, large ones in tạ or tấn."""
        r = self.rng.random()
        if kg < 40:
            unit = "kg"
        elif kg < 400:
            unit = "kg" if r < 0.6 else "yen"
        elif kg < 5000 and not big:
            unit = "kg" if r < 0.3 else ("yen" if r < 0.45 else "ta")
        else:
            unit = "ta" if r < 0.4 else "tan"
        if kg >= 50_000:
            unit = "tan"
        f = UNIT_KG[unit]
        q = kg / f
        # as precise as people say it: 1,234 kg, 12.3 tạ, 2.35 tấn
        q = float(round(q)) if (unit == "kg" or q >= 100) else round(q, 1 if (unit == "yen" or q >= 10) else 2)
        if q <= 0:
            q, unit = max(1.0, float(round(kg))), "kg"
        return (int(q) if q == int(q) else q), unit

    @staticmethod
    def price_round(p: float) -> int:
        if p >= 100_000:
            return max(1000, _round_to(p, 1000))
        if p >= 10_000:
            return _round_to(p, 500)
        if p >= 1000:
            return _round_to(p, 50)
        return max(10, _round_to(p, 10))

    # --------------------------------------------------------------- enterprises
    ROLES = {
        "lc": (("collector", "trader", "exporter", "processor"),
               {"collector": 55, "trader": 20, "processor": 10, "exporter": 6, "input_supplier": 5,
                "service_provider": 4}),
        "lch": (("collector", "trader"),
                {"collector": 60, "trader": 22, "processor": 8, "input_supplier": 6, "service_provider": 4}),
        "qn": (("collector", "trader", "processor", "exporter"),
               {"collector": 45, "trader": 15, "processor": 25, "exporter": 7, "equipment_maker": 3,
                "service_provider": 5}),
        "hn": (("collector", "processor", "trader"),
               {"collector": 22, "processor": 35, "trader": 25, "farmer_processor": 8, "equipment_maker": 5,
                "service_provider": 5}),
    }

    def enterprises(self) -> Iterator[dict]:
        rng = self.rng
        total = max(self.n_households // 10, sum(len(v[0]) for v in self.ROLES.values()))
        for cl in self.clusters:
            must, weights = self.ROLES[cl.key]
            n = max(len(must), round(total * cl.share))
            pick = _Cum(weights)
            for role in itertools.chain(must, (pick(rng) for _ in range(n - len(must)))):
                yield self._new_enterprise(cl, role)

    def _new_enterprise(self, cl: _Cluster, role: str) -> dict:
        self.ent_serial += 1
        eid = f"ENT-{self.ent_serial:04d}"
        self.local.setdefault((cl.key, role), []).append(eid)
        self.chain_pool.setdefault((cl.chain, role), []).append(eid)
        return self.enterprise(cl, role, eid)

    _ENT_WORDS = ("Minh", "Phát", "Thịnh", "Hưng", "Thành", "An", "Phúc", "Tân", "Việt", "Hoàng", "Long",
                  "Bảo", "Đức", "Hòa", "Trường", "Sơn", "Quang", "Kim")
    _PRODUCTS_OF = {
        # (chain, role) -> (bought [(product, partner role)], sold [(product, partner role, markets)])
        ("cardamom", "collector"): ([("cardamom_dried", "farmer"), ("cardamom_fresh", "farmer")],
                                    [("cardamom_dried", "trader", "province other_province")]),
        ("cardamom", "trader"): ([("cardamom_dried", "collector")],
                                 [("cardamom_dried", "exporter", "other_province china")]),
        ("cardamom", "processor"): ([("cardamom_fresh", "farmer")], [("cardamom_dried", "trader", "province china")]),
        ("cardamom", "exporter"): ([("cardamom_dried", "trader")], [("cardamom_dried", "other", "china")]),
        ("rattan", "collector"): ([("rattan_raw", "harvester")], [("rattan_raw", "processor", "province")]),
        ("rattan", "trader"): ([("rattan_raw", "collector")], [("rattan_raw", "processor", "province other_province")]),
        ("rattan", "processor"): ([("rattan_raw", "collector")],
                                  [("rattan_semi", "exporter", "other_province"),
                                   ("rattan_products", "exporter", "export")]),
        ("rattan", "exporter"): ([("rattan_products", "processor")], [("rattan_products", "other", "export")]),
        ("starch", "collector"): ([("canna_root", "farmer"), ("cassava_root", "farmer")],
                                  [("canna_root", "farmer_processor", "village")]),
        ("starch", "processor"): ([("wet_starch", "farmer_processor")],
                                  [("noodles", "trader", "province other_province"),
                                   ("dry_starch", "trader", "other_province")]),
        ("starch", "trader"): ([("noodles", "processor")], [("noodles", "retailer", "province other_province")]),
        ("starch", "farmer_processor"): ([("canna_root", "collector")],
                                         [("wet_starch", "processor", "village"), ("residue", "farmer", "village")]),
    }
    # typical price per kg of each product (VND)
    _PRICE = {"cardamom_dried": (200_000, 350_000), "cardamom_fresh": (45_000, 75_000), "rattan_raw": (8_000, 17_000),
              "rattan_semi": (25_000, 40_000), "rattan_products": (80_000, 150_000), "canna_root": (1_800, 3_000),
              "cassava_root": (2_200, 3_300), "wet_starch": (5_000, 7_000), "dry_starch": (12_000, 18_000),
              "noodles": (30_000, 60_000), "residue": (300, 800), "maltose": (20_000, 30_000),
              "candy": (40_000, 70_000)}
    # peak-season volume per month of the main product bought, kg
    _VOLUME = {("cardamom", "collector"): (1_000, 8_000), ("cardamom", "trader"): (4_000, 20_000),
               ("cardamom", "processor"): (5_000, 40_000), ("cardamom", "exporter"): (15_000, 60_000),
               ("rattan", "collector"): (5_000, 30_000), ("rattan", "trader"): (15_000, 60_000),
               ("rattan", "processor"): (10_000, 50_000), ("rattan", "exporter"): (5_000, 30_000),
               ("starch", "collector"): (200_000, 1_500_000), ("starch", "processor"): (50_000, 400_000),
               ("starch", "trader"): (20_000, 120_000), ("starch", "farmer_processor"): (100_000, 600_000)}
    # kg of product sold per kg of the main product bought
    _YIELD = {("cardamom_fresh", "cardamom_dried"): 0.22, ("rattan_raw", "rattan_semi"): 0.6,
              ("rattan_raw", "rattan_products"): 0.45, ("wet_starch", "noodles"): 0.5,
              ("wet_starch", "dry_starch"): 0.55, ("canna_root", "wet_starch"): 0.25, ("canna_root", "residue"): 0.5}
    _EQUIPMENT = {
        ("cardamom", "collector"): (("truck", 0.6), ("dryer_kiln", 0.4)),
        ("cardamom", "trader"): (("truck", 0.9),),
        ("cardamom", "processor"): (("dryer_kiln", 0.7), ("improved_dryer", 0.7), ("truck", 0.5)),
        ("cardamom", "exporter"): (("improved_dryer", 0.5), ("truck", 1.0), ("other", 0.4)),
        ("rattan", "collector"): (("truck", 0.5),),
        ("rattan", "trader"): (("truck", 0.9),),
        ("rattan", "processor"): (("boiler", 0.6), ("other", 0.8), ("truck", 0.6)),
        ("rattan", "exporter"): (("truck", 1.0), ("other", 0.5)),
        ("starch", "collector"): (("truck", 1.0),),
        ("starch", "processor"): (("grinder", 0.6), ("filter", 0.6), ("settling_tank", 0.7), ("boiler", 0.7),
                                  ("noodle_machine", 0.8), ("truck", 0.5)),
        ("starch", "trader"): (("truck", 0.8),),
        ("starch", "farmer_processor"): (("grinder", 1.0), ("filter", 0.9), ("settling_tank", 1.0)),
        ("starch", "equipment_maker"): (("other", 1.0), ("truck", 0.4)),
    }
    _EQ_VALUE = {"grinder": (20, 80), "filter": (10, 40), "settling_tank": (5, 30), "dryer_kiln": (10, 50),
                 "improved_dryer": (60, 300), "noodle_machine": (50, 400), "boiler": (20, 150), "truck": (150, 800),
                 "other": (5, 60)}  # million VND per unit

    def enterprise(self, cl: _Cluster, role: str, eid: str) -> dict:
        rng = self.rng
        rec: dict = {}
        self.place(cl, rec, old_share=0.15)
        rec["interview_date"] = self.interview_day()
        rec["enterprise_id"] = eid
        eth = "kinh" if rng.random() < 0.8 else _Cum(cl.ethnicity)(rng)
        male = rng.random() < 0.75
        owner = _name(rng, eth, male)
        given = owner.split()[-1]
        if rng.random() < 0.85:
            stem = {"collector": "Đại lý thu mua", "trader": "Cửa hàng", "processor": "Cơ sở chế biến",
                    "exporter": "Công ty TNHH Thương mại", "farmer_processor": "Hộ kinh doanh",
                    "input_supplier": "Cửa hàng vật tư", "equipment_maker": "Xưởng cơ khí",
                    "service_provider": "Dịch vụ"}[role]
            what = {"cardamom": "thảo quả", "rattan": "mây", "starch": "tinh bột"}[cl.chain]
            if role == "exporter":
                rec["enterprise_name"] = f"{stem} {rng.choice(self._ENT_WORDS)} {rng.choice(self._ENT_WORDS)}"
            elif role in ("collector", "processor", "trader"):
                rec["enterprise_name"] = f"{stem} {what} {given}"
            else:
                rec["enterprise_name"] = f"{stem} {given}"
        rec["owner_name"] = owner
        if rng.random() < 0.92:
            rec["owner_phone"] = _phone(rng)
        rec["role"] = role
        rec["chains"] = cl.chain if rng.random() < 0.93 else f"{cl.chain} other"
        oldest = 1990 if role in ("exporter", "processor") else 2000
        rec["year_started"] = rng.randint(oldest, self.year)
        rec["registered"] = "yes" if rng.random() < (0.95 if role in ("exporter", "processor") else 0.45) else "no"
        if rng.random() < 0.6:
            rec["gps"] = self.gps(cl)

        bought, sold, markets = [], [], set()
        bought_def, sold_def = self._PRODUCTS_OF.get((cl.chain, role), ([], []))
        lo, hi = self._VOLUME.get((cl.chain, role), (1_000, 5_000))
        volume = rng.uniform(lo, hi)  # kg of the main product bought per month in the peak season
        main, main_price = None, 0
        for i, (product, partner) in enumerate(bought_def):
            if i and rng.random() < 0.5:
                continue
            peak = volume if i == 0 else volume * rng.uniform(0.1, 0.4)
            off = peak * rng.uniform(0.1, 0.5)
            pq, pu = self.mass(peak, big=True)
            oq, ou = self.mass(off, big=True)
            plo, phi = self._PRICE[product]
            price = self.price_round(rng.uniform(plo, phi))
            if i == 0:
                main, main_price = product, price
            bought.append({"bought_product": product, "bought_volume_peak": pq, "bought_volume_peak_unit": pu,
                           "bought_volume_off": oq, "bought_volume_off_unit": ou,
                           "bought_avg_price": price, "bought_partner_role": partner})
        share = 1.0
        for i, (product, partner, mk) in enumerate(sold_def):
            if i and rng.random() < 0.4:
                continue
            part = share * (rng.uniform(0.6, 0.8) if i == 0 and len(sold_def) > 1 else 1.0)
            share -= part
            if product == main:  # bought and sold as it is, with a margin
                peak = volume * part * rng.uniform(0.95, 1.0)
                price = self.price_round(main_price * rng.uniform(1.04, 1.15))
            else:
                peak = volume * part * self._YIELD.get((main, product), 0.5)
                plo, phi = self._PRICE[product]
                price = self.price_round(rng.uniform(plo, phi))
            off = peak * rng.uniform(0.1, 0.5)
            pq, pu = self.mass(peak, big=True)
            oq, ou = self.mass(off, big=True)
            sold.append({"sold_product": product, "sold_volume_peak": pq, "sold_volume_peak_unit": pu,
                         "sold_volume_off": oq, "sold_volume_off_unit": ou, "sold_avg_price": price,
                         "sold_partner_role": partner, "sold_markets": mk})
            markets.update(mk.split())
        if role in ("input_supplier", "service_provider", "equipment_maker") or not sold:
            markets.add("village")
            if rng.random() < 0.5:
                markets.add("province")
        rec["products_bought"] = bought
        rec["products_sold"] = sold

        equipment = []
        for etype, p in self._EQUIPMENT.get((cl.chain, role), (("truck", 0.3),)):
            if rng.random() < p:
                count = 1 if etype == "truck" else rng.randint(1, 6 if etype == "settling_tank" else 3)
                lo, hi = self._EQ_VALUE[etype]
                row = {"equipment_type": etype, "equipment_count": count,
                       "equipment_value": _round_to(count * rng.uniform(lo, hi) * 1e6, 1_000_000)}
                if rng.random() < 0.9:
                    row["year_bought"] = rng.randint(max(rec["year_started"], self.year - 20), self.year)
                equipment.append(row)
        rec["equipment"] = equipment

        big = role in ("exporter", "processor")
        rec["family_men"] = rng.randint(0 if big else 1, 3)
        rec["family_women"] = rng.randint(0 if big else 1, 3)
        hired_scale = {"exporter": 25, "processor": 12, "trader": 3, "collector": 2}.get(role, 1)
        h = [int(rng.random() * hired_scale * f) for f in (0.6, 0.3, 1.2, 1.5)]
        (rec["hired_skilled_men"], rec["hired_skilled_women"],
         rec["hired_unskilled_men"], rec["hired_unskilled_women"]) = h
        rec["hired_total"] = sum(h)
        if rec["hired_total"] > 0:
            rec["wage_per_day"] = _round_to(rng.uniform(250_000, 400_000) if cl.key == "hn"
                                            else rng.uniform(180_000, 320_000), 10_000)
        turnover = 5 * sum(r["sold_avg_price"] * r["sold_volume_peak"] * UNIT_KG[r["sold_volume_peak_unit"]]
                           for r in sold)
        base = max(turnover, 200_000_000)
        rec["cost_transport"] = _round_to(base * rng.uniform(0.01, 0.04), 100_000)
        rec["cost_processing"] = _round_to(base * rng.uniform(0.01, 0.06) if role in ("processor", "farmer_processor")
                                           else base * rng.uniform(0, 0.01), 100_000)
        rec["cost_fuel"] = _round_to(base * rng.uniform(0.005, 0.03), 100_000)
        rec["cost_tax"] = _round_to(base * rng.uniform(0.002, 0.015), 100_000) if rec["registered"] == "yes" else 0
        rec["cost_other"] = _round_to(base * rng.uniform(0, 0.01), 100_000)
        rec["total_costs"] = (rec["cost_transport"] + rec["cost_processing"] + rec["cost_fuel"] + rec["cost_tax"]
                              + rec["cost_other"])
        order = ("village", "province", "other_province", "china", "export")
        rec["markets"] = " ".join(m for m in order if m in markets)
        if rng.random() < 0.05:
            rec["remarks"] = rng.choice(("Chủ cơ sở đi vắng, phỏng vấn người quản lý.",
                                         "Số liệu khối lượng do chủ cơ sở ước tính.",
                                         "Cơ sở tạm nghỉ hai tháng sau Tết."))
        rec["_officer"] = rng.choice(cl.officers)
        rec["_status"] = self.status()
        return rec

    # --------------------------------------------------------------- households
    def members(self, cl: _Cluster, eth: str, size: int) -> list[dict]:
        rng = self.rng
        names_eth = eth if eth in _NAMES else "kinh"
        head_male = rng.random() < 0.86
        head_age = rng.randint(24, 72)
        head_family = rng.choice(_NAMES[names_eth][0])
        rows = [("head", head_male, head_age, head_family)]
        father_family = head_family if head_male else None
        youngest_parent = head_age
        if size >= 2 and rng.random() < 0.9:
            sp_age = max(18, head_age + rng.randint(-7, 4) * (1 if head_male else -1))
            sp_family = rng.choice(_NAMES[names_eth][0])
            rows.append(("spouse", not head_male, sp_age, sp_family))
            youngest_parent = min(head_age, sp_age)
            if not head_male:
                father_family = sp_family
        father_family = father_family or head_family
        if len(rows) < size and head_age < 55 and rng.random() < 0.35:
            rows.append(("parent", rng.random() < 0.4, min(95, head_age + rng.randint(20, 32)), None))
        while len(rows) < size:
            if youngest_parent >= 19 and rng.random() < 0.9:
                age = rng.randint(0, min(youngest_parent - 18, 30))
                rows.append(("child", rng.random() < 0.52, age, father_family))
            else:
                rows.append(("other", rng.random() < 0.5, rng.randint(0, 80), None))
        adult_occ = _ADULT_OCC[cl.chain]
        edu = _EDU_KINH if eth == "kinh" else _EDU_MINORITY
        out = []
        for relation, male, age, family in rows:
            m = {"member_name": _name(rng, names_eth, male, family), "relation_to_head": relation,
                 "member_sex": "male" if male else "female", "member_age": age}
            if age >= 6:
                if age < 18:
                    m["member_occupation"] = "student" if rng.random() < 0.9 else "farming"
                elif age < 23 and rng.random() < 0.3:
                    m["member_occupation"] = "student"
                elif age >= 65:
                    r = rng.random()
                    m["member_occupation"] = "none" if r < 0.4 else ("housework" if r < 0.7 else adult_occ(rng))
                else:
                    m["member_occupation"] = adult_occ(rng)
                if rng.random() < 0.92:
                    if age < 11:
                        m["member_education"] = "none"
                    elif age < 15:
                        m["member_education"] = "primary"
                    elif age < 18:
                        m["member_education"] = "lower_secondary"
                    else:
                        level = edu(rng)
                        if age > 55 and level in ("vocational", "university", "upper_secondary") and rng.random() < 0.6:
                            level = "lower_secondary"
                        m["member_education"] = level
            out.append(m)
        return out

    def crop(self, crop: str, area: tuple | None, fresh_kg: float, sold_kg: float, price: int, sold_to: str,
             extra: dict | None = None, other: str | None = None) -> dict:
        c: dict = {"crop": crop}
        if other:
            c["crop_other"] = other
        if area:
            c["crop_area"], c["crop_area_unit"] = area
        c["harvest_fresh"], c["harvest_fresh_unit"] = self.mass(fresh_kg)
        if extra:
            c.update(extra)
        q, u = self.mass(sold_kg) if sold_kg > 0 else (0, "kg")
        c["qty_sold"], c["qty_sold_unit"] = q, u
        if q > 0:
            if crop == "cardamom":
                c["cardamom_sold_as"] = "dried" if (extra or {}).get("drying_method") != "none" else "fresh"
            c["sale_price"] = price
            c["sold_to"] = sold_to
        c["qty_sold_kg"] = q * UNIT_KG[u]
        c["crop_sales_value"] = _xround(c["qty_sold_kg"] * (price if q > 0 else 0))
        return c

    def area(self, ha: float, units: tuple[str, ...], weights: tuple[float, ...]) -> tuple:
        unit = self.rng.choices(units, weights)[0]
        v = ha * 10000 / AREA_M2[unit]
        if unit == "m2":
            v = _round_to(v, 10)
        elif unit == "ha":
            v = round(v, 2)
        else:
            v = round(v, 1)
        v = max(v, 0.1)
        return (int(v) if v == int(v) else v), unit

    def household(self, serial: int) -> tuple[dict, dict]:
        """The record and a summary for the trades: cluster, lots to sell, processing."""
        rng = self.rng
        cl = self.by_key[self.pick_cluster(rng)]
        rec: dict = {}
        self.place(cl, rec)
        rec["interview_date"] = self.interview_day()
        rec["hh_code"] = f"{cl.prefix}-{serial:05d}"
        eth = _Cum(cl.ethnicity)(rng)
        size = max(1, min(12, round(rng.gauss(4.2 if cl.key == "hn" else 5.3, 1.6))))
        members = self.members(cl, eth, size)
        rec["head_name"] = members[0]["member_name"]
        if rng.random() < (0.9 if cl.key == "hn" else 0.7):
            rec["head_phone"] = _phone(rng)
        rec["ethnicity"] = eth
        if eth == "other":
            rec["ethnicity_other"] = rng.choice(_OTHER_ETHNICITY[cl.key])
        rec["area_type"] = ("peri_urban" if rng.random() < 0.85 else ("rural" if rng.random() < 0.7 else "urban")) \
            if cl.key == "hn" else "rural"
        rec["hh_size"] = size
        if rng.random() < 0.6:
            rec["gps"] = self.gps(cl)
        rec["members"] = members

        plots, crops = [], []
        summary: dict = {"cluster": cl, "code": rec["hh_code"], "lots": [], "role": "farmer"}
        own_food = 0
        if cl.chain == "cardamom":
            ha = min(6.0, max(0.2, rng.lognormvariate(math.log(1.6), 0.55)))
            a = self.area(ha, ("ha", "sao_bac", "m2"), (6, 3, 1))
            plots.append(_plot(a, "cardamom", "forest_allocated" if rng.random() < 0.75 else "owned", "no"))
            maturity = rng.choices(("mature", "mixed", "immature"), (65, 20, 15))[0]
            drying = rng.choices(("traditional_kiln", "improved_dryer", "sun", "none"), (58, 22, 8, 12))[0]
            ha_real = a[0] * AREA_M2[a[1]] / 10000
            dried = ha_real * rng.uniform(50, 150) * {"mature": 1, "mixed": 0.93, "immature": 0.85}[maturity] \
                * (1.05 if drying == "improved_dryer" else 1)
            ratio = {"improved_dryer": rng.uniform(4.0, 4.3), "traditional_kiln": rng.uniform(4.5, 5.0),
                     "sun": rng.uniform(4.6, 5.0), "none": rng.uniform(4.3, 5.0)}[drying]
            fresh = dried * ratio
            extra = {"harvest_maturity": maturity, "drying_method": drying}
            mat_f = {"mature": 1, "mixed": 0.93, "immature": 0.85}[maturity]
            if drying == "none":
                sold, price = fresh * rng.uniform(0.92, 1.0), self.price_round(rng.uniform(45_000, 75_000) * mat_f)
                product = "cardamom_fresh"
            else:
                dq, du = self.mass(dried)
                extra = {"harvest_dried": dq, "harvest_dried_unit": du, **extra}
                sold = dried * rng.uniform(0.85, 1.0)
                price = self.price_round(self.cardamom_price * (0.97 if cl.key == "lch" else 1.0)
                                         * rng.uniform(0.9, 1.1) * mat_f
                                         * {"improved_dryer": 1.06, "traditional_kiln": 1.0, "sun": 0.95}[drying])
                product = "cardamom_dried"
            sold_to = rng.choices(("collector", "trader", "cooperative", "market"), (72, 14, 9, 5))[0]
            c = self.crop("cardamom", a, fresh, sold, price, sold_to, extra)
            crops.append(c)
            summary["lots"].append(("cardamom", product, c["qty_sold_kg"], price, 3 + (rng.random() < 0.5)))
            # rice terraces and maize for food
            rice_ha = rng.uniform(0.05, 0.3)
            a = self.area(rice_ha, ("sao_bac", "m2"), (6, 4))
            plots.append(_plot(a, "rice", "owned", "yes" if rng.random() < 0.6 else "no"))
            rice_kg = a[0] * AREA_M2[a[1]] * rng.uniform(0.35, 0.55)
            crops.append(self.crop("rice", a, rice_kg, 0, 0, ""))
            own_food += rice_kg * 8000
            if rng.random() < 0.55:
                mh = rng.uniform(0.2, 1.0)
                a = self.area(mh, ("ha", "sao_bac"), (5, 5))
                plots.append(_plot(a, "maize", "owned" if rng.random() < 0.8 else "rented", "no"))
                mkg = mh * rng.uniform(2500, 4500)
                sold_m = mkg * rng.uniform(0.3, 0.8) if rng.random() < 0.6 else 0
                crops.append(self.crop("maize", a, mkg, sold_m, self.price_round(rng.uniform(5500, 7500)), "collector"))
                own_food += (mkg - sold_m) * 3000
            if cl.key == "lch" and rng.random() < 0.25:
                th = rng.uniform(0.2, 0.8)
                a = self.area(th, ("ha", "sao_bac"), (5, 5))
                plots.append(_plot(a, "tea", "owned", "no"))
                tkg = th * rng.uniform(5000, 9000)
                crops.append(self.crop("tea", a, tkg, tkg * 0.95, self.price_round(rng.uniform(6000, 10000)),
                                       "processor"))
            if rng.random() < 0.07:
                oh = rng.uniform(0.3, 1.5)
                a = self.area(oh, ("ha",), (1,))
                plots.append(_plot(a, "other", "owned", "no", other="Quế" if cl.key == "lc" else "Sa nhân"))
        elif cl.chain == "rattan":
            summary["role"] = "harvester"
            area = None
            if rng.random() < 0.3:
                area = self.area(rng.uniform(0.1, 1.0), ("sao_trung", "m2"), (8, 2))
                plots.append(_plot(area, "rattan", "forest_allocated" if rng.random() < 0.6 else "owned", "no"))
            fresh = min(8000.0, rng.lognormvariate(math.log(1600), 0.6))
            sold = fresh * rng.uniform(0.85, 1.0)
            price = self.price_round(rng.uniform(8_000, 17_000))
            sold_to = rng.choices(("collector", "trader", "processor"), (68, 20, 12))[0]
            c = self.crop("rattan", area, fresh, sold, price, sold_to)
            crops.append(c)
            summary["lots"].append(("rattan", "rattan_raw", c["qty_sold_kg"], price, 3 + (rng.random() < 0.6)))
            a = self.area(rng.uniform(0.05, 0.25), ("sao_trung", "m2"), (8, 2))
            plots.append(_plot(a, "rice", "owned", "yes" if rng.random() < 0.5 else "no"))
            rice_kg = a[0] * AREA_M2[a[1]] * rng.uniform(0.3, 0.5)
            crops.append(self.crop("rice", a, rice_kg, 0, 0, ""))
            own_food += rice_kg * 8000
            if rng.random() < 0.4:
                cha = rng.uniform(0.1, 0.5)
                a = self.area(cha, ("sao_trung", "ha"), (7, 3))
                plots.append(_plot(a, "cassava", "owned", "no"))
                ckg = cha * rng.uniform(15_000, 22_000)
                crops.append(self.crop("cassava", a, ckg, ckg * rng.uniform(0.8, 1.0),
                                       self.price_round(rng.uniform(2000, 3000)), "collector"))
            if rng.random() < 0.35:
                kh = rng.uniform(0.5, 3.0)
                a = self.area(kh, ("ha",), (1,))
                plots.append(_plot(a, "other", "forest_allocated", "no", other="Keo"))
                if rng.random() < 0.2:  # acacia is cut every 5-7 years
                    kkg = kh * rng.uniform(60_000, 100_000)
                    crops.append(self.crop("other", a, kkg, kkg, self.price_round(rng.uniform(1000, 1300)), "trader",
                                           other="Keo"))
        else:  # starch village
            if rng.random() < 0.6:
                a = self.area(rng.uniform(0.05, 0.25), ("sao_bac", "m2"), (8, 2))
                plots.append(_plot(a, "rice", "owned", "yes"))
                rice_kg = a[0] * AREA_M2[a[1]] * rng.uniform(0.5, 0.65)
                crops.append(self.crop("rice", a, rice_kg, 0, 0, ""))
                own_food += rice_kg * 8000
            if rng.random() < 0.15:
                ch = rng.uniform(0.05, 0.3)
                a = self.area(ch, ("sao_bac",), (1,))
                plots.append(_plot(a, "canna", "owned", "no"))
                ckg = ch * rng.uniform(40_000, 60_000)
                c = self.crop("canna", a, ckg, ckg * rng.uniform(0.5, 1.0), self.price_round(rng.uniform(1800, 2800)),
                              "processor")
                crops.append(c)
                summary["canna"] = (c["qty_sold_kg"], c["sale_price"] if c["qty_sold"] else 0)
            if rng.random() < 0.25:
                vh = rng.uniform(0.03, 0.1)
                a = self.area(vh, ("sao_bac", "m2"), (6, 4))
                plots.append(_plot(a, "vegetables", "owned" if rng.random() < 0.7 else "rented", "yes"))
                vkg = vh * rng.uniform(15_000, 30_000)
                crops.append(self.crop("vegetables", a, vkg, vkg * rng.uniform(0.5, 0.9),
                                       self.price_round(rng.uniform(5000, 12000)), "market"))
        rec["plots"] = plots
        rec["crops"] = crops
        rec["crop_sales_total"] = sum(c["crop_sales_value"] for c in crops)

        # livestock and processing
        processes: list[str] = []
        income_processing = 0
        if cl.chain == "starch" and rng.random() < 0.88:
            processes = ["wet_starch"]
            for p, share in (("dry_starch", 0.35), ("maltose", 0.1), ("noodles", 0.25), ("candy", 0.03)):
                if rng.random() < share:
                    processes.append(p)
            summary["role"] = "farmer_processor"
            roots_t = rng.lognormvariate(math.log(700), 0.6)
            wet = roots_t * 1000 * rng.uniform(0.22, 0.28)
            starch: dict = {}
            starch["roots_processed"], starch["roots_processed_unit"] = self.mass(roots_t * 1000, big=True)
            starch["wet_starch_output"], starch["wet_starch_output_unit"] = self.mass(wet, big=True)
            if "dry_starch" in processes:
                starch["dry_starch_output"], starch["dry_starch_output_unit"] = self.mass(
                    wet * rng.uniform(0.3, 0.8) * 0.55, big=True)
            noodles = rng.uniform(5e7, 2e8) if "noodles" in processes else 0
            income_processing = _round_to(wet * rng.uniform(250, 700) + noodles, 1_000_000)
            summary["lots"] += [("starch", "canna_root" if rng.random() < 0.75 else "cassava_root",
                                 rng.uniform(5_000, 30_000), 0, 3 + (rng.random() < 0.5)) for _ in range(3)]
            pigs = rng.randint(10, 150) if rng.random() < 0.7 else 0
        else:
            if cl.chain == "cardamom" and rec["crops"][0].get("drying_method") not in ("none", None):
                processes = ["dried_cardamom"]
            elif cl.chain == "rattan" and rng.random() < 0.15:
                processes = ["rattan_products"]
                income_processing = _round_to(rng.uniform(5e6, 3e7), 100_000)
            pigs = rng.randint(1, 6) if rng.random() < 0.75 else 0
            if cl.chain == "starch":
                pigs = rng.randint(2, 40) if rng.random() < 0.5 else 0
            starch = {}
        rec["pigs"] = pigs
        if pigs:
            rec["pigs_fed_residue"] = "yes" if (cl.chain == "starch" and rng.random() < 0.9) else "no"
        rec["poultry"] = rng.randint(5, 60) if cl.chain != "starch" else rng.randint(0, 30)
        rec["cattle"] = (rng.randint(0, 4) if rng.random() < 0.55 else 0) if cl.chain != "starch" else 0
        rec["processes"] = " ".join(processes) if processes else "none"
        rec.update(starch)
        summary["pigs"] = pigs

        # income (net, VND per year)
        adults = [m for m in members if m.get("member_occupation")]
        wage_workers = sum(m["member_occupation"] == "wage_labour" for m in adults)
        traders = sum(m["member_occupation"] == "trading" for m in adults)
        mountain = cl.chain != "starch"
        inc = {
            "income_crops": _round_to(rec["crop_sales_total"] * rng.uniform(0.7, 0.9) + own_food, 100_000),
            "income_livestock": _round_to(pigs * rng.uniform(0.8, 1.8) * 1e6 + rec["poultry"] * rng.uniform(40e3, 80e3)
                                          + rec["cattle"] * rng.uniform(2e6, 5e6), 100_000),
            "income_processing": income_processing,
            "income_trading": _round_to(traders * rng.uniform(2e7, 1.2e8), 100_000),
            # wage workers, plus seasonal hired work (weeding, harvesting for others) in the mountains
            "income_wages": _round_to(wage_workers * (rng.uniform(1.5e7, 4e7) if mountain else rng.uniform(6e7, 1.2e8))
                                      + (rng.uniform(8e6, 3.5e7) if rng.random() < (0.7 if mountain else 0.3) else 0),
                                      100_000),
            "income_remittances": _round_to(rng.uniform(5e6, 5e7), 100_000) if rng.random() < 0.3 else 0,
            # pensions, social support, and in the mountains payments for forest protection
            "income_other": _round_to(rng.uniform(2e6, 1.2e7), 100_000) if rng.random() < (0.6 if mountain else 0.3)
            else 0,
        }
        rec.update(inc)
        total = sum(inc.values())
        rec["total_income"] = total
        rec["income_per_capita"] = _xround(total / size)
        rec["income_pc_month"] = _xround(rec["income_per_capita"] / 12)
        rec["poverty_line"] = 2_000_000 if rec["area_type"] == "urban" else 1_500_000

        # associations and services
        assoc = [a for a, p in (("cooperative", 0.1), ("farmers_union", 0.45), ("womens_union", 0.4),
                                ("producer_group", 0.1)) if rng.random() < p]
        rec["associations"] = " ".join(assoc) if assoc else "none"
        poor = rec["income_pc_month"] < rec["poverty_line"]
        if rng.random() < (0.6 if poor else 0.4):
            rec["credit_access"] = "yes"
            src = [s for s, p in (("vbsp", 0.75 if poor else 0.35), ("agribank", 0.2 if poor else 0.45),
                                  ("private_lender", 0.08), ("relatives", 0.15), ("microfinance", 0.05),
                                  ("other", 0.02)) if rng.random() < p]
            rec["credit_source"] = " ".join(src) if src else "vbsp"
        else:
            rec["credit_access"] = "no"
        if rng.random() < 0.35:
            rec["extension_access"] = "yes"
            topics = {"cardamom": ("cultivation", "drying", "marketing"), "rattan": ("cultivation", "marketing"),
                      "starch": ("processing", "marketing", "other")}[cl.chain]
            chosen = [t for t in topics if rng.random() < 0.5] or [topics[0]]
            rec["extension_topics"] = " ".join(chosen)
        else:
            rec["extension_access"] = "no"
        if rng.random() < 0.04:
            rec["remarks"] = rng.choice(("Chủ hộ đi vắng, phỏng vấn vợ chủ hộ.", "Hộ mới tách hộ năm nay.",
                                         "Sản lượng do hộ ước tính.",
                                         "Người trả lời không nhớ rõ thu nhập từ làm thuê."))
        rec["_officer"] = rng.choice(cl.officers)
        rec["_status"] = self.status()
        return rec, summary

    # --------------------------------------------------------------- trades
    def party(self, chain: str, cluster: str, role: str) -> tuple[str, str, str]:
        ids = self.local.get((cluster, role)) or self.chain_pool.get((chain, role))
        if not ids:
            ids = self.chain_pool[(chain, "trader")]
        return "enterprise", self.rng.choice(ids), role

    _RETAILERS = ("Chợ Đồng Xuân", "Chợ Long Biên", "Chợ Hà Đông", "Siêu thị Hà Đông", "Đại lý Thanh Hóa",
                  "Chợ Lạng Sơn", "Chợ Nam Định")
    _CHANNELS = {
        "cardamom": ("Tại nhà", "Kho người thu gom", "Chợ phiên", "Cửa khẩu Kim Thành", "Đặt hàng qua điện thoại"),
        "rattan": ("Tại nhà", "Bìa rừng", "Kho người thu gom", "Xưởng chế biến", "Đặt hàng qua điện thoại"),
        "starch": ("Tại nhà", "Tại xưởng", "Chợ đầu mối", "Đặt hàng qua điện thoại", "Giao tận nơi"),
    }

    def trade(self, day: dt.date, seller: tuple, buyer: tuple, cl: _Cluster, product: str, kg: float,
              price_kg: float, lot: str | None) -> dict:
        rng = self.rng
        q, unit = self.mass(kg)
        r = rng.random()
        if unit in ("ta", "tan") and r < 0.45:
            price_unit = unit
        elif r < 0.05:
            price_unit = "yen"
        else:
            price_unit = "kg"
        p = self.price_round(price_kg)
        f = UNIT_KG[price_unit]
        unit_price = p * f
        rec = {
            "trade_date": day.isoformat(),
            "seller_type": seller[0], "seller_id": seller[1], "seller_role": seller[2],
            "buyer_type": buyer[0], "buyer_id": buyer[1], "buyer_role": buyer[2],
            "chain": cl.chain, "product": product,
            "quantity": q, "quantity_unit": unit,
            "price_unit": price_unit, "price_unit_kg": f, "unit_price": unit_price,
        }
        qkg = q * UNIT_KG[unit]
        rec["quantity_kg"] = qkg
        rec["price_per_kg"] = _xround(unit_price / f)
        rec["trade_value"] = _xround(qkg * unit_price / f)
        if seller[0] == "household" and rng.random() < 0.6:
            rec["transport_cost"] = 0
            rec["transport_paid_by"] = "none" if rng.random() < 0.7 else "buyer"
        else:
            rec["transport_cost"] = _round_to(qkg * rng.uniform(50, 600) + 50_000, 10_000)
            rec["transport_paid_by"] = rng.choices(("seller", "buyer", "shared"), (3, 5, 1))[0]
        if seller[0] == "enterprise" and rng.random() < 0.4:
            rec["processing_cost"] = _round_to(qkg * price_kg * rng.uniform(0.005, 0.02), 10_000)
            rec["processing_paid_by"] = "seller"
        else:
            if rng.random() < 0.5:
                rec["processing_cost"] = 0
            rec["processing_paid_by"] = "none"
        rec["payment"] = rng.choices(("cash", "credit", "advance"), (75, 15, 10))[0]
        if lot:
            rec["lot_code"] = lot
        if rng.random() < 0.6:
            rec["channel"] = rng.choice(self._CHANNELS[cl.chain])
        if rng.random() < 0.02:
            rec["remarks"] = rng.choice(("Hàng ẩm, trừ 2% khối lượng.", "Trả trước một nửa.", "Giao hàng chậm do mưa."))
        rec["_officer"] = rng.choice(cl.officers)
        rec["_status"] = "draft" if rng.random() < 0.04 else "final"
        return rec

    def new_lot(self, cl: _Cluster, day: dt.date) -> str | None:
        if self.rng.random() < 0.1:  # informal trades with no code on the sacks
            return None
        self.lot_serial += 1
        return f"{cl.lot_prefix}-{day.year}-{self.lot_serial:06d}"

    def lots(self, summary: dict) -> Iterator[dict]:
        rng = self.rng
        cl: _Cluster = summary["cluster"]
        me = ("household", summary["code"], summary["role"])
        for chain, product, total_kg, price, n_lots in summary["lots"]:
            if total_kg <= 0:
                continue
            if chain == "starch":
                yield from self.starch_lot(cl, me, product, total_kg)
                continue
            shares = [rng.random() + 0.3 for _ in range(n_lots)]
            s = sum(shares)
            for share in shares:
                kg = total_kg * share / s
                if kg < 1:
                    continue
                p0 = price * rng.uniform(0.95, 1.05)
                if chain == "cardamom":
                    yield from self.cardamom_lot(cl, me, product, kg, p0)
                else:
                    yield from self.rattan_lot(cl, me, kg, p0)
        if summary.get("canna") and self.recent_processors:
            kg, price = summary["canna"]
            if kg > 0 and price > 0:
                buyer = ("household", rng.choice(self.recent_processors), "farmer_processor")
                day = self.trade_day()
                yield self.trade(day, me, buyer, cl, "canna_root", kg, price, None)
        if summary["role"] == "farmer_processor":
            if rng.random() < 0.5 and self.recent[cl.key]:
                buyer_code = rng.choice(self.recent[cl.key])
                if buyer_code != summary["code"]:
                    yield self.trade(self.trade_day(), me, ("household", buyer_code, "farmer"), cl, "residue",
                                     rng.uniform(2_000, 15_000), rng.uniform(300, 800), None)
            self.recent_processors.append(summary["code"])
        if summary.get("pigs"):
            self.recent[cl.key].append(summary["code"])

    def cardamom_lot(self, cl, me, product, kg, p0):
        rng = self.rng
        day = self.trade_day()
        lot = self.new_lot(cl, day)
        fresh = product == "cardamom_fresh"
        r = rng.random()
        first = "processor" if fresh and r < 0.5 else ("collector" if r < 0.85 else "trader")
        b1 = self.party("cardamom", cl.key, first)
        yield self.trade(day, me, b1, cl, product, kg, p0, lot)
        if fresh:  # the buyer dries it: about 4.5 kg fresh give 1 kg dried
            ratio = rng.uniform(4.2, 4.8)
            kg, p0 = kg / ratio, p0 * ratio
        else:
            kg *= rng.uniform(0.97, 1.0)
        if first == "trader":
            day = self.later(day, 3, 20)
            yield self.trade(day, b1, self.party("cardamom", "lc", "exporter"), cl, "cardamom_dried", kg,
                             p0 * rng.uniform(1.15, 1.25), lot)
            return
        day = self.later(day, 2, 15)
        if rng.random() < 0.7:
            b2 = self.party("cardamom", cl.key, "trader")
            yield self.trade(day, b1, b2, cl, "cardamom_dried", kg, p0 * rng.uniform(1.05, 1.10), lot)
            day = self.later(day, 3, 20)
            yield self.trade(day, b2, self.party("cardamom", "lc", "exporter"), cl, "cardamom_dried",
                             kg * rng.uniform(0.98, 1.0), p0 * rng.uniform(1.15, 1.25), lot)
        else:
            yield self.trade(day, b1, self.party("cardamom", "lc", "exporter"), cl, "cardamom_dried", kg,
                             p0 * rng.uniform(1.10, 1.20), lot)

    def rattan_lot(self, cl, me, kg, p0):
        rng = self.rng
        day = self.trade_day()
        lot = self.new_lot(cl, day)
        r = rng.random()
        first = "collector" if r < 0.75 else ("trader" if r < 0.9 else "processor")
        b1 = self.party("rattan", cl.key, first)
        yield self.trade(day, me, b1, cl, "rattan_raw", kg, p0, lot)
        seller, markup = b1, 1.0
        if first != "processor":
            kg *= rng.uniform(0.97, 1.0)
            day = self.later(day, 2, 12)
            if first == "collector" and rng.random() < 0.4:
                b2 = self.party("rattan", cl.key, "trader")
                markup = rng.uniform(1.10, 1.20)
                yield self.trade(day, b1, b2, cl, "rattan_raw", kg, p0 * markup, lot)
                seller, day = b2, self.later(day, 2, 12)
            proc = self.party("rattan", cl.key, "processor")
            markup *= rng.uniform(1.10, 1.20)
            yield self.trade(day, seller, proc, cl, "rattan_raw", kg, p0 * markup, lot)
            seller = proc
        if rng.random() < 0.7:
            day = self.later(day, 10, 40)
            if rng.random() < 0.6:
                yield self.trade(day, seller, self.party("rattan", cl.key, "exporter"), cl, "rattan_products",
                                 kg * rng.uniform(0.4, 0.5), rng.uniform(80_000, 150_000), lot)
            else:
                yield self.trade(day, seller, self.party("rattan", cl.key, "trader"), cl, "rattan_semi",
                                 kg * rng.uniform(0.55, 0.65), p0 * markup * rng.uniform(2.0, 2.6), lot)

    def starch_lot(self, cl, me, product, roots_kg):
        rng = self.rng
        day = self.trade_day()
        lot = self.new_lot(cl, day)
        root_price = rng.uniform(1_800, 3_000) if product == "canna_root" else rng.uniform(2_200, 3_300)
        col = self.party("starch", cl.key, "collector")
        yield self.trade(day, col, me, cl, product, roots_kg, root_price, lot)
        wet = roots_kg * rng.uniform(0.22, 0.28)
        day = self.later(day, 1, 6)
        wet_price = rng.uniform(5_000, 7_000)
        if rng.random() < 0.75:
            proc = self.party("starch", cl.key, "processor")
            yield self.trade(day, me, proc, cl, "wet_starch", wet, wet_price, lot)
        else:
            trader = self.party("starch", cl.key, "trader")
            yield self.trade(day, me, trader, cl, "wet_starch", wet, wet_price, lot)
            proc = self.party("starch", cl.key, "processor")
            day = self.later(day, 1, 5)
            wet_price *= rng.uniform(1.05, 1.10)
            yield self.trade(day, trader, proc, cl, "wet_starch", wet * rng.uniform(0.98, 1.0), wet_price, lot)
        day = self.later(day, 5, 25)
        trader = self.party("starch", cl.key, "trader")
        if rng.random() < 0.6:
            out, out_kg, out_price = "noodles", wet * rng.uniform(0.45, 0.55), rng.uniform(30_000, 60_000)
        else:
            out, out_kg, out_price = "dry_starch", wet * rng.uniform(0.5, 0.58), rng.uniform(12_000, 18_000)
        yield self.trade(day, proc, trader, cl, out, out_kg, out_price, lot)
        if rng.random() < 0.5:
            day = self.later(day, 2, 20)
            yield self.trade(day, trader, ("other", rng.choice(self._RETAILERS), "retailer"), cl, out,
                             out_kg * rng.uniform(0.3, 1.0), out_price * rng.uniform(1.10, 1.25), lot)

    # --------------------------------------------------------------- driver
    def run(self) -> Iterator[tuple[str, dict]]:
        for rec in self.enterprises():
            yield "enterprise", rec
        for serial in range(1, self.n_households + 1):
            rec, summary = self.household(serial)
            yield "household", rec
            for t in self.lots(summary):
                yield "trade", t


_ADULT_OCC = {
    "cardamom": _Cum({"farming": 66, "livestock": 5, "wage_labour": 14, "trading": 2, "housework": 8,
                                   "processing": 1, "other": 4}),
    "rattan": _Cum({"farming": 62, "livestock": 6, "wage_labour": 17, "trading": 2, "housework": 8,
                                 "processing": 1, "other": 4}),
    "starch": _Cum({"processing": 52, "trading": 9, "wage_labour": 16, "farming": 7, "housework": 8,
                                 "livestock": 3, "other": 5}),
}
_EDU_KINH = _Cum({"none": 2, "primary": 10, "lower_secondary": 33, "upper_secondary": 35, "vocational": 11,
                  "university": 9})
_EDU_MINORITY = _Cum({"none": 28, "primary": 34, "lower_secondary": 25, "upper_secondary": 9, "vocational": 3,
                      "university": 1})


def generate(households: int = 300, seed: int = DEFAULT_SEED, today: dt.date | None = None, *,
             forms_dir: Path | str | None = None) -> Iterator[tuple[str, dict]]:
    """Yield ``(form_id, record)`` pairs of invented demo data.

    ``households`` households, about ``households / 10`` enterprises (at least one of each role
    every chain needs) and about ten trades per household. The same ``seed`` and ``today`` give
    the same records. ``today`` (default: the real date) bounds all dates: interviews in the
    last 75 days, trades in the last 12 months. ``forms_dir`` is where the gazetteer CSVs are
    read (default: the repository's ``forms/``); without them a few built-in communes are used.
    """
    if households < 0:
        raise ValueError("households must be >= 0")
    today = today or dt.date.today()
    return _Demo(households, seed, today, Path(forms_dir) if forms_dir else default_forms_dir()).run()
