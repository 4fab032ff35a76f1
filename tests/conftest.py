"""Shared fixtures: the seed record, a writer of small real-shaped records, and the path of the third-party
reference files the tests compare against (tests/data/reference, shipped with the repository with their
attribution, so a fresh clone needs nothing beside it)."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "tests" / "data" / "reference"
SEED = REPO / "datasets" / "coded" / "svt-2022-01-21-hasakah.yaml"


def _quoted_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    # Always double-quote text: PyYAML's emitter targets YAML 1.1 and would leave e.g. 0o17 unquoted,
    # which a YAML 1.2 reader (ours) rightly reads as a number.
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')


class QuotingDumper(yaml.SafeDumper):
    pass


QuotingDumper.add_representer(str, _quoted_str)


def dump_yaml(doc: Any) -> str:
    return yaml.dump(doc, Dumper=QuotingDumper, allow_unicode=True, sort_keys=False, width=1_000_000)


BASE_RECORD: dict[str, Any] = {
    "source": {
        "id": "test-2022-01-21-report",
        "outlet": "SVT",
        "title": "Striderna i al-Hasakeh",
        "published": "2022-01-22",
        "language": "sv",
        "originators": ["SOHR"],
    },
    "coder": "ab",
    "coded_on": "2026-11-24",
    "incidents": [{
        "id": "test-2022-01-21-report-01",
        "date_start": "2022-01-20",
        "time_precision": 1,
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "actor1": "Islamic State (Syria)",
        "inter1": 2,
        "actor2": "QSD: Syrian Democratic Forces",
        "inter2": "Rebel group",
        "country": "SY",
        "admin1": "al-Hasakah",
        "location": "al-Hasakah",
        "latitude": 36.5067,
        "longitude": 40.7428,
        "fatalities": {"low": 23, "best": 60, "high": 63},
        "notes": "On 20 January 2022, IS militants attacked Ghwayran prison.",
        "evidence": [{"field": "fatalities", "quote": "minst 23 kurdiska soldater"}],
    }],
}


@pytest.fixture
def base_record() -> dict[str, Any]:
    return copy.deepcopy(BASE_RECORD)


@pytest.fixture
def write_record(tmp_path: Path) -> Callable[..., Path]:
    """Write a record dict (or raw text) as a YAML file under tmp_path/coded and return its path."""

    def write(doc: Any, name: str = "record.yaml", folder: str = "coded") -> Path:
        path = tmp_path / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(doc, bytes):
            path.write_bytes(doc)
        elif isinstance(doc, str):
            path.write_text(doc, encoding="utf-8")
        else:
            path.write_text(dump_yaml(doc), encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session", autouse=True)
def _shared_cache() -> None:
    """Caches (the gazetteer index, geocoder results) go to one folder under .pytest_cache, shared by the
    xdist workers and kept between runs, unless the caller set INCIDENTKIT_CACHE_DIR. The index is written
    atomically, so workers building it at the same time cannot corrupt it; tests about the cache itself
    use their own temporary folders."""
    # progress notes go to stderr, which click's test runner mixes into result.output: off unless a test
    # asks (tests of progress set INCIDENTKIT_PROGRESS themselves), so a cold cache in CI prints nothing
    os.environ.setdefault("INCIDENTKIT_PROGRESS", "off")
    if "INCIDENTKIT_CACHE_DIR" not in os.environ:
        cache = REPO / ".pytest_cache" / "incidentkit"
        cache.mkdir(parents=True, exist_ok=True)
        os.environ["INCIDENTKIT_CACHE_DIR"] = str(cache)


@pytest.fixture(scope="session")
def geocode_gazetteer(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A project gazetteer folder (the seed's supplement plus tests/data/geocode's villages and a GeoNames
    dump, added with ``gazetteer add``) and one index cache folder, shared by the geocoder tests."""
    import shutil

    from click.testing import CliRunner

    from incidentkit.cli import main

    gaz = tmp_path_factory.mktemp("geocode") / "gazetteer"
    gaz.mkdir()
    shutil.copy(REPO / "datasets" / "gazetteer" / "supplement.csv", gaz)
    runner = CliRunner()
    for name in ("user_villages.csv", "SY.txt"):
        r = runner.invoke(main, ["gazetteer", "add", str(REPO / "tests" / "data" / "geocode" / name), "--to", str(gaz)])
        assert r.exit_code == 0, r.output
    return {"gaz": gaz, "cache": tmp_path_factory.getbasetemp() / "geocode-index-cache"}
