"""How much the relations stage adds to parsing, measured in one run.

    KG_SHARED_DIR=/work/shared python bench/relations_speed.py [--limit N] [--repeat R]

Parses the texts of JacRED dev (or the first N) with ja_ginza, runs the mentions and entities
stages, then times the relations stage alone (``kg.relations.extract`` per chunk and
``extract_across`` per document, R times, best
run kept) and prints relations seconds / parse seconds. Both are measured in the same process on
the same texts, so the ratio holds on a loaded machine too.
"""

from __future__ import annotations

import argparse
import sys
import time


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, default=None, help="only the first N documents")
    ap.add_argument("--repeat", type=int, default=3, help="relation runs to take the best of")
    args = ap.parse_args(argv)

    from kg import entities, mentions
    from kg.evaluation import gold as gold_data
    from kg.parse import load_model, parse_documents
    from kg.pipeline import as_documents
    from kg.relations import extract, extract_across, load_rules

    gold = gold_data.load("jacred", limit=args.limit)
    docs = as_documents([(d.id, d.text) for d in gold.documents])
    nlp = load_model()
    rules = load_rules()
    t0 = time.perf_counter()
    parsed = list(parse_documents(nlp, docs))
    parse_s = time.perf_counter() - t0

    prepared = []
    for p in parsed:
        cands = []
        base = 0
        for offset, doc in p.chunks:
            cands.extend(mentions.detect(doc, offset, base))
            base += sum(1 for _ in doc.sents)
        ms, ents = entities.resolve_document(cands)
        prepared.append((p, ms, {e.key: e for e in ents}))

    best = None
    facts = 0
    for _ in range(max(1, args.repeat)):
        t0 = time.perf_counter()
        facts = 0
        for p, ms, ents in prepared:
            state: dict = {}
            base = 0
            found = []
            for offset, doc in p.chunks:
                found += extract(doc, offset, base, ms, ents, rules, state)
                base += sum(1 for _ in doc.sents)
            facts += len(found) + len(extract_across(found, ents, rules, state))
        took = time.perf_counter() - t0
        best = took if best is None else min(best, took)
    chars = sum(len(d.text) for d in docs)
    print(f"documents {len(docs)}, characters {chars}, facts {facts}")
    print(f"parse {parse_s:.2f} s, relations {best:.2f} s (best of {args.repeat})")
    print(f"relations / parse = {best / parse_s:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
