"""User.objects is the people manager with visible_to (org.scope); no table changes."""

import apps.accounts.models
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
    ]

    operations = [
        migrations.AlterModelManagers(
            name='user',
            managers=[
                ('objects', apps.accounts.models.PersonManager()),
            ],
        ),
    ]
