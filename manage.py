"""Store chores from the command line.

    python manage.py migrate               # create or upgrade the schema
    python manage.py load demo             # replace everything with the Jingzhou demo
    python manage.py load city --seed 2026 # replace everything with the city-scale set

The store is ``DATABASE_URL`` (default: the embedded SQLite file), or
``--database-url``. Loading is one transaction: it fully succeeds or leaves
the store as it was.
"""

from __future__ import annotations

import argparse
import sys
import time

from config import Settings
from store import StoreUnavailable, open_store


def main(argv: list[str] | None = None) -> int:
    """Run one chore; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="manage.py", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="overrides DATABASE_URL")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="create or upgrade the schema")
    load = sub.add_parser("load", help="replace the store's contents with a generated data set")
    load.add_argument("dataset", choices=["demo", "city"])
    load.add_argument(
        "--seed", type=int, default=None, help="generator seed (same seed, same data)"
    )
    args = parser.parse_args(argv)

    url = args.database_url or Settings.from_env().database_url
    try:
        store = open_store(url)
        if args.command == "load":
            started = time.perf_counter()
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
        else:
            print(f"Schema of {store.url} is up to date.")
    except StoreUnavailable as exc:
        print(f"manage.py: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"manage.py: nothing was changed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
