"""The document pair classifier (kg/relations/docpairs.py): facts across sentences, on real text."""

from __future__ import annotations

import csv

import pytest
from rdflib import RDF, Literal
from rdflib.namespace import PROV

from kg.errors import KGError, ModelError
from kg.relations import load_rules
from kg.lexicon import PLACES_FILE, country_names, places
from kg.relations.docpairs import RULE_ID, DocPairClassifier
from kg.validate import validate
from kg.vocab import KG, resource_path

from test_relations_learned import _between, _names

CITY_IN_COUNTRY = [  # towns ontologies/places.tsv does not know (known_place_country.v1 places those it knows)
    pytest.param("マリオ・ロッシは、イタリアの政治家である。カステルフランコ・ヴェネトに生まれた。", "カステルフランコ・ヴェネト", "イタリア",
                 id="birthplace_of_a_politician"),
    pytest.param("ハンス・ミュラーは、ドイツの作曲家。ヴァルトキルヒに生まれた。", "ヴァルトキルヒ", "ドイツ", id="birthplace_of_a_composer"),
]


@pytest.mark.parametrize("text,city,country", CITY_IN_COUNTRY)
def test_document_classifier_puts_a_city_of_a_later_sentence_in_the_country_of_the_first(extract, text, city, country):
    rules_only = extract(text, ruleset=load_rules(learned=False))
    assert not _between(rules_only, city, country)
    ex = extract(text)
    found = [f for f in ex.facts if f.relation == "locatedIn" and city in _names(ex, f.subject) and country in _names(ex, f.object)]
    assert len(found) == 1, ex.facts
    f = found[0]
    assert f.rule == RULE_ID and f.learned and f.inferred and f.asserted and 0 < f.confidence < 1
    # it cites the city's mention, in the second sentence
    assert f.sentence == 1 and text[f.begin:f.end] == city
    s = ex.sentences[f.sentence]
    assert s.begin <= f.begin and f.end <= s.end


@pytest.mark.parametrize(
    "text,a,b",
    [
        pytest.param("田中一郎は、日本の政治家である。趣味はパリ旅行である。", "パリ", "日本", id="paris_is_not_in_japan"),
        pytest.param("マリオ・ロッシは、イタリアの政治家である。ミラノに生まれた。", "マリオ・ロッシ", "ミラノ", id="pair_the_rules_relate"),
    ],
)
def test_document_classifier_leaves_a_pair_alone(extract, text, a, b):
    ex = extract(text)
    assert not [f for f in _between(ex, a, b) if f.rule == RULE_ID]


def test_document_classifier_is_off_when_disabled(extract):
    ex = extract(CITY_IN_COUNTRY[0].values[0], ruleset=load_rules(learned=False))
    assert not [f for f in ex.facts if f.learned or f.rule == RULE_ID]


def test_document_classifier_statement_is_learned_derived_from_the_cited_sentence_and_valid():
    import kg

    text = CITY_IN_COUNTRY[1].values[0]
    g = kg.build(documents=(text,))
    statements = [st for st in g.subjects(KG.rule, Literal(RULE_ID))]
    assert statements
    for st in statements:
        assert g.value(st, KG.learned) == Literal(True) and (st, RDF.type, RDF.Statement) in g
        sentence = g.value(st, PROV.wasDerivedFrom)
        assert sentence is not None and g.value(st, KG.confidence) is not None
    assert validate(g).conforms


def test_places_table_names_countries_and_knows_cities_and_prefectures():
    where, countries = places(), country_names()
    with resource_path("kg.ontologies", PLACES_FILE).open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    assert all(len(r["name"]) > 1 for r in rows)
    assert {r["country"] for r in rows} <= countries  # every country a place lies in is named as a country
    assert {"アメリカ", "米国", "英国", "ソ連", "大日本帝国"} <= countries
    assert "イタリア" in where["ミラノ"] and "日本" in where["北海道"] and "日本" in where["愛知県"]
    assert "アメリカ合衆国" in where["カリフォルニア州"]
    assert "日本" not in where.get("パリ", ())


def test_document_model_that_cannot_be_loaded_is_a_one_line_model_error(tmp_path):
    (tmp_path / "m.model").write_bytes(b"not a model")
    (tmp_path / "m.json").write_text('{"threshold": 0.5, "confidence": {}, "default_confidence": 0.6}', encoding="utf-8")
    with pytest.raises(ModelError) as err:
        DocPairClassifier(str(tmp_path / "m.model")).load()
    message = str(err.value)
    assert isinstance(err.value, KGError) and "\n" not in message
    assert "cannot open the document pair classifier model" in message and "--no-learned" in message
