"""Deterministic generator of a realistic demo owner roll.

Pure standard-library code (no Flask, no database): the same seed always yields the
same list of units, so `gongjue demo` can rebuild an identical demo community.
All people are fictitious; ID numbers and phone numbers are merely well-formed.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from app.roll.validation import ParsedOwner

__all__ = ["DemoOwner", "DemoUnit", "demo_small_roll", "generate_demo_roll"]

# Surnames in frequency tiers (relative weight, surnames); a few Zhuji-typical ones
# (楼 宣 寿 斯 骆 俞) are boosted, compound surnames are rare.
# fmt: off
SURNAME_TIERS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (70, tuple("王李张陈")),
    (50, tuple("刘")),
    (25, tuple("杨黄赵吴周徐")),
    (15, tuple("孙马朱胡郭何林高罗郑金")),
    (10, tuple("楼俞骆宣寿梁谢宋唐许韩冯邓曹")),
    (5, tuple("彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢傅钟姜崔谭廖范汪陆石戴"
              "贾夏邱方侯邹熊孟秦白江薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严武莫孔汤斯边")),
    (1, ("欧阳", "司马", "诸葛", "上官", "东方")),
)
SURNAMES: tuple[str, ...] = tuple(s for _, names in SURNAME_TIERS for s in names)
SURNAME_WEIGHTS: tuple[int, ...] = tuple(w for w, names in SURNAME_TIERS for _ in names)

MALE_GIVEN_NAMES: tuple[str, ...] = (
    "伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "刚", "平", "辉", "鹏", "华", "飞", "斌",
    "波", "宁", "建国", "建华", "国强", "志明", "志强", "海波", "建军", "永明", "文斌", "晓东", "伟民",
    "国庆", "立新", "卫东", "少华", "春生", "金根", "德明", "荣华", "建平", "国平", "文龙",
)
FEMALE_GIVEN_NAMES: tuple[str, ...] = (
    "丽", "芳", "敏", "静", "燕", "艳", "娟", "霞", "红", "萍", "慧", "丹", "秀英", "桂英", "秀兰",
    "玉兰", "桂兰", "雪梅", "丽华", "美玲", "晓燕", "丽娟", "海燕", "春梅", "玉珍", "月娥", "彩凤",
    "亚萍", "素芬", "菊芳", "美娟", "晓红",
)
# Added to the pools above for owners born from MODERN_NAMES_FROM on.
MODERN_MALE_GIVEN_NAMES: tuple[str, ...] = ("浩", "宇", "晨", "俊杰", "家豪", "一鸣", "子豪", "浩然")
MODERN_FEMALE_GIVEN_NAMES: tuple[str, ...] = ("婷", "琳", "洁", "佳怡", "雅婷", "欣怡", "梦瑶", "诗涵")

# (region code, weight, first birth year, last birth year).  stdnum.cn.ric checks
# that the county code existed in the birth year, hence the historic Zhuji codes.
REGION_CODES: tuple[tuple[str, int, int, int], ...] = (
    ("330681", 10, 1989, 2000),  # 诸暨市
    ("330625", 10, 1983, 1989),  # 诸暨县
    ("332325", 10, 1940, 1983),  # 诸暨县（绍兴地区）
    ("330602", 3, 1983, 2000),  # 绍兴市越城区
    ("332301", 3, 1940, 1983),  # 绍兴市
    ("330621", 2, 1983, 2000),  # 绍兴县
    ("332321", 2, 1940, 1981),  # 绍兴县（绍兴地区）
    ("330624", 1, 1983, 2000),  # 新昌县
    ("332324", 1, 1940, 1983),  # 新昌县（绍兴地区）
    ("330122", 1, 1940, 2000),  # 桐庐县
)
MOBILE_PREFIXES: tuple[str, ...] = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
    "157", "158", "159", "177", "180", "181", "182", "183", "186", "187", "188", "189", "199",
)
# Typical registered floor areas of flat layouts, in 0.01 m².
RESIDENCE_LAYOUTS: tuple[int, ...] = (6318, 7615, 8932, 9547, 10568, 11847, 12906, 13588, 14375, 16820)
# fmt: on

BIRTH_YEARS = (1940, 2000)
MAX_UNITS_PER_OWNER = 4
MODERN_NAMES_FROM = 1980


#: a demo owner is an owner as an import reads it: a resident ID, a phone, whether they represent the unit
DemoOwner = ParsedOwner


@dataclass(frozen=True)
class DemoUnit:
    building: str
    entrance: str
    room: str
    kind: str
    area_centi: int
    area_source: str
    status: str
    owners: tuple[DemoOwner, ...]


def _check_digit(body: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits of an ID."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(body))
    return "0123456789X"[(12 - total % 11) % 11]


def _clamp_year(year: int) -> int:
    return min(max(year, BIRTH_YEARS[0]), BIRTH_YEARS[1])


class _People:
    """Creates fictitious people with unique ID numbers and phone numbers."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.ids: set[str] = set()
        self.phones: set[str] = set()
        self.groups: list[tuple[DemoOwner, ...]] = []  # owners of one unit, representative first
        self.held: list[int] = []  # number of units held by each group

    def surname(self) -> str:
        return self.rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]

    def id_number(self, *, male: bool, year: int) -> str:
        rng = self.rng
        codes = [c for c in REGION_CODES if c[2] <= year <= c[3]]
        code = rng.choices([c[0] for c in codes], weights=[c[1] for c in codes])[0]
        while True:
            born = datetime.date(year, 1, 1) + datetime.timedelta(rng.randrange(365))
            order = 2 * rng.randint(0, 499) + 1 if male else 2 * rng.randint(1, 499)
            body = f"{code}{born:%Y%m%d}{order:03d}"  # odd order code = male
            number = body + _check_digit(body)
            if number not in self.ids:
                self.ids.add(number)
                return number

    def phone(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def person(self, surname: str, *, male: bool, year: int, rep: bool) -> DemoOwner:
        pool = MALE_GIVEN_NAMES if male else FEMALE_GIVEN_NAMES
        if year >= MODERN_NAMES_FROM:
            pool += MODERN_MALE_GIVEN_NAMES if male else MODERN_FEMALE_GIVEN_NAMES
        given = self.rng.choice(pool)
        id_number = self.id_number(male=male, year=year)
        return DemoOwner(surname + given, id_number, self.phone(), rep)

    def household(self, size: int) -> tuple[DemoOwner, ...]:
        """The representative first, then a spouse, then a child or sibling."""
        rng = self.rng
        male = rng.random() < 0.55
        year = rng.randint(*BIRTH_YEARS)
        surname = self.surname()
        members = [self.person(surname, male=male, year=year, rep=True)]
        if size >= 2:
            spouse_surname = self.surname()
            spouse_year = _clamp_year(year + rng.randint(-4, 4))
            members.append(self.person(spouse_surname, male=not male, year=spouse_year, rep=False))
            if size >= 3:  # an adult child if the couple is old enough, else a sibling
                if year + 22 <= BIRTH_YEARS[1]:
                    family, third_year = (surname if male else spouse_surname), year + rng.randint(22, 28)
                else:
                    family, third_year = surname, year + rng.randint(-4, 4)
                third_male = rng.random() < 0.5
                members.append(self.person(family, male=third_male, year=_clamp_year(third_year), rep=False))
        return tuple(members)

    def holders(self, reuse_chance: float) -> tuple[DemoOwner, ...]:
        """Owners of the next unit: an earlier group (same people, same data) or new ones."""
        rng = self.rng
        if self.groups and rng.random() < reuse_chance:
            for _ in range(20):
                gi = rng.randrange(len(self.groups))
                if self.held[gi] < MAX_UNITS_PER_OWNER:
                    self.held[gi] += 1
                    return self.groups[gi]
        size = rng.choices((1, 2, 3), weights=(910, 75, 15))[0]
        self.groups.append(self.household(size))
        self.held.append(1)
        return self.groups[-1]


def _layout(rng: random.Random, sizes: tuple[int, ...]) -> list[tuple[str, str, str, str, int]]:
    """(building, entrance, room, kind, area_centi) for every unit of the estate."""
    buildings, floors, entrances, rooms, shops, parking_spaces = sizes
    slots: list[tuple[str, str, str, str, int]] = []
    for b in range(1, buildings + 1):
        plans = [[rng.choice(RESIDENCE_LAYOUTS) for _ in range(rooms)] for _ in range(entrances)]
        for e in range(1, entrances + 1):
            for floor in range(1, floors + 1):
                for pos in range(1, rooms + 1):
                    area = plans[e - 1][pos - 1] + rng.randint(-45, 45)
                    area = min(max(area, 6000), 18000)
                    slots.append((f"{b}幢", f"{e}单元", f"{floor}{pos:02d}", "residence", area))
    for i in range(shops):  # street-front shops, spread over the buildings
        building = f"{i % max(buildings, 1) + 1}幢"
        room = f"S1{i // max(buildings, 1) + 1:02d}"
        slots.append((building, "", room, "commercial", rng.randint(3000, 20000)))
    for i in range(parking_spaces):
        room = f"B{i // 60 + 1}-{i % 60 + 1:03d}"  # 60 spaces per basement level
        slots.append(("地下车库", "", room, "parking", rng.randint(1200, 1600)))
    return slots


def generate_demo_roll(
    seed: int = 2026,
    *,
    buildings: int = 10,
    floors: int = 18,
    entrances: int = 2,
    rooms_per_floor: int = 3,
    shops: int = 24,
    parking_spaces: int = 96,
) -> list[DemoUnit]:
    """Build a demo owner roll; the same seed and sizes always give the same roll.

    About 3 % of units are unsold and 2 % undelivered (no owners: they are the
    developer's), about 8 % are co-owned, and about 5 % of owners hold 2–4 units
    (typically a flat plus a parking space) with identical owner data on each.
    """
    sizes = (buildings, floors, entrances, rooms_per_floor, shops, parking_spaces)
    if min(sizes) < 0 or rooms_per_floor > 99:
        raise ValueError("unit counts must be non-negative (at most 99 rooms per floor)")
    rng = random.Random(seed)
    slots = _layout(rng, sizes)
    order = rng.sample(range(len(slots)), len(slots))
    n_unsold, n_undelivered = round(len(slots) * 0.03), round(len(slots) * 0.02)
    status = ["delivered"] * len(slots)
    for i in order[:n_unsold]:
        status[i] = "unsold"
    for i in order[n_unsold : n_unsold + n_undelivered]:
        status[i] = "undelivered"

    people = _People(rng)
    reuse_chance = {"residence": 0.012, "commercial": 0.15, "parking": 0.5}
    units: list[DemoUnit] = []
    for (building, entrance, room, kind, area), state in zip(slots, status, strict=True):
        owners: tuple[DemoOwner, ...] = ()
        if state == "delivered":
            owners = people.holders(reuse_chance[kind])
            if len(owners) > 1 and kind == "parking" and rng.random() < 0.5:
                owners = owners[:1]  # the representative bought the space alone
        if state == "delivered":
            source = rng.choices(("register", "survey", "contract"), (90, 7, 3))[0]
        else:
            source = rng.choices(("survey", "contract"), (7, 3))[0]
        units.append(DemoUnit(building, entrance, room, kind, area, source, state, owners))
    return units


def demo_small_roll(seed: int = 7) -> list[DemoUnit]:
    """A second, small community: 2 buildings, 4 shops, 8 parking spaces (60 units)."""
    sizes = {"buildings": 2, "floors": 6, "entrances": 2, "rooms_per_floor": 2}
    return generate_demo_roll(seed, **sizes, shops=4, parking_spaces=8)
