"""Locust users for tests/bench/hub_load.py: coordinators signed in on the hub who read the case library
(with searches), the statistics and the disaster board, pausing between pages as a reader does.

Run by hub_load.py as `locust --headless -f tests/bench/locust_hub.py …`; it reads its parameters from
the environment and writes every request (name, milliseconds, error) to KYODO_LOAD_SAMPLES as JSON
lines when Locust quits, so the bench computes its figures from the raw samples.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time

from locust import HttpUser, between, events, task

PASSWORD = os.environ.get("KYODO_LOAD_PASSWORD", "")
DISASTER = os.environ.get("KYODO_LOAD_DISASTER", "")
QUERIES = [q for q in os.environ.get("KYODO_LOAD_QUERIES", "").split(",") if q]
SAMPLES = os.environ.get("KYODO_LOAD_SAMPLES", "")
_usernames = itertools.count(1)
_samples: list[tuple[str, float, float, str]] = []


@events.request.add_listener
def _keep(request_type, name, response_time, response_length, exception=None, **_kwargs):
    _samples.append((name, time.time(), response_time, repr(exception) if exception else ""))


@events.quitting.add_listener
def _write(**_kwargs):
    if SAMPLES:
        with open(SAMPLES, "w", encoding="utf-8") as out:
            for name, at, ms, error in _samples:
                out.write(json.dumps({"name": name, "at": at, "ms": ms, "error": error}, ensure_ascii=False) + "\n")


class Coordinator(HttpUser):
    # Reading a page of cases, a statistics table or the board takes a person several seconds (the
    # reference run reads back to back, to gather enough samples from one coordinator).
    wait_time = between(*(float(x) for x in os.environ.get("KYODO_LOAD_WAIT", "5,15").split(",")))

    def on_start(self):
        username = f"coordinator{next(_usernames):02d}"
        self.client.get("/login/", name="login")
        with self.client.post("/login/", name="login", allow_redirects=False, catch_response=True, data={
                "username": username, "password": PASSWORD,
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", "")}) as response:
            if response.status_code != 302:
                response.failure(f"{username}: login answered {response.status_code}")

    def _page(self, path: str, name: str, must_contain: str) -> None:
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{name}: {response.status_code}")
            elif must_contain not in response.text:
                response.failure(f"{name}: the page lacks {must_contain!r}")

    @task(4)
    def search_library(self):
        self._page(f"/cases/?q={random.choice(QUERIES)}", "library search", "事例")

    @task(2)
    def browse_library(self):
        self._page(f"/cases/?page={random.randint(1, 5)}", "library", "事例")

    @task(2)
    def statistics(self):
        self._page("/statistics/", "statistics", "統計")

    @task(2)
    def disaster_board(self):
        self._page(f"/disasters/{DISASTER}/", "disaster board", "ベンチ")
