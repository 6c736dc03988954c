"""Registered users: sign-up, sign-in, and a profile they can view, edit and delete (USR-01)."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from audit.models import AuditEntry
from content.models import Comment, Profile
from content.tests.factories import comment_data, make_article, make_profile
from mail.models import OutgoingEmail
from subjects.models import Subject
from subjects.selectors import find_subjects, records_of

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "a long and unusual passphrase"


def signup_data(**overrides) -> dict:
    data = {
        "username": "kari",
        "email": "kari@example.no",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "name": "Kari Nordmann",
        "age_confirmed": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def profile_data(profile, **overrides) -> dict:
    data = {"name": profile.name, "email": profile.user.email, "bio": profile.bio}
    data.update(overrides)
    return data


def test_dec_05_signup_form_shows_the_collection_notice_and_age_box(client):
    page = client.get("/account/signup/").text

    assert "Harwest AS" in page
    assert "Art. 6(1)(a)" in page
    assert "I am 16 or older" in page
    assert 'href="/privacy/"' in page


def _confirm_link(address: str) -> str:
    [email] = OutgoingEmail.objects.filter(to_address=address)
    return re.search(r"https?://[^/\s]+(/\S*/signup/confirm/\S+/)", email.body_text).group(1)


def test_usr_01_signup_creates_account_and_profile_linked_to_the_subject(client):
    response = client.post("/account/signup/", signup_data())

    assert response.status_code == 302
    assert response["Location"] == "/account/signup/sent/"
    assert not Profile.objects.exists()  # nothing until the owner of the address follows the link
    link = _confirm_link("kari@example.no")
    assert client.get(link).status_code == 200  # a button: a mail scanner's GET creates nothing
    assert not Profile.objects.exists()

    response = client.post(link)

    assert response.status_code == 302
    assert response["Location"] == "/account/profile/"
    profile = Profile.objects.select_related("user").get()
    assert profile.user.username == "kari"
    assert profile.user.check_password(PASSWORD)
    assert profile.name == "Kari Nordmann"
    assert profile.age_confirmed_at is not None
    [subject] = find_subjects(email="kari@example.no")
    assert list(records_of(subject)["content.Profile"]) == [profile]
    assert client.get("/account/profile/").status_code == 200  # signed in
    assert client.post(link).status_code == 400  # the link works once


def test_sec_03_signup_answers_the_same_for_a_taken_and_a_free_address(client):
    make_profile(username="owner", email="taken@example.no")
    taken = client.post("/account/signup/", signup_data(username="new1", email="TAKEN@example.no"))
    free = client.post("/account/signup/", signup_data(username="new2", email="free@example.no"))

    assert taken.status_code == free.status_code == 302
    assert taken["Location"] == free["Location"] == "/account/signup/sent/"
    assert client.get(taken["Location"]).text == client.get(free["Location"]).text
    assert User.objects.count() == 1
    # The owner of the taken address is told instead, by email, with no link that creates one.
    [note] = OutgoingEmail.objects.filter(to_address="taken@example.no")
    assert "already has an account" in note.body_text
    assert "owner" in note.body_text
    assert "/signup/confirm/" not in note.body_text
    assert "/signup/confirm/" in _confirm_link("free@example.no")


def test_sec_03_a_changed_or_expired_signup_link_creates_nothing(client, settings):
    client.post("/account/signup/", signup_data())
    link = _confirm_link("kari@example.no")

    assert client.post(link.replace("/confirm/", "/confirm/x")).status_code == 400
    start = timezone.now()
    with time_machine.travel(
        start + datetime.timedelta(hours=settings.CONTENT_SIGNUP_LINK_HOURS + 1)
    ):
        assert client.post(link).status_code == 400
    assert not Profile.objects.exists()


def test_chi_01_signup_without_age_confirmation_stores_nothing(client):
    response = client.post("/account/signup/", signup_data(age_confirmed=None))

    assert response.status_code == 400
    assert "16 or older" in response.text
    assert not User.objects.exists()
    assert not Subject.objects.exists()


def test_usr_01_signup_refuses_a_weak_password_and_a_taken_username(client):
    make_profile(username="kari", email="other@example.no")

    weak = client.post(
        "/account/signup/", signup_data(username="ola", password1="kari", password2="kari")
    )
    taken = client.post("/account/signup/", signup_data(email="new@example.no"))

    assert weak.status_code == taken.status_code == 400
    assert User.objects.count() == 1


def test_lea_04_signup_honeypot_creates_nothing(client):
    client.post("/account/signup/", signup_data(website="x"))

    assert not User.objects.exists()


def test_usr_01_login_and_logout(client):
    make_profile()

    response = client.post("/account/login/", {"username": "kari", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/account/profile/").status_code == 200

    client.post("/account/logout/")
    assert client.get("/account/profile/").status_code == 302


def test_sec_01_staff_cannot_sign_in_through_the_public_login(client, django_user_model):
    django_user_model.objects.create_user(username="staffer", password=PASSWORD, is_staff=True)

    response = client.post("/account/login/", {"username": "staffer", "password": PASSWORD})

    assert response.status_code == 200
    assert "back office" in response.text
    assert "_auth_user_id" not in client.session


def test_sec_03_login_is_rate_limited(client, settings):
    settings.CONTENT_RATE_LIMIT_PER_ADDRESS = 2
    make_profile()
    for _attempt in range(2):
        client.post("/account/login/", {"username": "kari", "password": "wrong"})

    response = client.post("/account/login/", {"username": "kari", "password": PASSWORD})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_usr_01_profile_page_shows_the_username_but_offers_no_way_to_change_it(client):
    profile = make_profile()
    client.force_login(profile.user)

    response = client.get("/account/profile/")

    assert "kari" in response.text
    assert 'name="username"' not in response.text
    client.post("/account/profile/", profile_data(profile, username="someone-else"))
    profile.user.refresh_from_db()
    assert profile.user.username == "kari"


def test_usr_01_user_edits_name_email_and_bio(client):
    profile = make_profile()
    old_subject = profile.subject
    client.force_login(profile.user)

    response = client.post(
        "/account/profile/",
        profile_data(profile, name="Kari N.", email="kari.new@example.no", bio="Dentist in Oslo"),
    )

    assert response.status_code == 302
    profile.refresh_from_db()
    profile.user.refresh_from_db()
    assert (profile.name, profile.user.email, profile.bio) == (
        "Kari N.",
        "kari.new@example.no",
        "Dentist in Oslo",
    )
    assert profile.subject.email == "kari.new@example.no"
    # The old address was kept for nothing else, so it is gone from the subject index.
    assert not Subject.objects.filter(pk=old_subject.pk).exists()
    assert AuditEntry.objects.filter(object_type="content.Profile", action="change").exists()


def test_usr_01_email_change_moves_the_signed_in_comments_to_the_new_address(client):
    profile = make_profile()
    make_article()
    client.force_login(profile.user)
    client.post("/articles/growing-a-dental-clinic/", comment_data())

    client.post("/account/profile/", profile_data(profile, email="kari.new@example.no"))

    comment = Comment.objects.get()
    assert comment.subject.email == "kari.new@example.no"


def test_usr_01_email_used_by_another_account_is_refused_with_a_clear_error(client):
    make_profile(username="ola", email="ola@example.no")
    profile = make_profile()
    client.force_login(profile.user)

    response = client.post("/account/profile/", profile_data(profile, email="OLA@example.no"))

    assert response.status_code == 400
    assert "cannot be used" in response.text
    profile.user.refresh_from_db()
    assert profile.user.email == "kari@example.no"


def test_usr_01_profile_requires_sign_in(client):
    response = client.get("/account/profile/")

    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_usr_01_admin_sees_and_edits_the_username(admin_client):
    profile = make_profile()

    page = admin_client.get(f"/admin/content/profile/{profile.pk}/change/")
    assert page.status_code == 200
    assert 'value="kari"' in page.text

    response = admin_client.post(
        f"/admin/content/profile/{profile.pk}/change/",
        {"username": "kari.nordmann", "email": "kari@example.no", "name": "Kari", "bio": ""},
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    profile.user.refresh_from_db()
    assert profile.user.username == "kari.nordmann"
    assert AuditEntry.objects.filter(reason="username changed by an administrator").exists()


def test_usr_01_delete_profile_needs_the_password(client):
    profile = make_profile()
    client.force_login(profile.user)

    response = client.post("/account/profile/delete/", {"password": "wrong"})

    assert response.status_code == 400
    assert Profile.objects.exists()


def test_usr_01_deleting_the_profile_deletes_account_profile_and_comments_when_asked(client):
    profile = make_profile()
    make_article()
    client.force_login(profile.user)
    client.post("/articles/growing-a-dental-clinic/", comment_data())

    response = client.post(
        "/account/profile/delete/", {"password": PASSWORD, "delete_comments": "on"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/account/deleted/"
    assert not User.objects.exists()
    assert not Profile.objects.exists()
    assert not Comment.objects.exists()
    assert not Subject.objects.exists()
    assert "_auth_user_id" not in client.session
    entry = AuditEntry.objects.get(action="erase")
    assert entry.object_type == "content.Profile"


def test_usr_01_deleting_the_profile_keeping_comments_anonymises_them(client, admin_client):
    profile = make_profile()
    make_article()
    client.force_login(profile.user)
    client.post("/articles/growing-a-dental-clinic/", comment_data(text="Kept text"))
    admin_client.post(
        "/admin/content/comment/",
        {"action": "approve", "_selected_action": [Comment.objects.get().pk]},
    )

    client.post("/account/profile/delete/", {"password": PASSWORD})

    comment = Comment.objects.get()
    assert (comment.subject, comment.profile, comment.name, comment.email_digest) == (
        None,
        None,
        "",
        "",
    )
    assert (comment.ip_address, comment.user_agent) == ("", "")
    assert not User.objects.filter(username="kari").exists()
    assert not Subject.objects.exists()
    page = client.get("/articles/growing-a-dental-clinic/").text
    assert "Kept text" in page and "Former member" in page and "Kari" not in page


def test_usr_01_deleting_the_profile_keeps_the_subject_when_other_records_need_it(client):
    profile = make_profile()
    make_article()
    client.post("/articles/growing-a-dental-clinic/", comment_data())  # posted signed out
    client.force_login(profile.user)

    client.post("/account/profile/delete/", {"password": PASSWORD, "delete_comments": "on"})

    comment = Comment.objects.get()  # not the account's: erasure requests cover it
    assert comment.subject.email == "kari@example.no"


def test_rig_04_erasure_of_the_subject_removes_account_profile_comments_and_picture(
    client, media_root, django_capture_on_commit_callbacks
):
    from content.tests.factories import photo_upload
    from rights.services import erase_subject

    profile = make_profile()
    make_article()
    client.force_login(profile.user)
    client.post("/articles/growing-a-dental-clinic/", comment_data())
    client.post(
        "/account/profile/",
        {"name": "Kari", "email": "kari@example.no", "bio": "", "avatar": photo_upload("PNG")},
    )
    assert list((media_root / "avatars").iterdir())

    with django_capture_on_commit_callbacks(execute=True):
        report = erase_subject(subject=profile.subject, actor="privacy-officer", reason="test")

    assert not User.objects.filter(username="kari").exists()
    assert not Profile.objects.exists()
    assert not Comment.objects.exists()
    assert not Subject.objects.exists()
    assert list((media_root / "avatars").iterdir()) == []
    assert report.erased["auth.User"] == 1
    assert report.erased["content.Comment"] == 1


def test_usr_01_a_subject_with_a_profile_cannot_be_deleted_behind_the_accounts_back():
    from django.db.models import ProtectedError

    profile = make_profile()

    with pytest.raises(ProtectedError):
        profile.subject.delete()
