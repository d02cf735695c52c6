"""A bounded load test on loopback: editors saving the same records while dashboard readers compute
coverage, against SQLite or PostgreSQL. Counts lost updates, stale edits and errors.

    python -m bench.load --db URL [--editors 6] [--readers 3] [--seconds 20]

The database must hold the province demo (`linkage demo`). Each editor is an officer of the
demo district with the most cooperatives; it adds one member to a cooperative picked at random
from a small shared pool (so editors collide), saving with the version it read, as a form does.
A stale edit is retried on the next round. Each reader computes every unit's coverage, as the
dashboard does, and its cache is invalidated by every write. At the end every cooperative's
member count must equal its start plus the saves acknowledged for it: anything else is a lost
update.

Editor and reader processes import only what their role needs, inside the function that runs it,
to keep each process's start-up fast.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

POOL = 12  # cooperatives the editors share


@dataclass(frozen=True)
class LoadResult:
    backend: str
    editors: int
    readers: int
    seconds: float
    saves: int
    stale: int
    reads: int
    errors: list[str]
    lost_updates: int
    save_p50_ms: float
    save_p95_ms: float
    read_p50_ms: float
    read_p95_ms: float
    reloads: int = 0  # reads that found the data changed since their previous read: their cache reloads every fact
    load_average: float = 0.0  # of the machine's last minute, at the end of the run (`os.getloadavg`)

    @property
    def saves_per_second(self) -> float:
        return self.saves / self.seconds

    @property
    def reads_per_second(self) -> float:
        return self.reads / self.seconds


def _pool(url: str) -> tuple[str, list[str]]:
    """The district with the most live cooperatives and the first POOL of them, by code."""
    import sqlalchemy as sa
    from sqlmodel import col

    from linkage.store.db import get_engine, read_session
    from linkage.store.models import Commune, Cooperative

    with read_session(get_engine(url)) as session:
        rows = session.execute(
            sa.select(col(Cooperative.code), col(Commune.district_code))
            .join(Commune, col(Commune.code) == col(Cooperative.commune_code))
            .where(col(Cooperative.archived_at).is_(None))
            .order_by(col(Cooperative.code))
        ).all()
    if not rows:
        raise SystemExit("the database holds no cooperatives: run `linkage demo` on it first")
    district = Counter(d for _, d in rows).most_common(1)[0][0]
    return district, [c for c, d in rows if d == district][:POOL]


def _members(url: str, codes: list[str]) -> dict[str, int]:
    import sqlalchemy as sa
    from sqlmodel import col

    from linkage.store.db import get_engine, read_session
    from linkage.store.models import Cooperative

    with read_session(get_engine(url)) as session:
        rows = session.execute(
            sa.select(col(Cooperative.code), col(Cooperative.members)).where(col(Cooperative.code).in_(codes))
        )
        return {code: int(members or 0) for code, members in rows}


def editor(url: str, seconds: float, name: str, district: str, codes: list[str], seed: int) -> dict[str, Any]:
    from linkage.accounts.users import Actor
    from linkage.errors import StaleEdit
    from linkage.records import forms
    from linkage.store.db import get_engine

    engine = get_engine(url)
    actor = Actor(name, "officer", district)
    rng = random.Random(seed)
    saved: Counter[str] = Counter()
    stale = 0
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        code = rng.choice(codes)
        start = time.perf_counter()
        try:
            original = forms.read(engine, actor, "cooperatives", code)
            members = int(original.values["members"] or 0) + 1
            forms.save(engine, actor, "cooperatives", {**original.values, "members": str(members)}, original)
            saved[code] += 1
        except StaleEdit:
            stale += 1
        except Exception as exc:  # counted, never hidden
            errors.append(f"{type(exc).__name__}: {exc}")
        latencies.append(time.perf_counter() - start)
    return {"saved": dict(saved), "stale": stale, "latencies": latencies, "errors": errors}


def reader(url: str, seconds: float) -> dict[str, Any]:
    from linkage.counting.coverage import coverage
    from linkage.store.db import data_version, get_engine

    engine = get_engine(url)
    latencies: list[float] = []
    errors: list[str] = []
    reloads = 0
    seen = -1
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        start = time.perf_counter()
        try:
            version = data_version(engine)  # what the coverage cache is keyed by: a new one reloads the facts
            reloads += version != seen
            seen = version
            coverage(engine, date.today())
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        latencies.append(time.perf_counter() - start)
    return {"latencies": latencies, "errors": errors, "reloads": reloads}


def _p(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0] * 1000
    return statistics.quantiles(values, n=100)[int(q) - 1] * 1000


def run(url: str, editors: int = 6, readers: int = 3, seconds: float = 20.0) -> LoadResult:
    """Start the worker processes, wait for them, and check every acknowledged save is stored."""
    district, codes = _pool(url)
    before = _members(url, codes)
    procs: list[tuple[str, subprocess.Popen[str]]] = []
    for i in range(editors):
        args = ["editor", url, str(seconds), f"load-editor-{i}", district, ",".join(codes), str(i)]
        procs.append(("editor", _spawn(args)))
    for _ in range(readers):
        procs.append(("reader", _spawn(["reader", url, str(seconds)])))
    results: list[tuple[str, dict[str, Any]]] = []
    for kind, proc in procs:
        out, err = proc.communicate(timeout=seconds + 300)
        if proc.returncode != 0:
            results.append((kind, {"latencies": [], "errors": [f"worker exited {proc.returncode}: {err[-500:]}"]}))
        else:
            results.append((kind, json.loads(out)))
    saved: Counter[str] = Counter()
    for kind, r in results:
        if kind == "editor":
            saved.update(r.get("saved", {}))
    after = _members(url, codes)
    lost = sum(before[c] + saved[c] - after[c] for c in codes)
    edits = [r for k, r in results if k == "editor"]
    reads = [r for k, r in results if k == "reader"]
    save_lat = [x for r in edits for x in r["latencies"]]
    read_lat = [x for r in reads for x in r["latencies"]]
    from linkage.store.db import get_engine

    return LoadResult(
        backend=get_engine(url).dialect.name,
        editors=editors,
        readers=readers,
        seconds=seconds,
        saves=sum(saved.values()),
        stale=sum(r.get("stale", 0) for r in edits),
        reads=len(read_lat),
        errors=[e for _, r in results for e in r["errors"]],
        lost_updates=lost,
        save_p50_ms=_p(save_lat, 50),
        save_p95_ms=_p(save_lat, 95),
        read_p50_ms=_p(read_lat, 50),
        read_p95_ms=_p(read_lat, 95),
        reloads=sum(r.get("reloads", 0) for r in reads),
        load_average=os.getloadavg()[0],
    )


def _spawn(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bench.load", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "editor":
        url, seconds, name, district, codes, seed = argv[1:7]
        print(json.dumps(editor(url, float(seconds), name, district, codes.split(","), int(seed))))
        return 0
    if argv and argv[0] == "reader":
        print(json.dumps(reader(argv[1], float(argv[2]))))
        return 0
    parser = argparse.ArgumentParser(description="Concurrent editors and dashboard readers; counts lost updates.")
    parser.add_argument("--db", required=True, metavar="URL")
    parser.add_argument("--editors", type=int, default=6)
    parser.add_argument("--readers", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args(argv)
    from linkage.store.db import resolve_url

    result = run(resolve_url(args.db), args.editors, args.readers, args.seconds)
    print(json.dumps(result.__dict__, indent=2))
    return 0 if result.lost_updates == 0 and not result.errors else 1


if __name__ == "__main__":
    sys.exit(main())
