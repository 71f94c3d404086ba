"""Train the pair classifiers of the relations stage on JacRED dev: the sentence classifier
(kg/relations/learned.py) and the document classifier (kg/relations/docpairs.py).

    KG_SHARED_DIR=/work/shared .venv/bin/python scripts/train_relations.py     # writes into ontologies/

1. Runs the pipeline (rules only) over JacRED dev, parses from the parse cache, and labels every
   candidate pair of mentions from the gold triples (kg/evaluation/learned.py).
2. Document-level 5-fold cross-validation: each fold predicted by a model trained on the others.
   The probability threshold is the lowest of ``THRESHOLDS`` (kg/evaluation/learned.py) at which
   the rules' facts plus the classifier's keep a cross-validated precision of at least
   ``MIN_PRECISION`` (0.75) on all in-scope gold facts and on the same-sentence ones (the lowest
   with the most recall), a relation's own threshold held higher where the classifier's facts of
   that relation are right less than half the time (``relation_floors``); a learned fact's
   confidence is the classifier's cross-validated precision at that threshold (per relation,
   smoothed towards the overall one). This is done for each L2 weight of ``C2``, and the one
   whose cross-validated facts find the most gold facts is kept (``choose_c2``).
3. The shipped model is trained on all of dev with that weight: ontologies/relation-pairs.model,
   with its thresholds and confidences in ontologies/relation-pairs.json.
4. The same for the document classifier, whose facts come beside the rules' and the sentence
   classifier's (its out-of-fold facts at the threshold of 2): the lowest threshold at which the
   whole keeps ``DOC_MIN_PRECISION`` (0.72); ontologies/relation-docpairs.model and .json.

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
    from kg.relations import docpairs, learned

    t0 = time.perf_counter()
    run, items, doc_items = pairs.collect(gold_data.load("jacred", args.gold))
    for name, its in (("sentence", items), ("document", doc_items)):
        print(f"{name} classifier: {len(its)} candidate pairs ({sum(it.label != pairs.NONE for it in its)} related in the gold data)",
              file=sys.stderr)
    print(f"from {len(run.extractions)} documents in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    rules = pairs.score(run, {})[0].metrics

    # the sentence classifier beside the rules, then the document classifier beside both
    c2, probs, chosen = pairs.choose_c2(run, items)
    if chosen is None:
        print("no threshold keeps the precision; nothing written", file=sys.stderr)
        return 1
    _write(args.output, learned.MODEL_FILE, learned.SETTINGS_FILE, learned.RULE_ID, run, items, c2, chosen, rules, pairs.MIN_PRECISION)
    base = pairs.learned_facts(run, items, probs, chosen[0])
    print("document classifier, beside the rules and the sentence classifier:", file=sys.stderr)
    doc_c2, _doc_probs, doc_chosen = pairs.choose_c2(run, doc_items, base, pairs.DOC_MIN_PRECISION)
    if doc_chosen is None:
        print("no threshold keeps the precision; document classifier not written", file=sys.stderr)
        return 1
    _write(args.output, docpairs.MODEL_FILE, docpairs.SETTINGS_FILE, docpairs.RULE_ID, run, doc_items, doc_c2, doc_chosen, rules,
           pairs.DOC_MIN_PRECISION)
    return 0


def _write(folder: Path, model_file: str, settings_file: str, rule: str, run, items, c2: float, chosen, rules,
           min_precision: float) -> None:
    """Train one classifier on all of dev and write it with its settings: the threshold chosen
    and, as confidence, the classifier's cross-validated precision there (per relation, smoothed
    towards the overall one)."""
    from kg.evaluation import learned as pairs

    thresholds, score, judged = chosen
    right, wrong = pairs.learned_precision(judged, rule)
    n_right, n_all = sum(right.values()), sum(right.values()) + sum(wrong.values())
    overall = n_right / n_all if n_all else 0.5
    confidence = {rel: round((right[rel] + 2 * overall) / (right[rel] + wrong[rel] + 2), 3) for rel in sorted(set(right) | set(wrong))}
    folder.mkdir(parents=True, exist_ok=True)
    pairs.train(items, folder / model_file, c2)
    m = score.metrics
    settings = {
        "comment": "Written by scripts/train_relations.py; do not edit by hand.",
        "threshold": thresholds["*"],
        "thresholds": {rel: t for rel, t in thresholds.items() if rel != "*"},
        "default_confidence": round(overall, 3),
        "confidence": confidence,
        "cross_validation": {
            "folds": pairs.FOLDS,
            "documents": len(run.extractions),
            "candidate_pairs": len(items),
            "min_precision": min_precision,
            "learned_facts": {"right": n_right, "wrong": n_all - n_right},
            "rules": {k: _prf(v) for k, v in rules.items()},
            "rules_and_learned": {k: _prf(v) for k, v in m.items()},
        },
        "training": {**pairs.SETTINGS, "c2": c2, "c2_tried": list(pairs.C2)},
    }
    (folder / settings_file).write_text(json.dumps(settings, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"c2 {c2}, threshold {thresholds['*']} (higher for {len(thresholds) - 1} relations): learned facts {n_right}/{n_all} right; all P {m['all'].precision:.3f} R {m['all'].recall:.3f}, "
          f"same-sentence P {m['same-sentence'].precision:.3f} R {m['same-sentence'].recall:.3f} (rules alone: all P "
          f"{rules['all'].precision:.3f} R {rules['all'].recall:.3f})", file=sys.stderr)
    print(f"wrote {folder / model_file} and {folder / settings_file}", file=sys.stderr)


def _prf(prf) -> dict:
    return {"precision": round(prf.precision, 4), "recall": round(prf.recall, 4), "tp": prf.tp, "fp": prf.fp, "fn": prf.fn}


if __name__ == "__main__":
    sys.exit(main())
