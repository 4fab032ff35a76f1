"""Write the GDELT 2.0 event fixtures of tests/test_external_gdelt*.py from the published codebook layout.

The rows are invented (no GDELT record is copied); the layout is that of "The GDELT Event Database Data
Format Codebook V2.0" (2015): 61 tab-separated columns without a header, one event per line, never quoted,
absent values empty. The column names are written out here from the codebook, independently of the
reader, so a test can check the reader's layout against them.

    .venv/bin/python tests/data/gdelt/make_fixtures.py

Files (all UTF-8):
  20240501000000.export.CSV      12 events: world/US cities, states, a country, no place, names in
                                 Arabic, Swedish and French, one event told by 3 rows, unknown FIPS code
  20240501001500.export.CSV.zip  the next 15-minute file, zipped (one member): 5 events, 2 of them further
                                 rows of an event of the first file
  20240501001500.mentions.CSV    a Mentions file beside them (a folder's ingest must skip it)
  gdelt1_20150217.export.CSV     2 events in the GDELT 1.0 daily layout (58 columns: no *Geo_ADM2Code)
  bad/short_line.export.CSV      its third line has 40 fields: a truncated record
  bad/bad_date.export.CSV        SQLDATE 20240231 on line 2
"""

from __future__ import annotations

import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _actor(side: str) -> list[str]:
    return [f"Actor{side}Code", f"Actor{side}Name", f"Actor{side}CountryCode", f"Actor{side}KnownGroupCode",
            f"Actor{side}EthnicCode", f"Actor{side}Religion1Code", f"Actor{side}Religion2Code",
            f"Actor{side}Type1Code", f"Actor{side}Type2Code", f"Actor{side}Type3Code"]


def _geo(p: str, adm2: bool = True) -> list[str]:
    return [f"{p}_Type", f"{p}_FullName", f"{p}_CountryCode", f"{p}_ADM1Code"] + \
        ([f"{p}_ADM2Code"] if adm2 else []) + [f"{p}_Lat", f"{p}_Long", f"{p}_FeatureID"]


#: Codebook V2.0, in order (the codebook's GlobalEventID and Day are BigQuery's GLOBALEVENTID, SQLDATE).
CODEBOOK_V2 = ["GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate", *_actor("1"), *_actor("2"),
               "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
               "NumMentions", "NumSources", "NumArticles", "AvgTone", *_geo("Actor1Geo"), *_geo("Actor2Geo"),
               *_geo("ActionGeo"), "DATEADDED", "SOURCEURL"]
CODEBOOK_V1 = [c for c in CODEBOOK_V2 if not c.endswith("_ADM2Code")]
assert len(CODEBOOK_V2) == 61 and len(CODEBOOK_V1) == 58

QUAD = {"01": 1, "02": 1, "03": 1, "04": 1, "05": 1, "06": 2, "07": 2, "08": 2, "09": 3, "10": 3, "11": 3,
        "12": 3, "13": 3, "14": 4, "15": 4, "16": 4, "17": 4, "18": 4, "19": 4, "20": 4}

# (geo type, full name, FIPS country, ADM1, ADM2, lat, long, feature id)
ALEPPO = ("4", "حلب, Halab, Syria", "SY", "SY09", "193563", "36.2021", "37.1343", "-2210450")
ALEPPO_EN = ("4", "Aleppo, Halab, Syria", "SY", "SY09", "193563", "36.2021", "37.1343", "-2210450")
GOTEBORG = ("4", "Göteborg, Västra Götalands Län, Sweden", "SW", "SW28", "", "57.7072", "11.9668", "-2707839")
ST_ETIENNE = ("4", "Saint-Étienne, Rhône-Alpes, France", "FR", "FRB9", "", "45.4333", "4.4", "-1481565")
ILE_DE_FRANCE = ("5", "Île-de-France, France", "FR", "FRA8", "", "48.5", "2.5", "FRA8")
SYRIA = ("1", "Syria", "SY", "SY", "", "35", "38", "SY")
TEXAS = ("2", "Texas, United States", "US", "USTX", "", "31.106", "-97.6475", "TX")
HOUSTON = ("3", "Houston, Texas, United States", "US", "USTX", "TX201", "29.7633", "-95.3633", "1380948")
GAZA = ("4", "خان يونس, Gaza, Gaza Strip", "GZ", "GZ00", "", "31.3462", "34.3063", "-902290")
MOSUL = ("4", "Mosul, Ninawa, Iraq", "IZ", "IZ15", "", "36.335", "43.1189", "-2190824")
NO_PLACE = ("", "", "", "", "", "", "", "")
ODD_FIPS = ("4", "Somewhere, Nowhere, Atlantis", "QQ", "QQ01", "", "10.5", "-20.25", "-1")
OCEAN = ("1", "Atlantic Ocean", "ZH", "ZH", "", "0", "-30", "ZH")


def row(gid: int, day: str, code: str, actor1: tuple[str, str, str], actor2: tuple[str, str, str],
        place: tuple[str, ...], added: str, url: str, *, root: str = "1", mentions: int = 4, tone: str = "-2.5",
        goldstein: str = "-10.0", layout: list[str] = CODEBOOK_V2) -> str:
    """One event line. ``actor``: (code, name, CAMEO country); ``place``: the 8 ActionGeo fields."""
    v = dict.fromkeys(layout, "")
    y, m, d = int(day[:4]), int(day[4:6]), int(day[6:])
    v.update({"GLOBALEVENTID": str(gid), "SQLDATE": day, "MonthYear": day[:6], "Year": day[:4],
              "FractionDate": f"{y + (m * 30 + d) / 365:.4f}", "IsRootEvent": root, "EventCode": code,
              "EventBaseCode": code[:3], "EventRootCode": code[:2], "QuadClass": str(QUAD[code[:2]]),
              "GoldsteinScale": goldstein, "NumMentions": str(mentions), "NumSources": "1",
              "NumArticles": str(max(1, mentions // 2)), "AvgTone": tone, "DATEADDED": added, "SOURCEURL": url})
    for side, (acode, name, country) in (("1", actor1), ("2", actor2)):
        v[f"Actor{side}Code"], v[f"Actor{side}Name"], v[f"Actor{side}CountryCode"] = acode, name, country
        if len(acode) >= 6:
            v[f"Actor{side}Type1Code"] = acode[3:6]
        if acode and any(place):
            for k, val in zip(_geo(f"Actor{side}Geo"), place):
                if k in v:
                    v[k] = val
    for k, val in zip(_geo("ActionGeo"), place):
        if k in v:
            v[k] = val
    return "\t".join(v[c] for c in layout)


NONE = ("", "", "")
SYR_MIL = ("SYRMIL", "SYRIA", "SYR")
REB = ("REB", "REBEL", "")
IMG = ("IMGMUSISI", "ISLAMIC STATE", "")
SWE_COP = ("SWECOP", "POLICE", "SWE")
FRA_PTY = ("FRAOPP", "PROTESTER", "FRA")
USA_GOV = ("USAGOV", "UNITED STATES", "USA")
CVL = ("CVL", "CIVILIAN", "")
ISR_MIL = ("ISRMIL", "ISRAEL", "ISR")

FIRST = [
    row(1150000001, "20240430", "190", SYR_MIL, REB, ALEPPO, "20240501000000", "https://www.example.com/a/1.html"),
    row(1150000002, "20240430", "190", SYR_MIL, REB, ALEPPO_EN, "20240501000000", "https://news.example.org/a/2",
        root="0", mentions=2, tone="-5.123456789"),  # the same event, the name in English: one feature id
    row(1150000003, "20240430", "190", SYR_MIL, REB, ALEPPO, "20240501000000", "http://www.Example.COM/a/3"),
    row(1150000004, "20240501", "042", USA_GOV, ("SYRGOV", "SYRIA", "SYR"), SYRIA, "20240501000000",
        "https://apnews.example/4", goldstein="1.9", tone="1.25"),
    row(1150000005, "20240501", "145", FRA_PTY, ("FRACOP", "POLICE", "FRA"), ST_ETIENNE, "20240501000000",
        "https://www.lemonde.fr/societe/article/2024/05/01/manifestation.html", goldstein="-7.5"),
    row(1150000006, "20240501", "173", SWE_COP, CVL, GOTEBORG, "20240501000000",
        "https://www.svt.se/nyheter/lokalt/vast/gripen-i-goteborg", goldstein="-5.0"),
    row(1150000007, "20240429", "0874", ("UKRMIL", "UKRAINE", "UKR"), ("RUSMIL", "RUSSIA", "RUS"), NO_PLACE,
        "20240501000000", "https://kyiv.example/7", goldstein="10.0", tone="3"),
    row(1150000008, "20240501", "141", ("USAOPP", "PROTESTER", "USA"), NONE, HOUSTON, "20240501000000",
        "https://www.houstonchronicle.example/8", goldstein="-6.5"),
    row(1150000009, "20240501", "036", USA_GOV, NONE, TEXAS, "20240501000000", "https://texas.example/9",
        goldstein="4.0"),
    row(1150000010, "20240501", "193", IMG, CVL, GAZA, "20240501000000", "https://www.aljazeera.example/10"),
    row(1150000011, "20240501", "010", ("FRAGOV", "FRANCE", "FRA"), NONE, ILE_DE_FRANCE, "20240501000000",
        "https://france24.example/11", goldstein="0.0"),
    row(1150000012, "20240501", "020", NONE, NONE, ODD_FIPS, "20240501000000", "BBC Monitoring", goldstein="3.0"),
]
SECOND = [
    row(1150000013, "20240430", "190", SYR_MIL, REB, ALEPPO, "20240501001500", "https://late.example/13",
        root="0"),  # a fourth row of the Aleppo event, 15 minutes later
    row(1150000014, "20240501", "193", IMG, CVL, GAZA, "20240501001500", "https://gaza.example/14"),
    row(1150000015, "20240501", "193", IMG, CVL, MOSUL, "20240501001500", "https://mosul.example/15"),
    row(1150000016, "20240501", "190", ISR_MIL, NONE, OCEAN, "20240501001500", "https://sea.example/16"),
    row(1150000017, "20240430", "190", SYR_MIL, REB, ("4", "Idlib, Idlib, Syria", "SY", "SY10", "", "35.9306",
                                                       "36.6339", "-2211346"), "20240501001500",
        "https://idlib.example/17"),
]
V1 = [
    row(310000001, "20150217", "190", SYR_MIL, REB, ALEPPO, "20150217", "https://old.example/1",
        layout=CODEBOOK_V1),  # the ADM2 code is not written: the 1.0 layout has no such column
    row(310000002, "20150217", "043", USA_GOV, ("FRAGOV", "FRANCE", "FRA"),
        ("4", "Paris, Île-de-France, France", "FR", "FRA8", "", "48.8667", "2.3333", "-1456928"), "20150217",
        "https://old.example/2", layout=CODEBOOK_V1),
]

MENTIONS = "1150000001\t20240501000000\t20240501000000\t1\texample.com\thttps://www.example.com/a/1.html\t1\n"


def main() -> None:
    (HERE / "bad").mkdir(exist_ok=True)
    first = "\n".join(FIRST) + "\n"
    (HERE / "20240501000000.export.CSV").write_bytes(first.encode("utf-8"))
    with zipfile.ZipFile(HERE / "20240501001500.export.CSV.zip", "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("20240501001500.export.CSV", date_time=(2024, 5, 1, 0, 15, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, ("\n".join(SECOND) + "\n").encode("utf-8"))
    (HERE / "20240501001500.mentions.CSV").write_bytes(MENTIONS.encode("utf-8"))
    (HERE / "gdelt1_20150217.export.CSV").write_bytes(("\n".join(V1) + "\n").encode("utf-8"))
    short = FIRST[:2] + ["\t".join(FIRST[2].split("\t")[:40])] + FIRST[3:5]
    (HERE / "bad" / "short_line.export.CSV").write_bytes(("\n".join(short) + "\n").encode("utf-8"))
    bad_date = [FIRST[0], FIRST[3].replace("\t20240501\t", "\t20240231\t", 1), FIRST[4]]
    (HERE / "bad" / "bad_date.export.CSV").write_bytes(("\n".join(bad_date) + "\n").encode("utf-8"))


if __name__ == "__main__":
    main()
