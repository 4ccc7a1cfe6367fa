"""A leader opens the dashboard: the charts draw from the JSON endpoint, offline, and a bar drills down."""

import pytest

from apps.accounts.models import Role
from apps.accounts.services import user_create
from apps.items.models import Status
from apps.items.services import item_approve, item_submit
from apps.org.models import UnitLevel
from apps.org.services import unit_create
from tests.e2e.conftest import SCREENSHOTS, log_in, screenshot
from tests.factories import WorkItemFactory

PASSWORD = "charts-pass-123"


@pytest.mark.django_db(transaction=True)
def test_dashboard_charts_draw_from_the_json_and_drill_down(new_page):
    # given: a city with two districts, one with a street below it, and items in a few states
    city = unit_create(name="昆明市", code="KM", level=UnitLevel.CITY)
    district = unit_create(name="五华区", code="WH", level=UnitLevel.COUNTY, parent=city)
    unit_create(name="华山街道", code="HS", level=UnitLevel.TOWNSHIP, parent=district)
    unit_create(name="盘龙区", code="PL", level=UnitLevel.COUNTY, parent=city)
    official = user_create(
        username="official", password=PASSWORD, full_name="李文娟", unit=district, roles=[Role.OFFICIAL]
    )
    leader = user_create(username="leader", password=PASSWORD, full_name="张立新", unit=city, roles=[Role.LEADER])
    for _ in range(3):  # approved into the plan, none done yet: the district's rate is 0%
        item = item_submit(item=WorkItemFactory(unit=district, by=official), by=official)
        item_approve(item=item, by=leader)

    # when
    page = new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    log_in(page, "leader", PASSWORD)
    page.goto("/dashboard/")
    page.wait_for_selector("#dashboard-charts[data-ready=true]")

    # then: three charts drawn (as SVG), everything fetched from the portal itself
    assert page.locator("#dashboard-charts svg").count() >= 3
    # the status legend shows every state (not paged), and the weekly line is never drawn below zero
    statuses = page.evaluate("echarts.getInstanceByDom(document.getElementById('chart-statuses')).getOption()")
    trend = page.evaluate("echarts.getInstanceByDom(document.getElementById('chart-trend')).getOption()")
    assert statuses["legend"][0]["type"] == "plain"
    assert trend["series"][1]["smooth"] is False and trend["yAxis"][0]["min"] == 0
    assert any("/dashboard/data/?unit=" in url for url in requests)
    assert all(url.startswith(page.url.split("/dashboard/")[0]) for url in requests)
    screenshot(page, "dashboard-charts")

    # and: clicking the district's bar opens the district's dashboard; at 0% the bar has its minimum height, so the
    # click lands just above the axis at the district's column (ECharts says where that is on the page)
    x, y = page.evaluate(
        "echarts.getInstanceByDom(document.getElementById('chart-child-rates')).convertToPixel({seriesIndex: 0}, [0, 0])"
    )
    page.locator("#chart-child-rates").scroll_into_view_if_needed()
    box = page.locator("#chart-child-rates").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y - 1)
    page.wait_for_url(f"**/dashboard/?unit={district.pk}")


# Each chart's visible <text> elements (axis labels, bar and pie labels, the legend) with their boxes on the page,
# and the box of the chart's container.
LABEL_BOXES = """id => {
  const container = document.getElementById(id);
  const shown = text => {
    for (let node = text; node && node !== container; node = node.parentNode) {
      const style = getComputedStyle(node);
      if (style.display === "none" || style.visibility === "hidden" || Number(style.opacity) === 0) return false;
      if (node.getAttribute && node.getAttribute("opacity") === "0") return false;
    }
    return text.textContent.trim() !== "";
  };
  const box = element => {
    const r = element.getBoundingClientRect();
    return {left: r.left, top: r.top, right: r.right, bottom: r.bottom};
  };
  return {
    chart: box(container),
    labels: Array.from(container.querySelectorAll("svg text")).filter(shown)
      .map(text => ({text: text.textContent, ...box(text)})),
  };
}"""
# Kunming's districts and counties, and a few of the city's departments: long names, more than a phone's width holds.
CHILDREN = [
    "五华区", "盘龙区", "官渡区", "西山区", "东川区", "呈贡区", "晋宁区", "富民县", "宜良县", "石林彝族自治县", "嵩明县",
    "禄劝彝族苗族自治县", "寻甸回族彝族自治县", "安宁市", "昆明市发展和改革委员会", "昆明市人力资源和社会保障局",
]  # fmt: skip


def overlapping(labels: list[dict]) -> list[tuple[str, str]]:
    """Pairs of labels whose boxes overlap by more than half a pixel each way."""
    pairs = []
    for index, one in enumerate(labels):
        for other in labels[index + 1 :]:
            across = min(one["right"], other["right"]) - max(one["left"], other["left"])
            down = min(one["bottom"], other["bottom"]) - max(one["top"], other["top"])
            if across > 0.5 and down > 0.5:
                pairs.append((one["text"], other["text"]))
    return pairs


def outside(labels: list[dict], chart: dict) -> list[str]:
    """Labels reaching past the chart's container (cut off by it) by more than half a pixel."""
    return [
        label["text"]
        for label in labels
        if label["left"] < chart["left"] - 0.5
        or label["top"] < chart["top"] - 0.5
        or label["right"] > chart["right"] + 0.5
        or label["bottom"] > chart["bottom"] + 0.5
    ]


@pytest.mark.django_db(transaction=True)
def test_dashboard_charts_on_a_phone_keep_every_label_whole_and_apart(new_page, city, leader, make_item):
    # given: the city with sixteen units below it, and items of 五华区 in every state
    for number, name in enumerate(CHILDREN[1:]):
        unit_create(name=name, code=f"C{number}", level=UnitLevel.COUNTY, parent=city)
    for status in Status:
        make_item(status)
        make_item(status)

    # when: the leader opens the dashboard on a phone (390 x 844)
    page = new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, leader.username, "test-password-1")  # a phone's header folds the name away: log_in allows it
    page.goto("/dashboard/")
    page.wait_for_selector("#dashboard-charts[data-ready=true]")

    # then: each chart is drawn, and no label overlaps another or reaches past its chart
    for chart in ("chart-child-rates", "chart-statuses", "chart-trend"):
        page.locator(f"#{chart}").scroll_into_view_if_needed()
        drawn = page.evaluate(LABEL_BOXES, chart)
        assert drawn["labels"], f"{chart} shows no labels"
        assert overlapping(drawn["labels"]) == [], chart
        assert outside(drawn["labels"], drawn["chart"]) == [], chart
        page.locator(f"#{chart}").screenshot(path=str(SCREENSHOTS / f"dashboard-phone-{chart}.png"))
    screenshot(page, "dashboard-phone")

    # and: the status legend names all nine states on one page, not paged
    legend = [label["text"] for label in page.evaluate(LABEL_BOXES, "chart-statuses")["labels"]]
    statuses = page.evaluate("echarts.getInstanceByDom(document.getElementById('chart-statuses')).getOption()")
    states = [slice_["name"] for slice_ in statuses["series"][0]["data"]]
    assert len(states) == len(Status) and all(state in legend for state in states)
    assert statuses["legend"][0]["type"] == "plain"
    # and: the units' names are all there to scroll to, the first of them shown
    rates = page.evaluate(LABEL_BOXES, "chart-child-rates")["labels"]
    assert any(label["text"] == "五华区" for label in rates)
