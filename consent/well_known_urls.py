"""Resources at fixed, unprefixed addresses (not translated)."""

from django.urls import path

from consent import views

urlpatterns = [
    path(".well-known/gpc.json", views.gpc_support, name="gpc_json"),
]
