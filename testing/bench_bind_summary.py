#!/usr/bin/env python3
"""bench_bind_summary.py DIR: medians of testing/bench_bind.sh's runs.

DIR holds CONFIG.PROG.ROUND.txt outputs of perf_contig and perf_amo.  For
every key number prints, per config, the median over the quiet runs (other
processes used < QUIET% of the machine, default 5) and over all runs, with
the run counts.
"""
import os
import re
import statistics
import sys
from collections import defaultdict

QUIET = float(os.environ.get("QUIET", "5"))


def num(pattern, text):
    m = re.search(pattern, text)
    return float(m.group(1)) if m else None


def tables(text):
    """{(section, size): {column: value}} from the '== section ==' tables."""
    out = {}
    section, cols = None, None
    for line in text.splitlines():
        if line.startswith("=="):
            section = line.strip("= ").split("(")[0].strip()
            cols = None
            continue
        f = line.split()
        if f and f[0] == "size":
            cols = f
            continue
        if cols and len(f) == len(cols) + 1 and f[1] in ("B", "KiB", "MiB"):
            size = f[0] + " " + f[1]
            out[(section, size)] = dict(zip(cols[1:], (float(x) for x in f[2:])))
    return out


def contig(text):
    v = {}
    v["get 8 B blocking, target in barrier (us)"] = num(r"get 8 B blocking \(barrier\).*\[([\d.]+) us", text)
    v["get 8 B blocking, target computing (us)"] = num(r"get 8 B blocking latency \(target computing\)\s+([\d.]+) us", text)
    v["put 8 B blocking, target in barrier (us)"] = num(r"put 8 B blocking \(barrier\).*\[([\d.]+) us\]", text)
    v["acc 8 B blocking, target in barrier (us)"] = num(r"acc 8 B blocking \(barrier\).*\[([\d.]+) us\]", text)
    v["get 1 MiB blocking, target in barrier (MB/s)"] = num(r"get 1 MiB blocking BW \(barrier\).*\[([\d.]+) /", text)
    v["get 1 MiB blocking, target computing (MB/s)"] = num(r"get 1 MiB blocking BW \(computing\).*\[([\d.]+) MB/s", text)
    v["get 1 MiB non-blocking, target in barrier (MB/s)"] = num(r"get 1 MiB non-blocking BW \(barrier\).*\[([\d.]+) /", text)
    v["get 8 B after 1 ms pause, barrier (us)"] = num(r"get 8 B after a 1 ms pause \(barrier\)\s+([\d.]+) us", text)
    v["get 8 B after 1 ms pause, computing (us)"] = num(r"get 8 B after a 1 ms pause \(computing\)\s+([\d.]+) us", text)
    v["target compute rate while serving / alone (contig)"] = num(r"target compute rate while serving / alone\s+([\d.]+) x", text)
    t = tables(text)
    for sec, tag in (("target computing: blocking put / get / acc", "computing"),):
        for size in ("8 B", "64 KiB"):
            row = t.get((sec, size))
            if row:
                v[f"put {size} blocking, target {tag} (us)"] = row.get("put_us")
                v[f"acc {size} blocking, target {tag} (us)"] = row.get("acc_us")
    row = t.get(("target in barrier: blocking put / get / acc", "64 KiB"))
    if row:
        v["get 64 KiB blocking, target in barrier (us)"] = row.get("get_us")
    return v


def amo(text):
    v = {}
    section = None
    for line in text.splitlines():
        if line.startswith("== target in barrier"):
            section = "barrier"
        elif line.startswith("== target computing"):
            section = "computing"
        elif line.startswith("targets:"):
            section = None
        m = re.match(r"(fetch-and-add int|swap long|lock\+unlock \(mutex on 1\))\s+([\d.]+)", line)
        if section and m:
            v[f"{m.group(1)}, target {section} (us)"] = float(m.group(2))
    v["target compute rate while serving / alone (amo)"] = (
        (num(r"compute rate ([\d.]+)% of", text) or 0) / 100 or None)
    return v


def main():
    d = sys.argv[1]
    data = defaultdict(lambda: defaultdict(list))  # metric -> config -> [(value, noise)]
    configs, noise = [], defaultdict(list)
    for name in sorted(os.listdir(d)):
        m = re.match(r"(.+)\.(perf_contig|perf_amo)\.(\d+)\.txt$", name)
        if not m:
            continue
        cfg, prog = m.group(1), m.group(2)
        if cfg not in configs:
            configs.append(cfg)
        text = open(os.path.join(d, name)).read()
        n = num(r"CPU used by other processes during this run: ([\d.]+)%", text)
        if n is None:
            print(f"(no result in {name})")
            continue
        noise[cfg].append(n)
        for k, val in (contig(text) if prog == "perf_contig" else amo(text)).items():
            if val is not None:
                data[k][cfg].append((val, n))
    order = ["none", "core", "spare", "auto"]
    configs.sort(key=lambda c: (c.endswith("+bound"), order.index(c.split("+")[0]) if c.split("+")[0] in order else 9))
    print(f"median over quiet runs (others < {QUIET:g}% of the machine) | over all runs; [quiet/all runs]")
    print("noise (other processes, % of machine), median: " +
          ", ".join(f"{c} {statistics.median(noise[c]):.1f}" for c in configs if noise[c]))
    w = max(len(k) for k in data) + 2
    print(" " * w + "".join(f"{c:>26}" for c in configs))
    for k in data:
        cells = []
        for c in configs:
            vals = data[k][c]
            q = [x for x, n in vals if n < QUIET]
            a = [x for x, _ in vals]
            if not a:
                cells.append(f"{'-':>26}")
                continue
            qs = f"{statistics.median(q):.2f}" if q else "-"
            cells.append(f"{qs + ' | ' + format(statistics.median(a), '.2f') + f' [{len(q)}/{len(a)}]':>26}")
        print(f"{k:<{w}}" + "".join(cells))


if __name__ == "__main__":
    main()
