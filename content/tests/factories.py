"""Test data for content: articles, profiles, comment form input, and real photos with GPS tags."""

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageCms, PngImagePlugin

from content.models import Article, Profile
from content.services import register_user

RED = (255, 0, 0)
BLUE = (0, 0, 255)
# Oslo, in the EXIF GPS IFD's own form: degrees, minutes, seconds as rationals.
GPS = {1: "N", 2: (59.0, 54.0, 50.0), 3: "E", 4: (10.0, 45.0, 1.0), 29: "2026:11:26"}
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
    b'syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    b'exif:GPSLatitude="59,54.83N"/></rdf:RDF></x:xmpmeta>'
)
TEXT_CHUNK = "Taken at Harbitzalleen 25, Oslo"
FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}


def make_article(**overrides) -> Article:
    values = {
        "title": "Growing a dental clinic",
        "slug": "growing-a-dental-clinic",
        "body": "First paragraph.\n\nSecond paragraph.",
        "is_published": True,
        "published_at": timezone.now() - timezone.timedelta(days=1),
    }
    values.update(overrides)
    return Article.objects.create(**values)


def make_profile(**overrides) -> Profile:
    values = {
        "username": "kari",
        "email": "kari@example.no",
        "password": "a long and unusual passphrase",
        "name": "Kari Nordmann",
    }
    values.update(overrides)
    return register_user(**values)


def comment_data(**overrides) -> dict:
    data = {
        "name": "Kari Nordmann",
        "email": "kari@example.no",
        "text": "Thank you, this was useful.",
        "age_confirmed": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def photo_with_gps(image_format: str, *, orientation: int = 6, size=(40, 20)) -> bytes:
    """A real photo file: left half red, right half blue, with EXIF (GPS, camera, orientation),
    XMP, an ICC profile and, for PNG, a text chunk: everything the platform must remove."""
    image = Image.new("RGB", size, RED)
    image.paste(BLUE, (size[0] // 2, 0, size[0], size[1]))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Camera maker"
    exif[0x0110] = "Camera model"
    exif[0x8825] = GPS
    options = {
        "exif": exif,
        "icc_profile": ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(),
    }
    if image_format == "PNG":
        text = PngImagePlugin.PngInfo()
        text.add_text("Comment", TEXT_CHUNK)
        text.add_itxt("XML:com.adobe.xmp", XMP.decode())
        options["pnginfo"] = text
    else:
        options["xmp"] = XMP
    if image_format == "JPEG":
        options["comment"] = TEXT_CHUNK
    output = io.BytesIO()
    image.save(output, image_format, **options)
    return output.getvalue()


def upload(data: bytes, name: str = "IMG_kari_at_home.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def photo_upload(image_format: str, **kwargs) -> SimpleUploadedFile:
    extension, content_type = FORMATS[image_format]
    return upload(
        photo_with_gps(image_format, **kwargs), f"IMG_kari_at_home.{extension}", content_type
    )


def png_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """A tiny, valid-looking PNG whose header claims a huge bitmap (a decompression bomb)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 1024, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def assert_stored_without_metadata(path, *, original: bytes) -> Image.Image:
    """The stored file holds no EXIF, GPS, XMP, ICC profile, comment or text chunk, though the
    original did; returns the stored image for further checks."""
    exif_markers = (b"Exif", b"eXIf", b"EXIF")
    assert any(marker in original for marker in exif_markers)  # the checks below can fail
    assert b"xmpmeta" in original
    assert "icc_profile" in Image.open(io.BytesIO(original)).info
    data = path.read_bytes()
    image = Image.open(path)
    image.load()
    assert dict(image.getexif()) == {}
    assert image.getexif().get_ifd(0x8825) == {}
    for key in ("exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment", "Comment"):
        assert key not in image.info, f"{key} left in {path.name}"
    assert getattr(image, "text", {}) == {}
    for marker in (*exif_markers, b"xmpmeta", b"GPSLatitude", TEXT_CHUNK.encode(), b"Camera"):
        assert marker not in data, f"{marker!r} left in {path.name}"
    for icc_marker in (b"ICCP", b"iCCP", b"lcms", b"ICC_PROFILE"):
        assert icc_marker not in data, f"{icc_marker!r} (colour profile) left in {path.name}"
    return image


def assert_turned_upright(image: Image.Image) -> None:
    """An Orientation=6 photo 40x20 (red left, blue right) is stored as 20x40, red on top."""
    assert image.size == (20, 40)
    top, bottom = image.convert("RGB").getpixel((10, 5)), image.convert("RGB").getpixel((10, 35))
    assert top[0] > 200 and top[2] < 50, top
    assert bottom[2] > 200 and bottom[0] < 50, bottom
