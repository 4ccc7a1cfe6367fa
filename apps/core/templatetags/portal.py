"""Template helpers: rates, filtered-list links and query strings."""

from decimal import Decimal
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html

from apps.core.rates import format_rate

register = template.Library()


@register.filter
def rate(value: Decimal | None) -> str:
    """34.6% or — where nothing is planned."""
    return format_rate(value)


@register.simple_tag
def items_link(**filters) -> str:
    """The item list filtered the same way a dashboard number was counted."""
    query = urlencode({key: value for key, value in filters.items() if value not in (None, "")})
    return f"{reverse('items:list')}?{query}"


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (paging and sorting links)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


@register.simple_tag(takes_context=True)
def sort_header(context, label: str, name: str) -> str:
    """A column header that sorts the list by `name` (the FilterSet's ordering value); again, the other way round."""
    query = context["request"].GET.copy()
    current = query.get("ordering", "")
    query["ordering"] = f"-{name}" if current == name else name
    query.pop("page", None)  # a new order starts on its first page
    state, arrow = {name: ("ascending", " ▲"), f"-{name}": ("descending", " ▼")}.get(current, ("none", ""))
    return format_html(
        '<a href="?{}" class="sort" data-sort="{}" aria-sort="{}">{}{}</a>',
        query.urlencode(),
        name,
        state,
        label,
        arrow,
    )


@register.filter
def change_arrow(value: object) -> str:
    """A change such as "+3" or "-1.2" with an arrow; anything else as it is."""
    text = str(value)
    if len(text) > 1 and text[0] in "+-" and text[1:].replace(".", "", 1).isdigit():
        arrow_class, arrow = ("up", "▲") if text[0] == "+" else ("down", "▼")
        return format_html('<span class="change {}">{} {}</span>', arrow_class, arrow, text)
    return text
