"""A light, read-only copy of a parsed spaCy Doc for the relation engine.

The engine reads the same token attributes many times per sentence; spaCy builds a new Token
object and converts ids to strings on every access. Copying what the engine reads into plain
Python objects once per chunk makes the relations stage several times faster. The copy has the
attribute names of spaCy's Token and Span (``text``, ``lemma_``, ``pos_``, ``tag_``, ``dep_``,
``ent_type_``, ``head``, ``children``, ``i``, ``idx``...), so the engine's code reads like spaCy code.
"""

from __future__ import annotations

import re

_NUM = re.compile(r"^[0-9０-９.,．，]+$")


class LToken:
    __slots__ = ("doc", "i", "text", "lemma_", "pos_", "tag_", "dep_", "ent_type_", "idx", "head_i", "_children", "like_num")

    def __init__(self, doc: LDoc, i: int, tok) -> None:
        self.doc = doc
        self.i = i
        self.text = tok.text
        self.lemma_ = tok.lemma_
        self.pos_ = tok.pos_
        self.tag_ = tok.tag_
        self.dep_ = tok.dep_
        self.ent_type_ = tok.ent_type_
        self.idx = tok.idx
        self.head_i = tok.head.i
        self.like_num = tok.pos_ == "NUM" or bool(_NUM.match(tok.text))
        self._children: list[int] = []

    @property
    def head(self) -> LToken:
        return self.doc.tokens[self.head_i]

    @property
    def children(self) -> list[LToken]:
        toks = self.doc.tokens
        return [toks[c] for c in self._children]

    @property
    def subtree(self) -> list[LToken]:
        out, stack = [], [self.i]
        toks = self.doc.tokens
        while stack:
            i = stack.pop()
            out.append(toks[i])
            stack.extend(toks[i]._children)
        return sorted(out, key=lambda t: t.i)

    def __repr__(self) -> str:
        return self.text


class LSpan:
    __slots__ = ("doc", "start", "end")

    def __init__(self, doc: LDoc, start: int, end: int) -> None:
        self.doc, self.start, self.end = doc, start, end

    def __iter__(self):
        return iter(self.doc.tokens[self.start:self.end])

    def __len__(self) -> int:
        return self.end - self.start

    @property
    def text(self) -> str:
        return self.doc.text_between(self.start, self.end)

    @property
    def start_char(self) -> int:
        return self.doc.tokens[self.start].idx if self.start < len(self.doc.tokens) else len(self.doc.text)

    @property
    def end_char(self) -> int:
        if self.end <= self.start:
            return self.start_char
        last = self.doc.tokens[self.end - 1]
        return last.idx + len(last.text)

    @property
    def root(self) -> LToken:
        toks = self.doc.tokens
        for t in toks[self.start:self.end]:
            if t.head_i == t.i or not (self.start <= t.head_i < self.end):
                return t
        return toks[self.start]


class LDoc:
    """Tokens, sentences and bunsetsu of one parsed chunk."""

    def __init__(self, doc) -> None:
        self.text = doc.text
        self.tokens = [LToken(self, i, t) for i, t in enumerate(doc)]
        for t in self.tokens:
            if t.head_i != t.i:
                self.tokens[t.head_i]._children.append(t.i)
        self.sents = [LSpan(self, s.start, s.end) for s in doc.sents]
        self.user_data = doc.user_data

    def __len__(self) -> int:
        return len(self.tokens)

    def __getitem__(self, key):
        if isinstance(key, slice):
            start, stop, _ = key.indices(len(self.tokens))
            return LSpan(self, start, max(start, stop))
        return self.tokens[key]

    def text_between(self, start: int, end: int) -> str:
        if end <= start:
            return ""
        first, last = self.tokens[start], self.tokens[end - 1]
        return self.text[first.idx:last.idx + len(last.text)]
