"""People in the API (read-only, scoped, never a password; a phone number only for administrators) and tokens."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.authentication import token_expires_at
from apps.accounts.filtersets import PersonFilterSet
from apps.accounts.lockout import lockout_message, lockout_seconds
from apps.accounts.models import Role, User
from apps.accounts.services import token_obtain
from apps.core.api import ErrorSerializer, ListExportMixin, PortalCursorPagination, UserFilterBackend
from apps.core.exports import XlsxColumn, file_labels
from apps.org.api import UnitRefSerializer

# Who may read people's phone numbers: those who manage people.
PHONE_READER_ROLES = (Role.UNIT_ADMIN, Role.SYSTEM_ADMIN)


def reads_phones(reader: User) -> bool:
    return reader.has_role(*PHONE_READER_ROLES)


class PersonRefSerializer(serializers.ModelSerializer):
    """A person named inside another resource."""

    class Meta:
        model = User
        fields = ["id", "username", "full_name"]


class PersonSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(read_only=True, allow_null=True)
    roles = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField(help_text="Shown to unit and system administrators only; else null.")

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "title", "unit", "roles", "phone", "is_active"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=Role.choices)))
    def get_roles(self, person: User) -> list[str]:
        return sorted(assignment.role for assignment in person.role_assignments.all())

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_phone(self, person: User) -> str | None:
        return person.phone if reads_phones(self.context["request"].user) else None


class PeopleCursorPagination(PortalCursorPagination):
    """A city has tens of thousands of people: page by a cursor over the (unique) user name."""

    ordering = "username"


class PersonViewSet(ListExportMixin, viewsets.ReadOnlyModelViewSet):
    """People of the caller's unit and the units below it."""

    serializer_class = PersonSerializer
    pagination_class = PeopleCursorPagination
    filter_backends = [UserFilterBackend]
    filterset_class = PersonFilterSet
    export_sheet_title = export_file_stem = "人员"

    def export_columns(self) -> list[tuple[XlsxColumn, Any]]:
        roles = file_labels(Role)
        phones = reads_phones(self.request.user)
        return [
            (XlsxColumn("用户名", width=16), "username"),
            (XlsxColumn("姓名", width=12), "full_name"),
            (XlsxColumn("所属单位", width=24), lambda person: person.unit.name if person.unit_id else ""),
            (XlsxColumn("所属单位代码", width=14), lambda person: person.unit.code if person.unit_id else ""),
            (XlsxColumn("职务", width=16), "title"),
            (
                XlsxColumn("角色", width=24),
                lambda person: "、".join(sorted(roles[a.role] for a in person.role_assignments.all())),
            ),
            # Phone numbers only for those who manage people, as in the list.
            (XlsxColumn("电话", width=16), lambda person: person.phone if phones else ""),
            (XlsxColumn("在职", width=8), lambda person: "是" if person.is_active else "否"),
        ]

    def get_queryset(self) -> QuerySet[User]:
        return (
            User.objects.visible_to(self.request.user)
            .select_related("unit")
            .prefetch_related("role_assignments")
            .order_by("username")
        )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")
    expires_at = serializers.DateTimeField(
        help_text="When the token stops working (API_TOKEN_LIFETIME_HOURS after it was issued); "
        "then ask for a new one here."
    )
    user = PersonRefSerializer()


class SignInLockedOut(APIException):
    """Too many failed sign-ins with this user name from this address (django-axes): 429 with Retry-After."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"

    def __init__(self) -> None:
        super().__init__(lockout_message())
        # DRF's exception handler sends `wait` as the Retry-After header (DRF's own Throttled would also append
        # an English sentence to the message).
        self.wait = lockout_seconds()


class IsAuthenticatedToRevoke(BasePermission):
    """Anyone may ask for a token with a user name and password; only its holder may revoke it."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return request.method != "DELETE" or IsAuthenticated().has_permission(request, view)


class AuthTokenView(APIView):
    """The API token of a user, for programs that cannot keep a browser session."""

    permission_classes = [IsAuthenticatedToRevoke]

    def perform_authentication(self, request: Request) -> None:
        # Asking for a token takes a user name and password only: a program still sending its expired token along
        # gets a fresh one, not a 401. Revoking needs the token it revokes.
        if request.method == "DELETE":
            super().perform_authentication(request)

    def get_serializer(self, *args, **kwargs) -> AuthTokenSerializer:
        # The serializer authenticates with the request, so django-axes counts failures here as on the login page.
        return AuthTokenSerializer(*args, context={"request": self.request}, **kwargs)

    @extend_schema(
        request=AuthTokenSerializer,
        responses={
            200: TokenSerializer,
            429: OpenApiResponse(
                ErrorSerializer,
                description="Too many failed sign-ins with this user name from this address: locked out for a while, "
                "the right password included.",
            ),
        },
        parameters=[
            OpenApiParameter(
                "Retry-After",
                int,
                OpenApiParameter.HEADER,
                response=[429],
                required=True,
                description="Seconds until the lockout ends.",
            )
        ],
        summary="Obtain the API token of a user name and password",
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except ValidationError:
            # django-axes flags the request once this user name is locked out from this address (this very failure
            # may be the one that locks it): say so, rather than "wrong password".
            if getattr(request, "axes_locked_out", False):
                raise SignInLockedOut() from None
            raise
        user = serializer.validated_data["user"]
        token = token_obtain(user=user)
        return Response(TokenSerializer({"token": token.key, "expires_at": token_expires_at(token), "user": user}).data)

    @extend_schema(request=None, responses={204: None}, summary="Revoke the caller's API token")
    def delete(self, request: Request) -> Response:
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
