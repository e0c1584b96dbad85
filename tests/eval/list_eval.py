#!/usr/bin/env python3
"""list_eval.py - does a tools/list still carry the words to pick the right tool?

A proxy for a model choosing from the static list: plain BM25 over what each
listed tool says (name, title, description, its arguments' names and their
descriptions), scored on the same requests as search_eval.py. It reads only
the list, never the registry, so a leaner list that drops the words a
reader needs scores lower; the search's own ranking (search_eval.py) is not
involved.

  list_eval.py [--set holdout.jsonl] [--floor-top1 P] [--floor-top5 P] [-v] <tools.json
      tools.json: a JSON array of tool definitions (`switchboard tools --json`)
      or a tools/list answer ({"result": {"tools": [...]}}).
"""
import argparse
import json
import math
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
STOP = set("a an and are as at be by for from i in into is it its me my of on or "
           "our the their them this to we with you your".split())
WEIGHTS = {"name": 3, "title": 2, "description": 1, "args": 1}


def words(text):
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)
    out = []
    for w in re.findall(r"[a-z0-9]+", text.lower()):
        if w in STOP:
            continue
        for suffix in ("ing", "ed", "es", "s"):
            if len(w) > len(suffix) + 2 and w.endswith(suffix):
                w = w[: -len(suffix)]
                break
        out.append(w)
    return out


def arg_text(schema, out):
    """The arguments' names and descriptions (the top level: what a reader
    skims to choose; the nesting is for filling them in)."""
    for name, sub in ((schema or {}).get("properties") or {}).items():
        out.append(name)
        if isinstance(sub, dict) and isinstance(sub.get("description"), str):
            out.append(sub["description"])


def bags(tools):
    docs = []
    for t in tools:
        args = []
        arg_text(t.get("inputSchema"), args)
        fields = {"name": t["name"].replace("_", " "), "title": t.get("title", ""),
                  "description": t.get("description", ""), "args": " ".join(args)}
        bag = {}
        for f, text in fields.items():
            for w in words(text):
                bag[w] = bag.get(w, 0) + WEIGHTS[f]
        docs.append((t["name"], bag))
    return docs


def rank(docs, query, k1=1.2, b=0.75):
    n = len(docs)
    avg = sum(sum(bag.values()) for _, bag in docs) / n
    df = {}
    for _, bag in docs:
        for w in bag:
            df[w] = df.get(w, 0) + 1
    q = words(query)
    scored = []
    for name, bag in docs:
        length = sum(bag.values())
        s = 0.0
        for w in q:
            tf = bag.get(w, 0)
            if tf:
                idf = math.log(1 + (n - df[w] + 0.5) / (df[w] + 0.5))
                s += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / avg))
        scored.append((-s, name))
    scored.sort()
    return [name for _, name in scored]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", default="requests.jsonl")
    ap.add_argument("--floor-top1", type=float, default=0)
    ap.add_argument("--floor-top5", type=float, default=0)
    ap.add_argument("-v", action="store_true")
    a = ap.parse_args()
    data = json.load(sys.stdin)
    tools = data["result"]["tools"] if isinstance(data, dict) else data
    docs = bags([t for t in tools if not t["name"].startswith("switchboard_")])
    with open(os.path.join(HERE, a.set)) as f:
        reqs = [json.loads(line) for line in f if line.strip()]
    t1 = t5 = 0
    for r in reqs:
        names = rank(docs, r["q"])[:5]
        t1 += names[0] in r["ok"]
        t5 += any(n in r["ok"] for n in names)
        if a.v and names[0] not in r["ok"]:
            print(f"miss: {r['q']!r} -> {names} (want {r['ok']})")
    top1, top5 = 100 * t1 / len(reqs), 100 * t5 / len(reqs)
    print(f"list proxy ({a.set}, {len(docs)} tools): top-1 {top1:.1f}%, top-5 {top5:.1f}%")
    if top1 < a.floor_top1 or top5 < a.floor_top5:
        print(f"FAIL: below the floor (top-1 {a.floor_top1}%, top-5 {a.floor_top5}%)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
