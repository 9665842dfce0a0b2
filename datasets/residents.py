"""A fictitious sample of resident-register records (住民基本台帳の抽出標本), about 3.5 % of households.

Households are built per district from the simulated population: singles, couples, families,
single parents and three generations, in shares that fit the district. A few deliberately rare
residents (a centenarian alone in a mountain hamlet, the only foreign residents of a rural
district, a household of seven) give k-anonymity exercises something to find.
"""

from __future__ import annotations

import datetime as dt
import random

from datasets import city, names
from datasets.world import World

REFERENCE = dt.date(2025, 1, 1)
SAMPLE_SHARE = 0.035
COLUMNS = [
    "住民ID",
    "世帯ID",
    "続柄",
    "氏名",
    "氏名_カナ",
    "性別",
    "生年月日",
    "国籍",
    "町字ID",
    "町丁目",
    "番地",
    "住所",
    "住民となった日",
]
_SINGLE = {"center": 0.45, "port": 0.50, "suburb_old": 0.34, "newtown": 0.18, "rural": 0.24, "suburb": 0.32}
_FOREIGN = {"center": 0.03, "port": 0.06}


def birth_date(rng: random.Random, age: int) -> dt.date:
    """A birth date giving exactly `age` on the reference date."""
    first = dt.date(REFERENCE.year - age - 1, REFERENCE.month, REFERENCE.day) + dt.timedelta(days=1)
    return first + dt.timedelta(days=rng.randint(0, 364))


def _age(rng: random.Random, counts: list[int], low: int, high: int) -> int:
    ages = list(range(low, min(high, len(counts) - 1) + 1))
    weights = [counts[a] + 0.01 for a in ages]
    return rng.choices(ages, weights)[0]


class _Builder:
    def __init__(self, world: World) -> None:
        self.world = world
        self.rng = world.rng("residents")
        self.rows: list[dict] = []
        self.households = 0

    def household(
        self,
        district: city.District,
        members: list[tuple[str, str, int]],
        nationality: str = "日本",
        moved_in: dt.date | None = None,
    ) -> None:
        """Add one household: members are (relation, sex, age); the first is the head."""
        rng = self.rng
        self.households += 1
        block = f"{rng.randint(1, 28)}-{rng.randint(1, 40)}"
        foreign = next((f for f in names.FOREIGN if f[2] == nationality), None)
        family = rng.choice(names.SURNAMES)
        for relation, sex, age in members:
            born = birth_date(rng, age)
            if foreign:
                given = rng.choice([f for f in names.FOREIGN if f[2] == nationality])[1]
                name = kana = f"{foreign[0]}　{given}"
            else:
                name, kana = names.person(rng, sex, family)
            arrived = moved_in or max(born, dt.date(1960, 4, 1) + dt.timedelta(days=rng.randint(0, 23000)))
            self.rows.append(
                {
                    "住民ID": f"{10_000_001 + len(self.rows) * 7:08d}",
                    "世帯ID": f"H{self.households:06d}",
                    "続柄": relation,
                    "氏名": name,
                    "氏名_カナ": kana,
                    "性別": sex,
                    "生年月日": born.isoformat(),
                    "国籍": nationality,
                    "町字ID": district.town_id,
                    "町丁目": district.name,
                    "番地": block,
                    "住所": city.address(district, block),
                    "住民となった日": min(arrived, REFERENCE).isoformat(),
                }
            )

    def typical(self, district: city.District) -> None:
        rng, p = self.rng, self.world.pyramids[2025][district.town_id]
        both = [m + f for m, f in zip(p["男"], p["女"], strict=True)]
        roll = rng.random()
        head_sex = "男" if rng.random() < 0.8 else "女"
        other = "女" if head_sex == "男" else "男"
        nationality = "日本"
        if rng.random() < _FOREIGN.get(district.kind, 0.005):
            nationality = rng.choice(names.FOREIGN)[2]
        if roll < _SINGLE[district.kind]:
            sex = rng.choice("男女")
            self.household(district, [("世帯主", sex, _age(rng, p[sex], 18, 105))], nationality)
        elif roll < _SINGLE[district.kind] + 0.27:
            age = _age(rng, both, 25, 95)
            self.household(
                district, [("世帯主", head_sex, age), ("配偶者", other, max(20, age + rng.randint(-5, 3)))], nationality
            )
        elif roll < 0.93:
            age = _age(rng, both, 27, 55)
            kids = [
                ("子", rng.choice("男女"), rng.randint(0, min(age - 22, 24))) for _ in range(rng.choice([1, 2, 2, 3]))
            ]
            spouse = [] if rng.random() < 0.12 else [("配偶者", other, max(22, age + rng.randint(-4, 3)))]
            self.household(district, [("世帯主", head_sex if spouse else "女", age)] + spouse + kids, nationality)
        else:
            age = _age(rng, both, 58, 85)
            child = age - rng.randint(24, 34)
            self.household(
                district,
                [
                    ("世帯主", "男", age),
                    ("配偶者", "女", age - 2),
                    ("子", "男", child),
                    ("子の配偶者", "女", child - 2),
                    ("孫", rng.choice("男女"), rng.randint(0, 12)),
                ],
            )


def sample(world: World) -> list[dict]:
    """The resident sample, with the rare households listed in DICTIONARY.md."""
    from datasets.population import households

    b = _Builder(world)
    for d in world.districts:
        for _ in range(round(households(d, 2025, world.population(d.town_id)) * SAMPLE_SHARE)):
            b.typical(d)
    rare = dt.date(2023, 6, 1)
    b.household(world.district("奥谷"), [("世帯主", "女", 102)])
    b.household(world.district("大沢"), [("世帯主", "男", 24), ("配偶者", "女", 23)], "ベトナム", rare)
    b.household(world.district("東山"), [("世帯主", "男", 19)], moved_in=dt.date(2024, 4, 1))
    b.household(
        world.district("港町"),
        [("世帯主", "男", 44), ("配偶者", "女", 41)]
        + [("子", s, a) for s, a in (("男", 17), ("女", 15), ("男", 12), ("女", 9), ("男", 6))],
    )
    return b.rows
