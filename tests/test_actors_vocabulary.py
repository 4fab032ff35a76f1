"""The actor vocabulary (issue 13): names for every country, checks that know the incident's country and
date, suggestions drawn only from that country and period, and the project actor list."""

from __future__ import annotations

import dataclasses
import random
from datetime import date, timedelta
from pathlib import Path

import pytest

from incidentkit.actors import ActorInfo, Verdict, Vocabulary, load_vocabulary
from incidentkit.actors.data import periods_by_country
from incidentkit.actors.grammar import acled_country_names
from incidentkit.actors.project import add_actor, import_actors, read_project_actors
from incidentkit.codebook.actors import ACTORS
from incidentkit.codebook.countries import country_code
from incidentkit.errors import CATALOGUE, InputFileError


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return load_vocabulary()


def codes(v: Verdict) -> dict[str, str]:
    return {code: sev for code, sev, _ in v.problems}


# --- typos get the right name ------------------------------------------------------------------------

@pytest.mark.parametrize("typo, country, day, right", [
    ("Militray Forces of Nigeria (2023-)", "NG", date(2023, 6, 1), "Military Forces of Nigeria (2023-)"),
    ("Civilans (Somalia)", "SO", date(2024, 2, 1), "Civilians (Somalia)"),
    ("Al Shabab", "SO", date(2024, 2, 1), "Al Shabaab"),
    ("Taleban", "AF", date(2019, 3, 1), "Taliban"),
    ("Military Forces of Nigeria", "NG", date(2023, 6, 1), "Military Forces of Nigeria (2023-)"),
    ("Military Forces of Nigeria", "NG", date(2020, 6, 1), "Military Forces of Nigeria (2015-2023)"),
    ("Civilians (Syria)", "NG", date(2023, 6, 1), "Civilians (Nigeria)"),
    ("Protesters (Ethiopa)", "ET", date(2019, 1, 5), "Protesters (Ethiopia)"),
    ("Fulani Ethnic Milita (Nigeria)", "NG", date(2021, 1, 5), "Fulani Ethnic Militia (Nigeria)"),
    ("Polce Forces of Iraq (2022-) Prison Guards", "IQ", date(2023, 1, 5), "Police Forces of Iraq (2022-) Prison Guards"),
    ("Police Forces fo Ethiopia (2018-) Prison Guards", "ET", date(2019, 1, 5),
     "Police Forces of Ethiopia (2018-) Prison Guards"),
    ("Civilians (Internnational)", "KE", date(2019, 1, 5), "Civilians (International)"),
    ("Militia (Proo-Government)", "AF", date(2019, 1, 5), "Militia (Pro-Government)"),
])
def test_typos_get_the_right_first_suggestion(vocab: Vocabulary, typo: str, country: str, day: date,
                                              right: str) -> None:
    assert vocab.suggest(typo, country, day)[0] == right
    assert vocab.check(typo, country=country, date=day).suggestions[0] == right


def test_unknown_name_is_a_warning_with_a_suggestion(vocab: Vocabulary) -> None:
    v = vocab.check("Militray Forces of Nigeria (2023-)", country="NG", date=date(2023, 6, 1), inter=1)
    assert not v.known and v.info is None
    assert codes(v) == {"actor-not-in-list": "warning"}
    assert "Military Forces of Nigeria (2023-)" in v.problems[0][2]


def test_the_issue_s_harmful_suggestions_are_gone(vocab: Vocabulary) -> None:
    """The three suggestions issue 13 reported: Syria for Nigeria, Syria for Somalia, 2020-2022 for 2019."""
    assert vocab.check("Military Forces of Nigeria (2023-)", "NG", date(2023, 6, 1), 1).problems == []
    assert vocab.check("Civilians (Somalia)", "SO", date(2023, 6, 1), 7).problems == []
    v = vocab.check("Military Forces of Iraq (2020-2022)", country="IQ", date=date(2019, 5, 1), inter=1)
    assert v.known and codes(v) == {"actor-period": "error"}
    assert v.suggestions == ["Military Forces of Iraq (2018-2020)"]
    police = vocab.check("Police Forces of Iraq (2020-2022)", country="IQ", date=date(2019, 5, 1))
    assert police.suggestions == ["Police Forces of Iraq (2018-2020)"]


def test_a_period_suggestion_keeps_the_unit(vocab: Vocabulary) -> None:
    v = vocab.check("Military Forces of Iraq (2020-2022) Kurdistan Regional Government Peshmerga", "IQ",
                    date(2023, 3, 1), 1)
    assert v.suggestions == ["Military Forces of Iraq (2022-) Kurdistan Regional Government Peshmerga"]


# --- never another country's name --------------------------------------------------------------------

def _suggestion_ok(vocab: Vocabulary, name: str, cc: str, day: date) -> bool:
    info = vocab.lookup(name)
    if info is None:
        return False
    in_country = info.country == cc or cc in info.countries or (info.country == "" and not info.countries)
    return in_country and info.active_on(day)


def test_no_suggestion_is_ever_another_country_s_or_another_period_s(vocab: Vocabulary) -> None:
    """Property-style: random countries and dates, names of *other* countries and periods, mangled."""
    rng = random.Random(13)
    countries = sorted(periods_by_country())
    queries = ["Military Forces of {X} ({P})", "Police Forces of {X} ({P})", "Civilians ({Y})", "Protesters ({Y})",
               "Militray Forces of {X} ({P})", "Civlians ({Y})", "Unidentifed Armed Group ({Y})",
               "Military Forces of {X}", "Islamic State ({Y})", "Al Shabab", "Taleban", "Rioters"]
    checked = 0
    for _ in range(300):
        cc = rng.choice(countries)
        day = date(1997, 1, 1) + timedelta(days=rng.randrange(365 * 29))
        other = rng.choice(countries)
        p = rng.choice(periods_by_country()[other])
        query = rng.choice(queries).format(X=p.acled_country, P=p.period,
                                           Y=acled_country_names()[other])
        for s in vocab.suggest(query, cc, day) + vocab.check(query, country=cc, date=day).suggestions:
            assert _suggestion_ok(vocab, s, cc, day), (query, cc, day, s)
            checked += 1
    assert checked > 300  # the property was exercised, not vacuous


def test_names_for_holds_only_that_country_and_period(vocab: Vocabulary) -> None:
    names = vocab.names_for("NG", date(2023, 6, 1))
    assert "Military Forces of Nigeria (2023-)" in names and "Civilians (Nigeria)" in names
    assert "Military Forces of Nigeria (2015-2023)" not in names
    assert not any("Syria" in n for n in names)
    for n in names:
        assert _suggestion_ok(vocab, n, "NG", date(2023, 6, 1)), n


# --- periods on their boundaries ---------------------------------------------------------------------

def test_the_handover_day_belongs_to_the_new_period(vocab: Vocabulary) -> None:
    # Nigeria: 2015-2023 ends and 2023- starts on 2023-05-29 (Tinubu's inauguration)
    old, new = "Military Forces of Nigeria (2015-2023)", "Military Forces of Nigeria (2023-)"
    assert vocab.check(old, "NG", date(2023, 5, 28), 1).problems == []
    assert codes(vocab.check(old, "NG", date(2023, 5, 29), 1)) == {"actor-period": "error"}
    assert vocab.check(new, "NG", date(2023, 5, 29), 1).problems == []
    assert codes(vocab.check(new, "NG", date(2023, 5, 28), 1)) == {"actor-period": "error"}
    assert vocab.check(old, "NG", date(2015, 5, 29), 1).problems == []       # its own first day
    assert vocab.period_on("NG", date(2015, 5, 28)).period == "2010-2015"  # type: ignore[union-attr]


def test_a_closed_period_s_open_label_is_accepted_while_it_was_current(vocab: Vocabulary) -> None:
    """Exports made in 2019 wrote 'Military Forces of Afghanistan (2014-)' for what is now '(2014-2021)'."""
    assert vocab.check("Military Forces of Afghanistan (2014-)", "AF", date(2019, 1, 1), 1).problems == []
    v = vocab.check("Military Forces of Afghanistan (2014-)", "AF", date(2022, 1, 1), 1)
    assert codes(v) == {"actor-period": "error"} and v.suggestions == ["Military Forces of Afghanistan (2021-)"]


# --- actor types and countries -----------------------------------------------------------------------

def test_state_forces_abroad_are_external_forces(vocab: Vocabulary) -> None:
    name = "Military Forces of Turkey (2016-)"
    assert vocab.check(name, country="SY", date=date(2020, 2, 1), inter=8).problems == []
    assert codes(vocab.check(name, country="SY", date=date(2020, 2, 1), inter=1)) == {"actor-inter-mismatch": "error"}
    assert vocab.check(name, country="TR", date=date(2020, 2, 1), inter=1).problems == []
    assert codes(vocab.check(name, country="TR", date=date(2020, 2, 1), inter=8)) == {"actor-inter-mismatch": "error"}


@pytest.mark.parametrize("name, inter, severity", [
    ("Civilians (Nigeria)", 1, "error"),
    ("Protesters (Nigeria)", 2, "error"),
    ("Rioters (Nigeria)", 7, "error"),
    ("Fulani Ethnic Militia (Nigeria)", 2, "error"),
    ("Islamic State (Nigeria)", 1, "error"),
])
def test_generic_names_fix_their_type(vocab: Vocabulary, name: str, inter: int, severity: str) -> None:
    assert codes(vocab.check(name, country="NG", date=date(2022, 1, 1), inter=inter)) == {
        "actor-inter-mismatch": severity}
    right = vocab.lookup(name).inter  # type: ignore[union-attr]
    assert vocab.check(name, country="NG", date=date(2022, 1, 1), inter=right).problems == []


def test_a_listed_group_s_other_type_is_a_warning(vocab: Vocabulary) -> None:
    assert codes(vocab.check("Al Shabaab", "SO", date(2020, 1, 1), inter=7)) == {"actor-inter-mismatch": "warning"}
    assert vocab.check("Al Shabaab", "SO", date(2020, 1, 1), inter=2).problems == []


def test_another_country_s_generic_actor_is_a_warning_with_the_local_name(vocab: Vocabulary) -> None:
    v = vocab.check("Civilians (Syria)", country="NG", date=date(2023, 6, 1), inter=7)
    assert codes(v) == {"actor-other-country": "warning"} and v.suggestions == ["Civilians (Nigeria)"]
    assert codes(vocab.check("Al Shabaab", "NG", date(2020, 1, 1), 2)) == {"actor-other-country": "warning"}
    assert vocab.check("Civilians (International)", "KE", date(2020, 1, 1), 7).problems == []


def test_every_seed_name_is_still_accepted(vocab: Vocabulary) -> None:
    for a in ACTORS:
        assert vocab.lookup(a.name) is not None, a.name


def test_every_country_has_generic_names_the_rest_of_incidentkit_reads(vocab: Vocabulary) -> None:
    names = acled_country_names()
    assert len(names) >= 249
    for cc, word in names.items():
        assert country_code(word) == cc, (cc, word)
        info = vocab.lookup(f"Civilians ({word})")
        assert info is not None and info.country == cc and info.inter == 7
    assert names["US"] == "United States" and names["CD"] == "Democratic Republic of Congo"
    assert vocab.lookup("Civilians (the United States)") is None


def test_state_names_use_acled_s_country_spelling(vocab: Vocabulary) -> None:
    assert vocab.lookup("Military Forces of the United States (2025-)").country == "US"  # type: ignore[union-attr]
    assert vocab.lookup("Military Forces of United States (2025-)") is None
    assert vocab.lookup("Military Forces of Congo/Zaire (1965-1997)").country == "CD"  # type: ignore[union-attr]


def test_either_or_and_party_militias(vocab: Vocabulary) -> None:
    either = vocab.lookup("JNIM: Group for Support of Islam and Muslims and/or Islamic State (Greater Sahara)")
    assert either is not None and either.inter == 2
    assert vocab.lookup("Al Shabaab and/or Nonexistent Group") is None
    militia = vocab.lookup("BNP: Bangladesh Nationalist Party Militia")
    assert militia is not None and militia.inter == 3 and militia.country == "BD"


# --- UCDP sides --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, side", [
    ("Military Forces of Somalia (2022-)", "Government of Somalia"),
    ("Police Forces of Somalia (2012-2017)", "Government of Somalia"),
    ("Military Forces of Iraq (2020-2022) Kurdistan Regional Government Peshmerga", "Government of Iraq"),
    ("Military Forces of Yemen (2022-) Houthi", "Government of Yemen (North Yemen)"),
    ("Military Forces of Russia (2000-)", "Government of Russia (Soviet Union)"),
    ("Military Forces of Democratic Republic of Congo (2019-)", "Government of DR Congo (Zaire)"),
    ("Military Forces of Myanmar (2021-)", "Government of Myanmar (Burma)"),
    ("Military Forces of the United States (2025-)", "Government of United States of America"),
    ("Taliban", "Taleban"),
    ("Civilians (Syria)", "Civilians (Syria)"),
    ("Something Unknown", "Something Unknown"),
])
def test_ucdp_side(vocab: Vocabulary, name: str, side: str) -> None:
    assert vocab.ucdp_side(name) == side


# --- search ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("query, country, expected", [
    ("داعش", "SY", "Islamic State (Syria)"),
    ("Daesh", None, "Islamic State"),
    ("IS-medlemmar", None, "Islamic State"),
    ("قسد", "SY", "QSD: Syrian Democratic Forces"),
    ("Taleban", "AF", "Taliban"),
    ("shabaab", "SO", "Al Shabaab"),
])
def test_search_by_alias_in_any_language(vocab: Vocabulary, query: str, country: str | None, expected: str) -> None:
    assert expected in [i.name for i in vocab.search(query, country=country)]


def test_search_filters_by_country_and_date(vocab: Vocabulary) -> None:
    found = vocab.search("Military Forces", country="NG", date=date(2020, 1, 1))
    assert found and all(i.country in ("NG", "") for i in found)  # "" : "Unidentified Military Forces"
    assert "Military Forces of Nigeria (2015-2023)" in [i.name for i in found]
    assert "Military Forces of Nigeria (2023-)" not in [i.name for i in found]


# --- the project list --------------------------------------------------------------------------------

UNICODE_NAMES = [("جيش الإسلام (فرع حلب)", 2, "SY", ["Jaysh al-Islam", "جيش الإسلام"]),
                 ("Hemvärnets frivilliga i Södertälje", 3, "SE", ["HFS"]),
                 ("Comité d’autodéfense de Kidal – Œuvre", 3, "ML", ["Comité de Kidal"])]


def test_project_round_trip_keeps_unicode_exactly(tmp_path: Path) -> None:
    path = tmp_path / "datasets" / "actors.csv"
    for name, inter, cc, aliases in UNICODE_NAMES:
        add_actor(path, name, inter, cc, aliases=aliases, source="https://example.org/report",
                  added=date(2026, 11, 30))
    infos = read_project_actors(path)
    assert [(i.name, i.inter, i.country, list(i.aliases)) for i in infos] == [
        (n, i, c, a) for n, i, c, a in UNICODE_NAMES]
    assert infos[0].source == f"project: {path}:2" and infos[2].source == f"project: {path}:4"
    text = path.read_text(encoding="utf-8")
    for name, *_ in UNICODE_NAMES:
        assert name in text
    vocab = load_vocabulary(path)
    info = vocab.lookup("جيش الإسلام (فرع حلب)")
    assert info is not None and info.kind == "project"
    assert vocab.check("جيش الإسلام (فرع حلب)", "SY", date(2020, 1, 1), 2).problems == []
    assert "Hemvärnets frivilliga i Södertälje" in [i.name for i in vocab.search("HFS", country="SE")]
    assert vocab.suggest("Hemvärnets frivilliga i Sodertalje", "SE")[0] == "Hemvärnets frivilliga i Södertälje"


def test_the_vocabulary_is_read_again_when_the_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "actors.csv"
    add_actor(path, "Zamfara Vigilantes", 3, "NG")
    first = load_vocabulary(path)
    assert load_vocabulary(path) is first
    add_actor(path, "Katsina Vigilantes", 3, "NG")
    second = load_vocabulary(path)
    assert second is not first and second.lookup("Katsina Vigilantes") is not None


def test_add_refuses_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "actors.csv"
    add_actor(path, "Zamfara Vigilantes", 3, "NG")
    before = path.read_bytes()
    for name in ("Zamfara Vigilantes", "Al Shabaab", "Civilians (Nigeria)", "Military Forces of Nigeria (2023-)"):
        with pytest.raises(InputFileError) as err:
            add_actor(path, name, 3, "NG")
        assert err.value.code == "actor-duplicate"
    assert path.read_bytes() == before


@pytest.mark.parametrize("body, line, code", [
    ("name,inter,country\nZamfara Vigilantes,9,NG\n", 2, "actors-file-invalid"),
    ("name,inter,country\nA,3,NG\nB,3,Atlantis\n", 3, "actors-file-invalid"),
    ("name,inter,country,start\nA,3,NG,2020-13-01\n", 2, "actors-file-invalid"),
    ("name,inter,country\nA,3,NG\n,3,NG\n", 3, "actors-file-invalid"),
    ("name,inter,country\nA,3,NG\nA,2,NG\n", 3, "actor-duplicate"),
    ("name,inter,cuntry\nA,3,NG\n", 1, "actors-file-header"),
    ("name,inter,country\nA,3\n", 2, "actors-file-invalid"),
])
def test_bad_project_rows_are_located(tmp_path: Path, body: str, line: int, code: str) -> None:
    path = tmp_path / "actors.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(InputFileError) as err:
        read_project_actors(path)
    assert err.value.code == code and code in CATALOGUE
    assert f"{path}:{line}:" in err.value.message
    assert err.value.problems[0].line == line


def test_a_latin1_project_file_is_an_encoding_error(tmp_path: Path) -> None:
    path = tmp_path / "actors.csv"
    path.write_bytes("name,country\nSödertälje,SE\n".encode("latin-1"))
    with pytest.raises(InputFileError) as err:
        read_project_actors(path)
    assert err.value.code == "file-encoding"


ACLED_HEADER = ("event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,"
                "assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,"
                "country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,notes,"
                "fatalities,tags,timestamp")


def acled_fixture(path: Path) -> Path:
    """Invented rows in ACLED's layout (ACLED's own rows may not be redistributed)."""
    rows = [
        ("NIG900001,2023-06-02,2023,1,Political violence,Battles,Armed clash,Zamfara Vigilantes,,3,"
        "Unidentified Armed Group (Nigeria),,3,33,,566,Western Africa,Nigeria,Zamfara,Gusau,,Gusau,12.16,6.66,1,"
        "Invented Source,National,Invented note one.,2,,1700000001"),
        ("NIG900002,2023-07-09,2023,1,Political violence,Violence against civilians,Attack,Zamfara Vigilantes,,3,"
        "Civilians (Nigeria),Farmers (Nigeria); Katsina Herders Union,7,37,civilian targeting,566,Western Africa,"
        "Nigeria,Zamfara,Gusau,,Gusau,12.16,6.66,1,Invented Source,National,Invented note two.,1,,1700000002"),
        ("NIG900003,2023-08-01,2023,1,Political violence,Battles,Armed clash,Zamfara Vigilantes,,2,"
        "Military Forces of Nigeria (2023-),,1,12,,566,Western Africa,Nigeria,Zamfara,Gusau,,Gusau,12.16,6.66,1,"
        "Invented Source,National,Invented note three.,0,,1700000003"),
        ("NIG900004,2023-08-05,2023,1,Political violence,Battles,Armed clash,Zamfara Vigilantes,,3,"
        "Hemvärnet Södertälje,,8,38,,566,Western Africa,Nigeria,Zamfara,Gusau,,Gusau,12.16,6.66,1,"
        "Invented Source,National,Invented note four.,0,,1700000004"),
    ]
    path.write_text(ACLED_HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_import_from_an_acled_export(tmp_path: Path) -> None:
    export = acled_fixture(tmp_path / "acled_export.csv")
    before = export.read_bytes()
    actors = tmp_path / "actors.csv"
    result = import_actors(actors, export, added=date(2026, 11, 30))
    assert (result.added, result.known, result.skipped) == (3, 4, 0)
    assert export.read_bytes() == before
    infos = {i.name: i for i in read_project_actors(actors)}
    assert set(infos) == {"Zamfara Vigilantes", "Katsina Herders Union", "Hemvärnet Södertälje"}
    z = infos["Zamfara Vigilantes"]
    assert (z.inter, z.country, z.start, z.end) == (3, "NG", date(2023, 6, 2), date(2023, 8, 5))
    assert "acled:acled_export.csv" in z.note
    assert infos["Katsina Herders Union"].inter is None  # an associated actor has no inter of its own
    again = import_actors(actors, export)
    assert (again.added, again.known) == (0, 7)


def test_import_from_an_ingested_parquet(tmp_path: Path) -> None:
    from incidentkit.external import ingest_acled

    parquet = tmp_path / "acled.parquet"
    ingest_acled(acled_fixture(tmp_path / "acled_export.csv"), parquet, progress=False)
    result = import_actors(tmp_path / "actors.csv", parquet)
    assert result.added == 3
    assert "Zamfara Vigilantes" in [i.name for i in read_project_actors(tmp_path / "actors.csv")]


def test_import_refuses_to_write_over_its_input(tmp_path: Path) -> None:
    from incidentkit.errors import UsageError

    export = acled_fixture(tmp_path / "acled_export.csv")
    before = export.read_bytes()
    with pytest.raises(UsageError):
        import_actors(export, export)
    assert export.read_bytes() == before


def test_actor_info_is_frozen() -> None:
    info = ActorInfo(name="X", kind="named")
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.name = "Y"  # type: ignore[misc]
