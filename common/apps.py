from pathlib import Path

from django.apps import AppConfig
from django.conf import settings


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "Kyodo common"

    def ready(self) -> None:
        # The embedded default keeps its SQLite file, Celery queue and static root under DATA_DIR;
        # created here rather than when settings are imported (importing must not touch the disk).
        for folder in settings.KYODO_DATA_DIRECTORIES:
            Path(folder).mkdir(parents=True, exist_ok=True)
