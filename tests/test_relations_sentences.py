"""Sentence boundaries the relation stage relies on: kg's bracket component in the parse pipeline
(kg.parse.mark_bracket_sentences) keeps a parenthesis, a quotation and what follows them in one
sentence, starts a sentence after 。 outside brackets and nowhere mid-text."""

from __future__ import annotations

import pytest

from kg.parse import BRACKET_COMPONENT, bracket_spans, parse_signature


@pytest.mark.parametrize(
    "text,sentences",
    [
        # GiNZA alone cuts these inside the parenthesis
        ("片岡一則(かたおかかずのり、1950年11月27日-)は、日本の医用生体工学・生体材料学者。東京大学教授。",
         ["片岡一則(かたおかかずのり、1950年11月27日-)は、日本の医用生体工学・生体材料学者。", "東京大学教授。"]),
        ("OpenAIは、最大の投資家(OpenAIの49%を所有していると考えられている)であるMicrosoftが地位を持たない。次の文。",
         ["OpenAIは、最大の投資家(OpenAIの49%を所有していると考えられている)であるMicrosoftが地位を持たない。", "次の文。"]),
        # and runs these two together
        ("麻生太郎(あそうたろう、1940年〈昭和15年〉9月20日-)は、日本の政治家、実業家。元クレー射撃スキート日本代表のオリンピック選手。",
         ["麻生太郎(あそうたろう、1940年〈昭和15年〉9月20日-)は、日本の政治家、実業家。", "元クレー射撃スキート日本代表のオリンピック選手。"]),
        ("彼は「今日は晴れ。明日も晴れ。」と述べた。次の文。", ["彼は「今日は晴れ。明日も晴れ。」と述べた。", "次の文。"]),
        ("「今日は晴れ。」次の文。", ["「今日は晴れ。」", "次の文。"]),
        ("開き括弧(だけの文。閉じない。", ["開き括弧(だけの文。", "閉じない。"]),
        # GiNZA alone cuts this one mid-text, after 都市
        ("カナダの都市トロントで育った。次の文。", ["カナダの都市トロントで育った。", "次の文。"]),
    ],
)
def test_parse_sentences_do_not_start_inside_brackets(nlp, text, sentences):
    assert [s.text for s in nlp(text).sents] == sentences


def test_parse_bracket_component_runs_before_the_parser_and_is_in_the_signature(nlp):
    names = nlp.pipe_names
    assert names.index(BRACKET_COMPONENT) == names.index("parser") - 1
    sig = dict(parse_signature("ja_ginza"))
    assert BRACKET_COMPONENT in sig["pipeline"].split(",") and sig[BRACKET_COMPONENT]


def test_parse_bracket_spans_pair_nested_brackets_and_skip_unclosed_ones(nlp):
    doc = nlp.make_doc("A(B〈C〉D)E「F(G」H")
    spans = [(doc[a].text, doc[b].text) for a, b in bracket_spans(doc)]
    assert ("(", ")") in spans and ("「", "」") in spans
    assert ("〈", "〉") not in spans  # only the outermost pair
