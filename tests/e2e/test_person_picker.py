"""The responsible-person picker offers only the people of the chosen responsible unit, each with their unit."""

from __future__ import annotations

from apps.accounts.models import Role
from apps.accounts.services import user_create
from apps.org.models import UnitLevel
from apps.org.services import unit_create
from tests.e2e.test_item_journey import PASSWORD


def offered_people(page) -> list[str]:
    return page.eval_on_selector_all(
        "#id_responsible_person option:not([hidden]):not([value=''])", "options => options.map(o => o.textContent)"
    )


def test_person_picker_follows_the_chosen_responsible_unit(page_as):
    # given: 五华区 with its official and a township with two people of its own
    district = unit_create(name="五华区", code="WH", level=UnitLevel.COUNTY)
    township = unit_create(name="华山街道", code="HS", level=UnitLevel.TOWNSHIP, parent=district)
    user_create(username="official", password=PASSWORD, full_name="张敏", unit=district, roles=[Role.OFFICIAL])
    for username, name in [("hs1", "李华"), ("hs2", "王丽")]:
        user_create(username=username, password=PASSWORD, full_name=name, unit=township, roles=[Role.OFFICIAL])
    page = page_as("official", PASSWORD)
    page.goto("/items/new/?kind=livelihood_plan")

    # when: the township is chosen as the responsible unit, then 五华区
    page.select_option("#id_responsible_unit", str(township.pk))
    township_people = offered_people(page)
    page.select_option("#id_responsible_person", label="李华 · 华山街道")
    page.select_option("#id_responsible_unit", str(district.pk))

    # then: each time only that unit's people are offered, and a person of the other unit is not kept
    assert sorted(township_people) == ["李华 · 华山街道", "王丽 · 华山街道"]
    assert offered_people(page) == ["张敏 · 五华区"]
    assert page.input_value("#id_responsible_person") == ""
