"""The unit picker's select: what it offers without script, and what it tells the search box."""

from __future__ import annotations

import re

from django import forms
from django.urls import reverse

from apps.accounts.models import User
from apps.org.models import Unit
from apps.org.widgets import UnitTreeSelect
from tests.factories import UnitFactory


def rendered(user: User, value: Unit | None) -> str:
    field = forms.ModelChoiceField(queryset=Unit.objects.visible_to(user), widget=UnitTreeSelect, required=False)
    return field.widget.render("unit", value.pk if value else None)


def offered(html: str) -> list[str]:
    return [label.strip("\u3000") for label in re.findall(r"<option[^>]*>([^<]*)</option>", html)]


def test_unit_picker_select_offers_the_chosen_units_ancestors_itself_and_its_children(
    leader, township, sibling_district
):
    # given: a community below the street
    UnitFactory(name="华山社区", code="HSC", parent=township)

    # when: the street is chosen
    html = rendered(leader, township)

    # then: without script one can go up the path or one level down; the search box starts from the street's path
    assert offered(html) == ["---------", "昆明市", "五华区", "华山街道", "华山社区"]
    assert f'data-unit-picker="{reverse("org:unit_search")}"' in html
    assert 'data-chosen-path="昆明市 › 五华区 › 华山街道"' in html


def test_unit_picker_select_names_no_unit_above_the_users_reach(owner, township, sibling_district):
    # when: an official of 五华区 has the street chosen
    html = rendered(owner, township)

    # then: the path starts at their own district, and nothing of the city or of 盘龙区 is offered
    assert 'data-chosen-path="五华区 › 华山街道"' in html
    assert offered(html) == ["---------", "五华区", "华山街道"]
