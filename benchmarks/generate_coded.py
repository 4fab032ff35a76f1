"""Generate N synthetic coded files at realistic shape (default 100,000 incidents across 10,000 files).

Each file looks like a real coding of one report: a source block, several incidents with ACLED
vocabulary, actors from the codebook's actor list, Arabic and Swedish text in notes and quotes, evidence
quotes, fatality ranges, and places that are either coded by hand or left to the geocoder.

    python benchmarks/generate_coded.py --incidents 100000 --files 10000 --out benchmarks/out/coded
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
from pathlib import Path

from incidentkit.codebook import ACTORS, vocab

PLACES = [  # (name as a report writes it, country, admin1, lat, lon)
    ("al-Hasakah", "SY", "al-Hasakah", 36.5067, 40.7428), ("Qamishli", "SY", "al-Hasakah", 37.0522, 41.2231),
    ("Raqqa", "SY", "Raqqa", 35.9506, 39.0094), ("Deir ez-Zor", "SY", "Deir ez-Zor", 35.3359, 40.1408),
    ("Aleppo", "SY", "Aleppo", 36.2021, 37.1343), ("Idlib", "SY", "Idlib", 35.9306, 36.6339),
    ("Homs", "SY", "Homs", 34.7324, 36.7137), ("Palmyra", "SY", "Homs", 34.5601, 38.2809),
    ("Baghdad", "IQ", "Baghdad", 33.3152, 44.3661), ("Mosul", "IQ", "Nineveh", 36.3350, 43.1189),
    ("Kirkuk", "IQ", "Kirkuk", 35.4681, 44.3922), ("Baqubah", "IQ", "Diyala", 33.7466, 44.6437),
    ("Tikrit", "IQ", "Salah al-Din", 34.6071, 43.6782), ("Ramadi", "IQ", "Anbar", 33.4258, 43.2993),
    ("Sinjar", "IQ", "Nineveh", 36.3209, 41.8766), ("Fallujah", "IQ", "Anbar", 33.3494, 43.7868),
]
NOTES_SV = ("Striderna har pågått sedan i torsdags kväll, då en bilbomb detonerade vid fängelset. "
            "Enligt uppgifter från Syriska människorättsobservatoriet har minst {n} personer dödats.")
NOTES_AR = "قتل {n} عناصر في هجوم على حاجز عسكري في ريف {place}، بحسب المرصد السوري لحقوق الإنسان."
ACTOR_NAMES = [a.name for a in ACTORS]
ACTOR_TYPES = {a.name: a.inter for a in ACTORS}


def _incident(rng: random.Random, src_id: str, k: int, published: dt.date) -> dict:
    sub = rng.choice(list(vocab.SUB_EVENT_TYPES))
    event = vocab.SUB_EVENT_TYPES[sub]
    place = rng.choice(PLACES)
    start = published - dt.timedelta(days=rng.randint(0, 6))
    end = min(published, start + dt.timedelta(days=rng.choice([0, 0, 0, 1, 2])))
    low = rng.choice([0, 0, 1, 2, 3, 5, 10, 23])
    best = low + rng.choice([0, 0, 1, 3])
    actor1, actor2 = rng.sample(ACTOR_NAMES, 2)
    inc = {
        "id": f"{src_id}-{k:02d}",
        "date_start": start.isoformat(),
        "date_end": end.isoformat(),
        "time_precision": rng.choice([1, 1, 1, 2, 3]),
        "event_type": event,
        "sub_event_type": sub,
        "actor1": actor1,
        "inter1": ACTOR_TYPES[actor1],
        "assoc_actor_1": rng.sample(ACTOR_NAMES, rng.choice([0, 0, 1])),
        "actor2": actor2,
        "inter2": ACTOR_TYPES[actor2],
        "assoc_actor_2": [],
        "civilian_targeting": vocab.civilian_targeting_allowed(event, sub) and rng.random() < 0.3,
        "country": place[1],
        "admin1": place[2],
        "location": place[0],
        "fatalities": {"low": low, "best": best, "high": best + rng.choice([0, 2, 5])},
        "notes": (NOTES_SV if rng.random() < 0.5 else NOTES_AR).format(n=best, place=place[0]),
        "evidence": [{"field": "fatalities", "quote": f"minst {low} personer dödats"},
                     {"field": "location", "quote": f"i {place[0]}"}],
    }
    if rng.random() < 0.5:
        inc.update(latitude=round(place[3] + rng.uniform(-0.05, 0.05), 5),
                   longitude=round(place[4] + rng.uniform(-0.05, 0.05), 5), geo_precision=rng.choice([1, 2]))
    return inc


def write_files(out: Path, incidents: int = 100_000, files: int = 10_000, seed: int = 1) -> list[Path]:
    """Write the synthetic coded folder; returns the files. Deterministic for a seed."""
    import yaml

    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    per_file, extra = divmod(incidents, files)
    paths = []
    for i in range(files):
        src_id = f"synth-{i:06d}"
        published = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randint(7, 3000))
        doc = {
            "source": {"id": src_id, "outlet": rng.choice(["SVT", "AFP", "Rudaw", "Enab Baladi"]),
                       "title": f"Rapport {i}: striderna fortsätter", "published": published.isoformat(),
                       "language": rng.choice(["sv", "ar", "en"]), "originators": ["SOHR", "AFP"]},
            "coder": rng.choice(["ab", "cd", "ef"]),
            "coded_on": "2026-11-25",
            "incidents": [_incident(rng, src_id, k, published) for k in range(per_file + (i < extra))],
        }
        path = out / f"{src_id}.yaml"
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--incidents", type=int, default=100_000)
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/coded"))
    args = ap.parse_args()
    paths = write_files(args.out, args.incidents, args.files, args.seed)
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {args.incidents} incidents in {len(paths)} files ({size / 1e6:.1f} MB) to {args.out}")


if __name__ == "__main__":
    main()
