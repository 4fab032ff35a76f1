"""Writes the ACLED-format fixtures of this folder from invented, real-shaped events.

ACLED rows may not be redistributed, so every event here is made up: real places, plausible actors,
invented dates, fatalities and notes. The same events are written in each export vintage's layout.
Run: python tests/data/acled/make_fixtures.py  (deterministic: same bytes every run).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

HERE = Path(__file__).parent

INTER = {1: "State forces", 2: "Rebel group", 3: "Political militia", 4: "Identity militia", 5: "Rioters",
         6: "Protesters", 7: "Civilians", 8: "External/Other forces"}

# (event_id_cnty, date, tp, event_type, sub_event_type, actor1, assoc1, inter1, actor2, assoc2, inter2,
#  civ, iso, region, country, admin1, admin2, admin3, location, lat, lon, geo, source, scale, notes, fat, tags)
EVENTS = [
    ("SYR100201", "2022-01-20", 1, "Battles", "Armed clash", "Islamic State (Syria)", "", 2,
     "QSD: Syrian Democratic Forces", "Asayish", 2, "", 760, "Middle East", "Syria", "Al Hasakeh", "Al Hasakeh",
     "Al Hasakeh", "Al Hasakeh - Ghwayran", 36.4876, 40.7335, 1, "SOHR; Hawar News Agency", "Other-National",
     'On 20 January 2022, IS militants attacked Ghwayran (Sina\'a) prison in Al Hasakeh city, using a car bomb '
     'and clashed with QSD fighters; "dozens" of prisoners escaped. 63 fatalities reported \u2013 23 QSD and '
     '40 IS.', 63, ""),
    ("SYR100202", "2022-01-21", 1, "Explosions/Remote violence", "Air/drone strike",
     "Global Coalition Against Daesh", "", 8, "Islamic State (Syria)", "", 2, "", 760, "Middle East", "Syria",
     "Al Hasakeh", "Al Hasakeh", "Al Hasakeh", "Al Hasakeh - Ghwayran", 36.4876, 40.7335, 1, "SOHR",
     "National", "On 21 January 2022, coalition aircraft struck IS positions near Ghwayran prison.\n"
     "Fatalities unknown; coded as 0.", 0, ""),
    ("SYR100250", "2022-02-03", 1, "Violence against civilians", "Attack", "Unidentified Armed Group (Syria)", "",
     3, "Civilians (Syria)", "", 7, "Civilian targeting", 760, "Middle East", "Syria", "Deir ez Zor",
     "Deir ez Zor", "Thiban", "Thiban", 35.0117, 40.5061, 1, "Deir Ezzor 24", "Subnational",
     'Gunmen on a motorbike shot dead a man in Thiban (ذيبان), Deir ez Zor; locals said he was a "mukhtar".',
     1, ""),
    ("SYR100311", "2022-02-15", 2, "Strategic developments", "Arrests", "QSD: Syrian Democratic Forces",
     "Global Coalition Against Daesh", 2, "Civilians (Syria)", "", 7, "", 760, "Middle East", "Syria",
     "Deir ez Zor", "Deir ez Zor", "Busayrah", "Busayrah", 35.1583, 40.4272, 2, "SOHR; ANHA", "Other",
     "Around 15 February 2022 (week of), QSD and coalition forces arrested 5 men, accused of IS membership, "
     "in Busayrah, Deir ez Zor.", 0, ""),
    ("SYR100412", "2022-03-02", 1, "Protests", "Peaceful protest", "Protesters (Syria)", "Teachers (Syria)", 6,
     "", "", 0, "", 760, "Middle East", "Syria", "Al Hasakeh", "Quamishli", "Quamishli", "Quamishli", 37.0511,
     41.2217, 1, "North Press Agency", "Subnational",
     "On 2 March 2022, teachers demonstrated in Quamishli against the curriculum; banner read \"\u0644\u0627 "
     "\u0644\u0644\u062a\u0647\u062c\u064a\u0631\". [size=around 200]", 0, "crowd size=around 200"),
    ("SYR100533", "2022-03-14", 1, "Explosions/Remote violence", "Remote explosive/landmine/IED",
     "Unidentified Armed Group (Syria)", "", 3, "Military Forces of Syria (2000-2024)", "", 1, "", 760,
     "Middle East", "Syria", "Damascus", "Damascus", "Damascus", "Damascus - Jisr al-Rais", 33.5128, 36.2913, 1,
     "SANA; SOHR", "National-International",
     "An IED planted on an army bus exploded at Jisr al-Rais, Damascus, on 14 March 2022, killing 13 soldiers "
     "and wounding 3.", 13, ""),
    ("IRQ20011", "2022-01-21", 1, "Battles", "Armed clash", "Islamic State (Iraq)", "", 2,
     "Military Forces of Iraq (2020-2022)", "", 1, "", 368, "Middle East", "Iraq", "Diyala", "Al-Khalis",
     "Al-Azim", "Al-Azim", 34.3556, 44.5217, 2, "Shafaq News; Rudaw", "National-Regional",
     "On 21 January 2022, IS militants attacked an Iraqi army post near Al-Azim, Diyala, killing 11 soldiers, "
     "as they slept; the attack \u2013 the deadliest in months \u2013 drew condemnation.", 11, ""),
    ("IRQ20019", "2022-02-10", 1, "Riots", "Mob violence", "Rioters (Iraq)", "", 5, "Civilians (Iraq)", "", 7,
     "Civilian targeting", 368, "Middle East", "Iraq", "Basrah", "Al-Zubair", "Al-Zubair", "Al-Zubair", 30.3892,
     47.7024, 1, "Shafaq News", "National",
     "A tribal dispute turned violent in Al-Zubair; rioters beat a man to death, police said.", 1, ""),
    ("IRQ20027", "2022-03-05", 3, "Explosions/Remote violence", "Shelling/artillery/missile attack",
     "Military Forces of Turkey (2016-)", "", 8, "PKK: Kurdistan Workers Party", "", 2, "", 368,
     "Middle East", "Iraq", "Dahuk", "Amedi", "", "Amedi", 37.0924, 43.4878, 3, "Rudaw; Kurdistan 24",
     "Regional", 'During March 2022, Turkish artillery shelled PKK positions in Amedi district; casualties '
     'unknown. Local officials called it "routine".', 0, ""),
    ("IRQ20031", "2022-03-18", 1, "Protests", "Protest with intervention", "Protesters (Iraq)", "", 6,
     "Police Forces of Iraq (2020-2022)", "", 1, "", 368, "Middle East", "Iraq", "Baghdad", "Baghdad",
     "Baghdad", "Baghdad - Tahrir Square", 33.3336, 44.3914, 1, "Al Mada", "National",
     "Graduates protested unemployment in Tahrir Square, Baghdad; police dispersed them with water cannon.", 0,
     "crowd size=no report"),
    ("LBN5501", "2022-02-22", 1, "Protests", "Peaceful protest", "Protesters (Lebanon)", "", 6, "", "", 0, "",
     422, "Middle East", "Lebanon", "Beirut", "Beirut", "", "Beirut", 33.8869, 35.5131, 1, "L'Orient-Le Jour",
     "National", "Depositors protested outside a bank in Beirut, demanding their savings.", 0,
     "crowd size=dozens"),
    ("NGA30417", "2022-01-09", 1, "Violence against civilians", "Abduction/forced disappearance",
     "Unidentified Armed Group (Nigeria)", "", 3, "Civilians (Nigeria)", "", 7, "Civilian targeting", 566,
     "Western Africa", "Nigeria", "Zamfara", "Anka", "", "Anka", 12.1108, 5.9264, 2, "Premium Times",
     "National", "Armed bandits abducted 12 villagers near Anka, Zamfara state.", 0, ""),
    ("UKR77001", "2022-03-01", 1, "Explosions/Remote violence", "Shelling/artillery/missile attack",
     "Military Forces of Russia (2000-)", "", 8, "Civilians (Ukraine)", "", 7, "Civilian targeting", 804,
     "Europe", "Ukraine", "Kharkivska", "Kharkivskyi", "Kharkiv", "Kharkiv", 49.9935, 36.2304, 1,
     "Ukrainska Pravda", "National", "Russian forces shelled Svobody Square in Kharkiv; 10 civilians killed.",
     10, ""),
    ("SWE1002", "2022-04-16", 1, "Riots", "Violent demonstration", "Rioters (Sweden)", "", 5,
     "Police Forces of Sweden (1809-)", "", 1, "", 752, "Europe", "Sweden", "\u00d6sterg\u00f6tland",
     "Norrk\u00f6ping", "", "Norrk\u00f6ping", 58.5877, 16.1924, 1, "SVT; Dagens Nyheter", "National",
     "Upplopp i Norrk\u00f6ping: rioters threw stones at police during a counter-protest; 3 injured.", 0, ""),
]


def _export_date(iso: str) -> str:
    d = dt.date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%B')} {d.year}"


def _interaction(i1: int, i2: int) -> int:
    return i1 * 10 if not i2 else min(i1, i2) * 10 + max(i1, i2)


def _interaction_label(i1: int, i2: int) -> str:
    if not i2:
        return f"{INTER[i1]} only"
    a, b = sorted((i1, i2))
    return f"{INTER[a]}-{INTER[b]}"


def _row(e: tuple, *, vintage: str) -> dict[str, object]:
    (eid, date, tp, et, st, a1, as1, i1, a2, as2, i2, civ, iso, region, country, ad1, ad2, ad3, loc, lat, lon,
     geo, source, scale, notes, fat, tags) = e
    export = vintage in ("pre2023", "labels")
    na = "NA" if export else ""
    d = _export_date(date) if export else date
    year = date[:4]
    ts = 1650000000 + int(eid[3:]) % 100000
    row: dict[str, object] = {
        "event_id_cnty": eid, "event_date": d, "year": year, "time_precision": tp,
        "disorder_type": {"Protests": "Demonstrations", "Strategic developments": "Strategic developments"}.get(
            et, "Demonstrations" if st == "Violent demonstration" else "Political violence"),
        "event_type": et, "sub_event_type": st, "actor1": a1, "assoc_actor_1": as1 or na, "inter1": i1,
        "actor2": a2 or na, "assoc_actor_2": as2 or na, "inter2": i2, "interaction": _interaction(i1, i2),
        "civilian_targeting": civ, "iso": iso, "region": region, "country": country, "admin1": ad1,
        "admin2": ad2 or na, "admin3": ad3 or na, "location": loc, "latitude": f"{lat:.4f}",
        "longitude": f"{lon:.4f}", "geo_precision": geo, "source": source, "source_scale": scale, "notes": notes,
        "fatalities": fat, "tags": tags, "timestamp": ts,
    }
    if vintage == "labels":
        row["inter1"] = INTER[i1]
        row["inter2"] = INTER[i2] if i2 else ""
        row["interaction"] = _interaction_label(i1, i2)
    return row


CURRENT = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
           "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
           "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
           "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes", "fatalities",
           "tags", "timestamp"]
PRE2023 = ["data_id", "iso", "event_id_cnty", "event_id_no_cnty", "event_date", "year", "time_precision",
           "event_type", "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2",
           "inter2", "interaction", "region", "country", "admin1", "admin2", "admin3", "location", "latitude",
           "longitude", "geo_precision", "source", "source_scale", "notes", "fatalities", "timestamp", "iso3"]
POPULATION = CURRENT + ["population_1km", "population_2km", "population_5km", "population_best"]


def _write(name: str, header: list[str], rows: list[dict[str, object]]) -> None:
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, header, lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    w.writerows(rows)
    (HERE / name).write_text(buf.getvalue(), encoding="utf-8", newline="")


def main() -> None:
    iso3 = {760: "SYR", 368: "IRQ", 422: "LBN", 566: "NGA", 804: "UKR", 752: "SWE"}
    pre = []
    for k, e in enumerate(EVENTS):
        r = _row(e, vintage="pre2023")
        r.update(data_id=9000000 + k, event_id_no_cnty=int(e[0][3:]), iso3=iso3[int(e[12])])
        if "Protesters" in str(r["actor1"]):
            r["actor1"] = str(r["actor1"]).replace("Protesters", "Protestors")
        # the old vocabulary had no "Protesters"/"Protestors" split: sub-event spelled "protestors"
        pre.append(r)
    pre[0]["notes"] = str(pre[0]["notes"]) + '\nUpdated: the toll "may rise".'
    _write("acled_pre2023_export.csv", PRE2023, pre)

    api = [_row(e, vintage="api") for e in EVENTS[:12]]
    _write("acled_2023_api.csv", CURRENT, api)

    labels = [_row(e, vintage="labels") for e in EVENTS]
    for r in labels:
        if r["civilian_targeting"]:
            r["civilian_targeting"] = "Civilians targeted"
    labels[2]["civilian_targeting"] = "Civilian targeting"
    labels[4]["inter1"] = "Protestors"  # the older spelling, still met in label files
    labels[6]["interaction"] = str(labels[6]["interaction"]).replace("-", "\u2013")  # en dash, as seen in files
    _write("acled_2024_labels_export.csv", CURRENT, labels)

    pop = []
    for k, e in enumerate(EVENTS):
        r = _row(e, vintage="api")
        base = 1200 + 937 * k
        r.update(population_1km=base, population_2km=base * 3, population_5km=base * 11, population_best=base * 3)
        pop.append(r)
    _write("acled_2025_api_population.csv", POPULATION, pop)

    data = []
    for e in EVENTS[:10]:
        r = _row(e, vintage="api")
        data.append({k: ("" if v is None else str(v)) for k, v in r.items()})
    doc = {"status": 200, "success": True, "last_update": 42, "count": len(data), "messages": [],
           "data": data, "filename": "2022-acled"}
    (HERE / "acled_api.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
