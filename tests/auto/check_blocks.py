"""Compare what tests/auto/handoff measured (stdin of the program: one line
per thread, "NAME reason=ns ...") with `lotrace tasks --json`'s per-thread
blocked time by reason and wakers.  Usage: check_blocks.py MEASURED TASKS_JSON
[THREAD:REASON:WAKER ...]: each such block must be woken, every time, by the
thread named WAKER.  Exit 1 with a line per difference."""
import json
import sys

TOLERANCE = 0.10      # of the measured time
SLACK_NS = 2_000_000  # and 2 ms (scheduling on a loaded machine)
WAKERS = {tuple(a.split(":")[:2]): a.split(":")[2] for a in sys.argv[3:]}

measured = {}
for line in open(sys.argv[1]):
    name, *fields = line.split()
    measured[name] = {k: int(v) for k, v in (f.split("=") for f in fields)}
doc = json.load(open(sys.argv[2]))
traced = {t["name"]: t for t in doc["threads"]}
bad = 0
for name, reasons in measured.items():
    t = traced.get(name)
    if t is None:
        print(f"thread {name}: not in the trace ({sorted(traced)})")
        bad += 1
        continue
    for reason, ns in reasons.items():
        got = t["blocked_by"].get(reason, {}).get("ns", 0)
        if abs(got - ns) > TOLERANCE * ns + SLACK_NS:
            print(f"thread {name}: {reason} measured {ns} ns, traced {got} ns")
            bad += 1
        waker = WAKERS.get((name, reason))
        if waker:
            r = t["blocked_by"].get(reason, {})
            names = {w["name"] for w in r.get("wakers", [])}
            if names != {waker} or r.get("woken_count") != r.get("count"):
                print(f"thread {name}: {reason} woken by {names}, "
                      f"{r.get('woken_count')} of {r.get('count')}; expected all by {waker}")
                bad += 1
sys.exit(1 if bad else 0)
