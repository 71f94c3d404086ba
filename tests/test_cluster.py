"""``kg build --cluster``: the corpus built on a real Dask LocalCluster into N-Quads shards."""

from __future__ import annotations

import re
import subprocess
import sys

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from kg.graph import document_iri
from kg.oxi import from_ox


def _summary_count(stdout: str, row: str) -> int:
    return int(re.search(rf"{row}\s*│\s*(\d+)", stdout).group(1))


def _quads(path):
    return list(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))


def _write_corpus(path, documents):
    import json

    path.write_text("".join(json.dumps({"id": d.id, "text": d.text}, ensure_ascii=False) + "\n" for d in documents), encoding="utf-8")


@pytest.fixture(scope="module")
def cluster_build(tmp_path_factory, small_corpus):
    tmp = tmp_path_factory.mktemp("cluster")
    corpus = tmp / "corpus.jsonl"
    _write_corpus(corpus, small_corpus)
    res = subprocess.run([sys.executable, "-m", "kg", "build", str(corpus), "-o", str(tmp / "out"), "--cluster", "local:2",
                          "--cache", str(tmp / "cache")], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    return tmp / "out" / "shards", res


def test_cluster_local_shards_hold_one_named_graph_per_document(cluster_build, small_corpus):
    shards, res = cluster_build
    parts = sorted(shards.glob("part-*.nq"))
    assert len(parts) == 2 and (shards / "entities.nq").exists()
    by_graph: dict[str, set] = {}
    for f in parts:
        for q in _quads(f):
            by_graph.setdefault(q.graph_name.value, set()).add(str(q.object) if q.predicate.value.endswith("/terms/identifier") else None)
    assert set(by_graph) == {document_iri(d.id) for d in small_corpus}
    for d in small_corpus:
        assert by_graph[document_iri(d.id)] - {None} == {f'"{d.id}"'}
    assert all(isinstance(q.graph_name, ox.DefaultGraph) for q in _quads(shards / "entities.nq"))
    assert _summary_count(res.stdout, "documents") == len(small_corpus)
    assert _summary_count(res.stdout, "parses from the cache") == 0


def test_cluster_union_of_shards_is_the_graph_of_a_local_build(cluster_build, small_corpus_graph):
    shards, _res = cluster_build
    union = Graph()
    for f in sorted(shards.glob("*.nq")):
        for q in _quads(f):
            union.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
    local = Graph()
    for t in small_corpus_graph:
        local.add(t)
    assert len(union) == len(local)
    assert isomorphic(union, local)


def test_cluster_shards_are_deterministic_and_reuse_the_parse_cache(cluster_build, small_corpus, tmp_path):
    shards, _res = cluster_build
    corpus = shards.parent.parent / "corpus.jsonl"
    again = subprocess.run([sys.executable, "-m", "kg", "build", str(corpus), "-o", str(tmp_path / "again"), "--cluster", "local:1",
                            "--cache", str(shards.parent.parent / "cache")], capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    for f in sorted(shards.glob("*.nq")):
        assert (tmp_path / "again" / "shards" / f.name).read_bytes() == f.read_bytes(), f.name
    assert _summary_count(again.stdout, "parses from the cache") == len(small_corpus)


def test_cluster_bad_address_is_a_one_line_error(tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text("トヨタ自動車はソフトバンクと提携した。", encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "kg", "build", str(doc), "-o", str(tmp_path / "o"), "--cluster", "local:zero"],
                         capture_output=True, text=True)
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert "local:N" in res.stderr


def test_cluster_with_store_is_a_usage_error(tmp_path):
    res = subprocess.run([sys.executable, "-m", "kg", "build", "-o", str(tmp_path / "o"), "--cluster", "local:1", "--store", str(tmp_path / "st")],
                         capture_output=True, text=True)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "--store" in res.stderr
