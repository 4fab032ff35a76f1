"""The draft development set is valid, and benchmarks/draft_accuracy.py scores as documented."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import io
import sys
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

from incidentkit.validate import validate

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data" / "draft_dev"


def _bench():
    spec = importlib.util.spec_from_file_location("draft_accuracy", ROOT / "benchmarks" / "draft_accuracy.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("draft_accuracy", mod)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


da = _bench()


def test_dev_set_records_are_valid_and_cover_the_languages_and_countries():
    report = validate(DATA / "coded")
    assert not report.errors, [str(p) for p in report.errors]
    assert not report.warnings, [str(p) for p in report.warnings]
    with open(DATA / "index.csv", encoding="utf-8", newline="") as f:
        index = list(csv.DictReader(f))
    assert 24 <= len(index) <= 32
    per_language = Counter(r["language"] for r in index)
    assert set(per_language) == {"en", "sv", "ar", "fr"} and min(per_language.values()) >= 6
    assert len({r["country"] for r in index}) >= 10
    assert {r["id"] for r in index} == {row["source_id"] for row in report.rows}
    for r in index:
        assert (DATA / r["file"]).read_text(encoding="utf-8").strip()
    # each record names its article, so every evidence quote was checked against the text
    assert all(row["source_article"] for row in report.rows)
    held = validate(DATA / "heldout" / "coded")
    assert not held.errors and not held.warnings, [str(p) for p in (*held.errors, *held.warnings)]
    with open(DATA / "heldout" / "index.csv", encoding="utf-8", newline="") as f:
        assert {r["id"] for r in csv.DictReader(f)} == {row["source_id"] for row in held.rows}
    assert not {row["source_id"] for row in held.rows} & {r["id"] for r in index}


def test_agreement_rules_on_a_hand_made_case():
    coded = {"date_start": dt.date(2024, 3, 10), "date_end": None, "time_precision": 1,
             "event_type": "Battles", "sub_event_type": "Armed clash", "actor1": "Military Forces of Nigeria (2023-)",
             "inter1": 1, "actor2": None, "country": "NG", "admin1": "Borno", "location": "Konduga",
             "latitude": 11.65, "longitude": 13.42, "fatalities_low": 14, "fatalities_best": 14, "fatalities_high": 20}
    vocabulary = SimpleNamespace(ucdp_side=lambda n: "Government of Nigeria" if n.startswith("Military Forces of Nigeria") else n)
    assert da.agrees("date_start", "2024-03-10", coded) and not da.agrees("date_start", "2024-03-11", coded)
    assert da.agrees("date_end", "2024-03-10", coded)  # date_end defaults to date_start
    assert da.agrees("inter1", "State forces", coded) and da.agrees("time_precision", "1", coded)
    assert da.agrees("event_type", "battles", coded)
    assert da.agrees("country", "Nigeria", coded) and not da.agrees("country", "NE", coded)
    assert da.agrees("admin1", "borno", coded)
    # actors: exact, or the same UCDP side (another period or unit of the same state's forces)
    assert da.agrees("actor1", "Military Forces of Nigeria (2023-) (Nigeria)", coded, vocabulary=vocabulary)
    assert not da.agrees("actor1", "Boko Haram", coded, vocabulary=vocabulary)
    # fatalities: the coder's best inside the candidate's range; exact only with exact_fatalities
    assert da.agrees("fatalities", {"low": 10, "best": 12, "high": 15}, coded)
    assert not da.agrees("fatalities", {"low": 10, "best": 12, "high": 15}, coded, exact_fatalities=True)
    assert da.agrees("fatalities", 14, coded, exact_fatalities=True)
    assert not da.agrees("fatalities", {"low": 15, "best": 20, "high": 20}, coded)
    # location: same name, or a gazetteer place within 25 km, never an admin-seat fallback
    near = SimpleNamespace(found=True, latitude=11.70, longitude=13.40, fallback="")
    far = SimpleNamespace(found=True, latitude=11.85, longitude=13.15, fallback="")   # ~37 km
    seat = SimpleNamespace(found=True, latitude=11.65, longitude=13.42, fallback="admin1")
    geo = SimpleNamespace(geocode=lambda name, cc, a1: {"near Konduga": near, "Far": far, "Borno": seat}[name])
    places = da.Places(geo)
    assert da.agrees("location", "konduga", coded)
    assert da.agrees("location", "near Konduga", coded, places=places)
    assert not da.agrees("location", "Far", coded, places=places)
    assert not da.agrees("location", "Borno", coded, places=places)
    # ranks -> rates; spans outside the text are found
    assert da.rates([1, 2, None, 4]) == {"n": 4, "top1": 0.25, "top3": 0.5, "top1_count": 1, "top3_count": 2}
    draft = {"incidents": [{"fields": {"country": [{"value": "NG", "score": 1, "spans": [[0, 3], [5, 99], [4, 4]]}]}}]}
    n, bad = da.spans_check(draft, "0123456789")
    assert n == 3 and [b["span"] for b in bad] == [[5, 99], [4, 4]]


def test_alignment_pairs_same_day_same_place_and_leaves_the_rest():
    coded = [{"source_id": "s", "date_start": dt.date(2024, 3, 10), "date_end": None, "event_type": "Battles",
              "sub_event_type": "Armed clash", "country": "NG", "admin1": "Borno", "location": "Gwoza"},
             {"source_id": "s", "date_start": dt.date(2024, 3, 11), "date_end": None,
              "event_type": "Violence against civilians", "sub_event_type": "Attack", "country": "NG",
              "admin1": "Borno", "location": "Konduga"}]
    drafted = [{"source_id": "s", "date_start": "2024-03-11", "date_end": "2024-03-11",
                "event_type": "Violence against civilians", "sub_event_type": "Attack", "country": "NG",
                "admin1": "Borno", "location": "Konduga"},
               {"source_id": "s", "date_start": "2024-03-01", "date_end": "2024-03-01", "event_type": "Battles",
                "sub_event_type": "Armed clash", "country": "NG", "admin1": "Borno", "location": "Gwoza"}]
    pairs = set(da.align_source(coded, drafted))
    assert pairs == {(1, 0), (0, None), (None, 1)}


def test_benchmark_runs_end_to_end_on_two_articles():
    ids = ["en-ng-2024-03-12-borno", "sv-sy-2024-04-15-mayadin"]
    text_of = {i: (DATA / "articles" / f"{i}.txt").read_text(encoding="utf-8") for i in ids}

    def fake_draft(text, *, published, language, country=None):
        def c(v, phrase):
            start = text.find(phrase)
            return [{"value": v, "score": 0.9, "spans": [[start, start + len(phrase)]]}]
        if text == text_of["en-ng-2024-03-12-borno"]:
            # one incident found (Konduga), fatalities right, actor wrong; the Gwoza battle missed
            return SimpleNamespace(to_json=lambda: {"incidents": [{"fields": {
                "date_start": c("2024-03-10", "on Sunday"), "event_type": c("Violence against civilians", "killed"),
                "sub_event_type": c("Attack", "killed"), "country": c("NG", "Nigeria"), "admin1": c("Borno", "Borno"),
                "location": c("Konduga", "Konduga"), "actor1": c("Boko Haram", "Boko Haram"),
                "fatalities": c({"low": 14, "best": 14, "high": 14}, "at least 14")}}]})
        assert published == dt.date(2024, 4, 15) and language == "sv" and country is None
        return {"incidents": [{"fields": {
            "date_start": c("2024-04-14", "i lördags kväll") + c("2024-04-13", "i lördags kväll"),
            "event_type": c("Battles", "anföll"), "sub_event_type": c("Armed clash", "anföll"),
            "country": c("SY", "Syrien"), "location": c("al-Mayadin", "al-Mayadin"),
            "fatalities": [{"value": {"low": 8, "best": 8, "high": 8}, "score": 1, "spans": [[0, 10_000]]}]}}]}

    result = da.run(DATA, draft_fn=fake_draft, ids=ids, repeat=1, geocoder=None)
    assert result["articles"] == 2
    assert result["incidents"]["all"] == {"coded": 3, "drafted": 2, "aligned": 2, "recall": 2 / 3, "precision": 1.0}
    f = result["fields"]["all"]
    assert f["date_start"]["top1"] == 0.5 and f["date_start"]["top3"] == 1.0
    assert f["fatalities"]["top1"] == 1.0 and f["country"]["top1"] == 1.0
    assert f["actor1"]["n"] == 2 and f["actor1"]["top3"] == 0.0    # Boko Haram is not ISWAP; no sv actor
    assert f["location"]["top1"] == 1.0
    assert result["spans"]["outside"] == 1                          # the [0, 10000] span
    goals = {g["goal"]: g["pass"] for g in result["goals"]}
    assert goals["country top-1"] and not goals["spans inside the text"] and not goals["incidents found"]
    assert result["speed"]["max_ms"] is not None
    out = io.StringIO()
    da.print_report(result, examples=1, file=out)
    assert "MISS  incidents found" in out.getvalue()
