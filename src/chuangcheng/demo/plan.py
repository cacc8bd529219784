"""What the demo subdistrict contains, drawn from one `random.Random(seed)` into plain records,
before anything touches the database: one seed always gives the same codes, names and
coordinates, whatever the database hands out as primary keys."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from chuangcheng.demo import layout, names
from chuangcheng.org.models import Region, Role, Unit

DISTRICT_CODE = "150103"
# The one demo login above the street: the district office's admin.
DISTRICT_LOGIN = "district_office"
DISTRICT_NAME = "回民区"
STREET_CODE = "150103001"
STREET_NAME = "光明路街道"
COMMUNITIES = layout.ROWS * layout.COLUMNS
POINTS = 150
ZERO_LOSS_SHARE = 0.1
# How readily each community's points show problems, from the best kept to the worst: the factors
# are dealt to the communities by the seed, so the weekly ranking has a clear top and bottom.
QUALITY_FACTORS = (0.15, 0.3, 0.5, 0.75, 1.1, 1.8, 2.8, 4.2)

# How many points of each type of the default catalog; a type the catalog adds later gets
# EXTRA_TYPE_POINTS, and the total is brought back to POINTS on the commonest types.
TYPE_POINTS = {
    "ROAD_MAIN": 12, "CROSSING": 10, "BACK_LANE": 16, "BUS_STOP": 14, "COMPOUND": 30, "COMMUNITY": 8,
    "MARKET": 4, "SITE": 3, "SCHOOL": 6, "PARK_SQUARE": 4, "CULTURE": 3, "GOV_HALL": 6, "HOSPITAL": 3,
    "COMMERCE": 12, "TOILET": 8, "STATION": 1, "SCENIC": 2, "SANITATION": 4, "NETBAR": 3, "URBAN_VILLAGE": 2,
}
EXTRA_TYPE_POINTS = 2

# Street-level units everybody knows by their short key.
CITY_MANAGEMENT = "cg"
MARKET_SUPERVISION = "ms"
TRAFFIC_POLICE = "tp"
SANITATION = "san"
BUS = "bus"
DEPARTMENTS = {
    "housing": "回民区住房和城乡建设局",
    "education": "回民区教育局",
    "health": "回民区卫生健康委员会",
    "culture": "回民区文化旅游体育局",
    "parks": "回民区园林绿化服务中心",
    "gov": "回民区政务服务局",
    "commerce": "回民区商务局",
}
LIAISON_UNITS = 6

LIAISON_POSTS: dict[str, str] = {
    Unit.Kind.CITY_MANAGEMENT: "执法队员",
    Unit.Kind.MARKET_SUPERVISION: "监管员",
    Unit.Kind.TRAFFIC_POLICE: "民警",
    Unit.Kind.SANITATION: "环卫班长",
    Unit.Kind.LIAISON: "包联干部",
    Unit.Kind.PROPERTY: "项目经理",
    Unit.Kind.OWNERS_COMMITTEE: "业委会委员",
    Unit.Kind.PARTY_BRANCH: "党务专干",
    Unit.Kind.COMMUNITY: "社区专干",
    Unit.Kind.SCHOOL: "德育主任",
    Unit.Kind.DEPARTMENT: "联络员",
    Unit.Kind.OPERATOR: "负责人",
}
# What a point type's name, primary unit, cooperating units and note come out as.
PointSpec = tuple[str, str, list[str], str]


@dataclass
class Community:
    """The plan's working view of one community while points are placed."""

    index: int
    code: str
    name: str
    roads: list[str]
    grid_codes: list[str]
    compounds: list[str]
    party: str = ""
    committee: str = ""
    properties: list[str] = field(default_factory=list)
    owners: str = ""
    liaison: str = ""
    secretary: str = ""
    grid_workers: dict[str, str] = field(default_factory=dict)
    volunteers: list[str] = field(default_factory=list)
    next_compound: int = 0


@dataclass(frozen=True)
class TypeInfo:
    """What the plan needs of a catalog point type."""

    code: str
    name: str
    unit_kinds: tuple[str, ...] = ()


@dataclass
class PlannedRegion:
    code: str
    name: str
    level: int
    parent_code: str | None
    boundary: str = ""
    households: int | None = None
    population: int | None = None
    sort_order: int = 0


@dataclass
class PlannedUnit:
    code: str
    name: str
    kind: str
    region_code: str
    head_name: str
    head_phone: str
    liaison_name: str
    liaison_phone: str
    address: str


@dataclass
class PlannedPerson:
    code: str
    name: str
    phone: str
    region_code: str
    post: str
    unit_code: str | None = None
    party_member: bool = False
    volunteer: bool = False


@dataclass
class PlannedPoint:
    code: str
    name: str
    type_code: str
    grid_code: str
    lon: float
    lat: float
    address: str
    primary_unit_code: str
    cooperating_unit_codes: list[str]
    people_codes: list[str]
    zero_loss: bool = False
    note: str = ""


@dataclass
class PlannedLogin:
    username: str
    role: str
    scope_code: str
    person_code: str


@dataclass
class DemoPlan:
    regions: list[PlannedRegion] = field(default_factory=list)
    units: list[PlannedUnit] = field(default_factory=list)
    people: list[PlannedPerson] = field(default_factory=list)
    points: list[PlannedPoint] = field(default_factory=list)
    logins: list[PlannedLogin] = field(default_factory=list)
    # Community code → how readily its points show problems (1 = the street's average).
    quality: dict[str, float] = field(default_factory=dict)


def plan_demo(seed: int, types: Sequence[TypeInfo]) -> DemoPlan:
    """Everything the demo will contain, drawn from `random.Random(seed)` alone."""
    return _Planner(seed, types).plan()


class _Planner:
    def __init__(self, seed: int, types: Sequence[TypeInfo]) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.types = list(types)
        self.out = DemoPlan()
        self.phones: set[str] = set()
        self.person_names: set[str] = set()
        self.used_names: set[str] = set()
        self.pools: dict[str, list[str]] = {}
        self.unit_by_key: dict[str, str] = {}
        self.units: dict[str, PlannedUnit] = {}
        self.liaison_of_unit: dict[str, str] = {}
        self.communities: list[Community] = []
        self.community_of_grid: dict[str, Community] = {}
        self.grid_boxes: dict[str, layout.Box] = {}
        self.grid_load: dict[str, int] = {}
        self.street_people: dict[str, list[str]] = {}
        # The address a point maker fixed for the point it named (a road section, a crossing …).
        self.here: str | None = None

    def plan(self) -> DemoPlan:
        self._regions()
        self._people()
        self._street_units()
        self._community_units()
        self._points()
        self._logins()
        self._quality()
        return self.out

    def _quality(self) -> None:
        """Deal the quality factors to the communities with a generator of their own, so the rest
        of the plan stays what the seed always drew."""
        rng = random.Random(f"demo quality {self.seed}")
        factors = [QUALITY_FACTORS[i * len(QUALITY_FACTORS) // max(1, COMMUNITIES)] for i in range(COMMUNITIES)]
        rng.shuffle(factors)
        self.out.quality = {c.code: factor for c, factor in zip(self.communities, factors, strict=True)}

    # -- regions -------------------------------------------------------------------------------

    def _regions(self) -> None:
        rng = self.rng
        street = PlannedRegion(STREET_CODE, STREET_NAME, Region.Level.STREET, DISTRICT_CODE,
                               boundary=layout.street_box().geojson(), households=0, population=0)
        self.out.regions += [PlannedRegion(DISTRICT_CODE, DISTRICT_NAME, Region.Level.DISTRICT, None), street]
        community_names = rng.sample(names.COMMUNITY_NAMES, COMMUNITIES)
        for index, box in enumerate(layout.community_boxes(rng)):
            code = f"{STREET_CODE}{index + 1:03d}"
            name = f"{community_names[index]}社区"
            community = PlannedRegion(code, name, Region.Level.COMMUNITY, STREET_CODE, boundary=box.geojson(),
                                      households=0, population=0, sort_order=index + 1)
            self.out.regions.append(community)
            grid_codes = []
            for number, grid_box in enumerate(layout.grid_boxes(rng, box), start=1):
                grid_code = f"{code}-{number:02d}"
                households = rng.randint(260, 780)
                population = int(households * rng.uniform(2.3, 2.9))
                self.out.regions.append(PlannedRegion(
                    grid_code, f"{name}第{number}网格", Region.Level.GRID, code, boundary=grid_box.geojson(),
                    households=households, population=population, sort_order=number,
                ))
                community.households = (community.households or 0) + households
                community.population = (community.population or 0) + population
                grid_codes.append(grid_code)
                self.grid_boxes[grid_code] = grid_box
                self.grid_load[grid_code] = 0
            street.households = (street.households or 0) + (community.households or 0)
            street.population = (street.population or 0) + (community.population or 0)
            c = Community(index=index, code=code, name=name, roads=rng.sample(names.ROADS, 4),
                          grid_codes=grid_codes, compounds=[self._compound_name() for _ in range(10)])
            self.communities.append(c)
            for grid_code in grid_codes:
                self.community_of_grid[grid_code] = c

    def _compound_name(self) -> str:
        rng = self.rng
        return self._unique(lambda: rng.choice(names.COMPOUND_STEMS) + rng.choice(names.COMPOUND_SUFFIXES))

    # -- people --------------------------------------------------------------------------------

    def _people(self) -> None:
        rng = self.rng
        self.street_people = {
            Role.LEADER: [self._person(STREET_CODE, "街道党工委书记", party_member=True)],
            Role.STREET_ADMIN: [self._person(STREET_CODE, "街道创城办主任", party_member=True)],
            Role.INSPECTOR: [self._person(STREET_CODE, "创城督查员", party_member=rng.random() < 0.6)
                             for _ in range(4)],
        }
        for c in self.communities:
            c.secretary = self._person(c.code, "社区党委书记、居委会主任", party_member=True)
            for grid_code in c.grid_codes:
                c.grid_workers[grid_code] = self._person(grid_code, "专职网格员",
                                                         party_member=rng.random() < 0.5)
            for _ in range(5):
                party = rng.random() < 0.7
                post = "党员志愿者" if party else "志愿者"
                c.volunteers.append(self._person(c.code, post, party_member=party, volunteer=True))

    def _person(self, region_code: str, post: str, *, unit_code: str | None = None,
                party_member: bool = False, volunteer: bool = False) -> str:
        code = f"GM-P{len(self.out.people) + 1:04d}"
        self.out.people.append(PlannedPerson(
            code=code, name=self._person_name(), phone=self._phone(), region_code=region_code,
            post=post, unit_code=unit_code, party_member=party_member, volunteer=volunteer,
        ))
        return code

    def _person_of(self, code: str) -> PlannedPerson:
        return self.out.people[int(code.removeprefix("GM-P")) - 1]

    def _person_name(self) -> str:
        rng = self.rng
        while True:
            given = rng.choice(names.GIVEN_CHARS)
            if rng.random() < 0.65:
                given += rng.choice(names.GIVEN_CHARS)
            name = rng.choice(names.SURNAMES) + given
            if name not in self.person_names:
                self.person_names.add(name)
                return name

    def _phone(self) -> str:
        while True:
            phone = self.rng.choice(names.MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    # -- units ---------------------------------------------------------------------------------

    def _unit(self, key: str, kind: str, name: str, region_code: str, *, address: str,
              head: str | None = None) -> str:
        """A unit with a head (a name and number on the unit) and a liaison (a person of the unit)."""
        code = f"GM-U{len(self.units) + 1:03d}"
        if head is not None:
            head_person = self._person_of(head)
            head_name, head_phone = head_person.name, head_person.phone
        else:
            head_name, head_phone = self._person_name(), self._phone()
        liaison = self._person(region_code, LIAISON_POSTS.get(kind, "联络员"), unit_code=code,
                               party_member=kind == Unit.Kind.PARTY_BRANCH or self.rng.random() < 0.4)
        liaison_person = self._person_of(liaison)
        unit = PlannedUnit(code=code, name=name, kind=kind, region_code=region_code, head_name=head_name,
                           head_phone=head_phone, liaison_name=liaison_person.name,
                           liaison_phone=liaison_person.phone, address=address)
        self.used_names.add(name)
        self.units[code] = unit
        self.unit_by_key[key] = code
        self.liaison_of_unit[code] = liaison
        self.out.units.append(unit)
        return code

    def _address(self, road: str | None = None) -> str:
        return f"{road or self.rng.choice(names.ROADS)}{self.rng.randint(1, 199)}号"

    def _street_units(self) -> None:
        kinds = Unit.Kind
        units = [
            (CITY_MANAGEMENT, kinds.CITY_MANAGEMENT, "回民区城市管理综合执法局光明路中队"),
            (MARKET_SUPERVISION, kinds.MARKET_SUPERVISION, "回民区市场监督管理局光明路市场监管所"),
            (TRAFFIC_POLICE, kinds.TRAFFIC_POLICE, "呼和浩特市公安局交通管理支队回民区大队光明路中队"),
            (SANITATION, kinds.SANITATION, "回民区环境卫生服务中心光明路环卫所"),
            (BUS, kinds.OPERATOR, "呼和浩特市公共交通总公司第三分公司"),
            *((f"dept:{key}", kinds.DEPARTMENT, name) for key, name in DEPARTMENTS.items()),
            *((f"liaison:{number}", kinds.LIAISON, name)
              for number, name in enumerate(self.rng.sample(names.LIAISON_UNITS, LIAISON_UNITS), start=1)),
        ]
        for key, kind, name in units:
            self._unit(key, kind, name, STREET_CODE, address=self._address())

    def _community_units(self) -> None:
        rng = self.rng
        brands = rng.sample(names.PROPERTY_BRANDS, len(names.PROPERTY_BRANDS))
        for c in self.communities:
            office = self._address(c.roads[0])
            c.party = self._unit(f"party:{c.index}", Unit.Kind.PARTY_BRANCH, f"中共{c.name}委员会",
                                 c.code, address=office, head=c.secretary)
            c.committee = self._unit(f"committee:{c.index}", Unit.Kind.COMMUNITY, f"{c.name}居民委员会",
                                     c.code, address=office, head=c.secretary)
            for number in range(1 + (rng.random() < 0.5)):
                name = f"呼和浩特市{brands.pop()}物业服务有限公司"
                c.properties.append(self._unit(f"property:{c.index}:{number}", Unit.Kind.PROPERTY, name,
                                               c.code, address=self._address(rng.choice(c.roads))))
            c.owners = self._unit(f"owners:{c.index}", Unit.Kind.OWNERS_COMMITTEE,
                                  f"{c.compounds[0]}业主委员会", c.code,
                                  address=self._address(rng.choice(c.roads)))
            c.liaison = self.unit_by_key[f"liaison:{c.index % LIAISON_UNITS + 1}"]

    # -- points --------------------------------------------------------------------------------

    def _type_counts(self) -> dict[str, int]:
        counts = {t.code: TYPE_POINTS.get(t.code, EXTRA_TYPE_POINTS) for t in self.types}
        if not counts:
            return counts
        while sum(counts.values()) > POINTS:
            commonest = min(counts, key=lambda code: (-counts[code], code))
            if counts[commonest] <= 1:
                break
            counts[commonest] -= 1
        while sum(counts.values()) < POINTS:
            commonest = min(counts, key=lambda code: (-counts[code], code))
            counts["COMPOUND" if "COMPOUND" in counts else commonest] += 1
        return counts

    def _points(self) -> None:
        counts = self._type_counts()
        by_type = {t.code: t for t in self.types}
        for type_code, count in counts.items():
            for number in range(count):
                if type_code == "COMMUNITY":
                    candidates = self.communities[number % COMMUNITIES].grid_codes
                else:
                    candidates = list(self.grid_load)
                grid_code = self._pick_grid(candidates)
                c = self.community_of_grid[grid_code]
                maker = getattr(self, f"_point_{type_code.lower()}", None)
                name, primary, cooperating, note = (
                    maker(c) if maker is not None else self._point_other(c, by_type[type_code])
                )
                address, self.here = self.here or self._address(self._road(c)), None
                lon, lat = self.grid_boxes[grid_code].random_point(self.rng)
                people = [c.grid_workers[grid_code]]
                if self.rng.random() < 0.5:
                    people.append(self.liaison_of_unit[primary])
                cooperating = [code for code in dict.fromkeys([*cooperating, c.liaison]) if code != primary]
                self.out.points.append(PlannedPoint(
                    code=f"GM-{len(self.out.points) + 1:04d}", name=name, type_code=type_code,
                    grid_code=grid_code, lon=lon, lat=lat, address=address,
                    primary_unit_code=primary, cooperating_unit_codes=cooperating, people_codes=people,
                    note=note,
                ))
        total = len(self.out.points)
        for index in self.rng.sample(range(total), round(total * ZERO_LOSS_SHARE)):
            self.out.points[index].zero_loss = True

    def _pick_grid(self, candidates: Sequence[str]) -> str:
        """Spread points: a grid among the least loaded (give or take one) of the candidates."""
        least = min(self.grid_load[code] for code in candidates)
        grid_code = self.rng.choice([code for code in candidates if self.grid_load[code] <= least + 1])
        self.grid_load[grid_code] += 1
        return grid_code

    def _unique(self, make: Callable[[], str]) -> str:
        for _ in range(40):
            name = make()
            if name not in self.used_names:
                self.used_names.add(name)
                return name
        base, number = make(), 2
        while f"{base}{number}" in self.used_names:
            number += 1
        self.used_names.add(f"{base}{number}")
        return f"{base}{number}"

    def _draw(self, pool: str, options: Sequence[str]) -> str | None:
        """The next unused name of a shuffled pool, or None once it is exhausted."""
        if pool not in self.pools:
            self.pools[pool] = self.rng.sample(list(options), len(options))
        while self.pools[pool]:
            name = self.pools[pool].pop()
            if name not in self.used_names:
                self.used_names.add(name)
                return name
        return None

    def _road(self, c: Community) -> str:
        return self.rng.choice(c.roads)

    def _other_road(self, road: str) -> str:
        return self.rng.choice([other for other in names.ROADS if other != road])

    def _key(self, key: str) -> str:
        return self.unit_by_key[key]

    def _point_road_main(self, c: Community) -> PointSpec:
        def make() -> str:
            road = self._road(c)
            a, b = self.rng.sample([other for other in names.ROADS if other != road], 2)
            return f"{road}（{a}至{b}段）"
        name = self._unique(make)
        self.here = name
        cooperating = [self._key(TRAFFIC_POLICE), self._key(SANITATION)]
        return name, self._key(CITY_MANAGEMENT), cooperating, ""

    def _point_crossing(self, c: Community) -> PointSpec:
        def make() -> str:
            road = self._road(c)
            return f"{road}与{self._other_road(road)}交叉口"
        name = self._unique(make)
        self.here = name
        note = "文明交通志愿者早晚高峰上岗"
        return name, self._key(TRAFFIC_POLICE), [self._key(CITY_MANAGEMENT)], note

    def _point_back_lane(self, c: Community) -> PointSpec:
        name = (self._draw("lanes", names.LANES)
                or self._unique(lambda: f"{self._road(c)}{self.rng.randint(1, 30)}号巷"))
        self.here = name
        return name, c.committee, [self._key(CITY_MANAGEMENT), self._key(SANITATION)], ""

    def _point_bus_stop(self, c: Community) -> PointSpec:
        def make() -> str:
            road = self._road(c)
            other = self._other_road(road)
            self.here = f"{road}与{other}交叉口"
            return f"{road}{other}口公交站"
        return self._unique(make), self._key(BUS), [self._key(CITY_MANAGEMENT)], ""

    def _point_compound(self, c: Community) -> PointSpec:
        if c.next_compound < len(c.compounds):
            name = c.compounds[c.next_compound]
            c.next_compound += 1
        else:
            name = self._unique(lambda: f"{self._road(c)}{self.rng.randint(1, 199)}号院")
        cooperating = [c.committee, *([c.owners] if name == c.compounds[0] else [])]
        note = "老旧小区改造片区" if self.rng.random() < 0.2 else ""
        return name, self.rng.choice(c.properties), cooperating, note

    def _point_community(self, c: Community) -> PointSpec:
        name = self._unique(lambda: f"{c.name}党群服务中心（新时代文明实践站）")
        self.here = self.units[c.committee].address
        return name, c.committee, [c.party], ""

    def _point_market(self, c: Community) -> PointSpec:
        stem = self._draw("markets", names.MARKET_STEMS) or self._road(c)
        name = self._unique(lambda: f"{stem}农贸市场")
        operator = self._unit(f"market:{name}", Unit.Kind.OPERATOR, f"呼和浩特市{stem}农贸市场管理有限公司",
                              c.code, address=self._address(self._road(c)))
        self.here = self.units[operator].address
        return name, self._key(MARKET_SUPERVISION), [operator, self._key(CITY_MANAGEMENT)], ""

    def _point_site(self, c: Community) -> PointSpec:
        name = self._draw("sites", names.SITES) or self._unique(lambda: f"{self._road(c)}改造项目")
        return f"{name}施工工地", self._key("dept:housing"), [self._key(CITY_MANAGEMENT)], ""

    def _point_school(self, c: Community) -> PointSpec:
        school = (self._draw("schools", names.SCHOOLS)
                  or self._unique(lambda: f"呼和浩特市回民区{self._road(c)}小学"))
        unit = self._unit(f"school:{school}", Unit.Kind.SCHOOL, school, c.code,
                          address=self._address(self._road(c)))
        self.here = self.units[unit].address
        cooperating = [self._key("dept:education"), self._key(TRAFFIC_POLICE), self._key(CITY_MANAGEMENT)]
        return self._unique(lambda: f"{school}及周边"), unit, cooperating, ""

    def _point_park_square(self, c: Community) -> PointSpec:
        name = self._draw("parks", names.PARKS) or self._unique(lambda: f"{self._road(c)}街心游园")
        return name, self._key("dept:parks"), [self._key(CITY_MANAGEMENT), self._key(SANITATION)], ""

    def _point_culture(self, c: Community) -> PointSpec:
        name = self._draw("culture", names.CULTURE) or self._unique(lambda: f"{c.name}文化活动室")
        return name, self._key("dept:culture"), [], ""

    def _point_gov_hall(self, c: Community) -> PointSpec:
        name = self._draw("halls", names.GOV_HALLS) or self._unique(lambda: f"{self._road(c)}便民服务点")
        return name, self._key("dept:gov"), [], ""

    def _point_hospital(self, c: Community) -> PointSpec:
        name = self._draw("hospitals", names.HOSPITALS) or self._unique(lambda: f"{c.name}卫生服务站")
        return name, self._key("dept:health"), [], ""

    def _point_commerce(self, c: Community) -> PointSpec:
        name = self._draw("commerce", names.COMMERCE) or self._unique(lambda: f"{self._road(c)}便利店")
        return name, self._key(MARKET_SUPERVISION), [self._key("dept:commerce")], ""

    def _point_toilet(self, c: Community) -> PointSpec:
        def make() -> str:
            road = self._road(c)
            self.here = f"{self._address(road)}旁"
            return f"{road}{self.rng.choice('东西南北')}段公厕"
        name = self._unique(make)
        return name, self._key(SANITATION), [], ""

    def _point_station(self, c: Community) -> PointSpec:
        name = self._unique(lambda: f"{self._road(c)}公交首末站")
        return name, self._key(BUS), [self._key(TRAFFIC_POLICE)], ""

    def _point_scenic(self, c: Community) -> PointSpec:
        name = self._draw("scenic", names.SCENIC) or self._unique(lambda: f"{c.name}红色教育基地")
        return name, self._key("dept:culture"), [self._key(CITY_MANAGEMENT)], ""

    def _point_sanitation(self, c: Community) -> PointSpec:
        name = (self._draw("stations", names.SANITATION_STATIONS)
                or self._unique(lambda: f"{self._road(c)}垃圾收集点"))
        return name, self._key(SANITATION), [self._key(CITY_MANAGEMENT)], ""

    def _point_netbar(self, c: Community) -> PointSpec:
        name = self._draw("netbars", names.NETBARS) or self._unique(lambda: f"{self._road(c)}网吧")
        return name, self._key("dept:culture"), [self._key(MARKET_SUPERVISION)], ""

    def _point_urban_village(self, c: Community) -> PointSpec:
        village = self._draw("villages", names.VILLAGES) or f"{c.name[:-2]}村"
        name = self._unique(lambda: f"{village}城中村片区")
        return name, c.committee, [self._key(CITY_MANAGEMENT), self._key(SANITATION)], ""

    def _point_other(self, c: Community, point_type: TypeInfo) -> PointSpec:
        """A type the catalog gained after this generator was written: a plain name and the first
        usual unit kind the demo has."""
        name = self._unique(lambda: f"{self._road(c)}{point_type.name.split('/')[0]}")
        community_units: dict[str, str] = {Unit.Kind.PARTY_BRANCH: c.party, Unit.Kind.COMMUNITY: c.committee,
                                           Unit.Kind.PROPERTY: c.properties[0], Unit.Kind.OWNERS_COMMITTEE: c.owners}
        for kind in point_type.unit_kinds:
            if kind in community_units:
                return name, community_units[kind], [], ""
            for unit in self.out.units:
                if unit.kind == kind and unit.region_code == STREET_CODE:
                    return name, unit.code, [], ""
        return name, c.liaison, [], ""

    # -- logins --------------------------------------------------------------------------------

    def _logins(self) -> None:
        logins = self.out.logins
        logins.append(PlannedLogin("street_admin", Role.STREET_ADMIN, STREET_CODE,
                                   self.street_people[Role.STREET_ADMIN][0]))
        logins.append(PlannedLogin("leader", Role.LEADER, STREET_CODE, self.street_people[Role.LEADER][0]))
        for number, person in enumerate(self.street_people[Role.INSPECTOR], start=1):
            logins.append(PlannedLogin(f"inspector_{number}", Role.INSPECTOR, STREET_CODE, person))
        for c in self.communities:
            logins.append(PlannedLogin(f"community_admin_{c.index + 1}", Role.COMMUNITY_ADMIN, c.code,
                                       c.secretary))
        number = 0
        for c in self.communities:
            for grid_code in c.grid_codes:
                number += 1
                logins.append(PlannedLogin(f"grid_worker_{number}", Role.GRID_WORKER, grid_code,
                                           c.grid_workers[grid_code]))
        # A handler for every unit that answers for a point: those are the units cases go to.
        primary = {point.primary_unit_code for point in self.out.points}
        handlers = [unit.code for unit in self.out.units if unit.code in primary]
        for number, unit_code in enumerate(handlers, start=1):
            logins.append(PlannedLogin(f"unit_handler_{number}", Role.UNIT_HANDLER, STREET_CODE,
                                       self.liaison_of_unit[unit_code]))
        for c in self.communities:
            logins.append(PlannedLogin(f"volunteer_{c.index + 1}", Role.VOLUNTEER, c.code, c.volunteers[0]))
        # The district's 创城办, which answers the street's referrals (上报): drawn last, so nothing
        # else in the plan moves.
        logins.append(PlannedLogin(DISTRICT_LOGIN, Role.STREET_ADMIN, DISTRICT_CODE,
                                   self._person(DISTRICT_CODE, "区创城办工作人员", party_member=True)))
