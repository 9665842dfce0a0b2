"""The invented named places of みどり野市: public facilities, schools, parks and sights.

Each entry gives the name, its katakana reading, an English name, a kind, the district it lies
in and its opening hours. Other modules place them on the map and derive the open data from them.
"""

from __future__ import annotations

from dataclasses import dataclass

Hours = tuple[str, str, str, str]  # 利用可能曜日, 開始時間, 終了時間, 特記事項

WEEKDAYS = "月,火,水,木,金"
EVERY_DAY = "月,火,水,木,金,土,日,祝"
OFFICE: Hours = (WEEKDAYS, "08:30", "17:15", "土日祝日及び年末年始（12月29日～1月3日）は閉庁")
HALL: Hours = ("火,水,木,金,土,日", "09:00", "21:00", "月曜日（祝日の場合は翌平日）及び年末年始は休館")
LIBRARY: Hours = ("火,水,木,金,土,日,祝", "09:30", "19:00", "土日祝日は17:00まで。月曜日及び毎月末日は休館")
SCHOOL: Hours = (WEEKDAYS, "08:00", "17:00", "学校行事により変更あり。夜間・休日は利用不可")
SPORTS: Hours = ("火,水,木,金,土,日,祝", "09:00", "21:00", "月曜日及び年末年始は休館")
OPEN_AIR: Hours = (EVERY_DAY, "00:00", "24:00", "常時開放")


@dataclass(frozen=True)
class Place:
    """A named place; `kind` is one of the keys of KINDS."""

    key: str
    name: str
    kana: str
    english: str
    kind: str
    district: str
    hours: Hours
    building: str = ""


KINDS = {
    "office": "庁舎",
    "community": "公民館・集会施設",
    "library": "図書館",
    "sports": "体育施設",
    "culture": "文化施設",
    "health": "保健施設",
    "elementary": "小学校",
    "junior_high": "中学校",
    "park": "公園",
    "fire": "消防施設",
    "museum": "博物館・資料館",
}

_SCHOOLS = [
    ("本町", "ホンマチ", "Honmachi", "本町一丁目"),
    ("緑ヶ丘", "ミドリガオカ", "Midorigaoka", "緑ヶ丘一丁目"),
    ("青葉台", "アオバダイ", "Aobadai", "青葉台一丁目"),
    ("青葉台南", "アオバダイミナミ", "Aobadai-minami", "青葉台二丁目"),
    ("北山", "キタヤマ", "Kitayama", "北山町"),
    ("桜台", "サクラダイ", "Sakuradai", "桜台"),
    ("西原", "ニシハラ", "Nishihara", "西原"),
    ("栄", "サカエ", "Sakae", "栄町"),
    ("南浜", "ミナミハマ", "Minamihama", "南浜"),
    ("大沢", "オオサワ", "Osawa", "大沢"),
    ("旭", "アサヒ", "Asahi", "旭町"),
    ("川端", "カワバタ", "Kawabata", "川端町"),
]
_JUNIOR_HIGH = [
    ("中央", "チュウオウ", "Chuo", "本町二丁目"),
    ("緑ヶ丘", "ミドリガオカ", "Midorigaoka", "緑ヶ丘二丁目"),
    ("青葉台", "アオバダイ", "Aobadai", "青葉台二丁目"),
    ("城山", "シロヤマ", "Shiroyama", "城山"),
    ("汐見", "シオミ", "Shiomi", "汐見町"),
]
_COMMUNITY = [
    ("北山公民館", "キタヤマコウミンカン", "Kitayama Community Hall", "北山町"),
    ("西原公民館", "ニシハラコウミンカン", "Nishihara Community Hall", "西原"),
    ("緑ヶ丘公民館", "ミドリガオカコウミンカン", "Midorigaoka Community Hall", "緑ヶ丘二丁目"),
    ("旭町公民館", "アサヒマチコウミンカン", "Asahimachi Community Hall", "旭町"),
    ("松原公民館", "マツバラコウミンカン", "Matsubara Community Hall", "松原"),
    ("青葉台公民館", "アオバダイコウミンカン", "Aobadai Community Hall", "青葉台二丁目"),
    ("南浜公民館", "ミナミハマコウミンカン", "Minamihama Community Hall", "南浜"),
    ("川端町公民館", "カワバタチョウコウミンカン", "Kawabatacho Community Hall", "川端町"),
    ("桜台集会所", "サクラダイシュウカイジョ", "Sakuradai Meeting Hall", "桜台"),
    ("柳町集会所", "ヤナギマチシュウカイジョ", "Yanagimachi Meeting Hall", "柳町"),
    ("奥谷ふれあいセンター", "オクダニフレアイセンター", "Okudani Fureai Center", "奥谷"),
    ("東山ふれあいセンター", "ヒガシヤマフレアイセンター", "Higashiyama Fureai Center", "東山"),
    ("東浜コミュニティセンター", "ヒガシハマコミュニティセンター", "Higashihama Community Center", "東浜"),
    ("港町コミュニティセンター", "ミナトマチコミュニティセンター", "Minatomachi Community Center", "港町"),
]


def public_places() -> list[Place]:
    """Every facility of the 公共施設一覧, in a fixed order."""
    p = [
        Place(
            "city_hall", "みどり野市役所", "ミドリノシヤクショ", "Midorino City Hall", "office", "本町一丁目", OFFICE
        ),
        Place(
            "north_branch",
            "みどり野市役所北部支所",
            "ミドリノシヤクショホクブシショ",
            "City Hall North Branch",
            "office",
            "城山",
            OFFICE,
        ),
        Place(
            "south_branch",
            "みどり野市役所南部支所",
            "ミドリノシヤクショナンブシショ",
            "City Hall South Branch",
            "office",
            "汐見町",
            OFFICE,
        ),
        Place(
            "library",
            "みどり野市立中央図書館",
            "ミドリノシリツチュウオウトショカン",
            "Midorino Central Library",
            "library",
            "駅前二丁目",
            LIBRARY,
        ),
        Place(
            "library_aobadai",
            "みどり野市立中央図書館青葉台分館",
            "ミドリノシリツチュウオウトショカンアオバダイブンカン",
            "Aobadai Branch Library",
            "library",
            "青葉台一丁目",
            LIBRARY,
            "青葉台公民館2階",
        ),
        Place(
            "gym",
            "みどり野市総合体育館",
            "ミドリノシソウゴウタイイクカン",
            "Midorino General Gymnasium",
            "sports",
            "松原",
            SPORTS,
        ),
        Place(
            "pool",
            "みどり野市民プール",
            "ミドリノシミンプール",
            "Midorino Municipal Pool",
            "sports",
            "柳町",
            ("火,水,木,金,土,日", "10:00", "20:00", "7月1日～8月31日のみ営業"),
        ),
        Place(
            "culture_hall",
            "みどり野市民文化ホール",
            "ミドリノシミンブンカホール",
            "Midorino Civic Culture Hall",
            "culture",
            "栄町",
            HALL,
        ),
        Place(
            "museum",
            "みどり野市郷土資料館",
            "ミドリノシキョウドシリョウカン",
            "Midorino Local History Museum",
            "museum",
            "城山",
            ("火,水,木,金,土,日", "09:00", "17:00", "月曜日及び年末年始は休館"),
        ),
        Place(
            "health_center",
            "みどり野市保健センター",
            "ミドリノシホケンセンター",
            "Midorino Health Center",
            "health",
            "本町二丁目",
            OFFICE,
        ),
        Place(
            "fire_hq",
            "みどり野市消防本部",
            "ミドリノシショウボウホンブ",
            "Midorino Fire Headquarters",
            "fire",
            "川端町",
            (EVERY_DAY, "00:00", "24:00", "庁舎見学は平日09:00～17:00"),
        ),
    ]
    for name, kana, english, district in _COMMUNITY:
        p.append(Place(f"community_{len(p)}", name, kana, english, "community", district, HALL))
    for short, kana, english, district in _SCHOOLS:
        p.append(
            Place(
                f"es_{english.lower()}",
                f"みどり野市立{short}小学校",
                f"ミドリノシリツ{kana}ショウガッコウ",
                f"{english} Elementary School",
                "elementary",
                district,
                SCHOOL,
            )
        )
    for short, kana, english, district in _JUNIOR_HIGH:
        p.append(
            Place(
                f"jh_{english.lower()}",
                f"みどり野市立{short}中学校",
                f"ミドリノシリツ{kana}チュウガッコウ",
                f"{english} Junior High School",
                "junior_high",
                district,
                SCHOOL,
            )
        )
    p += [
        Place("park_shiroyama", "城山公園", "シロヤマコウエン", "Shiroyama Park", "park", "城山", OPEN_AIR),
        Place(
            "park_central",
            "みどり野中央公園",
            "ミドリノチュウオウコウエン",
            "Midorino Central Park",
            "park",
            "駅前一丁目",
            OPEN_AIR,
        ),
        Place(
            "park_seaside",
            "みどり野海浜公園",
            "ミドリノカイヒンコウエン",
            "Midorino Seaside Park",
            "park",
            "東浜",
            OPEN_AIR,
        ),
        Place(
            "park_asahi",
            "旭町運動公園",
            "アサヒマチウンドウコウエン",
            "Asahimachi Sports Park",
            "park",
            "旭町",
            (EVERY_DAY, "06:00", "21:00", "夜間照明は21:00まで"),
        ),
        Place(
            "park_aobadai",
            "青葉台中央公園",
            "アオバダイチュウオウコウエン",
            "Aobadai Central Park",
            "park",
            "青葉台一丁目",
            OPEN_AIR,
        ),
        Place("park_minato", "港町緑地", "ミナトマチリョクチ", "Minatomachi Green", "park", "港町", OPEN_AIR),
    ]
    return p
