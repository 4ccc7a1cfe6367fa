"""The item list pages and their exports refuse a filter value they do not take, and say so; their own form still works.

`?overdue=yes-please` used to be read as "either" and list (or export) every item. An empty value, and the
yes/no select's "unknown", still mean "all" on the pages: their filter form sends every select, chosen or not.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from apps.items.models import Status
from tests.ledger.test_exports import csv_rows

REFUSED_LIST = "筛选条件有误，未列出任何事项"
REFUSED_EXPORT = "筛选条件有误，未导出任何内容"


class FilterFormReader(HTMLParser):
    """What a browser sends when the list page's filter form is submitted as it is shown."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._in_form = False
        self._select: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form" and "filter-form" in (attributes.get("class") or ""):
            self._in_form = True
        if not self._in_form:
            return
        if tag == "input" and attributes.get("name") and attributes.get("type") not in {"submit", "button"}:
            self.fields.append((attributes["name"], attributes.get("value") or ""))
        elif tag == "select":
            self._select = {
                "name": attributes["name"],
                "multiple": "multiple" in attributes,
                "first": None,
                "chosen": [],
            }
        elif tag == "option" and self._select is not None:
            value = attributes.get("value") or ""
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in attributes:
                self._select["chosen"].append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "select" and self._select is not None:
            select, self._select = self._select, None
            sent = select["chosen"] if select["multiple"] else select["chosen"][-1:] or [select["first"]]
            self.fields += [(select["name"], value) for value in sent]


def form_query(page: str) -> list[tuple[str, str]]:
    reader = FilterFormReader()
    reader.feed(page)
    assert reader.fields, "the page shows no filter form"
    return reader.fields


@pytest.fixture
def items(make_item) -> set[str]:
    return {make_item(status).number for status in (Status.DRAFT, Status.IN_PROGRESS, Status.COMPLETED)}


def listed(response) -> set[str]:
    return {item.number for item in response.context["page_obj"].object_list}


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    ("page", "query", "label", "parameter"),
    [
        ("items:list", "overdue=yes-please", "逾期", "overdue"),
        ("items:list", "is_key=-1", "重点事项", "is_key"),
        ("items:mine", "overdue=1", "逾期", "overdue"),
        ("items:list", "kind=plan", "清单类型", "kind"),
    ],
)
def test_list_page_with_a_filter_value_it_does_not_take_lists_nothing_and_says_why(
    client, owner, items, page, query, label, parameter
):
    client.force_login(owner)

    response = client.get(f"{reverse(page)}?{query}")

    # then: the page, its message naming the filter and the values it takes, and no item (never all of them)
    assert response.status_code == 200
    assert listed(response) == set()
    [message] = messages_of(response)
    assert message.startswith(f"{REFUSED_LIST}：{label}：参数 {parameter} ")
    assert message in response.content.decode()
    assert parameter in response.context["filterset"].form.errors


def test_list_page_yes_no_message_names_the_values_it_takes(client, owner, items):
    client.force_login(owner)

    response = client.get(f"{reverse('items:list')}?overdue=yes-please")

    assert response.context["filterset"].form.errors["overdue"] == ["参数 overdue 只能取以下值之一：true, false。"]


@pytest.mark.parametrize("query", ["overdue=", "overdue=unknown", "is_key=unknown&kind=&stage=&unit=", "overdue=false"])
def test_list_page_empty_values_still_mean_all(client, owner, items, query):
    client.force_login(owner)

    response = client.get(f"{reverse('items:list')}?{query}")

    assert listed(response) == items
    assert messages_of(response) == []


@pytest.mark.parametrize("page", ["items:list", "items:mine"])
def test_list_page_own_filter_form_submitted_as_shown_lists_everything(client, owner, items, page):
    # given: the query the page's filter form sends when "Apply" is pressed without choosing anything
    client.force_login(owner)
    query = form_query(client.get(reverse(page)).content.decode())
    assert ("overdue", "unknown") in query and ("kind", "") in query

    # when
    response = client.get(f"{reverse(page)}?{urlencode(query)}")

    # then
    assert listed(response) == items
    assert messages_of(response) == []


def test_list_page_own_filter_form_with_a_yes_no_chosen_filters(client, owner, items):
    client.force_login(owner)
    query = [
        (name, "false" if name == "overdue" else value)
        for name, value in form_query(client.get(reverse("items:list")).content.decode())
    ]

    response = client.get(f"{reverse('items:list')}?{urlencode(query)}")

    assert listed(response) == items  # nothing here is overdue
    assert messages_of(response) == []
    # and the select shows the choice
    assert ("overdue", "false") in form_query(response.content.decode())


def test_list_page_select_shows_the_yes_no_value_the_query_holds(client, owner, items):
    client.force_login(owner)

    response = client.get(f"{reverse('items:list')}?is_key=True&overdue=false")

    assert {("is_key", "true"), ("overdue", "false")} <= set(form_query(response.content.decode()))


@pytest.mark.parametrize("export", ["ledger:export", "ledger:mine_export"])
def test_page_export_with_a_filter_value_it_does_not_take_exports_nothing(client, owner, items, export):
    client.force_login(owner)

    response = client.get(f"{reverse(export, args=['csv'])}?overdue=yes-please")

    # then: back to the list with the reason, and no file
    assert response.status_code == 302
    assert "Content-Disposition" not in response
    [message] = messages_of(response)
    assert message.startswith(f"{REFUSED_EXPORT}：逾期: 参数 overdue ")


def test_page_export_of_the_own_form_query_exports_everything(client, owner, items):
    client.force_login(owner)
    query = urlencode(form_query(client.get(reverse("items:list")).content.decode()))

    response = client.get(f"{reverse('ledger:export', args=['csv'])}?{query}")

    assert response.status_code == 200
    rows = csv_rows(b"".join(response.streaming_content))
    assert {row[0] for row in rows[1:]} == items
