#!/usr/bin/env python3
"""Turn the guest's benchmark rows into results, a table and a plot.

usage: bench-report.py OUTDIR KERNEL=ROWS [KERNEL=ROWS ...]

ROWS is a guest's output (tests/guest/bench.sh):
    bench ROUND MODE NAME OPS WALL_NS CPU_NS
    stat NAME VALUE
Writes into OUTDIR:
    results.csv   one row per kernel x benchmark x round x mode, with the
                  ratio to the unloaded run of the same round
    results.json  the same, plus per kernel x benchmark x mode the median
                  ratio, its spread (min, max) and the target
    summary.md    the table the README shows
    ratios.svg    the median ratios per kernel, with the targets (gnuplot),
    ratios.png    and the same as PNG
Exits non-zero if a kernel gave no rows.
"""
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

# name: (what it measures, target ratio of time per operation, goal)
BENCH = {
    "uring_4k": ("io_uring register+unregister, 512 x 4 KiB", 1.5, None),
    "pin_4k": ("driver pin_user_pages_fast+unpin, 512 x 4 KiB", 1.5, None),
    "uring_thp": ("io_uring register+unregister, one 2 MiB THP", 1.5, 1.1),
    "pin_thp": ("driver pin+unpin, one 2 MiB THP", 1.5, 1.1),
    "uring_hugetlb": ("io_uring register+unregister, one 2 MiB hugetlb",
                      1.5, 1.1),
    "pin_hugetlb": ("driver pin+unpin, one 2 MiB hugetlb", 1.5, 1.1),
    "pvm_readv": ("process_vm_readv, 512 pages", 1.2, None),
    "odirect_anon": ("O_DIRECT 4 KiB pread into anon memory, per I/O",
                     1.06, None),
    "odirect_file": ("O_DIRECT 4 KiB pread into an ext4 mapping, per I/O",
                     1.06, None),
    "fio_libaio": ("fio libaio 4 KiB randread qd8: 1 / IOPS ratio",
                   1 / 0.97, None),
    "fio_uring_fixed": ("fio io_uring --fixedbufs 4 KiB randread qd8: "
                        "1 / IOPS ratio", 1 / 0.97, None),
    "free": ("fault and free 64 MiB anon", 1.06, None),
    "exec": ("fork + exec /bin/true", 1.06, None),
    "fsync": ("64 KiB pwrite + fsync, ext4", 1.06, None),
    "pageout": ("fault 4 MiB of an ext4 mapping, MADV_PAGEOUT", 1.06, None),
    "latency_uring": ("cyclictest's worst wakeup latency (SCHED_FIFO 95, "
                      "500 us period) while io_uring registers 256 MiB of "
                      "4 KiB pages in a loop on its CPU", 1.5, None),
    "pin_held": ("pin_4k with many folios tracked (the memory row's count) "
                 "/ with 1 K; loaded, observe only", 1.2, None),
}
MODES = ("observe", "enforce")


def parse(path):
    runs, stats = [], {}
    with open(path, errors="replace") as f:
        for line in f:
            w = line.split()
            if len(w) == 7 and w[0] == "bench":
                try:
                    r, ops, wall, cpu = int(w[1]), int(w[4]), int(w[5]), \
                        int(w[6])
                except ValueError:
                    continue
                if ops > 0:
                    runs.append({"round": r, "mode": w[2], "bench": w[3],
                                 "ops": ops, "wall": wall / ops,
                                 "cpu": cpu / ops if cpu > 0 else None})
            elif len(w) == 3 and w[0] == "stat":
                stats[w[1]] = int(w[2])
    return runs, stats


def summarise(runs):
    """Per-round ratios against the unloaded run of the same round."""
    off = {(r["bench"], r["round"]): r for r in runs if r["mode"] == "off"}
    rows, ratios = [], {}
    for r in runs:
        if r["mode"] == "off" or r["bench"].startswith("pin_4k_held"):
            continue
        base = off.get((r["bench"], r["round"]))
        if not base:
            continue
        wr = r["wall"] / base["wall"]
        cr = r["cpu"] / base["cpu"] if r["cpu"] and base["cpu"] else None
        rows.append(dict(r, wall_ratio=wr, cpu_ratio=cr))
        ratios.setdefault((r["bench"], r["mode"]), []).append((wr, cr))
    # Many folios tracked against few: each many-round against the median
    # of the few-rounds (module loaded in both).
    few = [r for r in runs if r["bench"] == "pin_4k_held_few"]
    many = [r for r in runs if r["bench"] == "pin_4k_held_many"]
    if few and many:
        fw = statistics.median(r["wall"] for r in few)
        fc = statistics.median(r["cpu"] for r in few)
        for r in many:
            wr, cr = r["wall"] / fw, r["cpu"] / fc
            rows.append(dict(r, bench="pin_held", wall_ratio=wr,
                             cpu_ratio=cr))
            ratios.setdefault(("pin_held", "observe"), []).append((wr, cr))
    med = {}
    for key, v in ratios.items():
        w = [x[0] for x in v]
        c = [x[1] for x in v if x[1] is not None]
        med[key] = {
            "rounds": len(v),
            "wall": statistics.median(w), "wall_min": min(w),
            "wall_max": max(w),
            "cpu": statistics.median(c) if c else None,
            "cpu_min": min(c) if c else None,
            "cpu_max": max(c) if c else None,
        }
    return rows, med


def fmt(m):
    if not m:
        return "–"
    s = "%.2f" % m["wall"]
    s += " / %.2f" % m["cpu"] if m["cpu"] is not None else " / –"
    return s


def met(m, target):
    if not m:
        return None
    worst = max(m["wall"], m["cpu"] if m["cpu"] is not None else 0)
    return worst <= target


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    kernels, result = [], {}
    for arg in sys.argv[2:]:
        name, path = arg.split("=", 1)
        runs, stats = parse(path)
        if not runs:
            sys.exit("bench-report: no benchmark rows for %s in %s" %
                     (name, path))
        rows, med = summarise(runs)
        kernels.append(name)
        # memory_bytes / folios includes what is fixed at load (the
        # buckets, sized for max_entries, the reserve); the marginal cost
        # of a folio is the growth from few folios to many.
        per_folio = marginal = None
        if stats.get("folios_many"):
            per_folio = stats["memory_bytes_many"] / stats["folios_many"]
            df = stats["folios_many"] - stats.get("folios_few", 0)
            if df > 0 and "memory_bytes_few" in stats:
                marginal = (stats["memory_bytes_many"] -
                            stats["memory_bytes_few"]) / df
        result[name] = {"rows": rows, "medians": med, "stats": stats,
                        "bytes_per_folio": per_folio,
                        "bytes_per_folio_marginal": marginal}

    with open(os.path.join(out, "results.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["kernel", "benchmark", "round", "mode", "ops",
                    "wall_ns_per_op", "cpu_ns_per_op", "wall_ratio",
                    "cpu_ratio"])
        for k in kernels:
            for r in result[k]["rows"]:
                w.writerow([k, r["bench"], r["round"], r["mode"], r["ops"],
                            "%.0f" % r["wall"],
                            "%.0f" % r["cpu"] if r["cpu"] else "",
                            "%.4f" % r["wall_ratio"],
                            "%.4f" % r["cpu_ratio"] if r["cpu_ratio"]
                            else ""])
        for k in kernels:
            for (b, mode), m in sorted(result[k]["medians"].items()):
                w.writerow([k, b, "median", mode, "", "", "",
                            "%.4f" % m["wall"],
                            "%.4f" % m["cpu"] if m["cpu"] else ""])

    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    machine = "%s, %d CPUs" % (cpu_model(), os.cpu_count())
    js = {"date": stamp, "machine": machine, "kernels": {}}
    for k in kernels:
        js["kernels"][k] = {
            "bytes_per_folio": result[k]["bytes_per_folio"],
            "bytes_per_folio_marginal":
                result[k]["bytes_per_folio_marginal"],
            "stats": result[k]["stats"],
            "benchmarks": {
                b: {mode: result[k]["medians"].get((b, mode))
                    for mode in MODES if (b, mode) in result[k]["medians"]}
                for b in BENCH},
            "rows": result[k]["rows"],
        }
    js["targets"] = {b: {"what": v[0], "target": v[1], "goal": v[2]}
                     for b, v in BENCH.items()}
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(js, f, indent=1)

    # The table: per kernel, "wall / CPU" median ratios, per policy.
    md = ["Measured %s on %s; guest: QEMU TCG, 2 vCPUs." % (stamp, machine),
          "Median of the per-round ratios, module loaded / not loaded, "
          "wall / CPU time per operation; ✗ marks a ratio over target.", ""]
    for mode in MODES:
        if not any((b, mode) in result[k]["medians"]
                   for k in kernels for b in BENCH):
            continue
        md.append("**policy=%s**" % mode)
        md.append("")
        md.append("| benchmark | target | " + " | ".join(kernels) + " |")
        md.append("|---|---|" + "---|" * len(kernels))
        for b, (what, target, goal) in BENCH.items():
            cells = []
            for k in kernels:
                m = result[k]["medians"].get((b, mode))
                ok = met(m, target)
                cells.append(fmt(m) + ("" if ok in (None, True) else " ✗"))
            if all(c == "–" for c in cells):
                continue
            md.append("| `%s` %s | ≤ %.2f | %s |" %
                      (b, what, target, " | ".join(cells)))
        md.append("")
    md.append("| memory | target | " + " | ".join(kernels) + " |")
    md.append("|---|---|" + "---|" * len(kernels))
    md.append("| bytes per tracked folio (memory_bytes / active_folios "
              "at %s folios) | ≤ 64 | %s |" % (
                  "/".join(str(result[k]["stats"].get("folios_many", "?"))
                           for k in kernels),
                  " | ".join("%.1f" % result[k]["bytes_per_folio"]
                             if result[k]["bytes_per_folio"] else "–"
                             for k in kernels)))
    md.append("| bytes per folio added (memory_bytes growth / folios "
              "growth, few to many) | ≤ 64 | %s |" % " | ".join(
                  "%.1f" % result[k]["bytes_per_folio_marginal"]
                  if result[k]["bytes_per_folio_marginal"] else "–"
                  for k in kernels))
    with open(os.path.join(out, "summary.md"), "w") as f:
        f.write("\n".join(md) + "\n")

    plot(out, kernels, result, stamp)
    print("\n".join(md))


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def plot(out, kernels, result, stamp):
    """ratios.svg: a panel per policy, a bar per kernel, targets as dashes.
    The bar is the worse of the wall and CPU median ratios."""
    if not shutil.which("gnuplot"):
        print("bench-report: no gnuplot, no plot", file=sys.stderr)
        return
    names = list(BENCH)
    dat = os.path.join(out, "ratios.dat")
    with open(dat, "w") as f:
        for mode in MODES:
            f.write("# %s: bench target %s\n" % (mode, " ".join(kernels)))
            for b in names:
                vals = []
                for k in kernels:
                    m = result[k]["medians"].get((b, mode))
                    if mode == "enforce" and b == "pin_held":
                        m = None
                    vals.append("%.4f" % max(m["wall"], m["cpu"] or 0)
                                if m else "NaN")
                f.write("%s %.3f %s\n" % (b.replace("_", "\\\\_"),
                                          BENCH[b][1], " ".join(vals)))
            f.write("\n\n")
    n = len(kernels)
    gp = os.path.join(out, "ratios.gp")
    with open(gp, "w") as f:
        f.write("""if (!exists("fmt")) fmt = "svg"
if (fmt eq "png") set terminal pngcairo size 1300,900 font "sans,10"; \\
else set terminal svg size 1300,900 dynamic font "sans,11"
set output '%(out)s/ratios.'.fmt
set multiplot layout 2,1 title "gup\\\\_track: loaded / unloaded, worse of wall and CPU time per operation (median), %(stamp)s"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set yrange [0.8:*]
set ytics (0.8, 1, 1.06, 1.2, 1.5, 2, 3, 5, 10, 20)
set grid ytics
set xtics rotate by -30 scale 0
set key top right
""" % {"out": out, "stamp": stamp})
        for i, mode in enumerate(MODES):
            f.write('set title "policy=%s (dashes: the target)"\n' % mode)
            plots = ["'%s' index %d using %d:xtic(1) title '%s'" %
                     (dat, i, 3 + j, k) for j, k in enumerate(kernels)]
            plots.append("'%s' index %d using ($0-0.45):2:(0.9):(0) "
                         "with vectors nohead lw 3 lc rgb 'red' "
                         "title 'target'" % (dat, i))
            f.write("plot " + ", \\\n     ".join(plots) + "\n")
        f.write("unset multiplot\n")
    for fmt in ("svg", "png"):
        subprocess.run(["gnuplot", "-e", "fmt='%s'" % fmt, gp], check=True)


if __name__ == "__main__":
    main()
