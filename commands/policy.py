"""policy show | import: the time-limit policy."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from commands import open_store


def register(sub: Any) -> None:
    pol = sub.add_parser("policy", help="time-limit policy")
    acts = pol.add_subparsers(dest="action", required=True)
    acts.add_parser("show", help="versions and rules in force")
    imp = acts.add_parser("import", help="add the versions of a policy file (TOML)")
    imp.add_argument("file", type=Path)


def run(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from core.storage.db import write_tx
    from core.storage.seed import import_policy_file

    store = open_store(args)
    if args.action == "import":
        with write_tx(store.engine) as conn:
            n = import_policy_file(conn, args.file, datetime.now(UTC))
        print(f"added {n} policy version(s)")
        return 0
    for v in store.reference().policy.versions:
        since = v.effective_from.isoformat()
        print(f"version {v.id} from {since}, warning at {v.warn_ratio:.0%} remaining")
        w = v.visit_window
        print(
            f"  extensions: at most {v.extension_max_count}, {v.extension_max_days} days in all; "
            f"return visit: {v.visit_max_attempts} unreachable calls close it, "
            f"unsatisfied -> {v.unsatisfied_visit}, "
            f"window {w.amount} {w.unit} ({w.end}), then {v.visit_expired}"
        )
        for r in v.rules:
            keys = " ".join(f"{k}={','.join(sorted(vals))}" for k, vals in r.match.items())
            amount = f"{r.amount:>3} {r.unit:13} {r.end:10}"
            print(f"  {r.id:24} {r.limit:8} {amount} from {r.start:12} {keys}")
    return 0
