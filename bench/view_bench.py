"""Benchmark: how long graph.html takes to load and settle in headless Chromium.

Target (issue 9): a graph of 2,000 entities loads and its layout settles within 5 seconds.
The graph is synthetic but follows the output contract: it is made of kg.model records
(documents, sentences, mentions, facts, resolved entities) and written by kg.graph.to_rdf, the
same code kg build uses, with scale-free links so a few entities are hubs. Each case renders
graph.html (timed in Python), opens it in Debian's chromium, and times navigation start ->
layout settled (physics stopped) as the page reports it. Prints one table; the ratio column is
measured seconds / 5 s target.

    .venv/bin/python bench/view_bench.py              # 2,000 entities, all shown and capped
    .venv/bin/python bench/view_bench.py --write      # also rewrite "## View" in BENCHMARKS.md
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from kg.graph import to_rdf
from kg.model import DocExtraction, Document, Entity, Fact, Mention, ResolvedEntity, Sentence
from kg.view import render_html
from kg.vocab import is_a, relations, top_class

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "BENCHMARKS.md"
TARGET_SECONDS = 5.0
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

_KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"
_CLASSES = ["Person"] * 4 + ["Company"] * 3 + ["Organization", "Product", "Product", "Place", "Facility"]
_SUFFIX = {"Company": "工業", "Organization": "協会", "Place": "市", "Facility": "センター"}


def synthetic_graph(n: int, seed: int = 7, per_doc: int = 40):
    """A contract-following graph of ``n`` entities with about 1.5 facts per entity."""
    rng = random.Random(seed)
    rels = relations()
    names, ents = set(), []
    while len(ents) < n:
        cls = rng.choice(_CLASSES)
        reading = "".join(rng.choice(_KANA) for _ in range(rng.randint(3, 6)))
        name = reading + _SUFFIX.get(cls, "")
        if name in names:
            continue
        names.add(name)
        ents.append(ResolvedEntity(key=f"{top_class(cls)}/{name}", cls=cls, label=name, names=(name,), readings=(reading,)))
    # preferential attachment: each entity links to one or two earlier ones, hubs attract more
    weights, links = [1] * n, []
    for i in range(1, n):
        want, tries = rng.choice((1, 2)), 0
        targets = set()
        while len(targets) < want and tries < 50:
            tries += 1
            j = rng.choices(range(i), weights=weights[:i])[0]
            a, b = (i, j) if rng.random() < 0.5 else (j, i)
            rel = _relation(ents[a].cls, ents[b].cls, rels, rng)
            if rel is None:
                a, b = b, a
                rel = _relation(ents[a].cls, ents[b].cls, rels, rng)
            if rel is None or j in targets:
                continue
            targets.add(j)
            links.append((a, rel, b))
            weights[i] += 1
            weights[j] += 1
    extractions, resolve = [], {}
    for d in range(0, len(links), per_doc):
        doc_id = f"doc-{d // per_doc:04d}.txt"
        text, sentences, mentions, local, facts = "", [], [], {}, []
        for a, rel, b in links[d:d + per_doc]:
            cue = rels[rel].label_ja
            s_begin = len(text)
            sa, sb = ents[a].label, ents[b].label
            sentence = f"{sa}は{sb}と「{cue}」の関係にある。"
            text += sentence
            k = len(sentences)
            sentences.append(Sentence(s_begin, len(text)))
            for ent, off in ((ents[a], s_begin), (ents[b], s_begin + len(sa) + 1)):
                local[ent.key] = Entity(ent.key, ent.cls, ent.label, ent.names, readings=ent.readings)
                resolve[(doc_id, ent.key)] = ent
                mentions.append(Mention(off, off + len(ent.label), ent.label, ent.key, k))
            roll = rng.random()
            facts.append(Fact(ents[a].key, rel, ents[b].key, k, s_begin, len(text) - 1, "synthetic.v1",
                              round(rng.uniform(0.5, 0.95), 2), negated=roll < 0.05,
                              modality="speculative" if 0.05 <= roll < 0.1 else None))
        doc = Document(doc_id, text)
        extractions.append(DocExtraction(doc, tuple(sentences), tuple(mentions), tuple(local.values()), tuple(facts)))
    return to_rdf(extractions, resolve)


def _relation(cs: str, co: str, rels, rng) -> str | None:
    fits = sorted(r for r, info in rels.items() if is_a(cs, info.domain) and is_a(co, info.range))
    return rng.choice(fits) if fits else None


def load_and_settle(browser, path: Path) -> dict:
    """Open ``path``; seconds from navigation start until the layout settled, per the page."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors, requests = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    t0 = time.perf_counter()
    page.goto(path.as_uri())
    page.wait_for_selector("[data-kg-ready]", timeout=120_000)
    wall = time.perf_counter() - t0
    timings = page.evaluate("window.kgView.timings")
    settled = timings["ready"] / 1000
    shown = page.evaluate("window.kgView.loaded.size")
    page.close()
    if errors:
        raise RuntimeError(f"page errors: {errors}")
    return {"settled": settled, "wall": wall, "shown": shown, "timings": timings, "requests": len([u for u in requests if not u.startswith("file:")])}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entities", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=5, help="page loads per case (the median is reported)")
    ap.add_argument("--write", action="store_true", help="rewrite the View section of BENCHMARKS.md")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    t0 = time.perf_counter()
    g = synthetic_graph(args.entities)
    built = time.perf_counter() - t0
    load_before = os.getloadavg()[0]
    cases = [(f"all {args.entities:,} entities shown", args.entities), ("default cap (top 300)", None)]
    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, max_nodes in cases:
            t0 = time.perf_counter()
            page = render_html(g, title=name, **({"max_nodes": max_nodes} if max_nodes else {}))
            render = time.perf_counter() - t0
            path = Path(tmp) / "graph.html"
            path.write_text(page, encoding="utf-8")
            runs = [load_and_settle(browser, path) for _ in range(args.runs)]
            settled = sorted(r["settled"] for r in runs)
            phases = {k: statistics.median(r["timings"][b] - r["timings"][a] for r in runs) / 1000
                      for k, a, b in (("scripts", "start", "start"), ("layout", "start", "layout"),
                                      ("network", "layout", "network"), ("draw", "network", "ready"))}
            phases["scripts"] = statistics.median(r["timings"]["start"] for r in runs) / 1000
            rows.append({"case": name, "nodes": runs[0]["shown"], "mb": len(page.encode("utf-8")) / 1e6, "render": render,
                         "median": statistics.median(settled), "max": settled[-1], "requests": max(r["requests"] for r in runs),
                         "phases": phases})
        browser.close()
    load_after = os.getloadavg()[0]
    command = "python bench/view_bench.py" + "".join(f" {a}" for a in (argv if argv is not None else sys.argv[1:]) if a != "--write")
    text = markdown(rows, args, len(g), built, (load_before, load_after), command)
    print(text)
    if args.write:
        write_section(text)
        print(f"wrote the View section of {BENCHMARKS}", file=sys.stderr)
    return 0 if all(r["median"] <= TARGET_SECONDS for r in rows) else 1


def markdown(rows, args, triples: int, built: float, load: tuple, command: str) -> str:
    lines = ["## View", "", f"`{command}` (Debian chromium, headless, software rendering; {args.runs} page loads per case).", "",
             f"A synthetic graph of {args.entities:,} entities ({triples:,} triples, built in {built:.1f} s) is rendered to "
             "graph.html and opened from a file; *settle* is the time from navigation start until the layout has "
             "settled and the settled graph has been drawn, as the page reports it "
             f"(`kgView.timings.ready`). Target: {TARGET_SECONDS:g} s for 2,000 entities; ratio = median / target.", "",
             "| case | nodes drawn | HTML MB | render s (Python) | settle s, median | settle s, max | ratio | requests outside the file |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['case']} | {r['nodes']:,} | {r['mb']:.2f} | {r['render']:.2f} | {r['median']:.2f} | {r['max']:.2f} | "
                     f"{r['median'] / TARGET_SECONDS:.2f} | {r['requests']} |")
    lines += ["", "Where the median settle time goes (seconds): the page and its scripts parsed, up to the view's start; "
                  "the force layout (the page's own over typed arrays, a fixed number of cooling steps; vis-network's physics stays off); "
                  "building the vis-network; the first draw.", "",
              "| case | scripts | layout | network | draw |", "|---|---:|---:|---:|---:|"]
    for r in rows:
        p = r["phases"]
        lines.append(f"| {r['case']} | {p['scripts']:.2f} | {p['layout']:.2f} | {p['network']:.2f} | {p['draw']:.2f} |")
    lines += ["", f"Noise: load average {load[0]:.1f} before and {load[1]:.1f} after the run on this 2-core machine "
                  "(other work shares the CPU), so absolute times vary between runs; the ratio to the target is what to read."]
    return "\n".join(lines) + "\n"


def write_section(text: str) -> None:
    """Replace "## View" in BENCHMARKS.md (up to the next "## " heading), keeping the rest."""
    old = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.exists() else "# Benchmarks\n"
    m = re.search(r"^## View\n.*?(?=^## |\Z)", old, re.S | re.M)
    new = old[:m.start()] + text + ("\n" if old[m.end():] else "") + old[m.end():] if m else old.rstrip("\n") + "\n\n" + text
    BENCHMARKS.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
