"""kg push: the Graph Store Protocol against a real Oxigraph server started on 127.0.0.1."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.export import export_bytes
from kg.oxi import restored_triples
from kg.store import KGStore, document_graph, open_dataset


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def oxigraph_server(tmp_path):
    exe = Path(sys.executable).with_name("oxigraph")
    binary = str(exe) if exe.exists() else shutil.which("oxigraph")
    assert binary, "the oxigraph server (PyPI package oxigraph, in the test extras) is not installed"
    port = free_port()
    proc = subprocess.Popen([binary, "serve", "--location", str(tmp_path / "oxdb"), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/query?query=ASK%7B%7D", timeout=1).read()
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"oxigraph serve exited: {proc.stderr.read().decode()}")
            time.sleep(0.1)
    yield base
    proc.terminate()
    proc.wait(10)


def server_graphs(base: str) -> dict[str, set[str]]:
    """Every named graph on the server, as sets of N-Triples lines (datatypes restored)."""
    q = urllib.parse.urlencode({"query": "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"})
    req = urllib.request.Request(f"{base}/query?{q}", headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        rows = list(ox.parse_query_results(r.read(), format=ox.QueryResultsFormat.JSON))
    out: dict[str, set[str]] = {}
    for row in rows:
        (t,) = restored_triples([ox.Triple(row["s"], row["p"], row["o"])])
        out.setdefault(row["g"].value, set()).add(str(t))
    return out


def local_graphs(source) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for qd in ox.parse(export_bytes(open_dataset(source), "nquads"), format=ox.RdfFormat.N_QUADS):
        out.setdefault(qd.graph_name.value, set()).add(str(ox.Triple(qd.subject, qd.predicate, qd.object)))
    return out


def kg_push(source, endpoint):
    return subprocess.run([sys.executable, "-m", "kg", "push", str(source), "--endpoint", endpoint],
                          capture_output=True, text=True)


def test_push_loads_one_named_graph_per_document_and_is_idempotent(oxigraph_server, examples_ttl):
    res = kg_push(examples_ttl, oxigraph_server + "/store")
    assert res.returncode == 0, res.stderr
    expected = local_graphs(examples_ttl)
    assert server_graphs(oxigraph_server) == expected
    again = kg_push(examples_ttl, oxigraph_server + "/store")
    assert again.returncode == 0 and server_graphs(oxigraph_server) == expected


def test_push_of_a_changed_document_replaces_its_graph(oxigraph_server, tmp_path, examples_graph):
    exs = examples_graph.extractions
    with KGStore(tmp_path / "s") as st:
        st.add(exs)
    assert kg_push(tmp_path / "s", oxigraph_server + "/store").returncode == 0
    before = server_graphs(oxigraph_server)
    first = next(ex for ex in exs if ex.facts)
    changed = type(first)(first.document, first.sentences, first.mentions, first.entities, first.facts[1:])
    with KGStore(tmp_path / "s") as st:
        assert st.add([changed]).replaced == [first.document.id]
    assert kg_push(tmp_path / "s", oxigraph_server + "/store").returncode == 0
    after = server_graphs(oxigraph_server)
    assert after == local_graphs(tmp_path / "s") and after != before


def test_push_to_nothing_listening_is_a_one_line_error(examples_ttl):
    res = kg_push(examples_ttl, f"http://127.0.0.1:{free_port()}/store")
    assert res.returncode == 1 and "cannot reach" in res.stderr and "Traceback" not in res.stderr


def test_push_error_status_names_the_graph(oxigraph_server, examples_ttl):
    res = kg_push(examples_ttl, oxigraph_server + "/query")  # not a Graph Store endpoint
    assert res.returncode == 1 and "HTTP" in res.stderr and "Traceback" not in res.stderr


def test_push_prune_deletes_graphs_of_removed_documents_only(oxigraph_server, tmp_path, examples_graph):
    exs = examples_graph.extractions
    with KGStore(tmp_path / "s") as st:
        st.add(exs)
    store_ep = oxigraph_server + "/store"
    assert kg_push(tmp_path / "s", store_ep).returncode == 0
    other = "http://example.org/not-a-document"  # someone else's graph on the same server
    req = urllib.request.Request(f"{store_ep}?graph={urllib.parse.quote(other, safe='')}", method="PUT",
                                 data=b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n",
                                 headers={"Content-Type": "application/n-triples"})
    urllib.request.urlopen(req, timeout=10).read()
    gone = exs[0].document.id
    with KGStore(tmp_path / "s") as st:
        assert st.remove([gone]).removed == [gone]
    kept = kg_push(tmp_path / "s", store_ep)  # without --prune the removed document stays
    assert kept.returncode == 0 and document_graph(gone).value in server_graphs(oxigraph_server)
    res = subprocess.run([sys.executable, "-m", "kg", "push", str(tmp_path / "s"), "--endpoint", store_ep, "--prune"],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "deleted 1 graphs" in res.stdout
    after = server_graphs(oxigraph_server)
    assert set(after) == set(local_graphs(tmp_path / "s")) | {other}
    assert {g: t for g, t in after.items() if g != other} == local_graphs(tmp_path / "s")


def test_push_prune_without_a_known_query_endpoint_is_a_one_line_error(examples_ttl):
    res = subprocess.run([sys.executable, "-m", "kg", "push", str(examples_ttl), "--endpoint",
                          f"http://127.0.0.1:{free_port()}/gsp", "--prune"], capture_output=True, text=True)
    assert res.returncode == 1 and "--sparql" in res.stderr and "Traceback" not in res.stderr
