"""Synthetic, real-shaped ACLED and UCDP events: for tests, benchmarks and the demo notebook.

ACLED data may not be redistributed, so scale tests need invented events that *look* like ACLED's:
clustered in space (many events in a few towns) and time, the ACLED vocabulary and actor names, notes
with commas, quotes, newlines, Arabic and en dashes. Everything is deterministic by ``seed``.

:func:`perturb` builds a linking ground truth: it turns external events into "our" incidents as a coder
would have recorded them from other reports (dates shifted within the window, points moved a few km,
types relabelled across the taxonomy, actors renamed, fatalities revised), drops some, and adds
unrelated distractor events nearby.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from incidentkit.codebook import vocab
from incidentkit.matching import EARTH_RADIUS_KM

# (country, ISO numeric, region, centre lat, lon, spread in degrees, admin1 names)
COUNTRIES = (
    ("Syria", 760, "Middle East", 35.0, 38.5, 1.6, ("Aleppo", "Idleb", "Deir ez Zor", "Al Hasakeh", "Dara")),
    ("Iraq", 368, "Middle East", 33.5, 43.8, 1.8, ("Ninewa", "Diyala", "Baghdad", "Anbar", "Kirkuk")),
    ("Yemen", 887, "Middle East", 15.4, 45.0, 1.5, ("Taizz", "Marib", "Al Hudaydah", "Sanaa")),
    ("Nigeria", 566, "Western Africa", 10.5, 7.5, 2.5, ("Borno", "Zamfara", "Kaduna", "Benue")),
    ("Mali", 466, "Western Africa", 15.0, -3.0, 2.5, ("Mopti", "Gao", "Timbuktu", "Segou")),
    ("Ukraine", 804, "Europe", 48.5, 36.5, 1.8, ("Donetska", "Kharkivska", "Zaporizka", "Khersonska")),
    ("Myanmar", 104, "Southeast Asia", 21.0, 95.5, 2.0, ("Sagaing", "Magway", "Kachin", "Shan")),
    ("Mexico", 484, "Caribbean and Central America", 20.5, -101.0, 3.0, ("Guanajuato", "Michoacan", "Guerrero")),
    ("Sudan", 729, "Northern Africa", 13.5, 29.0, 3.0, ("North Darfur", "Khartoum", "South Kordofan")),
    ("Afghanistan", 4, "Caspian", 34.5, 67.5, 2.5, ("Kabul", "Kandahar", "Nangarhar", "Helmand")),
)

ACTORS = {  # country -> (state forces, rebel group, militia) as ACLED names them
    "Syria": ("Military Forces of Syria (2000-2024)", "Islamic State (Syria)", "QSD: Syrian Democratic Forces"),
    "Iraq": ("Military Forces of Iraq (2022-)", "Islamic State (Iraq)", "PMF: Popular Mobilization Forces"),
    "Yemen": ("Military Forces of Yemen (2017-)", "Houthi Movement", "Southern Transitional Council"),
    "Nigeria": ("Military Forces of Nigeria (2015-2023)", "Islamic State West Africa Province (ISWAP)",
                "Kebbi Communal Militia (Nigeria)"),
    "Mali": ("Military Forces of Mali (2021-)", "JNIM: Jamaah Nusrat al Islam wal Muslimin", "Dan Na Ambassagou"),
    "Ukraine": ("Military Forces of Ukraine (2019-)", "Military Forces of Russia (2000-)", "Wagner Group"),
    "Myanmar": ("Military Forces of Myanmar (2021-)", "PDF: People's Defense Force", "KIA: Kachin Independence Army"),
    "Mexico": ("Police Forces of Mexico (2018-2024)", "CJNG: Jalisco New Generation Cartel", "Sinaloa Cartel"),
    "Sudan": ("Military Forces of Sudan (2019-)", "RSF: Rapid Support Forces", "SPLM-N: Sudan People's Liberation Movement-North"),
    "Afghanistan": ("Military Forces of Afghanistan (2021-)", "Islamic State (Afghanistan)", "NRF: National Resistance Front"),
}

SUB_EVENT_WEIGHTS = {
    "Armed clash": 24, "Shelling/artillery/missile attack": 14, "Air/drone strike": 10, "Attack": 12,
    "Remote explosive/landmine/IED": 6, "Peaceful protest": 12, "Protest with intervention": 2,
    "Violent demonstration": 3, "Mob violence": 2, "Abduction/forced disappearance": 3, "Arrests": 3,
    "Looting/property destruction": 2, "Government regains territory": 1, "Non-state actor overtakes territory": 1,
    "Suicide bomb": 1, "Grenade": 1, "Sexual violence": 1, "Excessive force against protesters": 1,
    "Agreement": 1,
}

_SYL = ("al", "kar", "tel", "ab", "ra", "mun", "sha", "dar", "bei", "qa", "ja", "hin", "su", "lo", "ma", "zur",
        "ke", "bo", "ta", "nya")
_NOTE = (
    'On {d}, {a1} and {a2} clashed near {p} ({adm}); {f} fatalities reported, "according to local sources".',
    "On {d}, {a1} shelled positions of {a2} in {p}, {adm} \u2013 {f} killed, several injured.",
    'Around {d}, {a1} attacked {p}. Residents said: "we heard explosions all night"; {f} reported dead.',
    "On {d}, people demonstrated in {p} ({adm}) against rising prices, chanting \u00ab\u0627\u0644\u0634\u0639\u0628 "
    "\u064a\u0631\u064a\u062f\u00bb.\n[size=no report]",
    "On {d}, unidentified gunmen killed {f} civilians, including a teacher, in {p}, {adm}.",
)


def _places(rng: np.random.Generator, per_country: int) -> pd.DataFrame:
    rows = []
    for name, iso, region, lat, lon, spread, admins in COUNTRIES:
        for k in range(per_country):
            nm = "".join(rng.choice(_SYL, size=int(rng.integers(2, 4)))).title()
            rows.append((name, iso, region, admins[k % len(admins)], nm,
                         lat + rng.normal(0, spread / 2), lon + rng.normal(0, spread / 2)))
    return pd.DataFrame(rows, columns=["country", "iso", "region", "admin1", "location", "latitude", "longitude"])


def acled_like(n: int, seed: int = 0, *, start: str = "2018-01-01", days: int = 5 * 365,
               places_per_country: int = 60) -> pd.DataFrame:
    """``n`` ACLED-shaped events in the current 31-column layout (typed values; dates as ``date``)."""
    rng = np.random.default_rng(seed)
    places = _places(np.random.default_rng(12345), places_per_country)  # same towns for every seed
    weight = 1.0 / np.arange(1, len(places) + 1) ** 0.8  # a few towns see most events
    pl = rng.choice(len(places), size=n, p=weight / weight.sum())
    p = places.iloc[pl].reset_index(drop=True)
    subs = list(SUB_EVENT_WEIGHTS)
    sw = np.array(list(SUB_EVENT_WEIGHTS.values()), float)
    sub = np.array(subs, dtype=object)[rng.choice(len(subs), size=n, p=sw / sw.sum())]
    event = np.array([vocab.SUB_EVENT_TYPES[s] for s in subs], dtype=object)[
        pd.Categorical(sub, categories=subs).codes]
    day0 = dt.date.fromisoformat(start)
    date = pd.to_datetime(day0) + pd.to_timedelta(rng.integers(0, days, n), unit="D")
    state = np.array([ACTORS[c][0] for c in p.country], dtype=object)
    rebel = np.array([ACTORS[c][1] for c in p.country], dtype=object)
    militia = np.array([ACTORS[c][2] for c in p.country], dtype=object)
    civ = np.array([f"Civilians ({c})" for c in p.country], dtype=object)
    protesters = np.array([f"Protesters ({c})" for c in p.country], dtype=object)
    is_protest = np.isin(event, ["Protests"])
    is_riot = event == "Riots"
    is_vac = event == "Violence against civilians"
    coin = rng.random(n)
    actor1 = np.where(is_protest, protesters, np.where(is_riot, np.char.add("Rioters (", p.country.to_numpy().astype(str)).astype(object) + ")",
                      np.where(coin < 0.4, state, np.where(coin < 0.8, rebel, militia))))
    inter1 = np.where(is_protest, 6, np.where(is_riot, 5, np.where(coin < 0.4, 1, np.where(coin < 0.8, 2, 3))))
    actor2 = np.where(is_vac | is_riot, civ, np.where(is_protest, None, np.where(coin < 0.4, rebel, state)))
    inter2 = np.where(is_vac | is_riot, 7, np.where(is_protest, 0, np.where(coin < 0.4, 2, 1)))
    fatal = np.where(is_protest | (event == "Strategic developments"), 0, rng.geometric(0.35, n) - 1)
    fatal = np.where(rng.random(n) < 0.02, fatal * 10, fatal)
    geo = rng.choice([1, 2, 3], size=n, p=[0.8, 0.15, 0.05])
    tp = rng.choice([1, 2, 3], size=n, p=[0.9, 0.07, 0.03])
    lat = np.round(p.latitude.to_numpy() + rng.normal(0, 0.01, n), 4)
    lon = np.round(p.longitude.to_numpy() + rng.normal(0, 0.01, n), 4)
    iso3 = p.country.str[:3].str.upper().to_numpy()
    ids = np.char.add(iso3.astype(str), (np.arange(n) + 1 + seed * 10_000_000).astype(str))
    tmpl = rng.integers(0, len(_NOTE), n)
    dates = date.strftime("%d %B %Y")
    notes = [_NOTE[t].format(d=d, a1=a1, a2=a2 or "unknown forces", p=pp, adm=ad, f=f)
             for t, d, a1, a2, pp, ad, f in zip(tmpl, dates, actor1, actor2, p.location, p.admin1, fatal)]
    inter = np.where(inter2 == 0, inter1 * 10, np.minimum(inter1, inter2) * 10 + np.maximum(inter1, inter2))
    return pd.DataFrame({
        "event_id_cnty": ids, "event_date": date.date, "year": date.year, "time_precision": tp,
        "disorder_type": [vocab.disorder_type(s) for s in sub], "event_type": event, "sub_event_type": sub,
        "actor1": actor1, "assoc_actor_1": np.where(rng.random(n) < 0.1, "Asayish; Women (Syria)", None),
        "inter1": inter1, "actor2": actor2, "assoc_actor_2": None, "inter2": inter2, "interaction": inter,
        "civilian_targeting": np.where(is_vac, "Civilian targeting", None), "iso": p.iso.to_numpy(),
        "region": p.region.to_numpy(), "country": p.country.to_numpy(), "admin1": p.admin1.to_numpy(),
        "admin2": p.admin1.to_numpy(), "admin3": None, "location": p.location.to_numpy(), "latitude": lat,
        "longitude": lon, "geo_precision": geo, "source": np.where(coin < 0.5, "Reuters; SOHR", "Local Media"),
        "source_scale": "National", "notes": notes, "fatalities": fatal, "tags": None,
        "timestamp": 1_700_000_000 + np.arange(n) % 86_400,
    })


def write_acled_csv(path: str | os.PathLike[str], n: int, seed: int = 0, *, vintage: str = "api",
                    chunk: int = 250_000, **kwargs: object) -> Path:
    """Write ``n`` synthetic events as an ACLED CSV: ``api`` (ISO dates), ``export`` ("28 December 2022",
    "NA") or ``labels`` (export dates and label actor types). Written in chunks: memory stays bounded."""
    if vintage not in ("api", "export", "labels"):
        raise ValueError(f"unknown vintage {vintage!r}")
    path = Path(path)
    writer = None
    try:
        for k, s in enumerate(range(0, n, chunk)):
            df = acled_like(min(chunk, n - s), seed * 1000 + k, **kwargs)  # type: ignore[arg-type]
            df["event_id_cnty"] = df["event_id_cnty"].str[:3] + (np.arange(len(df)) + s + 1).astype(str)
            table = pa.Table.from_pandas(df, preserve_index=False)
            cols = {}
            for name in table.column_names:
                col = table.column(name)
                if name == "event_date" and vintage != "api":
                    col = pc.strftime(pc.cast(col, pa.timestamp("s")), format="%d %B %Y")
                elif name in ("inter1", "inter2") and vintage == "labels":
                    labels = pa.array([""] + [vocab.INTER_CODES[i] for i in range(1, 9)])
                    col = pc.take(labels, col)
                elif name == "interaction" and vintage == "labels":
                    col = pa.array([vocab.interaction_label(int(v)) for v in col.to_pylist()])
                col = pc.cast(col, pa.string())
                if vintage != "api":
                    col = pc.fill_null(col, "NA")
                cols[name] = col
            out = pa.table(cols)
            if writer is None:
                writer = pacsv.CSVWriter(path, out.schema)
            writer.write_table(out)
    finally:
        if writer is not None:
            writer.close()
    return path


def ucdp_like(n: int, seed: int = 0, **kwargs: object) -> pd.DataFrame:
    """``n`` UCDP-GED-shaped events in the harmonised schema's names (type_of_violence, UCDP actor names)."""
    a = acled_like(n, seed, **kwargs)  # type: ignore[arg-type]
    violent = a["disorder_type"] == vocab.POLITICAL_VIOLENCE
    a = a[violent].reset_index(drop=True)
    tov = np.where(a.event_type == "Violence against civilians", 3, np.where(a.inter2 == 1, 1,
                   np.where(a.inter1 == 1, 1, 2)))
    from incidentkit.codebook.actors import ACTORS_BY_NAME

    def ucdp_name(name: object) -> object:  # UCDP names sides its own way ("IS", "Government of Syria")
        actor = ACTORS_BY_NAME.get(name) if isinstance(name, str) else None
        return actor.ucdp_name if actor is not None and actor.ucdp_name else name

    return pd.DataFrame({
        "id": (np.arange(len(a)) + 400_000 + seed * 1_000_000).astype(str), "date_start": pd.to_datetime(a.event_date),
        "date_end": pd.to_datetime(a.event_date), "time_precision": 1, "type_of_violence": tov,
        "actor1": a.actor1.map(ucdp_name), "actor2": a.actor2.map(ucdp_name), "country": a.country, "latitude": a.latitude,
        "longitude": a.longitude, "geo_precision": a.geo_precision, "fatalities_low": a.fatalities,
        "fatalities_best": a.fatalities, "fatalities_high": a.fatalities, "dataset": "ucdp",
    })


def _relabel_map() -> dict[str, list[str]]:
    """For each sub-event type, the others it shares a UCDP type with (weight >= 0.6): plausible recodings."""
    from incidentkit.linking.taxonomy import SUB_EVENTS, load_taxonomy

    w = load_taxonomy().weights
    out: dict[str, list[str]] = {}
    for i, s in enumerate(SUB_EVENTS):
        out[s] = [t for j, t in enumerate(SUB_EVENTS) if j != i and np.any((w[i] >= 0.6) & (w[j] >= 0.6))]
    return out


def perturb(events: pd.DataFrame, seed: int = 0, *, days: int = 3, move_km: float = 5.0, drop: float = 0.1,
            relabel: float = 0.3, distractors: float = 0.3) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A linking ground truth from harmonised external events (e.g. ``read_events`` of an ingested file).

    Returns ``(incidents, external, truth)``: our incidents (a perturbed copy of a sample, ids
    ``ik-000001``...), the external events plus distractors (same towns, near dates, unrelated types and
    actors), and ``truth`` (incident_id, external_id) of the pairs that are the same event.
    """
    rng = np.random.default_rng(seed)
    ev = events.reset_index(drop=True)
    keep = np.flatnonzero(rng.random(len(ev)) >= drop)
    inc = ev.iloc[keep].copy().reset_index(drop=True)
    n = len(inc)
    # reports mostly agree on the day and disagree by a day or two less often: |shift| = 0, 1, 2 ... with
    # probability 1/2, 1/4, 1/8 ..., capped at the window
    magnitude = np.minimum(rng.geometric(0.5, n) - 1, days)
    shift = pd.to_timedelta(magnitude * rng.choice([-1, 1], n), unit="D")
    inc["date_start"] = pd.to_datetime(inc["date_start"]) + shift
    inc["date_end"] = pd.to_datetime(inc["date_end"]) + shift
    bearing = rng.uniform(0, 2 * np.pi, n)
    dist = rng.uniform(0, move_km, n) / EARTH_RADIUS_KM
    lat = np.radians(inc["latitude"].astype(float).to_numpy())
    inc["latitude"] = inc["latitude"].astype(float) + np.degrees(dist * np.cos(bearing))
    inc["longitude"] = inc["longitude"].astype(float) + np.degrees(dist * np.sin(bearing) / np.cos(lat))
    if "sub_event_type" in inc and inc["sub_event_type"].notna().any():
        alt = _relabel_map()
        subs = inc["sub_event_type"].astype("object").to_numpy()
        change = rng.random(n) < relabel
        new = [rng.choice(alt[s]) if c and isinstance(s, str) and alt.get(s) else s for s, c in zip(subs, change)]
        inc["sub_event_type"] = new
        inc["event_type"] = [vocab.SUB_EVENT_TYPES.get(s) if isinstance(s, str) else None for s in new]
    fat = inc["fatalities_best"].astype(float).to_numpy()
    revise = rng.random(n) < 0.3
    fat = np.where(revise, np.round(fat * rng.uniform(0.8, 1.25, n)), fat).astype(int)
    inc["fatalities_low"] = inc["fatalities_best"] = inc["fatalities_high"] = fat
    rename = rng.random(n) < 0.3
    inc["actor1"] = [a.split(" (")[0] if r and isinstance(a, str) else a for a, r in zip(inc["actor1"], rename)]
    truth = pd.DataFrame({"incident_id": [f"ik-{k:06d}" for k in range(1, n + 1)],
                          "external_id": inc["id"].astype(str).to_numpy()})
    inc["id"] = truth["incident_id"].to_numpy()
    inc["dataset"] = "incidentkit"

    m = int(len(ev) * distractors)
    d = ev.iloc[rng.integers(0, len(ev), m)].copy().reset_index(drop=True)
    d["id"] = [f"D{k:07d}" for k in range(m)]
    off = pd.to_timedelta(rng.integers(-10, 11, m), unit="D")
    d["date_start"] = pd.to_datetime(d["date_start"]) + off
    d["date_end"] = pd.to_datetime(d["date_end"]) + off
    if "sub_event_type" in d and d["sub_event_type"].notna().any():
        others = np.array(["Peaceful protest", "Arrests", "Looting/property destruction", "Agreement"], dtype=object)
        d["sub_event_type"] = others[rng.integers(0, len(others), m)]
        d["event_type"] = [vocab.SUB_EVENT_TYPES[s] for s in d["sub_event_type"]]
    if "type_of_violence" in d and d["type_of_violence"].notna().any():
        tov = pd.to_numeric(d["type_of_violence"], errors="coerce").fillna(0).to_numpy()
        d["type_of_violence"] = np.where(tov == 2, 3, 2)
    d["actor1"] = [f"Unidentified Armed Group ({c})" for c in d["country"].astype("object")]
    d["actor2"] = None
    d["fatalities_low"] = d["fatalities_best"] = d["fatalities_high"] = rng.integers(0, 4, m)
    external = pd.concat([ev, d], ignore_index=True)
    for c in ("event_type", "sub_event_type"):
        if c in ev and isinstance(ev[c].dtype, pd.CategoricalDtype):
            external[c] = external[c].astype("object")
            inc[c] = inc[c].astype("object")
    return inc, external, truth


__all__ = ["acled_like", "write_acled_csv", "ucdp_like", "perturb"]
