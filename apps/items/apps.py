from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ItemsConfig(AppConfig):
    name = "apps.items"
    label = "items"
    verbose_name = _("Items")
