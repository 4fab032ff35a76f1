"""An input is never overwritten (issue 11, point 1).

Every command that writes is given an output that is one of its inputs: the same path, a symbolic link
to it, and a path reaching it through ``..``. Each must refuse with exit status 2 and the code
``output-is-input``, and leave the input's bytes as they were. The Python API refuses alike.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import incidentkit
from incidentkit.cli import main
from incidentkit.errors import UsageError
from incidentkit.paths import refuse_overwriting_inputs

from conftest import REPO, SEED

ACLED_CSV = REPO / "tests" / "data" / "acled" / "acled_2023_api.csv"
UCDP_CSV = REPO / "tests" / "data" / "reference" / "ucdp_ged_23_1_sample.csv"
RELIABILITY = REPO / "datasets" / "coded-reliability"
VIAS = ["same", "symlink", "dotdot"]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def alias(target: Path, via: str, tmp: Path) -> Path:
    """A path that names ``target``: itself, a symbolic link to it, or a path through ``..``."""
    if via == "same":
        return target
    if via == "symlink":
        link = tmp / "elsewhere" / f"link-{target.name}"
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(target)
        return link
    sub = target.parent / "sub"
    sub.mkdir(exist_ok=True)
    return sub / ".." / target.name


def refused(args: list[str], *keep: Path) -> str:
    """Run the command; assert the refusal (exit 2, the code, one line) and that ``keep`` are unchanged."""
    before = {p: _sha(p) for p in keep}
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 2, (args, result.output)
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].endswith("[output-is-input]"), result.stderr
    assert "nothing was written" in errors[0]
    assert {p: _sha(p) for p in keep} == before
    return errors[0]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A built dataset folder (no geocoding), shared by the tests that only read it."""
    root = tmp_path_factory.mktemp("built")
    (root / "coded").mkdir()
    shutil.copy(SEED, root / "coded")
    incidentkit.build(root / "coded", root / "ds", geocode=False)
    return root / "ds"


@pytest.fixture
def own_dataset(dataset: Path, tmp_path: Path) -> Path:
    ds = tmp_path / "ds"
    shutil.copytree(dataset, ds)
    return ds


# --- the helper ---------------------------------------------------------------------------------------

def test_helper_same_file_by_any_name(tmp_path: Path) -> None:
    src = tmp_path / "events.csv"
    src.write_text("a\n", encoding="utf-8")
    os.link(src, tmp_path / "hard.csv")
    for via in VIAS:
        with pytest.raises(UsageError) as info:
            refuse_overwriting_inputs([alias(src, via, tmp_path)], [src])
        assert info.value.code == "output-is-input" and info.value.exit_code == 2
    with pytest.raises(UsageError):
        refuse_overwriting_inputs([tmp_path / "hard.csv"], [src])  # a second hard link is the same file
    refuse_overwriting_inputs([tmp_path / "new.parquet", tmp_path / "other.csv"], [src, None])
    refuse_overwriting_inputs([tmp_path / "x.csv"], [tmp_path / "missing.csv"])


def test_helper_output_in_an_input_folder(tmp_path: Path) -> None:
    folder = tmp_path / "coded"
    folder.mkdir()
    (tmp_path / "coded-link").symlink_to(folder)
    for out in (folder / "acled.csv", folder / "deep" / "x.csv", tmp_path / "coded-link" / "x.csv",
                tmp_path / "other" / ".." / "coded" / "x.csv", folder):
        with pytest.raises(UsageError, match="a folder this command reads"):
            refuse_overwriting_inputs([out], [folder])
    refuse_overwriting_inputs([tmp_path / "coded-2" / "x.csv", tmp_path / "x.csv"], [folder])


def test_helper_names_the_output_that_would_replace_a_file(tmp_path: Path) -> None:
    folder = tmp_path / "coded"
    folder.mkdir()
    (folder / "acled.csv").write_text("x\n", encoding="utf-8")
    with pytest.raises(UsageError) as info:
        refuse_overwriting_inputs([folder / "incidents.parquet", folder / "acled.csv"], [folder])
    assert info.value.message.startswith(f"{folder / 'acled.csv'}: would replace a file in {folder}")


# --- ingest -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("via", VIAS)
def test_ingest_acled_never_replaces_its_input(tmp_path: Path, via: str) -> None:
    src = tmp_path / "acled.csv"
    shutil.copy(ACLED_CSV, src)
    line = refused(["ingest", "acled", src, "-o", alias(src, via, tmp_path), "--no-progress"], src)
    assert "is the input" in line


@pytest.mark.parametrize("via", VIAS)
def test_ingest_acled_checks_every_input(tmp_path: Path, via: str) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    shutil.copy(ACLED_CSV, first)
    shutil.copy(ACLED_CSV, second)
    refused(["ingest", "acled", first, second, "-o", alias(second, via, tmp_path), "--no-progress"], first, second)


@pytest.mark.parametrize("via", VIAS)
def test_ingest_ucdp_never_replaces_its_input(tmp_path: Path, via: str) -> None:
    src = tmp_path / "ged.csv"
    shutil.copy(UCDP_CSV, src)
    refused(["ingest", "ucdp", src, "-o", alias(src, via, tmp_path), "--no-progress"], src)


NEW_FORMATS = {"gtd": "gtd/gtd_sample.csv", "icews": "icews/events.2019.20200318085415.tab",
               "gdelt": "gdelt/20240501000000.export.CSV",
               "polecat": "polecat/ngecEvents.20230103111842.Release603.DV.txt"}


@pytest.mark.parametrize("via", VIAS)
@pytest.mark.parametrize("fmt", sorted(NEW_FORMATS))
def test_ingest_new_formats_never_replace_their_input(tmp_path: Path, via: str, fmt: str) -> None:
    src = tmp_path / Path(NEW_FORMATS[fmt]).name
    shutil.copy(Path(__file__).parent / "data" / NEW_FORMATS[fmt], src)
    refused(["ingest", fmt, src, "-o", alias(src, via, tmp_path), "--no-progress"], src)


@pytest.mark.parametrize("via", VIAS)
def test_ingest_on_dask_refuses_before_starting_a_cluster(tmp_path: Path, via: str) -> None:
    src = tmp_path / "gtd.csv"
    shutil.copy(Path(__file__).parent / "data" / NEW_FORMATS["gtd"], src)
    refused(["ingest", "gtd", src, "-o", alias(src, via, tmp_path), "--engine", "dask", "--workers", "1"], src)


@pytest.mark.parametrize("via", VIAS)
def test_crosswalk_never_writes_over_the_table_it_checks(tmp_path: Path, via: str) -> None:
    from incidentkit.codebook.crosswalk import write_crosswalk

    table = tmp_path / "mine.csv"
    write_crosswalk(table)
    refused(["crosswalk", "--check", table, "-o", alias(table, via, tmp_path)], table)


def test_ingest_python_api_refuses_too(tmp_path: Path) -> None:
    from incidentkit.external import ingest_acled, ingest_ucdp

    acled, ged = tmp_path / "acled.csv", tmp_path / "ged.csv"
    shutil.copy(ACLED_CSV, acled)
    shutil.copy(UCDP_CSV, ged)
    before = (_sha(acled), _sha(ged))
    with pytest.raises(UsageError, match="is the input"):
        ingest_acled([acled], tmp_path / "x" / ".." / "acled.csv")
    with pytest.raises(UsageError, match="is the input"):
        ingest_ucdp(ged, ged)
    assert (_sha(acled), _sha(ged)) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acled.csv", "ged.csv"]  # nothing made, no temporary file


def test_ingest_to_a_new_file_still_works(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["ingest", "acled", str(ACLED_CSV), "-o", str(tmp_path / "a.parquet"),
                                       "--no-progress"])
    assert result.exit_code == 0, result.output


# --- build --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("via", VIAS)
def test_build_into_the_coded_folder_holding_acled_csv_is_refused(tmp_path: Path, via: str) -> None:
    coded = tmp_path / "coded"
    coded.mkdir()
    shutil.copy(SEED, coded)
    record = coded / "acled.csv"  # a CSV of coded records that happens to share an export's name
    record.write_text("source_id,id\n", encoding="utf-8")
    out = {"same": coded, "symlink": alias(coded, "symlink", tmp_path), "dotdot": coded / "sub" / ".."}[via]
    (coded / "sub").mkdir(exist_ok=True)
    line = refused(["build", "--coded", coded, "--out", out, "--no-geocode"], record, coded / SEED.name)
    assert "acled.csv: would replace a file in" in line  # names the file that would have been replaced
    assert sorted(p.name for p in coded.iterdir()) == ["acled.csv", "sub", SEED.name]


def test_build_output_folder_inside_the_coded_folder_is_refused(tmp_path: Path) -> None:
    coded = tmp_path / "project"
    coded.mkdir()
    shutil.copy(SEED, coded)
    refused(["build", "--coded", coded, "--out", coded / "dataset", "--no-geocode"], coded / SEED.name)
    assert not (coded / "dataset" / "incidents.parquet").exists()


def test_build_never_writes_into_its_gazetteer_folder(tmp_path: Path) -> None:
    coded = tmp_path / "coded"
    coded.mkdir()
    shutil.copy(SEED, coded)
    gaz = tmp_path / "gaz"
    gaz.mkdir()
    shutil.copy(REPO / "datasets" / "gazetteer" / "supplement.csv", gaz)
    refused(["build", "--coded", coded, "--out", gaz, "--gazetteer-dir", gaz], gaz / "supplement.csv")


def test_build_python_api_refuses_before_any_work(tmp_path: Path) -> None:
    coded = tmp_path / "coded"
    coded.mkdir()
    shutil.copy(SEED, coded)
    (coded / "ucdp_ged.csv").write_text("source_id,id\n", encoding="utf-8")
    with pytest.raises(UsageError) as info:
        incidentkit.build(coded, coded, geocode=False)
    assert info.value.code == "output-is-input" and "ucdp_ged.csv" in info.value.message
    assert (coded / "ucdp_ged.csv").read_text(encoding="utf-8") == "source_id,id\n"
    # without the exports only incidents.parquet is written: still inside the folder the build reads
    with pytest.raises(UsageError):
        incidentkit.build(coded, coded, geocode=False, exports=False)


def test_build_refuses_a_record_reached_through_a_link(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever rule decides which links a coded folder follows, a record that is an output is refused."""
    import importlib

    build_module = importlib.import_module("incidentkit.build")  # (incidentkit.build is the function)

    coded, out = tmp_path / "coded", tmp_path / "out"
    coded.mkdir()
    shutil.copy(SEED, coded)
    incidentkit.build(coded, out, geocode=False)
    real_discover = build_module.discover

    def discover_following_links(paths, **options):  # as if the folder held a link to out/acled.csv and followed it
        files, problems = real_discover(paths, **options)
        return files + [out / "acled.csv"], problems

    monkeypatch.setattr(build_module, "discover", discover_following_links)
    before = _sha(out / "acled.csv")
    with pytest.raises(UsageError, match="acled.csv: is the input"):
        incidentkit.build(coded, out, geocode=False)
    assert _sha(out / "acled.csv") == before


def test_the_build_outputs_list_is_what_a_build_writes(dataset: Path) -> None:
    from incidentkit.build import output_paths

    written = {p.name for p in dataset.iterdir() if p.is_file()}
    assert {p.name for p in output_paths(dataset)} == written
    assert [p.name for p in output_paths(dataset, exports=False)] == ["incidents.parquet"]


# --- export -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("via", VIAS)
def test_export_geoparquet_never_replaces_the_dataset(own_dataset: Path, tmp_path: Path, via: str) -> None:
    parquet = own_dataset / "incidents.parquet"
    refused(["export", "geoparquet", "--dataset", own_dataset, "-o", alias(parquet, via, tmp_path)], parquet)


@pytest.mark.parametrize("via", VIAS)
def test_export_spreadsheet_never_replaces_the_dataset(own_dataset: Path, tmp_path: Path, via: str) -> None:
    parquet = own_dataset / "incidents.parquet"
    target = parquet
    if via == "symlink":  # a spreadsheet name that leads to the dataset
        target = tmp_path / "incidents.csv"
        target.symlink_to(parquet)
    elif via == "dotdot":
        (own_dataset / "sub").mkdir()
        target = own_dataset / "sub" / ".." / "incidents.parquet"
    refused(["export", "spreadsheet", "--dataset", parquet, "-o", target], parquet)


@pytest.mark.parametrize("command,name", [("acled", "acled.parquet"), ("ucdp", "ucdp_ged.parquet"),
                                          ("datapackage", "datapackage.json")])
@pytest.mark.parametrize("via", VIAS)
def test_export_into_the_dataset_files_folder(own_dataset: Path, tmp_path: Path, command: str, name: str,
                                              via: str) -> None:
    """A dataset file that carries an export's name: the export into its folder would replace it."""
    folder = tmp_path / "renamed"
    folder.mkdir()
    dataset = folder / name
    shutil.copy(own_dataset / "incidents.parquet", dataset)
    out = {"same": folder, "symlink": alias(folder, "symlink", tmp_path), "dotdot": folder / "sub" / ".."}[via]
    (folder / "sub").mkdir(exist_ok=True)
    refused(["export", command, "--dataset", dataset, "-o", out], dataset)


def test_exports_beside_the_dataset_still_work(own_dataset: Path) -> None:
    for args in (["acled"], ["ucdp"], ["datapackage"], ["geoparquet", "-o", own_dataset / "incidents.geoparquet"]):
        result = CliRunner().invoke(main, ["export", *map(str, args), "--dataset", str(own_dataset)]
                                    + (["-o", str(own_dataset)] if len(args) == 1 else []))
        assert result.exit_code == 0, (args, result.output)


# --- link, agree, geocode, gazetteer add ---------------------------------------------------------------

@pytest.fixture
def events(tmp_path: Path) -> Path:
    from incidentkit.external import ingest_acled

    out = tmp_path / "events.parquet"
    ingest_acled([ACLED_CSV], out)
    return out


@pytest.mark.parametrize("via", VIAS)
def test_link_never_replaces_the_external_events(own_dataset: Path, events: Path, tmp_path: Path, via: str) -> None:
    refused(["link", own_dataset, events, "-o", alias(events, via, tmp_path)], events)


@pytest.mark.parametrize("via", VIAS)
def test_link_never_replaces_the_dataset(own_dataset: Path, events: Path, tmp_path: Path, via: str) -> None:
    parquet = own_dataset / "incidents.parquet"
    refused(["link", own_dataset, events, "-o", alias(parquet, via, tmp_path)], parquet)


def test_link_never_replaces_the_taxonomy_and_writes_beside_the_dataset(own_dataset: Path, events: Path,
                                                                        tmp_path: Path) -> None:
    from incidentkit.linking import link

    taxonomy = tmp_path / "taxonomy.csv"
    shutil.copy(REPO / "src" / "incidentkit" / "data" / "taxonomy.csv", taxonomy)
    refused(["link", own_dataset, events, "--taxonomy", taxonomy, "-o", taxonomy], taxonomy)
    result = link(own_dataset, events)
    with pytest.raises(UsageError, match="is the input"):
        result.write(own_dataset / "sub" / ".." / "incidents.parquet")
    result.write(own_dataset / "links.parquet")  # beside the dataset: not an input
    assert (own_dataset / "links.parquet").exists()


@pytest.fixture
def coders(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "coder-a.yaml", tmp_path / "coder-b.yaml"
    shutil.copy(RELIABILITY / "ik" / "svt-2022-01-21-hasakah.yaml", a)
    shutil.copy(RELIABILITY / "mh" / "svt-2022-01-21-hasakah.yaml", b)
    return a, b


@pytest.mark.parametrize("via", VIAS)
def test_agree_never_replaces_a_coders_records(coders: tuple[Path, Path], tmp_path: Path, via: str) -> None:
    a, b = coders
    refused(["agree", a, b, "--no-geocode", "--bootstrap", "0", "--disagreements", alias(b, via, tmp_path)], a, b)


def test_agree_never_writes_into_a_coders_folder(tmp_path: Path) -> None:
    folders = tmp_path / "rel"
    shutil.copytree(RELIABILITY, folders)
    record = folders / "ik" / "svt-2022-01-21-hasakah.yaml"
    refused(["agree", folders / "ik", folders / "mh", "--no-geocode", "--bootstrap", "0",
             "--disagreements", folders / "ik" / "review.csv"], record)
    assert not (folders / "ik" / "review.csv").exists()


def test_agreement_write_disagreements_never_replaces_a_coders_records(coders: tuple[Path, Path]) -> None:
    """The Python API refuses as the command does: the result knows which records it read."""
    from incidentkit.errors import UsageError
    from incidentkit.reliability import agreement

    a, b = coders
    before = b.read_bytes()
    result = agreement(a, b, n_boot=0, geocode=False)
    with pytest.raises(UsageError) as info:
        result.write_disagreements(b)
    assert info.value.code == "output-is-input" and b.read_bytes() == before


@pytest.fixture
def places(tmp_path: Path) -> Path:
    src = tmp_path / "places.csv"
    src.write_text("name,country\nal-Hasakah,SY\n", encoding="utf-8")
    return src


@pytest.mark.parametrize("via", VIAS)
def test_geocode_never_replaces_its_input(places: Path, tmp_path: Path, via: str) -> None:
    refused(["geocode", places, "-o", alias(places, via, tmp_path), "--no-progress"], places)


def test_geocode_never_writes_into_its_gazetteer_folder(places: Path, tmp_path: Path) -> None:
    gaz = tmp_path / "gaz"
    gaz.mkdir()
    shutil.copy(REPO / "datasets" / "gazetteer" / "supplement.csv", gaz)
    refused(["geocode", places, "--gazetteer-dir", gaz, "-o", gaz / "supplement.csv", "--no-progress"],
            gaz / "supplement.csv", places)


@pytest.mark.parametrize("via", VIAS)
def test_gazetteer_add_never_replaces_the_file_it_adds(tmp_path: Path, via: str) -> None:
    gaz = tmp_path / "gaz"
    gaz.mkdir()
    villages = gaz / "villages.csv"
    villages.write_text("name,country,latitude,longitude\nTell Brak,SY,36.667,41.058\n", encoding="utf-8")
    target = {"same": gaz, "symlink": alias(gaz, "symlink", tmp_path), "dotdot": gaz / "sub" / ".."}[via]
    (gaz / "sub").mkdir(exist_ok=True)
    refused(["gazetteer", "add", villages, "--to", target], villages)


@pytest.fixture
def review_inputs(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A draft (its JSON and its YAML, which names the article) and the article it was made from."""
    article = tmp_path / "report.txt"
    article.write_text("A blast in Kabul killed three.\n", encoding="utf-8")
    incidents = '[{"fields": {"location": [{"value": "Kabul", "score": 0.9, "spans": [[11, 16]]}]}}]'
    draft_json = tmp_path / "draft.json"
    draft_json.write_text(f'{{"incidents": {incidents}}}', encoding="utf-8")
    draft_yaml = tmp_path / "report.draft.yaml"
    draft_yaml.write_text(f"draft:\n  article: report.txt\n  language: en\n  incidents: {incidents}\n",
                          encoding="utf-8")
    return draft_json, draft_yaml, article


@pytest.mark.parametrize("via", VIAS)
def test_review_never_replaces_the_draft_or_the_article(review_inputs: tuple[Path, Path, Path], tmp_path: Path,
                                                        via: str) -> None:
    draft_json, draft_yaml, article = review_inputs
    to_draft, to_article = alias(draft_json, via, tmp_path), alias(article, via, tmp_path)
    refused(["review", draft_json, article, "-o", to_draft], draft_json, article)
    refused(["review", draft_json, article, "-o", to_article], draft_json, article)
    # the article a draft YAML names (found beside it) is an input too
    refused(["review", draft_yaml, "-o", to_article], draft_yaml, article)


@pytest.mark.parametrize("via", VIAS)
def test_draft_never_replaces_its_article(tmp_path: Path, via: str) -> None:
    article = tmp_path / "report.txt"
    article.write_text("On Sunday, a roadside bomb killed at least three soldiers near Kabul.\n", encoding="utf-8")
    args = ["draft", article, "--published", "2023-05-02", "--language", "en"]
    # the review page written over the article (the draft YAML is OUT/<stem>.draft.yaml: never the article)
    refused([*args, "--out", tmp_path / "drafts", "--html", alias(article, via, tmp_path)], article)
    assert not (tmp_path / "drafts").exists() or not any((tmp_path / "drafts").iterdir())


def test_every_writing_command_is_covered() -> None:
    """Each command with an output option or a folder it writes is listed here with where it is checked:
    a new writing command must join the list (and get its test above)."""
    from incidentkit.cli._reference import all_commands

    checked = {"build", "ingest acled", "ingest ucdp", "ingest gtd", "ingest icews", "ingest gdelt", "ingest polecat",
               "crosswalk", "export acled", "export ucdp", "export geoparquet",
               "export datapackage", "export spreadsheet", "link", "agree", "geocode", "gazetteer add", "review",
               "draft"}
    no_inputs = {"codebook", "gazetteer download"}  # write files, but read no file that could be overwritten
    writers = set()
    for path, command in all_commands():
        names = {opt for p in command.params for opt in getattr(p, "opts", [])}
        if names & {"-o", "--out", "--output", "--to", "--disagreements"}:
            writers.add(" ".join(path))
    assert writers == checked | no_inputs
