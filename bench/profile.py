#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Instructions per packet by kernel function, device against device.

usage: profile.py RUNDIR [TOP]

RUNDIR holds profile.out (VFP-BENCH lines of bench/profile.sh), profile.plugin
(the plugin's log with profile=on: "vfp-prof WINDOW VADDR INSNS") and
kallsyms of the same boot.  For each workload, prints the TOP (default 25)
functions by instructions per packet on either device, both devices side by
side, and the totals; user-space blocks count as "[user]".
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
                runs.setdefault(r["workload"], {})[r["dev"]] = r
    for wl, devs in runs.items():
        net, fp = devs.get("vhost-net"), devs.get("vhost-fp")
        if not net or not fp:
            continue
        pn, pf = prof.get(net["mark"], {}), prof.get(fp["mark"], {})
        nn, nf = net["packets"], fp["packets"]
        tn, tf = sum(pn.values()) / nn, sum(pf.values()) / nf
        print("\n%s: instructions per packet, vhost-net %.0f, vhost-fp %.0f (ratio %.2f)" %
              (wl, tn, tf, tn / tf if tf else 0))
        keys = sorted(set(pn) | set(pf), key=lambda k: -max(pn.get(k, 0) / nn, pf.get(k, 0) / nf))
        print("  %-44s %10s %10s %10s" % ("function", "vhost-net", "vhost-fp", "fp - net"))
        for k in keys[:top]:
            a, b = pn.get(k, 0) / nn, pf.get(k, 0) / nf
            print("  %-44s %10.0f %10.0f %+10.0f" % (k[:44], a, b, b - a))
        keys = sorted(set(pn) | set(pf), key=lambda k: -abs(pf.get(k, 0) / nf - pn.get(k, 0) / nn))
        print("  largest differences:")
        for k in keys[:top // 2]:
            a, b = pn.get(k, 0) / nn, pf.get(k, 0) / nf
            print("  %-44s %10.0f %10.0f %+10.0f" % (k[:44], a, b, b - a))


if __name__ == "__main__":
    main()
