"""The learned pair classifier beside the rules (kg/relations/learned.py), on real sentences."""

from __future__ import annotations

from dataclasses import replace

import pytest
from rdflib import Literal

from kg.errors import KGError, ModelError
from kg.relations import load_rules
from kg.relations.learned import RULE_ID, PairClassifier
from kg.vocab import KG

from test_cli import kg_cmd


def _names(ex, key):
    e = next(e for e in ex.entities if e.key == key)
    return set(e.names) | {e.label}


def _between(ex, a, b):
    return [f for f in ex.facts if a in _names(ex, f.subject) | _names(ex, f.object) and b in _names(ex, f.subject) | _names(ex, f.object)]


@pytest.mark.parametrize(
    "text,subj,rel,obj",
    [
        pytest.param("ボララルはアメリカ合衆国アイダホ州の小さな町である。", "ボララル", "locatedIn", "アメリカ合衆国アイダホ州", id="town_of_a_state"),
        pytest.param("札幌ドームは、日本の北海道札幌市豊平区にあるドーム球場である。", "札幌ドーム", "locatedIn", "日本", id="facility_in_country"),
    ],
)
def test_learned_classifier_adds_a_fact_no_rule_reads(extract, text, subj, rel, obj):
    rules_only = extract(text, ruleset=load_rules(learned=False))
    assert not [f for f in rules_only.facts if f.relation == rel and subj in _names(rules_only, f.subject) and obj in _names(rules_only, f.object)]
    ex = extract(text)
    found = [f for f in ex.facts if f.relation == rel and subj in _names(ex, f.subject) and obj in _names(ex, f.object)]
    assert found and all(f.learned and f.rule == RULE_ID and f.asserted for f in found), found
    assert all(0 < f.confidence < 1 for f in found)


@pytest.mark.parametrize(
    "text,a,b",
    [
        pytest.param("田中一郎が東京で買ったパンは美味しかった。", "田中一郎", "東京", id="person_shopping_in_a_city"),
        pytest.param("佐藤次郎と鈴木三郎は昨日、大阪で映画を見た。", "佐藤次郎", "鈴木三郎", id="two_people_at_the_cinema"),
    ],
)
def test_learned_classifier_does_not_relate_an_unrelated_pair(extract, text, a, b):
    ex = extract(text)
    assert not [f for f in _between(ex, a, b) if f.learned]


def test_learned_fact_under_a_negated_predicate_is_a_statement_not_a_triple(extract):
    ex = extract("札幌ドームは、日本の北海道札幌市豊平区にあるドーム球場ではない。")
    learned = [f for f in _between(ex, "札幌ドーム", "日本") if f.learned]
    assert learned and all(f.negated and not f.asserted for f in learned)


def test_learned_classifier_yields_to_a_rule_on_the_same_pair(extract):
    text = "天台寺は岩手県二戸市浄法寺町にある寺院である。"
    full = load_rules()
    without = replace(full, rules=tuple(r for r in full.rules if r.id != "located_at.v1"))
    alone = _between(extract(text, ruleset=without), "天台寺", "岩手県二戸市浄法寺町")
    assert alone and all(f.learned for f in alone), alone  # the classifier reads it too
    both = _between(extract(text, ruleset=full), "天台寺", "岩手県二戸市浄法寺町")
    assert [f.rule for f in both] == ["located_at.v1"], both


def test_learned_classifier_is_off_when_disabled(extract):
    ex = extract("ボララルはアメリカ合衆国アイダホ州の小さな町である。", ruleset=load_rules(learned=False))
    assert not [f for f in ex.facts if f.learned or f.rule == RULE_ID]


def test_learned_statements_are_marked_in_the_graph_and_left_out_by_no_learned(tmp_path):
    import kg

    text = ("ボララルはアメリカ合衆国アイダホ州の小さな町である。", )
    g = kg.build(documents=text)
    marked = set(g.subjects(KG.learned, Literal(True)))
    assert marked and all(g.value(st, KG.rule) == Literal(RULE_ID) for st in marked)
    rules_only = kg.build(documents=text, learned=False)
    assert not set(rules_only.subjects(KG.learned, None))
    src = tmp_path / "town.txt"
    src.write_text(text[0], encoding="utf-8")
    res = kg_cmd("build", str(src), "-o", str(tmp_path / "out"), "--no-learned", "--no-html", "-q")
    assert res.returncode == 0, res.stderr
    assert "kg:learned" not in (tmp_path / "out" / "graph.ttl").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "files,problem",
    [
        pytest.param({"m.model": b"not a model", "m.json": b'{"threshold": 0.5, "confidence": {}, "default_confidence": 0.6}'},
                     "cannot open the pair classifier model", id="broken_model"),
        pytest.param({"m.model": b"x", "m.json": b"{not json"}, "cannot read the pair classifier's settings", id="broken_settings"),
        pytest.param({"m.model": b"x"}, "cannot read the pair classifier's settings", id="missing_settings"),
    ],
)
def test_learned_model_that_cannot_be_loaded_is_a_one_line_model_error(tmp_path, files, problem):
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    with pytest.raises(ModelError) as err:
        PairClassifier(str(tmp_path / "m.model")).load()
    message = str(err.value)
    assert isinstance(err.value, KGError) and "\n" not in message
    assert problem in message and "m." in message and "--no-learned" in message
