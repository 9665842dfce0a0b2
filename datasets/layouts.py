"""Column layouts of the 自治体標準オープンデータセット (Digital Agency), used by the generator and the tests.

Each layout lists the official column names in their official order and the columns the
definition marks as required (必須). The location and contact blocks are shared by most sets.
Source: デジタル庁「自治体標準オープンデータセット」データ項目定義書 (正式版). The column lists were
transcribed for this training data; check them against the current definition workbook before
relying on an optional column in production.
"""

from __future__ import annotations

from dataclasses import dataclass

HEAD = ["全国地方公共団体コード", "ID", "地方公共団体名"]
NAMES = ["名称", "名称_カナ", "名称_英字"]
LOCATION = [
    "所在地_全国地方公共団体コード",
    "町字ID",
    "所在地_連結表記",
    "所在地_都道府県",
    "所在地_市区町村",
    "所在地_町字",
    "所在地_番地以下",
    "建物名等(方書)",
    "緯度",
    "経度",
]
CONTACT = ["電話番号", "内線番号", "連絡先メールアドレス", "連絡先FormURL", "連絡先備考（その他、SNSなど）", "郵便番号"]
HOURS = ["利用可能曜日", "開始時間", "終了時間", "利用可能日時特記事項"]
TAIL = ["URL", "画像", "画像_ライセンス", "備考"]
HAZARDS = [
    "災害種別_洪水",
    "災害種別_崖崩れ、土石流及び地滑り",
    "災害種別_高潮",
    "災害種別_地震",
    "災害種別_津波",
    "災害種別_大規模な火事",
    "災害種別_内水氾濫",
    "災害種別_火山現象",
]
AGE_BANDS = [f"{a}-{a + 4}歳" for a in range(0, 85, 5)] + ["85歳以上"]
CHILDCARE_KINDS = [
    "保育所",
    "幼稚園",
    "認定こども園",
    "小規模保育事業",
    "家庭的保育事業",
    "事業所内保育事業",
    "認可外保育施設",
    "地域子育て支援拠点",
    "児童館",
    "放課後児童クラブ",
]


@dataclass(frozen=True)
class Layout:
    """One standard dataset: its number and title in the definition, columns and required columns."""

    key: str
    number: str
    title: str
    columns: tuple[str, ...]
    required: tuple[str, ...]


def _layout(key: str, number: str, title: str, columns: list[str], required: list[str]) -> Layout:
    missing = [c for c in required if c not in columns]
    if missing or len(set(columns)) != len(columns):
        raise ValueError(f"layout {key}: bad required {missing} or duplicate columns")
    return Layout(key, number, title, tuple(columns), tuple(required))


_BASE_REQUIRED = [
    "全国地方公共団体コード",
    "ID",
    "地方公共団体名",
    "名称",
    "名称_カナ",
    "所在地_連結表記",
    "緯度",
    "経度",
]

LAYOUTS: dict[str, Layout] = {
    layout.key: layout
    for layout in [
        _layout(
            "public_facilities",
            "01",
            "公共施設一覧",
            HEAD
            + NAMES
            + ["名称_通称", "名称_通称_カナ", "名称_通称_英字", "POIコード"]
            + LOCATION
            + ["高度の種別", "高度の値"]
            + CONTACT
            + ["法人番号", "団体名"]
            + HOURS
            + TAIL,
            _BASE_REQUIRED + ["電話番号"],
        ),
        _layout(
            "evacuation_sites",
            "03",
            "指定緊急避難場所一覧",
            ["全国地方公共団体コード", "ID"]
            + NAMES
            + LOCATION
            + ["標高"]
            + CONTACT
            + ["市区町村コード", "地方公共団体名"]
            + HAZARDS
            + ["指定避難所との重複", "想定収容人数", "対象となる町会・自治会"]
            + TAIL,
            [
                "全国地方公共団体コード",
                "ID",
                "名称",
                "名称_カナ",
                "所在地_連結表記",
                "緯度",
                "経度",
                "電話番号",
                "市区町村コード",
            ]
            + HAZARDS
            + ["指定避難所との重複", "想定収容人数"],
        ),
        _layout(
            "population",
            "04",
            "地域・年齢別人口",
            ["全国地方公共団体コード", "地域コード", "地方公共団体名", "調査年月日", "地域名", "総人口", "男性", "女性"]
            + [f"{band}の{sex}" for band in AGE_BANDS for sex in ("男性", "女性")]
            + ["世帯数", "備考"],
            ["全国地方公共団体コード", "地方公共団体名", "調査年月日", "地域名", "総人口", "男性", "女性", "世帯数"],
        ),
        _layout(
            "childcare_facilities",
            "05",
            "子育て施設一覧",
            HEAD
            + NAMES
            + ["種別"]
            + LOCATION
            + ["高度の種別", "高度の値", "アクセス方法", "駐車場情報"]
            + ["電話番号", "内線番号", "FAX番号"]
            + CONTACT[2:]
            + ["法人番号", "団体名", "許可等年月日", "収容定員", "受入年齢"]
            + HOURS
            + ["一時預かりの有無"]
            + TAIL,
            _BASE_REQUIRED + ["種別", "電話番号", "収容定員", "受入年齢", "一時預かりの有無"],
        ),
        _layout(
            "aed",
            "08",
            "AED設置箇所一覧",
            HEAD
            + NAMES
            + LOCATION
            + ["高度の種別", "高度の値", "設置位置"]
            + CONTACT
            + ["法人番号", "団体名"]
            + HOURS
            + ["小児対応設備の有無"]
            + TAIL,
            _BASE_REQUIRED + ["設置位置", "小児対応設備の有無"],
        ),
        _layout(
            "care_service_providers",
            "09",
            "介護サービス事業所一覧",
            HEAD
            + NAMES
            + ["事業所番号"]
            + LOCATION
            + ["電話番号", "内線番号", "FAX番号"]
            + CONTACT[2:]
            + ["法人の名称", "法人番号"]
            + HOURS
            + ["定員", "実施サービス"]
            + TAIL,
            _BASE_REQUIRED + ["事業所番号", "電話番号", "実施サービス"],
        ),
        _layout(
            "medical_institutions",
            "10",
            "医療機関一覧",
            HEAD
            + NAMES
            + ["医療機関の種類"]
            + LOCATION
            + CONTACT
            + ["法人の名称", "法人番号", "医療機関コード"]
            + [
                "診療曜日",
                "診療開始時間",
                "診療終了時間",
                "診療日時特記事項",
                "時間外における対応",
                "病床数",
                "診療科目",
            ]
            + TAIL,
            _BASE_REQUIRED + ["医療機関の種類", "電話番号", "診療科目"],
        ),
        _layout(
            "tourist_facilities",
            "11",
            "観光施設一覧",
            HEAD
            + NAMES
            + ["POIコード"]
            + LOCATION
            + HOURS
            + [
                "料金（基本）",
                "料金（詳細）",
                "説明",
                "説明_英字",
                "アクセス方法",
                "駐車場情報",
                "バリアフリー情報",
                "連絡先名称",
            ]
            + CONTACT
            + TAIL,
            _BASE_REQUIRED + ["説明"],
        ),
        _layout(
            "events",
            "12",
            "イベント一覧",
            HEAD
            + ["イベント名", "イベント名_カナ", "イベント名_英字", "開始日", "終了日", "開始時間", "終了時間"]
            + ["開始日時特記事項", "説明", "料金（基本）", "料金（詳細）", "連絡先名称"]
            + CONTACT[:5]
            + ["主催者", "場所名称"]
            + LOCATION
            + ["アクセス方法", "駐車場情報", "定員"]
            + ["参加申込終了日", "参加申込終了時間", "参加申込方法"]
            + TAIL,
            ["全国地方公共団体コード", "ID", "地方公共団体名", "イベント名", "開始日", "終了日", "説明", "場所名称"]
            + ["所在地_連結表記", "緯度", "経度"],
        ),
        _layout(
            "public_toilets",
            "13",
            "公衆トイレ一覧",
            HEAD
            + NAMES
            + LOCATION
            + ["設置位置"]
            + ["男性トイレ総数", "男性トイレ数（小便器）", "男性トイレ数（和式）", "男性トイレ数（洋式）"]
            + ["女性トイレ総数", "女性トイレ数（和式）", "女性トイレ数（洋式）"]
            + ["男女共用トイレ総数", "男女共用トイレ数（和式）", "男女共用トイレ数（洋式）", "多機能トイレ数"]
            + ["車椅子使用者用トイレ有無", "乳幼児用設備設置トイレ有無", "オストメイト設置トイレ有無"]
            + ["利用開始時間", "利用終了時間", "利用可能時間特記事項"]
            + TAIL,
            _BASE_REQUIRED + ["男性トイレ総数", "女性トイレ総数", "多機能トイレ数"],
        ),
    ]
}

TIME_COLUMNS = {
    "開始時間",
    "終了時間",
    "診療開始時間",
    "診療終了時間",
    "利用開始時間",
    "利用終了時間",
    "参加申込終了時間",
}
FLAG_COLUMNS = {
    "小児対応設備の有無",
    "一時預かりの有無",
    "車椅子使用者用トイレ有無",
    "乳幼児用設備設置トイレ有無",
    "オストメイト設置トイレ有無",
}
# Required columns whose "no" is written as a blank cell (1 or blank): present, but may be empty.
BLANK_MEANS_NO = set(HAZARDS) | {"指定避難所との重複"}
DATE_COLUMNS = {"調査年月日", "開始日", "終了日", "参加申込終了日", "許可等年月日"}
