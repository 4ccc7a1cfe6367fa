from django.db import migrations


def fill(apps, schema_editor):
    """Every year the chinese-calendar library knows, so time limits count working days from the start."""
    from apps.workdays.services import fill_from_library, library_years

    fill_from_library(apps.get_model("workdays", "CalendarDay"), apps.get_model("workdays", "CalendarYear"), library_years())


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
