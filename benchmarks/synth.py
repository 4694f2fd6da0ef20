"""Write a realistic synthetic data directory, deterministic from a seed.

    python benchmarks/synth.py --events 10000 --bases 100 --years 5 --out /tmp/big

The result validates (`briefing validate DIR`) and builds (`briefing build --data DIR`):
both languages with Arabic text of typical length, several sources per event, relays,
conflicting claims and every date precision. The taxonomy is copied from data/.
"""

from __future__ import annotations

import argparse
import random
import shutil
from datetime import date, timedelta
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
ARABIC_WORDS = (
    "رتل تعزيزات وصل إلى القاعدة محملًا بمعدات لوجستية وذخائر وصهاريج وقود بحسب مصادر ميدانية "
    "وأفادت التقارير بتحليق طائرات مسيّرة فوق المنطقة خلال ساعات النهار مع تشديد الإجراءات الأمنية"
).split()
ENGLISH_WORDS = (
    "a convoy reached the base carrying logistics equipment ammunition and fuel tankers according to "
    "local sources while drones flew over the area during the day and security measures were tightened"
).split()
PRECISIONS = ("day", "day", "day", "month", "approximate", "before")


def sentence(rng: random.Random, words: tuple[str, ...] | list[str], n: int) -> str:
    return " ".join(rng.choice(words) for _ in range(n)).capitalize() + "."


def dump(path: Path, schema: str, record: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = yaml.safe_dump(record, allow_unicode=True, sort_keys=False, width=100)
    path.write_text(f"# yaml-language-server: $schema={schema}\n{body}", encoding="utf-8")


def synthesize(out: Path, events: int, bases: int, years: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    taxonomy = yaml.safe_load((ROOT / "data" / "taxonomy.yaml").read_text(encoding="utf-8"))
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copy(ROOT / "data" / "taxonomy.yaml", out / "taxonomy.yaml")
    types = [t["id"] for t in taxonomy["event_types"] if not t.get("sets_status")]
    actors = [a["id"] for a in taxonomy["actors"]]
    governorates = [g for g in taxonomy["governorates"]]
    quantities = [q["id"] for q in taxonomy["quantities"]]
    start = date(2026, 6, 30) - timedelta(days=365 * years)

    source_ids = []
    for i in range(max(10, events // 4)):
        sid = f"source-{i:05d}"
        published = start + timedelta(days=rng.randrange(365 * years + 30))
        record = {
            "id": sid,
            "publisher": {"en": f"Outlet {i % 40}", "ar": f"منفذ إخباري {i % 40}"},
            "title": sentence(rng, ARABIC_WORDS, 8),
            "url": f"https://example.org/{sid}",
            "published": published.isoformat(),
            "published_precision": "day",
            "language": "ar",
        }
        if source_ids and rng.random() < 0.2:
            record["via"] = rng.choice(source_ids)[0]
        dump(out / "sources" / f"{sid}.yaml", "../../generator/schemas/source.schema.json", record)
        source_ids.append((sid, published))

    base_ids = []
    for i in range(bases):
        governorate = rng.choice(governorates)
        bid = f"base-{i:03d}"
        record = {
            "id": bid,
            "name": {"en": f"Base {i}", "ar": f"القاعدة {i}"},
            "kind": "base",
            "governorate": governorate["id"],
            "location": {
                "lat": round(governorate["capital"]["lat"] + rng.uniform(-0.3, 0.3), 2),
                "lon": round(governorate["capital"]["lon"] + rng.uniform(-0.3, 0.3), 2),
                "precision": "approximate",
            },
            "description": {
                "en": sentence(rng, ENGLISH_WORDS, 25),
                "ar": sentence(rng, ARABIC_WORDS, 25),
            },
            "operators": [actors[0]],
            "sources": [source_ids[0][0]],
        }
        dump(out / "bases" / f"{bid}.yaml", "../../generator/schemas/base.schema.json", record)
        base_ids.append(bid)

    for i in range(events):
        day = start + timedelta(days=rng.randrange(365 * years))
        precision = rng.choice(PRECISIONS)
        value = day.strftime("%Y-%m") if precision == "month" else day.isoformat()
        eid = f"{day.strftime('%Y-%m') + '-01' if precision == 'month' else day.isoformat()}-event-{i:05d}"
        later = [s for s, published in source_ids if published >= day] or [source_ids[-1][0]]
        cited = sorted(set(rng.sample(later, min(len(later), rng.randint(1, 3)))))
        record = {
            "id": eid,
            "date": value,
            "date_precision": precision,
            "bases": [rng.choice(base_ids)],
            "type": rng.choice(types),
            "actors": [actors[0]],
            "summary": {
                "en": sentence(rng, ENGLISH_WORDS, 30),
                "ar": sentence(rng, ARABIC_WORDS, 30),
            },
            "sources": cited,
            "confidence": rng.choice(["low", "medium", "high"]),
        }
        if rng.random() < 0.3:
            quantity = rng.choice(quantities)
            record["figures"] = [
                {
                    "quantity": quantity,
                    "value": rng.randint(3, 120),
                    "qualifier": rng.choice(["exact", "about"]),
                    "source": s,
                }
                for s in cited
            ]
        dump(
            out / "events" / eid[:4] / f"{eid}.yaml",
            "../../../generator/schemas/event.schema.json",
            record,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--bases", type=int, default=20)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    synthesize(args.out, args.events, args.bases, args.years, args.seed)


if __name__ == "__main__":
    main()
