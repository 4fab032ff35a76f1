"""Actor names for every country: ACLED's naming grammar, named groups, the project's own list, and
checks that know the incident's country and date.

>>> from incidentkit.actors import load_vocabulary
>>> vocab = load_vocabulary()
>>> vocab.check("Civilans (Somalia)", country="SO").suggestions[0]
'Civilians (Somalia)'
>>> vocab.ucdp_side("Military Forces of Somalia (2022-)")
'Government of Somalia'
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

from incidentkit.actors.info import ActorInfo, Verdict
from incidentkit.actors.vocabulary import Vocabulary

__all__ = ["DEFAULT_PROJECT_FILE", "ActorInfo", "Verdict", "Vocabulary", "load_vocabulary"]

#: Where a project keeps its own actors (relative to the project folder).
DEFAULT_PROJECT_FILE = Path("datasets") / "actors.csv"


def load_vocabulary(project_file: str | os.PathLike[str] | None = None) -> Vocabulary:
    """The vocabulary: the embedded tables plus the project's list ``project_file`` when given.

    Cached per file content, so a validation run that asks for it per record builds it once, and an
    edited project file is read again. A missing ``project_file`` is an error
    (:class:`~incidentkit.errors.InputFileError`, ``file-unreadable``); pass None for none.
    """
    if project_file is None:
        return _cached(None, "")
    from incidentkit.actors.project import read_project_bytes

    path = Path(project_file)
    data = read_project_bytes(path)
    return _cached(str(path), hashlib.sha256(data).hexdigest())


@lru_cache(maxsize=8)
def _cached(path: str | None, digest: str) -> Vocabulary:
    if path is None:
        return Vocabulary()
    from incidentkit.actors.project import read_project_actors

    return Vocabulary(read_project_actors(Path(path)))
