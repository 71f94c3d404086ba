"""The SPARQL page's graph route: query result rows to view data, against a real pyoxigraph store."""

from __future__ import annotations

import io
import json
import re

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef

from kg.errors import QueryError
from kg.oxi import to_oxigraph_triples, to_rdflib_graph
from kg.query import run, write_results
from kg.view.pages import DEFAULT_QUERY, describe_queries, graph_for_rows, query_page_html, rows_from_request
from kg.vocab import KG, relations

ALTMAN = "https://w3id.org/kg-ja/id/entity/Person/サム・アルトマン"


@pytest.fixture(scope="module")
def seed_store(seed_graph):
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in to_oxigraph_triples(seed_graph))
    return store


def select_rows(store, query: str, cols=("s", "p", "o")) -> list[list[dict]]:
    """A SELECT's rows as the endpoint's SPARQL 1.1 JSON results give them to the page."""
    buf = io.BytesIO()
    write_results(run(store, query, sparql_only=True), "json", buf)
    return [[row.get(c) for c in cols] for row in json.loads(buf.getvalue())["results"]["bindings"]]


def run_construct(store):
    return lambda q: to_rdflib_graph(store.query(q))


def test_view_query_default_query_rows_become_entities_coloured_by_class_with_facts(seed_store, seed_graph):
    rows = rows_from_request({"rows": select_rows(seed_store, DEFAULT_QUERY)})
    data = graph_for_rows(rows, run_construct(seed_store))
    symmetric = {str(r.iri) for r in relations().values() if r.symmetric}
    assert len(data["edges"]) == len({(min(s, o), p, max(s, o)) if str(p) in symmetric else (s, p, o) for s, p, o in rows}) > 0
    altman = next(e for e in data["entities"] if e["iri"] == ALTMAN)
    assert altman["cls"] == "Person" and "Sam Altman" in altman["alt"]
    works = next(e for e in data["edges"] if data["entities"][e["f"]]["iri"] == ALTMAN and e["r"] == "worksFor")
    assert works["k"] == "asserted" and works["facts"]
    sentence = data["sentences"][data["facts"][works["facts"][0]]["sen"]][2]
    assert "Microsoft" in sentence or "マイクロソフト" in sentence


def test_view_query_rows_of_negated_statements_are_drawn_as_negated(seed_store):
    query = """PREFIX kg: <https://w3id.org/kg-ja/ns#> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
    SELECT ?s ?p ?o WHERE { ?st kg:negated true ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o }"""
    rows = rows_from_request({"rows": select_rows(seed_store, query)})
    assert rows
    data = graph_for_rows(rows, run_construct(seed_store))
    # a triple the article also states plainly (Microsoft investorIn OpenAI) is drawn as asserted
    direct = {(r[0]["value"], r[1]["value"], r[2]["value"]) for r in select_rows(
        seed_store, "SELECT ?s ?p ?o WHERE { ?s ?p ?o . ?st <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> ?s ; "
                    "<http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> ?p ; <http://www.w3.org/1999/02/22-rdf-syntax-ns#object> ?o }")}
    iris = [e["iri"] for e in data["entities"]]
    kinds = {(iris[e["f"]], e["r"], iris[e["t"]]): e["k"] for e in data["edges"]}
    assert "negated" in kinds.values() and data["showOther"] is True
    for (s, r, o), k in kinds.items():
        stated = any(ds == s and dp.endswith("#" + r) and do == o for ds, dp, do in direct)
        assert k == ("asserted" if stated else "negated"), (s, r, o, k)


def test_view_query_construct_triples_and_literal_nodes(seed_store, seed_graph):
    text = ox.serialize(list(seed_store.query(
        "CONSTRUCT { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } LIMIT 3")),
        format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    rows = rows_from_request({"ntriples": text})
    data = graph_for_rows(rows, run_construct(seed_store))
    literals = [e for e in data["entities"] if e["cls"] == ""]
    assert len(literals) == 3 and data["classes"][""]["en"] == "other"
    assert set(data["relations"]) == {"rdfs:label"}


@pytest.mark.parametrize("payload", [[], {"rows": "x"}, {"rows": [[1, 2]]}, {"rows": [[{"type": "uri"}, None, None]]},
                                     {"ntriples": "<a> <b> ."}])
def test_view_query_bad_graph_request_is_a_query_error(payload):
    with pytest.raises(QueryError):
        rows_from_request(payload)


def test_view_query_describing_queries_escape_terms_from_the_data(seed_store):
    evil = Literal('x" } } ; DELETE WHERE { ?a ?b ?c } #', lang="ja")
    rows = [(URIRef(ALTMAN), KG.worksFor, URIRef("https://w3id.org/kg-ja/id/entity/Organization/Microsoft")),
            (URIRef(ALTMAN), URIRef("http://www.w3.org/2000/01/rdf-schema#label"), evil),
            (URIRef("http://example.org/a>b"), KG.worksFor, URIRef(ALTMAN))]
    queries = describe_queries(rows)
    for q in queries:
        list(seed_store.query(q))  # each parses and runs: the quote is escaped, the unsafe IRI left out
        assert "a>b" not in q
    assert any('x\\" } }' in q for q in queries)

def test_view_query_page_talks_only_to_its_own_server_and_inlines_everything():
    page = query_page_html(examples=[("works-at", "who works where", "SELECT * {}")])
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)
    assert "connect-src 'self'" in csp and "default-src 'none'" in csp
    assert not re.search(r"""<(?:script|link|img)[^>]*\s(?:src|href)\s*=""", page, re.I)
    assert "works-at" in page and "/sparql" in page and "/query/graph" in page


# ---------------------------------------------------------------- the page served by kg serve, in Chromium


@pytest.fixture(scope="module")
def served(seed_graph, tmp_path_factory):
    from kg.serve import make_server, serve_in_thread

    path = tmp_path_factory.mktemp("served") / "graph.ttl"
    seed_graph.serialize(path, format="turtle")
    srv = make_server(path, port=0, workers=1)
    serve_in_thread(srv)
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def query_page(served):
    from test_view_browser import CHROMIUM, CHROMIUM_ARGS  # noqa: I001 - tests/ is on sys.path
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.requests, page.errors = [], []
        page.on("request", lambda r: page.requests.append(r.url))
        page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.goto(f"{served.url}/query")
        yield page
        browser.close()


def test_view_query_page_runs_a_query_shows_a_table_and_the_same_graph_view(query_page, served, seed_graph):
    from test_view_browser import ARTIFACTS

    page = query_page
    page.click(".kg-q-run")
    page.wait_for_selector(".kg-q-table")
    expected = {(str(s), str(p), str(o)) for s, p, o in seed_graph
                if str(p).startswith("https://w3id.org/kg-ja/ns#") and all(str(x).startswith("https://w3id.org/kg-ja/id/entity/") for x in (s, o))}
    assert page.locator(".kg-q-table tbody tr").count() == len(expected) > 0
    assert "person:サム・アルトマン" in page.locator(".kg-q-table").inner_text()
    page.click(".kg-q-show-graph")
    page.wait_for_selector(".kg-q-graph[data-kg-ready]")
    nodes = page.evaluate("kgView.nodes.get({filter: n => !n.hidden}).map(n => kgView.data.entities[n.id].iri)")
    assert set(nodes) == {x for s, _, o in expected for x in (s, o)}
    i = page.evaluate("kgView.data.entities.findIndex(e => e.label === 'サム・アルトマン')")
    page.evaluate("i => kgView.network.focus(i, {scale: 1.5})", i)
    box = page.locator(".kg-q-graph .kg-canvas").bounding_box()
    xy = page.evaluate("i => kgView.network.canvasToDOM(kgView.network.getPositions([i])[i])", i)
    page.mouse.click(box["x"] + xy["x"], box["y"] + xy["y"])
    panel = page.locator(".kg-q-graph .kg-panel")
    assert "ChatGPTの生みの親であるサム・アルトマン" in panel.locator(".kg-sentence mark").all_inner_texts()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "query.png"))
    assert all(u.startswith(served.url) for u in page.requests)
    assert page.errors == []


def test_view_query_page_ready_queries_fill_the_editor_and_bad_sparql_says_where(query_page):
    page = query_page
    from kg.query import ready_queries

    names = [o.split(" — ")[0] for o in page.locator(".kg-q-examples option").all_inner_texts()[1:]]
    assert names == list(ready_queries())
    page.select_option(".kg-q-examples", index=1)
    assert page.input_value(".kg-q-editor") == next(iter(ready_queries().values())).text
    page.fill(".kg-q-editor", "SELEC ?x WHERE { ?x ?y ?z }")
    page.click(".kg-q-run")
    error = page.locator(".kg-q-status.kg-q-error")
    error.wait_for()
    assert "line 1, column" in error.inner_text()
    assert page.locator(".kg-q-show-graph").is_disabled()
    assert [e for e in page.errors if "status of 400" not in e] == []


def test_view_query_graph_route_rejects_what_is_not_json_rows(served):
    import urllib.error
    import urllib.request

    for body in (b"not json", b'{"rows": 3}', b'{"ntriples": "<a> <b> ."}'):
        req = urllib.request.Request(f"{served.url}/query/graph", data=body, headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(req, timeout=30)
        assert e.value.code == 400 and e.value.read().decode("utf-8").strip()
