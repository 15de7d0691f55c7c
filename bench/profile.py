#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Instructions per packet by kernel function, device against device.

usage: profile.py RUNDIR [TOP]

RUNDIR holds profile.out (VFP-BENCH lines of bench/profile.sh),
profile.plugin (the plugin's log with profile=on:
"vfp-prof WINDOW VADDR INSNS") and kallsyms of the same boot.  For each
workload, prints the TOP (default 25) functions by instructions per packet
(per KiB for TCP, which counts no packets) on either side of a pair,
vhost-net against vhost-fp or virtio_net against virtio_guest, and the
totals; user-space blocks count as "[user]".  (The virtio_net/virtio_guest
pair has no profile run yet: bench/drivers.sh reloads the modules every
round, so one kallsyms does not cover its windows.)
"""
import bisect
import json
import sys


def load_kallsyms(path):
    syms = []
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) >= 3 and w[1] in "tTwW":
                mod = w[3] if len(w) > 3 else ""
                syms.append((int(w[0], 16), w[2] + (" " + mod if mod else "")))
    syms.sort()
    return [a for a, _ in syms], [n for _, n in syms]


def main():
    run = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    addrs, names = load_kallsyms(run + "/kallsyms")
    prof = {}
    with open(run + "/profile.plugin") as f:
        for line in f:
            w = line.split()
            if len(w) != 4 or w[0] != "vfp-prof":
                continue
            win, va, n = int(w[1]), int(w[2], 16), int(w[3])
            if va < 0xffff800000000000:
                name = "[user]"
            else:
                i = bisect.bisect_right(addrs, va) - 1
                name = names[i] if i >= 0 else "[?]"
            d = prof.setdefault(win, {})
            d[name] = d.get(name, 0) + n
    runs = {}
    with open(run + "/profile.out") as f:
        for line in f:
            i = line.find("VFP-BENCH {")
            if i >= 0:
                r = json.loads(line[i + 10:])
                if "dev" in r:      # not the idle window
                    runs.setdefault(r["workload"], {})[r["dev"]] = r
    for wl, devs in runs.items():
        for ref, dut in PAIRS:
            if ref in devs and dut in devs:
                compare(wl, ref, dut, devs[ref], devs[dut], prof, top)


def units(r):
    """Packets moved in the window, or KiB where the workload counts none."""
    if r.get("packets"):
        return r["packets"], "packet"
    return r.get("bytes", 0) / 1024, "KiB"


def compare(wl, ref, dut, a, b, prof, top):
    pa, pb = prof.get(a["mark"], {}), prof.get(b["mark"], {})
    (na, unit), (nb, _) = units(a), units(b)
    if not na or not nb:
        return
    ta, tb = sum(pa.values()) / na, sum(pb.values()) / nb
    print("\n%s: instructions per %s, %s %.0f, %s %.0f (ratio %.2f)" %
          (wl, unit, ref, ta, dut, tb, ta / tb if tb else 0))
    keys = sorted(set(pa) | set(pb), key=lambda k: -max(pa.get(k, 0) / na, pb.get(k, 0) / nb))
    print("  %-44s %12s %12s %10s" % ("function", ref, dut, "diff"))
    for k in keys[:top]:
        x, y = pa.get(k, 0) / na, pb.get(k, 0) / nb
        print("  %-44s %12.0f %12.0f %+10.0f" % (k[:44], x, y, y - x))
    keys = sorted(set(pa) | set(pb), key=lambda k: -abs(pb.get(k, 0) / nb - pa.get(k, 0) / na))
    print("  largest differences:")
    for k in keys[:top // 2]:
        x, y = pa.get(k, 0) / na, pb.get(k, 0) / nb
        print("  %-44s %12.0f %12.0f %+10.0f" % (k[:44], x, y, y - x))


# (reference, device under test), as the benchmark's ratios pair them.
PAIRS = (("vhost-net", "vhost-fp"), ("virtio_net", "virtio_guest"))

if __name__ == "__main__":
    main()
