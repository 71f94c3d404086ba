"""Synthetic, contract-shaped extraction records for benchmarks: no parsing, seeded, fast.

``synthetic_extractions(n_docs)`` gives DocExtraction records that look like what the NLP
stages produce for news text: documents of sentences naming entities from a shared pool
(persons, companies, places, products), facts between them (some negated, hedged, attributed,
some unmapped ``related`` with a predicate lemma). About 1,000 triples per document.
"""

from __future__ import annotations

import random

from kg.model import DocExtraction, Document, Entity, Fact, Mention, Sentence

_KATA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"
_KANJI = "田中山川村本木井上下松竹梅原野島森林高橋石石岡藤佐伊加渡辺小大東西北南京都葉丸"
_CLASSES = (("Person", 0.35), ("Company", 0.3), ("Place", 0.15), ("Product", 0.1), ("Organization", 0.1))
_RELATIONS = {
    ("Person", "Company"): ("worksFor", "ceoOf", "presidentOf", "founderOf"),
    ("Person", "Organization"): ("worksFor", "memberOf"),
    ("Company", "Place"): ("headquarteredIn",),
    ("Company", "Company"): ("partnerOf", "acquired", "subsidiaryOf"),
    ("Company", "Product"): ("developerOf",),
    ("Person", "Place"): ("birthPlace",),
}
_TOP = {"Company": "Organization"}
_LEMMAS = ("置く:に", "発表:を", "協議:と", "訪問:を", "支援:を")
_MODALITIES = ("speculative", "possible", "planned")


def _name(rng: random.Random, cls: str, n: int) -> str:
    if cls == "Person":
        return "".join(rng.choice(_KANJI) for _ in range(2)) + "".join(rng.choice(_KANJI) for _ in range(2)) + str(n)
    if cls in ("Company", "Organization"):
        return "".join(rng.choice(_KATA) for _ in range(4)) + ("株式会社" if cls == "Company" else "協会") + str(n)
    if cls == "Place":
        return "".join(rng.choice(_KANJI) for _ in range(2)) + "市" + str(n)
    return "".join(rng.choice(_KATA) for _ in range(5)) + str(n)


def entity_pool(n: int, seed: int = 7) -> list[tuple[str, str, str]]:
    """(class, label, alias) for ``n`` distinct entities."""
    rng = random.Random(seed)
    pool = []
    for i in range(n):
        cls = rng.choices([c for c, _ in _CLASSES], weights=[w for _, w in _CLASSES])[0]
        name = _name(rng, cls, i)
        alias = name + "社" if cls in ("Company",) else ""
        pool.append((cls, name, alias))
    return pool


def synthetic_extractions(n_docs: int, *, sentences: int = 20, pool_size: int | None = None, seed: int = 11) -> list[DocExtraction]:
    rng = random.Random(seed)
    pool = entity_pool(pool_size or max(50, n_docs * 20), seed=seed)
    weights = [1.0 / (i + 1) ** 0.8 for i in range(len(pool))]
    out = []
    for d in range(n_docs):
        text_parts: list[str] = []
        pos = 0
        sents, mentions, facts = [], [], []
        local: dict[int, Entity] = {}
        for s in range(sentences):
            a, b = rng.choices(range(len(pool)), weights=weights, k=2)
            while b == a or (pool[a][0], pool[b][0]) not in _RELATIONS:
                a, b = rng.choices(range(len(pool)), weights=weights, k=2)
            c = rng.choices(range(len(pool)), weights=weights, k=1)[0]
            names = []
            for idx in (a, b, c):
                cls, label, alias = pool[idx]
                surface = alias if alias and rng.random() < 0.3 else label
                names.append(surface)
                if idx not in local:
                    local[idx] = Entity(key=f"{_TOP.get(cls, cls)}/{label}", cls=cls, label=label, names=(label,))
                ent = local[idx]
                if surface not in ent.names:
                    local[idx] = Entity(ent.key, ent.cls, ent.label, tuple(sorted({*ent.names, surface})), readings=ent.readings)
            sentence = f"{names[0]}は{names[1]}との関係について{names[2]}で語った。"
            begin = pos
            offsets = []
            cursor = begin
            for n in names:
                i = sentence.index(n, cursor - begin) + begin
                offsets.append((i, i + len(n)))
                cursor = i + len(n)
            for idx, (mb, me), n in zip((a, b, c), offsets, names):
                mentions.append(Mention(mb, me, n, local[idx].key, s))
            rels = _RELATIONS[(pool[a][0], pool[b][0])]
            r = rng.random()
            fact = Fact(
                subject=local[a].key, relation=rng.choice(rels) if r > 0.1 else "related", object=local[b].key,
                sentence=s, begin=offsets[0][0], end=offsets[1][1], rule="synthetic.v1",
                confidence=round(rng.uniform(0.3, 0.95), 2),
                negated=0.1 <= r < 0.15, modality=rng.choice(_MODALITIES) if 0.15 <= r < 0.2 else None,
                attributed_to=local[c].key if pool[c][0] == "Person" and rng.random() < 0.3 else None,
                lemma=rng.choice(_LEMMAS) if r <= 0.1 else None,
            )
            facts.append(fact)
            text_parts.append(sentence)
            sents.append(Sentence(begin, begin + len(sentence)))
            pos += len(sentence)
        doc = Document(id=f"synthetic/{d:06d}.txt", text="".join(text_parts))
        out.append(DocExtraction(doc, tuple(sents), tuple(sorted(mentions, key=lambda m: (m.begin, m.end))),
                                 tuple(local.values()), tuple(facts)))
    return out
