"""Calibrate each relation rule's confidence from its measured precision on the dev data.

    KG_SHARED_DIR=/work/shared python bench/calibrate_rules.py            # writes the file
    KG_SHARED_DIR=/work/shared python bench/calibrate_rules.py --dry-run  # prints only

Runs the pipeline, with every rule at its hand-set confidence (the YAML ``confidence`` is the
prior) and without the learned pair classifier, over JacRED dev and the seed article, and judges
each asserted fact the relation scorer judges (kg/evaluation/relations.py: a fact is right when
its triple is gold, wrong when both entities align to gold entities and it is not; facts it
cannot judge are left out). Then writes
kg/relations/rules/calibration.yaml:

    confidence = (right + K * prior) / (right + wrong + K)        K = 2

so a rule seen often gets its measured precision and a rule seen rarely stays near its prior. The
file keeps the counts each value rests on. ``inferred_factor`` (facts resting on an earlier
sentence's topic) is the precision of such facts over the precision of the others, smoothed the
same way and capped at 0.9 (an inference never gets the confidence of what the text says
outright); ``anaphor_factor`` stays the engine's prior (facts
do not record that an anaphor was resolved, so it cannot be measured from them). The seed article
counts as a dev document too.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "kg" / "relations" / "rules" / "calibration.yaml"
K = 2.0
INFERRED_CAP = 0.9


def judged_facts(datasets, limit=None):
    from kg.evaluation import gold as gold_data
    from kg.evaluation.relations import score_with_rules
    from kg.evaluation.run import run

    out, seen = [], {}
    for name in datasets:
        t0 = time.perf_counter()
        gold = gold_data.load(name, limit=limit)
        result = run(gold, "kg", learned=False)  # the rules' own facts: the pair classifier has its own measure
        score, judged = score_with_rules(result)
        out.extend(judged)
        for variant, prf in score.metrics.items():
            print(f"{name} {variant}: P {prf.precision:.3f} R {prf.recall:.3f} F1 {prf.f1:.3f} "
                  f"(hit {prf.tp}, false {prf.fp}, missed {prf.fn})")
        seen[name] = (len(gold.documents), round(time.perf_counter() - t0, 1))
    return out, seen


def smoothed(right: int, wrong: int, prior: float) -> float:
    return round((right + K * prior) / (right + wrong + K), 3)


def calibrate(judged, rules):
    counts = defaultdict(lambda: [0, 0])
    kinds = defaultdict(lambda: [0, 0])  # inferred / anaphoric / direct
    for _doc, fact, right in judged:
        counts[fact.rule][0 if right else 1] += 1
        kind = "inferred" if fact.inferred else "direct"
        kinds[kind][0 if right else 1] += 1
    table = {}
    for rule in rules:
        right, wrong = counts.get(rule.id, (0, 0))
        table[rule.id] = {"confidence": smoothed(right, wrong, rule.confidence), "right": right, "wrong": wrong,
                          "prior": rule.confidence}
    direct = kinds["direct"]
    p_direct = (direct[0] + 1) / (sum(direct) + 2)
    inf = kinds["inferred"]
    p_inf = (inf[0] + K * 0.8 * p_direct) / (sum(inf) + K)
    measured = round(p_inf / p_direct, 3)
    # an inference from an earlier sentence never gets the confidence of what the text says outright
    factor = min(INFERRED_CAP, measured)
    return table, factor, measured, {k: {"right": v[0], "wrong": v[1]} for k, v in sorted(kinds.items())}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dry-run", action="store_true", help="print the table, do not write the file")
    ap.add_argument("--limit", type=int, default=None, help="only the first N documents of each set (for a quick look)")
    args = ap.parse_args(argv)

    import kg.relations.rules as rules_mod

    rules_mod.USE_CALIBRATION = False
    rules_mod.load_rules.cache_clear()
    ruleset = rules_mod.load_rules()
    judged, seen = judged_facts(("jacred", "seed"), args.limit)
    table, inferred_factor, inferred_measured, kinds = calibrate(judged, ruleset.rules)

    print(f"{'rule':32} {'right':>6} {'wrong':>6} {'prior':>6} {'calibrated':>10}")
    for rid, e in sorted(table.items(), key=lambda kv: -(kv[1]["right"] + kv[1]["wrong"])):
        print(f"{rid:32} {e['right']:6d} {e['wrong']:6d} {e['prior']:6.2f} {e['confidence']:10.3f}")
    print(f"facts by kind: {kinds}; inferred precision ratio {inferred_measured}, factor {inferred_factor}")
    if args.dry_run:
        return 0
    data = {
        "calibration": {
            "measured_on": {name: {"documents": n, "seconds": sec} for name, (n, sec) in seen.items()},
            "method": f"confidence = (right + {K:g} * prior) / (right + wrong + {K:g}); prior = the rule's YAML confidence",
            "inferred_factor": inferred_factor,
            "inferred_precision_ratio": inferred_measured,  # measured; the factor is capped at INFERRED_CAP
            "anaphor_factor": ruleset.anaphor_factor,  # a prior: facts do not record anaphora, so it is not measured
            "facts_by_kind": kinds,
            "rules": {rid: table[rid] for rid in sorted(table)},
        }
    }
    text = ("# Written by bench/calibrate_rules.py from measured precision on the dev data; do not edit by hand.\n"
            + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120))
    from kg.store_io import atomic_write_text

    atomic_write_text(OUT, text)
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
