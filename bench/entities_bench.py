"""Entity stages against parse time: what mentions and entities add to GiNZA's parse (issue 3).

    .venv/bin/python bench/entities_bench.py                  # Wikipedia NER validation + JacRED dev texts
    .venv/bin/python bench/entities_bench.py --limit 200      # fewer documents

Parses the texts once (no parse cache), then times the mentions stage (``mentions.detect``:
tagger, span typer, rule sources), in-document resolution (``entities.resolve_document``) and
corpus resolution (``entities.resolve_corpus``) over the same parses, in one run; prints each
as a ratio of the parse time (target: mentions + entities <= 0.10), by the clock and by the
process's CPU time (steadier on a machine shared with other work: a stage's clock time grows
with what else runs). The first call of each stage (model loading) is timed apart. Texts come from $KG_SHARED_DIR/eval (or ../shared/eval),
else the bundled examples.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def texts(limit: int | None) -> tuple[list[str], str]:
    from kg.errors import KGError
    from kg.evaluation.gold import load

    try:
        docs = [d.text for d in load("ner-wikipedia").documents] + [d.text for d in load("jacred").documents]
        what = "Wikipedia NER validation sentences and JacRED dev documents"
    except KGError:
        from kg.cli.build import example_inputs
        from kg.io import read_inputs

        docs = [d.text for d in read_inputs(example_inputs()) if hasattr(d, "text")]
        what = "the bundled examples"
    return (docs[:limit] if limit else docs), what


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, default=None, help="first N texts only")
    args = ap.parse_args(argv)

    from kg import entities, mentions
    from kg.model import Document
    from kg.parse import load_model, parse_documents

    docs, what = texts(args.limit)
    nlp = load_model()
    warm = nlp("マイクロソフトのサティア・ナデラ氏は語った。Sam Altman とアルトマンは同じ人だ。")
    t0 = time.perf_counter()
    entities.resolve_document(mentions.detect(warm))  # loads the tagger models, e2k
    first_call = time.perf_counter() - t0

    load0 = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    parsed = list(parse_documents(nlp, [Document(f"d{n}", t) for n, t in enumerate(docs)]))
    parse, parse_cpu = time.perf_counter() - t0, time.process_time() - c0
    tokens = sum(len(doc) for p in parsed for _o, doc in p.chunks)

    clock = [0.0, 0.0, 0.0]  # mentions, entities in documents, across documents
    cpu = [0.0, 0.0, 0.0]
    per_doc = []
    for p in parsed:
        t0, c0 = time.perf_counter(), time.process_time()
        cands = [c for offset, doc in p.chunks for c in mentions.detect(doc, offset, 0)]
        t1, c1 = time.perf_counter(), time.process_time()
        _m, ents = entities.resolve_document(cands)
        clock[0] += t1 - t0
        clock[1] += time.perf_counter() - t1
        cpu[0] += c1 - c0
        cpu[1] += time.process_time() - c1
        per_doc.append((p.document.id, ents))
    t0, c0 = time.perf_counter(), time.process_time()
    entities.resolve_corpus(per_doc)
    clock[2], cpu[2] = time.perf_counter() - t0, time.process_time() - c0
    load1 = os.getloadavg()[0]

    total, total_cpu = sum(clock), sum(cpu)
    print(f"{len(docs)} texts ({what}), {tokens:,} tokens; load average {load0:.1f} -> {load1:.1f}")
    print(f"{'stage':31} {'seconds':>8} {'/ parse':>8} {'CPU s':>8} {'/ parse':>8}")
    for name, secs, cpu_secs in (("parse (GiNZA)", parse, parse_cpu),
                                 ("mentions (tagger, typer, rules)", clock[0], cpu[0]),
                                 ("entities in documents", clock[1], cpu[1]),
                                 ("entities across documents", clock[2], cpu[2]),
                                 ("entity stages together", total, total_cpu)):
        print(f"{name:31} {secs:8.2f} {secs / parse:8.3f} {cpu_secs:8.2f} {cpu_secs / parse_cpu:8.3f}")
    print(f"first call (loading the tagger models): {first_call:.2f} s, once per process")
    print(f"target: entity stages <= 0.10 of parse -> {'met' if total / parse <= 0.10 else 'NOT met'} "
          f"({total / parse:.3f} by the clock, {total_cpu / parse_cpu:.3f} by CPU time)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
