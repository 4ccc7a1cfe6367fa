"""The publication period's pages: the public's objection or suggestion form, and the owning side's answer."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from apps.core.exceptions import ServiceError
from apps.public.comment_forms import PublicCommentAnswerForm, PublicCommentForm
from apps.public.comments import (
    answer_refusal,
    comment_rate_key,
    public_comment_answer,
    public_comment_create,
    public_comments_of,
    user_may_answer,
)
from apps.public.models import PublicComment
from apps.public.selectors import public_item_get, public_items


def _public_form_rate(group: str, request: HttpRequest) -> str:
    # Read on each request, so the setting may change without a restart of the decorator (and in tests).
    return settings.PUBLIC_FORM_RATE


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(key=comment_rate_key, rate=_public_form_rate, method="POST", block=False)
def public_comment_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The form for an objection or a suggestion on a published item, open during its publication period."""
    item = public_item_get(pk)
    comments = public_comments_of(pk)
    context = {"item": item, "comments": comments, "sent": request.GET.get("sent") == "1"}
    if not comments.is_open:
        # The form is gone after the period; a form sent late is refused, saying why.
        return render(request, "public/comment.html", context, status=403 if request.method == "POST" else 200)
    if request.method == "POST" and getattr(request, "limited", False):
        return render(request, "public/comment_limited.html", {"item": item}, status=429)
    form = PublicCommentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            public_comment_create(
                item=public_items().get(pk=pk),
                kind=form.cleaned_data["kind"],
                text=form.cleaned_data["text"],
                name=form.cleaned_data["name"],
                phone=form.cleaned_data["phone"],
            )
        except ServiceError as error:
            form.add_error(error.field, error.message)
        else:
            return redirect(reverse("public:comment", args=[pk]) + "?sent=1")
    context["form"] = form
    return render(request, "public/comment.html", context)


@login_required
@require_POST
def public_comment_answer_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The owning side answers a comment from the item's page; anyone else is refused, saying who may."""
    comment = get_object_or_404(PublicComment.objects.select_related("item__unit"), pk=pk)
    if not user_may_answer(request.user, comment.item):
        return render(request, "public/comment_refused.html", {"message": answer_refusal()}, status=403)
    form = PublicCommentAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the answer."))
    else:
        try:
            public_comment_answer(comment=comment, by=request.user, answer=form.cleaned_data["answer"])
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The answer is saved and shown on the public item page."))
    return redirect(reverse("items:detail", args=[comment.item_id]) + "#public-comments")
