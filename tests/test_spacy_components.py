"""kg's stages as spaCy components: nlp.add_pipe("kg_entities") / ("kg_relations")."""

from __future__ import annotations

import pytest
import spacy

import kg.spacy_components  # noqa: F401  (registers the factories, as the entry point does)
from kg.errors import KGError


@pytest.fixture(scope="module")
def kg_nlp():
    nlp = spacy.load("ja_ginza")
    nlp.add_pipe("kg_entities")
    nlp.add_pipe("kg_relations")
    return nlp


def _labels(doc, key):
    return next(e.label for e in doc._.kg_entities if e.key == key)


def test_spacy_components_set_entities_and_facts_on_the_doc(kg_nlp):
    doc = kg_nlp("マイクロソフトの会長兼CEOであるサティア・ナデラ氏は、アルトマン氏が同社に加わると発表した。")
    assert {e.label for e in doc._.kg_entities} >= {"マイクロソフト", "サティア・ナデラ", "アルトマン"}
    assert all(doc.text[m.begin:m.end] == m.text for m in doc._.kg_mentions)
    facts = {(_labels(doc, f.subject), f.relation, _labels(doc, f.object)) for f in doc._.kg_facts if f.asserted}
    assert facts == {("サティア・ナデラ", "ceoOf", "マイクロソフト"), ("サティア・ナデラ", "chairOf", "マイクロソフト"),
                     ("アルトマン", "worksFor", "マイクロソフト")}


def test_spacy_components_relations_without_entities_is_a_clear_error():
    nlp = spacy.load("ja_ginza")
    nlp.add_pipe("kg_relations")
    with pytest.raises(KGError, match='add_pipe\\("kg_entities"\\)'):
        nlp("アルトマン氏はマイクロソフトに加わった。")


def test_spacy_components_relations_config_adds_user_rules(tmp_path):
    path = tmp_path / "visit.yaml"
    path.write_text(
        """rules:
  - id: visit_place.v1
    description: "XがYを訪問した → X citizenOf Y (a demo rule). 例: 山田太郎氏は大阪府を訪問した。"
    kind: frame
    relation: citizenOf
    confidence: 0.5
    pattern:
      lemmas: [訪問]
      subject: {particles: [が, は], classes: [Person]}
      object: {particles: [を], classes: [Place]}
    examples:
      - text: 山田太郎氏は大阪府を訪問した。
        expect: [[山田太郎, citizenOf, 大阪府]]
""",
        encoding="utf-8",
    )
    nlp = spacy.load("ja_ginza")
    nlp.add_pipe("kg_entities")
    nlp.add_pipe("kg_relations", config={"rules": [str(path)]})
    doc = nlp("山田太郎氏は大阪府を訪問した。")
    assert [f.rule for f in doc._.kg_facts if f.relation == "citizenOf"] == ["visit_place.v1"]
