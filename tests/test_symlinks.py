"""What is read is what is reported (issue 11, point 3).

One rule in ``validate`` and ``build`` alike (docs/reference/validation.md, "What is read"): record files
are read once; every other entry is named in a ``file-skipped`` note; symbolic links are never followed
(inside the folder: a note, the target is taken where it is; leading outside: ``symlink-outside``;
broken or looping: ``symlink-broken``). And over a corpus of tricky folders, ``validate`` fails exactly
when ``build`` fails, with the same error lines, and a failed build leaves the previous dataset as it was.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import CliRunner

from incidentkit.cli import main
from incidentkit.records import discover

from conftest import BASE_RECORD, dump_yaml


def _record(n: int = 1, **changes: Any) -> str:
    doc = copy.deepcopy(BASE_RECORD)
    doc["source"]["id"] = f"rep-{n}"
    doc["incidents"][0]["id"] = f"rep-{n}-01"
    doc["incidents"][0].update(changes)
    return dump_yaml(doc)


def _good(folder: Path, n: int = 1, name: str | None = None) -> Path:
    path = folder / (name or f"rep-{n}.yaml")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_record(n), encoding="utf-8")
    return path


def _noise(c: Path) -> None:
    _good(c)
    (c / "README.md").write_text("how we code\n", encoding="utf-8")
    (c / "rep-1.yaml~").write_text(_record(1), encoding="utf-8")          # editor backups: not read twice
    (c / "#rep-1.yaml#").write_text(_record(1), encoding="utf-8")
    (c / "rep-1.yaml.bak").write_text(_record(1), encoding="utf-8")
    (c / ".rep-1.yaml.swp").write_bytes(b"\x00binary")
    (c / ".git" / "objects").mkdir(parents=True)
    (c / ".git" / "objects" / "x.yaml").write_text("not: a record\n", encoding="utf-8")


def _link_file_inside(c: Path) -> None:
    _good(c / "2022")
    (c / "latest.yaml").symlink_to("2022/rep-1.yaml")


def _link_folder_inside(c: Path) -> None:
    _good(c / "2022")
    (c / "current").symlink_to("2022", target_is_directory=True)


def _link_to_ancestor(c: Path) -> None:
    _good(c / "sub")
    (c / "sub" / "up").symlink_to("..", target_is_directory=True)


def _link_file_outside(c: Path) -> None:
    _good(c)
    _good(c.parent / "elsewhere", 2)
    (c / "rep-2.yaml").symlink_to(c.parent / "elsewhere" / "rep-2.yaml")


def _link_folder_outside(c: Path) -> None:
    _good(c)
    _good(c.parent / "archive", 2)
    (c / "archive").symlink_to(c.parent / "archive", target_is_directory=True)


def _broken_link(c: Path) -> None:
    _good(c)
    (c / "rep-2.yaml").symlink_to("rep-2-renamed.yaml")


def _link_loop(c: Path) -> None:
    _good(c)
    (c / "a.yaml").symlink_to("b.yaml")
    (c / "b.yaml").symlink_to("a.yaml")


def _self_link(c: Path) -> None:
    _good(c)
    (c / "self.yaml").symlink_to("self.yaml")


def _fifo(c: Path) -> None:
    _good(c)
    os.mkfifo(c / "pipe.yaml")  # reading it would hang: left out with a note


def _hidden_target(c: Path) -> None:
    _good(c)
    (c / ".draft.yaml").write_text(_record(2), encoding="utf-8")
    (c / "draft.yaml").symlink_to(".draft.yaml")


def _editor_lock(c: Path) -> None:
    _good(c)
    (c / ".#rep-1.yaml").symlink_to("ab@host.12345:1700000000")  # Emacs's lock while the file is edited
    (c / ".cache").symlink_to(c.parent.parent, target_is_directory=True)  # hidden, leading outside


def _only_notes(c: Path) -> None:
    (c / "README.md").write_text("to code next week\n", encoding="utf-8")
    (c / "report.pdf").write_bytes(b"%PDF-1.4")


def _header_only_csv(c: Path) -> None:
    _good(c)
    (c / "more.csv").write_text("source_id,id,date_start\n", encoding="utf-8")


def _empty_incidents(c: Path) -> None:
    (c / "r.yaml").write_text(_record(1).split('"incidents":')[0] + '"incidents": []\n', encoding="utf-8")


def _years_at_day_precision(c: Path) -> None:
    (c / "r.yaml").write_text(_record(1, date_start="2019-01-01", date_end="2021-12-31").replace(
        '"published": "2022-01-22"', '"published": "2022-01-22"'), encoding="utf-8")


def _deep(c: Path) -> None:
    _good(c)
    (c / "deep.yaml").write_text("source: " + "{a: " * 995 + "1" + "}" * 995 + "\n", encoding="utf-8")


def _utf16(c: Path) -> None:
    _good(c)
    (c / "rep-2.yaml").write_bytes(_record(2).encode("utf-16"))


def _bad_source_date(c: Path) -> None:
    _good(c)
    (c / "rep-2.yaml").write_text(_record(2).replace('"published": "2022-01-22"', '"published": "2022-13-22"'),
                                  encoding="utf-8")


def _duplicate_through_copy(c: Path) -> None:
    _good(c)
    _good(c, 1, "copy-of-rep-1.yaml")


FOLDERS: dict[str, Callable[[Path], None]] = {
    "good": _good, "noise": _noise, "link to a file inside": _link_file_inside,
    "link to a folder inside": _link_folder_inside, "link to an ancestor": _link_to_ancestor,
    "link to a file outside": _link_file_outside, "link to a folder outside": _link_folder_outside,
    "broken link": _broken_link, "loop of links": _link_loop, "link to itself": _self_link, "fifo": _fifo,
    "link to a hidden file": _hidden_target, "only files that are not records": _only_notes,
    "header-only csv": _header_only_csv, "incidents: []": _empty_incidents,
    "years at day precision": _years_at_day_precision, "995-deep mapping": _deep, "utf-16 record": _utf16,
    "a copy of a record": _duplicate_through_copy, "empty folder": lambda c: None,
    "a bad source date": _bad_source_date, "hidden links (an editor's lock)": _editor_lock,
}
FAILS = {"link to a file outside": "symlink-outside", "link to a folder outside": "symlink-outside",
         "broken link": "symlink-broken", "loop of links": "symlink-broken", "link to itself": "symlink-broken",
         "only files that are not records": "no-records", "header-only csv": "no-records",
         "incidents: []": "required-missing", "years at day precision": "export-too-many-days",
         "995-deep mapping": "yaml-structure", "utf-16 record": "file-encoding",
         "a copy of a record": "duplicate-id", "empty folder": "no-records", "a bad source date": "bad-date"}


def _make(tmp_path: Path, name: str) -> Path:
    coded = tmp_path / "project" / "coded"
    coded.mkdir(parents=True)
    FOLDERS[name](coded)
    return coded


def _errors(text: str) -> set[str]:
    return {ln for ln in text.splitlines() if ln.endswith("]") and ": note:" not in ln and ": warning:" not in ln}


@pytest.mark.parametrize("name", sorted(FOLDERS))
def test_validate_fails_exactly_when_build_fails(tmp_path: Path, name: str) -> None:
    coded = _make(tmp_path, name)
    out = tmp_path / "dataset"
    out.mkdir()
    (out / "incidents.parquet").write_bytes(b"the previous dataset")
    runner = CliRunner()
    checked = runner.invoke(main, ["validate", str(coded)])
    built = runner.invoke(main, ["build", "--coded", str(coded), "--out", str(out), "--no-geocode"])
    assert "Traceback" not in checked.output + built.output
    assert checked.exception is None or isinstance(checked.exception, SystemExit), checked.output
    assert built.exception is None or isinstance(built.exception, SystemExit), built.output
    assert (checked.exit_code != 0) == (built.exit_code != 0), (checked.output, built.output)
    if name in FAILS:
        assert checked.exit_code == built.exit_code == 1
        assert f"[{FAILS[name]}]" in checked.stdout
        assert _errors(checked.stdout) == _errors(built.stderr)  # the same error lines, word for word
        assert (out / "incidents.parquet").read_bytes() == b"the previous dataset"
    else:
        assert checked.exit_code == built.exit_code == 0, (checked.output, built.output)
        assert "Built 1 incidents" in built.stdout  # every record read once, links or not
    # what is left out is named alike: the notes of validate are the notes of build
    notes = {ln for ln in checked.stdout.splitlines() if ": note:" in ln}
    assert notes == {ln for ln in built.stderr.splitlines() if ": note:" in ln}


@pytest.mark.parametrize("name", sorted(FOLDERS))
def test_every_entry_is_read_or_named(tmp_path: Path, name: str) -> None:
    coded = _make(tmp_path, name)
    files, problems = discover([coded])
    read = {f.as_posix() for f in files}
    named = {p.path for p in problems}
    assert len(read) == len(files)  # nothing read twice
    for folder, dirs, names in os.walk(coded):  # links are entries here, never followed
        for entry in [*names, *(d for d in dirs if (Path(folder) / d).is_symlink())]:
            path = Path(folder) / entry
            shown = path.as_posix()
            ancestors = {p.as_posix() for p in path.parents}
            assert shown in read or shown in named or ancestors & named, shown
        dirs[:] = [d for d in dirs if not (Path(folder) / d).is_symlink()]


def test_the_rule_in_detail(tmp_path: Path) -> None:
    coded = tmp_path / "coded"
    coded.mkdir()
    _noise(coded)
    _link_file_inside(coded / "in")
    (coded / "out.yaml").symlink_to(tmp_path / "nowhere.yaml")
    files, problems = discover([coded])
    assert [f.relative_to(coded).as_posix() for f in files] == ["in/2022/rep-1.yaml", "rep-1.yaml"]
    by_name = {Path(p.path).name: (p.code, p.severity, p.message) for p in problems}
    assert by_name[".git"][:2] == ("file-skipped", "note") and "hidden folder" in by_name[".git"][2]
    assert "x.yaml" not in by_name  # a hidden folder is named once, not searched
    for backup in ("rep-1.yaml~", "#rep-1.yaml#", "rep-1.yaml.bak"):
        assert by_name[backup][0] == "file-skipped" and "editor backup" in by_name[backup][2]
    assert "hidden" in by_name[".rep-1.yaml.swp"][2]
    assert "not a record file" in by_name["README.md"][2]
    assert by_name["latest.yaml"][0] == "file-skipped" and "'2022/rep-1.yaml'" not in by_name["latest.yaml"][2]
    assert "'in/2022/rep-1.yaml'" in by_name["latest.yaml"][2]  # the target, relative to the coded folder
    assert by_name["out.yaml"][:2] == ("symlink-broken", "error")


def test_the_coded_folder_may_itself_be_a_link(tmp_path: Path) -> None:
    real = tmp_path / "share" / "coded"
    _good(real)
    (tmp_path / "coded").symlink_to(real, target_is_directory=True)
    res = CliRunner().invoke(main, ["validate", str(tmp_path / "coded")])
    assert res.exit_code == 0 and "1 valid incident(s)" in res.output and "note" not in res.output


def test_an_unreadable_folder_is_an_error_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    coded = tmp_path / "coded"
    _good(coded)
    locked = coded / "locked"
    _good(locked, 2)
    real_scandir = os.scandir

    def scandir(path: Any) -> Any:  # as chmod 000 does for anyone but root
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr("incidentkit.records.os.scandir", scandir)
    checked = CliRunner().invoke(main, ["validate", str(coded)])
    built = CliRunner().invoke(main, ["build", "--coded", str(coded), "--out", str(tmp_path / "ds"), "--no-geocode"])
    line = f"{locked.as_posix()}: cannot list the folder: Permission denied [file-unreadable]"
    assert checked.exit_code == built.exit_code == 1
    assert line in checked.stdout.splitlines() and line in built.stderr.splitlines()


def test_strict_does_not_fail_on_notes(tmp_path: Path) -> None:
    coded = tmp_path / "coded"
    coded.mkdir()
    _noise(coded)
    res = CliRunner().invoke(main, ["validate", "--strict", str(coded)])
    assert res.exit_code == 0, res.output
    assert "0 warning(s): valid" in res.output and "README.md: note: left out" in res.output
