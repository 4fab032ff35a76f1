"""Inter-coder reliability: align double-coded reports and measure agreement with Krippendorff's alpha.

Double-coded records live apart from the main dataset (``datasets/coded-reliability/<coder>/``), one
folder or file per coder; ``incidentkit build`` reads ``datasets/coded`` only and never sees them.

>>> import incidentkit.reliability as rel
>>> result = rel.agreement("datasets/coded-reliability/ik", "datasets/coded-reliability/mh")  # doctest: +SKIP
>>> print(result.format())                  # doctest: +SKIP
>>> result.table, result.disagreements      # doctest: +SKIP
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from incidentkit.errors import InvalidRecordsError, Problem, UsageError, problem
from incidentkit.reliability.align import AlignOptions, Alignment, Unit, align, pair_score
from incidentkit.reliability.alpha import AlphaResult, alpha_from_counts, alpha_with_ci, krippendorff_alpha
from incidentkit.reliability.report import AgreementResult, disagreement_table, field_table
from incidentkit.validate import validate

__all__ = [
    "agreement", "AgreementResult", "AlignOptions", "Alignment", "Unit", "align", "pair_score",
    "krippendorff_alpha", "alpha_with_ci", "alpha_from_counts", "AlphaResult", "load_coders",
]


def load_coders(*paths: str | os.PathLike[str], geocode: bool = True,
                gazetteer_dir: str | os.PathLike[str] | None = None,
                places: dict[str, Any] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Validate each path on its own and group the incident rows by the records' ``coder`` field.

    Paths are validated separately because a second coding reuses the source id (and may reuse incident
    ids) of the first: that is the point of double coding, not a duplicate. Raises
    :class:`InvalidRecordsError` with every problem when a record is invalid or one coder coded the same
    source in two records. With ``geocode`` (the default) incidents without coordinates are placed by
    the offline geocoder exactly as the build places them: the embedded gazetteer plus the project's
    gazetteer folder (``gazetteer_dir``, default ``datasets/gazetteer`` as in ``incidentkit build``), so
    a village only the project's gazetteer knows gets the same point in both. ``places``, when given, is
    filled with what geocoding did (the folder used, incidents placed, incidents left without a point)
    so the report can say which gazetteer placed the coders' incidents.
    """
    if not paths:
        raise UsageError("give the records of at least two coders (two folders or files)",
                         code="reliability-too-few-coders")
    problems: list[Problem] = []
    by_coder: dict[str, list[dict[str, Any]]] = {}
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for path in paths:
        report = validate(path)
        problems.extend(report.errors)
        for row in report.rows:
            key = (row["coder"], row["source_id"])
            first = seen.setdefault(key, row)
            if first["record_path"] != row["record_path"]:
                problems.append(problem(
                    "reliability-duplicate-coding", f"coder {row['coder']!r} coded source {row['source_id']!r} "
                    f"again; the first coding is in {first['record_path']}:{coder_line(first)}",
                    path=row["record_path"], line=coder_line(row), field="coder", value=row["coder"],
                    record_id=row["id"]))
                continue
            by_coder.setdefault(row["coder"], []).append(row)
    if problems:
        problems = _dedupe(problems)   # a record coded twice is one problem, at its coder line, not one per incident
        raise InvalidRecordsError(f"{len(problems)} problem(s) in the coded records; no agreement computed",
                                  problems=problems)
    if len(by_coder) < 2:
        # the command line was fine (two paths or more): the records' content is what falls short
        found = ", ".join(sorted(by_coder)) or "none"
        raise InvalidRecordsError(f"agreement needs at least two coders; the records name {found}",
                                  code="reliability-too-few-coders", problems=_coder_problems(by_coder))
    if geocode:
        from incidentkit.build import DEFAULT_OUT, default_geocoder, geocode_rows, project_gazetteer_dir

        # no output folder here: the build's default one, so both read datasets/gazetteer by default
        folder = project_gazetteer_dir(DEFAULT_OUT, gazetteer_dir)
        rows = [row for rows in by_coder.values() for row in rows]
        geocode_rows(rows, default_geocoder(folder))
        if places is not None:
            places.update(geocoded=True, gazetteer_dir=folder.as_posix() if folder.is_dir() else None,
                          placed=sum(r.get("geo_source") in ("geocoder", "admin-fallback") for r in rows),
                          unplaced=sum(r.get("geo_source") == "none" for r in rows))
    elif places is not None:
        places.update(geocoded=False, gazetteer_dir=None, placed=0, unplaced=0)
    return by_coder


def coder_line(row: dict[str, Any]) -> int | None:
    """The line of the ``coder:`` value a validated row was read from.

    A YAML record names its coder once, at the top, so problems about who coded it point there rather
    than at an incident's first line; a CSV record has the coder in each incident's row, on that line.
    Rows keep only the incident's line, so the record is read again (only for the few rows a problem
    is about); if it cannot be, the incident's line is the best there is.
    """
    from incidentkit.records import YAML_SUFFIXES, YamlLoadError, load_yaml
    from incidentkit.records.located import line_of

    path = Path(row["record_path"])
    if path.suffix.lower() in YAML_SUFFIXES:
        try:
            line = line_of(load_yaml(path).document, "coder")
        except (OSError, ValueError, YamlLoadError):  # changed or unreadable since it was validated
            line = None
        if line:
            return line
    return row.get("record_line")


def _coder_problems(by_coder: dict[str, list[dict[str, Any]]]) -> list[Problem]:
    """Where the one coder found is named: the ``coder:`` line of each record file (at most a few)."""
    out: list[Problem] = []
    seen: set[str] = set()
    for coder, rows in by_coder.items():
        for row in rows:
            if row["record_path"] in seen:
                continue
            seen.add(row["record_path"])
            if len(out) < 5:
                out.append(problem("reliability-too-few-coders", f"coder {coder!r}: every record given names the "
                                   "same coder; agreement compares two coders' codings (check the coder field)",
                                   path=row["record_path"], line=coder_line(row), field="coder", value=coder))
    return out


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[Any, ...]] = set()
    out = []
    for p in problems:
        key = (p.code, p.path, p.line, p.field, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def agreement(*paths: str | os.PathLike[str], n_boot: int = 1000, seed: int = 0, confidence: float = 0.95,
              options: AlignOptions = AlignOptions(), geocode: bool = True,
              gazetteer_dir: str | os.PathLike[str] | None = None) -> AgreementResult:
    """Compare two or more coders' independent codings of the same reports.

    Each path is a folder or file of coded records (one coder per path is the usual layout; the coder
    is read from the records). Incidents are aligned within each source, then every field is compared
    with Krippendorff's alpha at its level of measurement, with a bootstrap interval over incidents
    (``n_boot`` replicates from ``seed``; 0 for none). Places without coordinates are geocoded offline
    first, with the project's gazetteer folder as the build uses it (``gazetteer_dir``, default
    ``datasets/gazetteer``); ``geocode=False`` compares only what the coders wrote.
    """
    places: dict[str, Any] = {}
    by_coder = load_coders(*paths, geocode=geocode, gazetteer_dir=gazetteer_dir, places=places)
    alignment = align(by_coder, options)
    table = field_table(alignment, n_boot=n_boot, seed=seed, confidence=confidence)
    return AgreementResult(
        coders=alignment.coders, table=table, disagreements=disagreement_table(alignment),
        split=alignment.split_summary(), alignment=alignment, n_boot=n_boot, seed=seed, confidence=confidence,
        paths=[os.fspath(p) for p in paths], places=places)
