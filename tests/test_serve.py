"""kg serve: the SPARQL 1.1 Protocol over real HTTP on 127.0.0.1, with real worker processes."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest

from kg.serve import Response, make_server, serve_in_thread


@pytest.fixture(scope="module")
def server(examples_ttl):
    srv = make_server(examples_ttl, port=0, timeout=3, max_results=5, max_body=4096, workers=1)
    serve_in_thread(srv)
    yield srv
    srv.shutdown()
    srv.server_close()


def http(url, *, data=None, headers=None, method=None):
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def get(server, query, accept=None, **params):
    qs = urllib.parse.urlencode({"query": query, **params}, doseq=True)
    return http(f"{server.url}/sparql?{qs}", headers={"Accept": accept} if accept else {})


COUNT_PERSONS = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a kg:Person }"


def test_serve_listens_on_loopback_by_default(server):
    assert server.server_address[0] == "127.0.0.1"


@pytest.mark.parametrize("accept, fmt", [
    (None, ox.QueryResultsFormat.JSON),
    ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
])
def test_serve_select_by_content_negotiation(server, examples_graph, accept, fmt):
    from rdflib import RDF

    from kg.vocab import KG

    status, headers, body = get(server, COUNT_PERSONS, accept)
    assert status == 200
    (row,) = list(ox.parse_query_results(body, format=fmt))
    assert int(row["n"].value) == len(set(examples_graph.subjects(RDF.type, KG.Person)))


def test_serve_csv_and_post_forms(server):
    body = urllib.parse.urlencode({"query": "SELECT ?d WHERE { ?c dcterms:identifier ?d } ORDER BY ?d"}).encode()
    status, headers, data = http(f"{server.url}/sparql", data=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Accept": "text/csv"})
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert data.decode().splitlines()[0] == "d" and len(data.decode().splitlines()) == 5
    status, _h, data = http(f"{server.url}/sparql", data=b"ASK { ?s a nif:Context }",
                            headers={"Content-Type": "application/sparql-query"})
    assert status == 200 and json.loads(data)["boolean"] is True


def test_serve_construct_gives_turtle_with_the_builders_datatypes(server):
    status, headers, data = get(server, "CONSTRUCT WHERE { ?s nif:beginIndex ?b } LIMIT 3")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    triples = list(ox.parse(data, format=ox.RdfFormat.TURTLE))
    assert triples and all(t.object.datatype.value.endswith("#nonNegativeInteger") for t in triples)


def test_serve_caps_results_and_says_so(server):
    status, headers, data = get(server, "SELECT ?s WHERE { ?s ?p ?o }")
    assert status == 200 and headers.get("X-KG-Truncated") == "true"
    assert len(json.loads(data)["results"]["bindings"]) == 5


def test_serve_stops_a_query_past_the_time_limit_and_keeps_serving(server):
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    status, _h, data = get(server, slow)
    assert status == 503 and b"time limit" in data
    assert get(server, COUNT_PERSONS)[0] == 200


def test_serve_is_read_only_by_default(server):
    body = urllib.parse.urlencode({"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}).encode()
    status, _h, data = http(f"{server.url}/sparql", data=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403 and b"--allow-update" in data


@pytest.mark.parametrize("make, status, words", [
    (lambda s: get(s, "SELECT * WHERE { ?s ?p }"), 400, b"line 1, column"),
    (lambda s: http(f"{s.url}/sparql"), 400, b"missing query"),
    (lambda s: http(f"{s.url}/sparql?query=ASK%7B%7D&query=ASK%7B%7D"), 400, b"more than one"),
    (lambda s: http(f"{s.url}/sparql", data=b"x", headers={"Content-Type": "text/plain"}), 415, b"Content-Type"),
    (lambda s: http(f"{s.url}/sparql", data=b"q" * 5000, headers={"Content-Type": "application/sparql-query"}), 413, b"limit"),
    (lambda s: get(s, COUNT_PERSONS, "image/png"), 406, b"cannot answer"),
    (lambda s: http(f"{s.url}/nothing-here"), 404, b"no page"),
    (lambda s: http(f"{s.url}/sparql", method="DELETE"), 405, b"GET or POST"),
])
def test_serve_malformed_requests_get_a_status_and_a_message(server, make, status, words):
    got, _h, body = make(server)
    assert got == status and words in body


def test_serve_pages_can_be_mounted_but_not_over_sparql(server):
    seen = []

    def page(request):
        seen.append(request.path)
        return Response(200, b"<p>editor</p>", "text/html; charset=utf-8")

    server.app.mount("/editor", page)
    status, _h, body = http(f"{server.url}/editor")
    assert status == 200 and body == b"<p>editor</p>" and seen == ["/editor"]
    assert b"/editor" in http(f"{server.url}/")[2]
    with pytest.raises(ValueError):
        server.app.mount("/sparql", page)


def test_serve_allow_update_applies_updates_to_a_store_copy(examples_store, tmp_path):
    import shutil

    store = tmp_path / "copy"
    shutil.copytree(examples_store, store)
    srv = make_server(store, port=0, allow_update=True, timeout=10)
    serve_in_thread(srv)
    try:
        body = urllib.parse.urlencode({"update": "INSERT DATA { GRAPH <urn:g> { <urn:a> rdfs:label \"試験\"@ja } }"}).encode()
        status, _h, _d = http(f"{srv.url}/sparql", data=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 204
        _s, _h, data = get(srv, "SELECT ?l WHERE { <urn:a> rdfs:label ?l }")
        assert json.loads(data)["results"]["bindings"][0]["l"]["value"] == "試験"
    finally:
        srv.shutdown()
        srv.server_close()


def test_cli_serve_prints_its_url_and_answers(examples_ttl):
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", str(examples_ttl), "--port", "0", "--workers", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        url = line.split(" at ", 1)[1].split()[0]
        assert url.startswith("http://127.0.0.1:") and url.endswith("/sparql")
        with urllib.request.urlopen(url + "?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}), timeout=30) as r:
            assert json.loads(r.read())["boolean"] is True
    finally:
        proc.terminate()
        proc.wait(10)
