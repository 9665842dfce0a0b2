"""The fictional municipality: names, the local government code and its 町丁目 (districts).

Everything here is invented. The prefecture code 99 is outside the real range 01–47, so the
code 992011 can never be a real municipality, and the city lies in open sea on purpose so that
no coordinate can be mistaken for a real address.
"""

from __future__ import annotations

from dataclasses import dataclass

PREFECTURE = "若葉県"
PREFECTURE_KANA = "ワカバケン"
CITY = "みどり野市"
CITY_KANA = "ミドリノシ"
CITY_EN = "Midorino City"
FULL_NAME = PREFECTURE + CITY
CITY_CODE_5 = "99201"
WEB = "https://www.city.midorino.example"
MAIL_DOMAIN = "city.midorino.example"
PHONE_PREFIX = "0000"  # no real Japanese area code starts with 0000

# City bounding box (WGS84): about 12 km east-west and 9 km north-south.
WEST, EAST = 134.815, 134.945
SOUTH, NORTH = 33.860, 33.941
GRID_COLUMNS, GRID_ROWS = 6, 4


def check_digit(code5: str) -> str:
    """Return the check digit of a 5-digit local government code (総務省 algorithm).

    The digits are weighted 6, 5, 4, 3, 2 and summed; the check digit is the last digit of
    11 minus the remainder (or of 11 minus the sum when the sum is below 11).
    """
    if len(code5) != 5 or not code5.isdigit():
        raise ValueError(f"expected 5 digits, got {code5!r}")
    total = sum(int(d) * w for d, w in zip(code5, (6, 5, 4, 3, 2), strict=True))
    value = 11 - total if total < 11 else 11 - total % 11
    return str(value % 10)


CITY_CODE = CITY_CODE_5 + check_digit(CITY_CODE_5)


@dataclass(frozen=True)
class District:
    """One 町丁目: its name and reading, 町字ID, grid cell, character and base population."""

    town_id: str
    name: str
    kana: str
    romaji: str
    kind: str  # rural, suburb, suburb_old, newtown, center, port
    base_population: int
    row: int
    col: int


# (name, kana, romaji, kind, base population) by grid row (north to south) and column (west to east).
_GRID = [
    [
        ("奥谷", "オクダニ", "Okudani", "rural", 700),
        ("大沢", "オオサワ", "Osawa", "rural", 1000),
        ("北山町", "キタヤマチョウ", "Kitayama-cho", "suburb_old", 3200),
        ("城山", "シロヤマ", "Shiroyama", "suburb_old", 3700),
        ("桜台", "サクラダイ", "Sakuradai", "suburb_old", 4800),
        ("東山", "ヒガシヤマ", "Higashiyama", "rural", 1300),
    ],
    [
        ("西原", "ニシハラ", "Nishihara", "suburb", 3400),
        ("緑ヶ丘一丁目", "ミドリガオカイッチョウメ", "Midorigaoka 1-chome", "newtown", 5200),
        ("緑ヶ丘二丁目", "ミドリガオカニチョウメ", "Midorigaoka 2-chome", "newtown", 5500),
        ("本町一丁目", "ホンマチイッチョウメ", "Honmachi 1-chome", "center", 4100),
        ("本町二丁目", "ホンマチニチョウメ", "Honmachi 2-chome", "center", 3900),
        ("旭町", "アサヒマチ", "Asahimachi", "suburb", 4500),
    ],
    [
        ("松原", "マツバラ", "Matsubara", "suburb", 4000),
        ("青葉台一丁目", "アオバダイイッチョウメ", "Aobadai 1-chome", "newtown", 6000),
        ("駅前一丁目", "エキマエイッチョウメ", "Ekimae 1-chome", "center", 3300),
        ("駅前二丁目", "エキマエニチョウメ", "Ekimae 2-chome", "center", 3600),
        ("栄町", "サカエマチ", "Sakaemachi", "center", 4600),
        ("柳町", "ヤナギマチ", "Yanagimachi", "suburb", 3800),
    ],
    [
        ("南浜", "ミナミハマ", "Minamihama", "suburb_old", 3000),
        ("青葉台二丁目", "アオバダイニチョウメ", "Aobadai 2-chome", "newtown", 5400),
        ("港町", "ミナトマチ", "Minatomachi", "port", 1500),
        ("汐見町", "シオミチョウ", "Shiomicho", "suburb_old", 3100),
        ("川端町", "カワバタチョウ", "Kawabatacho", "suburb", 3500),
        ("東浜", "ヒガシハマ", "Higashihama", "rural", 1100),
    ],
]

_CHOME = {"一丁目": "001", "二丁目": "002"}


def _town_ids() -> dict[str, str]:
    """Give each 町字 a 4-digit serial and each 丁目 its 3-digit number (アドレス・ベース・レジストリ style)."""
    ids: dict[str, str] = {}
    serials: dict[str, int] = {}
    for row in _GRID:
        for name, *_ in row:
            base, chome = name, "000"
            for suffix, number in _CHOME.items():
                if name.endswith(suffix):
                    base, chome = name[: -len(suffix)], number
            serials.setdefault(base, len(serials) + 1)
            ids[name] = f"{serials[base]:04d}{chome}"
    return ids


def districts() -> list[District]:
    """All 24 districts, north-west first, row by row."""
    ids = _town_ids()
    return [
        District(ids[name], name, kana, romaji, kind, pop, r, c)
        for r, row in enumerate(_GRID)
        for c, (name, kana, romaji, kind, pop) in enumerate(row)
    ]


def address(district: District, block: str, building: str = "") -> str:
    """The 所在地_連結表記 of a place: prefecture, city, 町字, 番地以下 and building."""
    return f"{FULL_NAME}{district.name}{block}{building}"


def phone(number: int) -> str:
    """A fictional phone number in the non-existent area code 0000."""
    return f"{PHONE_PREFIX}-{number // 10000 % 100:02d}-{number % 10000:04d}"
