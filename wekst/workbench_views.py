"""The back office's front page: the workbench above the list of areas (SEC-04)."""

from django.contrib import admin
from django.views.decorators.http import require_safe

from wekst.workbench import workbench_for


@require_safe
def index(request):
    """Django's admin index with the workbench of this person's role on top; the admin site's
    own checks (staff, a verified second factor) run first, as for any admin page."""
    return admin.site.index(request, extra_context={"workbench": workbench_for(user=request.user)})


workbench_index = admin.site.admin_view(index)
