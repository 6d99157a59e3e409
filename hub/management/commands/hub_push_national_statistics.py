"""`kyodo manage hub_push_national_statistics` on a prefectural hub: send the statistics snapshot to the
national hub now (beat does it hourly), e.g. right after the hub was given its national hub."""

from django.core.management.base import BaseCommand, CommandError

from hub.services.national_statistics import statistics_push
from sync.client import SyncError


class Command(BaseCommand):
    help = "On a prefectural hub with KYODO_PARENT_HUB_URL: send the statistics snapshot to the national hub now."

    def handle(self, *args, **options):
        try:
            cells = statistics_push()
        except SyncError as error:
            raise CommandError(f"the national hub did not take the snapshot: {error.code}: {error.message}") from error
        if cells is None:
            raise CommandError("this hub has no national hub above it (KYODO_PARENT_HUB_URL)")
        self.stdout.write(f"{cells} cell(s) taken by the national hub")
