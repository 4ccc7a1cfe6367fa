"""Moving a model to another app without moving its table: the content types follow it."""

from collections.abc import Callable, Sequence
from typing import Any

from django.db import migrations


def content_types_move(*, models: Sequence[str], from_app: str, to_app: str) -> migrations.RunPython:
    """Relabel the models' content types (and so their permissions) rather than leave them behind."""

    def relabel(source: str, target: str) -> Callable[[Any, Any], None]:
        def run(apps: Any, schema_editor: Any) -> None:
            content_type = apps.get_model("contenttypes", "ContentType")
            taken = set(content_type.objects.filter(app_label=target, model__in=models).values_list("model", flat=True))
            content_type.objects.filter(app_label=source, model__in=set(models) - taken).update(app_label=target)

        return run

    return migrations.RunPython(relabel(from_app, to_app), relabel(to_app, from_app))
