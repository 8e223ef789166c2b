"""Soak: resident memory of the CLI's evolution and training over a long run, then Ctrl+C.

    python bench/soak.py --minutes 20

Runs ``main.py evolve`` (ImageNet, EfficientNet-Lite0, MAP-Elites over all 1000 classes, never
stopping by itself) and ``main.py autoencoder train`` (conv, thousands of epochs) side by side,
each on one thread, samples each process's RSS every few seconds from /proc (Linux), then sends
both SIGINT and reports the exit status and how long each took to stop. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=20.0)
    ap.add_argument("--every", type=float, default=10.0, help="seconds between samples")
    ap.add_argument("--only", choices=["evolve", "autoencoder"], default=None, help="run one of the two")
    args = ap.parse_args()
    out = Path(tempfile.mkdtemp(prefix="soak-"))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FOOLING_LAB_DEVICE": "cpu", "OMP_NUM_THREADS": "1"}
    jobs = {
        "evolve (ImageNet, MAP-Elites, 1000 classes)": [
            sys.executable, str(ROOT / "main.py"), "evolve", "--model", "efficientnet_lite0", "--threads", "1",
            "--generations", "10000000", "--stop-at", "1", "--out", str(out / "elites")],
        "autoencoder train (conv, sample digits)": [
            sys.executable, str(ROOT / "main.py"), "autoencoder", "train", "--arch", "conv", "--epochs", "10000",
            "--out", str(out / "ae.pt")],
    }
    jobs = {k: v for k, v in jobs.items() if args.only is None or k.startswith(args.only)}
    procs = {name: subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
             for name, cmd in jobs.items()}
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in procs}
    t0 = time.monotonic()
    while time.monotonic() - t0 < args.minutes * 60:
        for name, p in procs.items():
            if p.poll() is None:
                samples[name].append((time.monotonic() - t0, rss_mb(p.pid)))
        time.sleep(args.every)
    stops = {}
    for name, p in procs.items():
        t = time.monotonic()
        p.send_signal(signal.SIGINT)
        try:
            code = p.wait(timeout=120)
        except subprocess.TimeoutExpired:
            p.kill()
            code = "killed after 120 s"
        stops[name] = (code, time.monotonic() - t, (p.stderr.read() or "").strip().splitlines()[-1:])
    print(f"| run | minutes | RSS at 1 min | at ¼ | at ½ | at end | max | exit on Ctrl+C | stopped in |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, rows in samples.items():
        if not rows:
            continue
        def at(frac):
            target = rows[-1][0] * frac
            return min(rows, key=lambda r: abs(r[0] - target))[1]
        first = min(rows, key=lambda r: abs(r[0] - 60))[1]
        code, secs, tail = stops[name]
        print(f"| {name} | {rows[-1][0] / 60:.1f} | {first:.0f} MB | {at(0.25):.0f} MB | {at(0.5):.0f} MB | "
              f"{rows[-1][1]:.0f} MB | {max(r[1] for r in rows):.0f} MB | {code} | {secs:.1f} s |")
    for name, (code, secs, tail) in stops.items():
        print(f"# {name}: last stderr line: {tail}")
    print(f"# output in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
