"""Train the pair classifier of the relations stage (kg/relations/learned.py) on JacRED dev.

    KG_SHARED_DIR=/work/shared .venv/bin/python scripts/train_relations.py     # writes into ontologies/

1. Runs the pipeline (rules only) over JacRED dev, parses from the parse cache, and labels every
   candidate pair of mentions from the gold triples (kg/evaluation/learned.py).
2. Document-level 5-fold cross-validation: each fold predicted by a model trained on the others.
   The probability threshold is the lowest of ``THRESHOLDS`` (kg/evaluation/learned.py) at which
   the rules' facts plus the classifier's keep a cross-validated precision of at least
   ``MIN_PRECISION`` (0.76) on all in-scope gold facts and on the same-sentence ones (the lowest
   with the most recall); a learned fact's confidence is the classifier's
   cross-validated precision at that threshold (per relation, smoothed towards the overall one).
3. The shipped model is trained on all of dev: ontologies/relation-pairs.model, with its
   threshold and confidences in ontologies/relation-pairs.json.

Reproducible: documents go to folds by position, L-BFGS with fixed settings is deterministic.
bench/relations_learned_cv.py prints the cross-validated figures again without training.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold", type=Path, default=None, help="JacRED dev.json [default: $KG_SHARED_DIR/eval/jacred/dev.json]")
    ap.add_argument("-o", "--output", type=Path, default=ROOT / "ontologies", help="folder for the model files")
    args = ap.parse_args(argv)

    from kg.evaluation import gold as gold_data
    from kg.evaluation import learned as pairs
    from kg.relations.learned import MODEL_FILE, SETTINGS_FILE

    t0 = time.perf_counter()
    run, items = pairs.collect(gold_data.load("jacred", args.gold))
    positives = sum(it.label != pairs.NONE for it in items)
    print(f"{len(items)} candidate pairs ({positives} related in the gold data) from {len(run.extractions)} documents "
          f"in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    probs = pairs.cross_validate(run, items)
    rules = pairs.score(run, {})[0].metrics

    def show(t, score):
        m = score.metrics
        print(f"threshold {t:.2f}: all P {m['all'].precision:.3f} R {m['all'].recall:.3f}, "
              f"same-sentence P {m['same-sentence'].precision:.3f} R {m['same-sentence'].recall:.3f}", file=sys.stderr)

    chosen = pairs.choose_threshold(run, items, probs, show)
    if chosen is None:
        print("no threshold keeps the precision; nothing written", file=sys.stderr)
        return 1
    threshold, score, judged = chosen
    right, wrong = pairs.learned_precision(judged)
    n_right, n_all = sum(right.values()), sum(right.values()) + sum(wrong.values())
    overall = n_right / n_all if n_all else 0.5
    confidence = {rel: round((right[rel] + 2 * overall) / (right[rel] + wrong[rel] + 2), 3) for rel in sorted(set(right) | set(wrong))}

    args.output.mkdir(parents=True, exist_ok=True)
    pairs.train(items, args.output / MODEL_FILE)
    m = score.metrics
    settings = {
        "comment": "Written by scripts/train_relations.py; do not edit by hand.",
        "threshold": threshold,
        "default_confidence": round(overall, 3),
        "confidence": confidence,
        "cross_validation": {
            "folds": pairs.FOLDS,
            "documents": len(run.extractions),
            "candidate_pairs": len(items),
            "learned_facts": {"right": n_right, "wrong": n_all - n_right},
            "rules": {k: _prf(v) for k, v in rules.items()},
            "rules_and_learned": {k: _prf(v) for k, v in m.items()},
        },
        "training": pairs.SETTINGS,
    }
    (args.output / SETTINGS_FILE).write_text(json.dumps(settings, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"threshold {threshold}: learned facts {n_right}/{n_all} right; all P {m['all'].precision:.3f} R {m['all'].recall:.3f}, "
          f"same-sentence P {m['same-sentence'].precision:.3f} R {m['same-sentence'].recall:.3f} (rules alone: all P "
          f"{rules['all'].precision:.3f} R {rules['all'].recall:.3f})", file=sys.stderr)
    print(f"wrote {args.output / MODEL_FILE} and {args.output / SETTINGS_FILE}", file=sys.stderr)
    return 0


def _prf(prf) -> dict:
    return {"precision": round(prf.precision, 4), "recall": round(prf.recall, 4), "tp": prf.tp, "fp": prf.fp, "fn": prf.fn}


if __name__ == "__main__":
    sys.exit(main())
