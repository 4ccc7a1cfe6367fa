"""Writes to people, their roles, their API tokens and their sign-in lockout."""

from collections.abc import Iterable

from axes.utils import reset as axes_reset
from django.db import transaction
from rest_framework.authtoken.models import Token

from apps.accounts.authentication import token_has_expired
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


@transaction.atomic
def token_obtain(*, user: User) -> Token:
    """The user's API token: the one they hold while it lasts, a fresh one once it has expired."""
    token, created = Token.objects.select_for_update().get_or_create(user=user)
    if not created and token_has_expired(token):
        token.delete()
        token = Token.objects.create(user=user)
    return token


def user_unlock_sign_in(*, user: User) -> int:
    """Lift the user's sign-in lockout from every address at once; the number of lockout records removed."""
    return axes_reset(username=user.get_username())
