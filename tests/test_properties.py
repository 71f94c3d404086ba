"""Property-based tests over generated Japanese and mixed-script text (hypothesis, real parser).

Extraction never raises; every mention's offsets give back its anchor and lie in its sentence;
every fact points at a real sentence and at entities of the document; the graph round-trips.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.graph import to_rdf
from kg.entities import resolve_corpus
from kg.export import turtle_bytes

WORDS = [
    "マイクロソフト", "サティア・ナデラ氏", "アルトマン氏", "OpenAI", "Sam Altman", "東京都", "トヨタ自動車",
    "の", "は", "が", "を", "に", "と", "で", "から", "会長兼CEOである", "社長", "に加わった", "を去った",
    "と発表した", "によると", "しなかった", "かもしれない", "「", "」", "『", "』", "（", "）", "、", "。",
    "！", "？", "\n", " ", "　", "同社", "買収した", "設立した", "𠮷野家", "ｱﾙﾄﾏﾝ", "ﾏｲｸﾛｿﾌﾄ", "😀", "👨‍👩‍👧",
    "\t", "\u200b", "\x07", "<script>alert(1)</script>", "&amp;", "\\", '"', "'", "髙島屋", "①", "㈱",
]
pieces = st.one_of(st.sampled_from(WORDS), st.text(min_size=1, max_size=6))
documents = st.lists(pieces, min_size=1, max_size=40).map("".join).filter(lambda t: t.strip())

SETTINGS = settings(max_examples=80, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@SETTINGS
@given(text=documents)
def test_properties_extraction_never_raises_and_offsets_hold(extract, text):
    ex = extract(text)
    assert ex.document.text == text
    for s in ex.sentences:
        assert 0 <= s.begin <= s.end <= len(text)
    keys = {e.key for e in ex.entities}
    for m in ex.mentions:
        assert text[m.begin:m.end] == m.text
        assert 0 <= m.sentence < len(ex.sentences)
        sent = ex.sentences[m.sentence]
        assert sent.begin <= m.begin and m.end <= sent.end, (m, sent)
        assert m.entity in keys
    for f in ex.facts:
        assert 0 <= f.sentence < len(ex.sentences)
        sent = ex.sentences[f.sentence]
        assert sent.begin <= f.begin < f.end <= sent.end
        assert f.subject in keys and f.object in keys
        assert f.attributed_to is None or f.attributed_to in keys
        assert 0.0 <= f.confidence <= 1.0


@SETTINGS
@given(text=documents)
def test_properties_graph_of_any_text_serialises_and_parses_back(extract, text):
    import pyoxigraph as ox

    ex = extract(text)
    resolved = resolve_corpus([(ex.document.id, ex.entities)])
    g = to_rdf([ex], resolved)
    data = turtle_bytes(g)
    assert len(list(ox.parse(data, format=ox.RdfFormat.TURTLE))) == len(g)
