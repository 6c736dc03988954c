import uuid

from django.db import models


class Subject(models.Model):
    """A data subject: the person that records across every app are linked to.

    Holds only the keys used to find the person again (normalised email and phone); the records
    themselves live in their own apps and point here, so one look-up finds all of them.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.CharField(max_length=254, unique=True, null=True, blank=True)
    phone = models.CharField(max_length=32, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email__isnull=True)
                | models.Q(email=models.functions.Lower("email")),
                name="subject_email_is_normalised",
            )
        ]

    def __str__(self) -> str:
        return self.email or self.phone or str(self.public_id)
