"""Records -> Parquet -> read_incidents gives back exactly what the coder wrote (property-based)."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import incidentkit
from incidentkit.codebook import vocab

from conftest import dump_yaml

# Arabic, Swedish, Kurdish and typographic characters, plus ASCII; no control characters or surrogates.
ALPHABET = st.characters(
    whitelist_categories=("Lu", "Ll", "Lo", "Mn", "Nd", "Pd", "Po", "Ps", "Pe", "Sm", "Zs"),
    whitelist_characters="åäöÅÄÖéêîûçşĞğ\u0627\u0644\u062d\u0633\u0643\u0629\u0639\u064a\u0646\n\"'#:-&*!|>%@`",
)
TEXT = st.text(ALPHABET, min_size=1, max_size=40).filter(lambda s: s.strip() != "")
DAY = st.dates(min_value=dt.date(1989, 1, 1), max_value=dt.date(2025, 12, 31))
SUB_EVENTS = sorted(vocab.SUB_EVENT_TYPES)


@st.composite
def incidents(draw, index: int, published: dt.date):
    start = draw(DAY.filter(lambda d: d <= published))
    end = draw(st.dates(min_value=start, max_value=published))
    sub = draw(st.sampled_from(SUB_EVENTS))
    event = vocab.SUB_EVENT_TYPES[sub]
    low = draw(st.integers(0, 500))
    best = draw(st.integers(low, 1000))
    high = draw(st.integers(best, 5000))
    has_actor2 = draw(st.booleans())
    has_point = draw(st.booleans())
    inc = {
        "id": f"rt-{index:04d}",
        "date_start": start.isoformat(),
        "date_end": end.isoformat(),
        # day precision spans at most MAX_PRECISE_DAYS (the ACLED layout's one event per day); longer: 2
        "time_precision": draw(st.integers(1 if (end - start).days < vocab.MAX_PRECISE_DAYS else 2, 3)),
        "event_type": event,
        "sub_event_type": sub,
        "actor1": draw(TEXT),
        "inter1": draw(st.integers(1, 8)),
        "assoc_actor_1": draw(st.lists(TEXT, max_size=3)),
        "country": draw(st.sampled_from(["SY", "IQ", "SE", "YE"])),
        "location": draw(TEXT),
        "fatalities": {"low": low, "best": best, "high": high},
        "notes": draw(TEXT),
        "evidence": [{"field": "notes", "quote": draw(TEXT)}],
        "civilian_targeting": vocab.civilian_targeting_allowed(event, sub) and draw(st.booleans()),
    }
    if has_actor2:
        inc["actor2"] = draw(TEXT)
        inc["inter2"] = draw(st.integers(1, 8))
    if has_point:
        inc["latitude"] = draw(st.floats(-89.9, 89.9, allow_nan=False).map(lambda f: round(f, 6)))
        inc["longitude"] = draw(st.floats(-179.9, 179.9, allow_nan=False).map(lambda f: round(f, 6)))
        inc["geo_precision"] = draw(st.integers(1, 3))
    return inc


@st.composite
def records(draw):
    published = draw(DAY)
    n = draw(st.integers(1, 4))
    return {
        "source": {"id": "rt-source", "outlet": draw(TEXT), "title": draw(TEXT), "published": published.isoformat(),
                   "language": draw(st.sampled_from(["sv", "ar", "ku", "fa", "en"])),
                   "originators": draw(st.lists(TEXT, max_size=3))},
        "coder": "ab",
        "coded_on": "2026-11-25",
        "incidents": [draw(incidents(i, published)) for i in range(n)],
    }


def _expected(doc: dict, inc: dict) -> dict:
    fat = inc["fatalities"]
    return {
        "source_outlet": doc["source"]["outlet"], "source_title": doc["source"]["title"],
        "source_originators": doc["source"]["originators"], "source_language": doc["source"]["language"],
        "source_published": pd.Timestamp(doc["source"]["published"]),
        "id": inc["id"], "date_start": pd.Timestamp(inc["date_start"]), "date_end": pd.Timestamp(inc["date_end"]),
        "time_precision": inc["time_precision"], "event_type": inc["event_type"],
        "sub_event_type": inc["sub_event_type"], "actor1": inc["actor1"], "inter1": inc["inter1"],
        "assoc_actor_1": inc["assoc_actor_1"], "actor2": inc.get("actor2"), "inter2": inc.get("inter2"),
        "country": inc["country"], "location": inc["location"], "latitude": inc.get("latitude"),
        "longitude": inc.get("longitude"), "geo_precision": inc.get("geo_precision"),
        "fatalities_low": fat["low"], "fatalities_best": fat["best"], "fatalities_high": fat["high"],
        "notes": inc["notes"], "civilian_targeting": inc["civilian_targeting"],
        "evidence": [{**e, "start": None, "end": None} for e in inc["evidence"]],  # no article: no offsets
    }


def _plain(value):
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return value


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records())
def test_records_round_trip_through_parquet(doc):
    tmp = Path(tempfile.mkdtemp())
    try:
        (tmp / "coded").mkdir()
        (tmp / "coded" / "r.yaml").write_text(dump_yaml(doc), encoding="utf-8")
        incidentkit.build(tmp / "coded", tmp / "out", geocode=False, exports=False)
        df = incidentkit.read_incidents(tmp / "out").set_index("id", drop=False)
        for inc in doc["incidents"]:
            got = df.loc[inc["id"]]
            for key, want in _expected(doc, inc).items():
                assert _plain(got[key]) == _plain(want), (key, got[key], want)
    finally:
        shutil.rmtree(tmp)


def test_arabic_and_swedish_text_survive_exactly(write_record, base_record, tmp_path):
    notes = "مقتل ٢٣ عنصراً من قسد في سجن غويران — Gweiranfängelset, Serêkaniyê\n  indrag"
    base_record["incidents"][0]["notes"] = notes
    base_record["incidents"][0]["location"] = "الحسكة"
    write_record(base_record)
    incidentkit.build(tmp_path / "coded", tmp_path / "out", geocode=False, exports=False)
    df = incidentkit.read_incidents(tmp_path / "out")
    assert df.loc[0, "notes"] == notes and df.loc[0, "location"] == "الحسكة"
