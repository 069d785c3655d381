#!/usr/bin/env python3
"""The scoreboard computed the way an analyst would with pandas, for comparison with
`zhaoshang bench scoreboard` (see docs/benchmarks.md).

It reads the same database (the projects' milestone columns, credits, funds, visits, targets),
computes every indicator of SPEC §3 for the city and each unit in the period and the same
period of every earlier year (for 同比 and 历史同期新高), and times reading and computing.
With --expect FILE (the JSON of `zhaoshang report scoreboard`) it checks that the city's and
every unit's values agree, so that the two programs are timed doing the same work.

    pip install pandas psycopg2-binary
    python3 scripts/bench/scoreboard_pandas.py --db sqlite:/tmp/b.db --year 2022 --period H1
"""

import argparse
import json
import sqlite3
import statistics
import time

import warnings

import numpy as np
import pandas as pd

# psycopg2 works with read_sql; pandas only warns that it prefers SQLAlchemy.
warnings.filterwarnings("ignore", message="pandas only supports SQLAlchemy")

COUNTS = [
    "signed_projects", "signed_amount", "signed_projects_100m", "signed_projects_1b",
    "funds_in_place", "funds_in_place_verified", "foreign_funds_usd", "landed_projects",
    "started_projects", "production_projects", "capacity_projects",
    "started_or_resumed_projects", "same_year_sign_start", "visits",
]
RATES = {
    "lead_conversion_rate": ("leads_signed", "leads"),
    "landing_rate": ("landed_to_date", "signed_to_date"),
    "start_rate": ("started_to_date", "signed_to_date"),
    "funds_in_place_rate": ("funds_of_signed", "signed_amount"),
}


def connect(url):
    if url.startswith("sqlite:"):
        return sqlite3.connect(url[len("sqlite:"):])
    import psycopg2  # noqa: PLC0415

    base, _, query = url.partition("?")
    conn = psycopg2.connect(base)
    if "search_path]=" in query:
        schema = query.split("search_path]=")[1].split("&")[0]
        conn.cursor().execute(f"SET search_path TO {schema}")
    return conn


def read(conn):
    q = lambda sql: pd.read_sql_query(sql, conn)  # noqa: E731
    return {
        "units": q("SELECT id, name, kind, score_group FROM units"),
        "projects": q(
            "SELECT id, territory_unit_id, first_on, signed_on, signed_value, landed_on, "
            "started_on, production_on, capacity_on, resumed_on FROM projects"
        ),
        "credits": q("SELECT project_id, unit_id FROM project_credits"),
        "funds": q(
            "SELECT project_id, fund_date, amount, currency, verified FROM funds "
            "WHERE currency IN ('CNY', 'USD')"
        ),
        "visits": q("SELECT visit_date, unit_id FROM visits"),
        "targets": q("SELECT year, unit_id, indicator, value FROM targets"),
    }


def period_bounds(code):
    """(first month, last month) of a period code."""
    if code == "Y":
        return 1, 12
    if code[0] == "H":
        h = int(code[1])
        return 6 * h - 5, 6 * h
    if code[0] == "Q":
        q = int(code[1])
        return 3 * q - 2, 3 * q
    m = int(code[1:])
    return m, m


def compute(t, year, code):
    m0, m1 = period_bounds(code)
    p = t["projects"].copy()
    for c in ["first_on", "signed_on", "landed_on", "started_on", "production_on", "capacity_on"]:
        p[c] = pd.to_datetime(p[c])
    p["signed_value"] = p["signed_value"].fillna(0).astype("int64")

    def in_period(d):
        return d.notna() & (d.dt.month >= m0) & (d.dt.month <= m1)

    def year_of(d):
        return d.dt.year

    def to_date(d, end):  # within 1 January .. the period's end of its own year
        return d.notna() & (d.dt.month <= m1)

    # Attribution: the city (slot -1), the territory, and each credited unit, once each.
    slots = pd.concat([
        p[["id"]].assign(slot=-1),
        p[["id", "territory_unit_id"]].rename(columns={"territory_unit_id": "slot"}),
        t["credits"].rename(columns={"project_id": "id", "unit_id": "slot"}),
    ]).drop_duplicates()

    rows = []

    def add(frame, year_col, name, value=1):
        f = frame.assign(year=year_col, indicator=name, value=value)
        rows.append(f[["id", "year", "indicator", "value"]])

    s = p[in_period(p["signed_on"])]
    add(s, year_of(s["signed_on"]), "signed_projects")
    add(s, year_of(s["signed_on"]), "signed_amount", s["signed_value"])
    big = s[s["signed_value"] >= 100_000_000]
    add(big, year_of(big["signed_on"]), "signed_projects_100m")
    huge = s[s["signed_value"] >= 1_000_000_000]
    add(huge, year_of(huge["signed_on"]), "signed_projects_1b")
    for col, name in [("landed_on", "landed_projects"), ("started_on", "started_projects"),
                      ("production_on", "production_projects"), ("capacity_on", "capacity_projects")]:
        f = p[in_period(p[col])]
        add(f, year_of(f[col]), name)
    # 开复工: 开工 or any 复工 in the period, each project once per year.
    res = p[["id", "resumed_on"]].dropna()
    res = res.assign(d=res["resumed_on"].str.split(",")).explode("d")
    res["d"] = pd.to_datetime(res["d"])
    starts = pd.concat([p[["id", "started_on"]].rename(columns={"started_on": "d"}), res[["id", "d"]]])
    starts = starts[in_period(starts["d"])]
    starts = starts.assign(year=starts["d"].dt.year).drop_duplicates(["id", "year"])
    add(starts, starts["year"], "started_or_resumed_projects")
    same = p[in_period(p["started_on"]) & (p["signed_on"].dt.year == p["started_on"].dt.year)]
    add(same, year_of(same["started_on"]), "same_year_sign_start")
    # Rates over the year to the period's end.
    def by_end(d, ref):
        return d.notna() & (d.dt.year == ref.dt.year) & (d.dt.month <= m1) | (
            d.notna() & (d.dt.year < ref.dt.year))
    lead = p[to_date(p["first_on"], m1)]
    add(lead, year_of(lead["first_on"]), "leads")
    ls = lead[by_end(lead["signed_on"], lead["first_on"])]
    add(ls, year_of(ls["first_on"]), "leads_signed")
    sd = p[to_date(p["signed_on"], m1)]
    add(sd, year_of(sd["signed_on"]), "signed_to_date")
    ld = sd[by_end(sd["landed_on"], sd["signed_on"])]
    add(ld, year_of(ld["signed_on"]), "landed_to_date")
    st = sd[by_end(sd["started_on"], sd["signed_on"])]
    add(st, year_of(st["signed_on"]), "started_to_date")

    f = t["funds"].copy()
    f["fund_date"] = pd.to_datetime(f["fund_date"])
    fp = f[in_period(f["fund_date"])]
    cny = fp[fp["currency"] == "CNY"]
    add(cny.rename(columns={"project_id": "id"}), year_of(cny["fund_date"]), "funds_in_place", cny["amount"])
    ver = cny[cny["verified"] != 0]
    add(ver.rename(columns={"project_id": "id"}), year_of(ver["fund_date"]), "funds_in_place_verified", ver["amount"])
    usd = fp[fp["currency"] == "USD"]
    add(usd.rename(columns={"project_id": "id"}), year_of(usd["fund_date"]), "foreign_funds_usd", usd["amount"])
    fs = f[f["currency"] == "CNY"].merge(s[["id", "signed_on"]], left_on="project_id", right_on="id")
    fs = fs[(fs["fund_date"].dt.year == fs["signed_on"].dt.year) & (fs["fund_date"].dt.month <= m1)
            | (fs["fund_date"] < fs["signed_on"])]
    add(fs, year_of(fs["signed_on"]), "funds_of_signed", fs["amount"])

    long = pd.concat(rows).merge(slots, on="id")
    v = t["visits"].copy()
    v["visit_date"] = pd.to_datetime(v["visit_date"])
    v = v[in_period(v["visit_date"])]
    visits = pd.concat([
        v.assign(slot=-1),
        v.dropna(subset=["unit_id"]).assign(slot=lambda x: x["unit_id"].astype("int64")),
    ])
    visits = visits.assign(year=visits["visit_date"].dt.year, indicator="visits", value=1)
    long = pd.concat([long[["slot", "year", "indicator", "value"]],
                      visits[["slot", "year", "indicator", "value"]]])
    table = long.groupby(["slot", "indicator", "year"])["value"].sum().unstack("year", fill_value=0)
    first_year = int(min(table.columns))
    years = list(range(first_year, year + 1))
    table = table.reindex(columns=years, fill_value=0)

    # Every indicator per slot, vectorised: this year, last year, 同比, record.
    this, last = table[year], table[year - 1]
    earlier = table[years[:-1]].max(axis=1) if len(years) > 1 else None
    frame = pd.DataFrame({"value": this, "last": last})
    # 四舍五入 on the magnitude, as zhaoshang rounds 同比 (−6.25 % → −6.3 %).
    pct = (this - last) / last.where(last != 0) * 100
    frame["yoy_pct"] = np.sign(pct) * np.floor(pct.abs() * 10 + 0.5 + 1e-9) / 10
    frame["record"] = (this > earlier) if earlier is not None else False
    out = {}
    for (slot, name), row in frame.loc[frame.index.get_level_values(1).isin(COUNTS)].iterrows():
        out.setdefault(slot, {})[name] = {
            "value": int(row["value"]),
            "yoy_pct": None if pd.isna(row["yoy_pct"]) else float(row["yoy_pct"]),
            "record": bool(row["record"]),
        }
    for slot in list(out) + list(t["units"]["id"]):
        figures = out.setdefault(slot, {})
        for name in COUNTS:
            figures.setdefault(name, {"value": 0, "yoy_pct": None, "record": False})
        for name, (num, den) in RATES.items():
            n = this.get((slot, num), 0)
            d = this.get((slot, den), 0)
            figures[name] = {"value": (n / d) if d else None}
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--year", type=int, default=2022)
    ap.add_argument("--period", default="H1")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--expect")
    args = ap.parse_args()
    reads, computes = [], []
    for _ in range(args.runs):
        conn = connect(args.db)
        t0 = time.perf_counter()
        tables = read(conn)
        t1 = time.perf_counter()
        result = compute(tables, args.year, args.period)
        t2 = time.perf_counter()
        conn.close()
        reads.append((t1 - t0) * 1e3)
        computes.append((t2 - t1) * 1e3)
    totals = [a + b for a, b in zip(reads, computes)]
    for name, times in [("read", reads), ("compute", computes), ("total", totals)]:
        print(f"pandas {name}: median {statistics.median(times):.1f} ms, max {max(times):.1f} ms ({len(times)} runs)")
    city = result[-1]
    print("city:", {k: city[k]["value"] for k in ["signed_projects", "signed_amount", "funds_in_place",
                                                   "started_or_resumed_projects", "visits"]})
    if args.expect:
        expected = json.load(open(args.expect, encoding="utf-8"))
        names = dict(zip(tables["units"]["name"], tables["units"]["id"]))
        mismatches = 0
        for unit, figures in [(-1, expected["city"])] + [(names[u["unit"]], u["indicators"]) for u in expected["units"]]:
            for key, fig in figures.items():
                mine = result.get(unit, {}).get(key)
                if mine is None:
                    continue
                a, b = mine["value"], fig["value"]
                same = (a is None and b is None) or (a is not None and b is not None and abs(a - b) <= 1e-9 * max(1, abs(b)))
                for extra in ("yoy_pct", "record"):
                    if extra in mine and mine[extra] != fig[extra]:
                        same = False
                if not same:
                    mismatches += 1
                    if mismatches <= 10:
                        print("differs:", unit, key, mine, fig["value"], fig.get("yoy_pct"), fig.get("record"))
        print(f"agreement with zhaoshang: {'all figures equal' if mismatches == 0 else f'{mismatches} differ'}")


if __name__ == "__main__":
    main()
