from django.apps import AppConfig


class LedgerConfig(AppConfig):
    """Ledger imports and item-list exports, on top of the items' own services."""

    name = "apps.ledger"
    label = "ledger"
