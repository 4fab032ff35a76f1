"""The loaders: safe YAML with line numbers, YAML 1.2 typing, and hostile files that must not crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from incidentkit.records import load_paths
from incidentkit.records.yamlload import YamlLoadError, load_yaml_text


def test_yaml_12_core_typing_keeps_written_types():
    doc = load_yaml_text("a: NO\nb: 1:20\nc: 2022-01-20\nd: yes\ne: 0x1F\nf: 010\ng: ~\nh: 1.5\ni: 'true'\n")
    assert doc == {"a": "NO", "b": "1:20", "c": "2022-01-20", "d": "yes", "e": 31, "f": 10, "g": None,
                   "h": 1.5, "i": "true"}


def test_every_value_keeps_its_line():
    doc = load_yaml_text("source:\n  id: x\nincidents:\n  - id: a\n    fatalities: {low: 1, best: 2}\n  - id: b\n")
    assert doc.line_of("source") == 1 and doc["source"].line_of("id") == 2
    incidents = doc["incidents"]
    assert incidents.line_of(0) == 4 and incidents.line_of(1) == 6
    assert incidents[0].line_of("fatalities") == 5 and incidents[0]["fatalities"].line_of("best") == 5


@pytest.mark.parametrize("text,code,line", [
    ("a: 1\nb: 2\na: 3\n", "yaml-duplicate-key", 3),
    ("a: !!python/object/apply:os.system ['echo pwned']\n", "yaml-tag", 1),
    ("a: !!python/name:os.system\n", "yaml-tag", 1),
    ("x: 1\na: !custom {b: 1}\n", "yaml-tag", 2),
    ("a: !!binary aGVsbG8=\n", "yaml-tag", 1),
    ("a: &x [1, 2]\nb: *x\n", "yaml-structure", 1),
    ("a: [1, 2\nb: 3\n", "yaml-syntax", None),
    ("a: 1\n---\nb: 2\n", "yaml-syntax", 2),
    ("a: 'unterminated\n", "yaml-syntax", None),
])
def test_unsafe_or_broken_yaml_is_a_located_problem(text, code, line):
    with pytest.raises(YamlLoadError) as info:
        load_yaml_text(text, "f.yaml")
    p = info.value.problems[0]
    assert p.code == code and p.path == "f.yaml"
    if line is not None:
        assert p.line == line


def test_billion_laughs_is_refused_without_expanding():
    lol = "a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']\n"
    for i in range(ord("b"), ord("j")):
        prev = chr(i - 1)
        lol += f"{chr(i)}: &{chr(i)} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
    with pytest.raises(YamlLoadError) as info:
        load_yaml_text(lol)
    assert info.value.problems[0].code == "yaml-structure"


@pytest.mark.parametrize("content,code", [
    (b"", "file-empty"),
    (b"   \n\n", "file-empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "file-encoding"),
    (b"source:\n  title: caf\xe9\n", "file-encoding"),
    (bytes(range(256)) * 4, "file-encoding"),
    (b"- just\n- a list\n", "yaml-structure"),
    (b"plain scalar", "yaml-structure"),
])
def test_hostile_files_become_problems(tmp_path, content, code):
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    result = load_paths([path])
    assert not result.records
    assert [p.code for p in result.problems] == [code]


def test_non_utf8_names_the_line(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("source:\n  id: x\n  title: Gweiranfängelset\n".encode("latin-1"))
    p = load_paths([path]).problems[0]
    assert p.code == "file-encoding" and p.line == 3 and "0xe4" in p.message


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes("\ufeffsource: {id: x}\nincidents: []\n".encode("utf-8"))
    assert load_paths([path]).records[0].document["source"]["id"] == "x"


def test_folders_are_searched_recursively_in_sorted_order(tmp_path):
    for name in ("b/2.yaml", "a/1.yml", "c.csv", "notes.txt", ".hidden/x.yaml"):
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("source: {id: x}\n" if p.suffix != ".csv" else "id\nx\n", encoding="utf-8")
    from incidentkit.records import discover
    files, problems = discover([tmp_path])
    assert [f.relative_to(tmp_path).as_posix() for f in files] == ["a/1.yml", "b/2.yaml", "c.csv"]
    # every entry left out is named in a note (not a warning: validate --strict does not fail on it)
    assert [(Path(p.path).name, p.code, p.severity) for p in problems] == [
        (".hidden", "file-skipped", "note"), ("notes.txt", "file-skipped", "note")]


def test_symlink_escaping_the_folder_is_skipped(tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text("source: {id: x}\n", encoding="utf-8")
    coded = tmp_path / "coded"
    coded.mkdir()
    (coded / "link.yaml").symlink_to(outside)
    from incidentkit.records import discover
    files, problems = discover([coded])
    assert files == [] and problems[0].code == "symlink-outside" and problems[0].is_error


def test_csv_duplicate_header_and_ragged_rows(tmp_path):
    dup = tmp_path / "dup.csv"
    dup.write_text("id,id\n1,2\n", encoding="utf-8")
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("id,location\na,b\nc\n", encoding="utf-8")
    problems = load_paths([dup, ragged]).problems
    assert [(p.code, p.line) for p in problems] == [("csv-header", 1), ("csv-syntax", 3)]


def test_libyaml_parser_is_used():
    # the pure-Python parser is ~7x slower: a silent fallback would wreck build times
    from incidentkit.records import yamlload
    assert not yamlload._PYTHON_COMPOSER
