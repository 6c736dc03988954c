"""Comments: moderated, returning commenters recognised, metadata dropped after its period."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from audit.models import AuditEntry
from content import selectors, services
from content.models import Comment
from content.tests.factories import comment_data, make_article, make_profile
from declaration.overrides import changed_declaration
from declaration.selectors import get_declaration
from subjects.models import Subject
from subjects.selectors import find_subjects, records_of

pytestmark = pytest.mark.django_db

URL = "/articles/growing-a-dental-clinic/"


@pytest.fixture
def article():
    return make_article()


def post(client, **overrides):
    return client.post(
        URL,
        comment_data(**overrides),
        REMOTE_ADDR="192.0.2.77",
        HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Test/1.0",
    )


def approve(admin_client, *comments):
    return admin_client.post(
        "/admin/content/comment/",
        {"action": "approve", "_selected_action": [c.pk for c in comments]},
        follow=True,
    )


def test_dec_05_comment_form_shows_the_collection_notice(client, article):
    page = client.get(URL).text

    assert "Harwest AS" in page
    assert str(get_declaration().activities["comments"].purpose) in page
    assert "Art. 6(1)(a)" in page
    assert 'href="/privacy/"' in page
    assert 'name="website"' in page  # the honeypot


def test_com_01_new_comment_is_pending_and_not_shown(client, article):
    response = post(client)

    assert response.status_code == 302
    assert response["Location"] == f"{URL}?comment=pending#comments"
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    page = client.get(response["Location"]).text
    assert "awaiting moderation" in page
    assert "Thank you, this was useful." not in page


def test_com_01_staff_approve_in_the_admin_and_the_comment_is_shown(client, admin_client, article):
    post(client)
    comment = Comment.objects.get()

    response = approve(admin_client, comment)

    assert response.status_code == 200
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert comment.moderated_at is not None
    assert "Thank you, this was useful." in client.get(URL).text
    entry = AuditEntry.objects.get(object_type="content.Comment", reason="comment approved")
    assert entry.action == "change"
    assert entry.subject_ref == str(comment.subject.public_id)
    assert "kari" not in entry.reason  # references, never the data


def test_com_01_staff_reject_in_the_admin_and_the_comment_stays_hidden(
    client, admin_client, article
):
    post(client)
    comment = Comment.objects.get()

    admin_client.post(
        "/admin/content/comment/", {"action": "reject", "_selected_action": [comment.pk]}
    )

    comment.refresh_from_db()
    assert comment.status == Comment.Status.REJECTED
    assert "Thank you, this was useful." not in client.get(URL).text
    # A rejected comment does not make its author recognised.
    post(client, text="Second try")
    assert Comment.objects.get(text="Second try").status == Comment.Status.PENDING


def test_com_01_approving_a_comment_approved_already_says_nothing_changed(
    client, admin_client, article
):
    post(client)
    comment = Comment.objects.get()
    approve(admin_client, comment)

    again = approve(admin_client, comment)

    shown = [(m.level_tag, str(m)) for m in again.context["messages"]]
    assert shown == [("warning", "1 comment(s) were approved already: nothing changed.")]
    assert AuditEntry.objects.filter(reason="comment approved").count() == 1


def test_com_01_commenter_with_an_approved_comment_is_approved_automatically(
    client, admin_client, article
):
    post(client)
    approve(admin_client, Comment.objects.get())

    response = post(client, email=" KARI@Example.no ", text="A follow-up question.")

    assert response["Location"] == f"{URL}?comment=published#comments"
    follow_up = Comment.objects.get(text="A follow-up question.")
    assert follow_up.status == Comment.Status.APPROVED
    assert follow_up.auto_approved is True
    assert "A follow-up question." in client.get(URL).text


def test_com_01_a_pending_comment_does_not_make_its_author_recognised(client, article):
    post(client)
    post(client, text="Another one")

    assert set(Comment.objects.values_list("status", flat=True)) == {Comment.Status.PENDING}


def test_com_01_recognition_uses_a_keyed_hash_of_the_address_only(client, article, settings):
    post(client)
    comment = Comment.objects.get()

    assert "kari" not in comment.email_digest
    assert comment.email_digest == selectors.email_digests("Kari@example.no")[0]
    assert len(comment.email_digest) == 64
    # Another key gives another hash: a leaked table cannot be checked against a list of
    # addresses without the secret key.
    settings.SECRET_KEY = "another-secret-key"
    assert selectors.email_digests("kari@example.no")[0] != comment.email_digest


def test_com_01_recognition_survives_a_secret_key_rotation(client, admin_client, article, settings):
    post(client)
    approve(admin_client, Comment.objects.get())
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "the-new-secret-key"

    assert selectors.is_recognised_commenter(email="kari@example.no")


def test_com_01_comment_stores_truncated_ip_and_user_agent(client, article):
    post(client)

    comment = Comment.objects.get()
    assert comment.ip_address == "192.0.2.0"
    assert comment.user_agent == "Mozilla/5.0 (X11; Linux x86_64) Test/1.0"


def test_ret_01_comment_metadata_is_dropped_after_the_declared_period_and_the_comment_kept(
    client, article
):
    rule = get_declaration().retention_rules["comment_metadata"]
    assert (rule.period, rule.unit) == (30, "days")
    # The article was published a day before now (factories.make_article), so the comments are
    # posted now and the clock moves on from there.
    posted = timezone.now()
    with time_machine.travel(posted, tick=False):
        post(client)
    with time_machine.travel(posted + datetime.timedelta(days=29), tick=False):
        post(client, text="Newer")
        assert services.drop_comment_metadata(older_than=selectors.comment_metadata_cutoff()) == 0

    with time_machine.travel(posted + datetime.timedelta(days=30, seconds=1), tick=False):
        cleaned = services.drop_comment_metadata(older_than=selectors.comment_metadata_cutoff())

    assert cleaned == 1
    old, new = Comment.objects.order_by("created_at")
    assert (old.ip_address, old.user_agent) == ("", "")
    assert old.text == "Thank you, this was useful."  # kept until deleted
    assert new.ip_address == "192.0.2.0" and new.user_agent


def test_com_01_recognition_still_works_after_the_metadata_is_dropped(
    client, admin_client, article
):
    post(client)
    approve(admin_client, Comment.objects.get())
    services.drop_comment_metadata(older_than=timezone.now() + datetime.timedelta(days=1))

    post(client, text="Later")

    assert Comment.objects.get(text="Later").status == Comment.Status.APPROVED


def test_com_01_comments_appear_in_access_and_go_with_erasure(client, article):
    post(client)
    [subject] = find_subjects(email="kari@example.no")

    assert list(records_of(subject)["content.Comment"]) == [Comment.objects.get()]

    subject.delete()  # what an erasure of the subject ends with
    assert not Comment.objects.exists()


def test_chi_01_comment_without_age_confirmation_stores_nothing(client, article):
    assert get_declaration().children.age_of_consent == 16

    response = post(client, age_confirmed=None)

    assert response.status_code == 400
    assert "16 or older" in response.text
    assert not Comment.objects.exists()
    assert not Subject.objects.exists()


def test_chi_01_comment_age_threshold_comes_from_the_declaration(client, article):
    with changed_declaration(lambda data: data["children"].update(age_of_consent=13)):
        page = client.get(URL).text

    assert "I am 13 or older" in page
    assert "16 or older" not in page


def test_lea_04_honeypot_comment_is_answered_normally_and_dropped(client, article):
    response = post(client, website="http://spam.example")

    assert response.status_code == 302
    assert not Comment.objects.exists()


def test_lea_04_comments_are_rate_limited_per_address_keeping_what_was_typed(
    client, article, settings
):
    settings.CONTENT_RATE_LIMIT_PER_ADDRESS = 2
    post(client, text="one")
    post(client, text="two")

    response = post(client, text="three, kept on the page")

    assert response.status_code == 429
    assert "too many times" in response.text
    assert "three, kept on the page" in response.text
    assert Comment.objects.count() == 2


def test_lea_04_comments_are_rate_limited_per_client_address(client, article, settings):
    settings.CONTENT_RATE_LIMIT_PER_IP = 1
    post(client, email="a@example.no")

    response = post(client, email="b@example.no")

    assert response.status_code == 429
    assert Comment.objects.count() == 1


@pytest.mark.parametrize(
    "field,value",
    [("name", "Kari\r\nBcc: x@example.no"), ("email", "not-an-address"), ("text", "")],
)
def test_sec_03_bad_comment_input_gets_a_clear_error_and_stores_nothing(
    client, article, field, value
):
    response = post(client, **{field: value})

    assert response.status_code == 400
    assert 'role="alert"' in response.text
    assert not Comment.objects.exists()


def test_sec_03_comment_text_is_escaped_when_shown(client, admin_client, article):
    post(client, text="<script>alert('x')</script>\nsecond line")
    approve(admin_client, Comment.objects.get())

    page = client.get(URL).text

    assert "<script>alert(" not in page
    assert "&lt;script&gt;alert(" in page
    assert "<br>second line" in page


def test_com_01_closed_article_refuses_comments(client):
    make_article(allow_comments=False)

    response = post(client)

    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_com_01_registered_user_gets_name_and_email_prefilled_and_comment_linked(client, article):
    profile = make_profile()
    client.force_login(profile.user)

    form = client.get(URL).context["form"]
    post(client, name=form.initial["name"], email=form.initial["email"])

    assert form.initial == {"name": "Kari Nordmann", "email": "kari@example.no"}
    assert Comment.objects.get().profile == profile
