"""Operators manage organisations, offices and memberships here; each change is audited."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.http import HttpRequest

from retorno.accounts.models import Membership, Office, Organisation
from retorno.core.audit import actor_from_request, audit_record, snapshot
from retorno.core.models import AuditAction


class AuditedAdmin(admin.ModelAdmin):
    audit_exclude: tuple[str, ...] = ()

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        exclude = self.audit_exclude
        before = snapshot(type(obj).objects.get(pk=obj.pk), exclude=exclude) if change else None
        super().save_model(request, obj, form, change)
        audit_record(
            actor=actor_from_request(request),
            action=AuditAction.UPDATE if change else AuditAction.CREATE,
            entity=obj,
            before=before,
            after=snapshot(obj, exclude=exclude),
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_record(
            actor=actor_from_request(request),
            action=AuditAction.DELETE,
            entity=obj,
            before=snapshot(obj, exclude=self.audit_exclude),
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


class OfficeInline(admin.TabularInline):
    model = Office
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ("name", "kind", "country", "is_active")
    list_filter = ("kind", "country", "is_active")
    search_fields = ("name",)
    inlines = [OfficeInline]


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ("user", "organisation", "role", "office")
    list_filter = ("role", "organisation")
    search_fields = ("user__username", "organisation__name")
    autocomplete_fields = ("organisation",)


admin.site.unregister(User)


@admin.register(User)
class AuditedUserAdmin(AuditedAdmin, UserAdmin):
    # Password hashes never enter the audit trail.
    audit_exclude = ("password",)
