"""The view's data and page, without a browser: what graph.html embeds and how it is written.

Browser behaviour (search, clicks, no requests, XSS inert) is in test_view_browser.py.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from kg.errors import InputError, StoreError
from kg.view import find_entity, load_graph, render_html, search_key, view_data, write_html
from kg.view.page import json_for_html, render_page
from kg.vocab import KG, KG_NS, classes, relations

ALTMAN = "https://w3id.org/kg-ja/id/entity/Person/サム・アルトマン"


def typed_entities(g: Graph) -> set[str]:
    """Entities counted straight from the graph: subjects typed with a vocabulary class."""
    kg_classes = {KG[c] for c in classes()}
    return {str(s) for s, o in g.subject_objects(RDF.type) if o in kg_classes}


def direct_relation_triples(g: Graph) -> set[tuple]:
    """Direct relation triples, a symmetric pair counted once."""
    rels = relations()
    out = set()
    for s, p, o in g:
        name = str(p)[len(KG_NS):] if str(p).startswith(KG_NS) else None
        if name in rels:
            out.add((name, *sorted((str(s), str(o)))) if rels[name].symmetric else (str(s), name, str(o)))
    return out


def embedded_data(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="kg-graph-data">(.*?)</script>', page, re.S)
    return json.loads(m.group(1))


@pytest.mark.parametrize("query, name", [
    ("あるとまん", "アルトマン"),
    ("アルトマン", "サム・アルトマン"),
    ("ｱﾙﾄﾏﾝ", "アルトマン"),
    ("sam altman", "Sam Altman"),
    ("ＯｐｅｎＡＩ", "OpenAI"),
    ("さてぃあ・なでら", "サティア ナデラ"),
])
def test_view_search_key_matches_kana_width_case_and_spacing(query, name):
    assert search_key(query) in search_key(name)


def test_view_data_has_one_node_per_entity_and_one_edge_per_direct_triple(seed_graph):
    data = view_data(seed_graph)
    assert {e["iri"] for e in data["entities"]} == typed_entities(seed_graph)
    asserted = {(data["entities"][e["f"]]["iri"], e["r"], data["entities"][e["t"]]["iri"]) for e in data["edges"] if e["k"] == "asserted"}
    assert len(asserted) == len(direct_relation_triples(seed_graph)) > 0
    assert (ALTMAN, "worksFor", "https://w3id.org/kg-ja/id/entity/Organization/Microsoft") in asserted


def test_view_data_statements_without_direct_triple_become_other_kinds_of_edge(seed_graph):
    data = view_data(seed_graph)
    negated = [f for f in data["facts"] if f["k"] == "negated"]
    assert negated, "the seed article has a negated statement"
    for e in data["edges"]:
        kinds = {data["facts"][i]["k"] for i in e["facts"]}
        assert kinds <= {e["k"]}
    n_statements = sum(1 for _ in seed_graph.subjects(RDF.type, RDF.Statement))
    assert len(data["facts"]) == n_statements


def test_view_data_fact_carries_its_source_sentence_and_evidence_inside_it(seed_graph):
    data = view_data(seed_graph)
    for f in data["facts"]:
        doc, begin, text = data["sentences"][f["sen"]]
        assert data["docs"][doc] == "openai-microsoft.txt"
        assert begin <= f["b"] < f["e"] <= begin + len(text)


def test_view_data_entity_has_aliases_readings_and_wikidata(seed_graph):
    data = view_data(seed_graph)
    altman = next(e for e in data["entities"] if e["iri"] == ALTMAN)
    assert altman["label"] == "サム・アルトマン" and "Sam Altman" in altman["alt"] and "アルトマン" in altman["read"]
    assert altman["cls"] == "Person" and altman["deg"] >= 2 and altman["ms"]
    microsoft = next(e for e in data["entities"] if e["label"] == "Microsoft")
    assert microsoft["cls"] == "Company" and microsoft["wd"] == "Q2283"


@pytest.mark.parametrize("query", [ALTMAN, "person:サム・アルトマン", "あるとまん", "Sam Altman"])
def test_view_find_entity_by_iri_prefixed_name_kana_or_alias(seed_graph, query):
    entities = sorted((URIRef(i) for i in typed_entities(seed_graph)), key=str)
    assert str(entities[find_entity(seed_graph, query, entities)]) == ALTMAN


def test_view_find_entity_unknown_name_says_what_to_do(seed_graph):
    entities = sorted((URIRef(i) for i in typed_entities(seed_graph)), key=str)
    with pytest.raises(InputError, match="no entity"):
        find_entity(seed_graph, "存在しない会社", entities)


def test_view_focus_keeps_the_neighbourhood_within_hops(seed_graph):
    one = view_data(seed_graph, focus="アルトマン", hops=1)
    labels = {e["label"] for e in one["entities"]}
    assert {"サム・アルトマン", "Microsoft", "OpenAI", "ChatGPT"} <= labels
    assert "Intel" not in labels
    assert one["entities"][one["focus"]]["iri"] == ALTMAN
    zero = view_data(seed_graph, focus="アルトマン", hops=0)
    assert [e["iri"] for e in zero["entities"]] == [ALTMAN] and zero["edges"] == []
    two = view_data(seed_graph, focus="アルトマン", hops=2)
    assert len(two["entities"]) > len(one["entities"])
    for d in (one, two):
        for e in d["edges"]:
            assert e["f"] < len(d["entities"]) and e["t"] < len(d["entities"])


def test_view_json_for_html_cannot_close_the_script_or_break_lines():
    payload = {"t": "</script><script>alert(1)</script><!-- & \u2028\u2029"}
    text = json_for_html(payload)
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in text
    assert json.loads(text) == payload


def test_view_render_page_fills_slots_once_so_data_cannot_inject_template_text():
    page = render_page("kg-graph", title="<t>", data={"x": "{{csp}} {{title}}"}, scripts={"view": "1"})
    assert "{{csp}}" in page and page.count("Content-Security-Policy") == 1
    assert "<title>&lt;t&gt;</title>" in page


def test_view_render_page_refuses_a_script_that_would_end_its_tag():
    with pytest.raises(ValueError, match="</script"):
        render_page("kg-graph", title="t", data={}, scripts={"vis": "x='</SCRIPT>'"})


def test_view_html_inlines_everything_and_allows_no_network(seed_graph):
    page = render_html(seed_graph)
    assert not re.search(r"""<(?:script|link|img|iframe)[^>]*\s(?:src|href)\s*=""", page, re.I)
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp and "unsafe-eval" not in csp
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(scripts) == 3 and "vis-network" in scripts[0]
    assert len(re.findall(r"'sha256-", csp)) == 3


def test_view_html_is_deterministic_and_written_as_utf8(seed_graph, tmp_path):
    write_html(seed_graph, tmp_path / "a.html", title="サム")
    write_html(seed_graph, tmp_path / "b.html", title="サム")
    raw = (tmp_path / "a.html").read_bytes()
    assert raw == (tmp_path / "b.html").read_bytes()
    assert "サム・アルトマン" in raw.decode("utf-8") and b'<meta charset="utf-8">' in raw


def test_view_markup_in_input_is_embedded_as_json_text_only():
    g = Graph()
    e = URIRef("https://w3id.org/kg-ja/id/entity/Person/x")
    g.add((e, RDF.type, KG.Person))
    g.add((e, SKOS.altLabel, Literal("</script><img src=x onerror=alert(1)>")))
    page = render_html(g, title="</title><script>alert(2)</script>")
    assert "<img src=x" not in page and "<script>alert" not in page
    assert embedded_data(page)["entities"][0]["alt"] == ["</script><img src=x onerror=alert(1)>"]


def test_view_load_graph_reads_turtle_and_names_a_bad_file(seed_graph, tmp_path):
    path = tmp_path / "g.ttl"
    seed_graph.serialize(path, format="turtle")
    assert len(load_graph(path)) == len(seed_graph)
    (tmp_path / "bad.ttl").write_text("<a> <b> .", encoding="utf-8")
    for bad in (tmp_path / "bad.ttl", tmp_path / "missing.ttl", tmp_path / "g.docx"):
        with pytest.raises(StoreError, match=re.escape(bad.name)):
            load_graph(bad)


def kg_cmd(*args):
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True)


def test_cli_view_writes_a_focused_page_and_fails_in_one_line(seed_graph, tmp_path):
    ttl = tmp_path / "graph.ttl"
    seed_graph.serialize(ttl, format="turtle")
    res = kg_cmd("view", str(ttl), "--focus", "あるとまん", "--hops", "1", "--lang", "en")
    assert res.returncode == 0, res.stderr
    data = embedded_data((tmp_path / "graph.html").read_text(encoding="utf-8"))
    assert data["entities"][data["focus"]]["iri"] == ALTMAN and data["lang"] == "en"
    assert len(data["entities"]) < len(typed_entities(seed_graph))
    for args in ([str(ttl), "--focus", "存在しない"], [str(tmp_path / "none.ttl")]):
        res = kg_cmd("view", *args)
        assert res.returncode == 1 and res.stderr.startswith("kg: error:") and len(res.stderr.splitlines()) == 1, res.stderr
    res = kg_cmd("view", str(ttl), "--hops", "2")
    assert res.returncode == 2 and "--hops needs --focus" in res.stderr and "Traceback" not in res.stderr
