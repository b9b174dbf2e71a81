"""Slides: pictures of a run drawn with Pillow, a zip of PNGs, an animated GIF; never a NaN, never a crash."""
import io
import zipfile

import numpy as np
import pytest
from PIL import Image

import gdviz
from gdviz import lessons, slides
from gdviz.figures import OPTIMUM, PATH

DATA = gdviz.synthetic(n=40, weights=2.0, bias=-1.0, seed=3)


def rgb(colour: str):
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def near(image, u, v, colour, radius=2, tolerance=12):
    """Whether a pixel within ``radius`` of (u, v) has ``colour``."""
    want = np.array(rgb(colour))
    pixels = np.asarray(image.convert("RGB"))[int(v) - radius:int(v) + radius + 1, int(u) - radius:int(u) + radius + 1]
    return bool((np.abs(pixels.astype(int) - want).max(axis=-1) <= tolerance).any())


def test_a_picture_has_its_size_and_is_not_blank():
    run = gdviz.descend(DATA, lr=0.1, steps=40, w0=-3, b0=4)
    image = slides.scene_picture(DATA, run, 10, title="The update rule")
    assert image.size == (1600, 900) and image.mode == "RGB"
    assert len(image.getcolors(1 << 20)) > 50  # the colour map, the path, the data, the type
    small = slides.scene_picture(DATA, run, 10, size=(800, 450))
    assert small.size == (800, 450)


def test_the_optimum_the_start_and_the_path_are_where_the_numbers_put_them():
    run = gdviz.descend(DATA, lr=0.05, steps=40, w0=-3, b0=4)
    picture = slides.RunPicture(DATA, run)
    image = picture.draw(0)
    (w_star,), b_star = gdviz.optimum(DATA)
    u, v = picture.contour.px(w_star, b_star)
    assert near(image, u, v, OPTIMUM)
    u0, v0 = picture.contour.px(run.w[0, 0], run.b[0])
    assert near(image, u0, v0, PATH)  # the current point, at the start
    later = picture.draw(20)
    um, vm = picture.contour.px((run.w[10, 0] + run.w[11, 0]) / 2, (run.b[10] + run.b[11]) / 2)
    assert near(later, um, vm, PATH, radius=3) and not near(image, um, vm, PATH, radius=3)
    assert picture.subtitle(20) == f"step 20 / 40   ·   α = 0.05   ·   loss = {run.loss[20]:.4g}"


def test_a_diverging_run_is_drawn_without_a_nan():
    run = gdviz.descend(DATA, lr=5.0, steps=200, w0=-3, b0=4)
    assert run.diverged_at is not None
    for k in (0, 3, run.steps, 10_000):
        image = slides.scene_picture(DATA, run, k, title="Diverges")
        assert image.size == (1600, 900)
    gif = slides.run_gif(DATA, run, frames=6, size=(480, 270))
    assert Image.open(io.BytesIO(gif)).n_frames >= 2


def test_several_features_standardised_data_and_a_chosen_weight():
    data = gdviz.synthetic(n=300, weights=np.linspace(-2, 2, 20), seed=1).standardized()
    run = gdviz.descend(data, lr=0.05, steps=2000, w0=np.zeros(20))
    calls = []
    gif = slides.run_gif(data, run, frames=8, feature=7, size=(480, 270), progress=lambda d, t: calls.append((d, t)))
    image = Image.open(io.BytesIO(gif))
    assert image.n_frames == 8 and image.size == (480, 270)
    assert calls == [(i, 8) for i in range(1, 9)]
    with pytest.raises(ValueError, match="feature"):
        slides.scene_picture(data, run, 0, feature=20)


def test_a_gif_holds_at_most_60_frames_and_its_last():
    run = gdviz.descend(DATA, lr=0.1, steps=500)
    assert slides.frame_steps(500) == sorted(set(slides.frame_steps(500))) and len(slides.frame_steps(500)) == 60
    assert slides.frame_steps(500)[0] == 0 and slides.frame_steps(500)[-1] == 500
    assert slides.frame_steps(3, 60) == [0, 1, 2, 3]
    gif = Image.open(io.BytesIO(slides.run_gif(DATA, run, frames=500, size=(320, 180))))
    assert 1 < gif.n_frames <= 60
    durations = []
    for i in range(gif.n_frames):
        gif.seek(i)
        durations.append(gif.info["duration"])
    assert durations[0] == 100 and durations[-1] > 1000  # about 10 frames a second, the last held


def test_slides_zip_holds_one_png_per_picture():
    run = gdviz.descend(DATA, lr=0.1, steps=5)
    pictures = [(name, slides.scene_picture(DATA, run, 5, size=(400, 225))) for name in ("01-A / b", "01-A / b", "")]
    archive = zipfile.ZipFile(io.BytesIO(slides.slides_zip(pictures)))
    names = archive.namelist()
    assert len(names) == 3 and len(set(names)) == 3 and all(n.endswith(".png") and "/" not in n for n in names)
    for name in names:
        assert Image.open(io.BytesIO(archive.read(name))).size == (400, 225)


def test_a_lesson_becomes_pictures_scene_by_scene():
    builtin = lessons.builtin_lesson()
    chosen = [s for s in builtin.scenes if "cmp" in s.params or "diverges" in s.title or "pull" in s.params]
    lesson = lessons.Lesson("Three", tuple(chosen))
    made = slides.scene_run(chosen[0])
    assert made.trajectory.steps >= 1
    compared = slides.scene_run(next(s for s in chosen if "cmp" in s.params))
    assert [label.split(",")[0] for label, _ in compared.others] == ["momentum", "Adam"]
    calls = []
    pictures = slides.lesson_pictures(lesson, size=(640, 360), progress=lambda d, t: calls.append((d, t)))
    assert len(pictures) == 3 and calls[-1] == (3, 3)
    assert pictures[0][0].startswith("01-")
    archive = zipfile.ZipFile(io.BytesIO(slides.slides_zip(pictures)))
    assert len(archive.namelist()) == 3


def test_a_sample_scene_without_a_rate_opens_on_settings_that_fit():
    made = slides.scene_run(lessons.Scene("Cars", params={"data": "cars"}))
    assert made.trajectory.diverged_at is None and made.trajectory.w[0, 0] == 0.0


def test_a_scene_with_moved_points_draws_them():
    made = slides.scene_run(lessons.Scene("Outlier", params={"pts": "a:3:40"}))
    assert made.data.m == 61 and made.data.y[-1] == 40.0


def test_scenes_the_pictures_cannot_draw_are_left_out_and_named():
    from gdviz import lessons

    lesson = lessons.Lesson("Mixed", (lessons.Scene("Bowl", params={"lr": "0.1", "steps": "5"}),
                                      lessons.Scene("Valley", params={"problem": "rosenbrock", "steps": "5"}),
                                      lessons.Scene("Ridge", params={"l2": "1", "steps": "5"})))
    pictures = slides.lesson_pictures(lesson, size=(480, 270))
    assert [name for name, _ in pictures] == ["01-Bowl"]
    assert slides.left_out(lesson) == ["scene 2 (Valley)", "scene 3 (Ridge)"]
    assert slides.left_out(lessons.builtin_lesson()) == []
