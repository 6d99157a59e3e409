"""The demo's command line (`python -m deploy.demo center|hub|network|check`), once Django is set up.

Logins go to stdout as JSON lines, one object per login, which is what the federation runner reads;
counts, timings and errors go to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TextIO

from .base import CENTERS_DIR, HUB_FILES, DemoDataError, DemoLogin, center_keys
from .hub import seed_hub


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m deploy.demo", description="Seed the demo of this deployment.")
    commands = parser.add_subparsers(dest="command", required=True)
    center = commands.add_parser("center", help="one center's demo data (run on the node of that center)")
    center.add_argument("key", choices=center_keys(), help="which center this node runs (a file in deploy/demo/centers)")
    center.add_argument("--scale", type=int, default=None, help="also generate this many groups (and proportional records)")
    center.add_argument("--seed", type=int, default=0, help="Faker and random seed for --scale")
    hub = commands.add_parser("hub", help="the hub's organization and demo logins (run on the hub)")
    hub.add_argument("key", nargs="?", default="kanagawa", choices=sorted(HUB_FILES),
                     help="which hub this deployment runs (default: 神奈川県's, deploy/demo/hub.yaml)")
    network = commands.add_parser("network", help="one step of deploy/demo/network.yaml (on a running node)")
    network.add_argument("step", choices=("declare", "refer", "answer", "train_open", "train_register",
                                          "train_attend", "train_attended"))
    network.add_argument("key", choices=center_keys(), help="the center this node runs")
    network.add_argument("args", nargs="*", help="declare: ROLE OTHER_CENTER; refer: INDEX TO_CENTER; answer, train_*: INDEX")
    check = commands.add_parser("check", help="read and check center files without writing anything (on a node)")
    check.add_argument("files", nargs="*", type=Path, help="center files (default: all of deploy/demo/centers)")
    return parser


def _print_logins(logins: list[DemoLogin], out: TextIO) -> None:
    for login in logins:
        print(json.dumps({"role": login.role, "organization": login.organization, "username": login.username,
                          "password": login.password}, ensure_ascii=False), file=out)


def _center(key: str, scale: int | None, seed: int, stdout: TextIO, stderr: TextIO) -> None:
    # Imported here, not above: they import the nodes app's models, which a hub does not have, and
    # the same command line seeds the hub.
    from .seeder import seed_center
    from .volume import generate_volume

    logins = seed_center(key)
    if scale:
        started = time.perf_counter()
        counts = generate_volume(center=key, scale=scale, seed=seed)
        elapsed = time.perf_counter() - started
        print(f"generate_volume(scale={scale}, seed={seed}): {json.dumps(counts)} in {elapsed:.1f} s", file=stderr)
    _print_logins(logins, stdout)


def _network(step: str, key: str, args: list[str]) -> None:
    from . import network  # the nodes app's services: on a node only, as for _center

    if step == "declare":
        network.declare(key, *args)
    elif step == "refer":
        network.refer(key, int(args[0]), args[1])
    elif step == "answer":
        network.answer(key, int(args[0]))
    else:
        getattr(network, step)(key, int(args[0]))


def _check(files: list[Path], stdout: TextIO) -> None:
    from .schema import load_center_file  # the nodes app's choices: on a node only, as for _center

    for path in files or sorted(CENTERS_DIR.glob("*.yaml")):
        data = load_center_file(path)
        print(f"{path.name}: ok ({sum(len(entries) for _, entries in data.sections)} entries)", file=stdout)


def main(argv: list[str] | None = None, *, stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "center" and args.scale is not None and args.scale < 0:
        parser.error("--scale must be 0 or more")
    try:
        if args.command == "center":
            _center(args.key, args.scale, args.seed, stdout, stderr)
        elif args.command == "network":
            _network(args.step, args.key, args.args)
        elif args.command == "hub":
            _print_logins(seed_hub(HUB_FILES[args.key]), stdout)
        else:
            _check(args.files, stdout)
    except DemoDataError as error:
        print(f"deploy.demo: {error}", file=stderr)
        return 2
    return 0
