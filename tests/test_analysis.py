"""kg stats, kg path, kg validate over graph files and stores."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import networkx as nx
import pytest
import rdflib
from rdflib import RDF

from kg.analysis import entity_graph, shortest_chains, stats, unmapped
from kg.store import open_dataset
from kg.validate import validate_store
from kg.vocab import KG, NIF, relations


def kg_cmd(*args):
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True)


def test_stats_counts_match_the_graph(examples_store, examples_graph):
    st = stats(open_dataset(examples_store))
    g = examples_graph
    assert st.counts["documents"] == len(set(g.subjects(RDF.type, NIF.Context))) == 4
    assert st.counts["sentences"] == len(set(g.subjects(RDF.type, NIF.Sentence)))
    assert st.counts["mentions"] == len(set(g.subjects(RDF.type, NIF.Phrase)))
    assert st.counts["statements"] == len(set(g.subjects(RDF.type, RDF.Statement)))
    rel_iris = {r.iri for r in relations().values()}
    assert st.counts["direct facts"] == sum(1 for _s, p, _o in g if p in rel_iris)
    assert st.graphs == 5  # four documents and the entity graph
    assert st.top_pagerank and abs(sum(v for *_x, v in stats(open_dataset(examples_store), top=1000).top_pagerank) - 1) < 1e-3
    ug = nx.Graph(entity_graph(open_dataset(examples_store)).to_undirected())
    assert st.components == nx.number_connected_components(ug)


def test_stats_unmapped_groups_related_statements_by_lemma(examples_ttl, examples_graph):
    g = examples_graph
    expected = Counter(str(g.value(st, KG.predicateLemma)) for st in g.subjects(RDF.predicate, KG.related))
    got = {lemma: n for lemma, n, _example in unmapped(open_dataset(examples_ttl))}
    assert expected and got == dict(expected)
    res = kg_cmd("stats", str(examples_ttl), "--unmapped")
    assert res.returncode == 0 and next(iter(expected)) in res.stdout


def test_path_links_two_entities_through_a_shared_neighbour(examples_ttl, examples_graph):
    g = entity_graph(open_dataset(examples_ttl))
    ug = nx.Graph(g.to_undirected())
    a, b = next((a, b) for a in sorted(ug) for b in sorted(ug) if a < b and nx.has_path(ug, a, b)
                and nx.shortest_path_length(ug, a, b) == 2)
    chains = shortest_chains(open_dataset(examples_ttl), g.nodes[a]["label"], b)
    assert chains
    for hops in chains:
        ends = {h.subject for h in hops} | {h.object for h in hops}
        assert {a, b} <= ends and all(h.sentence for h in hops)
    res = kg_cmd("path", g.nodes[a]["label"], g.nodes[b]["label"], "-g", str(examples_ttl))
    assert res.returncode == 0 and g.nodes[a]["label"] in res.stdout and "「" in res.stdout


def test_path_unknown_entity_is_a_one_line_error(examples_ttl):
    res = kg_cmd("path", "存在しない人物", "OpenAI", "-g", str(examples_ttl))
    assert res.returncode == 1 and "存在しない人物" in res.stderr and "Traceback" not in res.stderr


@pytest.mark.parametrize("which", ["file", "store"])
def test_validate_conforms_for_a_built_graph_file_and_store(which, examples_ttl, examples_store):
    source = examples_ttl if which == "file" else examples_store
    assert validate_store(open_dataset(source)).conforms


def test_cli_validate_reports_violations_and_exits_1(tmp_path, examples_ttl):
    g = rdflib.Graph().parse(examples_ttl)
    ctx = next(g.subjects(RDF.type, NIF.Context))
    g.remove((ctx, rdflib.URIRef("http://purl.org/dc/terms/identifier"), None))
    broken = tmp_path / "broken.ttl"
    g.serialize(broken, format="turtle")
    res = kg_cmd("validate", str(broken))
    assert res.returncode == 1 and "identifier" in res.stdout
    ok = kg_cmd("validate", str(examples_ttl), "-q")
    assert ok.returncode == 0 and "conforms" in ok.stdout
