"""kg eval: gold loaders, alignment, the mention and entity scorers, the command."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import SEED_GOLD, SHARED, require_shared
from kg.errors import InputError
from kg.evaluation import evaluate
from kg.evaluation.align import align, match_mentions
from kg.evaluation.gold import GoldDocument, GoldEntity, GoldMention, jacred_mapping, load, scheme
from kg.model import Mention


def _ner_file(tmp_path, records):
    path = tmp_path / "ner.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return path


def _ner_record(text, *spans):
    return {"curid": "1", "text": text,
            "entities": [{"name": text[b:e], "span": [b, e], "type": t} for b, e, t in spans]}


# ---------------------------------------------------------------- loaders


def test_eval_seed_gold_has_18_entities_and_mentions_without_honorifics():
    require_shared(SEED_GOLD)
    gold = load("seed")
    (doc,) = gold.documents
    assert len(doc.entities) == 18
    texts = {m.text for m in doc.mentions}
    assert {"アルトマン", "サム・アルトマン", "Microsoft", "マイクロソフト", "OAI"} <= texts
    assert not any(t.endswith("氏") for t in texts)
    assert all(doc.text[m.begin:m.end] == m.text for m in doc.mentions)
    # GPT inside ChatGPT and Microsoft inside Microsoft Ignite are not mentions of their own
    spans = [(m.begin, m.end) for m in doc.mentions]
    assert all(not (b < e2 and b2 < e) for i, (b, e) in enumerate(spans) for (b2, e2) in spans[i + 1:])


def test_eval_jacred_loader_maps_relations_through_kg_ttl_with_inverse_direction():
    require_shared(SHARED / "eval" / "jacred" / "dev.jsonl")
    assert ("founderOf", True) in jacred_mapping()["P112"]
    gold = load("jacred", limit=5)
    assert len(gold.documents) == 5
    doc = gold.documents[0]
    assert all(doc.text[m.begin:m.end] == m.text for m in doc.mentions)
    founded = [t for d in load("jacred").documents for t in d.triples if t.relation == "P112"]
    assert founded and all(("founderOf" == a[1] and a[0] == t.tail and a[2] == t.head) for t in founded for a in t.accept)


@pytest.mark.parametrize(
    "cls,label",
    [("Company", "法人名"), ("Organization", "その他の組織名"), ("PoliticalOrganization", "政治的組織名"),
     ("Work", "製品名"), ("Facility", "施設名"), ("Award", None)],
)
def test_eval_stockmark_scheme_maps_classes_through_kg_ttl(cls, label):
    assert scheme("stockmark").of(cls) == label


@pytest.mark.parametrize("cls,gold,ok", [("Company", "Organization", True), ("Organization", "Company", False),
                                         ("Work", "Product", True), ("Person", "Organization", False)])
def test_eval_seed_scheme_counts_a_subclass_as_its_parent(cls, gold, ok):
    assert scheme("classes").matches(cls, gold) is ok


def test_eval_missing_gold_file_is_an_input_error_naming_it(tmp_path):
    with pytest.raises(InputError, match="not found at .*nowhere.json"):
        load("ner-wikipedia", tmp_path / "nowhere.json")


def test_eval_malformed_gold_file_is_an_input_error_naming_it(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("[{\"text\": ", encoding="utf-8")
    with pytest.raises(InputError, match="bad.json"):
        load("ner-wikipedia", bad)


# ---------------------------------------------------------------- alignment


def _gold_doc():
    text = "サム・アルトマン氏はOpenAIを去った。"
    mentions = (GoldMention(0, 8, "サム・アルトマン", "Person", "altman"), GoldMention(10, 16, "OpenAI", "Organization", "openai"))
    ents = (GoldEntity("altman", "Person", ("サム・アルトマン",)), GoldEntity("openai", "Organization", ("OpenAI",)))
    return GoldDocument("d", text, mentions, ents)


def test_eval_alignment_prefers_exact_spans_and_falls_back_to_overlap():
    gold = _gold_doc()
    preds = [Mention(0, 9, "サム・アルトマン氏", "Person/サム・アルトマン", 0), Mention(10, 16, "OpenAI", "Organization/OpenAI", 0)]
    matches = match_mentions(preds, gold.mentions)
    assert [(m.gold.entity, m.exact) for m in matches] == [("altman", False), ("openai", True)]
    al = align(preds, gold)
    assert al.gold_of == {"Person/サム・アルトマン": "altman", "Organization/OpenAI": "openai"}


def test_eval_alignment_leaves_a_prediction_over_no_gold_unaligned():
    al = align([Mention(19, 21, "去っ", "Event/x", 0)], _gold_doc())
    assert al.gold_of == {} and al.matches == []


# ---------------------------------------------------------------- scorers on the real pipeline


def test_eval_mentions_scores_exact_typed_and_span_only_on_real_sentences(tmp_path):
    text = "トヨタ自動車は愛知県豊田市に本社を置く。"
    path = _ner_file(tmp_path, [
        _ner_record(text, (0, 6, "法人名"), (7, 13, "地名")),
        _ner_record("サム・アルトマン氏はOpenAIを去った。", (0, 8, "人名"), (10, 16, "その他の組織名")),
    ])
    report = evaluate("ner-wikipedia", path, parts=["mentions", "entities"])
    assert set(report.parts) == {"mentions"}  # the NER set has no coreference: no entity score
    score = report.parts["mentions"]
    assert score.figures["gold"] == 4
    missed = {(i.document, i.begin, i.end) for i in score.misses}
    assert ("ner-validation-0001", 0, 6) not in missed  # トヨタ自動車 as a company
    assert ("ner-validation-0002", 0, 8) not in missed  # the person, found without 氏
    typed, span = score.metrics["typed"], score.metrics["span"]
    assert typed.tp + typed.fn == 4 and span.tp >= typed.tp >= 2
    assert typed.tp + typed.fp == score.figures["predicted"]


def test_eval_report_json_and_text_list_misses(tmp_path):
    path = _ner_file(tmp_path, [_ner_record("東京大学は東京にある。", (0, 4, "その他の組織名"), (5, 7, "地名"))])
    report = evaluate("ner-wikipedia", path, parts=["mentions"])
    data = json.loads(report.to_json())
    assert data["parts"]["mentions"]["metrics"]["typed"]["tp"] + data["parts"]["mentions"]["metrics"]["typed"]["fn"] == 2
    assert "mentions" in report.format(misses=5)


def test_eval_unknown_part_is_an_input_error(tmp_path):
    path = _ner_file(tmp_path, [_ner_record("東京にある。", (0, 2, "地名"))])
    with pytest.raises(InputError, match="unknown score part nope"):
        evaluate("ner-wikipedia", path, parts=["nope"])


# ---------------------------------------------------------------- command


def _kg(*args, **kw):
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, **kw)


def test_eval_cli_without_gold_data_fails_with_one_line(tmp_path):
    env = {k: v for k, v in __import__("os").environ.items() if k != "KG_SHARED_DIR"}
    res = _kg("eval", "jacred", cwd=tmp_path, env=env)
    assert res.returncode == 1
    lines = [l for l in res.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and "jacred" in lines[0] and "--gold" in lines[0]


def test_eval_cli_writes_json_and_prints_misses(tmp_path):
    path = _ner_file(tmp_path, [_ner_record("ソニーは東京都に本社を置く。", (0, 3, "法人名"), (4, 7, "地名"))])
    out = tmp_path / "r.json"
    res = _kg("eval", "ner-wikipedia", "--gold", str(path), "--misses", "3", "--json", str(out))
    assert res.returncode == 0, res.stderr
    assert "typed" in res.stdout and "by type" in res.stdout
    assert json.loads(out.read_text(encoding="utf-8"))["documents"] == 1
