"""Resident population by district, sex and single year of age, simulated year by year.

Each district starts from an age profile that fits its character (rural, old 1970s new town,
young new town, centre, port) and then ages: people grow a year older, die at Gompertz rates,
babies are born to women aged 20–44, and people move in or out by age. The city as a whole ages
by about half a point of 高齢化率 a year, as many real municipalities do.
"""

from __future__ import annotations

import math
import random
from itertools import pairwise

from datasets import city
from datasets.layouts import AGE_BANDS

YEARS = [2021, 2022, 2023, 2024, 2025]  # 1 January of each year (住民基本台帳)
MAX_AGE = 105
SEXES = ("男", "女")

# Relative cohort size by age for the country-like base pyramid (anchor ages, linearly interpolated).
_BASE = [
    (0, 0.62),
    (10, 0.75),
    (20, 0.82),
    (30, 0.92),
    (45, 1.20),
    (52, 1.22),
    (58, 1.12),
    (63, 1.22),
    (68, 1.15),
    (73, 1.35),
    (77, 1.15),
    (85, 0.66),
    (92, 0.22),
    (100, 0.03),
    (105, 0.004),
]
# Multipliers by district character (anchor ages, interpolated).
_KIND = {
    "rural": [(0, 0.45), (15, 0.45), (25, 0.30), (40, 0.55), (55, 0.95), (70, 1.60), (85, 1.90), (105, 2.0)],
    "suburb_old": [
        (0, 0.55),
        (15, 0.60),
        (25, 0.55),
        (40, 0.75),
        (50, 1.00),
        (65, 1.30),
        (75, 1.75),
        (90, 1.30),
        (105, 1.2),
    ],
    "newtown": [
        (0, 1.90),
        (10, 1.70),
        (18, 1.00),
        (25, 0.90),
        (35, 1.90),
        (45, 1.60),
        (60, 0.55),
        (80, 0.30),
        (105, 0.25),
    ],
    "center": [(0, 0.75), (15, 0.70), (22, 1.60), (30, 1.45), (40, 0.95), (60, 0.85), (80, 1.25), (105, 1.30)],
    "suburb": [(0, 1.0), (105, 1.0)],
    "port": [(0, 0.50), (18, 0.90), (25, 1.50), (45, 1.30), (60, 0.90), (80, 0.70), (105, 0.6)],
}
# Net migration rate a year by district character: (first age, last age, rate).
_MIGRATION = {
    "rural": [(18, 24, -0.08), (25, 39, -0.02)],
    "suburb_old": [(18, 29, -0.04), (30, 39, -0.01)],
    "newtown": [(0, 6, 0.025), (25, 39, 0.03)],
    "center": [(18, 29, 0.015), (30, 39, -0.025), (75, 105, 0.005)],
    "suburb": [(18, 29, -0.02)],
    "port": [(18, 29, -0.03)],
}
_FERTILITY = {"newtown": 0.052, "rural": 0.032}
_HOUSEHOLD_SIZE = {"rural": 2.55, "suburb_old": 2.05, "newtown": 2.75, "center": 1.75, "suburb": 2.30, "port": 1.70}


def _interp(anchors: list[tuple[int, float]], age: int) -> float:
    for (a0, v0), (a1, v1) in pairwise(anchors):
        if a0 <= age <= a1:
            return v0 + (v1 - v0) * (age - a0) / (a1 - a0)
    return anchors[-1][1]


def _male_share(age: int) -> float:
    return max(0.25, 0.512 - max(0, age - 55) * 0.0065)


def _death_rate(age: int, sex: str) -> float:
    q = 1.5e-5 * math.exp(0.0999 * age) + (0.002 if age == 0 else 0.0)
    female = 0.6 + 0.3 * min(1.0, max(0, age - 80) / 20)
    return min(0.6, q * (1.0 if sex == "男" else female))


def _noisy(rng: random.Random, expected: float) -> int:
    """Round an expected count with a little noise, never below zero."""
    return max(0, round(expected + rng.gauss(0, math.sqrt(max(expected, 0.0)) * 0.4)))


Pyramid = dict[str, list[int]]  # sex -> count by single year of age 0..MAX_AGE


def _initial(rng: random.Random, district: city.District) -> Pyramid:
    weights = [_interp(_BASE, a) * _interp(_KIND[district.kind], a) for a in range(MAX_AGE + 1)]
    scale = district.base_population / sum(weights)
    return {
        sex: [
            _noisy(rng, scale * w * (_male_share(a) if sex == "男" else 1 - _male_share(a)))
            for a, w in enumerate(weights)
        ]
        for sex in SEXES
    }


def _advance(rng: random.Random, district: city.District, pyramid: Pyramid) -> Pyramid:
    """One year later: ageing, deaths, births and migration."""
    women = sum(pyramid["女"][20:45])
    births = _noisy(rng, women * _FERTILITY.get(district.kind, 0.040))
    new: Pyramid = {}
    for sex in SEXES:
        old = pyramid[sex]
        ages = [0] * (MAX_AGE + 1)
        ages[0] = round(births * (0.512 if sex == "男" else 0.488))
        for a in range(MAX_AGE + 1):
            survivors = _noisy(rng, old[a] * (1 - _death_rate(a, sex)))
            ages[min(a + 1, MAX_AGE)] += survivors
        for first, last, rate in _MIGRATION[district.kind]:
            for a in range(first, last + 1):
                ages[a] = _noisy(rng, ages[a] * (1 + rate))
        new[sex] = ages
    return new


def simulate(seed: int) -> dict[int, dict[str, Pyramid]]:
    """Population pyramids for every year in YEARS: {year: {town_id: {sex: counts by age}}}."""
    rng = random.Random(seed)
    result: dict[int, dict[str, Pyramid]] = {y: {} for y in YEARS}
    for district in city.districts():
        pyramid = _initial(rng, district)
        for year in YEARS:
            result[year][district.town_id] = pyramid
            pyramid = _advance(rng, district, pyramid)
    return result


def households(district: city.District, year: int, total: int) -> int:
    """Number of households: household size shrinks a little every year."""
    size = _HOUSEHOLD_SIZE[district.kind] - 0.015 * (year - YEARS[0])
    return max(1, round(total / size))


def band_counts(ages: list[int]) -> list[int]:
    """Counts by 5-year band 0-4 … 80-84 and 85歳以上."""
    return [sum(ages[a : a + 5]) for a in range(0, 85, 5)] + [sum(ages[85:])]


def standard_rows(pyramids: dict[int, dict[str, Pyramid]]) -> list[dict]:
    """Rows of the 地域・年齢別人口 layout for every year and district."""
    rows = []
    for year in YEARS:
        for district in city.districts():
            p = pyramids[year][district.town_id]
            men, women = sum(p["男"]), sum(p["女"])
            row = {
                "全国地方公共団体コード": city.CITY_CODE,
                "地域コード": district.town_id,
                "地方公共団体名": city.FULL_NAME,
                "調査年月日": f"{year}-01-01",
                "地域名": district.name,
                "総人口": men + women,
                "男性": men,
                "女性": women,
                "世帯数": households(district, year, men + women),
            }
            for band, m, f in zip(AGE_BANDS, band_counts(p["男"]), band_counts(p["女"]), strict=True):
                row[f"{band}の男性"] = m
                row[f"{band}の女性"] = f
            rows.append(row)
    return rows


def ageing_rate(pyramids: dict[int, dict[str, Pyramid]], year: int) -> float:
    """Share of residents aged 65 and over in the whole city (高齢化率)."""
    total = old = 0
    for p in pyramids[year].values():
        for sex in SEXES:
            total += sum(p[sex])
            old += sum(p[sex][65:])
    return old / total
