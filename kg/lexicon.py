"""Vocabulary data the NLP stages share, loaded once from ontologies/: the GiNZA ENE to class
table, the gazetteer, the list of words that are not names, and the name affixes.

Everything here is data with one source (the files under ontologies/); this module only reads it.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .vocab import classes, resource_path

KANA_READING = re.compile(r"^[\u3041-\u309f\u30a1-\u30fc・ ]+$")  # a reading in kana: びゃくやこう, ニューヨーク


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def to_katakana(text: str) -> str:
    """Hiragana to katakana; other characters unchanged."""
    return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in text)


def _read_tsv(name: str) -> list[dict[str, str]]:
    with resource_path("kg.ontologies", name).open("r", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


@lru_cache(maxsize=1)
def ene_classes() -> dict[str, str | None]:
    """GiNZA ENE label -> class local name, or None for labels that name no entity."""
    known = classes()
    out: dict[str, str | None] = {}
    for row in _read_tsv("ene-classes.tsv"):
        cls = row["class"].strip()
        if cls != "-" and cls not in known:
            raise ValueError(f"ontologies/ene-classes.tsv: {row['ene_label']} maps to unknown class {cls!r}")
        out[row["ene_label"].strip()] = None if cls == "-" else cls
    return out


@dataclass(frozen=True)
class GazetteerEntry:
    id: str
    cls: str
    wikidata: str | None
    label_ja: str
    label_en: str
    aliases: tuple[str, ...]
    prefix: str = ""  # a one-character abbreviation written before a name (米 in 米マイクロソフト)

    @property
    def names(self) -> tuple[str, ...]:
        seen = []
        for n in (self.label_en, self.label_ja, *self.aliases):
            if n and n not in seen:
                seen.append(n)
        return tuple(seen)


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, GazetteerEntry]:
    known = classes()
    out = {}
    for row in _read_tsv("gazetteer.tsv"):
        if row["class"] not in known:
            raise ValueError(f"ontologies/gazetteer.tsv: {row['id']} has unknown class {row['class']!r}")
        out[row["id"]] = GazetteerEntry(
            id=row["id"],
            cls=row["class"],
            wikidata=row["wikidata"] or None,
            label_ja=row["label_ja"],
            label_en=row["label_en"],
            aliases=tuple(a for a in (row.get("aliases") or "").split("|") if a),
            prefix=row.get("prefix") or "",
        )
    return out


@lru_cache(maxsize=1)
def country_abbreviations() -> dict[str, GazetteerEntry]:
    """The one-character abbreviations of gazetteer.tsv's ``prefix`` column (米, 英, 独) -> their entry."""
    return {e.prefix: e for e in gazetteer().values() if e.prefix}


@lru_cache(maxsize=65536)
def name_key(text: str) -> str:
    """The form names are compared in: NFKC, Latin case-folded, spaces and middle dots removed."""
    t = nfkc(text).casefold()
    return "".join(c for c in t if c not in " ・·=＝")


@lru_cache(maxsize=1)
def gazetteer_index() -> dict[str, GazetteerEntry]:
    """name_key of every gazetteer name -> its entry."""
    out = {}
    for entry in gazetteer().values():
        for n in entry.names:
            out.setdefault(name_key(n), entry)
    return out


@lru_cache(maxsize=1)
def gazetteer_prefixes() -> frozenset[str]:
    """Every prefix of every gazetteer name key, to stop a lookup early."""
    return frozenset(k[:n] for k in gazetteer_index() for n in range(1, len(k) + 1))


PLACES_FILE = "places.tsv"
_KATAKANA_CHAR = re.compile(r"[\u30a1-\u30fa]")


def places() -> dict[str, frozenset[str]]:
    """ontologies/places.tsv (GeoNames cities and iso-codes countries, scripts/build_places.py):
    every place name -> the countries it is a place of."""
    return _places_table()[0]


def country_names() -> frozenset[str]:
    """The names places.tsv gives countries (アメリカ合衆国, アメリカ, 米国, ソ連...)."""
    return _places_table()[1]


def known_start(name: str) -> str | None:
    """The longest start of ``name`` (2 characters or more, shorter than the name) that places.tsv
    knows: ワシントン州 of ワシントン州レドモンド, ブエノスアイレス of ブエノスアイレス州."""
    where = places()
    return next((name[:j] for j in range(len(name) - 1, 1, -1) if name[:j] in where), None)


@lru_cache(maxsize=1)
def _places_table() -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    where: dict[str, set[str]] = {}
    countries = set()
    with resource_path("kg.ontologies", PLACES_FILE).open(encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            where.setdefault(row["name"], set()).add(row["country"])
            if row["kind"] == "country":
                countries.add(row["name"])
    return {k: frozenset(v) for k, v in where.items()}, frozenset(countries)


@lru_cache(maxsize=1)
def foreign_place_keys() -> frozenset[str]:
    """Name keys of the places.tsv names written in katakana (ボルドー, デイトン): foreign places,
    which the span typer, knowing no world, often takes for people."""
    return frozenset(name_key(n) for n in places() if len(n) >= 3 and _KATAKANA_CHAR.search(n))


@lru_cache(maxsize=1)
def country_keys() -> frozenset[str]:
    """Name keys of the names places.tsv gives countries (``country_names``)."""
    return frozenset(name_key(n) for n in country_names())


@lru_cache(maxsize=1)
def not_names() -> frozenset[str]:
    with resource_path("kg.ontologies", "not-names.txt").open("r", encoding="utf-8") as f:
        text = f.read()
    return frozenset(name_key(line) for line in io.StringIO(text).read().splitlines() if line.strip() and not line.startswith("#"))
