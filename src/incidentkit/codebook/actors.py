"""The actor list: ACLED-style names coders pick from, with their actor type and UCDP name.

Datasets line up only when the same side is always written the same way. A name not in this list is
a warning, not an error: new actors appear, and the list grows with the project. The exact labels ACLED
used for a period should be checked against ACLED's actor list before a release.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping


@dataclass(frozen=True)
class Actor:
    name: str          # as ACLED writes it
    inter: int         # ACLED actor type
    country: str       # ISO alpha-2 of the actor's home country ("" for international actors)
    ucdp_name: str     # the same side as UCDP GED names it ("" where UCDP has no such side)
    note: str = ""


ACTORS: tuple[Actor, ...] = (
    Actor("Islamic State (Syria)", 2, "SY", "IS"),
    Actor("Islamic State (Iraq)", 2, "IQ", "IS"),
    Actor("QSD: Syrian Democratic Forces", 2, "SY", "SDF"),
    Actor("Asayish", 2, "SY", "SDF", "Kurdish internal security forces in north-east Syria."),
    Actor("YPG: People's Protection Units", 2, "SY", "SDF"),
    Actor("Military Forces of Syria (2000-2024)", 1, "SY", "Government of Syria",
          "The Assad government's forces until December 2024."),
    Actor("Military Forces of Syria (2024-)", 1, "SY", "Government of Syria"),
    Actor("Military Forces of Iraq (2020-2022)", 1, "IQ", "Government of Iraq",
          "The al-Kadhimi government's forces, May 2020 - October 2022."),
    Actor("Military Forces of Iraq (2022-)", 1, "IQ", "Government of Iraq"),
    Actor("Police Forces of Iraq (2020-2022)", 1, "IQ", "Government of Iraq"),
    Actor("Police Forces of Iraq (2022-)", 1, "IQ", "Government of Iraq"),
    Actor("PMF: Popular Mobilization Forces", 3, "IQ", "Government of Iraq"),
    Actor("Military Forces of Iraq (2020-2022) Kurdistan Regional Government Peshmerga", 1, "IQ",
          "Government of Iraq"),
    Actor("Global Coalition Against Daesh", 8, "", "Government of United States of America"),
    Actor("Military Forces of the United States (2021-)", 8, "US", "Government of United States of America"),
    Actor("Military Forces of Turkey (2016-)", 8, "TR", "Government of Turkey"),
    Actor("Military Forces of Russia (2000-)", 8, "RU", "Government of Russia (Soviet Union)"),
    Actor("SNA: Syrian National Army", 2, "SY", "Syrian insurgents"),
    Actor("HTS: Hayat Tahrir al Sham", 2, "SY", "Hayat Tahrir al-Sham"),
    Actor("Civilians (Syria)", 7, "SY", ""),
    Actor("Civilians (Iraq)", 7, "IQ", ""),
    Actor("Unidentified Armed Group (Syria)", 3, "SY", ""),
    Actor("Unidentified Armed Group (Iraq)", 3, "IQ", ""),
    Actor("Protesters (Syria)", 6, "SY", ""),
    Actor("Protesters (Iraq)", 6, "IQ", ""),
    Actor("Rioters (Iraq)", 5, "IQ", ""),
    Actor("Prisoners (Syria)", 7, "SY", ""),
)

ACTORS_BY_NAME: Mapping[str, Actor] = {a.name: a for a in ACTORS}
