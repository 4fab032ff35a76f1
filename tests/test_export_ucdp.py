"""The UCDP GED layout: 49 columns with GED's dtypes, type_of_violence, sides, deaths and precision."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from click.testing import CliRunner

from incidentkit.cli import main
from incidentkit.codebook.countries import country_code
from incidentkit.dataset import read_table
from incidentkit.export import excluded_counts, to_ucdp, write_ucdp
from incidentkit.export.regions import gw_number, ucdp_country_name, ucdp_region
from incidentkit.export.ucdp import UCDP_COLUMNS, date_prec, derive_type_of_violence

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "data" / "golden" / "v0.1.0"
REFERENCE = REPO / "tests" / "data" / "reference" / "ucdp_ged_23_1_sample.csv"


@pytest.fixture(scope="module")
def table() -> pa.Table:
    return read_table(GOLDEN)


@pytest.fixture(scope="module")
def ged(table: pa.Table) -> dict[str, dict]:
    return {r["relid"]: r for r in to_ucdp(table).to_pylist()}


def test_reads_next_to_the_ged_sample_with_identical_dtypes(table: pa.Table, tmp_path: Path) -> None:
    write_ucdp(table, tmp_path)
    ours = pd.read_csv(tmp_path / "ucdp_ged.csv")
    ref = pd.read_csv(REFERENCE)
    assert list(ours.columns) == list(ref.columns) == list(UCDP_COLUMNS)
    assert len(UCDP_COLUMNS) == 49
    assert ours.dtypes.astype(str).to_dict() == ref.dtypes.astype(str).to_dict()
    both = pd.concat([ref, ours], ignore_index=True)
    assert both.dtypes.astype(str).to_dict() == ref.dtypes.astype(str).to_dict()
    parquet = pd.read_parquet(tmp_path / "ucdp_ged.parquet")
    numeric = [c for c in ref.columns if ref[c].dtype.kind == "f"]
    assert all(parquet[c].dtype == "float64" for c in numeric)


def test_non_ged_events_are_left_out_and_counted(table: pa.Table, ged: dict) -> None:
    assert "enab-2023-03-31-roundup-03" not in ged                 # a protest
    assert excluded_counts(to_ucdp(table)) == {"not_ged_event_type": 1, "no_deaths": 0}
    assert len(ged) == table.num_rows - 1


def test_state_side_is_side_a_and_deaths_follow_their_side(ged: dict) -> None:
    clash = ged["enab-2023-03-31-roundup-01"]                      # IS (actor1) vs Iraqi army (actor2)
    assert clash["type_of_violence"] == 1
    assert (clash["side_a"], clash["side_b"]) == ("Government of Iraq", "IS")
    assert (clash["deaths_a"], clash["deaths_b"]) == (4, 5)        # coded deaths_b=4 soldiers, deaths_a=5 IS
    assert (clash["low"], clash["best"], clash["high"]) == (7, 9, 12)
    assert clash["gwnoa"] == 645 and clash["gwnob"] is None
    assert (clash["date_prec"], clash["event_clarity"]) == (2, 2)
    assert clash["geom_wkt"] == "POINT (44.3922 35.4681)"
    assert clash["priogrid_gid"] == (int((35.4681 + 90) / 0.5)) * 720 + int((44.3922 + 180) / 0.5) + 1
    assert clash["where_prec"] == 2 and clash["region"] == "Middle East" and clash["country_id"] == 645


def test_one_sided_violence_names_civilians_and_the_dyad(ged: dict) -> None:
    vac = ged["enab-2023-03-31-roundup-02"]
    assert vac["type_of_violence"] == 3
    assert vac["side_b"] == "Civilians" and vac["dyad_name"] == vac["conflict_name"] == \
        "Unidentified Armed Group (Syria) - Civilians"
    assert (vac["deaths_civilians"], vac["deaths_unknown"], vac["best"]) == (2, 0, 2)
    assert vac["source_office"] == "Enab Baladi" and vac["source_original"] == "SOHR; Iraqi Security Media Cell"
    assert vac["source_headline"].startswith("حصاد آذار")


def test_uncoded_deaths_go_to_unknown_and_points_stay_empty(ged: dict) -> None:
    strike = ged["enab-2023-03-31-roundup-04"]                     # Turkish forces vs QSD, no coordinates
    assert strike["type_of_violence"] == 1 and strike["side_a"] == "Government of Turkey"
    assert strike["gwnoa"] == 640
    assert (strike["deaths_a"], strike["deaths_b"], strike["deaths_civilians"], strike["deaths_unknown"]) == (0, 0, 0, 5)
    assert strike["latitude"] is None and strike["geom_wkt"] is None and strike["priogrid_gid"] is None
    assert strike["date_prec"] == 4 and strike["date_start"] == "2023-03-01" and strike["date_end"] == "2023-03-31"


@pytest.mark.parametrize("event_type, inter1, inter2, override, expected", [
    ("Battles", 2, 2, None, 2),
    ("Battles", 2, 1, None, 1),
    ("Explosions/Remote violence", 8, 2, None, 1),
    ("Violence against civilians", 1, 7, None, 3),      # a government killing civilians is one-sided
    ("Riots", 5, 7, None, 3),
    ("Battles", 2, 3, 1, 1),                             # the coder's override wins
])
def test_type_of_violence_from_actor_types(event_type: str, inter1: int, inter2: int, override: int | None,
                                           expected: int) -> None:
    assert derive_type_of_violence(event_type, inter1, inter2, override) == expected


@pytest.mark.parametrize("days, tp, expected", [(1, 1, 1), (2, 1, 2), (6, 1, 2), (7, 2, 3), (1, 3, 4), (31, 1, 4),
                                                (90, 1, 5)])
def test_date_prec(days: int, tp: int, expected: int) -> None:
    assert date_prec(days, tp) == expected


def test_country_tables_agree_with_the_ged_sample() -> None:
    ref = pd.read_csv(REFERENCE).drop_duplicates("country")
    by_ucdp_name = {}
    for _, row in ref.iterrows():
        code = next((c for c in ("IQ", "SY", "CD", "YE", "RU", "RS", "MK", "MM", "KH", "CI", "SZ", "BA")
                     if ucdp_country_name(c) == row["country"]), None) or country_code(row["country"])
        by_ucdp_name[row["country"]] = code
        assert code is not None, row["country"]
        assert (ucdp_country_name(code), gw_number(code), ucdp_region(code)) == \
            (row["country"], row["country_id"], row["region"])
    assert len(by_ucdp_name) == len(ref)


def test_cli_reports_what_was_left_out(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["export", "ucdp", "--dataset", str(GOLDEN), "-o", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "1 Protests/Strategic developments" in res.output
    assert (tmp_path / "ucdp_ged.csv").exists()


def test_side_names_are_geds_and_the_acled_layout_keeps_acleds(table: pa.Table) -> None:
    # issue 13, point 4: any period or unit of a country's state forces is GED's "Government of X"
    # side (as UCDP's actor list spells it), a group its UCDP name; the ACLED layout is left as coded
    from incidentkit.export import to_acled

    rows = table.slice(0, 1).to_pylist()
    row = rows[0] | {"country": "SO", "event_type": "Battles", "sub_event_type": "Armed clash",
                     "actor1": "Al Shabaab", "inter1": 2, "actor2": "Military Forces of Somalia (2022-) Danab",
                     "inter2": 1, "civilian_targeting": False}
    one = pa.Table.from_pylist([row], schema=table.schema)
    g = to_ucdp(one).to_pylist()[0]
    assert (g["side_a"], g["side_b"]) == ("Government of Somalia", "Al-Shabaab")
    assert g["gwnoa"] == gw_number("SO")
    a = to_acled(one).to_pylist()[0]
    assert (a["actor1"], a["actor2"]) == ("Al Shabaab", "Military Forces of Somalia (2022-) Danab")
