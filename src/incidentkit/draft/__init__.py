"""Draft a record from a news article, offline and rule-based, in English, Swedish, Arabic and French.

    >>> from datetime import date
    >>> from incidentkit.draft import draft_article
    >>> d = draft_article("IS anföll Gweiranfängelset i torsdags kväll.", published=date(2022, 1, 21),
    ...                   language="sv")
    >>> fields = d.to_json()["incidents"][0]["fields"]
    >>> fields["date_start"][0]
    {'value': '2022-01-20', 'score': 0.85, 'spans': [[27, 43]]}
    >>> fields["location"][0]["value"], fields["actor1"][0]["value"]
    ('Ghwayran prison', 'Islamic State (Syria)')

Every proposed value rests on at least one span of the article (``[start, end)`` offsets into the text
exactly as given) and carries a score in [0, 1]; alternatives are ranked best first. Nothing is decided
for the coder: the draft is a set of suggestions to accept or correct (``incidentkit draft`` writes it to
``datasets/drafts/``, never to the coded records).

The pieces are modules named for what they hold: :mod:`~incidentkit.draft.text` (sentences, tokens,
offsets), :mod:`~incidentkit.draft.dates`, :mod:`~incidentkit.draft.places` (through the geocoder),
:mod:`~incidentkit.draft.actors` (through the actor vocabulary), :mod:`~incidentkit.draft.events`,
:mod:`~incidentkit.draft.fatalities` (through the codebook's qualifier table),
:mod:`~incidentkit.draft.segment` and :mod:`~incidentkit.draft.model`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from incidentkit.draft.model import FIELDS, Candidate, Draft, DraftIncident

__all__ = ["FIELDS", "LANGUAGES", "Candidate", "Draft", "DraftIncident", "draft_article", "default_geocoder"]

#: The languages the rules cover.
LANGUAGES: tuple[str, ...] = ("en", "sv", "ar", "fr")

_GEOCODERS: dict[str, Any] = {}


def default_geocoder(gazetteer_dir: Path | None = None) -> Any:
    """The geocoder a draft uses when none is given: the project's gazetteer folder (``datasets/gazetteer``
    when it exists) plus the embedded ones; one per folder, kept for the process (its index loads once)."""
    from incidentkit.geocode import Geocoder

    if gazetteer_dir is None:
        proj = Path("datasets") / "gazetteer"
        gazetteer_dir = proj if proj.is_dir() else None
    key = str(Path(gazetteer_dir).resolve()) if gazetteer_dir is not None else ""
    gc = _GEOCODERS.get(key)
    if gc is None:
        gc = _GEOCODERS[key] = Geocoder(gazetteer_dir=gazetteer_dir)
    return gc


def draft_article(text: str, *, published: date, language: str, country: str | None = None,
                  geocoder: Any = None, vocabulary: Any = None) -> Draft:
    """The draft of one article: its incidents, each with ranked candidates per codebook field.

    ``published`` is the publication date every relative expression is resolved against; ``language``
    one of :data:`LANGUAGES`; ``country`` (ISO alpha-2 or a name) a hint tried first for places and
    actors. ``geocoder`` (an :class:`incidentkit.geocode.Geocoder`) and ``vocabulary`` (an
    :class:`incidentkit.actors.Vocabulary`) default to the project's. Raises ``ValueError`` for a language
    not covered or a country that is not one.
    """
    from incidentkit.draft.propose import propose

    if language not in LANGUAGES:
        raise ValueError(f"language {language!r} is not covered (one of {', '.join(LANGUAGES)})")
    if not isinstance(published, date):
        raise ValueError("published must be a datetime.date")
    cc = None
    if country is not None and str(country).strip():
        from incidentkit.geocode.countries import country_code

        cc = country_code(str(country))
        if cc is None:
            raise ValueError(f"unknown country {country!r} (use an ISO 3166 code such as SY, or a country name)")
    if geocoder is None:
        geocoder = default_geocoder()
    if vocabulary is None:
        from incidentkit.actors import load_vocabulary

        vocabulary = load_vocabulary()
    incidents = propose(text, language, published, cc, geocoder, vocabulary) if text.strip() else []
    return Draft(incidents=incidents, language=language, published=published, country=cc)
