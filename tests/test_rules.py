"""Every rule's examples run one by one on the real parser; malformed rules are clear errors."""

from __future__ import annotations

import pytest

from kg.errors import RuleError
from kg.relations import load_rules
from kg.relations.rules import _load_file
from kg.vocab import relations

RULES = load_rules()
CASES = [
    pytest.param(r.id, k, ex, id=f"{r.id}#{k}", marks=[pytest.mark.xfail(reason=ex.xfail, strict=True)] if ex.xfail else [])
    for r in RULES.rules
    for k, ex in enumerate(r.examples, start=1)
]


def _names(ex_entities, key):
    e = ex_entities[key]
    return set(e.names) | {e.label}


def _triples(extraction):
    ents = {e.key: e for e in extraction.entities}
    # a rule's examples test the rules: the pair classifier's facts are left out
    return [(f, _names(ents, f.subject), _names(ents, f.object)) for f in extraction.facts if f.asserted and not f.learned]


@pytest.mark.parametrize("rule_id,n,example", CASES)
def test_rule_example(extract, rule_id, n, example):
    extraction = extract(example.text)
    found = _triples(extraction)
    if example.expect_none:
        fired = [f for f, _, _ in found if f.rule == rule_id]
        assert not fired, f"{rule_id} should not assert anything on {example.text!r}: {fired}"
        return
    for subj, rel, obj in example.expect:
        symmetric = relations()[rel].symmetric
        assert any(f.relation == rel and (subj in s and obj in o or symmetric and subj in o and obj in s) for f, s, o in found), (
            f"{rule_id}: expected ({subj}, {rel}, {obj}) from {example.text!r}; got "
            + str([(sorted(s)[0], f.relation, sorted(o)[0], f.rule) for f, s, o in found])
        )


@pytest.mark.parametrize(
    "text,message",
    [
        ("rules: [", "not valid YAML"),
        ("rules:\n  - id: x.v1\n    kind: frame\n", "missing 'description'"),
        ("rules:\n  - id: noversion\n", "needs an 'id' with a version"),
        ("rules:\n  - {id: a.v1, description: d, kind: nope, relation: worksFor, confidence: 0.5, pattern: {}}", "kind 'nope'"),
        ("rules:\n  - {id: a.v1, description: d, kind: frame, relation: worksFr, confidence: 0.5, pattern: {}}", "relation 'worksFr'"),
        ("rules:\n  - {id: a.v1, description: d, kind: frame, relation: worksFor, confidence: 2, pattern: {}}", "confidence"),
        ("rules:\n  - {id: a.v1, description: d, kind: frame, relation: worksFor, confidence: 0.5, pattern: {lemmas: [加わる], subject: {particles: [が]}, object: {particles: [に], classes: [Persn]}}}", "unknown class 'Persn'"),
        ("rules:\n  - {id: a.v1, description: d, kind: frame, relation: worksFor, confidence: 0.5, pattern: {lemmas: [加わる], subject: {particles: [が]}, object: {particles: [に]}}}", "examples"),
        ("rules:\n  - {id: a.v1, description: d, kind: role, relation: ceoOf, confidence: 0.5, pattern: {holder: [Person], of: [Organization]}}", "needs 'titles'"),
        ("rules:\n  - {id: a.v1, description: d, kind: pair, relation: worksFor, confidence: 0.5, pattern: {lemmas: [提携], members: [Person]}}", "symmetric relation"),
        ("rules:\n  - {id: a.v1, description: d, kind: closure, relation: locatedIn, confidence: 0.5, pattern: {over: [locatedInn]}}", "'over'"),
        ("rules:\n  - {id: a.v1, description: d, kind: compose, relation: countryOfOrigin, confidence: 0.5, pattern: {first: [creatorOf]}}", "'then' must be a list of relations"),
        ("rules:\n  - {id: a.v1, description: d, kind: compose, relation: countryOfOrigin, confidence: 0.5, pattern: {first: [creatorOf], then: [citizenOf], first_inverse: yes-please}}", "'first_inverse' must be true or false"),
        ("rules:\n  - {id: a.v1, description: d, kind: compose, relation: countryOfOrigin, confidence: 0.5, pattern: {first: [creatorOf], then: [citizenOf], then_exclude: released_in_country_by.v1}}", "'then_exclude' must be a list of rule ids"),
        ("rules:\n  - {id: a.v1, description: d, kind: frame, relation: worksFor, confidence: 0.5, pattern: {lemma: [加わる]}}", "unknown pattern key(s) ['lemma']"),
        ("rules:\n  - {id: a.v1, description: d, kind: role, relation: ceoOf, confidence: 0.5, pattern: {titles: [CEO], holder: [Person], of: [Organization], forms: [apposition]}}", "'forms'"),
        ("rules:\n  - {id: a.v1, description: d, kind: role, relation: spouseOf, confidence: 0.5, pattern: {titles: [妻], holder: [Person], of: [Person], of_topic: often}}", "'of_topic' must be true or false"),
        ("rules:\n  - {id: a.v1, description: d, kind: lead, relation: locatedIn, confidence: 0.5, pattern: {from: [locatedIn], subject: [Place], object: [Place]}}", "needs 'lead'"),
        ("rules:\n  - {id: a.v1, description: d, kind: lead, relation: locatedIn, confidence: 0.5, pattern: {from: [locatedIn], lead: [Place], subject: {classes: [Place], natural: no-rivers}, object: [Place]}}", "'subject.natural' must be true or false"),
        ("rules:\n  - {id: a.v1, description: d, kind: scope, relation: partOf, confidence: 0.5, pattern: {lemmas: [プレイ], member: [Organization]}}", "needs 'scope'"),
        ("rules:\n  - {id: a.v1, description: d, kind: scope, relation: partOf, confidence: 0.5, pattern: {lemmas: [プレイ], scope: {classes: [Organization], endings: リーグ}, member: [Organization]}}", "'scope.endings' must be a list"),
        ("lexicon: {coordinators: と}", "lexicon.coordinators must be a list"),
        ("rules:\n  - {id: a.v1, description: d, kind: frame, relation: related, confidence: 0.5, pattern: {lemmas: [会う], subject: {particles: [が]}, object: {particles: [と]}}, examples: [{text: t}]}", "give 'expect' triples"),
    ],
)
def test_rules_malformed_file_error_names_file_rule_and_problem(text, message):
    with pytest.raises(RuleError) as err:
        _load_file(text, "my-rules.yaml", [], {})
    assert "my-rules.yaml" in str(err.value) and message in str(err.value)


def test_rules_user_file_adds_a_rule(tmp_path, extract):
    path = tmp_path / "extra.yaml"
    path.write_text(
        """rules:
  - id: visit_place.v1
    description: "XがYを訪問した → X participantIn? no: locatedIn demo. 例: 岸田文雄首相がワシントンを訪問した。"
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
    rules = load_rules((str(path),))
    assert "visit_place.v1" in {r.id for r in rules.rules}
    ex = extract("山田太郎氏は大阪府を訪問した。", ruleset=rules)
    assert any(f.rule == "visit_place.v1" for f in ex.facts)


def test_rules_duplicate_id_is_an_error(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text(
        "rules:\n  - {id: join_org.v1, description: d, kind: frame, relation: worksFor, confidence: 0.5, pattern: {lemmas: [x], subject: {particles: [が]}, object: {particles: [に]}}, examples: [{text: t, expect_none: true}]}\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleError, match="already used"):
        load_rules((str(path),))


def test_rules_calibration_names_only_existing_rules_and_keeps_its_counts():
    from kg.relations.rules import CALIBRATION_FILE, _calibration, builtin_rule_files

    files = {f.name: f for f in builtin_rule_files()}
    if CALIBRATION_FILE not in files:
        pytest.fail("kg/relations/rules/calibration.yaml is missing: run bench/calibrate_rules.py")
    cal = _calibration(files[CALIBRATION_FILE].read_text(encoding="utf-8"), CALIBRATION_FILE)
    ids = {r.id for r in RULES.rules}
    assert set(cal["rules"]) <= ids
    for rid, entry in cal["rules"].items():
        assert {"right", "wrong", "prior", "confidence"} <= set(entry), rid
    assert {r.confidence for r in RULES.rules if r.id in cal["rules"]} == {e["confidence"] for e in cal["rules"].values()}


def test_rules_malformed_calibration_is_an_error_naming_the_file():
    from kg.relations.rules import _calibration

    with pytest.raises(RuleError, match="cal.yaml: rule x.v1: calibrated confidence"):
        _calibration("calibration:\n  rules:\n    x.v1: {confidence: 3}\n", "cal.yaml")
