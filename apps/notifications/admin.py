from django.contrib import admin

from apps.notifications.models import EmailChoice, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "event", "item", "day", "read_at", "emailed_at"]
    list_filter = ["event", "day"]
    raw_id_fields = ["recipient", "item"]
    search_fields = ["recipient__username", "item__number", "text"]


@admin.register(EmailChoice)
class EmailChoiceAdmin(admin.ModelAdmin):
    list_display = ["person", "daily_digest"]
    raw_id_fields = ["person"]
