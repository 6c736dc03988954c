"""Every model field is classified in the declaration, and nothing stale is (DEC-04)."""

import dataclasses

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import models
from django.test.utils import isolate_apps

from declaration.checks import (
    check_personal_data_fields,
    find_stale_fields,
    find_undeclared_fields,
    installed_models,
)
from declaration.schema import Declaration
from declaration.selectors import get_declaration


@pytest.fixture
def sample_model() -> type[models.Model]:
    """A model of an app the declaration has never heard of (a label no real app uses)."""
    with isolate_apps():

        class Signup(models.Model):
            email = models.EmailField()
            created_at = models.DateTimeField()

            class Meta:
                app_label = "sample"

            def __str__(self) -> str:
                return self.email

        yield Signup


def classifying(fields: dict[str, dict[str, str]]) -> Declaration:
    """The declaration in force, with `fields` as its whole `personal_data_fields`."""
    return dataclasses.replace(get_declaration(), personal_data_fields=fields)


def found(errors) -> list[tuple[str, str]]:
    """(check id, `app.Model.field` the message names) for each error."""
    return [(error.id, error.msg.split(" ")[0]) for error in errors]


def test_dec_04_every_installed_model_field_is_classified_and_none_is_stale():
    declaration, model_list = get_declaration(), installed_models()

    assert find_undeclared_fields(declaration, model_list) == []
    assert find_stale_fields(declaration, model_list) == []


@pytest.mark.django_db  # some of Django's model checks ask the database what it supports
def test_dec_04_system_check_passes_for_the_project():
    call_command("check")  # raises SystemCheckError on any error


def test_dec_04_unclassified_fields_of_a_new_model_are_reported(sample_model):
    assert find_undeclared_fields(get_declaration(), [sample_model]) == [
        "sample.Signup.id",
        "sample.Signup.email",
        "sample.Signup.created_at",
    ]
    errors = check_personal_data_fields(declaration=classifying({}), model_list=[sample_model])
    assert found(errors) == [
        ("declaration.E001", "sample.Signup.id"),
        ("declaration.E001", "sample.Signup.email"),
        ("declaration.E001", "sample.Signup.created_at"),
    ]
    assert all(error.is_serious() for error in errors)


def test_dec_04_new_field_on_a_classified_model_is_reported_alone(sample_model):
    declaration = classifying({"sample.Signup": {"id": "none", "created_at": "none"}})

    errors = check_personal_data_fields(declaration=declaration, model_list=[sample_model])

    assert found(errors) == [("declaration.E001", "sample.Signup.email")]
    assert "is not classified in the declaration's personal_data_fields" in errors[0].msg


def test_dec_04_fully_classified_model_passes(sample_model):
    declaration = classifying(
        {"sample.Signup": {"id": "none", "email": "contact", "created_at": "none"}}
    )

    assert check_personal_data_fields(declaration=declaration, model_list=[sample_model]) == []


def test_dec_04_classified_field_that_no_longer_exists_is_reported_stale(sample_model):
    declaration = classifying(
        {
            "sample.Signup": {
                "id": "none",
                "email": "contact",
                "created_at": "none",
                "phone": "contact",
            }
        }
    )

    assert find_stale_fields(declaration, [sample_model]) == ["sample.Signup.phone"]
    errors = check_personal_data_fields(declaration=declaration, model_list=[sample_model])
    assert found(errors) == [("declaration.E002", "sample.Signup.phone")]


def test_dec_04_classified_model_that_no_longer_exists_is_reported_stale(sample_model):
    declaration = classifying(
        {
            "sample.Signup": {"id": "none", "email": "contact", "created_at": "none"},
            "sample.Meeting": {"id": "none", "starts_at": "booking"},
        }
    )

    errors = check_personal_data_fields(declaration=declaration, model_list=[sample_model])

    assert found(errors) == [
        ("declaration.E002", "sample.Meeting.id"),
        ("declaration.E002", "sample.Meeting.starts_at"),
    ]


@pytest.mark.django_db
def test_dec_04_manage_py_check_fails_on_an_unclassified_field(monkeypatch):
    fields = {
        model: dict(classified)
        for model, classified in get_declaration().personal_data_fields.items()
    }
    del fields["auth.User"]["email"]
    monkeypatch.setattr("declaration.checks.get_declaration", lambda: classifying(fields))

    with pytest.raises(SystemCheckError, match=r"auth\.User\.email is not classified"):
        call_command("check")
