"""The article beside its record (issue 14, point 1).

A record may name its article (``source.article``, a .txt file relative to the record file's folder)
and pin it with ``source.article_sha256``. Then every evidence quote must be in the article after
normalisation (whitespace, quote marks, NFC, tatweel, invisible marks), a quote that is not there is
``quote-not-in-article`` with the closest passage, and the dataset keeps each quote's [start, end)
character offsets into the article exactly as read. Hostile article files are located errors, never a
traceback.
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import os
import unicodedata
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from conftest import BASE_RECORD, dump_yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import incidentkit
from incidentkit.articles import (
    MAX_ARTICLE_BYTES,
    Article,
    _normalise_segments,
    normalise,
    normalise_with_map,
    read_article,
)
from incidentkit.cli import main

ARTICLES = Path(__file__).parent / "data" / "articles"
#: The fixtures' bytes, pinned: offsets below are into exactly these texts.
PINNED = {
    "sv-gweiran.txt": "3ba18b52890bc9b0d16c89ed9bc9cd608f7649808a786fa12d7af3e330e39612",
    "ar-ghwayran.txt": "a4ed9591492ee055c60859a10ce0268dbb8c966a9fd23fdfb577ca1ada4e680c",
    "fr-ghwayran.txt": "91c3f497dd575a4fd54453400b17f1945d574bff2df71378d70c9542e0fbcf1d",
}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _project(tmp_path: Path, article: str | None, quotes: list[tuple[str, str]], *, sha: str | None = "auto",
             text: bytes | None = None, fixture: str | None = None, language: str = "sv") -> Path:
    """A project folder: coded/record.yaml naming ../articles/<article>, the article copied from a fixture
    (or written from ``text``). Returns the record's path."""
    coded, arts = tmp_path / "coded", tmp_path / "articles"
    coded.mkdir(parents=True, exist_ok=True)
    doc = copy.deepcopy(BASE_RECORD)
    doc["source"]["language"] = language
    inc = doc["incidents"][0]
    inc["evidence"] = [{"field": f, "quote": q} for f, q in quotes]
    if article is not None:
        target = arts / article
        if fixture is not None or text is not None:
            arts.mkdir(exist_ok=True)
            target.write_bytes(text if text is not None else (ARTICLES / fixture).read_bytes())
        doc["source"]["article"] = f"../articles/{article}"
        if sha == "auto":
            sha = _sha(target) if target.is_file() else None
        if sha is not None:
            doc["source"]["article_sha256"] = sha
    path = coded / "record.yaml"
    path.write_text(dump_yaml(doc), encoding="utf-8")
    return path


def _line(path: Path, needle: str) -> int:
    return next(i for i, ln in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in ln)


def _evidence(report: incidentkit.ValidationReport) -> list[dict[str, Any]]:
    assert report.ok, [p.format() for p in report.problems]
    return report.rows[0]["evidence"]


def test_fixtures_are_the_pinned_bytes():
    for name, sha in PINNED.items():
        assert _sha(ARTICLES / name) == sha, f"{name} changed: the offsets in these tests are into its bytes"


# ---- quotes found, offsets exact --------------------------------------------------------------------

SWEDISH = [
    # a line break and a no-break space inside the quote, typed as plain spaces
    ("fatalities", "minst 20 kurdiska soldater och närmare 30 IS-medlemmar dödats"),
    ("date_start", "sedan i torsdags kväll"),
    # curly quotes typed straight, a dash typed as '-'
    ("notes", '- Vi hörde explosioner hela natten'),
    ("notes", '"Ingen vågade gå ut."'),
    ("actor1", "IS' propagandakanal"),
]
ARABIC = [
    # tatweel in the article (داعــش), guillemets typed as straight quotes
    ("actor1", 'تنظيم "داعش"'),
    # a right-to-left mark at the start of the paragraph, Arabic-Indic digits kept as written
    ("fatalities", "وأسفرت عن مقتل ١٥ عنصراً من «قسد»"),
    ("date_start", "مساء الخميس"),
    ("sub_event_type", "وأضاف المرصد أن طائرات التحالف الدولي قصفت مواقع للتنظيم"),
]
FRENCH = [
    # guillemets with narrow no-break spaces inside, typed without; a no-break space before a number
    ("fatalities", '"Au moins 25 combattants kurdes et une quarantaine de djihadistes ont été tués"'),
    # a curly apostrophe typed straight; an em dash typed as '-'
    ("actor1", "l'État islamique"),
    ("notes", "a indiqué l'ONG - un bilan"),
    ("date_start", "depuis jeudi soir"),
]


@pytest.mark.parametrize("fixture,language,quotes", [
    ("sv-gweiran.txt", "sv", SWEDISH), ("ar-ghwayran.txt", "ar", ARABIC), ("fr-ghwayran.txt", "fr", FRENCH),
], ids=["sv", "ar", "fr"])
def test_quotes_are_found_and_offsets_index_the_article_as_read(tmp_path, fixture, language, quotes):
    path = _project(tmp_path, fixture, quotes, fixture=fixture, language=language)
    evidence = _evidence(incidentkit.validate(path))
    text = (ARTICLES / fixture).read_bytes().decode("utf-8")
    assert [(e["field"], e["quote"]) for e in evidence] == quotes
    for e in evidence:
        passage = text[e["start"]:e["end"]]
        assert normalise(passage) == normalise(e["quote"]), (passage, e["quote"])
        assert passage == passage.strip()  # no surrounding space taken along


def test_offsets_survive_the_build_exactly(tmp_path):
    """The dataset keeps each quote's offsets (Arabic, Swedish, French) and its article's path and SHA-256;
    the ACLED and UCDP layouts are unchanged (no offsets there)."""
    cases = [("sv-gweiran.txt", "sv", SWEDISH), ("ar-ghwayran.txt", "ar", ARABIC), ("fr-ghwayran.txt", "fr", FRENCH)]
    for n, (fixture, language, quotes) in enumerate(cases):
        path = _project(tmp_path, fixture, quotes, fixture=fixture, language=language)
        doc = path.read_text(encoding="utf-8").replace("test-2022-01-21-report", f"test-2022-01-21-report-{n}")
        path.with_name(f"r{n}.yaml").write_text(doc, encoding="utf-8")
        path.unlink()
    incidentkit.build(tmp_path / "coded", tmp_path / "out", geocode=False)
    table = pq.read_table(tmp_path / "out" / "incidents.parquet")
    rows = {r["id"]: r for r in table.to_pylist()}
    for n, (fixture, _, quotes) in enumerate(cases):
        row = rows[f"test-2022-01-21-report-{n}-01"]
        text = (ARTICLES / fixture).read_bytes().decode("utf-8")
        assert row["source_article"] == f"../articles/{fixture}"
        assert row["source_article_sha256"] == PINNED[fixture]
        assert [(e["field"], e["quote"]) for e in row["evidence"]] == quotes
        for e in row["evidence"]:
            assert normalise(text[e["start"]:e["end"]]) == normalise(e["quote"])
    acled = (tmp_path / "out" / "acled.csv").read_text(encoding="utf-8").splitlines()[0]
    assert "article" not in acled and "start" not in acled.split(",")


def test_offsets_are_into_the_decoded_bytes_not_a_translated_text(tmp_path):
    """CRLF line ends and a byte-order mark stay in the text the offsets index (no newline translation)."""
    text = "\ufeffRapport\r\nIls sont arrivés\r\njeudi soir à la prison.\r\n"
    path = _project(tmp_path, "crlf.txt", [("date_start", "arrivés jeudi soir")], text=text.encode("utf-8"),
                    language="fr")
    (e,) = _evidence(incidentkit.validate(path))
    assert text[e["start"]:e["end"]] == "arrivés\r\njeudi soir"


def test_decomposed_article_matches_composed_quote(tmp_path):
    """An article saved in NFD (macOS) holds 'a' + combining ring for 'å': the NFC quote is found, and the
    offsets cover the decomposed characters."""
    text = unicodedata.normalize("NFD", "Striderna har pågått sedan i torsdags kväll.\n")
    path = _project(tmp_path, "nfd.txt", [("date_start", "pågått sedan i torsdags")], text=text.encode("utf-8"))
    (e,) = _evidence(incidentkit.validate(path))
    assert text[e["start"]:e["end"]] == unicodedata.normalize("NFD", "pågått sedan i torsdags")


def test_first_occurrence_is_kept():
    a = Article.from_text("a.txt", "IS anföll. Sedan anföll IS igen. IS anföll.")
    assert a.find("IS anföll") == (0, 9)


# ---- quotes not found ---------------------------------------------------------------------------

def test_quote_not_in_article_is_located_with_the_closest_passage(tmp_path):
    path = _project(tmp_path, "sv-gweiran.txt", [("date_start", "sedan i torsdags kväll"),
                                                 ("fatalities", "minst 21 kurdiska soldater")], fixture="sv-gweiran.txt")
    report = incidentkit.validate(path)
    (err,) = report.errors
    assert err.code == "quote-not-in-article" and err.field == "evidence"
    assert err.line == _line(path, "minst 21 kurdiska soldater")
    assert "did you mean: 'minst 20\\xa0kurdiska soldater" in err.message or \
        "did you mean: 'minst 20" in err.message, err.message
    assert "line 4 of the article" in err.message
    assert not report.rows or report.rows == [{}]


def test_a_quote_from_another_report_says_nothing_is_close(tmp_path):
    path = _project(tmp_path, "fr-ghwayran.txt", [("notes", "Die Bundesregierung hat heute beschlossen")],
                    fixture="fr-ghwayran.txt", language="fr")
    (err,) = incidentkit.validate(path).errors
    assert err.code == "quote-not-in-article" and "nothing in it is close" in err.message


def test_case_and_letters_are_not_normalised(tmp_path):
    """A quote is what the article says: case and diacritics count (only spacing and quote marks do not)."""
    path = _project(tmp_path, "sv-gweiran.txt", [("date_start", "Sedan i torsdags kväll")], fixture="sv-gweiran.txt")
    (err,) = incidentkit.validate(path).errors
    assert err.code == "quote-not-in-article" and "did you mean: 'sedan i torsdags kväll" in err.message


def test_csv_records_name_their_article_too(tmp_path):
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "a.txt").write_bytes((ARTICLES / "sv-gweiran.txt").read_bytes())
    (tmp_path / "coded").mkdir()
    header = ("source_id,source_outlet,source_title,source_published,source_language,source_article,"
              "source_article_sha256,coder,coded_on,id,date_start,time_precision,event_type,sub_event_type,actor1,"
              "inter1,country,location,fatalities,notes,evidence_fatalities,evidence_date_start\n")
    row = ("s-1,SVT,Titel,2022-01-22,sv,../articles/a.txt,{sha},ab,2026-11-24,s-1-01,2022-01-20,1,Battles,"
           "Armed clash,Islamic State (Syria),2,SY,al-Hasakah,20,Notes,minst 20 kurdiska soldater,{date}\n")
    csv = tmp_path / "coded" / "incidents.csv"
    csv.write_text(header + row.format(sha=PINNED["sv-gweiran.txt"], date="i torsdags kväll"), encoding="utf-8")
    evidence = _evidence(incidentkit.validate(csv))
    assert [e["start"] is not None for e in evidence] == [True, True]
    csv.write_text(header + row.format(sha=PINNED["sv-gweiran.txt"], date="i onsdags kväll"), encoding="utf-8")
    (err,) = incidentkit.validate(csv).errors
    assert err.code == "quote-not-in-article" and err.line == 2


# ---- the article file and its SHA-256 -----------------------------------------------------------------

def test_sha256_mismatch_is_the_article_changed_and_quotes_are_still_checked(tmp_path):
    path = _project(tmp_path, "sv-gweiran.txt", [("date_start", "i torsdags kväll"), ("notes", "i fredags")],
                    fixture="sv-gweiran.txt", sha="0" * 64)
    report = incidentkit.validate(path)
    codes = {p.code: p for p in report.errors}
    assert set(codes) == {"article-changed", "quote-not-in-article"}
    changed = codes["article-changed"]
    assert changed.line == _line(path, "article_sha256") and PINNED["sv-gweiran.txt"] in changed.message
    assert "changed since it was coded" in changed.message


def test_missing_sha256_is_a_warning_with_the_value_to_paste(tmp_path):
    path = _project(tmp_path, "sv-gweiran.txt", [("date_start", "i torsdags kväll")], fixture="sv-gweiran.txt",
                    sha=None)
    report = incidentkit.validate(path)
    assert report.ok
    (warn,) = [p for p in report.warnings if p.code == "article-sha256-missing"]
    assert f"article_sha256: {PINNED['sv-gweiran.txt']}" in warn.message
    assert warn.line == _line(path, '"article"')
    assert report.rows[0]["evidence"][0]["start"] is not None


def test_sha256_is_read_in_either_case(tmp_path):
    path = _project(tmp_path, "sv-gweiran.txt", [("date_start", "i torsdags kväll")], fixture="sv-gweiran.txt",
                    sha=PINNED["sv-gweiran.txt"].upper())
    assert incidentkit.validate(path).ok


def test_missing_article_is_an_error_at_the_record_line_with_a_suggestion(tmp_path):
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "sv-gweiran.txt").write_bytes((ARTICLES / "sv-gweiran.txt").read_bytes())
    path = _project(tmp_path, "sv-gwieran.txt", [("date_start", "i torsdags kväll")], sha=PINNED["sv-gweiran.txt"])
    (err,) = incidentkit.validate(path).errors
    assert err.code == "article-missing" and err.line == _line(path, '"article"') and err.field == "source.article"
    assert "did you mean 'sv-gweiran.txt'" in err.message


def test_absent_articles_folder_builds_with_a_warning_when_pinned(tmp_path):
    """A public copy of a project that keeps its copyrighted articles out of the repository: the record
    pins its article, the folder is not there: a warning, quotes unchecked, offsets null."""
    path = _project(tmp_path, "sv-gweiran.txt", [("date_start", "anything at all")], sha=PINNED["sv-gweiran.txt"])
    assert not (tmp_path / "articles").exists()
    report = incidentkit.validate(path)
    assert report.ok and [p.code for p in report.warnings] == ["article-absent"]
    result = incidentkit.build(tmp_path / "coded", tmp_path / "out", geocode=False, exports=False)
    (ev,) = result.table.column("evidence").to_pylist()[0]
    assert ev["start"] is None and ev["end"] is None


def test_absent_articles_folder_without_sha256_is_an_error(tmp_path):
    path = _project(tmp_path, "sv-gweiran.txt", [("date_start", "anything")], sha=None)
    (err,) = incidentkit.validate(path).errors
    assert err.code == "article-missing" and "article_sha256" in err.message


@pytest.mark.parametrize("value,why", [
    ("/etc/hostname.txt", "absolute"),
    ("~/articles/a.txt", "absolute"),
    ("..\\articles\\a.txt", "'/'"),
    ("../articles/a.pdf", ".txt"),
    ("../articles/", ".txt"),
    ("C:/articles/a.txt", "absolute"),
    ("a/" * 3000 + "x.txt", "longer than 500"),
])
def test_article_path_rules(tmp_path, value, why):
    path = _project(tmp_path, None, [("date_start", "x")])
    text = path.read_text(encoding="utf-8").replace('"language": "sv"', f'"language": "sv"\n  "article": {value!r}')
    path.write_text(text.replace("'", '"') if "\\" not in value else text, encoding="utf-8")
    (err,) = incidentkit.validate(path).errors
    assert err.code == "article-path" and why in err.message and err.line == _line(path, "article")


def test_a_name_the_system_cannot_hold_is_a_missing_article(tmp_path):
    (tmp_path / "articles").mkdir()
    path = _project(tmp_path, "x" * 300 + ".txt", [("date_start", "x")], sha="0" * 64)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1 and "[article-missing]" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("sha", ["abc", "g" * 64, "0" * 63])
def test_article_sha256_must_be_a_sha256(tmp_path, sha):
    path = _project(tmp_path, "sv-gweiran.txt", [("date_start", "i torsdags kväll")], fixture="sv-gweiran.txt",
                    sha=sha)
    (err,) = incidentkit.validate(path).errors
    assert err.code == "article-path" and "64 hexadecimal" in err.message


def test_article_sha256_without_article_is_an_error(tmp_path):
    path = _project(tmp_path, None, [("date_start", "x")])
    doc = path.read_text(encoding="utf-8").replace('"language": "sv"',
                                                   f'"language": "sv"\n  "article_sha256": "{"0" * 64}"')
    path.write_text(doc, encoding="utf-8")
    (err,) = incidentkit.validate(path).errors
    assert err.code == "article-path" and "no article" in err.message


def test_a_record_without_article_is_unchanged(tmp_path):
    path = _project(tmp_path, None, [("date_start", "not checked without an article")])
    report = incidentkit.validate(path)
    assert report.ok and not report.warnings
    assert report.rows[0]["evidence"] == [{"field": "date_start", "quote": "not checked without an article"}]


# ---- hostile article files: a located error, never a traceback ----------------------------------------

def _big(p: Path) -> None:
    with open(p, "wb") as fh:
        fh.truncate(MAX_ARTICLE_BYTES + 1)  # sparse: nothing is written, nothing should be read


def _outside_link(p: Path) -> None:
    outside = p.parent.parent.parent / "secret.txt"
    outside.write_text("minst 20 kurdiska soldater\n", encoding="utf-8")
    p.symlink_to(outside)


def _folder_link(p: Path) -> None:
    real = p.parent.parent.parent / "elsewhere"
    real.mkdir()
    (real / p.name).write_text("minst 20 kurdiska soldater\n", encoding="utf-8")
    p.parent.rmdir()
    p.parent.symlink_to(real, target_is_directory=True)


HOSTILE = {
    "gzip": (lambda p: p.write_bytes(gzip.compress(b"minst 20 kurdiska soldater")), "article-encoding", "gzip"),
    "nul-bytes": (lambda p: p.write_bytes(b"minst 20\x00 kurdiska soldater"), "article-encoding", "NUL"),
    "latin-1": (lambda p: p.write_bytes("minst 20 kurdiska soldater dödats".encode("latin-1")), "article-encoding",
                "not valid UTF-8"),
    "utf-16": (lambda p: p.write_bytes("minst 20 kurdiska soldater".encode("utf-16")), "article-encoding", "UTF-16"),
    "png": (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4), "article-encoding", "binary"),
    "empty": (lambda p: p.write_bytes(b""), "article-unreadable", "empty"),
    "huge": (_big, "article-unreadable", "5,000,000"),
    "folder": (lambda p: p.mkdir(), "article-unreadable", "folder"),
    "link-outside": (_outside_link, "article-unreadable", "symbolic link"),
    "linked-folder": (_folder_link, "article-unreadable", "symbolic link"),
    "fifo": (lambda p: os.mkfifo(p), "article-unreadable", "not a regular file"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_article_files_are_located_errors(tmp_path, case):
    make, code, words = HOSTILE[case]
    project = tmp_path / "project"
    (project / "articles").mkdir(parents=True)
    make(project / "articles" / "a.txt")
    path = _project(project, "a.txt", [("fatalities", "minst 20 kurdiska soldater")], sha="0" * 64)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    line = _line(path, '"article"')
    errors = [ln for ln in result.output.splitlines() if ln.endswith(f"[{code}]")]
    assert errors and errors[0].startswith(f"{path}:{line}:"), result.output
    assert words in errors[0], errors[0]
    assert "kurdiska" not in result.output  # nothing of a refused file is shown


def test_read_article_is_the_bytes_decoded_and_their_sha256(tmp_path):
    p = tmp_path / "a.txt"
    p.write_bytes("\ufeffå\r\nä".encode("utf-8"))
    article = read_article(p)
    assert article.text == "\ufeffå\r\nä" and article.sha256 == _sha(p)


# ---- normalisation ------------------------------------------------------------------------------

def test_normalise_folds_spacing_and_quote_marks_only():
    assert normalise("  «\u202fAu  moins\n25\u00a0morts\u202f»  ") == '"Au moins 25 morts"'
    assert normalise("IS’ ”Ingen” – sa han") == "IS' \"Ingen\" - sa han"
    assert normalise("دا\u0640\u0640عش\u200f") == "داعش"
    assert normalise("soft\u00adhyphen") == "softhyphen"
    assert normalise("Kväll") != normalise("kväll")


SPACES = st.sampled_from([" ", "  ", "\n", "\u00a0", "\u202f", "\t", " \r\n "])
WORDS = st.sampled_from(["IS", "kväll", "دا\u0640عش", "l’État", "«\u202fmorts\u202f»", "”Ingen”", "20", "–", "å"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(WORDS, SPACES), min_size=1, max_size=12), st.data())
def test_every_found_quote_maps_back_to_a_passage_that_normalises_to_it(parts, data):
    text = "".join(w + s for w, s in parts)
    norm, omap = normalise_with_map(text)
    assert norm == _normalise_segments(text)[0]  # the fast path for NFC text and the general one agree
    assert all(0 <= a < b <= len(text) for a, b in map(omap.span, range(len(norm))))
    if not norm:
        return
    i = data.draw(st.integers(0, len(norm) - 1))
    j = data.draw(st.integers(i + 1, len(norm)))
    quote = norm[i:j].strip()
    if not quote:
        return
    span = Article.from_text("a.txt", text).find(quote)
    assert span is not None
    assert normalise(text[span[0]:span[1]]) == normalise(quote)
