"""The Retorno API: one NinjaAPI, its routers, and how errors are answered.

Errors are JSON ``{"detail": …, "errors": {field: [messages]}}``, in the
language asked for by Accept-Language: 401 without valid credentials, 403 when
the caller's role does not allow the action, 404 for records that do not exist
or that the caller may not see, 409 for edits made on an older version, 422 for
invalid data.
"""

import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.openapi.docs import DocsBase, _csrf_needed

from retorno.api.auth import api_auth
from retorno.api.common import Conflict
from retorno.api.routers import (
    cases,
    episodes,
    households,
    imports,
    organisations,
    people,
    programmes,
    referrals,
    returns,
)
from retorno.core.errors import NotFound, StaleEdit

NON_FIELD = "__all__"


class LocalSwagger(DocsBase):
    """Render the Swagger UI with the assets shipped inside django-ninja, never from a CDN."""

    template = "api/docs.html"

    def render_page(self, request: HttpRequest, api: "NinjaAPI", **kwargs: Any) -> HttpResponse:
        """Render the docs page for the API's OpenAPI schema."""
        settings = {
            "url": self.get_openapi_url(api, kwargs),
            "layout": "BaseLayout",
            "deepLinking": True,
        }
        context = {
            "swagger_settings": json.dumps(settings, indent=1),
            "api": api,
            "add_csrf": _csrf_needed(api),
        }
        return render(request, self.template, context)


api = NinjaAPI(
    title="Retorno API",
    version="1",
    description=(
        "Read and write the Retorno registry with the same permissions as the web pages. "
        "Authenticate with a personal token (`Authorization: Bearer rt_…`, created on the "
        "API tokens page) or, in these docs, with your logged-in session. Choice fields hold "
        "stored values; `…_label` fields give their names in the Accept-Language language. "
        "Updates carry the `version` you read; if the record changed since, the answer is 409."
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs=LocalSwagger(),
    docs_url="/docs",
    auth=api_auth,
)

api.add_router("/organisations", organisations.router)
api.add_router("/people", people.router)
api.add_router("/households", households.router)
api.add_router("/returns", returns.router)
api.add_router("/", episodes.router)
api.add_router("/", cases.router)
api.add_router("/", referrals.router)
api.add_router("/", programmes.router)
api.add_router("/", imports.router)


def _error(
    request: HttpRequest,
    status: int,
    detail: str,
    errors: dict[str, list[str]] | None = None,
    **extra: Any,
) -> HttpResponse:
    return api.create_response(
        request, {"detail": detail, "errors": errors or {}, **extra}, status=status
    )


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    """Answer 401 when no valid token or session came with the request."""
    response = _error(request, 401, _("Authentication required: send a valid API token."))
    response["WWW-Authenticate"] = 'Bearer realm="retorno"'
    return response


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    """Answer 403 when the caller's role does not allow the action."""
    return _error(request, 403, _("You are not allowed to do this."))


@api.exception_handler(NotFound)
def on_not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    """Answer 404 alike for missing records and records the caller may not see."""
    return _error(request, 404, _("Not found."))


@api.exception_handler(StaleEdit)
def on_stale_edit(request: HttpRequest, exc: StaleEdit) -> HttpResponse:
    """Answer 409 when an edit was made on an older version of the record."""
    return on_conflict(request, Conflict(None))


@api.exception_handler(Conflict)
def on_conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
    """Answer 409 with the current version, so the client can read again and redo its edit."""
    return _error(
        request,
        409,
        _(
            "Somebody else changed this record after you read it, so your changes were not "
            "saved. Read the record again, then send your changes with its current version."
        ),
        current_version=exc.current_version,
    )


@api.exception_handler(IntegrityError)
def on_integrity_error(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    """Answer 409 when a record with the same reference already exists."""
    return _error(request, 409, _("A record with the same reference already exists."))


def _field_errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            field: [str(message) for message in ValidationError(errors).messages]
            for field, errors in exc.error_dict.items()
        }
    return {NON_FIELD: [str(message) for message in exc.messages]}


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Answer 422 with the messages of each invalid field."""
    return _error(request, 422, _("The data is not valid."), _field_errors(exc))


@api.exception_handler(SchemaValidationError)
def on_schema_error(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
    """Answer 422 for requests that do not match the schema, in the same shape."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ())]
        # ("body", "payload", "sex") names the field sex; ("query", "limit") the parameter.
        parts = loc[2:] if loc[:1] == ["body"] and len(loc) > 2 else loc[1:]
        errors.setdefault(".".join(parts) or NON_FIELD, []).append(str(error.get("msg", "")))
    return _error(request, 422, _("The data is not valid."), errors)
