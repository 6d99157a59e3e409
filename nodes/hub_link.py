"""Questions a node asks its hub while staff wait (offers of other centers, introductions, tour
readership, the shared library): short timeouts, and the hub's refusals in words staff understand."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from sync.client import LIVE_TIMEOUT, HubClient, SyncError


def hub_client(client=None):
    """A client for a request staff wait on: short timeouts (sync.client.LIVE_TIMEOUT)."""
    return client or HubClient(timeout=LIVE_TIMEOUT)


def hub_error_message(error) -> str:
    if error.code in ("no_hub", "no_key"):
        return gettext("このノードはハブに接続する設定がありません（管理者にお問い合わせください）。")
    if error.code == "hub_unreachable" or error.code.startswith("http_5"):
        return gettext("ハブに接続できませんでした。しばらくしてからもう一度お試しください。")
    messages = {
        "offer_not_found": gettext("このメニューはハブから取り下げられました。"),
        "own_offer": gettext("自分のノードのメニューには紹介の依頼は要りません。"),
        "already_answered": gettext("この依頼にはすでに回答しています。"),
        "case_not_found": gettext("この事例はハブにありません（共有が取り下げられた可能性があります）。"),
        "invalid_filter": gettext("検索・集計の条件に誤りがあります。条件を見直してください。"),
        "invalid_page": gettext("ページの指定に誤りがあります。"),
        "no_national_hub": gettext("県のハブは全国ハブに接続していません。「県内」で検索してください。"),
        "national_unreachable": gettext("全国ハブに接続できませんでした。しばらくしてからもう一度お試しください。"),
        "outside_partition": gettext("このセンターはまだハブに登録されていません。同期が済んでからもう一度お試しください。"),
    }
    return messages.get(error.code, gettext("ハブが依頼を受け付けませんでした（%(code)s）。") % {"code": error.code})


@dataclass
class HubAnswer:
    """What the hub answered to a live question (`data`), or why there is no answer (`error`, in
    words staff understand, and the machine `code`)."""

    data: Any = None
    error: str = ""
    code: str = ""


def ask_hub(path: str, *, key: str | None = None, client=None) -> HubAnswer:
    """GET `path` of the hub while staff wait; with `key`, the answer is that member of the JSON."""
    try:
        data = hub_client(client).json("GET", path)
        return HubAnswer(data[key] if key is not None else data)
    except SyncError as error:
        return HubAnswer(error=hub_error_message(error), code=error.code)
    except (KeyError, TypeError, ValueError):
        return HubAnswer(error=gettext("ハブの応答を読み取れませんでした。"), code="unreadable")
