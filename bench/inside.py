"""Inside-the-network tab benchmark. Prints its figures; run: python bench/inside.py [--quick]

1. Feature visualisation of one channel at 224 px (EfficientNet-Lite0): seconds per step with no
   regulariser and with the standard ones (Fourier, colours, transforms), interleaved run by run;
   every step is a frame on screen, so steps per second are the live frame rate. Also the seconds
   until the picture is "recognisably structured", measured as the step at which the channel's
   response on the shown picture first reaches half of what the full run reaches.
2. The gallery (8 channels at 128 px in one batch) and the class visualisation (two 224-px pictures
   side by side): seconds per step.
3. A 3-octave DeepDream of a 224-pixel photo with the tab's defaults (10 steps per octave).
4. The feature-map preview of the anatomy page: one forward pass to a stage.

Goals on 2 CPU cores: a structured channel picture within 20 s (≥ 5 frames/s), a 3-octave dream of
a 224-px photo within 15 s. Thread pools are set by ``core.runtime.configure_threads`` as the window
does. Absolute figures are noisy on a shared machine; the ratios are measured side by side.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import runtime  # noqa: E402  (before torch: core sets OpenMP's wait policy)

import torch  # noqa: E402
from core import anatomy, classvis, dream, featuremaps, featurevis, imaging, models  # noqa: E402
from core.resources import sample_images  # noqa: E402


def timed(job) -> tuple[list, float]:
    t0 = time.perf_counter()
    frames = list(job)
    return frames, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer steps and repeats")
    args = ap.parse_args()
    runtime.configure_threads()
    print(f"torch {torch.__version__}, cpu, thread pools {runtime.thread_settings()}")
    clf = models.load_classifier("efficientnet_lite0")
    photo = imaging.fit_to_size(imaging.load_image(sample_images()["chelsea"]), (224, 224))
    stage = anatomy.find_stage(clf, "blocks4")
    steps = 48 if args.quick else 128
    repeats = 1 if args.quick else 2

    print(f"\n1. one channel (blocks4, channel 10) at 224 px, {steps} steps, interleaved ×{repeats}")
    per_step: dict[str, list[float]] = {"none": [], "standard": []}
    structured: list[tuple[float, int]] = []
    for _ in range(repeats):
        for preset in ("none", "standard"):
            p = featurevis.VisParams(steps=steps).with_preset(preset)
            frames, secs = timed(featurevis.visualize_job(clf, stage, [10], p))
            per_step[preset].append(secs / steps)
            if preset == "standard":
                hist = frames[-1].history[:, 0]
                half = hist[-1] / 2
                first = int(next(i for i, v in enumerate(hist) if v >= half)) + 1
                structured.append((first * secs / steps, first))
    for preset, values in per_step.items():
        med = statistics.median(values)
        print(f"   {preset:<9} {med:.3f} s/step  ({1 / med:.1f} frames/s)  {med * steps:.1f} s per picture")
    ratio = statistics.median(per_step["standard"]) / statistics.median(per_step["none"])
    print(f"   standard / none: {ratio:.2f}×")
    secs, first = min(structured)
    print(f"   half of the final response after {first} steps = {secs:.1f} s (goal ≤ 20 s)")

    print("\n2. gallery and class visualisation")
    g = featurevis.VisParams(steps=16 if args.quick else 32, size=128)
    _, secs = timed(featurevis.visualize_job(clf, stage, featurevis.spread_channels(stage, 8), g))
    print(f"   gallery, 8 channels at 128 px: {secs / g.steps:.3f} s/step, {secs:.1f} s for {g.steps} steps")
    c = featurevis.VisParams(steps=16 if args.quick else 32)
    frames, secs = timed(classvis.class_job(clf, 285, c))
    last = frames[-1]
    print(f"   class “Egyptian cat”, two 224-px pictures: {secs / c.steps:.3f} s/step; after {c.steps} steps "
          f"{last.probs[0]:.1%} without, {last.probs[1]:.1%} with regularisers")

    print("\n3. DeepDream, 224-px photo, tab defaults (3 octaves × 10 steps)")
    runs = []
    for name in ("blocks3", "blocks5"):
        frames, secs = timed(dream.dream_job(clf, photo, [anatomy.find_stage(clf, name)], dream.DreamParams()))
        runs.append(secs)
        print(f"   at {name}: {secs:.1f} s for {frames[-1].step} steps ({secs / frames[-1].step:.3f} s/step) "
              "(goal ≤ 15 s)")

    print("\n4. feature-map preview (one forward pass to the stage, 16 maps tiled)")
    for name in ("blocks1", "blocks4", "conv_head", "fc"):
        s = anatomy.find_stage(clf, name)
        times = []
        for _ in range(3):
            _, secs = timed(featuremaps.maps_job(clf, photo, s))
            times.append(secs)
        print(f"   {name:<10} {statistics.median(times) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
