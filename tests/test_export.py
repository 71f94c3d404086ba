"""kg export: every RDF export parses back (rdflib and pyoxigraph) to an isomorphic graph."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from kg.export import EXPORT_FORMATS, export, export_bytes, export_source_bytes
from kg.oxi import from_ox
from kg.store import ENTITY_GRAPH, document_graph, open_dataset
from kg.vocab import relations

RDF_FORMATS = {"turtle": "turtle", "ntriples": "nt", "trig": "trig", "nquads": "nquads", "jsonld": "json-ld"}
QUAD_FORMATS = ("trig", "nquads", "jsonld")


def parse_rdflib(data: bytes, fmt: str) -> tuple[rdflib.Graph, dict[str, rdflib.Graph]]:
    ds = rdflib.Dataset()
    ds.parse(data=data, format=RDF_FORMATS[fmt])
    union, graphs = rdflib.Graph(), {}
    for s, p, o, c in ds.quads((None, None, None, None)):
        union.add((s, p, o))
        name = str(c.identifier if hasattr(c, "identifier") else c)
        graphs.setdefault(name, rdflib.Graph()).add((s, p, o))
    return union, graphs


def parse_oxigraph(data: bytes, fmt: str) -> tuple[rdflib.Graph, dict[str, rdflib.Graph]]:
    fmts = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "trig": ox.RdfFormat.TRIG,
            "nquads": ox.RdfFormat.N_QUADS, "jsonld": ox.RdfFormat.JSON_LD}
    union, graphs = rdflib.Graph(), {}
    for qd in ox.parse(data, format=fmts[fmt]):
        t = (from_ox(qd.subject), from_ox(qd.predicate), from_ox(qd.object))
        union.add(t)
        name = qd.graph_name.value if isinstance(qd.graph_name, ox.NamedNode) else ""
        graphs.setdefault(name, rdflib.Graph()).add(t)
    return union, graphs


@pytest.fixture(scope="module", params=["file", "store"])
def source(request, examples_ttl, examples_store):
    return examples_ttl if request.param == "file" else examples_store


@pytest.mark.parametrize("fmt", list(RDF_FORMATS))
@pytest.mark.parametrize("parser", [parse_rdflib, parse_oxigraph])
def test_export_round_trips_to_an_isomorphic_graph(source, examples_graph, fmt, parser):
    data = export_source_bytes(source, fmt)
    union, graphs = parser(data, fmt)
    assert len(union) == len(examples_graph)
    assert isomorphic(union, examples_graph)
    if fmt in QUAD_FORMATS:
        named = {g for g in graphs if g.startswith("http")}
        docs = {document_graph(ex.document.id).value for ex in examples_graph.extractions}
        assert named == docs | {ENTITY_GRAPH.value}


def test_export_named_graphs_hold_each_documents_contribution(examples_ttl, examples_graph):
    _union, graphs = parse_oxigraph(export_source_bytes(examples_ttl, "nquads"), "nquads")
    for ex in examples_graph.extractions:
        g = graphs[document_graph(ex.document.id).value]
        texts = [str(o) for o in g.objects(None, rdflib.URIRef("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#isString"))]
        assert texts == [ex.document.text]


@pytest.mark.parametrize("fmt", QUAD_FORMATS)
def test_export_of_a_graph_file_has_the_store_layout(examples_ttl, examples_store, fmt):
    """graph.ttl split by document as it streams (no store) gives the named graphs the store
    writes, and a dataset file converts straight through to the same graphs."""
    _u, from_store = parse_oxigraph(export_source_bytes(examples_store, fmt), fmt)
    _u, from_file = parse_oxigraph(export_source_bytes(examples_ttl, fmt), fmt)
    assert from_file.keys() == from_store.keys()
    assert all(isomorphic(from_file[g], from_store[g]) for g in from_store)
    for ext in ("nq", "trig"):
        dataset = examples_ttl.with_name(f"dataset-{fmt}.{ext}")
        dataset.write_bytes(export_source_bytes(examples_store, "nquads" if ext == "nq" else ext))
        _u, again = parse_oxigraph(export_source_bytes(dataset, fmt), fmt)
        assert again.keys() == from_store.keys() and all(isomorphic(again[g], from_store[g]) for g in from_store)


def test_export_in_memory_split_matches_the_streamed_one(examples_ttl):
    from kg.store import split_by_document

    store = open_dataset(examples_ttl)
    split_by_document(store)
    _u, split = parse_oxigraph(store.dump(format=ox.RdfFormat.N_QUADS), "nquads")
    _u, streamed = parse_oxigraph(export_source_bytes(examples_ttl, "nquads"), "nquads")
    assert split.keys() == streamed.keys()
    # the in-memory store canonicalises literal datatypes; compare the graphs' shapes through them
    assert all(len(split[g]) == len(streamed[g]) for g in split)


@pytest.mark.parametrize("fmt", list(RDF_FORMATS))
def test_export_of_a_broken_graph_file_is_a_one_line_error(tmp_path, fmt):
    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://a> <http://b> <http://c> .\n<http://a> <http://b> .\n", encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "kg", "export", str(bad), "-f", fmt, "-o", str(tmp_path / "out")],
                         capture_output=True, text=True)
    assert res.returncode == 1 and "Traceback" not in res.stderr, res.stderr
    lines = [l for l in res.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and "bad.ttl" in lines[0] and "line 2" in lines[0]
    assert not (tmp_path / "out").exists()


def test_export_is_deterministic(examples_store):
    for fmt in ("turtle", "trig", "nquads"):
        assert export_bytes(open_dataset(examples_store), fmt) == export_bytes(open_dataset(examples_store), fmt)


def test_export_jsonld_has_a_context_and_compact_iris(examples_ttl):
    data = export_bytes(open_dataset(examples_ttl), "jsonld").decode("utf-8")
    assert data.startswith('{"@context":{"kg":"https://w3id.org/kg-ja/ns#"')
    assert '"kg:worksFor"' in data or '"kg:ceoOf"' in data
    assert '"https://w3id.org/kg-ja/ns#' not in data.split(',"@graph":', 1)[1]


def test_export_graphml_and_csv_hold_entities_and_direct_facts(examples_ttl, examples_graph, tmp_path):
    rel_iris = {r.iri for r in relations().values()}
    facts = {(str(s), str(p), str(o)) for s, p, o in examples_graph if p in rel_iris}
    store = open_dataset(examples_ttl)
    export(store, "graphml", tmp_path / "g.graphml")
    g = nx.read_graphml(tmp_path / "g.graphml")
    assert {(s, d["relation"], o) for s, o, d in g.edges(data=True)} == facts
    labels = {str(s): str(o) for s, o in examples_graph.subject_objects(rdflib.RDFS.label)}
    assert all(g.nodes[n]["label"] == labels[n] for n in g.nodes)
    rows = list(csv.DictReader(io.StringIO(export_bytes(store, "csv").decode("utf-8"))))
    assert {(r["source"], r["relation"], r["target"]) for r in rows} == facts
    assert all(int(r["statements"]) >= 1 for r in rows)


def test_cli_export_picks_format_from_extension_and_names_bad_ones(examples_ttl, tmp_path):
    for fmt, ext in EXPORT_FORMATS.items():
        res = subprocess.run([sys.executable, "-m", "kg", "export", str(examples_ttl), "-o", str(tmp_path / f"x{ext}")],
                             capture_output=True, text=True)
        assert res.returncode == 0, (fmt, res.stderr)
        assert (tmp_path / f"x{ext}").stat().st_size > 100
    res = subprocess.run([sys.executable, "-m", "kg", "export", str(examples_ttl), "-o", str(tmp_path / "x.docx")],
                         capture_output=True, text=True)
    assert res.returncode == 1 and "--format" in res.stderr and "Traceback" not in res.stderr


TRICKY = [
    'line one\nline two\t"quoted" nif:beginIndex 5 ;',
    '\tkg:confidence "1"^^xsd:decimal ;',
    '{"https://w3id.org/kg-ja/ns#confidence":[{"@type":"http://www.w3.org/2001/XMLSchema#decimal","@value":"1"}]}',
    '<http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#beginIndex> "5"^^<http://www.w3.org/2001/XMLSchema#integer>',
]


@pytest.mark.parametrize("fmt", list(RDF_FORMATS))
def test_export_restores_datatypes_the_store_canonicalises_and_leaves_text_alone(fmt):
    """pyoxigraph's store keeps "7"^^xsd:nonNegativeInteger as xsd:integer and "1.0" decimals as
    "1"; exports give the builder's terms back, and literal text that looks like them is untouched."""
    from decimal import Decimal

    from rdflib import XSD, Literal, URIRef

    from kg.vocab import KG, NIF

    g = rdflib.Graph()
    doc = URIRef("https://w3id.org/kg-ja/id/doc/t.txt#char=0,9")
    st = URIRef("https://w3id.org/kg-ja/id/doc/t.txt#fact-1")
    ent = URIRef("https://w3id.org/kg-ja/id/entity/Person/テスト")
    g.add((doc, NIF.beginIndex, Literal(0, datatype=XSD.nonNegativeInteger)))
    g.add((doc, NIF.endIndex, Literal(9, datatype=XSD.nonNegativeInteger)))
    g.add((st, KG.confidence, Literal(Decimal("1.0"), datatype=XSD.decimal)))
    g.add((st, KG.rule, Literal("x.v1")))
    g.add((ent, KG.mentionCount, Literal(12, datatype=XSD.nonNegativeInteger)))
    for i, text in enumerate(TRICKY):
        g.add((ent, rdflib.RDFS.comment, Literal(text, lang="ja" if i % 2 else None)))
    store = ox.Store()
    from kg.oxi import to_oxigraph_triples

    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in to_oxigraph_triples(g))
    for parser in (parse_rdflib, parse_oxigraph):
        union, _graphs = parser(export_bytes(store, fmt), fmt)
        assert isomorphic(union, g), (fmt, parser.__name__)


def test_export_jsonld_leaves_text_that_starts_with_a_namespace_alone():
    from rdflib import Literal, URIRef

    from kg.vocab import KG

    g = rdflib.Graph()
    ent = URIRef("https://w3id.org/kg-ja/id/entity/Person/テスト")
    g.add((ent, KG.reading, Literal("https://w3id.org/kg-ja/ns#worksFor")))
    g.add((ent, KG.reading, Literal("http://www.w3.org/2001/XMLSchema#integer")))
    g.add((ent, rdflib.RDFS.label, Literal("テスト", lang="ja")))
    from kg.store import dataset_from_graph

    data = export_bytes(dataset_from_graph(g), "jsonld")
    assert '"person:テスト"' in data.decode("utf-8")
    for parser in (parse_rdflib, parse_oxigraph):
        union, _graphs = parser(data, "jsonld")
        assert isomorphic(union, g)
