"""After restoring a database backup, erase again everyone the erasure ledger says was erased.

Run it before the site serves traffic again (docs/rights.md, "After a restore"). It is safe to
run at any time: a subject already erased is not found, and a person who came back after their
erasure (created later) is left alone.
"""

from django.core.management.base import BaseCommand

from rights.services.erasure import reapply_erasure_ledger


class Command(BaseCommand):
    help = "Re-apply the erasure ledger (WEKST_ERASURE_LEDGER_PATH) after a database restore."

    def handle(self, *args, **options):
        counts = reapply_erasure_ledger()
        self.stdout.write(
            self.style.SUCCESS(
                f"Erasure ledger re-applied: {counts['erased']} subject(s) erased again, "
                f"{counts['suppressions']} suppression entr(y/ies) restored."
            )
        )
