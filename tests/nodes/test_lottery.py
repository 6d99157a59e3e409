"""The draw alone (nodes/lottery.py has no Django): documented keys, order, allocation, waiting list."""

from __future__ import annotations

import hashlib

from nodes import lottery
from nodes.lottery import Box, Entry


def test_the_key_is_the_documented_sha256_of_seed_and_number():
    assert lottery.draw_key("abc", 3) == hashlib.sha256(b"abc:3").hexdigest()


def test_the_same_seed_and_list_give_the_same_draw_and_another_seed_another_order():
    entries = [Entry(n, "small") for n in range(1, 21)]
    boxes = [Box(f"S-{i:02d}", "small") for i in range(1, 6)]
    first, again = lottery.draw("seed-1", entries, boxes), lottery.draw("seed-1", list(reversed(entries)), boxes)
    assert first.as_record() == again.as_record()
    assert lottery.draw("seed-2", entries, boxes).order != first.order


def test_boxes_go_in_draw_order_by_size_and_the_rest_wait_in_order():
    entries = [Entry(1, "small"), Entry(2, "large"), Entry(3, "small"), Entry(4, "small")]
    boxes = [Box("S-02", "small"), Box("S-01", "small"), Box("L-01", "large")]
    result = lottery.draw("f00d", entries, boxes)
    order = sorted(entries, key=lambda e: hashlib.sha256(f"f00d:{e.number}".encode()).hexdigest())
    smalls = [e.number for e in order if e.size == "small"]
    assert result.order == [e.number for e in order]
    assert result.allocations == {smalls[0]: "S-01", smalls[1]: "S-02", 2: "L-01"}
    assert result.waiting == [smalls[2]]


def test_recompute_reads_the_records_and_matches_detects_a_change():
    entries = [{"number": n, "group": f"団体{n}", "size": "medium"} for n in range(1, 5)]
    boxes = [{"label": "M-01", "size": "medium"}]
    recorded = lottery.recompute("1234", entries, boxes).as_record()
    assert lottery.matches(recorded, lottery.recompute("1234", entries, boxes))
    tampered = {**recorded, "allocations": {str(recorded["waiting"][0]): "M-01"}}
    assert not lottery.matches(tampered, lottery.recompute("1234", entries, boxes))
    assert lottery.digest("1234", entries, boxes) != lottery.digest("1235", entries, boxes)
