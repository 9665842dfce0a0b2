"""観光施設一覧, イベント一覧 and 公衆トイレ一覧 of the city's sights, festivals and parks."""

from __future__ import annotations

import datetime as dt

from datasets import city, places, tables
from datasets.world import World, head

# key | name | kana | district | 利用可能曜日 | 開始 | 終了 | 特記事項 | 料金（基本） | 説明
_SIGHTS = """
park_shiroyama|城山公園|シロヤマコウエン|城山|||||無料|城跡を整備した公園。約800本の桜が咲く市内随一の花見の名所。
sight_castle|みどり野城跡|ミドリノジョウアト|城山|||||無料|戦国時代の山城の跡。石垣と堀の一部が残る。
museum|みどり野市郷土資料館|ミドリノシキョウドシリョウカン|城山|火,水,木,金,土,日|09:00|17:00|月曜日及び年末年始は休館|大人200円|市の歴史と漁業・農業の民俗資料を展示。
sight_okudani|奥谷渓谷|オクダニケイコク|奥谷|||||無料|清流と紅葉で知られる渓谷。遊歩道は約3km。
sight_tanada|大沢の棚田|オオサワノタナダ|大沢|||||無料|約200枚の田が連なる棚田。6月の田植え、9月の稲穂が見どころ。
sight_tenbodai|東山展望台|ヒガシヤマテンボウダイ|東山|||||無料|市街地と海を一望できる展望台。夜景も人気。
sight_lighthouse|汐見埼灯台|シオミサキトウダイ|汐見町|土,日,祝|10:00|16:00|内部公開は土日祝日のみ|大人300円|明治期に建てられた白亜の灯台。
sight_asaichi|港町朝市|ミナトマチアサイチ|港町|日|06:00|10:00|毎週日曜日。荒天時は中止|無料|地元の漁師と農家が集まる朝市。
sight_onsen|旭温泉みどりの湯|アサヒオンセンミドリノユ|旭町|水,木,金,土,日,祝|10:00|22:00|月曜日・火曜日は定休|大人600円|源泉かけ流しの日帰り温泉。
sight_michinoeki|道の駅みどり野|ミチノエキミドリノ|東浜|月,火,水,木,金,土,日,祝|09:00|18:00|年始（1月1日）は休業|無料|地元の特産品と海産物の直売所。
sight_beach|東浜海水浴場|ヒガシハマカイスイヨクジョウ|東浜|月,火,水,木,金,土,日,祝|09:00|17:00|7月中旬～8月末の海水浴期間のみ監視員配置|無料|遠浅の砂浜が続く海水浴場。
sight_shotengai|栄町商店街|サカエマチショウテンガイ|栄町|||||無料|昭和の面影が残るアーケード商店街。
"""
ENGLISH = {
    "park_shiroyama": ("Shiroyama Park", "A castle-ruin park with about 800 cherry trees."),
    "sight_castle": ("Midorino Castle Ruins", "Ruins of a hilltop castle with stone walls."),
    "museum": ("Midorino Local History Museum", "Local history and folk culture exhibits."),
    "sight_okudani": ("Okudani Gorge", "A gorge known for clear water and autumn leaves."),
    "sight_tanada": ("Osawa Rice Terraces", "About 200 terraced rice paddies."),
    "sight_tenbodai": ("Higashiyama Observatory", "A lookout over the city and the sea."),
    "sight_lighthouse": ("Shiomisaki Lighthouse", "A white lighthouse built in the Meiji era."),
    "sight_asaichi": ("Minatomachi Morning Market", "A Sunday morning market of local fishers and farmers."),
    "sight_onsen": ("Asahi Onsen Midori-no-yu", "A day-trip hot spring."),
    "sight_michinoeki": ("Roadside Station Midorino", "Local products and seafood."),
    "sight_beach": ("Higashihama Beach", "A shallow sandy beach."),
    "sight_shotengai": ("Sakaemachi Shopping Street", "A covered shopping street."),
}
# key, name, kana, district, hours, 料金（基本）, 説明 (sights without hours are open all the time)
SIGHTS = [
    (key, name, kana, district, (days, start, end, note) if days else places.OPEN_AIR, fee, text)
    for key, name, kana, district, days, start, end, note, fee, text in tables.parse(_SIGHTS)
]

# name | kana | place key | dates (M-D;M-D) | 開始 | 終了 | 料金 | 定員 | 主催者
_EVENTS = tables.parse(
    """
みどり野桜まつり|ミドリノサクラマツリ|park_shiroyama|4-5|10:00|20:00|無料||みどり野市観光協会
みどり野港まつり花火大会|ミドリノミナトマツリハナビタイカイ|park_seaside|8-9|19:30|20:30|無料||みどり野市観光協会
みどり野市民まつり|ミドリノシミンマツリ|park_central|10-18;10-19|10:00|16:00|無料||みどり野市
総合防災訓練|ソウゴウボウサイクンレン|es_aobadai|9-1|09:00|12:00|無料|500|みどり野市
棚田の稲刈り体験|タナダノイネカリタイケン|sight_tanada|9-20|09:00|13:00|1,000円|40|大沢棚田保存会
奥谷渓谷もみじウォーク|オクダニケイコクモミジウォーク|sight_okudani|11-16|09:30|14:00|500円|100|みどり野市観光協会
郷土資料館企画展「みどり野の漁業」|キョウドシリョウカンキカクテンミドリノノギョギョウ|museum|7-1|09:00|17:00|大人200円||みどり野市
""",
    ints=(7,),
)
# name | kana | place key | weekday of the 2nd week (0 = Monday) | 開始 | 終了 | 料金 | 定員 | 主催者
_MONTHLY = tables.parse(
    """
図書館おはなし会|トショカンオハナシカイ|library|2|10:30|11:30|無料|30|みどり野市立中央図書館
健康づくり教室|ケンコウヅクリキョウシツ|health_center|3|13:30|15:00|無料|40|みどり野市保健センター
子育てひろば親子あそび|コソダテヒロバオヤコアソビ|community_13|1|10:00|11:30|無料|20|みどり野市
""",
    ints=(3, 7),
)
EVENT_ENGLISH = {
    "みどり野桜まつり": "Midorino Cherry Blossom Festival",
    "みどり野港まつり花火大会": "Midorino Port Fireworks",
    "みどり野市民まつり": "Midorino Citizens' Festival",
    "総合防災訓練": "City Disaster Drill",
    "棚田の稲刈り体験": "Rice Harvest Experience",
    "奥谷渓谷もみじウォーク": "Okudani Autumn Walk",
    "郷土資料館企画展「みどり野の漁業」": "Museum Exhibition",
    "図書館おはなし会": "Library Story Time",
    "健康づくり教室": "Health Class",
    "子育てひろば親子あそび": "Parent and Child Play",
}
FISCAL_YEAR = 2025


def _second_weekday(year: int, month: int, weekday: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7)


def _place(key: str) -> tuple[str, str]:
    for p in places.public_places():
        if p.key == key:
            return p.name, p.district
    for s in SIGHTS:
        if s[0] == key:
            return s[1], s[3]
    raise KeyError(key)


def tourist_facilities(world: World) -> list[dict]:
    """Rows of the 観光施設一覧."""
    rows = []
    for i, (key, name, kana, district, hours, fee, text) in enumerate(SIGHTS, start=1):
        english, text_en = ENGLISH[key]
        loc = world.locate(key, district)
        days, start, end, note = hours
        rows.append(
            {
                **head(f"TF{i:03d}"),
                "名称": name,
                "名称_カナ": kana,
                "名称_英字": english,
                **loc.columns(),
                "利用可能曜日": days,
                "開始時間": start,
                "終了時間": end,
                "利用可能日時特記事項": note,
                "料金（基本）": fee,
                "説明": text,
                "説明_英字": text_en,
                "アクセス方法": "みどり野駅から市内循環バスで約15分",
                "駐車場情報": "無料駐車場あり",
                "連絡先名称": "みどり野市観光課",
                "電話番号": city.phone(121234),
                "URL": f"{city.WEB}/kanko/{key}.html",
            }
        )
    return rows


def events(world: World) -> list[dict]:
    """Rows of the イベント一覧 for fiscal year 2025 (April 2025 – March 2026), one row per date."""
    items = []
    for name, kana, key, dates, start, end, fee, cap, org in _EVENTS:
        for month, day in (map(int, d.split("-")) for d in dates.split(";")):
            year = FISCAL_YEAR + (1 if month < 4 else 0)
            items.append((dt.date(year, month, day), name, kana, EVENT_ENGLISH[name], key, start, end, fee, cap, org))
    for name, kana, key, weekday, start, end, fee, cap, org in _MONTHLY:
        en = EVENT_ENGLISH[name]
        for m in range(12):
            month = (3 + m) % 12 + 1
            year = FISCAL_YEAR + (1 if month < 4 else 0)
            items.append((_second_weekday(year, month, weekday), name, kana, en, key, start, end, fee, cap, org))
    rows = []
    for i, (day, name, kana, en, key, start, end, fee, cap, org) in enumerate(sorted(items), start=1):
        place_name, district = _place(key)
        loc = world.locate(key, district)
        apply = cap is not None and fee != "無料"
        deadline = day - dt.timedelta(days=7)
        rows.append(
            {
                **head(f"EVT{i:03d}"),
                "イベント名": name,
                "イベント名_カナ": kana,
                "イベント名_英字": en,
                "開始日": day.isoformat(),
                "終了日": day.isoformat(),
                "開始時間": start,
                "終了時間": end,
                "説明": f"{place_name}で開催する{name}です。",
                "料金（基本）": fee,
                "連絡先名称": org,
                "電話番号": city.phone(121234),
                "主催者": org,
                "場所名称": place_name,
                **loc.columns(),
                "定員": cap,
                "参加申込終了日": deadline.isoformat() if apply else "",
                "参加申込終了時間": "17:00" if apply else "",
                "参加申込方法": "電子申請または電話" if apply else ("当日先着順" if cap is not None else "申込不要"),
                "URL": f"{city.WEB}/event/evt{i:03d}.html",
            }
        )
    return rows


_TOILET_KEYS = [
    "park_shiroyama",
    "park_central",
    "park_seaside",
    "park_asahi",
    "park_aobadai",
    "park_minato",
    "sight_castle",
    "sight_okudani",
    "sight_tanada",
    "sight_tenbodai",
    "sight_lighthouse",
    "sight_asaichi",
    "sight_michinoeki",
    "sight_beach",
    "sight_shotengai",
]


def public_toilets(world: World) -> list[dict]:
    """Rows of the 公衆トイレ一覧 at parks and sights."""
    rng = world.rng("toilets")
    rows = []
    for i, key in enumerate(_TOILET_KEYS, start=1):
        place_name, district = _place(key)
        kana = next((s[2] for s in SIGHTS if s[0] == key), None) or next(
            p.kana for p in places.public_places() if p.key == key
        )
        loc = world.locate(key, district)
        urinals, m_jp, m_west = rng.randint(1, 4), rng.randint(0, 1), rng.randint(1, 2)
        f_jp, f_west = rng.randint(0, 1), rng.randint(1, 4)
        accessible = rng.randint(0, 1) if key.startswith("sight") else 1
        hours = ("06:00", "21:00") if key in ("park_asahi", "sight_shotengai") else ("00:00", "24:00")
        rows.append(
            {
                **head(f"PT{i:03d}"),
                "名称": f"{place_name}公衆トイレ",
                "名称_カナ": f"{kana}コウシュウトイレ",
                **loc.columns(),
                "設置位置": "駐車場横" if key.startswith("sight") else "園内",
                "男性トイレ総数": urinals + m_jp + m_west,
                "男性トイレ数（小便器）": urinals,
                "男性トイレ数（和式）": m_jp,
                "男性トイレ数（洋式）": m_west,
                "女性トイレ総数": f_jp + f_west,
                "女性トイレ数（和式）": f_jp,
                "女性トイレ数（洋式）": f_west,
                "男女共用トイレ総数": 0,
                "男女共用トイレ数（和式）": 0,
                "男女共用トイレ数（洋式）": 0,
                "多機能トイレ数": accessible,
                "車椅子使用者用トイレ有無": "有" if accessible else "無",
                "乳幼児用設備設置トイレ有無": "有" if accessible and rng.random() < 0.7 else "無",
                "オストメイト設置トイレ有無": "有" if accessible and rng.random() < 0.5 else "無",
                "利用開始時間": hours[0],
                "利用終了時間": hours[1],
                "利用可能時間特記事項": "" if hours[0] == "00:00" else "夜間は閉鎖",
            }
        )
    return rows
