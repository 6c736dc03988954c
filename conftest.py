"""Fixtures shared by every app's tests."""

import pytest


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user(
        username="staff", password="correct horse battery", is_staff=True
    )
    client.force_login(user)
    return client
