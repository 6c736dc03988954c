"""Uploaded images, stored without location or any other metadata (policy §3f; UPL-01).

Policy §3f asks visitors not to upload photos with embedded location data, because anyone can
download the file and read it. The platform does better than asking: every image is decoded,
turned upright (its EXIF orientation applied to the pixels) and encoded again from its pixels
alone, so the stored file (there is no "original" kept beside it) carries no EXIF (GPS, camera,
time), XMP, IPTC, ICC profile, comment or PNG text chunk, and gets a random name instead of the
uploaded one (which can name a person). A file is refused, with a message the uploader can act
on, when it is not a JPEG, PNG or WebP image (judged by decoding it, never by its name), when it
is larger than the size limit, or when it would decode into more pixels than the limit (a
"decompression bomb"). Settings: CONTENT_UPLOAD_MAX_BYTES, CONTENT_UPLOAD_MAX_PIXELS.
"""

import io
import uuid
import warnings

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

# Pillow format name -> (file extension, encoder options). Re-encoding is lossy for JPEG and
# WebP; quality 90 keeps photos visually unchanged.
ACCEPTED_FORMATS = {
    "JPEG": ("jpg", {"quality": 90, "optimize": True}),
    "PNG": ("png", {"optimize": True}),
    "WEBP": ("webp", {"quality": 90}),
}


class ImageRefused(ValueError):
    """The upload cannot be stored; the message says why in words the uploader understands."""


class CleanImage(ContentFile):
    """An image re-encoded from its pixels only; the model field stores it as it is."""

    metadata_removed = True


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


def remove_image_metadata(upload, *, max_bytes: int | None = None, max_pixels: int | None = None):
    """The upload as a CleanImage: upright, re-encoded without metadata, with a random name.

    Raises ImageRefused for a file that is not an accepted image, too large, or a decompression
    bomb; nothing is written anywhere before the image has been decoded in full.
    """
    max_bytes = settings.CONTENT_UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    max_pixels = settings.CONTENT_UPLOAD_MAX_PIXELS if max_pixels is None else max_pixels
    data = _read_within_limit(upload, max_bytes=max_bytes)
    image_format, clean = _decoded_pixels(data, max_pixels=max_pixels)
    return _encoded(clean, image_format)


def _read_within_limit(upload, *, max_bytes: int) -> bytes:
    """The upload's bytes, refused when its declared size or what it holds is over the limit."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ImageRefused(
            _("The file is %(size)s MB; images of at most %(limit)s MB are accepted.")
            % {"size": _megabytes(size), "limit": _megabytes(max_bytes)}
        )
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ImageRefused(
            _("The file is larger than %(limit)s MB, the most accepted for an image.")
            % {"limit": _megabytes(max_bytes)}
        )
    return data


def _decoded_pixels(data: bytes, *, max_pixels: int) -> tuple[str, Image.Image]:
    """The image's format and its pixels alone, upright: decoded in full only after the header
    showed it within `max_pixels` (a decompression bomb is refused before it is decoded)."""
    refused_bomb = ImageRefused(
        _(
            "The image has too many pixels (at most %(limit)s million are accepted). Please "
            "upload a smaller version of it."
        )
        % {"limit": f"{max_pixels / 1_000_000:g}"}
    )
    with warnings.catch_warnings():
        # Pillow warns above Image.MAX_IMAGE_PIXELS and raises above twice that; the warning is
        # made an error too, so that nothing past the limit is ever decoded.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS))
            # The header is read; the pixels are not decoded yet, so the size can be judged.
            if image.width * image.height > max_pixels:
                raise refused_bomb
            image_format = "JPEG" if image.format == "MPO" else image.format
            if image.format == "MPO":
                # Phone cameras store extra pictures (depth maps, previews) after the photo in
                # a multi-picture JPEG; only the photo itself is kept.
                image.seek(0)
            elif getattr(image, "n_frames", 1) > 1:
                raise ImageRefused(
                    _("Animated images are not accepted; please upload a still image.")
                )
            if image_format not in ACCEPTED_FORMATS:
                raise UnidentifiedImageError(image_format)
            image.load()
            upright = ImageOps.exif_transpose(image)
            clean = _pixels_only(upright)
        except ImageRefused:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise refused_bomb from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise ImageRefused(
                _(
                    "This file is not a JPEG, PNG or WebP image, or it is damaged. Please "
                    "upload a photo or picture in one of these formats."
                )
            ) from None
    return image_format, clean


def _encoded(clean: Image.Image, image_format: str) -> CleanImage:
    """The pixels re-encoded in their own format, under a random name."""
    extension, options = ACCEPTED_FORMATS[image_format]
    output = io.BytesIO()
    if image_format == "JPEG" and clean.mode != "RGB":
        clean = clean.convert("RGB")
    clean.save(output, format=image_format, **options)
    return CleanImage(output.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new image holding only the pixels: no info, EXIF, XMP, ICC profile or text chunks."""
    target = "RGBA" if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info else "RGB"
    icc_profile = image.info.get("icc_profile")
    if image.mode not in ("RGB", "RGBA", "CMYK", "L"):
        image = image.convert(target)
    if icc_profile:
        # The colours are converted to sRGB (what a browser assumes without a profile), so that
        # dropping the profile does not change how the picture looks; a profile that cannot be
        # applied is just dropped.
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            image = ImageCms.profileToProfile(
                image, source, ImageCms.createProfile("sRGB"), outputMode=target
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass
    image = image.convert(target)
    # Built from raw pixel bytes: nothing of the decoded file's info can follow along.
    return Image.frombytes(image.mode, image.size, image.tobytes())
