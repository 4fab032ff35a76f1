"""Writes the ICEWS-format fixtures of this folder from invented events in the Dataverse files' layout.

ICEWS rows are Dataverse-licensed news extracts and are not copied here: every event is made up (real
places, plausible actors, invented ids, dates and sentences), laid out as the "ICEWS Coded Event Data"
files are: 20 tab-separated columns in the codebook's order, a header row, no quoting (Event Text may
hold unbalanced quotes), CAMEO codes with leading zeros, places as names of which the finest filled one
gives the point. Run: python tests/data/icews/make_fixtures.py (deterministic: same bytes every run).

Files written:
  events.2019.20200318085415.tab   8 events: city/district/province/country-only rows, a repeated Event ID,
                                   Arabic, Swedish and French names, an unbalanced quote
  events.2020.20210301000000.tab   3 events
  events.2018.20190101000000.tab.zip   a zipped year (older Dataverse files are zipped), 2 events
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

HERE = Path(__file__).parent

HEADER = ("Event ID", "Event Date", "Source Name", "Source Sectors", "Source Country", "Event Text", "CAMEO Code",
          "Intensity", "Target Name", "Target Sectors", "Target Country", "Story ID", "Sentence Number", "Publisher",
          "City", "District", "Province", "Country", "Latitude", "Longitude")

EVENTS_2019 = [
    ("23000101", "2019-01-03", "Police (Sweden)", "Police,Government", "Sweden",
     "Arrest, detain, or charge with legal action", "173", "-5.0", "Citizen (Sweden)",
     "General Population / Civilian / Social,Social", "Sweden", "48000001", "2", "Sydsvenskan",
     "Malmö", "Malmö Kommun", "Skåne län", "Sweden", "55.60587", "13.00073"),
    ("23000102", "2019-01-03", "Gilets jaunes «manifestants» (France)", "Protestors / Popular Opposition / Mobs,Dissident",
     "France", "Demonstrate or rally", "141", "-6.5", "Gouvernement (France)", "Government", "France", "48000002",
     "1", "Le Monde", "Saint-Étienne", "", "Auvergne-Rhône-Alpes", "France", "45.43389", "4.39"),
    ("23000103", "2019-01-04", "Militant (Syria)", "Rebel,Dissident", "Syria",
     "Use conventional military force", "190", "-10.0", "عائلة الحسن (Syria)", "", "Syria", "48000003", "4",
     "Al-Hayat", "Ḩalab", "Jabal Sim‘ān", "Muḩāfaz̧at Ḩalab", "Syria", "36.20124", "37.16117"),
    ("23000104", "2019-01-05", "Al-Shabaab", "Insurgents,Dissident", "Somalia",
     "Carry out suicide bombing", "1831", "-10.0", "Citizen (Somalia)", "", "Somalia", "48000004", "1",
     "Reuters", "", "Afgooye", "Shabeellaha Hoose", "Somalia", "2.13981", "45.12120"),
    ("23000105", "2019-01-05", "Emmanuel Macron", "Executive,Government", "France",
     "Make a visit", "042", "1.9", "Élus d'Île-de-France", "Government", "France", "48000005", "3",
     "Agence France-Presse", "", "", "Île-de-France", "France", "48.5", "2.5"),
    ("23000106", "2019-01-06", "Mahmoud Abbas", "Executive,Government", "Occupied Palestinian Territory",
     'Express intent to meet or negotiate: he said "we will not', "036", "4.0", "Israel", "", "Israel",
     "48000006", "1", "Al-Quds", "", "", "", "Occupied Palestinian Territory", "31.92157", "35.20329"),
    ("23000101", "2019-01-07", "Militia (Congo, The Democratic Republic of the)", "Rebel", "Congo, The Democratic Republic of the",
     "Abduct, hijack, or take hostage", "181", "-9.0", "", "", "", "48000007", "2", "Radio Okapi",
     "Beni", "", "Nord Kivu", "Congo, The Democratic Republic of the", "0.49113", "29.47306"),
    ("23000108", "2019-01-08", "Kommunfullmäktige (Sweden)", "", "Sweden",
     "Make optimistic comment", "012", "0.4", "Medborgare (Sweden)", "", "Sweden", "48000008", "1",
     "Göteborgs-Posten", "Göteborg", "Göteborgs Kommun", "Västra Götalands län", "Sweden", "57.70716", "11.96679"),
]

EVENTS_2020 = [
    ("24000201", "2020-02-11", "Rioter (France)", "Protestors / Popular Opposition / Mobs", "France",
     "Protest violently, riot", "145", "-7.5", "Police (France)", "Police,Government", "France", "49000001", "1",
     "Ouest-France", "Nantes", "", "Pays de la Loire", "France", "47.21725", "-1.55336"),
    ("24000202", "2020-02-12", "Armed Gang (Sudan)", "Unidentified Forces", "Sudan",
     "Use unconventional violence", "180", "-9.0", "نازحون (Sudan)", "Refugees / Displaced,Social", "Sudan",
     "49000002", "2", "Sudan Tribune", "Al Fāshir", "", "North Darfur", "Sudan", "13.62793", "25.34936"),
    ("24000203", "2020-02-13", "Sweden", "", "Sweden", "Host a visit", "043", "2.8", "France", "", "France",
     "49000003", "1", "Sveriges Radio", "Stockholm", "Stockholms Kommun", "Stockholms län", "Sweden", "59.33258",
     "18.0649"),
]

EVENTS_2018 = [
    ("22000301", "2018-12-30", "Military (Mali)", "Military,Government", "Mali", "Fight with small arms and light weapons",
     "193", "-10.0", "Jihadiste (Mali)", "Insurgents", "Mali", "47000001", "1", "Jeune Afrique",
     "Tombouctou", "", "Tombouctou", "Mali", "16.77348", "-3.00742"),
    ("22000302", "2018-12-31", "Citizen (Mali)", "", "Mali", "Demand", "100", "-5.0", "Government (Mali)",
     "Government", "Mali", "47000002", "1", "Jeune Afrique", "Bamako", "", "Bamako", "Mali", "12.65", "-8.0"),
]


def tab(rows: list[tuple[str, ...]]) -> bytes:
    """The Dataverse layout: header, tab-separated, no quoting, LF line ends, UTF-8."""
    out = io.StringIO(newline="")
    for row in [HEADER, *rows]:
        assert len(row) == len(HEADER), row
        out.write("\t".join(row) + "\n")
    return out.getvalue().encode("utf-8")


def main() -> None:
    (HERE / "events.2019.20200318085415.tab").write_bytes(tab(EVENTS_2019))
    (HERE / "events.2020.20210301000000.tab").write_bytes(tab(EVENTS_2020))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("events.2018.20190101000000.tab", date_time=(2019, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, tab(EVENTS_2018))
    (HERE / "events.2018.20190101000000.tab.zip").write_bytes(buf.getvalue())


if __name__ == "__main__":
    main()
