"""The generated unit tree and its people, written in bulk level by level."""

from __future__ import annotations

import datetime
import math
import random
from array import array
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Max
from django.utils import timezone

from apps.accounts.models import User
from apps.core.bulk_write import copy_rows
from apps.core.generations import UNITS, generation_bump
from apps.demo.generator.plans import ITEMS_PER_PARTY_MEMBER, synthetic_fanout
from apps.items.models import Category, KeyLevel, OwnerType
from apps.org.models import Unit, UnitLevel
from apps.org.services import unit_path

L = UnitLevel
# Kunming's districts and counties with how many streets and townships each has.
KUNMING_COUNTIES = (
    ("五华区", 10), ("盘龙区", 12), ("官渡区", 11), ("西山区", 10), ("东川区", 8), ("呈贡区", 10), ("晋宁区", 6),
    ("富民县", 7), ("宜良县", 9), ("石林彝族自治县", 4), ("嵩明县", 7), ("禄劝彝族苗族自治县", 16),
    ("寻甸回族彝族自治县", 16), ("安宁市", 9),
)  # fmt: skip
DEPARTMENTS = (
    "发展和改革委员会", "教育体育局", "科学技术局", "工业和信息化局", "公安局", "民政局", "司法局", "财政局",
    "人力资源和社会保障局", "自然资源和规划局", "生态环境局", "住房和城乡建设局", "城市管理局", "交通运输局",
    "农业农村局", "水务局", "商务局", "文化和旅游局", "卫生健康委员会", "退役军人事务局", "应急管理局",
    "审计局", "市场监督管理局", "统计局", "医疗保障局", "政务服务管理局", "信访局", "总工会", "妇女联合会",
    "共青团委员会",
)  # fmt: skip
ENTERPRISES = ("昆明公交集团有限责任公司", "昆明轨道交通集团有限公司", "昆明自来水集团有限公司", "昆明新都投资有限公司")
COUNTY_DEPARTMENTS = 20
VILLAGES_PER_TOWNSHIP = 12
FIRST = "金银龙凤青白红黄清长安福新兴和平永太富宝马鹤松柏桃梨花水石山河湖沙云月星阳春东西南北中上下大小"
SECOND = "泉川溪塘坝坪湾庄营屯桥冲箐哨街林园田沟岗峰岭关口寨铺"
# A synthetic tree's levels from the root down, and how many units each has under its parent.
SYNTHETIC_LEVELS = (L.PROVINCE, L.CITY, L.COUNTY, L.TOWNSHIP, L.VILLAGE)
SUFFIX = {L.PROVINCE: "省", L.CITY: "市", L.COUNTY: "区", L.TOWNSHIP: "街道", L.VILLAGE: "社区"}
KEY_LEVEL_OF = {L.PROVINCE: KeyLevel.PROVINCE, L.CITY: KeyLevel.CITY, L.COUNTY: KeyLevel.COUNTY}


USER_COLUMNS = (
    "password", "is_superuser", "username", "first_name", "last_name", "email", "is_staff", "is_active",
    "date_joined", "full_name", "phone", "unit_id", "title",
)  # fmt: skip


@dataclass
class GeneratedUnit:
    pk: int
    name: str
    code: str
    level: str
    depth: int
    path: str
    place: str  # the place an item of the unit is about
    people: list[int] = field(default_factory=list)  # leadership-team members, then party members


@dataclass
class GeneratedTree:
    root: Unit
    units: list[GeneratedUnit]
    # Which units keep items of each owner type, with how many items each draws relative to the others.
    owners: dict[str, tuple[list[GeneratedUnit], list[float]]]


class TreeBuilder:
    """Writes units, people and items in bulk under one tag (the prefix of their codes and user names)."""

    def __init__(self, *, seed: int, as_of: datetime.date, log: Callable[[str], None]) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
        self.as_of = as_of
        self.log = log
        self.tag = f"G{(Unit.objects.aggregate(last=Max('pk'))['last'] or 0) + 1}"
        self.units: list[GeneratedUnit] = []
        self.categories = {category.code: category.pk for category in Category.objects.all()}

    def place_name(self, level: str) -> str:
        return self.rng.choice(FIRST) + self.rng.choice(SECOND) + SUFFIX.get(level, "")

    def add_level(self, rows: list[tuple[str, str, GeneratedUnit | None, str]]) -> list[GeneratedUnit]:
        """Create one level of units (name, level, parent, place) in bulk, then give them their paths."""
        start = len(self.units)
        created = Unit.objects.bulk_create(
            [
                Unit(
                    name=name,
                    code=f"{self.tag}-{start + n}",
                    level=level,
                    parent_id=parent.pk if parent else None,
                    path=f"pending:{self.tag}-{start + n}",
                    depth=parent.depth + 1 if parent else 0,
                )
                for n, (name, level, parent, _place) in enumerate(rows)
            ],
            batch_size=2000,
        )
        for unit, (_name, _level, parent, _place) in zip(created, rows, strict=True):
            unit.path = unit_path(unit_id=unit.pk, parent=parent)
        Unit.objects.bulk_update(created, ["path"], batch_size=2000)
        generation_bump(UNITS)  # the tree grew: what is cached of it (dashboards, subtrees' unit ids) is old
        level_units = [
            GeneratedUnit(unit.pk, unit.name, unit.code, unit.level, unit.depth, unit.path, place)
            for unit, (_name, _level, _parent, place) in zip(created, rows, strict=True)
        ]
        self.units += level_units
        return level_units

    def kunming_tree(self) -> GeneratedTree:
        (city,) = self.add_level([("昆明市", L.CITY, None, "昆明市")])
        top = [(f"昆明市{name}", L.DEPARTMENT, city, "昆明市") for name in DEPARTMENTS]
        top += [(name, L.ENTERPRISE, city, "昆明市") for name in ENTERPRISES]
        top += [(name, L.COUNTY, city, name) for name, _townships in KUNMING_COUNTIES]
        second = self.add_level(top)
        counties = [unit for unit in second if unit.level == L.COUNTY]
        rows = []
        for county, (_name, townships) in zip(counties, KUNMING_COUNTIES, strict=True):
            rows += [
                (f"{county.name}{name}", L.DEPARTMENT, county, county.name) for name in DEPARTMENTS[:COUNTY_DEPARTMENTS]
            ]
            rows += [(self.place_name(L.TOWNSHIP), L.TOWNSHIP, county, "") for _ in range(townships)]
        third = self.add_level([(name, level, parent, place or name) for name, level, parent, place in rows])
        townships = [unit for unit in third if unit.level == L.TOWNSHIP]
        rows = []
        for township in townships:
            for _ in range(VILLAGES_PER_TOWNSHIP):
                name = self.rng.choice(FIRST) + self.rng.choice(SECOND) + self.rng.choice(["社区", "村"])
                rows.append((name, L.VILLAGE, township, name))
            rows.append((f"{township.name}机关党支部", L.PARTY_ORGANISATION, township, township.name))
            rows.append((f"{township.name}商圈联合党委", L.PARTY_ORGANISATION, township, township.name))
        grassroots = self.add_level(rows)
        participating = [city, *second, *third]
        weights = {L.CITY: 8.0, L.COUNTY: 5.0, L.ENTERPRISE: 3.0, L.TOWNSHIP: 2.5}
        participating_weights = [weights.get(unit.level, 3.0 if unit.depth == 1 else 1.5) for unit in participating]
        grassroots_weights = [self.rng.uniform(0.5, 1.5) for _ in grassroots]
        return self._tree(participating, participating_weights, grassroots, grassroots_weights)

    def synthetic_tree(self, *, units: int, levels: int) -> GeneratedTree:
        fanout = synthetic_fanout(units, levels)
        levels_down = list(SYNTHETIC_LEVELS[:levels]) + [L.VILLAGE] * max(0, levels - len(SYNTHETIC_LEVELS))
        (root,) = self.add_level([(f"演示{self.place_name(levels_down[0])}", levels_down[0], None, "")])
        layer = [root]
        everything = [root]
        for level, children in zip(levels_down[1:], fanout, strict=True):
            rows = []
            for parent in layer:
                for _ in range(children):
                    name = self.place_name(level)
                    rows.append((name, level, parent, name))
            layer = self.add_level(rows)
            everything += layer
            self.log(f"  {len(everything):,} units")
        participating = everything[: len(everything) - len(layer)] or [root]
        grassroots = layer
        return self._tree(
            participating,
            [4.0 / (1 + unit.depth) for unit in participating],
            grassroots,
            [self.rng.uniform(0.5, 1.5) for _ in grassroots],
        )

    def _tree(self, participating, participating_weights, grassroots, grassroots_weights) -> GeneratedTree:
        root = Unit.objects.get(pk=self.units[0].pk)
        return GeneratedTree(
            root=root,
            units=self.units,
            owners={
                OwnerType.LEADERSHIP_TEAM: (participating, participating_weights),
                OwnerType.TEAM_MEMBER: (participating, participating_weights),
                OwnerType.GRASSROOTS_ORGANISATION: (grassroots, grassroots_weights),
                OwnerType.PARTY_MEMBER: (grassroots, grassroots_weights),
            },
        )

    def add_people(self, tree: GeneratedTree, owners_of: dict[str, array]) -> int:
        """Leadership-team members for the units keeping plans, party members where service lists are kept."""
        wanted: Counter[int] = Counter()
        team_units, _weights = tree.owners[OwnerType.TEAM_MEMBER]
        for unit in team_units:
            wanted[unit.pk] = 3 + (unit.depth == 0) * 5
        member_units, _weights = tree.owners[OwnerType.PARTY_MEMBER]
        for index, count in Counter(owners_of[OwnerType.PARTY_MEMBER]).items():
            wanted[member_units[index].pk] += math.ceil(count / ITEMS_PER_PARTY_MEMBER)
        # A grassroots organisation's plan has someone responsible for it (and who logged it), at least its secretary.
        grassroots_units, _weights = tree.owners[OwnerType.GRASSROOTS_ORGANISATION]
        for index in set(owners_of[OwnerType.GRASSROOTS_ORGANISATION]):
            wanted[grassroots_units[index].pk] = max(wanted[grassroots_units[index].pk], 1)
        by_pk = {unit.pk: unit for unit in tree.units}
        team_unit_pks = {unit.pk for unit in team_units}
        prefix = f"{self.tag.lower()}-"
        surnames, given = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何罗高林", "建国丽华志强秀英海涛晓红明亮文娟春华永福"
        joined = timezone.now()
        people = []
        for unit_pk, count in wanted.items():
            for n in range(count):
                username = f"{prefix}{len(people)}"
                people.append(
                    # password, then the flags, names and dates of USER_COLUMNS
                    (
                        f"!{username}",  # an unusable password: these people do not log in
                        False,
                        username,
                        "",
                        "",
                        "",
                        False,
                        True,
                        joined,
                        self.rng.choice(surnames) + self.rng.choice(given),
                        "",
                        unit_pk,
                        "领导班子成员" if n < 3 and unit_pk in team_unit_pks else "党员",
                    )
                )
        columns = {field.column for field in User._meta.concrete_fields} - {"id", "last_login"}
        if columns != set(USER_COLUMNS):
            raise RuntimeError(f"The generator does not know these user columns: {columns ^ set(USER_COLUMNS)}")
        for start in range(0, len(people), 20_000):
            copy_rows(User._meta.db_table, USER_COLUMNS, people[start : start + 20_000])
        for pk, unit_pk in (
            User.objects.filter(username__startswith=prefix).values_list("pk", "unit_id").iterator(chunk_size=20_000)
        ):
            by_pk[unit_pk].people.append(pk)
        return len(people)
