"""The codebook's vocabularies and derivations, checked against ACLED's definitions and real UCDP data."""

from __future__ import annotations

import csv

import pytest

from incidentkit.codebook import COLUMN_NAMES, FIELDS, vocab
from incidentkit.codebook.countries import country_code, country_name, country_numeric

from conftest import REFERENCE


def test_acled_vocabulary_sizes():
    assert len(vocab.EVENT_TYPES) == 6
    assert len(vocab.SUB_EVENT_TYPES) == 25
    assert vocab.SUB_EVENT_TYPES["Suicide bomb"] == "Explosions/Remote violence"


@pytest.mark.parametrize("sub,expected", [
    ("Armed clash", "Political violence"), ("Mob violence", "Political violence"),
    ("Violent demonstration", "Demonstrations"), ("Peaceful protest", "Demonstrations"),
    ("Excessive force against protesters", "Political violence; Demonstrations"),
    ("Arrests", "Strategic developments"), ("Attack", "Political violence"),
])
def test_disorder_type(sub, expected):
    assert vocab.disorder_type(sub) == expected


@pytest.mark.parametrize("value,code", [
    (1, 1), ("2", 2), ("Rebel group", 2), ("rebel group", 2), ("Protestors", 6), ("Protesters", 6),
    ("External/Other forces", 8), ("", 0), (0, 0), (9, None), ("Rebels", None), (True, None), (2.0, 2),
])
def test_inter_codes_accept_labels_and_numbers(value, code):
    assert vocab.inter_code(value) == code


def test_interaction_lower_first_and_single_actor():
    assert vocab.interaction(2, 1) == 12
    assert vocab.interaction(7, 2) == 27
    assert vocab.interaction(2, None) == 20
    assert vocab.interaction_label(12) == "State forces-Rebel group"


def test_en_dash_and_protestors_are_normalised():
    assert vocab.normalise_label("State forces\u2013Protestors") == "State forces-Protesters"


def test_priogrid_matches_real_ucdp_rows():
    path = REFERENCE / "ucdp_ged_23_1_sample.csv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    checked = 0
    for row in rows:
        if row["priogrid_gid"]:
            assert vocab.priogrid_gid(float(row["latitude"]), float(row["longitude"])) == int(float(row["priogrid_gid"]))
            checked += 1
    assert checked > 900


def test_country_normalisation():
    assert country_code("Syria") == "SY" and country_code("SYR") == "SY" and country_code("sy") == "SY"
    assert country_code("Iraq") == "IQ" and country_code("Narnia") is None
    assert country_name("SY") == "Syria" and country_numeric("IQ") == 368


def test_field_names_are_the_codebook_contract():
    names = {f.name for f in FIELDS}
    fixed = {"id", "outlet", "title", "url", "published", "language", "originators", "coder", "coded_on",
             "date_start", "date_end", "time_precision", "event_type", "sub_event_type", "actor1", "inter1",
             "assoc_actor_1", "actor2", "inter2", "assoc_actor_2", "civilian_targeting", "country", "admin1",
             "location", "latitude", "longitude", "geo_precision", "fatalities", "notes", "evidence"}
    assert fixed <= names
    assert len(COLUMN_NAMES) == len(set(COLUMN_NAMES))


def test_public_api_names_resolve():
    import incidentkit

    for name in incidentkit.__all__:
        assert getattr(incidentkit, name) is not None, name
