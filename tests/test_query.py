"""kg query: SPARQL and ready queries over graph files and stores, every result format."""

from __future__ import annotations

import io
import subprocess
import sys

import pyoxigraph as ox
import pytest
from rdflib import RDF, RDFS, URIRef
from rdflib.namespace import SKOS

from kg import query as q
from kg.errors import QueryError
from kg.store import open_dataset
from kg.vocab import KG, PROV


def kg_cmd(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, input=stdin)


@pytest.fixture(scope="module")
def store(examples_ttl):
    return open_dataset(examples_ttl)


def test_query_every_ready_query_runs_and_is_documented(store):
    ready = q.ready_queries()
    assert {"works-at", "facts-about", "entities-by-degree", "hedged", "attributed", "lookup", "provenance"} <= set(ready)
    for rq in ready.values():
        assert rq.description, rq.name
        q.run(store, rq.name)


def test_query_works_at_lists_every_employment_fact(store, examples_graph):
    rels = {KG.worksFor, KG.ceoOf, KG.presidentOf, KG.chairOf, KG.boardMemberOf}
    expected = {(str(s), str(p), str(o)) for s, p, o in examples_graph if p in rels}
    got = {(r["person"].value, r["relation"].value, r["org"].value) for r in q.run(store, "works-at").rows}
    assert expected and got == expected


def test_query_facts_about_an_entity_by_label_gives_its_statements_with_sentences(store, examples_graph):
    altman = next(s for s, o in examples_graph.subject_objects(RDFS.label) if str(o) == "サム・アルトマン")
    statements = {st for st in examples_graph.subjects(RDF.type, RDF.Statement)
                  if altman in (examples_graph.value(st, RDF.subject), examples_graph.value(st, RDF.object))}
    rows = q.run(store, "facts-about", {"entity": "サム・アルトマン"}).rows
    assert statements and len(rows) == len(statements)
    sentences = {str(examples_graph.value(examples_graph.value(st, PROV.wasDerivedFrom), URIRef(
        "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#anchorOf"))) for st in statements}
    assert {r["sentence"].value for r in rows} == sentences


def test_query_lookup_finds_an_entity_by_alias(store, examples_graph):
    s, alias = next(iter(examples_graph.subject_objects(SKOS.altLabel)))
    rows = q.run(store, "lookup", {"name": str(alias)}).rows
    assert {r["entity"].value for r in rows} == {str(s)}


def test_query_entities_lists_every_entity_with_its_classes_aliases_and_mentions(store, examples_graph):
    entities = {s for s in examples_graph.subjects(KG.mentionCount)}
    rows = {r["entity"].value: r for r in q.run(store, "entities").rows}
    assert entities and set(rows) == {str(e) for e in entities}
    for e in entities:
        r = rows[str(e)]
        assert r["label"].value == str(examples_graph.value(e, RDFS.label))
        aliases = set(r["aliases"].value.split(", ")) if r["aliases"] is not None else set()  # unbound: none
        assert aliases == {str(a) for a in examples_graph.objects(e, SKOS.altLabel)}
        assert {f"{KG}{c}" for c in r["classes"].value.split(", ")} == {str(c) for c in examples_graph.objects(e, RDF.type)}
        assert int(r["mentions"].value) == int(examples_graph.value(e, KG.mentionCount))
    people = {r["entity"].value for r in q.run(store, "entities", {"class": "kg:Person"}).rows}
    assert people == {str(e) for e in entities if (e, RDF.type, KG.Person) in examples_graph}


def test_query_provenance_gives_the_statement_behind_a_fact(store, examples_graph):
    s, o = next(iter(examples_graph.subject_objects(KG.worksFor)))
    rows = q.run(store, "provenance", {"subject": str(s), "relation": "kg:worksFor", "object": str(o)}).rows
    assert rows and all(examples_graph.value(URIRef(r["statement"].value), RDF.subject) == s for r in rows)


def test_query_entities_by_degree_agrees_with_stats(store):
    from kg.analysis import entity_graph, fact_degree

    degree = fact_degree(entity_graph(store))
    rows = q.run(store, "entities-by-degree").rows
    assert rows and all(degree[r["entity"].value] == int(r["degree"].value) for r in rows)
    assert [int(r["degree"].value) for r in rows] == sorted((int(r["degree"].value) for r in rows), reverse=True)


def test_query_unknown_entity_or_parameter_is_a_clear_error(store):
    with pytest.raises(QueryError, match="no entity is labelled"):
        q.run(store, "facts-about", {"entity": "存在しない人物"})
    with pytest.raises(QueryError, match="no parameter 'who'"):
        q.run(store, "works-at", {"who": "x"})


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_query_result_formats_parse_back_to_the_same_rows(store, fmt):
    result = q.run(store, "SELECT ?e ?label ?n WHERE { ?e rdfs:label ?label ; kg:mentionCount ?n } ORDER BY ?e")
    buf = io.BytesIO()
    q.write_results(result, fmt, buf)
    assert result.rows
    if fmt == "csv":  # CSV keeps values only (pyoxigraph does not parse it back)
        import csv

        rows = list(csv.reader(io.StringIO(buf.getvalue().decode("utf-8"))))
        assert rows[0] == result.variables
        assert rows[1:] == [[r[v].value for v in result.variables] for r in result.rows]
        return
    parsed = list(ox.parse_query_results(buf.getvalue(), format=getattr(ox.QueryResultsFormat, fmt.upper())))
    assert [[p[v] for v in result.variables] for p in parsed] == [[r[v] for v in result.variables] for r in result.rows]


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_query_ask_result_formats(store, fmt):
    buf = io.BytesIO()
    q.write_results(q.run(store, "ASK { ?s a kg:Person }"), fmt, buf)
    if fmt in ("json", "xml"):
        assert bool(ox.parse_query_results(buf.getvalue(), format=getattr(ox.QueryResultsFormat, fmt.upper()))) is True
    else:
        assert buf.getvalue().splitlines()[-1] == b"true"


@pytest.mark.parametrize("query, where", [
    ("SELECT * WHERE { ?s ?p }", "line 1, column 25"),
    ("SELECT ?s WHERE {\n  ?s foo:bar ?o\n}", "line 2, column"),
    ("SELEKT ?s WHERE { ?s ?p ?o }", "line 1, column 1"),
])
def test_cli_query_invalid_sparql_is_one_line_with_position(examples_ttl, query, where):
    res = kg_cmd("query", str(examples_ttl), query)
    assert res.returncode == 1
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and where in lines[0] and "Traceback" not in res.stderr


def test_cli_query_update_is_refused_with_a_hint(examples_ttl):
    res = kg_cmd("query", str(examples_ttl), "INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    assert res.returncode == 1 and "Update" in res.stderr


def test_cli_query_reads_stdin_files_and_ready_queries(examples_ttl, tmp_path):
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?s a nif:Context }"
    rq = tmp_path / "count.rq"
    rq.write_text(text, encoding="utf-8")
    by_stdin = kg_cmd("query", str(examples_ttl), "-", "-f", "csv", stdin=text)
    by_file = kg_cmd("query", str(examples_ttl), f"@{rq}", "-f", "csv")
    assert by_stdin.returncode == 0 and by_stdin.stdout == by_file.stdout
    assert by_stdin.stdout.splitlines()[1] == "4"  # the bundled examples are 4 documents
    listing = kg_cmd("query", "--list")
    assert "works-at" in listing.stdout and "-p entity=" in listing.stdout
    table = kg_cmd("query", str(examples_ttl), "facts-about", "-p", "entity=サム・アルトマン")
    assert table.returncode == 0 and "サム・アルトマン" in table.stdout


def test_cli_query_missing_graph_is_one_line(tmp_path):
    res = kg_cmd("query", str(tmp_path / "nope.ttl"), "works-at")
    assert res.returncode == 1 and "nope.ttl" in res.stderr and "Traceback" not in res.stderr
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .", encoding="utf-8")
    res = kg_cmd("query", str(bad), "works-at")
    assert res.returncode == 1 and "bad.ttl" in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_query_runs_on_a_built_graph_in_memory_and_gives_readable_records(examples_graph):
    from kg.store import dataset_from_graph

    result = q.run(dataset_from_graph(examples_graph), "works-at")
    records = result.records()
    assert records and all(r["person"].startswith("person:") and r["relation"].startswith("kg:") for r in records)
    frame = result.to_pandas()
    assert list(frame.columns) == result.variables and len(frame) == len(records)
