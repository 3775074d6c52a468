#!/usr/bin/python3
"""MnistBp against the peers, side by side, on this machine, in one run.

Times one epoch of the same 784-100-10 sigmoid / quadratic-cost / SGD lr 3.0 network on the full
MNIST at batch 10, 32 and 128:
  - MnistBp with 1 and 2 kernel threads (`dotnet run -c Release --project benchmarks/MnistBp.Benchmarks -- epoch`),
  - numpy + OpenBLAS (../shared/peers/numpy_mlp.py) with 1 and 2 BLAS threads,
  - PyTorch (../shared/peers/torch_mlp.py --skip-accuracy) with its thread settings,
each peer in its fastest BLAS variant (openblas-unset: OpenBLAS picks its AVX-512 kernels).
The three are interleaved round by round (MnistBp, numpy, torch, then the next round in rotated
order), so a noisy neighbour hurts all of them alike. Prints every timed line, then a table of
medians [min-max] and the ratio MnistBp / peer for the best setting of each.

Between two tools the script waits --settle seconds (default 10): on the sandbox VM this was
measured on, every multi-threaded run was 1.6-2.7x slower for a few seconds after PyTorch's
process exited (memory the VM reclaims in the background; single-threaded runs were not slowed),
so without the pause whichever tool came right after PyTorch lost.

usage: /usr/bin/python3 benchmarks/side-by-side.py [--rounds 3] [--settle 10] [--mnist DIR] [--out FILE]
Needs: apt-get install -y python3-torch python3-numpy libopenblas0-pthread python3-threadpoolctl
"""
import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PEERS = os.path.join(os.path.dirname(ROOT), "shared", "peers")
BATCHES = (10, 32, 128)


def run(cmd, env=None):
    print("$ " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in p.stdout.splitlines():
        print("    " + line, flush=True)
    if p.returncode != 0:
        raise SystemExit(f"failed ({p.returncode}): {' '.join(cmd)}")
    return p.stdout


def mnistbp(mnist):
    out = run(["dotnet", "run", "-c", "Release", "--no-build", "--project", "benchmarks/MnistBp.Benchmarks", "--",
               "epoch", "--reps", "1", "--data", mnist])
    rows = []
    for m in re.finditer(r"^mnistbp threads=(\d+) bs=(\d+) sec=([\d.]+) acc=([\d.]+)", out, re.M):
        rows.append(("MnistBp", f"{m.group(1)} thread" + ("s" if m.group(1) != "1" else ""), int(m.group(2)), float(m.group(3))))
    return rows


def peer(script, name, extra, mnist):
    env = dict(os.environ, MNIST_DIR=mnist)
    out = run(["/usr/bin/python3", os.path.join(PEERS, script), "--reps", "1", "--variants", "openblas-unset"] + extra, env)
    rows = []
    for line in out.splitlines():
        line = line.strip()
        if not line.startswith("RESULT "):
            continue
        r = json.loads(line[7:])
        if r.get("kind") != "epoch" or r.get("loader", "manual") != "manual":
            continue
        setting = f"{r['threads']} BLAS thread" + ("s" if r["threads"] != 1 else "") if "threads" in r else str(r.get("tcfg"))
        rows.append((name, setting, int(r["bs"]), float(r["sec"])))
    return rows


def machine():
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "")
        with open("/proc/cpuinfo") as f:
            flags = next((l for l in f if l.startswith("flags")), "")
        isa = "AVX-512" if "avx512f" in flags else ("AVX2" if "avx2" in flags else "SSE")
    except OSError:
        isa = "?"
    dotnet = subprocess.run(["dotnet", "--version"], stdout=subprocess.PIPE, text=True).stdout.strip()
    return f"{model}, {os.cpu_count()} cores, {isa}; {platform.platform()}; .NET SDK {dotnet}; Python {platform.python_version()}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--mnist", default=os.environ.get("MNISTBP_DATA", os.path.join(os.path.dirname(ROOT), "shared", "datasets", "mnist")))
    ap.add_argument("--settle", type=float, default=10.0, help="seconds to wait before each tool's run")
    ap.add_argument("--out", help="also write the summary table to this file")
    args = ap.parse_args()
    mnist = os.path.abspath(args.mnist)
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    run(["dotnet", "build", "-c", "Release", "benchmarks/MnistBp.Benchmarks"])

    runners = [("MnistBp", lambda: mnistbp(mnist)),
               ("numpy", lambda: peer("numpy_mlp.py", "numpy", [], mnist)),
               ("PyTorch", lambda: peer("torch_mlp.py", "PyTorch", ["--skip-accuracy"], mnist))]
    rows = []
    for rnd in range(args.rounds):
        order = runners[rnd % 3:] + runners[:rnd % 3]
        for name, runner in order:
            time.sleep(args.settle)
            print(f"=== round {rnd + 1}/{args.rounds}: {name}", flush=True)
            rows += runner()

    by = {}
    for name, setting, bs, sec in rows:
        by.setdefault((name, setting, bs), []).append(sec)

    lines = [f"# MnistBp vs peers, one epoch of 784-100-10 on 60,000 MNIST images ({started})",
             f"# machine: {machine()}",
             f"# {args.rounds} interleaved rounds, {args.settle:g} s pause before each tool; seconds per epoch, median [min-max]", ""]
    header = f"{'':10} {'setting':22}" + "".join(f"{'batch ' + str(b):>24}" for b in BATCHES)
    lines.append(header)
    best = {}
    for key in sorted({(n, s) for n, s, _ in by}):
        cells = ""
        for bs in BATCHES:
            v = by.get(key + (bs,))
            if v:
                med = statistics.median(v)
                cells += f"{med:9.3f} [{min(v):.3f}-{max(v):.3f}]".rjust(24)
                if med < best.get((key[0], bs), (1e9, ""))[0]:
                    best[(key[0], bs)] = (med, key[1])
            else:
                cells += "-".rjust(24)
        lines.append(f"{key[0]:10} {key[1]:22}{cells}")
    lines += ["", "best MnistBp setting / best peer setting (below 1: MnistBp is faster; the goal is <= 0.5):"]
    for peer_name in ("numpy", "PyTorch"):
        cells = ""
        for bs in BATCHES:
            if (peer_name, bs) in best and ("MnistBp", bs) in best:
                cells += f"{best[('MnistBp', bs)][0] / best[(peer_name, bs)][0]:.2f}x".rjust(24)
            else:
                cells += "-".rjust(24)
        lines.append(f"{'MnistBp/' + peer_name:33}{cells}")
    summary = "\n".join(lines)
    print("\n" + summary)
    if args.out:
        with open(args.out, "w") as f:
            f.write(summary + "\n")


if __name__ == "__main__":
    sys.exit(main())
