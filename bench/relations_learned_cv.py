"""JacRED dev relation figures with and without the learned pair classifier, by document-level
cross-validation.

    KG_SHARED_DIR=/work/shared python bench/relations_learned_cv.py [--folds 5] [--sweep]

Runs the rules over JacRED dev (parses from the parse cache) recording every candidate pair of
mentions (kg/evaluation/learned.py), then for each of k folds of the documents trains the
classifier on the other folds and predicts this one. The pooled out-of-fold facts, at the
threshold the shipped model uses (ontologies/relation-pairs.json), are added to the rules' facts
and scored by the relation scorer of ``kg eval``: all in-scope gold facts and same-sentence ones.
``--sweep`` prints other thresholds too; ``--nested`` also chooses each fold's threshold by an inner
cross-validation on the other folds (so no number is tuned on the documents scored). The shipped model's own figures on dev (``kg eval jacred``
with it on) are in-sample — it was trained on these documents — and printed last, marked so.
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib.resources import as_file
from pathlib import Path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--folds", type=int, default=5, help="document folds [default: 5]")
    ap.add_argument("--sweep", action="store_true", help="also print other thresholds")
    ap.add_argument("--nested", action="store_true",
                    help="also choose each fold's threshold by an inner CV on the other folds (slower)")
    ap.add_argument("--limit", type=int, default=None, help="only the first N documents")
    args = ap.parse_args(argv)

    from kg.evaluation import gold as gold_data
    from kg.evaluation import learned as pairs
    from kg.relations.learned import MODEL_FILE, SETTINGS_FILE
    from kg.vocab import resource_path

    settings = json.loads(resource_path("kg.ontologies", SETTINGS_FILE).read_text(encoding="utf-8"))
    threshold = settings["threshold"]
    run, items = pairs.collect(gold_data.load("jacred", limit=args.limit))
    print(f"documents {len(run.extractions)}, candidate pairs {len(items)} "
          f"({sum(it.label != pairs.NONE for it in items)} related in the gold data), folds {args.folds}")
    _row("rules alone", pairs.score(run, {})[0])
    probs = pairs.cross_validate(run, items, args.folds)
    for t in sorted({threshold, *((0.3, 0.4, 0.5, 0.6, 0.7, 0.8) if args.sweep else ())}):
        score, judged = pairs.score(run, pairs.learned_facts(run, items, probs, t))
        right, wrong = pairs.learned_precision(judged)
        mark = " (shipped threshold)" if t == threshold else ""
        _row(f"rules + learned, CV, threshold {t:.2f}{mark}", score,
             f"learned facts {sum(right.values())} right, {sum(wrong.values())} wrong")
    if args.nested:
        score, chosen = pairs.nested(run, items, probs, args.folds)
        _row(f"rules + learned, nested CV (each fold's threshold chosen on the others: {', '.join(f'{t:.2f}' for t in chosen)})", score)
    with as_file(resource_path("kg.ontologies", MODEL_FILE)) as model:
        in_sample = pairs.predict(items, Path(model))
    _row("rules + learned, IN-SAMPLE (shipped model, trained on all of dev: not a measure)",
         pairs.score(run, pairs.learned_facts(run, items, in_sample, threshold))[0])
    return 0


def _row(name: str, score, note: str = "") -> None:
    a, s = score.metrics["all"], score.metrics["same-sentence"]
    print(f"{name}:\n  all P {a.precision:.3f} R {a.recall:.3f} ({a.tp} hit / {a.fp} false); "
          f"same-sentence P {s.precision:.3f} R {s.recall:.3f} ({s.tp} hit / {s.fp} false)" + (f"; {note}" if note else ""))


if __name__ == "__main__":
    sys.exit(main())
