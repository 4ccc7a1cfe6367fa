"""Template helpers: rates, filtered-list links and query strings."""

from decimal import Decimal
from urllib.parse import urlencode

from django import template
from django.urls import reverse

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
