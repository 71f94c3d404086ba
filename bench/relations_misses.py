"""Where JacRED dev relation recall is lost: every in-scope gold fact in one bucket.

    KG_SHARED_DIR=/work/shared python bench/relations_misses.py              # counts
    KG_SHARED_DIR=/work/shared python bench/relations_misses.py --show P131  # missed reachable facts of P131

Runs the pipeline, rules alone, over JacRED dev (parses come from the cache) and puts each
in-scope gold fact (kg/evaluation/relations.py: merged like the scorer merges them) in one
bucket, separately for same-sentence facts and the others:

- ``hit``: the graph asserts it;
- ``not found``: one of its two entities has no predicted mention aligned to it;
- ``typed out``: both are found, but no predicted class of one of them fits the domain or range of
  any relation it maps to (an entity typing problem, or a gold fact outside our relations' classes);
- ``reachable``: both are found with fitting classes and no rule asserts it.

``--show P`` lists the reachable misses of property P with the sentence both entities share
(the first one), and the facts the graph has between them (another relation, a negated or hedged
statement, a ``related`` predicate), to find the constructions no rule reads yet.
"""

from __future__ import annotations

import argparse
from collections import Counter

from kg.evaluation import gold as gold_data
from kg.evaluation.entities import scored_gold
from kg.evaluation.relations import _asserted, _jacred_keys, _jacred_keys_of, _sentence_bounds, gold_facts
from kg.evaluation.run import run
from kg.vocab import is_a, relations


def buckets(result):
    """(document, gold fact group, bucket, facts between the two entities) for every fact."""
    rels = relations()
    for full in result.gold.documents:
        gold = scored_gold(full, result.gold.scheme)
        ex = result.extractions[full.id]
        al = result.alignment(gold)
        classes = {e.key: e.cls for e in ex.entities}
        hit = set()
        for f in _asserted(ex):
            s, o = al.gold_of.get(f.subject), al.gold_of.get(f.object)
            if f.relation in _jacred_keys_of() and s and o:
                hit |= _jacred_keys(f.relation, s, o)
        between: dict[frozenset, list] = {}
        for f in ex.facts:
            s, o = al.gold_of.get(f.subject), al.gold_of.get(f.object)
            if s and o:
                between.setdefault(frozenset((s, o)), []).append(f)
        for g in gold_facts(full):
            t = g["triples"][0]
            if hit & g["gold_keys"]:
                bucket = "hit"
            elif any(x not in al.keys_of for x in (t.head, t.tail)):
                bucket = "not found"
            else:
                fits = any(
                    any(is_a(classes[k], rels[rel].domain) for k in al.keys_of[s] if k in classes)
                    and any(is_a(classes[k], rels[rel].range) for k in al.keys_of[o] if k in classes)
                    for s, rel, o in t.accept)
                bucket = "reachable" if fits else "typed out"
            yield full, g, bucket, between.get(frozenset((t.head, t.tail)), [])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show", metavar="PROPERTY", help="list the reachable misses of this Wikidata property")
    ap.add_argument("--limit", type=int, default=None, help="documents to read (default: all)")
    args = ap.parse_args()
    # the rules alone: the pair classifier was trained on these documents (its figures:
    # bench/relations_learned_cv.py)
    result = run(gold_data.load("jacred", limit=args.limit), "kg", learned=False)
    rows = list(buckets(result))
    for same in (True, False):
        counts = Counter(b for _d, g, b, _f in rows if g["same"] == same)
        total = sum(counts.values())
        print(f"{'same-sentence' if same else 'across sentences'} ({total}): "
              + ", ".join(f"{k} {counts[k]} ({counts[k] / max(total, 1):.0%})" for k in ("hit", "not found", "typed out", "reachable")))
    by_prop = Counter((g["triples"][0].relation, b) for _d, g, b, _f in rows)
    print("by property (all): " + "; ".join(
        f"{p} " + " ".join(f"{b.split()[0]} {by_prop[(p, b)]}" for b in ("hit", "not found", "typed out", "reachable") if by_prop[(p, b)])
        for p in sorted({p for p, _b in by_prop}, key=lambda p: -sum(v for (q, _b), v in by_prop.items() if q == p))))
    if args.show:
        for doc, g, bucket, facts in rows:
            t = g["triples"][0]
            if bucket != "reachable" or t.relation != args.show:
                continue
            names = {e.id: e.names[0] for e in doc.entities}
            bounds = _sentence_bounds(doc.text)
            sent = {m.entity: set() for m in doc.mentions}
            for m in doc.mentions:
                sent[m.entity].add(sum(1 for b in bounds if b <= m.begin) - 1)
            shared = sorted(sent.get(t.head, set()) & sent.get(t.tail, set()))
            if shared:
                n = shared[0]
                text = doc.text[bounds[n]:bounds[n + 1] if n + 1 < len(bounds) else len(doc.text)].strip()
            else:
                text = "(not in one sentence)"
            other = ", ".join(f"{f.relation}{'/neg' if f.negated else ''}{'/' + f.modality if f.modality else ''}"
                              f"{'(' + f.lemma + ')' if f.lemma else ''}" for f in facts) or "-"
            print(f"{doc.id} {names.get(t.head)} {t.relation} {names.get(t.tail)} [{other}] | {text[:160]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
