#!/usr/bin/env python3
"""search_eval.py - scores switchboard_search on tests/eval/requests.jsonl.

Each line of requests.jsonl is one user request in the user's own words
("q"), the connector the user means ("c", for the per-connector score) and
the tool names that would be right ("ok"). The search runs over the full
registry (--all), five hits per request.

  search_eval.py --emit            print the tools/call messages (in.py)
  search_eval.py --score [--floor-top1 P] [--floor-top5 P] [-v]
                                   read the server's answers on stdin, print
                                   top-1 and top-5 per connector and overall,
                                   exit 1 below a floor (percentages)
  search_eval.py --run BIN [-v]    start BIN itself and score (for people)
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FIRST_ID = 1000
MAX_ANSWER = 1536  # bytes of a search answer's text


def load(name):
    with open(os.path.join(HERE, name)) as f:
        return [json.loads(line) for line in f if line.strip()]


def emit(reqs, out):
    for i, r in enumerate(reqs):
        out.write(json.dumps({"jsonrpc": "2.0", "id": FIRST_ID + i, "method": "tools/call",
                              "params": {"name": "switchboard_search",
                                         "arguments": {"query": r["q"], "limit": 5}}}) + "\n")


def score(reqs, lines, floor1, floor5, verbose):
    hits, sizes = {}, []
    for line in lines:
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if not isinstance(msg.get("id"), int) or msg["id"] < FIRST_ID:
            continue
        res = msg.get("result", {})
        sizes.append(len(res.get("content", [{}])[0].get("text", "")))
        data = res.get("structuredContent", {}).get("data", [])
        hits[msg["id"] - FIRST_ID] = [h.get("name") for h in data if isinstance(h, dict)]
    per = {}
    for i, r in enumerate(reqs):
        names = hits.get(i, [])
        t1 = bool(names) and names[0] in r["ok"]
        t5 = any(n in r["ok"] for n in names[:5])
        p = per.setdefault(r["c"], [0, 0, 0])
        p[0] += 1
        p[1] += t1
        p[2] += t5
        if verbose and not t1:
            print(f"{'miss' if not t5 else 'top5'}: {r['q']!r} -> {names[:5]} (want {r['ok']})")
    total = [sum(p[k] for p in per.values()) for k in range(3)]
    print(f"{'connector':<12} {'n':>4} {'top-1':>7} {'top-5':>7}")
    for c in sorted(per):
        n, a, b = per[c]
        print(f"{c:<12} {n:>4} {100 * a / n:6.1f}% {100 * b / n:6.1f}%")
    n, a, b = total
    top1, top5 = 100 * a / n, 100 * b / n
    print(f"{'overall':<12} {n:>4} {top1:6.1f}% {top5:6.1f}%")
    if sizes:
        print(f"answer size: max {max(sizes)} bytes, mean {sum(sizes) // len(sizes)} bytes")
    if len(hits) != len(reqs):
        print(f"FAIL: {len(reqs) - len(hits)} requests got no answer")
        return 1
    if sizes and max(sizes) > MAX_ANSWER:
        print(f"FAIL: an answer of {max(sizes)} bytes, more than {MAX_ANSWER}")
        return 1
    if top1 < floor1 or top5 < floor5:
        print(f"FAIL: below the floor (top-1 {floor1}%, top-5 {floor5}%)")
        return 1
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--emit", action="store_true")
    ap.add_argument("--score", action="store_true")
    ap.add_argument("--run")
    ap.add_argument("--floor-top1", type=float, default=0)
    ap.add_argument("--floor-top5", type=float, default=0)
    ap.add_argument("-v", action="store_true")
    ap.add_argument("--set", default="requests.jsonl", help="the requests file in tests/eval")
    a = ap.parse_args()
    reqs = load(a.set)
    if a.emit:
        emit(reqs, sys.stdout)
        return 0
    if a.score:
        return score(reqs, sys.stdin.read().splitlines(), a.floor_top1, a.floor_top5, a.v)
    if a.run:
        with tempfile.TemporaryDirectory() as tmp:
            env = dict(os.environ, HOME=tmp, XDG_CONFIG_HOME=tmp, XDG_DATA_HOME=tmp)
            import io
            buf = io.StringIO()
            emit(reqs, buf)
            p = subprocess.run([a.run, "--all", "--mode", "discover", "serve"], input=buf.getvalue(),
                               capture_output=True, text=True, env=env, timeout=120)
        return score(reqs, p.stdout.splitlines(), a.floor_top1, a.floor_top5, a.v)
    ap.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
