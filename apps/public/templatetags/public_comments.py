"""The item page's block of publication-period comments, for the owning side (`{% public_comments_staff item %}`).

A template tag, so the items' page shows the block without the items app importing the public one (the layers).
"""

from __future__ import annotations

from django import template

from apps.public.comment_forms import PublicCommentAnswerForm
from apps.public.comments import item_comments_for_staff, publication_period

register = template.Library()


@register.inclusion_tag("public/_comments_staff.html", takes_context=True)
def public_comments_staff(context: template.Context, item) -> dict:
    request = context.get("request")
    comments = item_comments_for_staff(user=request.user, item=item) if request is not None else None
    return {
        "item": item,
        "comments": comments,
        "period": publication_period(item.published_at) if item.is_published else None,
        "answer_form": PublicCommentAnswerForm(),
        "csrf_token": context.get("csrf_token"),
    }
