"""The image field every upload goes through: stored only once its metadata is removed (UPL-01).

Forms (the public profile form and every admin form alike) get CleanImageFormField, which turns
an upload into a CleanImage or a clear validation error. The model field checks again at save
time, so an image assigned in code (a shell, a data import) cannot reach the disk with its
metadata either.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from content.images import ImageRefused, remove_image_metadata


class CleanImageFormField(forms.FileField):
    """A file input that accepts only images, and hands on the image without its metadata."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.ClearableFileInput)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("accept", "image/jpeg,image/png,image/webp")

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is None:
            return None
        try:
            return remove_image_metadata(upload)
        except ImageRefused as refusal:
            raise ValidationError(str(refusal), code="image_refused") from None


class CleanImageField(models.ImageField):
    """An ImageField whose files are always stored without metadata (see content.images)."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": CleanImageFormField, **kwargs})

    def pre_save(self, model_instance, add):
        file = getattr(model_instance, self.attname)
        if file and not file._committed and not getattr(file.file, "metadata_removed", False):
            # Raises ImageRefused: a file that is not an acceptable image is never stored.
            setattr(model_instance, self.attname, remove_image_metadata(file.file))
        return super().pre_save(model_instance, add)
