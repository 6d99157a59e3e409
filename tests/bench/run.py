"""`make bench`: every benchmark, each printing ratios against a reference measured in the same run."""

from __future__ import annotations

from . import common


def main() -> None:
    common.use_bench_database()
    from . import (
        case_import,
        disaster,
        hub_load,
        hub_search,
        matching,
        national,
        node_groups_list,
        scrubber,
        sync_push,
    )

    print(f"machine: {common.machine()}")
    node_groups_list.run()
    scrubber.run()
    case_import.run()
    hub_search.run()
    matching.run()
    sync_push.run()
    disaster.run()
    national.run()
    hub_load.run()
    print(f"results appended to {common.RESULTS}")


if __name__ == "__main__":
    main()
