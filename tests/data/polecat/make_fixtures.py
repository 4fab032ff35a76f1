"""Writes the POLECAT-format fixtures of this folder from invented events in the Dataverse files' layout.

POLECAT rows are licensed news extracts and are not copied here: every event is made up (real places,
plausible actors, invented ids, dates and titles), laid out as the "POLECAT Weekly Data" files are: a
header row of 40 tab-separated columns, no quoting, "None" for an empty cell, several values in one
cell separated by ";", ISO alpha-3 countries, GeoNames feature codes, PLOVER types in capitals and modes
in lower case. The files carry the real files' quirks: stray trailing tabs on some rows (and, in the
second file, on every line, header included), unescaped quotes, a later release's "Event Intensity".
Run: python tests/data/polecat/make_fixtures.py (deterministic: same bytes every run).

Files written:
  ngecEvents.20230103111842.Release603.DV.txt   8 events of one week
  ngecEvents.20230110120000.Release604.DV.txt   3 events, "Event Intensity", a tab ending every line
  ngecEventsDV-2022.txt.zip                     a yearly zip holding one monthly file, 2 events
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

HERE = Path(__file__).parent

HEADER = (
    "Event ID", "Event Date", "Event Type", "Event Mode", "Intensity", "Quad Code", "Contexts",
    "Actor Name", "Actor Country", "Actor COW", "Primary Actor Sector", "Actor Sectors", "Actor Title",
    "Actor Name Raw", "Wikipedia Actor ID",
    "Recipient Name", "Recipient Country", "Recipient COW", "Primary Recipient Sector", "Recipient Sectors",
    "Recipient Title", "Recipient Name Raw", "Wikipedia Recipient ID",
    "Placename", "City", "District", "Province", "Country", "Latitude", "Longitude", "GeoNames ID",
    "Raw Placename", "Feature Type", "Source", "Publication Date", "Story People", "Story Organizations",
    "Story Locations", "Language", "Version")


def event(**cells: str) -> dict[str, str]:
    """A row: every column "None" unless given (keyword names are the columns without spaces)."""
    row = {h: "None" for h in HEADER}
    for key, value in cells.items():
        name = next(h for h in HEADER if h.replace(" ", "") == key)
        row[name] = value
    return row


WEEK_603 = [
    (event(EventID="20230103-0001-a1", EventDate="2023-01-02", EventType="ASSAULT", EventMode="firearms",
           Intensity="-9.0", QuadCode="MATERIAL CONFLICT", Contexts="military;territory",
           ActorName="Russia;Wagner Group", ActorCountry="RUS;RUS", ActorCOW="365;365", PrimaryActorSector="MIL",
           ActorSectors="MIL;PMC", RecipientName="Ukraine",
           RecipientCountry="UKR", RecipientCOW="369", PrimaryRecipientSector="MIL", RecipientSectors="MIL",
           Placename="Bakhmut", City="Bakhmut", District="Bakhmut Raion", Province="Donetsk Oblast",
           Country="UKR", Latitude="48.59441", Longitude="38.00014", GeoNamesID="712451",
           RawPlacename="Bakhmut", FeatureType="PPLA2", Source="Kyiv Independent",
           PublicationDate="2023-01-03", StoryPeople="None", StoryOrganizations="Wagner Group",
           StoryLocations="Bakhmut;Donetsk", Language="en", Version="1.1"), 0),
    (event(EventID="20230103-0002-b7", EventDate="2023-01-02", EventType="PROTEST", EventMode="demo",
           Intensity="-5.0", QuadCode="MATERIAL CONFLICT", Contexts="economic",
           ActorName="Gilets jaunes", ActorCountry="FRA", ActorCOW="220", PrimaryActorSector="CVL",
           ActorTitle='"manifestants" de l\'Ouest', RecipientName="Gouvernement français", RecipientCountry="FRA",
           Placename="Saint-Étienne", City="Saint-Étienne", Province="Auvergne-Rhône-Alpes", Country="FRA",
           Latitude="45.43389", Longitude="4.39", GeoNamesID="2980291", FeatureType="PPLA3",
           Source="Le Monde", PublicationDate="2023-01-03", Language="fr", Version="1.1"), 2),
    (event(EventID="20230103-0003-c2", EventDate="2023-01-03", EventType="COERCE", EventMode="arrest",
           Intensity="-7.0", QuadCode="MATERIAL CONFLICT", Contexts="crime",
           ActorName="Polisen", ActorCountry="SWE", ActorCOW="380", PrimaryActorSector="COP",
           RecipientName="Åsa Öberg", RecipientCountry="SWE", RecipientTitle="aktivist",
           Placename="Malmö", City="Malmö", District="Malmö Kommun", Province="Skåne län", Country="SWE",
           Latitude="55.60587", Longitude="13.00073", GeoNamesID="2692969", FeatureType="PPLA",
           Source="Sydsvenskan", PublicationDate="2023-01-03", StoryPeople="Åsa Öberg", Language="sv",
           Version="1.1"), 1),
    (event(EventID="20230103-0004-d9", EventDate="2023-01-03", EventType="ASSAULT", EventMode="aerial",
           Intensity="-9.5", QuadCode="MATERIAL CONFLICT", Contexts="military",
           ActorName="القوات الجوية السورية", ActorCountry="SYR", ActorCOW="652", PrimaryActorSector="MIL",
           ActorNameRaw='قوات "النظام', RecipientName="Civilians", RecipientCountry="SYR",
           Placename="Idlib Governorate", Province="Idlib", Country="SYR", Latitude="35.83333",
           Longitude="36.5", GeoNamesID="169387", FeatureType="ADM1", Source="Enab Baladi",
           PublicationDate="2023-01-04", StoryLocations="إدلب", Language="ar", Version="1.1"), 0),
    (event(EventID="20230103-0005-e4", EventDate="2023-01-04", EventType="CONSULT", EventMode="visit",
           Intensity="4.0", QuadCode="VERBAL COOPERATION", Contexts="diplomatic",
           ActorName="Emmanuel Macron", ActorCountry="FRA", PrimaryActorSector="GOV", ActorTitle="Président",
           RecipientName="Ulf Kristersson", RecipientCountry="SWE", RecipientTitle="statsminister",
           Placename="Sweden", Country="SWE", Latitude="62.0", Longitude="15.0", GeoNamesID="2661886",
           FeatureType="PCLI", Source="AFP", PublicationDate="2023-01-04", Language="en", Version="1.1"), 0),
    (event(EventID="20230103-0006-f1", EventDate="2023-01-05", EventType="ASSAULT", EventMode="beat;primitive",
           Intensity="-8.0", QuadCode="MATERIAL CONFLICT", Contexts="None",
           ActorName="Unidentified gunmen", RecipientName="Villagers", RecipientCountry="NGA",
           Placename="None", City="Jos", Province="Plateau", Country="NGA", Latitude="9.92849",
           Longitude="8.89212", GeoNamesID="None", FeatureType="None", Source="Premium Times",
           PublicationDate="2023-01-06", Language="en", Version="1.1"), 1),
    (event(EventID="20230103-0007-g5", EventDate="2023-01-06", EventType="PROTEST", EventMode="None",
           Intensity="-5.0", QuadCode="MATERIAL CONFLICT", Contexts="None", ActorName="Students",
           RecipientName="None", Placename="None", Country="None", Latitude="None", Longitude="None",
           Source="None", Language="en", Version="1.1"), 0),
    (event(EventID="20230103-0008-h3", EventDate="2023-01-07", EventType="MOBILIZE", EventMode="troops",
           Intensity="-6.5", QuadCode="MATERIAL CONFLICT", Contexts="military",
           ActorName="Forces armées maliennes", ActorCountry="MLI", RecipientName="None",
           Placename="Aéroport de Tombouctou", District="Tombouctou", Province="Tombouctou", Country="MLI",
           Latitude="16.73049", Longitude="-3.00758", GeoNamesID="2449069", FeatureType="AIRP",
           Source="Jeune Afrique", PublicationDate="2023-01-08", Language="fr", Version="1.1"), 0),
]

WEEK_604 = [
    event(EventID="20230110-0001-k1", EventDate="2023-01-09", EventType="ASSAULT", EventMode="explosives",
          Intensity="-9.0", QuadCode="MATERIAL CONFLICT", Contexts="terrorism", ActorName="Al-Shabaab",
          ActorCountry="SOM", RecipientName="Civilians", RecipientCountry="SOM", Placename="Afgooye",
          City="None", District="Afgooye", Province="Shabeellaha Hoose", Country="SOM", Latitude="2.13981",
          Longitude="45.1212", GeoNamesID="64435", FeatureType="ADM2", Source="Garowe Online",
          PublicationDate="2023-01-10", Language="en", Version="1.2"),
    event(EventID="20230110-0002-k2", EventDate="2023-01-10", EventType="RETREAT", EventMode="ceasefire",
          Intensity="7.5", QuadCode="MATERIAL COOPERATION", Contexts="military;peacekeeping",
          ActorName="RSF;SAF", ActorCountry="SDN;SDN", RecipientName="None", Placename="الخرطوم",
          City="الخرطوم", Province="Khartoum", Country="SDN", Latitude="15.55177", Longitude="32.53241",
          GeoNamesID="379252", FeatureType="PPLC", Source="Sudan Tribune", PublicationDate="2023-01-11",
          Language="ar", Version="1.2"),
    event(EventID="20230110-0003-k3", EventDate="2023-01-10", EventType="ACCUSE", EventMode="allege",
          Intensity="-3.5", QuadCode="VERBAL CONFLICT", Contexts="human_rights",
          ActorName="Amnesty International", RecipientName="Police", RecipientCountry="FRA",
          Placename="Nanterre", City="Nanterre", Province="Île-de-France", Country="FRA", Latitude="48.89198",
          Longitude="2.20675", GeoNamesID="2990611", FeatureType="PPLA2", Source="Libération",
          PublicationDate="2023-01-11", Language="fr", Version="1.2"),
]

MONTH_2022 = [
    event(EventID="20221201-0001-z1", EventDate="2022-12-01", EventType="SANCTION", EventMode="discontinue",
          Intensity="-6.0", QuadCode="MATERIAL CONFLICT", Contexts="economic", ActorName="European Union",
          ActorCountry="None", RecipientName="Russia", RecipientCountry="RUS", Placename="Bruxelles",
          City="Bruxelles", Province="Brussels Capital", Country="BEL", Latitude="50.85045", Longitude="4.34878",
          GeoNamesID="2800866", FeatureType="PPLC", Source="Euractiv", PublicationDate="2022-12-02",
          Language="en", Version="1.0"),
    event(EventID="20221202-0002-z2", EventDate="2022-12-02", EventType="ASSAULT", EventMode="drone",
          Intensity="-9.5", QuadCode="MATERIAL CONFLICT", Contexts="military", ActorName="Russia",
          ActorCountry="RUS", RecipientName="Ukraine", RecipientCountry="UKR", Placename="Odesa",
          City="Odesa", Province="Odessa Oblast", Country="UKR", Latitude="46.48572", Longitude="30.74383",
          GeoNamesID="698740", FeatureType="PPLA", Source="Ukrinform", PublicationDate="2022-12-03",
          Language="en", Version="1.0"),
]


def lines(header: tuple[str, ...], rows: list[tuple[dict[str, str], int]], *, trailing_header: int = 0) -> bytes:
    """Tab-separated, unquoted, LF line ends; ``n`` stray tabs after a row's last field."""
    out = ["\t".join(header) + "\t" * trailing_header]
    for row, stray in rows:
        out.append("\t".join(row[h] for h in HEADER) + "\t" * stray)
    return ("\n".join(out) + "\n").encode("utf-8")


def main() -> None:
    (HERE / "ngecEvents.20230103111842.Release603.DV.txt").write_bytes(lines(HEADER, WEEK_603))
    later = tuple("Event Intensity" if h == "Intensity" else h for h in HEADER)
    (HERE / "ngecEvents.20230110120000.Release604.DV.txt").write_bytes(
        lines(later, [(r, 1) for r in WEEK_604], trailing_header=1))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("ngecEventsDV-2022-Dec.txt", date_time=(2023, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, lines(HEADER, [(r, 0) for r in MONTH_2022]))
    (HERE / "ngecEventsDV-2022.txt.zip").write_bytes(buf.getvalue())


if __name__ == "__main__":
    main()
