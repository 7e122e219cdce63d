#!/usr/bin/env python3
"""plot_bench.py -- PNG plots of comex-mt benchmark results (needs gnuplot).

Usage:
    testing/plot_bench.py [-o DIR] [--op OP]... [--target T]... FILE...

FILE is the CSV a benchmark writes with `-c FILE`, or its standard output
when run with `-c -` (the CSV block at the end is found among the other
lines).  Lines look like

    bench,op,mode,target,bytes,latency_us,bandwidth_MBps,min_us

(doc/benchmarks.md describes the fields).  For every ComEx operation
measured at three sizes or more (perf_contig's put, get, acc, nbput, ...),
in every target mode, two PNGs are written to DIR (default: the current
directory):

    <bench>_<op>_<target>_latency.png    latency (us) against message size
    <bench>_<op>_<target>_bandwidth.png  bandwidth (MB/s) against message size

both on log-log axes, one line per mode: shm (COMEX_SHM=1), msg
(COMEX_SHM=0), memcpy (one thread, same run) and raw MPI (ping-pong round
trip for blocking operations, streaming for non-blocking ones, same run).
When several files hold the same measurement, the last one read wins.

Only the Python 3 standard library and the gnuplot program are used
(Debian: apt-get install gnuplot-nox).  Exit status: 0 when at least one
plot was written, 1 when the input had nothing to plot, 2 on usage errors
or when gnuplot is missing or fails.
"""

import argparse
import os
import shutil
import subprocess
import sys

FIELDS = ["bench", "op", "mode", "target", "bytes", "latency_us", "bandwidth_MBps", "min_us"]
COMEX_MODES = ("shm", "msg")
TARGET_TITLE = {"barrier": "target in comex_barrier", "compute": "target computing"}
# style per line: colour, point type
STYLE = {
    "shm": ("#1f77b4", 7),
    "msg": ("#d62728", 5),
    "memcpy": ("#2ca02c", 9),
    "mpi": ("#7f7f7f", 13),
}


def parse_number(text):
    text = text.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def read_rows(paths):
    """Measurements keyed by (bench, op, mode, target, bytes)."""
    rows = {}
    for path in paths:
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                lines = f.readlines()
        except OSError as e:
            sys.exit("plot_bench.py: cannot read %s: %s" % (path, e.strerror))
        for line in lines:
            parts = line.strip().split(",")
            if len(parts) != len(FIELDS) or not parts[0].startswith("perf_"):
                continue  # header, comments, the text tables
            rec = dict(zip(FIELDS, parts))
            try:
                size = int(rec["bytes"])
            except ValueError:
                continue
            lat = parse_number(rec["latency_us"])
            if lat is None:
                continue
            key = (rec["bench"], rec["op"], rec["mode"], rec["target"], size)
            rows[key] = (lat, parse_number(rec["bandwidth_MBps"]))
    return rows


def size_label(b):
    if b >= 1 << 20 and b % (1 << 20) == 0:
        return "%d MiB" % (b >> 20)
    if b >= 1 << 10 and b % (1 << 10) == 0:
        return "%d KiB" % (b >> 10)
    return "%d B" % b


def series(rows, bench, op, mode, target):
    pts = []
    for (b, o, m, t, size), (lat, bw) in rows.items():
        if (b, o, m, t) == (bench, op, mode, target):
            pts.append((size, lat, bw))
    return sorted(pts)


def gnuplot_terminal(gnuplot):
    """pngcairo when this gnuplot has it, else the libgd png terminal."""
    try:
        out = subprocess.run([gnuplot, "-e", "set terminal"], capture_output=True, text=True,
                             timeout=30)
        text = out.stdout + out.stderr
    except (OSError, subprocess.SubprocessError):
        text = ""
    if "pngcairo" in text:
        return "pngcairo size 900,650 font 'sans,10'"
    return "png size 900,650"


def plot(gnuplot, terminal, path, title, ylabel, lines, sizes):
    """lines: [(name, label, [(size, value)])]; writes one PNG."""
    script = []
    for i, (name, _, pts) in enumerate(lines):
        script.append("$d%d << EOD" % i)
        script.extend("%d %.6g" % (s, v) for s, v in pts)
        script.append("EOD")
    tics = ", ".join('"%s" %d' % (size_label(s), s) for s in sizes[::2])
    script += [
        "set terminal %s" % terminal,
        "set output '%s'" % path.replace("'", "''"),
        "set title \"%s\" noenhanced" % title.replace('"', "'"),
        "set logscale xy 2",
        "set logscale y 10",
        "set format y '%g'",
        "set xtics (%s)" % tics,
        "set xlabel 'message size'",
        "set ylabel '%s'" % ylabel,
        "set grid xtics ytics mytics",
        "set key below horizontal noenhanced",
        "set xrange [%g:%g]" % (sizes[0] / 1.3, sizes[-1] * 1.3),
    ]
    plots = []
    for i, (name, label, _) in enumerate(lines):
        colour, pt = STYLE.get(name, ("#000000", 1))
        plots.append("$d%d using 1:2 with linespoints lw 2 pt %d lc rgb '%s' title \"%s\""
                     % (i, pt, colour, label))
    script.append("plot " + ", \\\n     ".join(plots))
    script.append("unset output")
    res = subprocess.run([gnuplot], input="\n".join(script) + "\n", capture_output=True,
                         text=True, timeout=120)
    if res.returncode != 0 or not os.path.exists(path):
        sys.stderr.write("plot_bench.py: gnuplot failed for %s:\n%s" % (path, res.stderr))
        sys.exit(2)


def main():
    ap = argparse.ArgumentParser(
        description="Latency and bandwidth plots (PNG, gnuplot) from comex-mt benchmark CSV.")
    ap.add_argument("files", nargs="+", metavar="FILE",
                    help="CSV from a benchmark's -c option, or its stdout with -c -")
    ap.add_argument("-o", "--outdir", default=".", help="directory for the PNGs (default .)")
    ap.add_argument("--op", action="append", default=[],
                    help="only this ComEx operation (repeatable; e.g. get, nbput)")
    ap.add_argument("--target", action="append", default=[],
                    help="only this target mode: barrier or compute (repeatable)")
    ap.add_argument("--gnuplot", default=os.environ.get("GNUPLOT", "gnuplot"),
                    help="gnuplot program (default: $GNUPLOT or gnuplot)")
    args = ap.parse_args()

    gnuplot = shutil.which(args.gnuplot)
    if not gnuplot:
        sys.stderr.write("plot_bench.py: %s not found; on Debian: apt-get install gnuplot-nox\n"
                         % args.gnuplot)
        return 2
    rows = read_rows(args.files)
    if not rows:
        sys.stderr.write("plot_bench.py: no benchmark CSV lines in %s\n" % " ".join(args.files))
        return 1
    os.makedirs(args.outdir, exist_ok=True)
    terminal = gnuplot_terminal(gnuplot)

    groups = sorted({(b, o, t) for (b, o, m, t, _) in rows if m in COMEX_MODES})
    written = 0
    for bench, op, target in groups:
        if args.op and op not in args.op:
            continue
        if args.target and target not in args.target:
            continue
        comex = {m: series(rows, bench, op, m, target) for m in COMEX_MODES}
        sizes = sorted({p[0] for pts in comex.values() for p in pts})
        if len(sizes) < 3:
            continue  # one or two sizes (perf_amo, perf_strided): the tables say it better
        nonblocking = op.startswith("nb")
        mpi_op = "stream" if nonblocking else "pingpong"
        inrange = lambda pts: [p for p in pts if sizes[0] <= p[0] <= sizes[-1]]
        base = {
            "memcpy": inrange(series(rows, bench, "copy", "memcpy", "-")),
            "mpi": inrange(series(rows, bench, mpi_op, "mpi", "-")),
        }
        labels = {
            "shm": "%s, COMEX_SHM=1 (shm)" % op,
            "msg": "%s, COMEX_SHM=0 (msg)" % op,
            "memcpy": "memcpy, one thread",
            "mpi": "raw MPI streaming" if nonblocking else "raw MPI ping-pong",
        }
        kind = ("non-blocking %s (%s)" % (op[2:], op)) if nonblocking else ("blocking " + op)
        where = TARGET_TITLE.get(target, target)
        for what, col, unit in (("latency", 1, "us"), ("bandwidth", 2, "MB/s")):
            lines = []
            for name in ("shm", "msg", "memcpy", "mpi"):
                pts = comex.get(name) or base.get(name) or []
                pts = [(p[0], p[col]) for p in pts if p[col] is not None and p[col] > 0]
                if not pts:
                    continue
                label = labels[name]
                if name == "mpi" and what == "latency":
                    label += " (per message)" if nonblocking else " (round trip)"
                if name == "mpi" and what == "bandwidth" and not nonblocking:
                    label += " (size / half round trip)"
                lines.append((name, label, pts))
            path = os.path.join(args.outdir, "%s_%s_%s_%s.png" % (bench, op, target, what))
            title = "%s: %s, %s - %s (%s)" % (bench, kind, where, what, unit)
            plot(gnuplot, terminal, path, title, "%s (%s)" % (what, unit), lines, sizes)
            print(path)
            written += 1
    if not written:
        sys.stderr.write("plot_bench.py: nothing to plot (no operation measured at 3 or more "
                         "sizes%s)\n" % (" matching --op/--target" if args.op or args.target
                                         else ""))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
