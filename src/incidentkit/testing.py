"""Assertions for people who build on incidentkit datasets (the geopandas ``testing`` habit).

A research team's own pipeline can pin that a re-coded or re-built dataset still holds what it held:

>>> from incidentkit.testing import assert_incidents_equal
>>> assert_incidents_equal("datasets", "datasets")             # doctest: +SKIP
"""

from __future__ import annotations

import os
from typing import Any, Sequence

import pyarrow as pa

from incidentkit.dataset import read_table, upgrade

TableLike = Any  # a dataset folder or file, an Arrow table, or a pandas DataFrame from read_incidents


def _table(data: TableLike) -> pa.Table:
    if isinstance(data, pa.Table):
        return upgrade(data)
    if isinstance(data, (str, os.PathLike)):
        return read_table(data)
    return upgrade(pa.Table.from_pandas(data, preserve_index=False))


def assert_incidents_equal(left: TableLike, right: TableLike, *, ignore: Sequence[str] = ("record_line",),
                           check_order: bool = False) -> None:
    """Raise ``AssertionError`` naming the first incident and column that differ.

    Rows are matched by incident ``id`` (unless ``check_order``); columns in ``ignore`` are skipped
    (by default ``record_line``, which moves when a coder edits comments above an incident).
    """
    a, b = _table(left), _table(right)
    if not check_order:
        a, b = a.sort_by("id"), b.sort_by("id")
    ids_a, ids_b = a.column("id").to_pylist(), b.column("id").to_pylist()
    if ids_a != ids_b:
        only_a = sorted(set(ids_a) - set(ids_b))[:5]
        only_b = sorted(set(ids_b) - set(ids_a))[:5]
        raise AssertionError(f"different incidents: only in left {only_a}, only in right {only_b}"
                             if only_a or only_b else "same incidents in a different order")
    for name in a.column_names:
        if name in ignore:
            continue
        if name not in b.column_names:
            raise AssertionError(f"column {name!r} is missing on the right")
        va, vb = a.column(name).to_pylist(), b.column(name).to_pylist()
        if va != vb:
            i = next(k for k, (x, y) in enumerate(zip(va, vb)) if x != y)
            raise AssertionError(f"incident {ids_a[i]!r}, column {name!r}: {va[i]!r} != {vb[i]!r}")
    extra = [n for n in b.column_names if n not in a.column_names and n not in ignore]
    if extra:
        raise AssertionError(f"columns only on the right: {extra}")


# --- a realistic coded project for figure and notebook tests ---------------------------------------------

#: Countries of :func:`write_coded_project`, on five continents (so maps meet separated regions):
#: ISO code and the country's name as ACLED writes it. The first 24 are the default project; all 40
#: make the "forty countries" project (``countries=40``).
PROJECT_COUNTRIES = (
    ("SY", "Syria"), ("IQ", "Iraq"), ("YE", "Yemen"), ("SO", "Somalia"), ("ET", "Ethiopia"), ("SD", "Sudan"),
    ("SS", "South Sudan"), ("CD", "Democratic Republic of Congo"), ("CF", "Central African Republic"),
    ("NG", "Nigeria"), ("ML", "Mali"), ("BF", "Burkina Faso"), ("NE", "Niger"), ("CM", "Cameroon"),
    ("LY", "Libya"), ("MZ", "Mozambique"), ("KE", "Kenya"), ("AF", "Afghanistan"), ("PK", "Pakistan"),
    ("MM", "Myanmar"), ("PH", "Philippines"), ("UA", "Ukraine"), ("MX", "Mexico"), ("CO", "Colombia"),
    ("LB", "Lebanon"), ("TR", "Turkey"), ("EG", "Egypt"), ("TD", "Chad"), ("UG", "Uganda"), ("BI", "Burundi"),
    ("TN", "Tunisia"), ("DZ", "Algeria"), ("HT", "Haiti"), ("VE", "Venezuela"), ("BR", "Brazil"),
    ("IN", "India"), ("BD", "Bangladesh"), ("TH", "Thailand"), ("ID", "Indonesia"), ("RU", "Russia"),
)

_PROJECT_TYPES = (  # (event type, sub-event type, inter2, share)
    ("Battles", "Armed clash", 2, 30), ("Explosions/Remote violence", "Shelling/artillery/missile attack", 2, 12),
    ("Explosions/Remote violence", "Air/drone strike", 2, 8), ("Explosions/Remote violence",
                                                               "Remote explosive/landmine/IED", 7, 6),
    ("Violence against civilians", "Attack", 7, 18), ("Violence against civilians",
                                                      "Abduction/forced disappearance", 7, 4),
    ("Protests", "Peaceful protest", 0, 12), ("Riots", "Violent demonstration", 0, 4),
    ("Strategic developments", "Arrests", 7, 6),
)


def coded_project_frame(n: int = 600, *, countries: int = 24, start: str = "2010-01-01", years: float = 15.0,
                        seed: int = 0) -> "Any":
    """Incidents as a coder would code them across many countries and years (a pandas DataFrame of record fields).

    ``countries`` (1 to 40) takes the first of :data:`PROJECT_COUNTRIES`.

    Places are real towns of the embedded gazetteer (chosen by population, so events cluster in a few
    towns per country, as real conflict data does); each country has its own active years (a conflict
    starts and stops), so a multi-country set has periods some countries do not cover. Fatalities are
    ranges, skewed (most events 0-5 deaths, a few in the hundreds). Deterministic by ``seed``.
    Nothing here is a real event.
    """
    import numpy as np
    import pandas as pd
    import pyarrow.parquet as pq
    from importlib import resources

    if not 1 <= countries <= len(PROJECT_COUNTRIES):
        raise ValueError(f"countries must be 1 to {len(PROJECT_COUNTRIES)}, not {countries}")
    rng = np.random.default_rng(seed)
    chosen = PROJECT_COUNTRIES[:countries]
    t0 = pd.Timestamp(start)
    span_days = max(int(round(years * 365.25)), 1)
    weights = rng.pareto(1.2, len(chosen)) + 0.2
    per_country = np.maximum(1, np.round(n * weights / weights.sum()).astype(int))
    per_country[0] += n - per_country.sum()
    if per_country[0] < 1:  # rounding took too many from the first: take them from the largest
        per_country[np.argmax(per_country)] += per_country[0] - 1
        per_country[0] = 1
    kinds = np.array([k[3] for k in _PROJECT_TYPES], dtype=float)
    rows = []
    from incidentkit.actors.data import periods_by_country

    ref = resources.files("incidentkit") / "data" / "admin1.csv"
    with ref.open("r", encoding="utf-8") as fh:
        adm = pd.read_csv(fh, keep_default_na=False, dtype=str, usecols=["country", "admin1code", "name"])
    admin_name = {(c, k): n for c, k, n in adm.itertuples(index=False)}
    for (iso, name), count in zip(chosen, per_country):
        periods = periods_by_country().get(iso, ())
        ref = resources.files("incidentkit") / "data" / "gazetteer" / f"{iso}.places.parquet"
        with resources.as_file(ref) as path:
            places = pq.read_table(path, columns=["name", "lat", "lon", "admin1", "population"]).to_pandas()
        places = places[(places.population > 5000) & places.admin1.notna() & places.name.str.isascii()]
        places = places.nlargest(min(len(places), 40), "population").reset_index(drop=True)
        p = np.sqrt(places.population.to_numpy(float))
        recs = places.to_dict("records")
        # a conflict active for part of the window (at least a month), with its own start
        active = int(span_days * rng.uniform(0.25, 1.0)) if span_days > 60 else span_days
        first = int(rng.integers(0, span_days - active + 1))
        for k in range(int(count)):
            town = recs[rng.choice(len(recs), p=p / p.sum())]
            kind = _PROJECT_TYPES[rng.choice(len(_PROJECT_TYPES), p=kinds / kinds.sum())]
            day = t0 + pd.Timedelta(days=first + int(rng.integers(0, active)))
            lethal = kind[0] not in ("Protests", "Strategic developments")
            best = int(min(rng.pareto(1.1) * 2, 400)) if lethal else 0
            low, high = int(best * rng.uniform(0.6, 1.0)), int(best * rng.uniform(1.0, 1.6) + rng.integers(0, 3) * lethal)
            period = next((sp for sp in periods if sp.covers(day.date())), None)
            state = (f"Military Forces of {period.acled_country} ({period.period})" if period
                     else f"Unidentified Armed Group ({name})")
            actor2 = {2: f"Unidentified Armed Group ({name})", 7: f"Civilians ({name})",
                      0: None}[kind[2]]
            inter2 = {2: 3, 7: 7, 0: None}[kind[2]]
            actor1 = f"Protesters ({name})" if kind[0] == "Protests" else \
                f"Rioters ({name})" if kind[0] == "Riots" else state
            rows.append({
                "country": iso, "country_name": name, "admin1": admin_name.get((iso, str(town["admin1"])), str(town["admin1"])), "location": str(town["name"]),
                # a few km around the town centre, to 4 decimals as coders copy them
                "latitude": round(town["lat"] / 1e6 + rng.normal(0, 0.02), 4),
                "longitude": round(town["lon"] / 1e6 + rng.normal(0, 0.02), 4),
                "date_start": day.date(), "event_type": kind[0], "sub_event_type": kind[1],
                "actor1": actor1, "inter1": 6 if kind[0] == "Protests" else 5 if kind[0] == "Riots" else 1 if period else 3,
                "actor2": actor2, "inter2": inter2,
                "fatalities": (min(low, best), best, max(high, best)),
            })
    df = pd.DataFrame(rows).sort_values(["date_start", "country"], kind="stable").reset_index(drop=True)
    return df


def write_coded_project(folder: "str | os.PathLike[str]", n: int = 600, *, per_record: int = 8,
                        **kwargs: Any) -> list["os.PathLike[str]"]:
    """Write :func:`coded_project_frame`'s incidents as valid YAML records (``per_record`` incidents a report).

    Coordinates are coded (the build does not geocode them), so a set of thousands builds in seconds.
    Returns the files written. ``kwargs`` go to :func:`coded_project_frame`.
    """
    import json
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    df = coded_project_frame(n, **kwargs)
    written = []
    q = json.dumps  # a JSON string is a valid YAML scalar: quotes, colons and brackets stay safe
    for (iso, _), part in df.groupby(["country", df.index // per_record], sort=False):
        first = part.iloc[0]
        sid = f"synthetic-{iso.lower()}-{first.date_start:%Y-%m-%d}-{part.index[0]:05d}"
        lines = ["# Synthetic record written by incidentkit.testing.write_coded_project: not a real report.",
                 "source:", f"  id: {sid}", "  outlet: Synthetic Monitor",
                 f"  title: {q('Synthetic report ' + sid)}", f"  published: {part.date_start.max()}",
                 "  language: en", "coder: synthetic", "coded_on: 2026-11-30", "incidents:"]
        for k, r in enumerate(part.itertuples(), start=1):
            low, best, high = r.fatalities
            lines += [f"  - id: {sid}-{k:02d}", f"    date_start: {r.date_start}", "    time_precision: 1",
                      f"    event_type: {q(r.event_type)}", f"    sub_event_type: {q(r.sub_event_type)}",
                      f"    actor1: {q(r.actor1)}", f"    inter1: {r.inter1}"]
            if isinstance(r.actor2, str):
                lines += [f"    actor2: {q(r.actor2)}", f"    inter2: {int(r.inter2)}"]
            lines += [f"    country: {iso}", f"    admin1: {q(r.admin1)}", f"    location: {q(r.location)}",
                      f"    latitude: {r.latitude}", f"    longitude: {r.longitude}",
                      f"    fatalities: {{low: {low}, best: {best}, high: {high}}}" if low != high
                      else f"    fatalities: {best}",
                      f"    notes: {q(f'On {r.date_start:%d %B %Y}, a synthetic {r.sub_event_type.lower()} in {r.location} ({r.admin1}), {r.country_name}.')}"]
        path = folder / f"{sid}.yaml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        written.append(path)
    return written


def acled_shaped(ours: Any, *, seed: int = 5, start: str | None = None, end: str | None = None,
                 background: float = 0.5, drop: float = 0.2, move_km: float = 5.0) -> tuple[Any, Any]:
    """ACLED-shaped events for a built project (``read_incidents``), and the pairs that link them to it.

    Two kinds of events, as a real export holds them: most of our incidents as another coder recorded
    them (``incidentkit.external.synthetic.perturb``: a day off at most, up to ``move_km`` away, ``drop``
    of them not recorded), each linked to its incident; and ``background`` × as many events we never
    coded (other towns of the same countries, other days; ids ``acled-bg-...``), linked to nothing.
    ``start``/``end`` cut the export to a window (a real export covers the years it was asked for).
    Returns ``(events, pairs)``: a frame :func:`incidentkit.external.combine` takes (``dataset`` "acled",
    ids ``acled-...``) and a frame of ``incident_id``, ``external_id``. Deterministic by ``seed``;
    nothing here is a real ACLED row.
    """
    from importlib import resources

    import numpy as np
    import pandas as pd
    import pyarrow.parquet as pq

    from incidentkit.external import synthetic

    theirs, _, truth = synthetic.perturb(ours, seed=seed, days=1, move_km=move_km, drop=drop, distractors=0.0,
                                         relabel=0.0)
    theirs = theirs.assign(id="acled-" + theirs["id"].astype(str), dataset="acled")
    pairs = pd.DataFrame({"incident_id": truth["external_id"].astype(str).to_numpy(),
                          "external_id": ("acled-" + truth["incident_id"].astype(str)).to_numpy()})
    rng = np.random.default_rng(seed + 7919)
    m = round(background * len(theirs))
    if m and len(ours):
        bg = ours.iloc[rng.integers(0, len(ours), m)].copy().reset_index(drop=True)
        for c in ("location", "admin1", "event_type", "sub_event_type"):
            if c in bg:
                bg[c] = bg[c].astype("object")
        lon, lat = np.array(bg["longitude"], dtype=float), np.array(bg["latitude"], dtype=float)
        loc = np.array(bg["location"], dtype=object)
        for iso, idx in bg.groupby(bg["country"].astype("object").astype(str)).indices.items():
            ref = resources.files("incidentkit") / "data" / "gazetteer" / f"{iso}.places.parquet"
            if not ref.is_file():
                continue
            with resources.as_file(ref) as path:
                places = pq.read_table(path, columns=["name", "lat", "lon", "population"]).to_pandas()
            places = places[(places.population > 1000) & places.name.str.isascii()].nlargest(200, "population")
            if not len(places):
                continue
            pick = places.iloc[rng.integers(0, len(places), len(idx))]
            lat[idx] = pick["lat"].to_numpy() / 1e6 + rng.normal(0, 0.02, len(idx))
            lon[idx] = pick["lon"].to_numpy() / 1e6 + rng.normal(0, 0.02, len(idx))
            loc[idx] = pick["name"].to_numpy()
        bg["latitude"], bg["longitude"], bg["location"] = lat.round(4), lon.round(4), loc
        dates = pd.to_datetime(ours["date_start"])
        span = max(int((dates.max() - dates.min()).days), 1)
        day = dates.min() + pd.to_timedelta(rng.integers(0, span + 1, m), unit="D")
        bg["date_start"] = day.to_numpy().astype(bg["date_start"].dtype)
        if "date_end" in bg:
            bg["date_end"] = bg["date_start"]
        f = np.minimum(rng.pareto(1.3, m) * 1.5, 200).astype(int)
        for c in ("fatalities_low", "fatalities_best", "fatalities_high"):
            if c in bg:
                bg[c] = f
        bg["id"] = [f"acled-bg-{k:06d}" for k in range(m)]
        bg["dataset"] = "acled"
        for c in ("event_type", "sub_event_type"):
            if c in theirs:
                theirs[c] = theirs[c].astype("object")
        theirs = pd.concat([theirs, bg[[c for c in theirs.columns if c in bg]]], ignore_index=True)
    dates = pd.to_datetime(theirs["date_start"])
    keep = pd.Series(True, index=theirs.index)
    if start:
        keep &= dates >= pd.Timestamp(start)
    if end:
        keep &= dates <= pd.Timestamp(end)
    theirs = theirs[keep].reset_index(drop=True)
    pairs = pairs[pairs["external_id"].isin(set(theirs["id"]))].reset_index(drop=True)
    return theirs, pairs
