"""The demo tells one coherent story: a failed item opens a case of the category that item's
failures go under, texts read as written by people (no internal item codes like ENV-7, no doubled
words), independent checks rank every community every week while self-checks stay the majority,
and the communities differ in how often independent checks find problems."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict

import pytest

from chuangcheng.cases.models import Case, CaseEvent
from chuangcheng.demo.generator import DemoResult
from chuangcheng.demo.plan import STREET_CODE
from chuangcheng.inspections.models import Assignment, Inspection, ItemResult, PlanRules
from chuangcheng.inspections.services.submit import default_category_code
from chuangcheng.org.models import Region

# A catalog item code: ENV-7, COMPOUND-6, BUS_STOP-2 …
ITEM_CODE = re.compile(r"\b[A-Z][A-Z_]+-\d+\b")
# The same two Chinese characters twice in a row (垃圾垃圾, 问题问题), or a doubled particle.
DOUBLED = re.compile(r"([\u4e00-\u9fff]{2})\1|的的|了了|是是|在在")
# Fixed expressions that repeat on purpose.
ALLOWED = ("谢谢", "常常", "看看", "人人", "天天", "多多")


@pytest.fixture
def texts(demo: DemoResult, db: None) -> list[tuple[str, str]]:
    """Every generated text a user reads about a case or an inspection: (where, text)."""
    found: list[tuple[str, str]] = []
    for number, description, address in Case.objects.values_list("number", "description", "address"):
        found += [(f"case {number}", description), (f"case {number} address", address)]
    for pk, note in CaseEvent.objects.exclude(note="").values_list("pk", "note"):
        found.append((f"event {pk}", note))
    for key, note in Inspection.objects.exclude(note="").values_list("key", "note"):
        found.append((f"inspection {key}", note))
    for pk, note in ItemResult.objects.exclude(note="").values_list("pk", "note"):
        found.append((f"item result {pk}", note))
    return found


def test_a_failed_item_opens_a_case_of_the_category_its_failures_go_under(demo: DemoResult, db: None) -> None:
    opened = list(ItemResult.objects.filter(case_opened=True).select_related("item__group", "case"))
    assert len(opened) >= 60
    for result in opened:
        assert result.case is not None
        expected = default_category_code(result.item)
        assert result.category.code == expected, (result.item.code, result.category.code)
        assert result.case.category_id == result.category_id, result.case.number
    # Joined failures agree too: a repeated failure joins the open case of the same category.
    for result in ItemResult.objects.filter(result="fail", case_opened=False).select_related("case")[:500]:
        assert result.case is not None and result.case.category_id == result.category_id


def test_no_text_shows_an_internal_item_code(texts: list[tuple[str, str]]) -> None:
    assert texts
    leaks = [(where, text) for where, text in texts if ITEM_CODE.search(text)]
    assert leaks == []


def test_no_text_doubles_a_word(texts: list[tuple[str, str]]) -> None:
    doubled = [(where, text) for where, text in texts
               for match in DOUBLED.finditer(text) if match.group(0)[:2] not in ALLOWED]
    assert doubled == []


def _weeks(demo: DemoResult) -> dict[dt.date, dict[str, list[Inspection]]]:
    """Full weeks (Monday to Sunday) of the history: community name → its inspections."""
    communities = {g.pk: g.parent.name for g in Region.objects.filter(level=Region.Level.GRID)
                   .select_related("parent")}
    found: dict[dt.date, dict[str, list[Inspection]]] = defaultdict(lambda: defaultdict(list))
    days = sorted(set(Inspection.objects.values_list("day", flat=True)))
    first = days[0] + dt.timedelta(days=(7 - days[0].weekday()) % 7)
    last = days[-1] - dt.timedelta(days=(days[-1].weekday() + 1) % 7)
    for inspection in Inspection.objects.filter(day__gte=first, day__lte=last).only("day", "grid_id", "kind",
                                                                                     "failed_count"):
        monday = inspection.day - dt.timedelta(days=inspection.day.weekday())
        found[monday][communities[inspection.grid_id]].append(inspection)
    return found


def test_independent_checks_rank_every_community_every_week_and_self_checks_stay_the_majority(
        demo: DemoResult, db: None) -> None:
    kinds = Counter(Inspection.objects.values_list("kind", flat=True))
    assert kinds[Inspection.Kind.SELF] > sum(kinds.values()) / 2
    assert kinds[Inspection.Kind.STREET] and kinds[Inspection.Kind.CROSS]
    assert PlanRules.objects.get(street__code=STREET_CODE).cross_checks_per_day > 0
    weeks = _weeks(demo)
    assert len(weeks) >= 6
    for monday, by_community in weeks.items():
        assert len(by_community) == Region.objects.filter(level=Region.Level.COMMUNITY).count()
        for name, inspections in by_community.items():
            independent = sum(1 for i in inspections if i.kind != Inspection.Kind.SELF)
            assert independent >= 10, (monday, name, independent)


def test_cross_checks_are_of_another_community_and_rotate(demo: DemoResult, db: None) -> None:
    pairs: dict[str, set[str]] = defaultdict(set)
    for visit in Assignment.objects.filter(reason=Assignment.Reason.CROSS).select_related(
            "person__scope__parent", "point__grid__parent"):
        home = visit.person.scope
        home_community = home.parent if home.level == Region.Level.GRID else home
        target = visit.point.grid.parent
        assert home_community.pk != target.pk
        pairs[home_community.code].add(target.code)
    assert pairs and all(len(targets) >= 3 for targets in pairs.values())


def test_communities_differ_in_how_often_independent_checks_find_problems(demo: DemoResult, db: None) -> None:
    failed: Counter[str] = Counter()
    checked: Counter[str] = Counter()
    for by_community in _weeks(demo).values():
        for name, inspections in by_community.items():
            for inspection in inspections:
                if inspection.kind != Inspection.Kind.SELF:
                    checked[name] += 1
                    failed[name] += inspection.failed_count
    rates = sorted(failed[name] / checked[name] for name in checked)
    assert rates[-1] >= 3 * max(rates[0], 0.01), rates
