#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn one benchmark run into a table, a JSON file and plots.

usage: report.py RUNDIR [--doc DOCFILE FIGDIR]

RUNDIR holds, per part (host, nested, viommu, drivers), PART.out (the VM's output
with "VFP-BENCH {json}" lines) and PART.plugin (the instruction-counting
plugin's "vfp-mark ID ALL KERNEL" lines), plus meta.json.  Each result's
window is marks 2*mark and 2*mark+1; the VM's idle instructions per second
(the idle window of the same VM) are subtracted from it.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys

PARTS = ("host", "nested", "viommu", "drivers")

# (suite, workload, A, B, target, what): ratios are A over B.
PAIRS = [
    ("host", "tx64", "vhost-fp", "vhost-net", 1.5, "pps"),
    ("host", "rx64", "vhost-fp", "vhost-net", 1.3, "pps"),
    ("host", "tx1500", "vhost-fp", "vhost-net", None, "pps"),
    ("host", "tx1500", "vhost-fp zc", "vhost-net zc", None, "pps"),
    ("host", "tx1500", "vhost-fp zc", "vhost-fp", None, "pps"),
    ("host", "rx1500", "vhost-fp", "vhost-net", None, "pps"),
    # Zero-copy is vhost-fp's opt-in (Documentation/vhostfp.rst, "Zero-copy
    # and the host's egress"): the target is on it, the default is copy.
    ("host", "gso", "vhost-fp", "vhost-net", None, "pps"),
    ("host", "gso", "vhost-fp zc", "vhost-net", 2.0, "pps"),
    ("host", "gso", "vhost-fp zc", "vhost-net zc", None, "pps"),
    ("host", "gso", "vhost-fp zc", "vhost-fp", None, "pps"),
    ("host", "pingpong", "vhost-fp", "vhost-net", 1.0, "rtt"),
    ("host", "tx64", "vhost-fp packed", "vhost-net", None, "pps"),
    ("host", "tx64", "vhost-fp packed", "vhost-fp", None, "pps"),
    ("host", "rx64", "vhost-fp packed", "vhost-net", None, "pps"),
    ("host", "rx64", "vhost-fp packed", "vhost-fp", None, "pps"),
    ("host", "pingpong", "vhost-fp packed", "vhost-net", None, "rtt"),
]
for _wl, _t3 in (("tcp_tx", 3.0), ("tcp_rx", 3.0), ("udp64_tx", None), ("ping", None)):
    _what = "rtt" if _wl == "ping" else ("pps" if _wl.startswith("udp") else "mbps")
    PAIRS.append(("nested", _wl, "vhostfp", "vhost_net", 1.0 if _wl != "udp64_tx" else None, _what))
    PAIRS.append(("nested", _wl, "vhostfp", "qemu", _t3, _what))
    PAIRS.append(("nested", _wl, "vhost_net", "qemu", None, _what))
    PAIRS.append(("drivers", _wl, "virtio_guest", "virtio_net",
                  1.0 if _wl != "ping" else None, _what))
    # Behind L2's vIOMMU: against vhost_net there, and each device against
    # itself without iommu_platform in the same L2 (how much the IOTLB costs).
    if _wl != "udp64_tx":
        PAIRS.append(("viommu", _wl, "vhostfp-viommu", "vhost_net-viommu",
                      1.0 if _wl != "ping" else None, _what))
        PAIRS.append(("viommu", _wl, "vhostfp", "vhost_net", None, _what))
        PAIRS.append(("viommu", _wl, "vhostfp-viommu", "vhostfp", None, _what))
        PAIRS.append(("viommu", _wl, "vhost_net-viommu", "vhost_net", None, _what))

UNITS = {"pps": "packets/s", "mbps": "Mbit/s", "rtt": "us RTT"}


def load_marks(path):
    marks = {}
    if not os.path.exists(path):
        return marks
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) == 4 and w[0] == "vfp-mark":
                marks[int(w[1])] = (int(w[2]), int(w[3]))
    return marks


def load_results(path):
    res = []
    if not os.path.exists(path):
        return res
    with open(path) as f:
        for line in f:
            i = line.find("VFP-BENCH {")
            if i < 0:
                continue
            try:
                res.append(json.loads(line[i + len("VFP-BENCH "):]))
            except ValueError:
                pass
    return res


def variant(r):
    """The name of what ran: device or backend, zero-copy when it is not the default."""
    d = r.get("dev", "")
    if r["suite"] == "host":
        if d == "vhost-net" and r.get("zc") == 1:
            return "vhost-net zc"
        if d == "vhost-fp" and r.get("zc") == 1:
            return "vhost-fp zc"
        if d == "vhost-fp" and r.get("ring") == "packed":
            return "vhost-fp packed"
    return d


def annotate(r, marks, idle):
    """Add the value (higher is better, or RTT) and instructions per unit."""
    wl = r["workload"]
    secs = float(r.get("secs", 0)) or 1e-9
    if r["suite"] == "host":
        n = r["packets"]
        if wl == "pingpong":
            r["value"], r["what"] = secs / n * 1e6, "rtt"
        else:
            r["value"], r["what"] = n / secs, "pps"
        r["unit_name"] = "round trip" if wl == "pingpong" else "packet"
    elif wl.startswith("tcp"):
        n = r["bytes"] / 1024.0
        r["value"], r["what"], r["unit_name"] = r["bytes"] * 8 / secs / 1e6, "mbps", "KiB"
    elif wl.startswith("udp"):
        n = r["packets"]
        r["value"], r["what"], r["unit_name"] = n / secs, "pps", "packet"
    else:
        n = r["packets"]
        r["value"], r["what"], r["unit_name"] = r["rtt_ms"] * 1000, "rtt", "ping"
    if "irqs" in r and n:
        r["irqs_per_unit"] = r["irqs"] / n   # the client NIC's interrupts
    m = r.get("mark", -1)
    b, e = marks.get(2 * m), marks.get(2 * m + 1)
    if b and e and n:
        win_all, win_kern = e[0] - b[0], e[1] - b[1]
        wsecs = float(r.get("secs", 0))
        if wl == "ping":
            wsecs = 0
        r["insns"] = win_all
        r["insns_kernel"] = win_kern
        r["insns_per_unit"] = max(win_all - idle[0] * wsecs, 0) / n
        r["kernel_insns_per_unit"] = max(win_kern - idle[1] * wsecs, 0) / n
    return r


def median(xs):
    return statistics.median(xs) if xs else None


def summarise(results):
    groups = {}
    for r in results:
        if "value" not in r:
            continue
        key = (r["suite"], r["workload"], variant(r))
        groups.setdefault(key, []).append(r)
    summary = {}
    for key, rs in groups.items():
        ipu = [r["insns_per_unit"] for r in rs if "insns_per_unit" in r]
        kpu = [r["kernel_insns_per_unit"] for r in rs if "kernel_insns_per_unit" in r]
        vals = [r["value"] for r in rs]
        irq = [r["irqs_per_unit"] for r in rs if "irqs_per_unit" in r]
        summary[key] = {
            "rounds": len(rs), "what": rs[0]["what"], "unit_name": rs[0]["unit_name"],
            "value": median(vals), "min": min(vals), "max": max(vals),
            "insns_per_unit": median(ipu), "kernel_insns_per_unit": median(kpu),
            "insns_spread": (max(ipu) - min(ipu)) / median(ipu) if len(ipu) > 1 and median(ipu) else 0,
            "irqs_per_unit": median(irq),
        }
    return summary


def ratio_rows(summary):
    rows = []
    for suite, wl, a, b, target, what in PAIRS:
        sa, sb = summary.get((suite, wl, a)), summary.get((suite, wl, b))
        if not sa or not sb:
            continue
        # For RTT lower is better: the target is then an upper bound.
        speed = sa["value"] / sb["value"] if sb["value"] else None
        cost = None
        if sa["insns_per_unit"] and sb["insns_per_unit"] and sa["value"]:
            cost = sb["insns_per_unit"] / sa["insns_per_unit"]
        rows.append({"suite": suite, "workload": wl, "a": a, "b": b, "what": what,
                     "a_value": sa["value"], "b_value": sb["value"], "ratio": speed,
                     "a_insns": sa["insns_per_unit"], "b_insns": sb["insns_per_unit"],
                     "a_kinsns": sa["kernel_insns_per_unit"],
                     "b_kinsns": sb["kernel_insns_per_unit"],
                     "unit_name": sa["unit_name"], "cost_ratio": cost, "target": target})
    return rows


def fmt(x, nd=0):
    if x is None:
        return "-"
    if abs(x) >= 1e5:
        return "%.3g" % x
    return ("%." + str(nd) + "f") % x


def table(rows):
    head = ["suite", "workload", "A / B", "A", "B", "unit", "ratio", "insn/unit A", "insn/unit B",
            "cost ratio", "target"]
    out = [head]
    for r in rows:
        tgt = "-"
        if r["target"] is not None:
            tgt = ("<= %.1f" if r["what"] == "rtt" else ">= %.1f") % r["target"]
        out.append([r["suite"], r["workload"], "%s / %s" % (r["a"], r["b"]),
                    fmt(r["a_value"], 1), fmt(r["b_value"], 1), UNITS[r["what"]],
                    fmt(r["ratio"], 2), fmt(r["a_insns"]) + "/" + r["unit_name"],
                    fmt(r["b_insns"]), fmt(r["cost_ratio"], 2), tgt])
    return out


def print_table(t):
    w = [max(len(row[i]) for row in t) for i in range(len(t[0]))]
    for i, row in enumerate(t):
        print("  ".join(c.ljust(w[j]) for j, c in enumerate(row)))
        if i == 0:
            print("  ".join("-" * x for x in w))


def rst_table(t):
    w = [max(len(row[i]) for row in t) for i in range(len(t[0]))]
    sep = " ".join("=" * x for x in w)
    lines = [sep, " ".join(c.ljust(w[j]) for j, c in enumerate(t[0])), sep]
    for row in t[1:]:
        lines.append(" ".join(c.ljust(w[j]) for j, c in enumerate(row)))
    lines.append(sep)
    return "\n".join(lines)


def plot(summary, outdir):
    """One PNG per (suite, workload): throughput (or RTT) and instructions per unit."""
    pngs = []
    if not shutil.which("gnuplot"):
        return pngs
    keys = sorted({(s, w) for s, w, _ in summary})
    for suite, wl in keys:
        vs = sorted(v for s, w, v in summary if (s, w) == (suite, wl))
        dat = os.path.join(outdir, "%s-%s.dat" % (suite, wl))
        with open(dat, "w") as f:
            for i, v in enumerate(vs):
                s = summary[(suite, wl, v)]
                f.write('%d "%s" %g %g %g %g\n' % (i, v, s["value"], s["min"], s["max"],
                                                    s["insns_per_unit"] or 0))
        first = summary[(suite, wl, vs[0])]
        png = os.path.join(outdir, "bench-%s-%s.png" % (suite, wl))
        script = """
set terminal pngcairo noenhanced size 900,360 font ",9"
set output '%s'
set multiplot layout 1,2 title '%s %s (median of rounds, bars: min..max)'
set style fill solid 0.6
set boxwidth 0.6
set yrange [0:*]
set xrange [-0.6:%f]
set grid ytics
set ylabel '%s'
plot '%s' using 1:3:xtic(2) with boxes notitle, '' using 1:3:4:5 with yerrorbars lc rgb 'black' pt 0 notitle
set ylabel 'instructions per %s (whole VM)'
plot '%s' using 1:6:xtic(2) with boxes lc rgb '#4070a0' notitle
unset multiplot
""" % (png, suite, wl, len(vs) - 0.4, UNITS[first["what"]], dat, first["unit_name"], dat)
        r = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
        if r.returncode == 0:
            pngs.append(png)
        else:
            sys.stderr.write("gnuplot %s: %s\n" % (png, r.stderr))
    return pngs


def update_doc(doc, figdir, t, pngs, meta):
    os.makedirs(figdir, exist_ok=True)
    for p in pngs:
        shutil.copy(p, figdir)
    figs = "\n\n".join(".. image:: figures/%s\n   :alt: %s" % (os.path.basename(p),
                                                             os.path.basename(p)[6:-4])
                       for p in pngs)
    block = ("Run of %s on kernel %s, %s rounds host / %s rounds nested, viommu and drivers; "
             "load average %s at the start and %s at the end.\n\n%s\n\n%s\n" %
             (meta.get("date"), meta.get("kernel"), meta.get("rounds"),
              meta.get("nested_rounds"), meta.get("load_start"), meta.get("load_end"),
              rst_table(t), figs))
    with open(doc) as f:
        text = f.read()
    a, b = ".. bench-results-start", ".. bench-results-end"
    i, j = text.find(a), text.find(b)
    if i < 0 or j < 0:
        sys.stderr.write("%s: no %s/%s markers, not updated\n" % (doc, a, b))
        return
    text = text[:i + len(a)] + "\n\n" + block + "\n" + text[j:]
    with open(doc, "w") as f:
        f.write(text)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    run = sys.argv[1]
    meta = {}
    if os.path.exists(os.path.join(run, "meta.json")):
        with open(os.path.join(run, "meta.json")) as f:
            meta = json.load(f)
    results = []
    idle_rate = {}
    for part in PARTS:
        marks = load_marks(os.path.join(run, part + ".plugin"))
        rs = load_results(os.path.join(run, part + ".out"))
        idle = (0.0, 0.0)
        for r in rs:
            if r.get("suite") == "idle":
                b, e = marks.get(2 * r["mark"]), marks.get(2 * r["mark"] + 1)
                if b and e:
                    idle = ((e[0] - b[0]) / r["secs"], (e[1] - b[1]) / r["secs"])
        idle_rate[part] = idle
        for r in rs:
            if r.get("suite") in ("idle", None):
                continue
            results.append(annotate(r, marks, idle))
    summary = summarise(results)
    rows = ratio_rows(summary)
    t = table(rows)
    print_table(t)
    out = {"meta": meta, "idle_insns_per_sec": idle_rate, "rounds": results,
           "summary": [dict(zip(("suite", "workload", "variant"), k), **v)
                       for k, v in sorted(summary.items())],
           "ratios": rows}
    with open(os.path.join(run, "bench.json"), "w") as f:
        json.dump(out, f, indent=1)
    pngs = plot(summary, run)
    print("\nJSON: %s\nplots: %d in %s" % (os.path.join(run, "bench.json"), len(pngs), run))
    if len(sys.argv) >= 5 and sys.argv[2] == "--doc":
        update_doc(sys.argv[3], sys.argv[4], t, pngs, meta)


if __name__ == "__main__":
    main()
