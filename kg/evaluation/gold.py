"""Gold data: one record shape for the three formats in ../shared/eval.

``load(dataset, path=None, split=None, limit=None)`` reads

- ``seed``: seed-gold.json (entities with aliases, relation triples, ``optional`` triples) over the
  seed article. The file has no mention offsets; gold mentions are derived by finding every
  alias in the text, longest first, whole Latin words only, and leaving out aliases that are
  another alias plus a cue of ontologies/type-cues.tsv (アルトマン氏, Azureクラウドサービス), since
  mentions exclude honorifics and classifiers.
- ``jacred``: JacRED jsonl (entities with mentions and types, Wikidata-labelled triples).
- ``ner-wikipedia``: stockmark's Wikipedia NER json (sentences with typed spans; each span is its
  own entity, so the set has no coreference to score).

into a ``GoldSet`` of ``GoldDocument``s. Gold types stay in the dataset's labels (人名, ORG,
Organization); ``GoldSet.scheme`` maps our classes onto those labels through the
``kg:stockmarkType``/``kg:jacredType`` columns of ontologies/kg.ttl. JacRED relations are mapped to
ours through ``kg:jacredMapping`` (``^P112`` = the inverse direction): each ``GoldTriple`` lists in
``accept`` the (subject id, relation, object id) triples of our vocabulary that express it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..errors import InputError
from ..vocab import classes, is_a, relations, top_class


@dataclass(frozen=True)
class GoldMention:
    begin: int
    end: int
    text: str
    type: str
    entity: str  # id of the GoldEntity it names


@dataclass(frozen=True)
class GoldEntity:
    id: str
    type: str
    names: tuple[str, ...]
    wikidata: str | None = None


@dataclass(frozen=True)
class GoldTriple:
    """A gold relation between two gold entities, in the dataset's own direction and name
    (our relation name for seed, a Wikidata property id for JacRED). ``accept`` lists the
    (subject id, our relation, object id) triples that count as finding it."""

    head: str
    relation: str
    tail: str
    accept: tuple[tuple[str, str, str], ...]
    wikidata: str | None = None
    same_sentence: bool | None = None
    optional: bool = False


@dataclass(frozen=True)
class GoldDocument:
    id: str
    text: str
    mentions: tuple[GoldMention, ...]
    entities: tuple[GoldEntity, ...]
    triples: tuple[GoldTriple, ...] = ()
    title: str = ""


@dataclass(frozen=True)
class TypeScheme:
    """How our classes meet a dataset's type labels."""

    name: str
    labels: frozenset[str]  # the gold types this scheme scores; others are left out
    _of: Callable[[str], str | None] = field(repr=False, compare=False)
    _matches: Callable[[str, str], bool] = field(repr=False, compare=False)

    def of(self, cls: str | None) -> str | None:
        """The dataset label of one of our classes, or None when the dataset has no such type."""
        return self._of(cls) if cls else None

    def matches(self, cls: str | None, gold_type: str) -> bool:
        return cls is not None and self._matches(cls, gold_type)


def _column_scheme(name: str, attr: str) -> TypeScheme:
    info = classes()

    def of(cls: str) -> str | None:
        while cls is not None:
            label = getattr(info[cls], attr)
            if label:
                return label
            cls = info[cls].parent
        return None

    labels = frozenset(filter(None, (getattr(c, attr) for c in info.values())))
    return TypeScheme(name, labels, of, lambda cls, gold: of(cls) == gold)


@lru_cache(maxsize=None)
def scheme(name: str) -> TypeScheme:
    """``classes`` (seed: our class names, a subclass counts as its parent), ``stockmark``, ``jacred``."""
    if name == "classes":
        return TypeScheme(name, frozenset(classes()), top_class, lambda cls, gold: is_a(cls, {gold}))
    if name == "stockmark":
        return _column_scheme(name, "stockmark_type")
    if name == "jacred":
        return _column_scheme(name, "jacred_type")
    raise ValueError(f"unknown type scheme {name!r}")


@dataclass
class GoldSet:
    dataset: str
    split: str | None
    path: Path
    documents: list[GoldDocument]
    scheme: TypeScheme
    has_entities: bool  # gold entities group several mentions (coreference is annotated)


# ---------------------------------------------------------------- datasets


@dataclass(frozen=True)
class Dataset:
    name: str
    files: dict[str, str]  # split -> path under the shared eval folder
    default_split: str
    loader: Callable[[Path, str], list[GoldDocument]]
    scheme: str
    has_entities: bool


DATASETS: dict[str, Dataset] = {}


def _dataset(name, files, default_split, scheme_name, has_entities):
    def register(loader):
        DATASETS[name] = Dataset(name, files, default_split, loader, scheme_name, has_entities)
        return loader

    return register


def shared_dir() -> Path:
    """$KG_SHARED_DIR, else ../shared relative to the current directory."""
    env = os.environ.get("KG_SHARED_DIR")
    return Path(env) if env else Path("..") / "shared"


def default_path(dataset: str, split: str | None = None) -> Path:
    ds = _get(dataset)
    split = split or ds.default_split
    if split not in ds.files:
        raise InputError(f"dataset {dataset!r} has no split {split!r}: choose one of {', '.join(sorted(ds.files))}")
    return shared_dir() / "eval" / ds.files[split]


def _get(dataset: str) -> Dataset:
    try:
        return DATASETS[dataset]
    except KeyError:
        raise InputError(f"unknown dataset {dataset!r}: choose one of {', '.join(sorted(DATASETS))}") from None


def load(dataset: str, path: str | Path | None = None, split: str | None = None, limit: int | None = None) -> GoldSet:
    """Read a gold dataset. ``path`` defaults to the split's file under $KG_SHARED_DIR/eval (or
    ../shared/eval); ``limit`` keeps the first N documents."""
    ds = _get(dataset)
    split = split or ds.default_split
    file = Path(path) if path is not None else default_path(dataset, split)
    if not file.is_file():
        raise InputError(
            f"gold data for {dataset!r} not found at {file}: pass --gold PATH or set KG_SHARED_DIR to the shared folder"
        )
    try:
        docs = ds.loader(file, split)
    except (ValueError, KeyError, TypeError, IndexError) as e:
        kind = "JSON" if isinstance(e, json.JSONDecodeError) else "gold record"
        raise InputError(f"{file}: not a valid {dataset} {kind} ({type(e).__name__}: {e})") from None
    if limit is not None:
        docs = docs[: max(0, limit)]
    return GoldSet(dataset, split, file, docs, scheme(ds.scheme), ds.has_entities)


def _read_text(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"not UTF-8 ({e.reason} at byte {e.start})") from None


# ---------------------------------------------------------------- seed


@_dataset("seed", {"seed": "seed-gold.json"}, "seed", "classes", True)
def _load_seed(file: Path, split: str) -> list[GoldDocument]:
    data = json.loads(_read_text(file))
    text_file = file.parent.parent / "corpus" / data["document"]
    if not text_file.is_file():
        raise InputError(f"{file} names the document {data['document']!r}, but {text_file} does not exist")
    text = _read_text(text_file)
    ents = tuple(
        GoldEntity(e["id"], e["type"], tuple(e["aliases"]), e.get("wikidata")) for e in data["entities"]
    )
    known = {e.id for e in ents}
    triples = []
    for optional, rows in ((False, data.get("relations", [])), (True, data.get("optional", []))):
        for row in rows:
            head, rel, tail = row[:3]
            if head not in known or tail not in known:
                raise ValueError(f"triple {row[:3]} names an entity the file does not define")
            triples.append(GoldTriple(head, rel, tail, ((head, rel, tail),), optional=optional))
    return [GoldDocument(data["document"], text, tuple(_alias_mentions(text, ents)), ents, tuple(triples))]


def _alias_mentions(text: str, entities) -> list[GoldMention]:
    """Every occurrence of an alias, longest first, never inside a longer match or a Latin word."""
    from ..lexicon import nfkc
    from ..mentions import cues

    cue_words = {c.cue for c in cues().values()}
    names = []
    for e in entities:
        aliases = set(e.names)
        for a in aliases:
            if any(a != b and a.startswith(b) and nfkc(a[len(b):]).strip() in cue_words for b in aliases):
                continue  # アルトマン氏, Azureクラウドサービス: the mention is the name without its cue
            names.append((a, e))
    names.sort(key=lambda x: (-len(x[0]), x[0]))
    taken = [False] * len(text)
    out = []
    for alias, e in names:
        for m in re.finditer(re.escape(alias), text):
            b, en = m.span()
            if any(taken[b:en]):
                continue
            if alias.isascii() and ((b > 0 and text[b - 1].isascii() and text[b - 1].isalnum())
                                    or (en < len(text) and text[en].isascii() and text[en].isalnum())):
                continue
            taken[b:en] = [True] * (en - b)
            out.append(GoldMention(b, en, alias, e.type, e.id))
    out.sort(key=lambda m: (m.begin, m.end))
    return out


# ---------------------------------------------------------------- JacRED


@lru_cache(maxsize=1)
def jacred_mapping() -> dict[str, tuple[tuple[str, bool], ...]]:
    """Wikidata property -> ((our relation, inverse), ...) from kg:jacredMapping in kg.ttl.
    ``^P112`` on founderOf means founderOf(x, y) is P112(y, x)."""
    out: dict[str, list[tuple[str, bool]]] = {}
    for name, rel in relations().items():
        if not rel.jacred or rel.jacred.strip() == "-":
            continue
        spec = re.sub(r"\(.*?\)", "", rel.jacred)
        for part in spec.split(" or "):
            part = part.strip()
            if not part:
                continue
            inverse = part.startswith("^")
            out.setdefault(part.lstrip("^"), []).append((name, inverse))
    return {k: tuple(v) for k, v in sorted(out.items())}


@_dataset("jacred", {"dev": "jacred/dev.jsonl"}, "dev", "jacred", True)
def _load_jacred(file: Path, split: str) -> list[GoldDocument]:
    mapping = jacred_mapping()
    docs = []
    for n, line in enumerate(_read_text(file).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            raise ValueError(f"line {n}: {e}") from None
        doc_id = f"jacred-{split}-{n:04d}"
        ents, mentions = [], []
        for e in rec["entities"]:
            eid = str(e["id"])
            ents.append(GoldEntity(eid, e["type"], tuple(dict.fromkeys([e["name"], *(m["text"] for m in e["mentions"])]))))
            for m in e["mentions"]:
                mentions.append(GoldMention(m["start"], m["end"], m["text"], e["type"], eid))
        sent_of = {}
        for e in rec["entities"]:
            sent_of[str(e["id"])] = {m.get("sent_id") for m in e["mentions"]}
        triples = []
        for t in rec.get("triples", []):
            h, r, tl = str(t["head"]), t["relation"], str(t["tail"])
            accept = tuple((tl, name, h) if inv else (h, name, tl) for name, inv in mapping.get(r, ()))
            triples.append(GoldTriple(h, r, tl, accept, wikidata=r, same_sentence=bool(sent_of[h] & sent_of[tl])))
        mentions.sort(key=lambda m: (m.begin, m.end))
        docs.append(GoldDocument(doc_id, rec["text"], tuple(mentions), tuple(ents), tuple(triples), rec.get("title", "")))
    return docs


# ---------------------------------------------------------------- stockmark Wikipedia NER


@_dataset("ner-wikipedia", {"train": "ner-wikipedia/train.json", "validation": "ner-wikipedia/validation.json"},
          "validation", "stockmark", False)
def _load_ner(file: Path, split: str) -> list[GoldDocument]:
    data = json.loads(_read_text(file))
    docs = []
    for n, rec in enumerate(data, start=1):
        ents, mentions = [], []
        for k, e in enumerate(rec["entities"]):
            b, en = e["span"]
            eid = f"e{k}"
            ents.append(GoldEntity(eid, e["type"], (e["name"],)))
            mentions.append(GoldMention(b, en, rec["text"][b:en], e["type"], eid))
        mentions.sort(key=lambda m: (m.begin, m.end))
        docs.append(GoldDocument(f"ner-{split}-{n:04d}", rec["text"], tuple(mentions), tuple(ents), (), str(rec.get("curid", ""))))
    return docs
