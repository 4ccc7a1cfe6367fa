"""我的待办 (the to-do inbox), the notification list and the email choice."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.notifications.badge import badge_forget
from apps.notifications.inbox import inbox_fill, inbox_sections
from apps.notifications.models import EmailChoice, Notification

# The inbox page shows the latest unread notifications under the work waiting.
LATEST_UNREAD = 10


@login_required
def inbox_view(request: HttpRequest) -> HttpResponse:
    sections = inbox_fill(inbox_sections(request.user), request.user)
    badge_forget(request.user)  # the page has just counted afresh; the badge follows on the next page
    unread = Notification.objects.filter(recipient=request.user, read_at__isnull=True)
    return render(
        request,
        "notifications/inbox.html",
        {
            "sections": sections,
            "total": sum(section.count for section in sections),
            "unread": unread.count(),
            "latest_unread": list(unread.order_by("-created_at", "-id")[:LATEST_UNREAD]),
        },
    )


@login_required
def notifications_view(request: HttpRequest) -> HttpResponse:
    rows = Notification.objects.filter(recipient=request.user).select_related("item")
    page = Paginator(rows, settings.ITEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    unread = rows.filter(read_at__isnull=True).count()
    return render(request, "notifications/list.html", {"page_obj": page, "unread": unread})


@login_required
@require_POST
def notifications_read_view(request: HttpRequest) -> HttpResponse:
    """Mark the person's notifications read: all of them, or the one named."""
    rows = Notification.objects.filter(recipient=request.user, read_at__isnull=True)
    if request.POST.get("id", "").isdigit():
        rows = rows.filter(pk=int(request.POST["id"]))
    marked = rows.update(read_at=timezone.now())
    badge_forget(request.user)
    messages.success(request, _("%(count)s notifications marked read.") % {"count": marked})
    return redirect("notifications:list")


class EmailChoiceForm(forms.Form):
    daily_digest = forms.BooleanField(
        label=gettext_lazy("Send me a daily email digest"),
        required=False,
        help_text=gettext_lazy("One email each morning with what is new for you; nothing on a day with nothing new."),
    )


@login_required
def email_settings_view(request: HttpRequest) -> HttpResponse:
    choice = EmailChoice.objects.filter(person=request.user).first()
    if request.method == "POST":
        form = EmailChoiceForm(request.POST)
        if form.is_valid():
            EmailChoice.objects.update_or_create(
                person=request.user, defaults={"daily_digest": form.cleaned_data["daily_digest"]}
            )
            messages.success(request, _("Your email choice is saved."))
            return redirect("notifications:settings")
    else:
        form = EmailChoiceForm(initial={"daily_digest": choice.daily_digest if choice else True})
    return render(request, "notifications/settings.html", {"form": form, "has_email": bool(request.user.email)})
