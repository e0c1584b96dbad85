#!/usr/bin/env python3
"""vcheck.py FILE N KEY=VALUE... - line N (from 1) of FILE, the JSON lines of
switchboard auth check-token, has each: status=401, subject=alice,
groups=a,b and scopes=a,b (exactly, in order), reason~REGEX and
www~REGEX (searched), www= (no WWW-Authenticate). Prints FAIL and exits 1
otherwise."""
import json
import re
import sys


def main():
    lines = open(sys.argv[1]).read().splitlines()
    n = int(sys.argv[2])
    if len(lines) < n:
        print(f"FAIL: verdict {n} missing; got {len(lines)}: {lines}")
        return 1
    v = json.loads(lines[n - 1])
    caller = v.get("caller") or {}
    for cond in sys.argv[3:]:
        if "~" in cond and ("=" not in cond or cond.index("~") < cond.index("=")):
            key, pat = cond.split("~", 1)
            have = {"reason": v.get("reason"), "www": v.get("www_authenticate")}[key] or ""
            ok = re.search(pat, have) is not None
        else:
            key, want = cond.split("=", 1)
            if key == "status":
                have, ok = v.get("status"), v.get("status") == int(want)
            elif key == "subject":
                have, ok = caller.get("subject"), caller.get("subject") == want
            elif key in ("groups", "scopes"):
                have = caller.get(key)
                ok = have == (want.split(",") if want else [])
            elif key == "www":
                have, ok = v.get("www_authenticate"), v.get("www_authenticate") == (want or None)
            else:
                raise SystemExit(f"vcheck: unknown key {key}")
        if not ok:
            print(f"FAIL: verdict {n}: wanted {cond}, have {have!r}: {lines[n - 1]}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
