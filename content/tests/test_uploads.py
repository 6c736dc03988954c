"""Uploaded images are stored without location or other metadata, upright (UPL-01)."""

import io
import random
from pathlib import Path

import pytest
from PIL import Image

from content.images import ImageRefused, remove_image_metadata
from content.models import Article, Profile
from content.tests.factories import (
    FORMATS,
    XMP,
    assert_stored_without_metadata,
    assert_turned_upright,
    make_profile,
    photo_upload,
    photo_with_gps,
    png_bomb,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, media_root):
    profile = make_profile()
    client.force_login(profile.user)
    return profile


def post_avatar(client, profile, file):
    return client.post(
        "/account/profile/",
        {"name": profile.name, "email": profile.user.email, "bio": "", "avatar": file},
    )


def stored_avatar(media_root) -> Path:
    [path] = (media_root / "avatars").iterdir()
    return path


@pytest.mark.parametrize("image_format", list(FORMATS))
def test_upl_01_avatar_is_stored_without_gps_or_other_metadata_and_upright(
    client, signed_in, media_root, image_format
):
    original = photo_with_gps(image_format)

    response = post_avatar(client, signed_in, photo_upload(image_format))

    assert response.status_code == 302
    path = stored_avatar(media_root)
    image = assert_stored_without_metadata(path, original=original)
    assert image.format == image_format
    assert_turned_upright(image)
    signed_in.refresh_from_db()
    assert signed_in.avatar.path == str(path)


@pytest.mark.parametrize("image_format", list(FORMATS))
def test_upl_01_article_image_uploaded_in_the_admin_is_stored_without_metadata(
    admin_client, media_root, image_format
):
    original = photo_with_gps(image_format)

    response = admin_client.post(
        "/admin/content/article/add/",
        {
            "title": "With a photo",
            "slug": "with-a-photo",
            "body": "Text",
            "image": photo_upload(image_format),
            "image_description": "A red and blue test picture",
            "is_published": "on",
            "published_at_0": "2026-11-26",
            "published_at_1": "10:00:00",
            "allow_comments": "on",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get()
    path = Path(article.image.path)
    assert path.is_relative_to(media_root)
    assert [p for p in media_root.rglob("*") if p.is_file()] == [path]  # no original kept
    assert_turned_upright(assert_stored_without_metadata(path, original=original))


def test_upl_01_stored_file_gets_a_random_name_not_the_uploaded_one(client, signed_in, media_root):
    post_avatar(client, signed_in, photo_upload("JPEG"))

    path = stored_avatar(media_root)
    assert "kari" not in path.name.lower()
    assert path.suffix == ".jpg"


def test_upl_01_image_assigned_in_code_is_stripped_too(media_root):
    profile = make_profile()
    original = photo_with_gps("JPEG")
    profile.avatar = upload(original)

    profile.save()

    assert_stored_without_metadata(Path(profile.avatar.path), original=original)


def test_upl_01_replacing_the_avatar_deletes_the_old_file(
    client, signed_in, media_root, django_capture_on_commit_callbacks
):
    post_avatar(client, signed_in, photo_upload("JPEG"))
    first = stored_avatar(media_root)

    # The old file is deleted once the change is committed.
    with django_capture_on_commit_callbacks(execute=True):
        post_avatar(client, signed_in, photo_upload("PNG"))

    second = stored_avatar(media_root)  # exactly one file left
    assert second != first and second.suffix == ".png"


def test_usr_01_removing_the_avatar_deletes_its_file(
    client, signed_in, media_root, django_capture_on_commit_callbacks
):
    post_avatar(client, signed_in, photo_upload("JPEG"))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/account/profile/",
            {"name": "Kari", "email": "kari@example.no", "bio": "", "avatar-clear": "on"},
        )

    signed_in.refresh_from_db()
    assert not signed_in.avatar
    assert list((media_root / "avatars").iterdir()) == []


def test_usr_01_deleting_the_profile_deletes_the_avatar_file(
    client, signed_in, media_root, django_capture_on_commit_callbacks
):
    post_avatar(client, signed_in, photo_upload("WEBP"))

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/account/profile/delete/", {"password": "a long and unusual passphrase"})

    assert not Profile.objects.exists()
    assert list((media_root / "avatars").iterdir()) == []


@pytest.mark.parametrize(
    "file,message",
    [
        (upload(b"%PDF-1.4 not an image at all", "photo.jpg"), "not a JPEG, PNG or WebP image"),
        (upload(photo_with_gps("JPEG")[:200], "cut.jpg"), "not a JPEG, PNG or WebP image"),
        (upload(b"", "empty.jpg"), "empty"),
    ],
    ids=["pdf-named-jpg", "truncated-jpeg", "empty"],
)
def test_upl_01_non_images_are_refused_with_a_clear_message_and_nothing_changes(
    client, signed_in, media_root, file, message
):
    response = post_avatar(client, signed_in, file)

    assert response.status_code == 400
    assert message in response.text
    assert not (media_root / "avatars").exists()
    signed_in.refresh_from_db()
    assert not signed_in.avatar


def test_upl_01_other_image_formats_are_refused(client, signed_in, media_root):
    gif = io.BytesIO()
    Image.new("RGB", (10, 10), "red").save(gif, "GIF")

    response = post_avatar(client, signed_in, upload(gif.getvalue(), "a.gif", "image/gif"))

    assert response.status_code == 400
    assert "not a JPEG, PNG or WebP image" in response.text


def test_upl_01_files_over_the_size_limit_are_refused(client, signed_in, media_root, settings):
    settings.CONTENT_UPLOAD_MAX_BYTES = 1024 * 1024
    noise = Image.frombytes("RGB", (1000, 1000), random.Random(8).randbytes(3_000_000))
    big = io.BytesIO()
    noise.save(big, "PNG")
    assert len(big.getvalue()) > settings.CONTENT_UPLOAD_MAX_BYTES

    response = post_avatar(client, signed_in, upload(big.getvalue(), "big.png", "image/png"))

    assert response.status_code == 400
    assert "at most 1 MB" in response.text
    assert not (media_root / "avatars").exists()


def test_upl_01_decompression_bomb_is_refused_with_a_clear_message(client, signed_in, media_root):
    bomb = png_bomb()
    assert len(bomb) < 2000  # tiny on disk, 2.5 billion pixels once decoded

    response = post_avatar(client, signed_in, upload(bomb, "bomb.png", "image/png"))

    assert response.status_code == 400
    assert "too many pixels" in response.text
    assert not (media_root / "avatars").exists()


def test_upl_01_pixel_limit_comes_from_settings(settings):
    settings.CONTENT_UPLOAD_MAX_PIXELS = 500  # the 40x20 photo has 800

    with pytest.raises(ImageRefused, match="too many pixels"):
        remove_image_metadata(io.BytesIO(photo_with_gps("PNG")))


def test_upl_01_pillow_decompression_bomb_warning_is_refused_too(monkeypatch):
    # Between Pillow's limit and twice it, Pillow only warns; the warning must refuse as well.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 600)

    with pytest.raises(ImageRefused, match="too many pixels"):
        remove_image_metadata(io.BytesIO(photo_with_gps("PNG")), max_pixels=10_000)


def test_upl_01_the_file_input_asks_the_browser_for_images_only(client, signed_in):
    page = client.get("/account/profile/").text

    assert 'accept="image/jpeg,image/png,image/webp"' in page
    assert 'enctype="multipart/form-data"' in page


def test_upl_01_phone_multi_picture_jpeg_keeps_only_the_photo_without_metadata(
    client, signed_in, media_root
):
    # Phones save photos as multi-picture JPEG (MPO): the photo, then previews or depth maps.
    photo = Image.open(io.BytesIO(photo_with_gps("JPEG")))
    exif = photo.getexif()
    mpo = io.BytesIO()
    photo.save(
        mpo,
        "MPO",
        save_all=True,
        append_images=[photo.copy()],
        exif=exif,
        xmp=XMP,
        icc_profile=photo.info["icc_profile"],
    )
    assert Image.open(io.BytesIO(mpo.getvalue())).format == "MPO"

    response = post_avatar(client, signed_in, upload(mpo.getvalue(), "PXL_2026.jpg"))

    assert response.status_code == 302
    path = stored_avatar(media_root)
    image = assert_stored_without_metadata(path, original=mpo.getvalue())
    assert image.format == "JPEG"
    assert getattr(image, "n_frames", 1) == 1
    assert_turned_upright(image)


def test_upl_01_animated_images_are_refused(client, signed_in, media_root):
    frames = [Image.new("RGB", (10, 10), colour) for colour in ("red", "blue")]
    animated = io.BytesIO()
    frames[0].save(animated, "WEBP", save_all=True, append_images=frames[1:])

    response = post_avatar(client, signed_in, upload(animated.getvalue(), "a.webp", "image/webp"))

    assert response.status_code == 400
    assert "Animated images are not accepted" in response.text
