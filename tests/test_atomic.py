"""A build killed part-way (a real SIGKILL) leaves the previous outputs intact and readable."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pyoxigraph as ox

from kg.cli.build import example_inputs

LONG = "ソニーグループの社長である十時裕樹氏は、米国の映画会社を買収する計画はないと語った。" * 150


def _run(args, **kw):
    return subprocess.Popen([sys.executable, "-m", "kg", "build", *args, "-q"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)


def test_atomic_sigkill_during_build_leaves_previous_outputs_intact(tmp_path):
    out = tmp_path / "out"
    first = _run([*example_inputs(), "-o", str(out)])
    assert first.wait(timeout=300) == 0
    old_ttl = (out / "graph.ttl").read_bytes()
    old_html = (out / "graph.html").read_bytes()

    bigger = tmp_path / "long.txt"
    bigger.write_text(LONG, encoding="utf-8")
    ref_dir = tmp_path / "ref" / "out"  # same directory name: the page title is the same
    started = time.perf_counter()
    ref = _run([*example_inputs(), str(bigger), "-o", str(ref_dir)])
    assert ref.wait(timeout=300) == 0
    duration = time.perf_counter() - started
    new_ttl = (ref_dir / "graph.ttl").read_bytes()
    new_html = (ref_dir / "graph.html").read_bytes()
    assert new_ttl != old_ttl

    for fraction in (0.5, 0.85, 0.95, 0.99):
        proc = _run([*example_inputs(), str(bigger), "-o", str(out)])
        time.sleep(duration * fraction)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        ttl = (out / "graph.ttl").read_bytes()
        assert ttl in (old_ttl, new_ttl), f"graph.ttl is neither the old nor the new graph after a kill at {fraction:.0%}"
        html = (out / "graph.html").read_bytes()
        assert html in (old_html, new_html), _first_difference(html, new_html)
        assert len(list(ox.parse(ttl, format=ox.RdfFormat.TURTLE))) > 0
        if ttl == new_ttl:
            # a later kill cannot go back to the old file; restore it to keep probing the window
            (out / "graph.ttl").write_bytes(old_ttl)
            (out / "graph.html").write_bytes(old_html)


def _first_difference(a: bytes, b: bytes) -> str:
    n = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"graph.html differs from the new page at byte {n} (of {len(a)} vs {len(b)}): {a[max(0, n - 80):n + 80]!r} vs {b[max(0, n - 80):n + 80]!r}"


def _documents(store):
    res = subprocess.run([sys.executable, "-m", "kg", "query", str(store), "documents", "--format", "csv"], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    return sorted(line.split(",")[0] for line in res.stdout.splitlines()[1:])


def test_atomic_sigkill_during_store_update_leaves_the_store_readable_and_whole(tmp_path):
    store = tmp_path / "store"
    first = _run([*example_inputs(), "-o", str(tmp_path / "o0"), "--store", str(store), "--no-html"])
    assert first.wait(timeout=300) == 0, first.stderr.read()
    before = _documents(store)
    bigger = tmp_path / "long.txt"
    bigger.write_text(LONG, encoding="utf-8")
    started = time.perf_counter()
    probe = _run([str(bigger), "-o", str(tmp_path / "o1"), "--store", str(tmp_path / "probe"), "--no-html", "--no-cache"])
    assert probe.wait(timeout=300) == 0
    duration = time.perf_counter() - started
    for n, fraction in enumerate((0.6, 0.9, 0.97)):
        proc = _run([str(bigger), "-o", str(tmp_path / f"o{n + 2}"), "--store", str(store), "--no-html", "--no-cache"])
        time.sleep(duration * fraction)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        docs = _documents(store)
        assert docs in (before, sorted(before + ["long.txt"])), docs
    # and the next update completes and leaves the store whole
    last = _run([str(bigger), "-o", str(tmp_path / "o9"), "--store", str(store), "--no-html"])
    assert last.wait(timeout=300) == 0, last.stderr.read()
    assert _documents(store) == sorted(before + ["long.txt"])
