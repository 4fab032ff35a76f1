"""GDELT-shaped event files, fast: for the ingest and linking benchmarks at tens of millions of rows.

GDELT may be redistributed, but a benchmark needs sizes no test fixture holds, deterministic by seed.
The files look like GDELT 2.0's 15-minute exports: 61 headerless tab-separated columns, one file per
15-minute slot (``YYYYMMDDHHMMSS.export.CSV``, zipped or not), with GDELT's value shapes:

* CAMEO event codes with leading zeros ("042", "0874"), a Zipf-like spread over ~60 codes (verbal
  cooperation most frequent, material conflict less), QuadClass and Goldstein consistent with the code;
* actor codes built from CAMEO country and role codes ("SYRMIL", "USAGOV", "REB"), often empty;
* places of every ActionGeo_Type (world cities most, then US cities, countries, first-order divisions,
  about 8 % without a place), FIPS country codes, ADM1 codes, signed numeric feature ids for cities,
  textual ones for countries and divisions; names in Arabic, Swedish and French among the English;
* **repeated events**: one real event is told by ``repeat`` rows on average (geometric), all with the
  same day, code, actor codes and place (so the same ``event_group``), different ids, URLs, tone, and
  DATEADDED slots: copies spread over consecutive files as GDELT's later updates re-report an event.

Rows are generated in chunks of whole files with numpy and assembled into text by Arrow (one C++ join
over the 61 columns), so memory stays bounded by one chunk and speed by the disk and the zip compressor.

>>> paths = write_gdelt_files("bench/gdelt", 2_000_000, rows_per_file=250_000)  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: (CAMEO code, relative frequency, Goldstein score). Frequencies are roughly GDELT's order of magnitude:
#: statements, consultations and visits dominate; force and assault are a few percent.
CAMEO: tuple[tuple[str, float, float], ...] = (
    ("010", 60, 0.0), ("011", 4, -0.1), ("012", 6, -0.4), ("013", 6, 0.4), ("014", 2, 0.0),
    ("015", 2, 0.0), ("016", 1, 3.4), ("017", 1, 0.0), ("018", 1, 3.4), ("019", 2, 3.4),
    ("020", 10, 3.0), ("0211", 1, 3.4), ("0214", 1, 3.4), ("022", 2, 3.2), ("023", 2, 3.4),
    ("030", 6, 4.0), ("031", 2, 5.2), ("036", 12, 4.0), ("040", 40, 1.0), ("042", 25, 1.9),
    ("043", 25, 2.8), ("046", 15, 7.0), ("050", 6, 3.5), ("051", 10, 3.4), ("057", 3, 8.0),
    ("060", 3, 6.0), ("061", 2, 6.4), ("070", 2, 7.0), ("071", 2, 7.4), ("073", 1, 7.4),
    ("080", 2, 5.0), ("0874", 0.5, 10.0), ("090", 3, -2.0), ("100", 2, -5.0), ("110", 6, -2.0),
    ("111", 6, -2.0), ("112", 8, -2.0), ("120", 3, -4.0), ("125", 1, -5.0), ("130", 4, -4.4),
    ("138", 2, -7.0), ("140", 2, -6.5), ("141", 5, -6.5), ("145", 1, -7.5), ("160", 2, -4.0),
    ("170", 3, -5.0), ("172", 2, -5.0), ("173", 6, -5.0), ("180", 5, -9.0), ("181", 1, -9.0),
    ("182", 1, -9.5), ("183", 0.6, -10.0), ("186", 0.5, -10.0), ("190", 6, -10.0), ("193", 3, -10.0),
    ("194", 1.5, -10.0), ("195", 1, -10.0), ("200", 0.2, -10.0), ("202", 0.1, -10.0),
)

#: (FIPS code, CAMEO country, country name, centre lat, lon, spread in degrees, ADM1 names).
COUNTRIES: tuple[tuple[str, str, str, float, float, float, tuple[str, ...]], ...] = (
    ("US", "USA", "United States", 39.0, -96.0, 8.0, ("Texas", "California", "New York", "Ohio", "Florida")),
    ("SY", "SYR", "Syria", 35.0, 38.5, 1.6, ("Halab", "Idlib", "Dayr az Zawr", "Al Ḩasakah", "حمص")),
    ("IZ", "IRQ", "Iraq", 33.5, 43.8, 1.8, ("Ninawa", "Baghdad", "Al Anbar", "Diyala")),
    ("UP", "UKR", "Ukraine", 48.5, 33.5, 2.5, ("Donets'ka Oblast'", "Kharkivs'ka Oblast'", "Kyyiv")),
    ("RS", "RUS", "Russia", 55.7, 40.0, 5.0, ("Moskva", "Belgorodskaya Oblast'", "Kurskaya Oblast'")),
    ("UK", "GBR", "United Kingdom", 52.5, -1.5, 1.5, ("London, City of", "Manchester", "Kent")),
    ("FR", "FRA", "France", 46.5, 2.5, 2.0, ("Île-de-France", "Provence-Alpes-Côte d'Azur", "Bretagne")),
    ("SW", "SWE", "Sweden", 60.0, 16.0, 3.0, ("Stockholms Län", "Västra Götalands Län", "Skåne Län")),
    ("IS", "ISR", "Israel", 31.5, 34.9, 0.5, ("HaDarom", "Jerusalem", "Tel Aviv")),
    ("GZ", "PSE", "Gaza Strip", 31.4, 34.4, 0.1, ("غزة",)),
    ("NI", "NGA", "Nigeria", 10.5, 7.5, 2.5, ("Borno", "Zamfara", "Kaduna", "Lagos")),
    ("ML", "MLI", "Mali", 15.0, -3.0, 2.5, ("Mopti", "Gao", "Tombouctou")),
    ("SU", "SDN", "Sudan", 13.5, 29.0, 3.0, ("Khartoum", "North Darfur", "South Kordofan")),
    ("AF", "AFG", "Afghanistan", 34.5, 67.5, 2.5, ("Kabul", "Kandahar", "Nangarhar")),
    ("IN", "IND", "India", 22.0, 79.0, 5.0, ("Delhi", "Maharashtra", "Uttar Pradesh")),
    ("CH", "CHN", "China", 33.0, 110.0, 6.0, ("Beijing", "Guangdong", "Shanghai")),
    ("MX", "MEX", "Mexico", 20.5, -101.0, 3.0, ("Guanajuato", "Michoacán", "Guerrero")),
    ("YM", "YEM", "Yemen", 15.4, 45.0, 1.5, ("Taizz", "Ma'rib", "Al Ḩudaydah")),
)
COUNTRY_WEIGHTS = np.array([30, 5, 3, 6, 6, 5, 3, 1, 4, 2, 3, 1, 2, 2, 5, 5, 3, 2], dtype=float)

#: CAMEO role codes appended to a country code ("SYRMIL"), and actors without a country.
ROLES = ("", "GOV", "MIL", "COP", "REB", "OPP", "CVL", "BUS", "MED", "JUD", "LEG", "EDU", "REF", "SPY")
ROLE_NAMES = {"": "", "GOV": "GOVERNMENT", "MIL": "MILITARY", "COP": "POLICE", "REB": "REBEL",
              "OPP": "OPPOSITION", "CVL": "CIVILIAN", "BUS": "COMPANY", "MED": "JOURNALIST", "JUD": "JUDGE",
              "LEG": "PARLIAMENT", "EDU": "STUDENT", "REF": "REFUGEE", "SPY": "INTELLIGENCE"}
STATELESS = (("REB", "REBEL"), ("CVL", "CIVILIAN"), ("IGOUNO", "UNITED NATIONS"), ("MIL", "SOLDIER"),
             ("COP", "POLICE"), ("IMGMUSISI", "ISLAMIC STATE"), ("BUS", "COMPANY"), ("MED", "MEDIA"))

DOMAINS = ("reuters.com", "apnews.com", "bbc.co.uk", "aljazeera.com", "lemonde.fr", "svt.se", "dn.se",
           "france24.com", "timesofisrael.com", "kyivindependent.com", "premiumtimesng.com", "dawn.com",
           "thehindu.com", "scmp.com", "latimes.com", "nytimes.com", "local-news.example.com", "yahoo.com")

#: ActionGeo_Type frequencies: 0 none, 1 country, 2 US state, 3 US city, 4 world city, 5 world state.
GEO_TYPE_WEIGHTS = np.array([8, 14, 4, 16, 48, 10], dtype=float)

#: Names written as GDELT writes them ("City, State, Country"), with non-ASCII place names.
CITY_NAMES = ("Aleppo", "حلب", "Idlib", "Raqqa", "الرقة", "Mosul", "Kharkiv", "Kyiv", "Moskva", "Paris",
              "Saint-Étienne", "Besançon", "Göteborg", "Malmö", "Örebro", "Stockholm", "Gaza", "خان يونس",
              "Maiduguri", "Gao", "Tombouctou", "El Fasher", "Kabul", "Kandahar", "Mumbai", "Beijing",
              "Culiacán", "Houston", "Dallas", "Los Angeles", "Columbus", "Miami", "Springfield", "Aden")


def _places(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """A pool of ``n`` places of every geographic type, each with all eight ActionGeo_* fields."""
    w = COUNTRY_WEIGHTS / COUNTRY_WEIGHTS.sum()
    c = rng.choice(len(COUNTRIES), size=n, p=w)
    gt = rng.choice(6, size=n, p=GEO_TYPE_WEIGHTS / GEO_TYPE_WEIGHTS.sum())
    is_us = np.array([COUNTRIES[k][0] == "US" for k in c])
    gt = np.where(is_us & (gt == 4), 3, np.where(is_us & (gt == 5), 2, gt))
    gt = np.where(~is_us & (gt == 3), 4, np.where(~is_us & (gt == 2), 5, gt))
    out: dict[str, list[object]] = {k: [] for k in ("type", "name", "fips", "adm1", "adm2", "lat", "lon",
                                                    "feature", "cameo")}
    for i in range(n):
        fips, cameo, cname, clat, clon, spread, adm1s = COUNTRIES[c[i]]
        t = int(gt[i])
        a = int(rng.integers(len(adm1s)))
        lat = float(np.clip(clat + rng.normal(0, spread), -89.9, 89.9))
        lon = float(((clon + rng.normal(0, spread * 1.3)) + 180) % 360 - 180)
        city = f"{CITY_NAMES[int(rng.integers(len(CITY_NAMES)))]}"
        adm1_code = f"{fips}{a + 1:02d}" if fips != "US" else f"US{('TX', 'CA', 'NY', 'OH', 'FL')[a % 5]}"
        if t == 0:
            row = ("", "", "", "", "", "", "", "")
        elif t == 1:
            row = ("1", cname, fips, fips, "", f"{clat:.4f}", f"{clon:.4f}", fips)
        elif t in (2, 5):
            row = (str(t), f"{adm1s[a]}, {cname}", fips, adm1_code, "", f"{lat:.4f}", f"{lon:.4f}", adm1_code)
        else:
            feature = str(int(rng.integers(-3_000_000, 3_000_000)))
            adm2 = str(int(rng.integers(10_000, 99_999))) if fips != "US" else f"{adm1_code[2:]}{rng.integers(1, 200):03d}"
            row = (str(t), f"{city}, {adm1s[a]}, {cname}", fips, adm1_code, adm2, f"{lat:.4f}", f"{lon:.4f}",
                   feature)
        for k, v in zip(("type", "name", "fips", "adm1", "adm2", "lat", "lon", "feature"), row):
            out[k].append(v)
        out["cameo"].append(cameo)
    return {k: np.array(v, dtype=object) for k, v in out.items()}


def _actors(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """A pool of ``n`` actors: (code, name, country code, type code); index 0 is the empty actor."""
    codes, names, countries, types = [""], [""], [""], [""]
    for _ in range(n - 1):
        if rng.random() < 0.2:
            code, name = STATELESS[int(rng.integers(len(STATELESS)))]
            codes.append(code)
            names.append(name)
            countries.append("")
            types.append(code[:3] if code[:3] in ROLE_NAMES else "")
            continue
        _fips, cameo, cname, *_ = COUNTRIES[int(rng.integers(len(COUNTRIES)))]
        role = ROLES[int(rng.integers(len(ROLES)))]
        codes.append(cameo + role)
        names.append(cname.upper() if not role else f"{cname.upper()} {ROLE_NAMES[role]}" if rng.random() < 0.3
                     else ROLE_NAMES[role])
        countries.append(cameo)
        types.append(role)
    return {"code": np.array(codes, dtype=object), "name": np.array(names, dtype=object),
            "country": np.array(countries, dtype=object), "type": np.array(types, dtype=object)}


def _text(values: np.ndarray, idx: np.ndarray) -> pa.Array:
    """``values[idx]`` as an Arrow string array, taken in C++ (no Python object per row)."""
    return pc.take(pa.array(values, pa.string()), pa.array(idx))


def _num(x: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(x), pa.string())


class _Pools:
    def __init__(self, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.places = _places(rng, 4000)
        self.actors = _actors(rng, 1500)
        codes = [c for c, _, _ in CAMEO]
        self.codes = np.array(codes, dtype=object)
        self.base = np.array([c[:3] for c in codes], dtype=object)
        self.root = np.array([c[:2] for c in codes], dtype=object)
        root = np.array([int(c[:2]) for c in codes])
        self.quad = np.where(root <= 5, 1, np.where(root <= 8, 2, np.where(root <= 13, 3, 4))).astype(str)
        self.goldstein = np.array([f"{g:.1f}" for _, _, g in CAMEO], dtype=object)
        freq = np.array([f for _, f, _ in CAMEO])
        self.code_p = freq / freq.sum()
        zipf = 1.0 / np.arange(1, len(self.actors["code"]) + 1) ** 0.9
        zipf[0] = zipf[1] * 1.5  # the empty actor is the most frequent (unidentified gunmen, protesters)
        self.actor_p = zipf / zipf.sum()
        pz = 1.0 / np.arange(1, len(self.places["type"]) + 1) ** 0.8
        self.place_p = pz / pz.sum()
        self.domains = np.array(DOMAINS, dtype=object)


def _chunk(pools: _Pools, rng: np.random.Generator, rows: int, first_id: int, slots: np.ndarray,
           repeat: float, rows_per_file: int) -> pa.Array:
    """``rows`` GDELT lines (each ending in a newline) as one Arrow string array, in file-slot order."""
    events = max(1, int(rows / repeat))
    copies = rng.geometric(1.0 / repeat, size=events)
    ev = np.repeat(np.arange(events), copies)[:rows]
    if len(ev) < rows:  # geometric draws fell short: single-row events fill the chunk
        ev = np.concatenate([ev, np.arange(events, events + rows - len(ev))])
    n_ev = int(ev.max()) + 1
    # per event: day offset, code, actors, place; per row: the file slot (copies spread forwards)
    code = rng.choice(len(pools.codes), size=n_ev, p=pools.code_p)
    a1 = rng.choice(len(pools.actor_p), size=n_ev, p=pools.actor_p)
    a2 = rng.choice(len(pools.actor_p), size=n_ev, p=pools.actor_p)
    a2 = np.where(rng.random(n_ev) < 0.35, 0, a2)
    place = rng.choice(len(pools.place_p), size=n_ev, p=pools.place_p)
    back = np.where(rng.random(n_ev) < 0.12, rng.integers(1, 30, size=n_ev), 0)
    back = np.where(rng.random(n_ev) < 0.01, rng.integers(30, 400, size=n_ev), back)
    ev_slot = rng.integers(0, len(slots), size=n_ev)
    slot = np.minimum(ev_slot[ev] + rng.geometric(0.5, size=rows) - 1, len(slots) - 1)
    ev = ev[np.argsort(slot, kind="stable")]  # events' copies in later files
    slot = np.minimum(np.arange(rows) // rows_per_file, len(slots) - 1)  # the file each row lands in

    added = slots[slot]  # datetime64[s]
    day = (added.astype("datetime64[D]") - back[ev].astype("timedelta64[D]"))
    y = day.astype("datetime64[Y]").astype(int) + 1970
    m = day.astype("datetime64[M]").astype(int) % 12 + 1
    d = (day - day.astype("datetime64[M]")).astype(int) + 1
    sqldate = y * 10000 + m * 100 + d
    frac = np.round(y + (m * 30 + d) / 365.0, 4)
    ids = np.arange(first_id, first_id + rows, dtype=np.int64)
    added_text = pc.strftime(pa.array(added.astype("datetime64[s]")), format="%Y%m%d%H%M%S")

    P, A = pools.places, pools.actors
    c, p1, p2, pl = code[ev], a1[ev], a2[ev], place[ev]
    # actor places: most often the action's place, else another pool place
    g1 = np.where(rng.random(rows) < 0.6, pl, rng.choice(len(pools.place_p), size=rows, p=pools.place_p))
    g2 = np.where(p2 == 0, -1, np.where(rng.random(rows) < 0.5, pl, rng.choice(len(pools.place_p), size=rows,
                                                                                   p=pools.place_p)))
    empty = np.array([""], dtype=object)
    mentions = rng.geometric(0.3, size=rows)
    sources = np.minimum(mentions, rng.geometric(0.6, size=rows))
    tone = np.round(rng.normal(-2.0, 3.5, size=rows), 8)
    cols: list[pa.Array] = [
        _num(ids), _num(sqldate), _num(y * 100 + m), _num(y), _num(frac)]
    for a in (p1, p2):
        cols += [_text(A["code"], a), _text(A["name"], a), _text(A["country"], a), _text(empty, np.zeros(rows,
                 dtype=np.int64)), _text(empty, np.zeros(rows, dtype=np.int64)),
                 _text(empty, np.zeros(rows, dtype=np.int64)), _text(empty, np.zeros(rows, dtype=np.int64)),
                 _text(A["type"], a), _text(empty, np.zeros(rows, dtype=np.int64)),
                 _text(empty, np.zeros(rows, dtype=np.int64))]
    is_root = (rng.random(rows) < 0.55).astype(np.int8)
    cols += [_num(is_root), _text(pools.codes, c), _text(pools.base, c), _text(pools.root, c),
             _text(pools.quad.astype(object), c), _text(pools.goldstein, c), _num(mentions), _num(sources),
             _num(sources), _num(tone)]
    geo_keys = ("type", "name", "fips", "adm1", "adm2", "lat", "lon", "feature")
    blank = np.concatenate
    for g in (g1, g2, pl):
        for k in geo_keys:
            values = blank([P[k], empty])  # index -1: no place
            cols.append(_text(values, np.where(g < 0, len(P[k]), g)))
    dom = rng.integers(len(pools.domains), size=rows)
    url = pc.binary_join_element_wise("https://www.", _text(pools.domains, dom), "/news/", _num(ids),
                                      ".html\n", "")
    cols += [added_text, url]
    return pc.binary_join_element_wise(*cols, "\t")


def write_gdelt_files(folder: str | os.PathLike[str], rows: int, *, seed: int = 0, rows_per_file: int = 1500,
                      zipped: bool = True, start: str = "2024-05-01 00:00:00", repeat: float = 2.5,
                      chunk_rows: int = 500_000, compresslevel: int = 1) -> list[Path]:
    """Write ``rows`` GDELT 2.0 event rows as 15-minute files (``YYYYMMDDHHMMSS.export.CSV[.zip]``).

    ``rows_per_file`` rows go into each file (real 15-minute files hold 1,000-2,500; a benchmark at 50
    million rows uses larger files); ``repeat`` is the mean number of rows per real event. Rows are
    generated ``chunk_rows`` at a time (whole files per chunk, at least one file), so memory stays
    bounded at any size: about 1.6 GB at 1,000,000 rows per chunk, half that at the default. About 10
    million rows per CPU-minute plain; zipping (deflate level ``compresslevel``) costs as much again.
    Deterministic by ``seed``. Returns the files in name (time) order.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    pools = _Pools(seed)
    rng = np.random.default_rng(seed + 1)
    per_chunk = max(1, chunk_rows // rows_per_file)
    t0 = np.datetime64(start.replace(" ", "T"), "s")
    quarter = np.timedelta64(15 * 60, "s")
    paths: list[Path] = []
    done, file_no, first_id = 0, 0, 1_150_000_000
    while done < rows:
        files = min(per_chunk, -(-(rows - done) // rows_per_file))
        n = min(rows - done, files * rows_per_file)
        slots = t0 + quarter * np.arange(file_no, file_no + files)
        lines = _chunk(pools, rng, n, first_id, slots, repeat, rows_per_file)
        data = lines.buffers()[2]
        offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32, count=len(lines) + 1, offset=lines.offset * 4)
        view = memoryview(data)
        for k in range(files):
            lo, hi = k * rows_per_file, min(n, (k + 1) * rows_per_file)
            if lo >= hi:
                break
            stamp = str(slots[k].astype(object).strftime("%Y%m%d%H%M%S"))
            name = f"{stamp}.export.CSV"
            body = view[offsets[lo]:offsets[hi]]
            path = folder / (name + ".zip" if zipped else name)
            tmp = path.with_name(path.name + ".tmp")
            if zipped:
                info = zipfile.ZipInfo(name, date_time=tuple(int(stamp[i:i + w]) for i, w in  # type: ignore[arg-type]
                                                             ((0, 4), (4, 2), (6, 2), (8, 2), (10, 2), (12, 2))))
                info.compress_type = zipfile.ZIP_DEFLATED  # the slot's time, not now: same seed, same bytes
                with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as z:
                    z.writestr(info, bytes(body))
            else:
                with open(tmp, "wb") as fh:
                    fh.write(body)
            tmp.replace(path)
            paths.append(path)
        done += n
        file_no += files
        first_id += n
    return paths


def sqldate_of(day: dt.date) -> str:
    """A date as GDELT's SQLDATE text (YYYYMMDD)."""
    return day.strftime("%Y%m%d")
