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
    "project_gazetteer_dir",
]


def project_gazetteer_dir(gazetteer_dir: str | os.PathLike[str] | None) -> Path:
    """The gazetteer folder ``incidentkit build`` reads with its defaults, unless one is given.

    ``build`` looks in ``OUT/gazetteer`` and ``OUT`` defaults to ``datasets``: agreement has no ``OUT``
    but must place incidents where the build places them, so it takes the same default from the build's
    own constant. A folder given explicitly must exist: a mistyped path would otherwise silently leave
    the project's villages out and turn into "not found" places. Raises :class:`UsageError` then.
    """
    from incidentkit.build import DEFAULT_OUT

    if gazetteer_dir is None:
        return DEFAULT_OUT / "gazetteer"
    folder = Path(gazetteer_dir)
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such gazetteer folder (--gazetteer-dir)", code="usage")
    return folder


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
                    f"again; the first coding is in {first['record_path']}", path=row["record_path"],
                    line=row["record_line"], field="coder", value=row["coder"], record_id=row["id"]))
                continue
            by_coder.setdefault(row["coder"], []).append(row)
    if problems:
        raise InvalidRecordsError(f"{len(problems)} problem(s) in the coded records; no agreement computed",
                                  problems=_dedupe(problems))
    if len(by_coder) < 2:
        found = ", ".join(sorted(by_coder)) or "none"
        raise UsageError(f"agreement needs at least two coders; the records name {found}",
                         code="reliability-too-few-coders")
    if geocode:
        from incidentkit.build import default_geocoder, geocode_rows

        folder = project_gazetteer_dir(gazetteer_dir)
        rows = [row for rows in by_coder.values() for row in rows]
        geocode_rows(rows, default_geocoder(folder))
        if places is not None:
            places.update(geocoded=True, gazetteer_dir=folder.as_posix() if folder.is_dir() else None,
                          placed=sum(r.get("geo_source") == "geocoder" for r in rows),
                          unplaced=sum(r.get("geo_source") == "none" for r in rows))
    elif places is not None:
        places.update(geocoded=False, gazetteer_dir=None, placed=0, unplaced=0)
    return by_coder


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
