"""graph.html in a real browser: Debian's chromium driven by playwright (no browser download).

Each page is opened from a file; every request it makes is recorded (only the file itself is
allowed), and console errors or uncaught exceptions fail the test. Clicks are real mouse
clicks at a node's position on the canvas.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import DCTERMS

from kg.model import Document
from kg.view import write_html
from kg.vocab import ITSRDF, KG, NIF, PROV, classes

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ALTMAN = "https://w3id.org/kg-ja/id/entity/Person/サム・アルトマン"

XSS_TEXT = ("ソニーグループの社長である十時裕樹氏は<script>window.__pwned=1</script>と語った。"
            "トヨタ自動車の社長である佐藤恒治氏は<img src=x onerror=\"window.__pwned=2\">と語った。")
XSS_DOC_ID = "<img src=x onerror=window.__pwned=3>.txt"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium fonts-noto-cjk (scripts/test installs them)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Opened:
    """A page opened from a file, with the requests and errors seen while it ran."""

    def __init__(self, browser, path: Path):
        self.path = path
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.requests, self.errors = [], []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("[data-kg-ready]", timeout=30_000)

    def js(self, expr, arg=None):
        return self.page.evaluate(expr, arg)

    def index_of(self, iri: str) -> int:
        return self.js("iri => kgView.data.entities.findIndex(e => e.iri === iri)", iri)

    def click_node(self, iri: str) -> None:
        i = self.index_of(iri)
        self.js("i => kgView.network.focus(i, {scale: 1.5})", i)
        box = self.page.locator(".kg-canvas").bounding_box()
        xy = self.js("i => kgView.network.canvasToDOM(kgView.network.getPositions([i])[i])", i)
        self.page.mouse.click(box["x"] + xy["x"], box["y"] + xy["y"])

    def visible_nodes(self) -> int:
        return self.js("kgView.nodes.get({filter: n => !n.hidden}).length")

    def visible_edges(self) -> list[dict]:
        return self.js("kgView.edges.get({filter: e => !e.hidden}).map(e => ({id: e.id, label: e.label, dashes: e.dashes, k: kgView.data.edges[e.id].k}))")

    def outside_requests(self) -> list[str]:
        return [u for u in self.requests if u != self.path.as_uri()]

    def close(self):
        self.page.close()
        assert self.errors == [], f"console errors: {self.errors}"


@pytest.fixture(scope="module")
def seed_page_file(seed_graph, tmp_path_factory):
    path = tmp_path_factory.mktemp("view") / "graph.html"
    write_html(seed_graph, path, title="seed")
    return path


@pytest.fixture
def seed_page(browser, seed_page_file):
    page = Opened(browser, seed_page_file)
    yield page
    page.close()


def entity_count(g) -> int:
    kg_classes = {KG[c] for c in classes()}
    return len({s for s, o in g.subject_objects(RDF.type) if o in kg_classes})


def test_view_browser_opens_offline_with_every_entity_settled_and_screenshot(seed_page, seed_graph):
    assert seed_page.outside_requests() == []
    assert seed_page.js("kgView.nodes.length") == seed_page.visible_nodes() == entity_count(seed_graph)
    status = seed_page.page.locator(".kg-counts")
    assert status.get_attribute("data-shown") == status.get_attribute("data-total") == str(entity_count(seed_graph))
    assert seed_page.js("kgView.ready && kgView.network.physics.physicsEnabled === false")
    # the settled layout keeps every dot clear of the others
    closest = seed_page.js("""() => {
        const pos = kgView.network.getPositions(), items = kgView.nodes.get();
        let worst = Infinity;
        for (const a of items) for (const b of items) if (a.id < b.id) {
            const gap = Math.hypot(pos[a.id].x - pos[b.id].x, pos[a.id].y - pos[b.id].y) - a.size - b.size;
            worst = Math.min(worst, gap);
        }
        return worst; }""")
    assert closest > 10
    # a screenshot with a node's details open, for a person to look at
    seed_page.click_node(ALTMAN)
    seed_page.page.wait_for_selector(".kg-panel .kg-sentence")
    ARTIFACTS.mkdir(exist_ok=True)
    seed_page.page.screenshot(path=str(ARTIFACTS / "view.png"))
    assert (ARTIFACTS / "view.png").stat().st_size > 20_000


@pytest.mark.parametrize("query", ["あるとまん", "アルトマン", "sam altman"])
def test_view_browser_search_finds_sam_altman_by_kana_reading_or_alias(seed_page, query):
    seed_page.page.fill(".kg-search-input", query)
    first = seed_page.page.locator(".kg-results .kg-result").first
    assert first.get_attribute("data-entity") == ALTMAN
    seed_page.page.press(".kg-search-input", "Enter")
    assert seed_page.page.locator(".kg-panel").get_attribute("data-entity") == ALTMAN
    assert seed_page.js("kgView.network.getSelectedNodes()") == [seed_page.index_of(ALTMAN)]


def test_view_browser_click_node_shows_labels_class_and_source_sentence(seed_page, seed_graph):
    seed_page.click_node(ALTMAN)
    panel = seed_page.page.locator(".kg-panel")
    panel.locator(".kg-sentence").first.wait_for()
    text = panel.inner_text()
    assert "サム・アルトマン" in text and "Sam Altman" in text and "人物" in text
    # every asserted fact about Altman is listed with the sentence it came from
    sources = set()
    for st in seed_graph.subjects(RDF.subject, URIRef(ALTMAN)):
        if seed_graph.value(st, KG.negated) is None and seed_graph.value(st, RDF.predicate) != KG.related:
            sources.add(str(seed_graph.value(seed_graph.value(st, PROV.wasDerivedFrom), NIF.anchorOf)))
    assert sources
    shown = set(panel.locator(".kg-facts > .kg-fact .kg-sentence").all_inner_texts())
    assert sources <= shown
    marked = panel.locator(".kg-fact .kg-sentence mark").all_inner_texts()
    assert "ChatGPTの生みの親であるサム・アルトマン" in marked


def test_view_browser_click_microsoft_shows_wikidata_link(seed_page):
    seed_page.click_node("https://w3id.org/kg-ja/id/entity/Organization/Microsoft")
    link = seed_page.page.locator(".kg-panel a.kg-wikidata")
    assert link.get_attribute("href") == "https://www.wikidata.org/wiki/Q2283"
    assert seed_page.outside_requests() == []


def test_view_browser_click_edge_shows_its_fact(seed_page):
    seed_page.js("kgView.network.fit()")
    i, j = seed_page.index_of(ALTMAN), seed_page.index_of("https://w3id.org/kg-ja/id/entity/Product/ChatGPT")
    edge = seed_page.js("([i, j]) => kgView.data.edges.find(e => e.f === i && e.t === j && e.k === 'asserted')", [i, j])
    assert edge["r"] == "creatorOf"
    box = seed_page.page.locator(".kg-canvas").bounding_box()
    panel = seed_page.page.locator(".kg-panel")
    # click along the edge; a point where another edge crosses it may select that one instead
    for t in (0.5, 0.4, 0.6, 0.3, 0.7):
        at = seed_page.js("""([e, t]) => { const p = kgView.network.getPositions([e.f, e.t]);
            return kgView.network.canvasToDOM({x: p[e.f].x + (p[e.t].x - p[e.f].x) * t, y: p[e.f].y + (p[e.t].y - p[e.f].y) * t}); }""", [edge, t])
        seed_page.page.mouse.click(box["x"] + at["x"], box["y"] + at["y"])
        if panel.get_attribute("data-edge") == str(edge["id"]):
            break
    assert panel.get_attribute("data-edge") == str(edge["id"])
    assert "生み出したもの" in panel.inner_text() and panel.locator(".kg-sentence mark").count() == 1


def test_view_browser_negated_statements_hidden_until_asked_then_dashed(seed_page):
    before = seed_page.visible_edges()
    assert before and all(e["k"] == "asserted" and e["dashes"] is False for e in before)
    seed_page.page.check(".kg-show-other")
    after = seed_page.visible_edges()
    negated = [e for e in after if e["k"] == "negated"]
    assert negated and all(e["dashes"] for e in negated) and negated[0]["label"].startswith("¬")
    assert len(after) > len(before)


def test_view_browser_language_switch_relabels_edges(seed_page):
    labels = {e["label"] for e in seed_page.visible_edges()}
    assert "勤務先" in labels
    seed_page.page.click(".kg-lang-en")
    labels = {e["label"] for e in seed_page.visible_edges()}
    assert "works for" in labels and "勤務先" not in labels
    side = seed_page.page.locator(".kg-side").inner_text()
    assert classes()["Person"].label_en in side and classes()["Person"].label_ja not in side


def test_view_browser_filters_by_class_and_confidence(seed_page, seed_graph):
    total = seed_page.visible_nodes()
    people = len(set(seed_graph.subjects(RDF.type, KG.Person)))
    seed_page.page.uncheck(".kg-side input[data-cls=Person]")
    assert seed_page.visible_nodes() == total - people
    seed_page.page.check(".kg-side input[data-cls=Person]")
    edges = len(seed_page.visible_edges())
    seed_page.page.locator(".kg-conf").fill("0.8")
    high = seed_page.visible_edges()
    assert 0 < len(high) < edges
    assert all(seed_page.js("id => kgView.data.edges[id].c", e["id"]) >= 0.8 for e in high)


def test_view_browser_large_graph_shows_top_n_says_so_and_expands_on_click(browser, seed_graph, tmp_path):
    path = tmp_path / "capped.html"
    write_html(seed_graph, path, max_nodes=5)
    page = Opened(browser, path)
    try:
        assert page.visible_nodes() == 5
        assert "5" in page.page.locator(".kg-capped").inner_text()
        shown = page.js("[...kgView.loaded]")
        degrees = page.js("kgView.data.entities.map(e => e.deg)")
        assert min(degrees[i] for i in shown) >= sorted(degrees, reverse=True)[4]
        hub = max(shown, key=lambda i: degrees[i])
        hidden = page.js("i => kgView.hiddenNeighbours(i).length", hub)
        assert hidden > 0
        page.click_node(page.js("i => kgView.data.entities[i].iri", hub))
        assert page.visible_nodes() == 5 + hidden
        intel = page.js("kgView.data.entities.findIndex(e => e.label === 'Intel')")
        intel_shown = page.js("i => kgView.loaded.has(i)", intel)
        page.page.fill(".kg-search-input", "いんてる")
        page.page.press(".kg-search-input", "Enter")
        assert "Intel" in page.page.locator(".kg-panel h2").inner_text()
        assert page.visible_nodes() == 5 + hidden + (0 if intel_shown else 1)
        assert page.outside_requests() == []
    finally:
        page.close()


def test_view_browser_focus_page_opens_on_the_focused_entity(browser, seed_graph, tmp_path):
    path = tmp_path / "focus.html"
    write_html(seed_graph, path, focus="あるとまん", hops=1)
    page = Opened(browser, path)
    try:
        assert page.page.locator(".kg-panel").get_attribute("data-entity") == ALTMAN
        assert page.visible_nodes() < entity_count(seed_graph)
    finally:
        page.close()


@pytest.fixture(scope="module")
def xss_graph():
    import kg

    return kg.build(documents=[Document(XSS_DOC_ID, XSS_TEXT)])


def test_view_browser_markup_in_the_input_is_shown_as_text_and_never_runs(browser, xss_graph, tmp_path):
    path = tmp_path / "xss.html"
    write_html(xss_graph, path, title="<script>window.__pwned=4</script>")
    page = Opened(browser, path)
    try:
        labels = page.js("kgView.data.entities.map(e => e.label)")
        assert "佐藤恒治" in labels and "ソニー" in labels
        page.click_node(page.js("kgView.data.entities.find(e => e.label === '佐藤恒治').iri"))
        panel = page.page.locator(".kg-panel")
        assert '<img src=x onerror="window.__pwned=2">' in panel.locator(".kg-fact .kg-sentence").inner_text()
        page.click_node(page.js("kgView.data.entities.find(e => e.label === 'ソニー').iri"))
        assert "<script>window.__pwned=1</script>" in panel.inner_text()
        assert XSS_DOC_ID in page.page.locator(".kg-doc").inner_text()
        assert page.page.title() == "<script>window.__pwned=4</script>"
        assert page.js("window.__pwned") is None
        assert page.page.locator("img").count() == 0 and page.page.locator("script:not([id]):not(:empty)").count() == 3
        assert page.outside_requests() == []
    finally:
        page.close()



def test_view_browser_document_filter_keeps_that_documents_entities(browser, examples_graph, tmp_path):
    path = tmp_path / "examples.html"
    write_html(examples_graph, path)
    page = Opened(browser, path)
    try:
        docs = page.js("kgView.data.docs")
        assert len(docs) > 1
        # entities mentioned in the chosen document, counted from the graph itself
        ctx = next(c for c in examples_graph.subjects(DCTERMS.identifier, Literal(docs[1])))
        expected = {str(e) for m in examples_graph.subjects(NIF.referenceContext, ctx)
                    for e in examples_graph.objects(m, ITSRDF.taIdentRef)}
        page.page.select_option(".kg-doc", "1")
        shown = page.js("kgView.nodes.get({filter: n => !n.hidden}).map(n => kgView.data.entities[n.id].iri)")
        assert set(shown) == expected
        assert page.page.locator(".kg-counts").get_attribute("data-shown") == str(len(expected))
    finally:
        page.close()
