"""The on-disk store: incremental adds and removals give exactly the graph a one-shot build gives."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pyoxigraph as ox
import pytest
from rdflib.compare import isomorphic

from kg.entities import resolve_corpus
from kg.graph import to_rdf
from kg.oxi import to_oxigraph_triples
from kg.store import ENTITY_GRAPH, KGStore, document_graph, open_dataset, record_from_json, record_json, split_by_document

TEXTS = {
    "a.txt": "マイクロソフトの会長兼CEOであるサティア・ナデラ氏は、サム・アルトマン氏が同社に加わると発表した。",
    "b.txt": "サム・アルトマン氏はOpenAIのCEOを務めた。OpenAIは対話型AIを開発した。",
    "c.txt": "トヨタ自動車は愛知県豊田市に本社を置く。ソフトバンクグループはトヨタ自動車と提携した。",
}


@pytest.fixture(scope="session")
def records(extract):
    return {doc_id: extract(text, doc_id) for doc_id, text in TEXTS.items()}


def reference(extractions) -> set[str]:
    """What a one-shot build of these documents gives, in the store layout (as N-Quads lines)."""
    res = resolve_corpus([(ex.document.id, ex.entities) for ex in extractions])
    st = ox.Store()
    st.extend(ox.Quad(t.subject, t.predicate, t.object) for t in to_oxigraph_triples(to_rdf(extractions, res)))
    split_by_document(st)
    return {str(q) for q in st}


def quads(path) -> set[str]:
    return {str(q) for q in open_dataset(path)}


def test_store_incremental_adds_equal_one_shot_build_in_any_order(tmp_path, records):
    a, b, c = records["a.txt"], records["b.txt"], records["c.txt"]
    with KGStore(tmp_path / "abc") as st:
        st.add([a, b, c])
    with KGStore(tmp_path / "c-b-a") as st:
        for ex in (c, b, a):
            st.add([ex])
    expected = reference([a, b, c])
    assert quads(tmp_path / "abc") == expected
    assert quads(tmp_path / "c-b-a") == expected


def test_store_keeps_one_named_graph_per_document_and_one_for_entities(tmp_path, records):
    with KGStore(tmp_path / "s") as st:
        st.add(records.values())
    store = open_dataset(tmp_path / "s")
    graphs = {g.value for g in store.named_graphs()}
    assert graphs == {document_graph(d).value for d in TEXTS} | {ENTITY_GRAPH.value}
    ctx = next(store.quads_for_pattern(None, None, ox.Literal("a.txt"), document_graph("a.txt")))
    assert ctx.subject.value.startswith(document_graph("a.txt").value + "#char=0,")


def test_store_readding_unchanged_document_changes_nothing(tmp_path, records):
    with KGStore(tmp_path / "s") as st:
        st.add(records.values())
        before = {str(q) for q in st.ox}
        change = st.add([records["b.txt"]])
        assert change.unchanged == ["b.txt"] and change.rewritten == 0
        assert {str(q) for q in st.ox} == before


def test_store_changed_document_replaces_its_facts(tmp_path, records, extract):
    new_b = extract("OpenAIは対話型AIを開発した。", "b.txt")
    with KGStore(tmp_path / "s") as st:
        st.add(records.values())
        change = st.add([new_b])
        assert change.replaced == ["b.txt"]
    assert quads(tmp_path / "s") == reference([records["a.txt"], new_b, records["c.txt"]])
    assert "CEOを務めた" not in "".join(quads(tmp_path / "s"))


def test_store_remove_deletes_one_documents_contribution(tmp_path, records):
    with KGStore(tmp_path / "s") as st:
        st.add(records.values())
        change = st.remove(["c.txt", "nope.txt"])
        assert change.removed == ["c.txt"] and change.missing == ["nope.txt"]
        assert st.documents() == ["a.txt", "b.txt"]
    got = quads(tmp_path / "s")
    assert got == reference([records["a.txt"], records["b.txt"]])
    assert not any("トヨタ" in q for q in got)  # entities only c.txt mentioned are gone


def test_store_records_round_trip_through_json(records):
    for ex in records.values():
        assert record_from_json(record_json(ex)) == ex


def test_store_rebuilds_from_records_after_an_interrupted_write(tmp_path, records):
    with KGStore(tmp_path / "s") as st:
        st.add(records.values())
    expected = quads(tmp_path / "s")
    # what a kill between "records committed" and "dataset written" leaves: a dirty mark and a
    # dataset that lacks part of the change
    raw = ox.Store(str(tmp_path / "s" / "oxigraph"))
    raw.remove_graph(document_graph("b.txt"))
    raw.flush()
    del raw
    db = sqlite3.connect(tmp_path / "s" / "records.sqlite")
    db.execute("UPDATE meta SET value = '1' WHERE key = 'dirty'")
    db.commit()
    db.close()
    with KGStore(tmp_path / "s"):
        pass
    assert quads(tmp_path / "s") == expected


def test_store_union_is_isomorphic_to_the_built_graph(tmp_path, examples_graph):
    with KGStore(tmp_path / "s") as st:
        st.add(examples_graph.extractions)
    from kg.oxi import restored_triples, to_rdflib_graph

    union = open_dataset(tmp_path / "s").query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
    assert isomorphic(to_rdflib_graph(restored_triples(union)), examples_graph)


def test_store_rejects_a_directory_that_is_not_a_store(tmp_path):
    from kg.errors import StoreError

    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(StoreError, match="not a kg store"):
        KGStore(tmp_path / "other")
    with pytest.raises(StoreError, match="not a kg store"):
        open_dataset(tmp_path / "other")


def kg_cmd(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, input=stdin)


def test_cli_build_store_then_remove(tmp_path):
    for doc_id, text in TEXTS.items():
        (tmp_path / doc_id).write_text(text, encoding="utf-8")
    store = tmp_path / "kg-store"
    res = kg_cmd("build", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "-o", str(tmp_path / "out1"), "--store", str(store), "-q", "--no-html")
    assert res.returncode == 0, res.stderr
    res = kg_cmd("build", str(tmp_path / "c.txt"), "-o", str(tmp_path / "out2"), "--store", str(store), "-q", "--no-html")
    assert res.returncode == 0, res.stderr
    docs = kg_cmd("query", str(store), "documents", "--format", "csv")
    assert docs.stdout.splitlines()[1:] and [l.split(",")[0] for l in docs.stdout.splitlines()[1:]] == ["a.txt", "b.txt", "c.txt"]
    res = kg_cmd("remove", "c.txt", "--store", str(store))
    assert res.returncode == 0, res.stderr
    assert "1 removed" in res.stdout
    docs = kg_cmd("query", str(store), "documents", "--format", "csv")
    assert [l.split(",")[0] for l in docs.stdout.splitlines()[1:]] == ["a.txt", "b.txt"]
    res = kg_cmd("remove", "c.txt", "--store", str(store))
    assert res.returncode == 1 and "c.txt" in res.stderr and "Traceback" not in res.stderr
