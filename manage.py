"""Store chores and accounts from the command line.

    python manage.py migrate               # create or upgrade the schema
    python manage.py load demo             # replace everything with the Jingzhou demo
    python manage.py load city --seed 2026 # replace everything with the city-scale set
    python manage.py load roads FILE.osm.pbf   # the road network from an OpenStreetMap extract
    python manage.py user add NAME --role planner   # asks for the password
    python manage.py user list | user disable NAME | user enable NAME | user password NAME
    python manage.py token create USER [--label L]  # a bearer token acting as USER
    python manage.py token list | token revoke ID
    python manage.py wall-url [--township CODE] [--level L] [--lang en]
    python manage.py ledger export FILE.xlsx [--township CODE] [--lang en]
    python manage.py ledger figures [--township CODE]
    python manage.py ledger step CODE TO [--note N] [--measures M] [--verifier V] [--on DATE]
    python manage.py import LAYER FILE [--dry-run] [--json] [--crs CRS] [--encoding ENC]
                                       [--sheet NAME] [--accept-partial]
    python manage.py export LAYER FILE [--township CODE] [--level L]   # .csv .xlsx .geojson
                                       # .gpkg .zip (Shapefile) or .html (an offline map)
    python manage.py backup FILE | restore FILE   # the embedded store, while the app runs

The store is ``DATABASE_URL`` (default: the embedded SQLite file), or
``--database-url``. Loading is one transaction: it fully succeeds or leaves
the store as it was. Passwords are read from the terminal without echo, or
from standard input when it is not a terminal (one line). Whoever can run
this on the server acts as an administrator; the history names the command.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
import time
from urllib.parse import urlencode

from auth import system_principal
from auth.accounts import (
    BadAccount,
    NameTaken,
    add_user,
    create_api_token,
    create_wall_token,
    list_tokens,
    list_users,
    revoke_token,
    set_active,
    set_password,
)
from config import Settings
from domain import ROLES, keys
from ledger.rules import Refused
from store import Store, StoreUnavailable, open_store
from store.backup import BackupError, backup, restore


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="manage.py", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="overrides DATABASE_URL")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="create or upgrade the schema")
    load = sub.add_parser(
        "load", help="replace the store's contents with a generated data set, or its roads"
    )
    load.add_argument("dataset", choices=["demo", "city", "roads"])
    load.add_argument("file", nargs="?", help="for roads: an OpenStreetMap extract (.osm.pbf)")
    load.add_argument(
        "--seed", type=int, default=None, help="generator seed (same seed, same data)"
    )

    user = sub.add_parser("user", help="accounts that sign in").add_subparsers(
        dest="action", required=True
    )
    add = user.add_parser("add", help="add a user (asks for the password)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=keys(ROLES))
    user.add_parser("list", help="every user, with role and state")
    for action, text in (
        ("disable", "stop a user signing in; their sessions and tokens stop at once"),
        ("enable", "let a disabled user sign in again"),
        ("password", "set a new password (asks for it); their other sessions end"),
    ):
        user.add_parser(action, help=text).add_argument("name")

    token = sub.add_parser(
        "token", help="bearer tokens for scripts, and wall tokens"
    ).add_subparsers(dest="action", required=True)
    create = token.add_parser("create", help="a token acting as USER (printed once)")
    create.add_argument("user")
    create.add_argument("--label", default="", help="what the token is for")
    listing = token.add_parser("list", help="live tokens (and revoked ones with --all)")
    listing.add_argument("--all", action="store_true")
    token.add_parser("revoke", help="stop a token at once").add_argument("id", type=int)

    imp = sub.add_parser(
        "import",
        help="import a file into a layer: all rows or none (exit 0 only when all were taken)",
    )
    imp.add_argument("layer", help="townships, risk_points, depots, forces or command_nodes")
    imp.add_argument("file", help=".csv .xlsx .geojson .zip (Shapefile) or .gpkg")
    imp.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    imp.add_argument("--json", action="store_true", help="print one JSON object")
    imp.add_argument(
        "--crs", default=None, help="coordinates in wgs84, cgcs2000, gcj02 or EPSG:code"
    )
    imp.add_argument(
        "--encoding", default=None, help="text encoding (default: UTF-8, else GB18030)"
    )
    imp.add_argument("--sheet", default=None, help="the sheet (xlsx) or layer (GeoPackage)")
    imp.add_argument(
        "--accept-partial",
        action="store_true",
        help="commit the accepted rows even when some are rejected (the history lists them)",
    )
    exp = sub.add_parser("export", help="a layer to a file, filtered as on screen")
    exp.add_argument("layer", help="townships, risk_points, depots, forces or command_nodes")
    exp.add_argument("file", help=".csv .xlsx .geojson .gpkg .zip (Shapefile) or .html (map)")
    exp.add_argument("--township", default=None, help="township code(s), comma separated")
    exp.add_argument("--level", default=None, help="response level 1-4 or all")
    exp.add_argument("--lang", default="zh", choices=["zh", "en"], help="the map's language")

    sub.add_parser(
        "backup", help="copy the embedded store to FILE (safe while the app runs)"
    ).add_argument("file")
    sub.add_parser(
        "restore", help="replace the embedded store's contents with backup FILE"
    ).add_argument("file")
    wall = sub.add_parser("wall-url", help="a wall URL carrying a revocable viewer token")
    wall.add_argument("--township", default=None, help="township code(s), comma separated")
    wall.add_argument("--level", default=None, help="response level 1-4 or all")
    wall.add_argument("--lang", default=None, choices=["zh", "en"])
    wall.add_argument("--label", default="", help="which wall (e.g. its room)")
    ledger = sub.add_parser("ledger", help="the hidden-danger ledger").add_subparsers(
        dest="action", required=True
    )
    export = ledger.add_parser("export", help="the ledger as an .xlsx (figures on sheet 2)")
    export.add_argument("file")
    export.add_argument("--township", default=None, help="township code(s), comma separated")
    export.add_argument("--lang", default="zh", choices=["zh", "en"])
    shown = ledger.add_parser("figures", help="found, rectified, rate, overdue, ... per township")
    shown.add_argument("--township", default=None, help="township code(s), comma separated")
    step = ledger.add_parser("step", help="move an item on: rectifying, rectified, verified, ...")
    step.add_argument("code")
    step.add_argument("to", choices=["rectifying", "rectified", "verified", "reopened"])
    step.add_argument("--note", default="")
    step.add_argument("--measures", default=None)
    step.add_argument("--verifier", default=None)
    step.add_argument("--on", default=None, help="the date of verification (major items)")
    step.add_argument("--as", dest="actor", default="manage.py", help="who, for the history")
    return parser


def _read_password(prompt: str = "Password: ") -> str:
    if sys.stdin.isatty():
        first = getpass.getpass(prompt)
        if getpass.getpass("Again: ") != first:
            raise BadAccount("the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\n")


def _load(store: Store, args: argparse.Namespace) -> None:
    started = time.perf_counter()
    if args.dataset == "roads":
        from dispatch.osm import load_roads

        if not args.file:
            raise ValueError("load roads needs a file: python manage.py load roads FILE.osm.pbf")
        n = load_roads(store, system_principal("manage.py load roads"), args.file)
        took = time.perf_counter() - started
        print(f"Loaded {n:,} road segments from {args.file} into {store.url} in {took:.1f} s")
        print("Road data © OpenStreetMap contributors, under the ODbL.")
        return
    if args.dataset == "demo":
        from data.demo import build_demo

        frames = build_demo() if args.seed is None else build_demo(args.seed)
    else:
        from data.city import build_city

        frames = build_city() if args.seed is None else build_city(args.seed)
    built = time.perf_counter()
    counts = store.replace_all(frames)
    done = time.perf_counter()
    summary = ", ".join(f"{table} {n:,}" for table, n in counts.items())
    print(
        f"Loaded {args.dataset} into {store.url}: {summary} "
        f"(generated in {built - started:.1f} s, written in {done - built:.1f} s)"
    )


def _user(store: Store, args: argparse.Namespace) -> None:
    actor = system_principal(f"manage.py user {args.action}")
    if args.action == "add":
        user = add_user(store, actor, args.name, args.role, _read_password())
        print(f"Added {user['name']} ({user['role']}).")
    elif args.action == "list":
        for user in list_users(store, actor):
            state = "active" if user["active"] else "disabled"
            since = f"{user['created_at']:%Y-%m-%d}"
            print(f"{user['name']:<20} {user['role']:<13} {state:<9} since {since}")
    elif args.action == "password":
        set_password(store, actor, args.name, _read_password("New password: "))
        print(f"New password set for {args.name}; their other sessions have ended.")
    else:
        user = set_active(store, actor, args.name, args.action == "enable")
        print(f"{user['name']} is now {'active' if user['active'] else 'disabled'}.")


def _token(store: Store, args: argparse.Namespace) -> None:
    actor = system_principal(f"manage.py token {args.action}")
    if args.action == "create":
        token = create_api_token(store, actor, args.user, args.label)
        print(token)
        print(f"(a token acting as {args.user}: keep it secret, it is not shown again)",
              file=sys.stderr)  # fmt: skip
    elif args.action == "list":
        for row in list_tokens(store, actor, include_revoked=args.all):
            who = row["user_name"] or "viewer"
            state = f"revoked {row['revoked_at']:%Y-%m-%d}" if row["revoked_at"] else "live"
            print(f"#{row['id']:<4} {row['kind']:<5} {who:<16} {state:<18} {row['label']}")
    else:
        revoke_token(store, actor, args.id)
        print(f"Token #{args.id} revoked.")


def _wall_url(store: Store, settings: Settings, args: argparse.Namespace) -> None:
    query = {
        k: v for k, v in (("township", args.township), ("level", args.level), ("lang", args.lang))
        if v
    }  # fmt: skip
    label = args.label or ("wall " + json.dumps(query, ensure_ascii=False) if query else "wall")
    token = create_wall_token(store, system_principal("manage.py wall-url"), label)
    print(f"{settings.base_url}/wall?{urlencode({**query, 'token': token})}")


def _ledger(store: Store, settings: Settings, args: argparse.Namespace) -> None:
    from ledger.export import ledger_workbook
    from ledger.figures import by_township, figures
    from ledger.operations import take_step
    from store.ledger import Query

    actor = system_principal(getattr(args, "actor", "manage.py"))
    raw = getattr(args, "township", None) or ""
    towns = [t for t in raw.split(",") if t] or None
    if args.action == "export":
        query = Query(townships=towns, limit=0)
        data = ledger_workbook(store, actor, query, lang=args.lang, timezone=settings.timezone)
        with open(args.file, "wb") as out:
            out.write(data)
        print(f"Wrote {args.file} ({len(data):,} bytes)")
    elif args.action == "figures":
        if towns is None:
            table = by_township(store, actor)
            for row in table.to_dict("records"):
                rate = "-" if row["rate"] is None else f"{row['rate']:.1%}"
                print(
                    f"{row['code'] or '*':<12} {row['name']:<10} found {row['found']:>6} "
                    f"rectified {row['rectified']:>6} ({rate}) overdue {row['overdue']:>5} "
                    f"major open {row['major_open']:>4} supervised {row['supervised']:>4}"
                )
        else:
            print(json.dumps(figures(store, actor, towns).as_json()))
    else:
        after = take_step(store, actor, args.code, args.to, args.note, measures=args.measures,
                          verifier=args.verifier, verified_on=args.on)  # fmt: skip
        print(f"{args.code}: {after['status']}")


def _import(store: Store, args: argparse.Namespace) -> int:
    from files.imports import import_file

    report = import_file(
        store,
        system_principal(f"manage.py import {args.layer}"),
        args.layer,
        args.file,
        crs=args.crs,
        encoding=args.encoding,
        sheet=args.sheet,
        dry_run=args.dry_run,
        accept_partial=args.accept_partial,
    )
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        _print_report(report, args)
    return 0 if report.ok and (report.committed or args.dry_run) else 1


def _print_report(report: object, args: argparse.Namespace) -> None:
    from files.imports import Report

    assert isinstance(report, Report)
    if report.error is not None:
        print(f"manage.py: {args.file} refused, nothing was changed: {report.error.say()}",
              file=sys.stderr)  # fmt: skip
        return
    for note in report.notes:
        print(f"note: {note.say()}")
    for entry in report.rejected():
        print(f"row {entry['row']}: {entry['field']}: {entry['reason']}", file=sys.stderr)
    got = report.as_json()
    counts = f"{len(got['added'])} to add, {len(got['updated'])} to update, " + (
        f"{len(got['unchanged'])} unchanged, {len({r['row'] for r in got['rejected']})} rejected"
    )
    if report.committed:
        print(f"Imported {args.file} into {args.layer} (import #{report.import_id}): {counts}")
    elif args.dry_run:
        print(f"Dry run of {args.file} into {args.layer}, nothing written: {counts}")
    else:
        print(f"Nothing was imported ({counts}); fix the rows above or use --accept-partial",
              file=sys.stderr)  # fmt: skip


def _export(store: Store, args: argparse.Namespace) -> None:
    from files.exports import export_to

    started = time.perf_counter()
    n = export_to(
        store, system_principal(f"manage.py export {args.layer}"), args.layer, args.file,
        townships=args.township.split(",") if args.township else None, level=args.level,
        lang=args.lang,
    )  # fmt: skip
    print(f"Exported {n:,} {args.layer} to {args.file} in {time.perf_counter() - started:.1f} s")


def main(argv: list[str] | None = None) -> int:
    """Run one chore; returns the process exit code."""
    args = _parser().parse_args(argv)
    settings = Settings.from_env()
    url = args.database_url or settings.database_url
    store = None
    try:
        store = open_store(url)
        if args.command == "load":
            _load(store, args)
        elif args.command == "user":
            _user(store, args)
        elif args.command == "token":
            _token(store, args)
        elif args.command == "import":
            return _import(store, args)
        elif args.command == "export":
            _export(store, args)
        elif args.command == "wall-url":
            _wall_url(store, settings, args)
        elif args.command == "ledger":
            _ledger(store, settings, args)
        elif args.command in ("backup", "restore"):
            counts = (backup if args.command == "backup" else restore)(store, args.file)
            done = "Backed up to" if args.command == "backup" else "Restored from"
            print(f"{done} {args.file}: " + ", ".join(f"{n} {t}" for t, n in counts.items() if n))
        else:
            print(f"Schema of {store.url} is up to date.")
    except StoreUnavailable as exc:
        print(f"manage.py: {exc}", file=sys.stderr)
        return 2
    except (BadAccount, NameTaken, BackupError) as exc:
        print(f"manage.py: {exc}", file=sys.stderr)
        return 1
    except Refused as exc:
        print(f"manage.py: refused: {exc} / {exc.say('zh')}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"manage.py: nothing was changed: {exc}", file=sys.stderr)
        return 1
    finally:
        if store is not None:
            store.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
