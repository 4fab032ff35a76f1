"""Build the GTD test fixtures from the GTD codebook's layout (June 2017: 135 columns, in this order).

The Global Terrorism Database may not be redistributed, so every row here is written by us: real column
names and code values, made-up incidents (a few echo the codebook's own examples). Run it to rebuild:

    .venv/bin/python tests/data/gtd/make_fixtures.py

It writes, next to itself:
  gtd_sample.csv     UTF-8, ',' (GTD's layout; Arabic, Swedish and French names; a summary over two lines)
  gtd_semicolon.csv  UTF-8 with a byte-order mark, ';', decimal commas and day-first dates (Excel "CSV UTF-8"
                     in a European locale)
  gtd_latin1.csv     cp1252, ',' (as GTD's own CSV: no Arabic, which cp1252 cannot hold)
  gtd_sample.xlsx    the sample as a workbook (ids and counts as numbers, resolution as a date cell)

``write_synthetic_csv`` writes a large file of the same layout for the benchmark.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

COLUMNS: tuple[str, ...] = tuple("""
eventid iyear imonth iday approxdate extended resolution country country_txt region region_txt provstate city
latitude longitude specificity vicinity location summary crit1 crit2 crit3 doubtterr alternative alternative_txt
multiple success suicide attacktype1 attacktype1_txt attacktype2 attacktype2_txt attacktype3 attacktype3_txt
targtype1 targtype1_txt targsubtype1 targsubtype1_txt corp1 target1 natlty1 natlty1_txt targtype2 targtype2_txt
targsubtype2 targsubtype2_txt corp2 target2 natlty2 natlty2_txt targtype3 targtype3_txt targsubtype3
targsubtype3_txt corp3 target3 natlty3 natlty3_txt gname gsubname gname2 gsubname2 gname3 gsubname3 motive
guncertain1 guncertain2 guncertain3 individual nperps nperpcap claimed claimmode claimmode_txt claim2 claimmode2
claimmode2_txt claim3 claimmode3 claimmode3_txt compclaim weaptype1 weaptype1_txt weapsubtype1 weapsubtype1_txt
weaptype2 weaptype2_txt weapsubtype2 weapsubtype2_txt weaptype3 weaptype3_txt weapsubtype3 weapsubtype3_txt
weaptype4 weaptype4_txt weapsubtype4 weapsubtype4_txt weapdetail nkill nkillus nkillter nwound nwoundus nwoundte
property propextent propextent_txt propvalue propcomment ishostkid nhostkid nhostkidus nhours ndays divert
kidhijcountry ransom ransomamt ransomamtus ransompaid ransompaidus ransomnote hostkidoutcome hostkidoutcome_txt
nreleased addnotes scite1 scite2 scite3 dbsource INT_LOG INT_IDEO INT_MISC INT_ANY related
""".split())  # noqa: SIM905 - the codebook order, readable
assert len(COLUMNS) == 135

ATTACK = {1: "Assassination", 2: "Armed Assault", 3: "Bombing/Explosion", 4: "Hijacking",
          5: "Hostage Taking (Barricade Incident)", 6: "Hostage Taking (Kidnapping)",
          7: "Facility/Infrastructure Attack", 8: "Unarmed Assault", 9: "Unknown"}
TARGET = {1: "Business", 2: "Government (General)", 3: "Police", 4: "Military", 6: "Airports & Aircraft",
          7: "Government (Diplomatic)", 8: "Educational Institution", 14: "Private Citizens & Property",
          15: "Religious Figures/Institutions", 17: "Terrorists/Non-State Militia", 19: "Transportation (other than aviation)",
          20: "Unknown", 21: "Utilities"}
REGION = {1: "North America", 2: "Central America & Caribbean", 3: "South America", 5: "Southeast Asia", 8: "Western Europe",
          9: "Eastern Europe", 10: "Middle East & North Africa", 11: "Sub-Saharan Africa"}
ALTERNATIVE = {1: "Insurgency/Guerilla Action", 2: "Other Crime Type", 3: "Inter/Intra-Group Conflict"}
WEAPON = {5: "Firearms", 6: "Explosives", 8: "Incendiary", 9: "Melee", 13: "Unknown"}


def row(eventid: str, y: int, m: int, d: int, country: tuple[int, str, int], provstate: str, city: str,
        lat: float | None, lon: float | None, spec: int, attack: int, target: int, gname: str, *,
        approxdate: str = "", extended: int = 0, resolution: dt.date | None = None, suicide: int = 0,
        doubtterr: int = 0, alternative: int | None = None, nkill: float | None = None,
        nkillter: float | None = None, nwound: float | None = None, summary: str = "", weapon: int = 13,
        gname2: str = "", target1: str = "", scite1: str = "") -> dict[str, object]:
    """One GTD row (every column present; unused ones blank as in GTD's files)."""
    code, name, region = country
    r: dict[str, object] = {c: "" for c in COLUMNS}
    r.update(eventid=eventid, iyear=y, imonth=m, iday=d, approxdate=approxdate, extended=extended,
             resolution=resolution or "", country=code, country_txt=name, region=region,
             region_txt=REGION[region], provstate=provstate, city=city,
             latitude="" if lat is None else lat, longitude="" if lon is None else lon, specificity=spec,
             vicinity=0, summary=summary, crit1=1, crit2=1, crit3=1 if doubtterr != 1 else 0,
             doubtterr=doubtterr, alternative="" if alternative is None else alternative,
             alternative_txt=ALTERNATIVE.get(alternative or 0, ""), multiple=0, success=1, suicide=suicide,
             attacktype1=attack, attacktype1_txt=ATTACK[attack], targtype1=target, targtype1_txt=TARGET[target],
             target1=target1, natlty1=code, natlty1_txt=name, gname=gname, gname2=gname2, guncertain1=0,
             individual=0, nperps=-99, nperpcap=0, claimed=0, weaptype1=weapon, weaptype1_txt=WEAPON[weapon],
             nkill="" if nkill is None else nkill, nkillus=0 if nkill is not None else "",
             nkillter="" if nkillter is None else nkillter, nwound="" if nwound is None else nwound,
             nwoundus=0 if nwound is not None else "", nwoundte=0 if nwound is not None else "",
             property=-9, ishostkid=1 if attack in (4, 5, 6) else 0, scite1=scite1, dbsource="PGIS",
             INT_LOG=-9, INT_IDEO=-9, INT_MISC=0, INT_ANY=-9)
    return r


DR, MEX, PHL = (58, "Dominican Republic", 2), (130, "Mexico", 1), (160, "Philippines", 5)
ETH, IRQ, SWE = (65, "Ethiopia", 11), (95, "Iraq", 10), (198, "Sweden", 8)
FRA, URY, SU = (69, "France", 8), (218, "Uruguay", 3), (359, "Soviet Union", 9)
FRG, NGA, SYR = (362, "West Germany (FRG)", 8), (147, "Nigeria", 11), (200, "Syria", 10)

SAMPLE: list[dict[str, object]] = [
    row("197000000001", 1970, 7, 2, DR, "National", "Santo Domingo", 18.456792, -69.951164, 1, 1, 14, "MANO-D",
        nkill=1, nwound=0, weapon=13, target1="Julio Guzman"),
    row("197000000002", 1970, 0, 0, MEX, "Federal", "Mexico city", 19.371887, -99.086624, 1, 6, 7,
        "23rd of September Communist League", nkill=0, target1="Nadine Chaval, daughter"),
    row("197001000001", 1970, 1, 0, PHL, "Tarlac", "Unknown", 15.478598, 120.599741, 4, 1, 14, "Unknown",
        nkill=1, nwound=0),
    row("197001110001", 1970, 1, 11, ETH, "Unknown", "Unknown", 0, 0, 5, 9, 4, "Eritrean Liberation Front",
        nkill=0, nwound=0, doubtterr=1, alternative=1),
    row("197001190001", 1970, 1, 0, URY, "Montevideo", "Montevideo", -34.891151, -56.187214, 1, 3, 3,
        "Tupamaros (Uruguay)", approxdate="January 19-21, 1970", nkill=None, weapon=6),
    row("197001220001", 1970, 1, 22, FRG, "Berlin", "Berlin", 52.50153, 13.401851, 1, 6, 1, "Unknown",
        extended=1, resolution=dt.date(1970, 2, 13), nkill=0, summary="", target1="Leon Jacobo, son"),
    row("197105310001", 1971, 4, 31, SU, "Moscow", "Moscow", 55.755825, 37.617298, 1, 7, 2, "Unknown",
        nkill=0, weapon=8),
    row("201403030001", 2014, 3, 0, IRQ, "Nineveh", "الموصل", 36.34, 43.13, 1, 3, 14,
        "Islamic State of Iraq and the Levant (ISIL)", suicide=1, nkill=12, nkillter=1, nwound=30, weapon=6,
        approxdate="March 3, 2014",
        summary="03/03/2014: A suicide bomber detonated an explosives-laden vest at a market in \u0627\u0644\u0645\u0648\u0635\u0644, "
                "Nineveh, Iraq.\nAt least 12 people, including the bomber, were killed; \"30\" were wounded.",
        gname2="جبهة النصرة", scite1="\"Suicide bomber kills 12,\" Reuters, March 4, 2014."),
    row("201506150001", 2015, 6, 15, SWE, "Skåne", "Malmö", 55.604981, 13.003822, 1, 7, 15, "Unknown",
        nkill=0, nwound=0, weapon=8, summary="06/15/2015: Arsonists set fire to a mosque in Malmö, Skåne län."),
    row("201511130001", 2015, 11, 13, FRA, "Île-de-France", "Saint-Denis", 48.935, 2.35, 1, 3, 1,
        "Islamic State of Iraq and the Levant (ISIL)", suicide=1, nkill=2, nkillter=1, nwound=15, weapon=6,
        summary="11/13/2015: Un kamikaze s'est fait exploser près du Stade de France, à Saint-Denis."),
    row("201602040001", 2016, 2, 4, NGA, "Borno", "Dalori", 11.81, 13.21, 2, 2, 14, "Boko Haram",
        nkill=86.5, nwound=62, weapon=5, doubtterr=0),
    row("201607120001", 2016, 7, 12, SYR, "Aleppo", "Aleppo", 36.2, 37.15, 5, 2, 4, "Free Syrian Army",
        nkill=3, nwound=None, weapon=5, doubtterr=1, alternative=1),
    row("201608010001", 2016, 8, 0, SYR, "Idlib", "Unknown", None, None, 3, 2, 3, "Unknown",
        approxdate="between August 1 and August 3, 2016", nkill=None, weapon=5),
    row("201709090001", 2017, 9, 9, PHL, "Sulu", "Jolo", 6.05, 121.0, 1, 6, 14, "Abu Sayyaf Group (ASG)",
        extended=1, resolution=dt.date(2017, 10, 2), nkill=0, approxdate="September 1975"),
]

#: Rows cp1252 can hold (no Arabic): the Latin-1 file.
LATIN1 = [r for r in SAMPLE if all(isinstance(v, (int, float)) or str(v).encode("cp1252", "replace").decode(
    "cp1252") == str(v) for v in r.values())]


def _text(v: object, *, decimal_comma: bool = False, day_first: bool = False) -> str:
    if isinstance(v, dt.date):
        return f"{v.day:02d}/{v.month:02d}/{v.year}" if day_first else f"{v.month}/{v.day}/{v.year}"
    if isinstance(v, float):
        s = str(int(v)) if v.is_integer() else repr(v)
        return s.replace(".", ",") if decimal_comma else s
    return str(v)


def write_csv(path: Path, rows: list[dict[str, object]], *, delimiter: str = ",", encoding: str = "utf-8",
              decimal_comma: bool = False, day_first: bool = False) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(COLUMNS)
    for r in rows:
        w.writerow([_text(r[c], decimal_comma=decimal_comma, day_first=day_first) for c in COLUMNS])
    path.write_bytes(buf.getvalue().encode(encoding))


def write_xlsx(path: Path, rows: list[dict[str, object]]) -> None:
    """A workbook as GTD distributes it: numbers as numbers, resolution as a date; byte-reproducible."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(list(COLUMNS))
    for r in rows:
        cells = []
        for c in COLUMNS:
            v = r[c]
            if c == "eventid":
                v = int(str(v))
            elif isinstance(v, dt.date):
                v = dt.datetime(v.year, v.month, v.day)
            cells.append(None if v == "" else v)
        ws.append(cells)
    fixed = dt.datetime(2024, 1, 1)
    wb.properties.created = wb.properties.modified = fixed
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in sorted(src.infolist(), key=lambda i: i.filename):
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps 'modified' with the time of saving
                import re

                data = re.sub(rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>",
                              b'<dcterms:modified xsi:type="dcterms:W3CDTF">2024-01-01T00:00:00Z</dcterms:modified>',
                              data)
            z = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            z.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(z, data)


def write_synthetic_csv(path: Path, rows: int, seed: int = 16) -> int:
    """A GTD-shaped CSV of ``rows`` made-up incidents (all 135 columns, GTD's mix of unknown days, months,
    coordinates and perpetrators; summaries with commas, quotes and Arabic). Returns its size in bytes."""
    rng = random.Random(seed)
    countries = [DR, MEX, PHL, ETH, IRQ, SWE, FRA, URY, NGA, SYR, FRG]
    groups = ["Unknown", "Taliban", "Islamic State of Iraq and the Levant (ISIL)", "Boko Haram",
              "Al-Shabaab", "New People's Army (NPA)", "جبهة النصرة"]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow(COLUMNS)
        for i in range(rows):
            y = 1970 + i * 48 // max(rows, 1)
            m = 0 if rng.random() < 0.005 else rng.randint(1, 12)
            d = 0 if m == 0 or rng.random() < 0.02 else rng.randint(1, 28)
            c = rng.choice(countries)
            spec = rng.choices([1, 2, 3, 4, 5], [80, 8, 6, 4, 2])[0]
            attack = rng.choices(list(ATTACK), [10, 24, 48, 1, 1, 7, 6, 1, 2])[0]
            target = rng.choice(list(TARGET))
            r = row(f"{y}{m:02d}{d:02d}{i % 9999 + 1:04d}", y, m, d, c, "Province", "City",
                    round(rng.uniform(-40, 60), 6), round(rng.uniform(-100, 120), 6), spec, attack, target,
                    rng.choice(groups), suicide=int(attack == 3 and rng.random() < 0.07),
                    doubtterr=rng.choice([0, 0, 0, 1, -9]), nkill=rng.choice([None, 0, 0, 1, 2, 5, 12]),
                    nwound=rng.choice([None, 0, 1, 3]), weapon=rng.choice(list(WEAPON)),
                    summary=f"{m}/{d}/{y}: Assailants attacked targets in the city, \"officials\" said; "
                            "مصادر محلية" if rng.random() < 0.6 else "")
            w.writerow([_text(r[k]) for k in COLUMNS])
    return path.stat().st_size


def main() -> None:
    write_csv(HERE / "gtd_sample.csv", SAMPLE)
    write_csv(HERE / "gtd_semicolon.csv", SAMPLE, delimiter=";", encoding="utf-8-sig", decimal_comma=True,
              day_first=True)
    write_csv(HERE / "gtd_latin1.csv", LATIN1, encoding="cp1252")
    write_xlsx(HERE / "gtd_sample.xlsx", SAMPLE)


if __name__ == "__main__":
    main()
