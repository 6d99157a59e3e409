"""The `kyodo` command: run the demo federation, check it, and reach Django's management commands."""

from __future__ import annotations

import json
import os
import sys

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="Kyodo 協働 — 市民活動支援センターの協働プラットフォーム", no_args_is_help=True)
demo_app = typer.Typer(help="The demo: the seed documents' real centers, each on its own node.", no_args_is_help=True)
federation_app = typer.Typer(help="A local federation of real processes (no Docker).", no_args_is_help=True)
app.add_typer(demo_app, name="demo")
app.add_typer(federation_app, name="federation")
sync_app = typer.Typer(help="Node ⇄ hub sync of this node.", no_args_is_help=True)
hub_app = typer.Typer(help="Hub administration.", no_args_is_help=True)
app.add_typer(sync_app, name="sync")
app.add_typer(hub_app, name="hub")
# Piped or in CI there is no terminal width to fit: keep URLs and passwords whole rather than cut.
console = Console(width=None if sys.stdout.isatty() else 200)

# The five centers of the seed documents, in the order their nodes get ports (the hub takes 8100),
# then the center of the demo's second prefecture.
DEMO_CENTERS = [
    ("odawara", "小田原市市民活動交流センター UMECO", "142069", "小田原市"),
    ("chigasaki", "茅ヶ崎市民活動サポートセンター", "142077", "茅ヶ崎市"),
    ("kawasaki", "かわさき市民活動センター", "141305", "川崎市"),
    ("yokohama", "横浜市市民協働推進センター", "141003", "横浜市"),
    ("nishiku", "にしく市民活動支援センター", "141038", "横浜市西区"),
    ("shizuoka", "静岡市市民活動センター", "221007", "静岡市"),
]
HUB_SPEC = ("hub", "hub", "神奈川県 協働ハブ")
# Hubs by their key in deploy/demo (HUB_FILES): deployment name, title, 団体コード of the prefecture and
# its name. A demo with a center of another prefecture than 神奈川県 starts that prefecture's hub and a
# national hub above both (after 神奈川県's deployments, which keep their ports).
DEMO_HUBS = {"kanagawa": ("hub", "神奈川県 協働ハブ", "140007", "神奈川県"),
             "shizuoka": ("hub-shizuoka", "静岡県 協働ハブ", "220001", "静岡県")}
DEMO_CENTER_HUB = {"shizuoka": "shizuoka"}  # every other center is 神奈川県's
NATIONAL_SPEC = ("national", "national", "全国 協働ハブ")
# The demo syncs every 15 s instead of every minute, so a change shows on the hub while you watch.
DEMO_ENV = {"KYODO_SYNC_INTERVAL": "15"}


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def _print_deployments(deployments, logins: list[dict]) -> None:
    from deploy.federation import health

    table = Table(title="Kyodo federation")
    for column in ("name", "role", "URL", "health", "database"):
        table.add_column(column)
    for deployment in deployments:
        state = health(deployment)
        table.add_row(deployment.name, deployment.role, deployment.url, "ok" if state["ok"] else "DOWN",
                      state.get("database", {}).get("engine", "?"))
    console.print(table)
    if logins:
        logins_table = Table(title="Demo logins")
        for column in ("URL", "role", "organization", "username", "password"):
            logins_table.add_column(column)
        for login in logins:
            logins_table.add_row(login["url"], login["role"], login["organization"], login["username"], login["password"])
        console.print(logins_table)


def _demo_specs(nodes: list[tuple[str, str, str, str]]) -> tuple[list[tuple], dict[str, str]]:
    """Deployments of the demo for these centers: 神奈川県's hub and nodes first (8100…); when a center of
    another prefecture is among them, the national hub, that prefecture's hub and its nodes after them.
    Also which hub key (DEMO_HUBS) each hub deployment runs."""
    hub_of = {key: DEMO_CENTER_HUB.get(key, "kanagawa") for key, *_ in nodes}
    others = sorted({hub for hub in hub_of.values() if hub != "kanagawa"})
    specs: list[tuple] = [HUB_SPEC] + [(f"node-{key}", "node", title, "hub") for key, title, *_ in nodes
                                       if hub_of[key] == "kanagawa"]
    if others:
        specs.append(NATIONAL_SPEC)
        for hub in others:
            name, title, *_ = DEMO_HUBS[hub]
            specs.append((name, "hub", title))
            specs += [(f"node-{key}", "node", center_title, name) for key, center_title, *_ in nodes if hub_of[key] == hub]
    return specs, {DEMO_HUBS[hub][0]: hub for hub in ["kanagawa", *others]}


def start_demo(nodes: list[tuple[str, str, str, str]], *, seed: bool, scale: int = 0, web_workers: int = 1,
               hub_workers: int = 1, base_port: int | None = None, fresh: bool = False,
               extra_env: dict | None = None) -> tuple[list, list[dict]]:
    """Hubs + one node per (key, title, municipality code, municipality name); enroll every node at its
    prefecture's hub, and every prefectural hub at the national hub when there is one (a center of a
    second prefecture among `nodes`). Returns the deployments and the seeded logins (with their URL)."""
    from deploy.federation import BASE_PORT, enroll, enroll_hub, run_module, up

    specs, hub_keys = _demo_specs(nodes)
    by_name = {f"node-{key}": (key, title, code, name) for key, title, code, name in nodes}
    parent_of = {spec[0]: spec[3] for spec in specs if len(spec) > 3}
    national = any(spec[1] == "national" for spec in specs)
    logins: list[dict] = []
    started: dict = {}

    def seed_logins(deployment, *args: str) -> None:
        logins.extend({"url": deployment.url, **row}
                      for row in _json_lines(run_module(deployment, "deploy.demo", *args, capture=True)))

    def prepare(deployment) -> None:
        started[deployment.name] = deployment
        if deployment.role == "national":
            if seed:
                seed_logins(deployment, "hub", "national")
            return
        if deployment.role == "hub":
            hub = hub_keys[deployment.name]
            _name, title, code, prefecture = DEMO_HUBS[hub]
            if national:
                enroll_hub(started[NATIONAL_SPEC[0]], deployment, name=title, prefecture_code=code,
                           prefecture_name=prefecture)
            if seed:
                seed_logins(deployment, "hub", hub)
            return
        key, title, code, municipality = by_name[deployment.name]
        enroll(started[parent_of[deployment.name]], deployment, name=title, municipality_code=code,
               municipality_name=municipality)
        if seed:
            seed_logins(deployment, "center", key, *(["--scale", str(scale)] if scale else []))

    env = {**(DEMO_ENV if seed else {}), **(extra_env or {})}
    deployments = up(specs, prepare=prepare, web_workers=web_workers, extra_env=env or None, hub_workers=hub_workers,
                     base_port=base_port or BASE_PORT, fresh=fresh)
    return deployments, logins


def _start(nodes: list[tuple[str, str, str, str]], *, seed: bool, scale: int, web_workers: int,
           hub_workers: int = 1) -> None:
    from deploy.federation import save_state

    with console.status("Starting the federation (migrate, enroll, seed, start, wait for health)…"):
        deployments, logins = start_demo(nodes, seed=seed, scale=scale, web_workers=web_workers,
                                         hub_workers=hub_workers)
    if seed:
        with console.status("Centers as a network: relations, referrals and trainings through the hub…"):
            _play_network(deployments, nodes)
    order = {d.url: i for i, d in enumerate(deployments)}
    logins.sort(key=lambda login: (order[login["url"]], login["username"]))
    save_state(deployments, {"logins": logins})
    _print_deployments(deployments, logins)
    console.print("Stop it with [bold]make stop[/bold] (or `kyodo federation down`).")


def _play_network(deployments, nodes) -> None:
    """deploy/demo/network.yaml on the running federation: each relation declared by both centers, each
    referral sent and answered, each training opened, registered for and, once held, counted (only
    among the centers started)."""
    from deploy.demo.network import load_network
    from deploy.federation import run_module

    titles = {key: title for key, title, _code, _name in nodes}
    by_key = {d.name.removeprefix("node-"): d for d in deployments if d.role == "node"}
    network = load_network()

    def step(key: str, *args: str) -> None:
        run_module(by_key[key], "deploy.demo", "network", args[0], key, *args[1:], capture=True)

    for relation in network.get("relations", []):
        backing, backed = relation["backing"], relation["backed"]
        if backing in titles and backed in titles:
            step(backing, "declare", "backing", titles[backed])
            step(backed, "declare", "backed", titles[backing])
    for index, referral in enumerate(network.get("referrals", [])):
        if referral["from"] in titles and referral["to"] in titles:
            step(referral["from"], "refer", str(index), titles[referral["to"]])
            step(referral["to"], "answer", str(index))
    for index, training in enumerate(network.get("trainings", [])):
        invited = [key for key in training["to"] if key in titles]
        if training["from"] not in titles or not invited:
            continue
        step(training["from"], "train_open", str(index))
        for key in invited:
            step(key, "train_register", str(index))
        if training.get("held"):
            step(training["from"], "train_attend", str(index))
            for key in invited:
                step(key, "train_attended", str(index))


@demo_app.command("up")
def demo_up(
    centers: str = typer.Option(",".join(c[0] for c in DEMO_CENTERS), help="comma-separated center keys"),
    scale: int = typer.Option(0, help="also generate this many groups (Faker ja_JP) on each node"),
    web_workers: int = typer.Option(1, help="gunicorn workers per deployment"),
) -> None:
    """The hubs and one node per center, seeded and enrolled (静岡 brings its hub and the national hub); prints where to log in."""
    known = {c[0]: c for c in DEMO_CENTERS}
    chosen = [c.strip() for c in centers.split(",") if c.strip()]
    unknown = [c for c in chosen if c not in known]
    if unknown:
        raise typer.BadParameter(f"unknown centers: {', '.join(unknown)} (choose from {', '.join(known)})")
    _start([known[c] for c in chosen], seed=True, scale=scale, web_workers=web_workers)


@demo_app.command("down")
def demo_down() -> None:
    """Stop every process the demo or federation started."""
    from deploy.federation import load_deployments, save_state, stop

    stopped = stop(load_deployments())
    save_state([], {})
    console.print(f"stopped {len(stopped)} process groups")


@demo_app.command("status")
def demo_status(as_json: bool = typer.Option(False, "--json", help="machine-readable output")) -> None:
    federation_status(as_json=as_json)


def _ward_codes(count: int) -> list[tuple[str, str]]:
    """Municipality codes for generic nodes: Yokohama's wards (14101…), with their check digits."""
    from common.japanese import municipality_code_is_valid

    codes = []
    for ward in range(101, 101 + count):
        base = f"14{ward}"
        codes.append(next(base + d for d in "0123456789" if municipality_code_is_valid(base + d)))
    return [(code, f"横浜市 区 {i + 1}") for i, code in enumerate(codes)]


# Prefectures of `federation up --hubs`: (団体コード, name, the first ward code of its designated city
# without check digit, the city's name) — generic nodes go to that city's wards.
PREFECTURES = [("140007", "神奈川県", 14101, "横浜市"), ("220001", "静岡県", 22101, "静岡市"),
               ("270008", "大阪府", 27102, "大阪市")]


def _codes_from(first: int, count: int) -> list[str]:
    from common.japanese import municipality_code_is_valid

    return [next(f"{first + i}{d}" for d in "0123456789" if municipality_code_is_valid(f"{first + i}{d}"))
            for i in range(count)]


def _start_national(hubs: int, nodes: int, web_workers: int) -> None:
    """A national hub (8100), `hubs` prefectural hubs enrolled with it, `nodes` enrolled nodes under
    each: national, hub-1, node-1-1 … on consecutive ports."""
    from deploy.federation import enroll, enroll_hub, save_state, up

    specs = [("national", "national", "全国 協働ハブ")]
    centers: dict[str, tuple] = {}
    for h, (_code, pref_name, first_ward, city) in enumerate(PREFECTURES[:hubs], start=1):
        specs.append((f"hub-{h}", "hub", f"{pref_name} 協働ハブ"))
        for n, code in enumerate(_codes_from(first_ward, nodes), start=1):
            name = f"node-{h}-{n}"
            specs.append((name, "node", f"{city} ノード{n}", f"hub-{h}"))
            centers[name] = (f"{city}ノード{n}", code, f"{city} 区 {n}")
    by_name: dict = {}
    prefecture_of = {f"hub-{h}": p for h, p in enumerate(PREFECTURES[:hubs], start=1)}

    def prepare(deployment) -> None:
        by_name[deployment.name] = deployment
        if deployment.role == "hub":
            code, name, _ward, _city = prefecture_of[deployment.name]
            enroll_hub(by_name["national"], deployment, name=f"{name} 協働ハブ", prefecture_code=code,
                       prefecture_name=name)
        elif deployment.role == "node":
            parent = by_name[next(spec[3] for spec in specs if spec[0] == deployment.name)]
            title, code, municipality = centers[deployment.name]
            enroll(parent, deployment, name=title, municipality_code=code, municipality_name=municipality)

    with console.status("Starting the national tier (migrate, enroll, start, wait for health)…"):
        deployments = up(specs, prepare=prepare, web_workers=web_workers)
    save_state(deployments)
    _print_deployments(deployments, [])
    console.print("Stop it with [bold]make stop[/bold] (or `kyodo federation down`).")


@federation_app.command("up")
def federation_up(
    nodes: int = typer.Option(2, min=1, max=18, help="how many nodes (per hub with --hubs)"),
    hubs: int = typer.Option(0, min=0, max=len(PREFECTURES),
                             help="prefectural hubs under a national hub (0: one hub, no national tier)"),
    demo: bool = typer.Option(False, help="the seed documents' centers, seeded (at most 5)"),
    web_workers: int = typer.Option(1, help="gunicorn workers per deployment (a hub runs at least 2)"),
    hub_workers: int = typer.Option(1, min=1, max=8, help="Celery worker processes sharing the hub's default queue"
                                                           " (the disaster queue keeps a worker of its own)"),
) -> None:
    """Start the hub (port 8100) and N enrolled nodes (8101…); returns when all are healthy. With
    --hubs H: a national hub (8100), H prefectural hubs and N nodes under each."""
    if hubs:
        _start_national(hubs, nodes, web_workers)
        return
    if demo:
        _start(DEMO_CENTERS[:nodes], seed=True, scale=0, web_workers=web_workers, hub_workers=hub_workers)
        return
    specs = [(str(i + 1), f"ノード{i + 1}", code, name) for i, (code, name) in enumerate(_ward_codes(nodes))]
    _start(specs, seed=False, scale=0, web_workers=web_workers, hub_workers=hub_workers)


@federation_app.command("status")
def federation_status(as_json: bool = typer.Option(False, "--json", help="machine-readable output")) -> None:
    """Every deployment with its URL and health."""
    from deploy.federation import health, load_deployments, load_state

    deployments = load_deployments()
    if as_json:
        rows = [{"name": d.name, "role": d.role, "url": d.url, "health": health(d)} for d in deployments]
        typer.echo(json.dumps({"deployments": rows}, ensure_ascii=False, indent=2))
        return
    if not deployments:
        console.print("nothing is running (start it with `make demo`)")
        raise typer.Exit(1)
    _print_deployments(deployments, load_state().get("logins", []))


@federation_app.command("down")
def federation_down() -> None:
    demo_down()


def _use_deployment(name: str | None) -> None:
    """Run in the environment of a deployment started by the runner (or the current environment)."""
    if name:
        from deploy.federation import load_deployments

        found = next((d for d in load_deployments() if d.name == name), None)
        if found is None:
            raise typer.BadParameter(f"no running deployment named {name}")
        os.environ.update(found.env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


@sync_app.command("status")
def sync_status(node: str = typer.Option(None, help="a deployment of `kyodo federation up`, e.g. node-chigasaki"),
                as_json: bool = typer.Option(False, "--json")) -> None:
    """Lag (entries and seconds), last success, last error and drift of this node."""
    _use_deployment(node)
    from sync.services import status

    data = status()
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    table = Table(title="sync status")
    table.add_column("item")
    table.add_column("value")
    for key, value in data.items():
        table.add_row(key, json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else str(value))
    console.print(table)


@sync_app.command("push")
def sync_push(node: str = typer.Option(None, help="a deployment of `kyodo federation up`"),
              as_json: bool = typer.Option(False, "--json")) -> None:
    """Send everything unsent to the hub now, batch by batch, with a progress bar."""
    _use_deployment(node)
    import time

    from rich.progress import Progress

    from sync.client import SyncError, push
    from sync.services import lease_acquire, lease_release

    deadline = time.monotonic() + 60
    while (owner := lease_acquire()) is None:  # the worker may be pushing right now: wait our turn
        if time.monotonic() > deadline:
            typer.echo("another push holds the lease; try again later", err=True)
            raise typer.Exit(1)
        time.sleep(1)
    try:
        if as_json:
            result = push(lease_owner=owner)
        else:
            with Progress(console=console) as progress:
                task = progress.add_task("push", total=None)
                result = push(lease_owner=owner, progress=lambda done, total: progress.update(
                    task, completed=done, total=max(total, 1)))
    except SyncError as error:
        typer.echo(json.dumps({"ok": False, "error": error.code, "message": error.message}) if as_json
                   else f"push failed: {error.code}: {error.message}", err=not as_json)
        raise typer.Exit(1) from error
    finally:
        lease_release(owner)
    data = {"ok": True, "batches": result.batches, "entries": result.entries, "last_acked_seq": result.last_acked_seq}
    if result.reannounced is not None:  # the hub was ahead: this node was restored from an older backup
        data["reannounced"] = {"after_hub_seq": result.reannounced.hub_seq, "entries": result.reannounced.entries,
                               "held_back": len(result.reannounced.held_back)}
        if not as_json:
            typer.echo(f"the hub had applied up to seq {result.reannounced.hub_seq}, beyond this node: re-announced "
                       f"{result.reannounced.entries} records after it (docs/backup-restore.md)")
    typer.echo(json.dumps(data) if as_json else f"pushed {result.entries} entries in {result.batches} batches "
               f"(acknowledged up to {result.last_acked_seq})")


@sync_app.command("pull")
def sync_pull(node: str = typer.Option(None), as_json: bool = typer.Option(False, "--json")) -> None:
    """Fetch the hub → node feed."""
    _use_deployment(node)
    from sync.client import SyncError, pull

    try:
        received = pull()
    except SyncError as error:
        typer.echo(f"pull failed: {error.code}: {error.message}", err=True)
        raise typer.Exit(1) from error
    typer.echo(json.dumps({"ok": True, "received": received}) if as_json else f"received {received} feed entries")


@sync_app.command("drift")
def sync_drift(node: str = typer.Option(None), as_json: bool = typer.Option(False, "--json")) -> None:
    """Compare counts and hashes per entity type with the hub."""
    _use_deployment(node)
    from sync.client import SyncError, check_drift

    try:
        drift = check_drift()
    except SyncError as error:
        typer.echo(f"drift check failed: {error.code}: {error.message}", err=True)
        raise typer.Exit(1) from error
    typer.echo(json.dumps(drift, ensure_ascii=False, indent=None if as_json else 2))
    if any(not row["ok"] for row in drift.values()):
        raise typer.Exit(2)


@hub_app.command("enroll-node")
def hub_enroll_node(
    name: str = typer.Option(...), municipality_code: str = typer.Option(...), public_key: str = typer.Option(...),
    slug: str = typer.Option(""), municipality_name: str = typer.Option(""), base_url: str = typer.Option(""),
    hub: str = typer.Option(None, help="the hub deployment of `kyodo federation up` (default: this environment)"),
) -> None:
    """Register a node and the public key it generated (`kyodo manage sync_keygen` on the node)."""
    _use_deployment(hub)
    from django.core.management import call_command

    call_command("hub_enroll_node", name=name, municipality_code=municipality_code, public_key=public_key, slug=slug,
                 municipality_name=municipality_name, base_url=base_url)


def _stopped(name: str | None) -> None:
    """A deployment of the runner must be stopped before its database is replaced."""
    if not name:
        return
    from deploy.federation import deployment_running, load_deployments

    found = next((d for d in load_deployments() if d.name == name), None)
    if found is not None and deployment_running(found):
        typer.echo(f"restore refused: {name} is running; stop its processes first (web, workers, beat)", err=True)
        raise typer.Exit(1)


@app.command("backup")
def backup_command(
    output: str = typer.Option("", "--output", "-o", help="the archive to write (default: kyodo-<role>-<time>.tar)"),
    deployment: str = typer.Option(None, help="a deployment of `kyodo federation up` (default: this environment)"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Back up this deployment: its database, signing keys and media, in one archive (mode 0600)."""
    _use_deployment(deployment)
    import datetime as dt
    from pathlib import Path

    from django.conf import settings

    from deploy.backup import backup

    target = Path(output or f"kyodo-{settings.KYODO_ROLE}-{dt.datetime.now():%Y%m%d-%H%M%S}.tar")
    manifest = backup(target)
    typer.echo(json.dumps({"ok": True, "archive": str(target.resolve()), "manifest": manifest}, ensure_ascii=False)
               if as_json else f"backed up the {manifest['role']} ({manifest['engine']}) to {target} — sync: "
               f"{json.dumps(manifest['sync'], ensure_ascii=False)}")


@app.command("restore")
def restore_command(
    archive: str = typer.Argument(..., help="an archive written by `kyodo backup`"),
    deployment: str = typer.Option(None, help="a deployment of `kyodo federation up` (default: this environment)"),
    replace_keys: bool = typer.Option(False, help="overwrite key files that differ from the archive's"),
    yes: bool = typer.Option(False, "--yes", help="do not ask: this replaces the deployment's database"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Restore a backup into this deployment (stop its processes first); refuses an archive of the other role."""
    _use_deployment(deployment)
    from pathlib import Path

    from deploy.backup import RestoreRefused, check_restorable, read_manifest, restore

    path = Path(archive)
    try:
        manifest = read_manifest(path)
        check_restorable(manifest)
    except RestoreRefused as refused:
        typer.echo(json.dumps({"ok": False, "error": refused.code, "message": refused.message}) if as_json
                   else f"restore refused: {refused.message} [{refused.code}]", err=not as_json)
        raise typer.Exit(2) from refused
    _stopped(deployment)
    if not yes and not (sys.stdin.isatty() and typer.confirm(
            f"Replace this {manifest['role']}'s database with the backup of {manifest['created_at']}?")):
        typer.echo("restore not confirmed (pass --yes)", err=True)
        raise typer.Exit(1)
    try:
        result = restore(path, replace_keys=replace_keys)
    except RestoreRefused as refused:
        typer.echo(f"restore refused: {refused.message} [{refused.code}]", err=True)
        raise typer.Exit(2) from refused
    data = {"ok": True, "role": manifest["role"], "created_at": manifest["created_at"], "sync_at_backup": manifest["sync"],
            "keys_restored": result.keys_restored, "keys_kept": result.keys_kept, "media_files": result.media_files,
            "after": result.after}
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    typer.echo(f"restored the {manifest['role']} backup of {manifest['created_at']}")
    if result.keys_kept:
        typer.echo(f"kept this deployment's own key files ({', '.join(result.keys_kept)}): they differ from the "
                   "archive's (pass --replace-keys to take the archive's)")
    typer.echo("start its processes again; sync catches up by itself (docs/backup-restore.md)")


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def manage(ctx: typer.Context) -> None:
    """Run a Django management command for the deployment described by the environment."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    from config.development import use_development_defaults

    use_development_defaults()
    execute_from_command_line(["kyodo manage", *ctx.args])


def main() -> None:
    app()


if __name__ == "__main__":
    sys.exit(main())
