"""Generate a claim file of N lines for benchmarks: a realistic mix drawn from what the graph holds.

    python benchmarks/generate_claims.py 100000 claims-100k.csv            # CSV
    python benchmarks/generate_claims.py 100000 claims-100k.jsonl          # JSON Lines

Codes, modifiers, places of service, payer names and mapped ICD-10-CM categories come from the
graph's own lookup tables (the named queries the checks compile), so every rule fires somewhere: a
few lines carry an unknown code, modifier or payer, a GA+GY pair, too many units or an unreadable
units value. The same seed gives the same file.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import cptkg
from cptkg.claims import COLUMNS, OPTIONAL_COLUMNS


def vocabulary(kg: cptkg.KnowledgeGraph) -> dict[str, list[str]]:
    """The values lines are drawn from, read from the graph."""
    rows = kg.query("claim-vocabulary").records()
    pick = lambda kind: sorted({r["notation"] for r in rows if r["kind"] == kind})
    diagnoses = sorted({r["icd10cm"].split(":", 1)[1] for r in kg.query("icd10cm-indications").records()})
    # a billable-looking subcode under each mapped category, as claims carry (".9" is an unspecified site)
    diagnoses += [f"{code}.9" for code in diagnoses if "." not in code]
    return {
        "codes": [c for c in pick("billing code") if c in kg.codes] or pick("billing code"),
        "other_codes": pick("billing code"),
        "modifiers": pick("modifier"),
        "places": pick("place of service"),
        "payers": sorted({r["name"] for r in kg.query("payer-names").records()}),
        "diagnoses": diagnoses,
    }


def lines(count: int, seed: int = 7):
    """``count`` line dicts."""
    kg = cptkg.load()
    v = vocabulary(kg)
    rng = random.Random(seed)
    for number in range(count):
        roll = rng.random()
        modifiers = []
        if roll < 0.10:
            modifiers = [rng.choice(v["modifiers"])]
        elif roll < 0.12:
            modifiers = ["GA", "GY"]
        diagnoses = [rng.choice(v["diagnoses"])] if rng.random() < 0.9 else ["Z00.00"]
        units: object = 1 if rng.random() < 0.97 else 2
        if rng.random() < 0.001:
            units = "two"
        yield {
            "claim_id": f"CLM{number:08d}",
            "cpt_code": rng.choice(v["codes"]) if rng.random() < 0.95 else rng.choice(v["other_codes"] + ["99999"]),
            "modifiers": ";".join(modifiers),
            "icd10cm": ";".join(diagnoses),
            "payer": rng.choice(v["payers"]) if rng.random() < 0.98 else "Acme Health",
            "place_of_service": rng.choice(v["places"]) if rng.random() < 0.99 else "85",
            "units": units,
            "variant": "",
            "date_of_service": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        }


def frames(count: int, batch: int = 100_000, seed: int = 7, kg: cptkg.KnowledgeGraph | None = None):
    """``count`` lines drawn as :func:`lines` draws them (the same mix, not the same lines), as polars
    DataFrames of ``batch`` rows of text: a stream of any length with no file behind it."""
    import numpy as np
    import polars as pl

    v = vocabulary(kg or cptkg.load())
    rng = np.random.default_rng(seed)

    def pick(values: list[str], size: int) -> np.ndarray:
        return np.asarray(values, dtype=object)[rng.integers(0, len(values), size)]

    for start in range(0, count, batch):
        size = min(batch, count - start)
        roll = rng.random(size)
        modifiers = np.where(roll < 0.10, pick(v["modifiers"], size), np.where(roll < 0.12, "GA;GY", ""))
        units = np.where(rng.random(size) < 0.97, "1", "2")
        units = np.where(rng.random(size) < 0.001, "two", units)
        frame = pl.DataFrame({
            "n": np.arange(start, start + size),
            "cpt_code": np.where(rng.random(size) < 0.95, pick(v["codes"], size), pick(v["other_codes"] + ["99999"], size)),
            "modifiers": modifiers,
            "icd10cm": np.where(rng.random(size) < 0.9, pick(v["diagnoses"], size), "Z00.00"),
            "payer": np.where(rng.random(size) < 0.98, pick(v["payers"], size), "Acme Health"),
            "place_of_service": np.where(rng.random(size) < 0.99, pick(v["places"], size), "85"),
            "units": units,
            "month": rng.integers(1, 13, size),
            "day": rng.integers(1, 29, size),
        })  # fmt: skip
        yield frame.select(
            pl.concat_str([pl.lit("CLM"), pl.col("n").cast(pl.String).str.zfill(9)]).alias("claim_id"),
            *(pl.col(c).cast(pl.String) for c in ("cpt_code", "modifiers", "icd10cm", "payer", "place_of_service", "units")),
            pl.lit("").alias("variant"),
            pl.date(2025, pl.col("month"), pl.col("day")).dt.strftime("%Y-%m-%d").alias("date_of_service"),
        )


def write(count: int, path: Path, seed: int = 7) -> Path:
    """Write ``count`` lines to ``path`` as CSV, or JSON Lines for a ``.jsonl`` / ``.ndjson`` name."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        if path.suffix in (".jsonl", ".ndjson"):
            for line in lines(count, seed):
                handle.write(json.dumps(line) + "\n")
        else:
            writer = csv.DictWriter(handle, fieldnames=[*COLUMNS, *OPTIONAL_COLUMNS], lineterminator="\n")
            writer.writeheader()
            writer.writerows(lines(count, seed))
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="how many lines")
    parser.add_argument("output", type=Path, help="the file to write (.csv, or .jsonl for JSON Lines)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    write(args.count, args.output, args.seed)
    print(f"wrote {args.count} lines to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
