from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data and the scale generator: the top floor, which may use every other app."""

    name = "apps.demo"
    label = "demo"
