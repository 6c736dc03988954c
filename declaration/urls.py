from django.urls import path, re_path

from declaration import views

app_name = "declaration"
urlpatterns = [
    path("privacy/", views.privacy_policy, name="privacy_policy"),
    path("cookies/", views.cookie_policy, name="cookie_policy"),
    # Stable addresses of every published version (TP-04); the difference first, as its
    # "old...new" would also match a version's own pattern.
    path("privacy/versions/", views.policy_archive, name="policy_archive"),
    re_path(
        r"^privacy/versions/(?P<old>[\w.-]+?)\.\.\.(?P<new>[\w.-]+)/$",
        views.version_difference,
        name="version_difference",
    ),
    path("privacy/versions/<str:version>/", views.archived_version, name="archived_version"),
    path(
        "privacy/versions/<str:version>/cookies/",
        views.archived_cookie_policy,
        name="archived_cookie_policy",
    ),
]
