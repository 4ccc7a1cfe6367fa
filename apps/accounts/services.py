"""Writes to people and their roles."""

from collections.abc import Iterable

from django.db import transaction

from apps.accounts.models import RoleAssignment, User
from apps.org.models import Unit


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None = None,
    password_hash: str | None = None,
    full_name: str,
    unit: Unit | None,
    roles: Iterable[str] = (),
    title: str = "",
    phone: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """Create a user in a unit with the given roles; without a password (or its hash) the user cannot log in."""
    user = User(
        username=username,
        full_name=full_name,
        unit=unit,
        title=title,
        phone=phone,
        is_staff=is_staff or is_superuser,
        is_superuser=is_superuser,
    )
    if password_hash:
        user.password = password_hash  # an already hashed password, e.g. one shared by many demo accounts
    else:
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    RoleAssignment.objects.bulk_create([RoleAssignment(user=user, role=role) for role in roles])
    return user
