from django.contrib import admin

from audit.admin import AuditedModelAdmin
from subjects.models import Subject


@admin.register(Subject)
class SubjectAdmin(AuditedModelAdmin):
    list_display = ["email", "phone", "created_at"]
    search_fields = ["email", "phone"]
    readonly_fields = ["public_id", "created_at"]
