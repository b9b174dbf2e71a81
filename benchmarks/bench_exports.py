"""The cost of one click on an export (issue 21, item 2): the worst lesson a link carries, its slides
and a GIF, against the budget gdviz.slides plans before it starts (EXPORT_BUDGET seconds).

Run from the repository root (no install needed):

    python3 benchmarks/bench_exports.py [--draw]

It builds the worst lesson that fits in a link: 60 scenes (the most a lesson has), each with 1,000
rows, 2,000 steps (the most), three compared runs and mini-batches of 2, every scene on its own seed
so no cache helps. It prints the link's length, the estimate slides.check_slides makes from the
scenes' states alone and the time it takes to refuse them; with ``--draw``, the time drawing them
anyway takes (minutes: what the budget prevents). Then the worst GIF (Adam at α = 100 over 2,000
steps with three compared runs, 1,000 rows): the frames slides.gif_frames allows and the time
run_gif takes; and the built-in lesson's slides, estimated and drawn. A measurement script, not a
test: it asserts no time, and prints "within" or "OVER" against EXPORT_BUDGET.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gdviz import lessons, pipeline, slides  # noqa: E402

WORST = {"n": "1000", "steps": "2000", "cmp": "adam:0.1,momentum:0.01,nesterov:0.01", "batch": "mini", "bs": "2",
         "opt": "adam", "lr": "100"}


def worst_lesson() -> lessons.Lesson:
    return lessons.Lesson("The worst a link carries", tuple(
        lessons.Scene(f"Scene {i}", "", {**WORST, "seed": str(i)}) for i in range(1, lessons.MAX_SCENES + 1)))


def verdict(seconds: float) -> str:
    return f"{seconds:6.2f} s ({'within' if seconds <= slides.EXPORT_BUDGET else 'OVER'} {slides.EXPORT_BUDGET:.0f} s)"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--draw", action="store_true", help="also draw the worst lesson's slides (minutes)")
    args = parser.parse_args(argv)
    print(f"python {platform.python_version()}, cpu count {os.cpu_count()}, load {os.getloadavg()[0]:.1f}")

    lesson = worst_lesson()
    link = lessons.lesson_to_link(lesson)
    print(f"worst lesson: {len(lesson.scenes)} scenes, link parameter {len(link)} characters "
          f"(fits: {lessons.fits_in_link(lesson)})")
    start = time.perf_counter()
    states = [pipeline.scene_state(scene) for scene in lesson.scenes]
    try:
        slides.check_slides(states)
        refused = "drawn"
    except slides.ExportTooCostly as error:
        refused = f"refused: {error}"
    print(f"  slides: estimate {sum(map(slides.scene_cost, states)):.1f} s of planned work; "
          f"decided in {verdict(time.perf_counter() - start)}")
    print(f"  {refused}")
    if args.draw:
        start = time.perf_counter()
        made = slides.slides_zip(slides.lesson_pictures(pipeline.lesson_specs(lesson)))
        print(f"  drawn anyway: {time.perf_counter() - start:.1f} s, {len(made) / 1e6:.1f} MB (what the budget prevents)")

    spec = pipeline.lecture(states[0]).spec
    frames = slides.gif_frames(spec)
    start = time.perf_counter()
    gif = slides.run_gif(spec)
    print(f"worst GIF: {frames} of {slides.MAX_FRAMES} frames within the budget; run_gif {verdict(time.perf_counter() - start)}, "
          f"{len(gif) / 1e6:.1f} MB")

    builtin = lessons.builtin_lesson()
    states = [pipeline.scene_state(scene) for scene in builtin.scenes]
    estimate = slides.check_slides(states)
    start = time.perf_counter()
    made = slides.slides_zip(slides.lesson_pictures(pipeline.lesson_specs(builtin)))
    print(f"built-in lesson ({len(states)} scenes): estimate {estimate:.1f} s; slides {verdict(time.perf_counter() - start)}, "
          f"{len(made) / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
