"""Throughput benchmark: `kg build` against raw GiNZA, measured in one run, alternating.

    python bench/throughput.py                      # 3 rounds + stages + memory (10x corpus) + tune
    python bench/throughput.py --rounds 1 --scale 0 # quicker: one round, no 10x memory check
    python bench/throughput.py --write              # also rewrite "## Throughput" in BENCHMARKS.md

Corpus: the seed article plus the JacRED dev texts from ../shared (or $KG_SHARED_DIR), written
as one JSONL file. Each round runs, in an order that rotates from round to round:

- raw:     a fresh Python process loads ja_ginza and runs ``nlp.pipe`` over every text
- cold:    ``kg build CORPUS -o DIR --cache EMPTY -q``   (parse, extract, graph.ttl, graph.html)
- warm:    the same command again, same cache           (every parse read from the cache)
- rule:    the same again with ``--rules EXTRA.yaml``   (a rule change: extraction re-runs)
- workers: ``kg build ... --workers 2 --cache EMPTY2``  (two processes, empty cache)

Every run is a fresh process timed by the wall clock; its CPU time (user+sys, with children) and
peak RSS (largest process) come from wait4. Ratios are taken within a round, then the median.
The machine may be shared: "CPU share" (CPU time / wall time of single-process runs; 1.0 = a
core of its own) and the load average say how noisy a run was.

Then, once: stage times (the library calls `kg build` makes, run in-process on the corpus without
a cache: per-stage seconds as fractions of parse time), and the memory check: the same in-process
build of a 1x corpus (the first --memory-base documents) and of it repeated N times under new ids
(N = --scale), peak RSS minus the memory of the graph itself (graph.ttl loaded into rdflib in a
fresh process).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KG_SHARED_DIR", ROOT.parent / "shared"))
BENCHMARKS = ROOT / "BENCHMARKS.md"

RAW = """
import json, sys, spacy
texts = [json.loads(line)["text"] for line in open(sys.argv[1], encoding="utf-8")]
nlp = spacy.load("ja_ginza")
for _doc in nlp.pipe(texts):
    pass
"""

# In-process build of one corpus (what `kg build --no-cache` does), reporting stage times and memory.
STAGES = """
import json, resource, sys, time
import kg
from kg.export import write_turtle
from kg.view import write_html
corpus, out = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
g = kg.build([corpus], cache=None)
t1 = time.perf_counter()
write_turtle(g, out + "/graph.ttl")
t2 = time.perf_counter()
write_html(g, out + "/graph.html")
t3 = time.perf_counter()
stages = dict(g.report.stage_seconds, turtle=t2 - t1, html=t3 - t2)
print(json.dumps({"build": t1 - t0, "stages": stages, "triples": len(g), "documents": g.report.documents,
                  "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

# Raw GiNZA settings, in one process, alternating: CPU seconds by nlp.pipe batch size, and with the
# one component kg does not use (compound_splitter: GiNZA's sub-token splitting, off in ja_ginza's
# split mode C) disabled; each variant's output compared with the first.
TUNE = """
import json, sys, time, spacy
texts = [json.loads(line)["text"] for line in open(sys.argv[1], encoding="utf-8")][:int(sys.argv[2])]
nlp = spacy.load("ja_ginza")
list(nlp.pipe(texts[:8]))
def view(docs):
    return [[(t.text, t.norm_, t.lemma_, t.tag_, t.pos_, str(t.morph), t.dep_, t.head.i, t.ent_iob_, t.ent_type_) for t in d]
            + [repr(sorted(d.user_data.items(), key=repr))] for d in docs]
variants = [("batch 4", 4, []), ("batch 16", 16, []), ("batch 64", 64, []), ("batch 1000 (spaCy default)", 1000, []),
            ("batch 16, no compound_splitter", 16, ["compound_splitter"])]
cpu, same, first = {}, {}, None
for r in range(2):
    for name, size, disable in (variants if r % 2 == 0 else variants[::-1]):
        with nlp.select_pipes(disable=disable):
            t = time.process_time()
            docs = list(nlp.pipe(texts, batch_size=size))
            cpu.setdefault(name, []).append(time.process_time() - t)
        v = view(docs)
        first = first if first is not None else v
        same[name] = same.get(name, True) and v == first
print(json.dumps({"chars": sum(map(len, texts)), "cpu": {k: min(v) for k, v in cpu.items()}, "same": same}))
"""

GRAPH_MEMORY = """
import json, sys
import pyoxigraph as ox
from kg.oxi import to_rdflib_graph
def rss_kb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 // 1024
before = rss_kb()
g = to_rdflib_graph(ox.parse(path=sys.argv[1], format=ox.RdfFormat.TURTLE))
print(json.dumps({"graph_kb": rss_kb() - before, "triples": len(g)}))
"""


def make_corpus(path: Path, copies: int = 1, limit: int | None = None) -> tuple[int, int]:
    """The seed article + JacRED dev texts as JSONL (``copies`` times, under new ids)."""
    docs = [("openai-microsoft.txt", (SHARED / "corpus" / "openai-microsoft.txt").read_text(encoding="utf-8"))]
    with open(SHARED / "eval" / "jacred" / "dev.jsonl", encoding="utf-8") as f:
        docs += [(f"jacred-dev-{n:03d}", json.loads(line)["text"]) for n, line in enumerate(f)]
    docs = docs[:limit]
    with open(path, "w", encoding="utf-8") as out:
        for k in range(copies):
            for doc_id, text in docs:
                out.write(json.dumps({"id": doc_id if copies == 1 else f"copy{k}/{doc_id}", "text": text}, ensure_ascii=False) + "\n")
    return len(docs) * copies, sum(len(t) for _i, t in docs) * copies


def run(cmd: list[str], log: Path) -> dict:
    """Run ``cmd`` in a fresh process: wall seconds, CPU seconds (with children), peak RSS."""
    load = os.getloadavg()[0]
    with open(log, "ab") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, cwd=ROOT)
        out = proc.stdout.read()
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(map(str, cmd))}; see {log}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_kb": usage.ru_maxrss, "load": load, "stdout": out}


def kg_build(corpus: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "kg", "build", str(corpus), "-o", str(out), "-q", *extra]


def rule_change(path: Path) -> None:
    """A rule file for the "rule" run: the first built-in rule again under a new id, so the rule
    set (and the extraction fingerprint) changes and its facts show up twice."""
    import yaml

    from kg.relations.rules import builtin_rule_files

    first = yaml.safe_load(builtin_rule_files()[0].read_text(encoding="utf-8"))["rules"][0]
    path.write_text(yaml.safe_dump({"rules": [dict(first, id="bench_rule_change.v1")]}, allow_unicode=True), encoding="utf-8")


def timing_rounds(corpus: Path, work: Path, rounds: int, log: Path) -> list[dict]:
    rule = work / "extra-rule.yaml"
    rule_change(rule)
    raw_script = work / "raw.py"
    raw_script.write_text(RAW, encoding="utf-8")
    results = []
    for r in range(rounds):
        cache, cache2 = work / f"cache-{r}", work / f"cache2-{r}"
        units = {
            "raw": lambda: {"raw": run([sys.executable, str(raw_script), str(corpus)], log)},
            "build": lambda: {
                "cold": run(kg_build(corpus, work / "out-cold", "--cache", str(cache)), log),
                "warm": run(kg_build(corpus, work / "out-warm", "--cache", str(cache)), log),
                "rule": run(kg_build(corpus, work / "out-rule", "--cache", str(cache), "--rules", str(rule)), log),
            },
            "workers": lambda: {"workers": run(kg_build(corpus, work / "out-workers", "--cache", str(cache2), "--workers", "2"), log)},
        }
        order = list(units)[r % 3:] + list(units)[:r % 3]
        row: dict = {}
        for name in order:
            row.update(units[name]())
            print(f"round {r + 1}: {name} done", file=sys.stderr, flush=True)
        for a, b in (("out-cold", "out-warm"), ("out-cold", "out-workers")):
            if (work / a / "graph.ttl").read_bytes() != (work / b / "graph.ttl").read_bytes():
                sys.exit(f"{b}/graph.ttl differs from {a}/graph.ttl: the cache or the workers changed the output")
        shutil.rmtree(cache)
        shutil.rmtree(cache2)
        results.append(row)
        print(json.dumps({k: {m: round(v, 2) for m, v in d.items() if m != "stdout"} for k, d in row.items()}), file=sys.stderr, flush=True)
    return results


def in_process_build(corpus: Path, out: Path, log: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    script = out / "stages.py"
    script.write_text(STAGES, encoding="utf-8")
    res = run([sys.executable, str(script), str(corpus), str(out)], log)
    data = json.loads(res["stdout"])
    graph = json.loads(run([sys.executable, "-c", GRAPH_MEMORY, str(out / "graph.ttl")], log)["stdout"])
    data.update(wall=res["wall"], cpu=res["cpu"], graph_kb=graph["graph_kb"])
    return data


def tune(corpus: Path, work: Path, log: Path, documents: int) -> dict:
    script = work / "tune.py"
    script.write_text(TUNE, encoding="utf-8")
    return json.loads(run([sys.executable, str(script), str(corpus), str(documents)], log)["stdout"])


def summarise(rounds: list[dict], stages: dict | None, memory: dict | None, corpus_info: tuple[int, int]) -> dict:
    def ratios(f):
        values = [f(r) for r in rounds]
        return {"median": statistics.median(values), "min": min(values), "max": max(values)}

    single = [r[k] for r in rounds for k in ("raw", "cold")]
    summary = {
        "documents": corpus_info[0],
        "characters": corpus_info[1],
        "rounds": len(rounds),
        "cpu_share": statistics.median(x["cpu"] / x["wall"] for x in single),
        "cpu_share_min": min(x["cpu"] / x["wall"] for x in single),
        "load": statistics.mean(r[k]["load"] for r in rounds for k in r),
        "raw_chars_per_s": statistics.median(corpus_info[1] / r["raw"]["wall"] for r in rounds),
        "raw_chars_per_cpu_s": statistics.median(corpus_info[1] / r["raw"]["cpu"] for r in rounds),
        "cold_vs_raw": ratios(lambda r: r["raw"]["wall"] / r["cold"]["wall"]),
        "cold_vs_raw_cpu": ratios(lambda r: r["raw"]["cpu"] / r["cold"]["cpu"]),
        "warm_speedup": ratios(lambda r: r["cold"]["wall"] / r["warm"]["wall"]),
        "rule_speedup": ratios(lambda r: r["cold"]["wall"] / r["rule"]["wall"]),
        "workers_speedup": ratios(lambda r: r["cold"]["wall"] / r["workers"]["wall"]),
        "seconds": {k: statistics.median(r[k]["wall"] for r in rounds) for k in rounds[0]},
        "cpu_seconds": {k: statistics.median(r[k]["cpu"] for r in rounds) for k in rounds[0]},
        "peak_mb": {k: statistics.median(r[k]["peak_kb"] for r in rounds) / 1024 for k in rounds[0]},
    }
    if stages:
        parse = stages["stages"]["parse"]
        summary["stages"] = {k: v for k, v in stages["stages"].items()}
        summary["stage_fraction_of_parse"] = {k: v / parse for k, v in stages["stages"].items() if k != "parse"}
    if memory:
        one, big = memory["1x"], memory["Nx"]
        summary["memory"] = {
            "scale": memory["scale"],
            "peak_mb": {"1x": one["peak_kb"] / 1024, "Nx": big["peak_kb"] / 1024},
            "graph_mb": {"1x": one["graph_kb"] / 1024, "Nx": big["graph_kb"] / 1024},
            "triples": {"1x": one["triples"], "Nx": big["triples"]},
            "peak_ratio": big["peak_kb"] / one["peak_kb"],
            "without_graph_ratio": (big["peak_kb"] - big["graph_kb"]) / (one["peak_kb"] - one["graph_kb"]),
            "chars_per_s_Nx": memory["chars"] * memory["scale"] / big["build"],
            "documents": memory["documents"],
            "chars": memory["chars"],
        }
    return summary


def commit() -> str:
    """The checkout's commit (with "+" when it has changes), or "unknown" outside git."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+" if dirty else "")


def markdown(s: dict, command: str) -> str:
    def r(x):
        return f"{x['median']:.2f}× (rounds: {x['min']:.2f}–{x['max']:.2f})"

    def verdict(ok):
        return "met" if ok else "**not met**"

    lines = [
        "## Throughput",
        "",
        f"Measured by `{command}` on {time.strftime('%Y-%m-%d')}, commit {commit()} ({os.cpu_count()} cores): "
        f"{s['documents']} documents, {s['characters']:,} characters (the seed article + JacRED dev), "
        f"{s['rounds']} rounds, each run a fresh process, the runs alternating within a round.",
        "",
        "| target | measured | |",
        "|---|---|---|",
        f"| `kg build` cold ≥ 0.90× raw `nlp.pipe` throughput | {r(s['cold_vs_raw'])} wall; {r(s['cold_vs_raw_cpu'])} CPU time | {verdict(s['cold_vs_raw']['median'] >= 0.9)} |",
        f"| warm rebuild ≥ 10× faster than cold | {r(s['warm_speedup'])} | {verdict(s['warm_speedup']['median'] >= 10)} |",
        f"| `--workers 2` ≥ 1.3× faster than `--workers 1` | {r(s['workers_speedup'])} | {verdict(s['workers_speedup']['median'] >= 1.3)} |",
    ]
    if "memory" in s:
        m = s["memory"]
        lines.append(f"| peak memory, {m['scale']}× corpus ≤ 1.3× the 1× corpus (plus the graph) | "
                     f"{m['without_graph_ratio']:.2f}× without the graph ({m['peak_ratio']:.2f}× with it) | {verdict(m['without_graph_ratio'] <= 1.3)} |")
    lines += [
        "",
        f"Warm rebuild after a rule change (`--rules`, extraction re-runs, no parsing): {r(s['rule_speedup'])} faster than cold.",
        "",
        "| run | wall s | CPU s | peak MB |",
        "|---|---|---|---|",
    ]
    for k in s["seconds"]:
        lines.append(f"| {k} | {s['seconds'][k]:.1f} | {s['cpu_seconds'][k]:.1f} | {s['peak_mb'][k]:.0f} |")
    lines += [
        "",
        f"Raw ja_ginza: {s['raw_chars_per_s']:,.0f} characters/s wall, {s['raw_chars_per_cpu_s']:,.0f} per CPU-second "
        "(including Python start-up and model load).",
        "",
        f"Noise: the machine was shared with other jobs. Single-process runs got a median CPU share of "
        f"{s['cpu_share']:.2f} (lowest {s['cpu_share_min']:.2f}; 1.0 = a core of their own), load average "
        f"{s['load']:.1f} on {os.cpu_count()} cores. Wall-clock ratios swing with that; the CPU-time ratio for "
        "cold vs raw does not depend on it, while the 2-worker speedup needs two free cores and suffers most.",
    ]
    if "stages" in s:
        lines += ["", "Stage times (in-process build of the corpus without a cache), as a fraction of parse time:", "",
                  "| stage | seconds | of parse | budget |", "|---|---|---|---|"]
        budgets = {"mentions": "entity stages ≤ 10% together", "entities": "(with mentions, resolve)", "resolve": "(with mentions, entities)",
                   "relations": "≤ 5%"}
        for k, v in sorted(s["stages"].items(), key=lambda kv: -kv[1]):
            frac = "—" if k == "parse" else f"{s['stage_fraction_of_parse'][k]:.1%}"
            lines.append(f"| {k} | {v:.2f} | {frac} | {budgets.get(k, '')} |")
        f = s["stage_fraction_of_parse"]
        ent = f.get("mentions", 0) + f.get("entities", 0) + f.get("resolve", 0)
        lines += ["", f"Entity stages together: {ent:.1%} of parse time (budget 10%); relations {f.get('relations', 0):.1%} (budget 5%); "
                  f"graph + Turtle + HTML {f.get('graph', 0) + f.get('turtle', 0) + f.get('html', 0):.1%}."]
    if "memory" in s:
        m = s["memory"]
        lines += ["", f"Memory check (in-process build without a cache of the first {m['documents']} documents "
                  f"({m['chars']:,} characters), then of them ×{m['scale']} under new ids): peak "
                  f"{m['peak_mb']['1x']:.0f} MB → {m['peak_mb']['Nx']:.0f} MB; the graph alone ({m['triples']['1x']:,} → "
                  f"{m['triples']['Nx']:,} triples, loaded into rdflib in a fresh process) {m['graph_mb']['1x']:.0f} MB → "
                  f"{m['graph_mb']['Nx']:.0f} MB. The ×{m['scale']} build ran at {m['chars_per_s_Nx']:,.0f} characters/s."]
    if "tune" in s:
        t = s["tune"]
        base = t["cpu"]["batch 16"]
        lines += ["", f"Raw GiNZA settings (one process, alternating, best of 2, first {t['documents']} documents, "
                  f"{t['chars']:,} characters): CPU seconds, and whether the parse is identical to the first variant's.", "",
                  "| nlp.pipe | CPU s | vs batch 16 | same output |", "|---|---|---|---|"]
        for name, sec in t["cpu"].items():
            lines.append(f"| {name} | {sec:.2f} | {sec / base:.2f}× | {'yes' if t['same'][name] else 'no'} |")
        lines += ["", "kg parses in batches of 16 documents (`kg.parse.BATCH_DOCUMENTS`); worker processes take 4 at a "
                  "time (`kg.pipeline.WORKER_BATCH_DOCUMENTS`) so that they finish together. compound_splitter is the one "
                  "component kg could drop; the others (token vectors, parser, NER, morphologizer, bunsetsu) all feed "
                  "mentions, entities or relations. kg starts numpy's OpenBLAS with one thread "
                  "(`kg.parse.start_numpy_single_threaded`); the raw runs use its default, a thread per core, whose "
                  "second thread does no work for GiNZA yet makes the parse cost about 8% more CPU (per-thread CPU "
                  "times from /proc, 40 documents, 2026-11-28: 11.5 s against 10.6 s)."]
    return "\n".join(lines) + "\n"


def write_section(text: str, path: Path = BENCHMARKS) -> None:
    """Replace the "## Throughput" section of BENCHMARKS.md (up to the next "## "), keeping the rest."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    lines = old.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == "## Throughput"), None)
    if start is None:
        new = old.rstrip("\n") + "\n\n" + text
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        new = "".join(lines[:start]) + text + ("\n" + "".join(lines[end:]) if end < len(lines) else "")
    path.write_text(new, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3, help="timing rounds [3]")
    ap.add_argument("--scale", type=int, default=10, help="memory check on the corpus repeated N times; 0 skips it [10]")
    ap.add_argument("--memory-base", type=int, default=30, help="documents of the memory check's 1x corpus [30]")
    ap.add_argument("--tune-documents", type=int, default=20, help="documents for the raw GiNZA settings comparison [20]")
    ap.add_argument("--no-stages", action="store_true", help="skip the in-process stage timing")
    ap.add_argument("--no-tune", action="store_true", help="skip the raw GiNZA settings comparison")
    ap.add_argument("--limit", type=int, default=None, help="only the first N documents (a smoke test)")
    ap.add_argument("--write", action="store_true", help="rewrite the Throughput section of BENCHMARKS.md")
    args = ap.parse_args()
    if not (SHARED / "eval" / "jacred" / "dev.jsonl").exists():
        sys.exit(f"{SHARED} has no eval/jacred/dev.jsonl: set KG_SHARED_DIR")
    work = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    log = work / "stderr.log"
    corpus = work / "corpus.jsonl"
    info = make_corpus(corpus, limit=args.limit)
    print(f"corpus: {info[0]} documents, {info[1]:,} characters; work in {work}", file=sys.stderr)
    tuned = None if args.no_tune else dict(tune(corpus, work, log, args.tune_documents), documents=min(args.tune_documents, info[0]))
    rounds = timing_rounds(corpus, work, args.rounds, log)
    stages = None if args.no_stages else in_process_build(corpus, work / "stages", log)
    memory = None
    if args.scale > 1:
        base, big = work / "memory-1x.jsonl", work / f"memory-{args.scale}x.jsonl"
        base_info = make_corpus(base, 1, limit=args.memory_base)
        make_corpus(big, args.scale, limit=args.memory_base)
        memory = {"scale": args.scale, "chars": base_info[1], "documents": base_info[0],
                  "1x": in_process_build(base, work / "memory-1x", log), "Nx": in_process_build(big, work / "memory-Nx", log)}
    summary = summarise(rounds, stages, memory, info)
    if tuned:
        summary["tune"] = tuned
    command = "python bench/throughput.py" + "".join(f" {a}" for a in sys.argv[1:] if a != "--write")
    text = markdown(summary, command)
    print(json.dumps(summary, indent=1, ensure_ascii=False))
    print(text)
    if args.write:
        write_section(text)
        print(f"wrote the Throughput section of {BENCHMARKS}", file=sys.stderr)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    main()
