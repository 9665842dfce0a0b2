"""Shared state of one generation run: districts, their polygons, place locations and population.

A place is located once (district polygon, street number, coordinates) and every dataset that
mentions it reuses that location, so a school has the same address in the 公共施設一覧, the
指定緊急避難場所一覧 and the AED list.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from datasets import city, geo, population


@dataclass(frozen=True)
class Location:
    """Where a place is: district, 番地以下, building and coordinates."""

    district: city.District
    block: str
    building: str
    lon: float
    lat: float

    def columns(self) -> dict:
        """The shared location block of the standard layouts."""
        return {
            "所在地_全国地方公共団体コード": city.CITY_CODE,
            "町字ID": self.district.town_id,
            "所在地_連結表記": city.address(self.district, self.block, self.building),
            "所在地_都道府県": city.PREFECTURE,
            "所在地_市区町村": city.CITY,
            "所在地_町字": self.district.name,
            "所在地_番地以下": self.block,
            "建物名等(方書)": self.building,
            "緯度": f"{self.lat:.6f}",
            "経度": f"{self.lon:.6f}",
        }


@dataclass
class World:
    """Everything the dataset builders share, derived from one seed."""

    seed: int
    districts: list[city.District] = field(init=False)
    rings: dict[str, geo.Ring] = field(init=False)
    pyramids: dict = field(init=False)
    _locations: dict[str, Location] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.districts = city.districts()
        self.rings = {d.town_id: geo.district_ring(self.seed, d.row, d.col) for d in self.districts}
        self.pyramids = population.simulate(self.seed)

    def rng(self, purpose: str) -> random.Random:
        """An independent random stream per purpose, so adding one dataset does not shift others."""
        return random.Random(f"{self.seed}:{purpose}")

    def district(self, name: str) -> city.District:
        """The district called `name`."""
        return next(d for d in self.districts if d.name == name)

    def population(self, town_id: str, year: int = population.YEARS[-1]) -> int:
        """Residents of a district on 1 January of `year`."""
        p = self.pyramids[year][town_id]
        return sum(p["男"]) + sum(p["女"])

    def locate(self, key: str, district_name: str, building: str = "") -> Location:
        """The location of place `key` in the named district, created on first use."""
        if key not in self._locations:
            rng = self.rng(f"place:{key}")
            district = self.district(district_name)
            lon, lat = geo.random_point(rng, self.rings[district.town_id])
            block = f"{rng.randint(1, 28)}-{rng.randint(1, 40)}"
            self._locations[key] = Location(district, block, building, lon, lat)
        return self._locations[key]

    def elevation(self, loc: Location) -> float:
        """Height above sea level in metres: the coast is in the south, hills in the north."""
        t = (loc.lat - city.SOUTH) / (city.NORTH - city.SOUTH)
        jitter = random.Random(f"{self.seed}:elev:{loc.lon}:{loc.lat}").uniform(-2, 2)
        return round(max(1.0, 2 + 160 * t**2 + jitter), 1)


def head(code_id: str, with_name: bool = True) -> dict:
    """The first columns of a standard row: publishing government code, ID and its name."""
    row = {"全国地方公共団体コード": city.CITY_CODE, "ID": code_id}
    if with_name:
        row["地方公共団体名"] = city.FULL_NAME
    return row
