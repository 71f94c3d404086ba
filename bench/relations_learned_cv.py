"""JacRED dev relation figures with and without the learned pair classifiers (sentence and
document), by document-level cross-validation.

    KG_SHARED_DIR=/work/shared python bench/relations_learned_cv.py [--folds 5] [--sweep]

Runs the rules over JacRED dev (parses from the parse cache) recording every candidate pair of
mentions (kg/evaluation/learned.py), then for each of k folds of the documents trains the
classifier on the other folds and predicts this one. The pooled out-of-fold facts, at the
thresholds the shipped model uses (ontologies/relation-pairs.json: one, and a higher one for
some relations), are added to the rules' facts and scored by the relation scorer of ``kg eval``:
all in-scope gold facts and same-sentence ones. Then the document classifier's out-of-fold facts
(kg/relations/docpairs.py, pairs across sentences) at its shipped thresholds
(relation-docpairs.json) are added to both. Each classifier is trained with the L2 weight (c2)
its settings record. ``--sweep`` prints other (single) thresholds too; ``--nested`` also chooses
each fold's c2 and thresholds by an inner cross-validation on the other folds, as
scripts/train_relations.py chooses them on all of dev (so no number is tuned on the documents
scored). The shipped model's own figures on dev (``kg eval jacred`` with it on) are in-sample —
it was trained on these documents — and printed last, marked so.
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
    from kg.relations import docpairs, learned
    from kg.vocab import resource_path

    def shipped(name):
        settings = json.loads(resource_path("kg.ontologies", name).read_text(encoding="utf-8"))
        return {"*": settings["threshold"], **settings.get("thresholds", {})}, settings["training"]["c2"]

    (threshold, c2), (doc_threshold, doc_c2) = shipped(learned.SETTINGS_FILE), shipped(docpairs.SETTINGS_FILE)
    run, items, doc_items = pairs.collect(gold_data.load("jacred", limit=args.limit))
    print(f"documents {len(run.extractions)}, folds {args.folds}; candidate pairs: sentence {len(items)} "
          f"({sum(it.label != pairs.NONE for it in items)} related in the gold data), document {len(doc_items)} "
          f"({sum(it.label != pairs.NONE for it in doc_items)})")
    _row("rules alone", pairs.score(run, {})[0])
    probs = pairs.cross_validate(run, items, args.folds, c2)
    for t in [threshold, *((0.3, 0.4, 0.5, 0.6, 0.7, 0.8) if args.sweep else ())]:
        score, judged = pairs.score(run, pairs.learned_facts(run, items, probs, t))
        right, wrong = pairs.learned_precision(judged)
        mark = " (shipped)" if t is threshold else ""
        _row(f"rules + sentence classifier (c2 {c2}), CV, threshold {_shown(t)}{mark}", score,
             f"learned facts {sum(right.values())} right, {sum(wrong.values())} wrong")
    base = pairs.learned_facts(run, items, probs, threshold)
    doc_probs = pairs.cross_validate(run, doc_items, args.folds, doc_c2)
    for t in [doc_threshold, *((0.3, 0.4, 0.5, 0.6, 0.7, 0.8) if args.sweep else ())]:
        score, judged = pairs.score(run, pairs.merged(base, pairs.learned_facts(run, doc_items, doc_probs, t)))
        right, wrong = pairs.learned_precision(judged, docpairs.RULE_ID)
        mark = " (shipped)" if t is doc_threshold else ""
        _row(f"rules + both classifiers (document c2 {doc_c2}), CV, document threshold {_shown(t)}{mark}", score,
             f"document facts {sum(right.values())} right, {sum(wrong.values())} wrong")
        if t is doc_threshold:
            final, doc_right, doc_wrong = score, right, wrong
    print("  by relation, document classifier's facts (right / wrong): "
          + ", ".join(f"{rel} {doc_right[rel]}/{doc_wrong[rel]}" for rel in sorted(set(doc_right) | set(doc_wrong),
                                                                                    key=lambda r: -doc_right[r] - doc_wrong[r])))
    print("  by Wikidata property, all (hit / false / gold): "
          + ", ".join(f"{prop} {prf.tp}/{prf.fp}/{prf.tp + prf.fn}" for prop, prf in
                      sorted(final.by_type.items(), key=lambda kv: -(kv[1].tp + kv[1].fn))[:12]))
    if args.nested:
        score, chosen = pairs.nested(run, items, args.folds)
        _row("rules + sentence classifier, nested CV (each fold's c2 and thresholds chosen on the others: "
             f"{'; '.join(f'c2 {c} {_shown(t)}' for c, t in chosen)})", score)
        score, chosen = pairs.nested(run, doc_items, args.folds, base, pairs.DOC_MIN_PRECISION)
        _row("rules + both classifiers, nested CV (each fold's document c2 and thresholds chosen on the others: "
             f"{'; '.join(f'c2 {c} {_shown(t)}' for c, t in chosen)})", score)
    in_sample = {}
    for mod, its, t in ((learned, items, threshold), (docpairs, doc_items, doc_threshold)):
        with as_file(resource_path("kg.ontologies", mod.MODEL_FILE)) as model:
            in_sample = pairs.merged(in_sample, pairs.learned_facts(run, its, pairs.predict(its, Path(model)), t))
    _row("rules + both classifiers, IN-SAMPLE (shipped models, trained on all of dev: not a measure)", pairs.score(run, in_sample)[0])
    return 0


def _shown(t) -> str:
    """A threshold: one number, or one per relation (the default, then the relations held higher)."""
    if isinstance(t, float):
        return f"{t:.2f}"
    return f"{t['*']:.2f}" + "".join(f", {rel} {v:.2f}" for rel, v in sorted(t.items()) if rel != "*")


def _row(name: str, score, note: str = "") -> None:
    a, s = score.metrics["all"], score.metrics["same-sentence"]
    print(f"{name}:\n  all P {a.precision:.3f} R {a.recall:.3f} ({a.tp} hit / {a.fp} false); "
          f"same-sentence P {s.precision:.3f} R {s.recall:.3f} ({s.tp} hit / {s.fp} false)" + (f"; {note}" if note else ""))


if __name__ == "__main__":
    sys.exit(main())
