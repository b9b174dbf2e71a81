"""Slides: the browser's figures and per-step frames drawn with Pillow, for every problem a spec can
describe; a zip of PNGs, an animated GIF; never a NaN, never a crash.

The pixels are checked against the frame: where step_frame puts the current point, the arrows' tips
and the fitted line's ends, mapped through the picture's own axes, the slide has their colours."""
import io
import json
import zipfile

import numpy as np
import pytest
from PIL import Image

import gdviz
from gdviz import data as gdata
from gdviz import slides, web
from gdviz.figures import GRADIENT, OPTIMUM, PATH, RUN_COLOURS, UPDATE
from gdviz.web import frames

DATA = gdviz.synthetic(n=40, weights=2.0, bias=-1.0, seed=3)
SIZE = (1600, 900)


def rgb(colour: str):
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def near(image, u, v, colour, radius=2, tolerance=12):
    """Whether a pixel within ``radius`` of (u, v) has ``colour``."""
    want = np.array(rgb(colour))
    pixels = np.asarray(image.convert("RGB"))[max(0, int(v) - radius):int(v) + radius + 1,
                                              max(0, int(u) - radius):int(u) + radius + 1]
    return bool((np.abs(pixels.astype(int) - want).max(axis=-1) <= tolerance).any())


def dot_at(image, u, v, colour, r=9, tolerance=12):
    """Whether a disc of ``colour`` is centred at (u, v): at least 5 of the 8 pixels ``r`` away around
    it have the colour (the arrows drawn from the point, over it, cover at most two of them)."""
    pixels = np.asarray(image.convert("RGB")).astype(int)
    want = np.array(rgb(colour))
    hits = 0
    for angle in np.arange(8) * np.pi / 4:
        x, y = int(round(u + r * np.cos(angle))), int(round(v + r * np.sin(angle)))
        hits += int(np.abs(pixels[y, x] - want).max() <= tolerance)
    return hits >= 5


def inside(axes, u, v, margin=0):
    return axes.left + margin <= u <= axes.right - margin and axes.top + margin <= v <= axes.bottom - margin


# ---- the problems a spec describes ----
def linear_one():
    return web.lecture_spec(DATA, gdviz.descend(DATA, lr=0.05, steps=40, w0=-3, b0=4))


def linear_two():
    data = gdviz.synthetic(n=200, weights=[1.5, -2.0], seed=1)
    return web.lecture_spec(data, gdviz.descend(data, lr=0.05, steps=120, w0=[0.0, 0.0]), feature=1)


def logistic():
    raw = gdata.sample(sorted(gdata.BINARY_SAMPLES)[0])  # the Challenger O-rings
    data = raw.standardized()
    return web.lecture_spec(data, gdviz.descend(data, lr=1.0, steps=150, objective="logistic"), original=raw)


def logistic_synthetic():
    data = gdata.synthetic_classes(n=80, seed=2)
    return web.lecture_spec(data, gdviz.descend(data, lr=0.5, steps=100, objective="logistic"))


def ridge():
    return web.lecture_spec(DATA, gdviz.descend(DATA, lr=0.05, steps=80, w0=-3, b0=4, l2=1.0))


def cosine():
    return web.lecture_spec(DATA, gdviz.descend(DATA, lr=0.3, steps=100, w0=-3, b0=4,
                                                schedule=("cosine", {"T_max": 100})))


def surface(name, lr, steps):
    f = gdviz.test_function(name)
    return web.lecture_spec(f, gdviz.descend(f, lr=lr, steps=steps, w0=[f.start[0]], b0=f.start[1]))


def compared():
    data = gdviz.synthetic(n=40, weights=2.0, bias=-1.0, seed=3, x_offset=3)
    start = dict(steps=60, w0=-3, b0=4)
    return web.lecture_spec(data, gdviz.descend(data, lr=0.02, **start),
                            others=(("momentum, α = 0.02", gdviz.descend(data, optimizer="momentum", lr=0.02, **start)),
                                    ("Adam, α = 0.3", gdviz.descend(data, optimizer="adam", lr=0.3, **start))))


def diverged():
    return web.lecture_spec(DATA, gdviz.descend(DATA, lr=1.2, steps=200, w0=-3, b0=4))


PROBLEMS = {
    "linear one feature": linear_one, "linear two features": linear_two, "logistic (Challenger)": logistic,
    "logistic (synthetic classes)": logistic_synthetic, "ridge": ridge, "cosine schedule": cosine,
    "rosenbrock": lambda: surface("rosenbrock", 0.001, 200), "himmelblau": lambda: surface("himmelblau", 0.01, 100),
    "beale": lambda: surface("beale", 0.01, 150), "saddle": lambda: surface("saddle", 0.05, 60),
    "compared runs": compared, "diverged": diverged,
}


@pytest.mark.parametrize("name", list(PROBLEMS))
def test_every_problem_a_spec_describes_is_drawn_where_its_frame_puts_it(name):
    spec = PROBLEMS[name]()
    k = spec["run"]["shown"] - 1
    image = slides.picture(spec, title=name)
    assert image.size == SIZE and image.mode == "RGB" and image.step == k
    assert len(image.getcolors(1 << 20)) > 50  # the colour map, the paths, the data, the type
    frame = frames.step_frame(spec, k)
    contour, data_view = image.panels["contour"], image.panels["data"]
    # the contour view is the spec's contour figure: its axes' ranges, its box in the picture
    layout = json.loads(spec["figures"]["contour"])["layout"]
    assert contour.x_range == tuple(layout["xaxis"]["range"]) and contour.y_range == tuple(layout["yaxis"]["range"])
    assert contour.point(contour.x_range[0], contour.y_range[0]) == pytest.approx((contour.left, contour.bottom))
    assert contour.right < data_view.left and 0 < contour.top and data_view.right <= SIZE[0]
    point = frame["traces"]["contour"]["current-point"]
    u0, v0 = contour.point(point["x"][0], point["y"][0])
    if inside(contour, u0, v0, margin=8):  # a diverging saddle run leaves the view: nothing to see there
        assert dot_at(image, u0, v0, PATH)
    for run, other in enumerate(spec["others"], start=1):
        dot = frame["traces"]["contour"][f"other-point-{run}"]
        u, v = contour.point(dot["x"][0], dot["y"][0])
        if inside(contour, u, v, margin=8) and np.hypot(u - u0, v - v0) > 40:  # the main run's point is drawn over
            assert dot_at(image, u, v, other["colour"], r=7)


def test_a_step_of_a_run_is_drawn_at_the_frames_coordinates():
    spec = linear_one()
    run = gdviz.descend(DATA, lr=0.05, steps=40, w0=-3, b0=4)
    for k in (0, 3, 12):
        image = slides.picture(spec, k)
        frame = frames.step_frame(spec, k)
        contour, data_view = image.panels["contour"], image.panels["data"]
        point = frame["traces"]["contour"]["current-point"]
        assert (point["x"][0], point["y"][0]) == pytest.approx((run.w[k, 0], run.b[k]))  # the frame is the run
        u, v = contour.point(point["x"][0], point["y"][0])
        assert dot_at(image, u, v, PATH)  # the current point, centred at its pixel
        grad, update = frame["annotations"]["contour"]
        assert (grad["ax"], grad["ay"]) == pytest.approx((run.w[k, 0], run.b[k]))
        for arrow, colour in ((grad, GRADIENT), (update, UPDATE)):
            u1, v1 = contour.point(arrow["x"], arrow["y"])
            u0, v0 = contour.point(arrow["ax"], arrow["ay"])
            length = np.hypot(u1 - u0, v1 - v0)
            across = np.hypot((u1 - u0) / (contour.right - contour.left), (v1 - v0) / (contour.bottom - contour.top))
            assert across == pytest.approx(frames.DIRECTION_FRACTION)  # 8% of the view, as the browser draws it
            back = 6 / length  # just behind the tip: inside the arrow's head
            assert near(image, u1 + (u0 - u1) * back, v1 + (v0 - v1) * back, colour, radius=1)
            assert near(image, u1, v1, colour, radius=2)
        # the fitted line: the figure's x ends, the frame's y at the step, in the line's colour
        ends = json.loads(spec["figures"]["data"])
        fit_x = next(t for t in ends["data"] if t["uid"] == "fit")["x"]
        fit_x = web.decode(fit_x) if isinstance(fit_x, dict) else np.asarray(fit_x)
        fit_y = frame["traces"]["data"]["fit"]["y"]
        slope, intercept = run.w[k, 0], run.b[k]
        assert fit_y == pytest.approx(slope * fit_x + intercept)  # the line of step k, written out again
        for x, y in zip(fit_x, fit_y):
            u, v = data_view.point(x, y)
            if inside(data_view, u, v):
                assert near(image, u, v, PATH, radius=2)
        assert data_view.x_range[0] < DATA.X.min() and DATA.X.max() < data_view.x_range[1]  # autorange holds the data
        # a path point of an earlier step is drawn, and a later one is not yet
        if k == 12:
            u, v = contour.point((run.w[5, 0] + run.w[6, 0]) / 2, (run.b[5] + run.b[6]) / 2)
            assert near(image, u, v, PATH, radius=2)
            earlier = slides.picture(spec, 2)
            assert not near(earlier, u, v, PATH, radius=2)


def test_the_optimum_is_marked_where_the_figure_marks_it():
    spec = linear_one()
    image = slides.picture(spec, 0)
    (w_star,), b_star = gdviz.optimum(DATA)
    u, v = image.panels["contour"].point(w_star, b_star)
    assert near(image, u, v, OPTIMUM, radius=3)


def test_a_logistic_slide_draws_the_sigmoid_and_the_boundary_of_the_step():
    spec = logistic_synthetic()
    k = 40
    image = slides.picture(spec, k)
    frame = frames.step_frame(spec, k)
    data_view = image.panels["data"]
    assert data_view.y_range == pytest.approx((-0.12, 1.12))  # the classes figure's own range
    figure = json.loads(spec["figures"]["data"])
    curve_x = web.decode(next(t for t in figure["data"] if t["uid"] == "fit")["x"])
    curve_y = frame["traces"]["data"]["fit"]["y"]
    for i in (30, 60, 90):
        u, v = data_view.point(curve_x[i], curve_y[i])
        assert near(image, u, v, PATH, radius=2)
    boundary = frame["traces"]["data"]["boundary"]["x"][0]
    u, v = data_view.point(boundary, 0.25)
    if inside(data_view, u, v):
        assert any(near(image, u, v + dv, UPDATE, radius=2) for dv in range(-30, 31, 6))  # dashed: a dash near


def test_compared_runs_are_drawn_in_their_colours():
    spec = compared()
    k = 20
    image = slides.picture(spec, k)
    frame = frames.step_frame(spec, k)
    contour = image.panels["contour"]
    for i, colour in ((1, RUN_COLOURS[1]), (2, RUN_COLOURS[2])):
        assert spec["others"][i - 1]["colour"] == colour
        dot = frame["traces"]["contour"][f"other-point-{i}"]
        u, v = contour.point(dot["x"][0], dot["y"][0])
        assert dot_at(image, u, v, colour, r=5)


def test_a_diverging_run_is_drawn_without_a_nan_at_every_step():
    spec = diverged()
    assert spec["run"]["diverged_at"] is not None
    for k in (None, 0, 3, spec["run"]["last"], 10_000):
        image = slides.picture(spec, k, size=(800, 450))
        assert image.size == (800, 450)
    assert slides.picture(spec).step == spec["run"]["shown"] - 1


def test_several_features_redraw_the_slice_at_each_step():
    spec = linear_two()
    slide = slides.Slide(spec, size=(800, 450))
    early, late = slide.draw(0), slide.draw(100)
    contour = early.panels["contour"]
    box = contour.box
    # the (w₂, b) slice through the other weight moves with it: the contour colours differ
    a = np.asarray(early.crop(box)).astype(int)
    b = np.asarray(late.crop(box)).astype(int)
    assert np.abs(a - b).max(axis=-1).mean() > 5


def test_a_picture_can_be_any_size_and_keeps_its_title():
    spec = linear_one()
    small = slides.picture(spec, 5, title="The update rule", size=(800, 450))
    assert small.size == (800, 450)
    slide = slides.Slide(spec)
    frame = slide.frame(20)
    assert slide.subtitle(frame, 20) == f"step 20 / 40   ·   α = 0.05   ·   loss = {frame['panel']['metrics'][2]['value']:.4g}"
    schedule = slides.Slide(cosine())
    assert "α_k = " in schedule.subtitle(schedule.frame(50), 50)


def test_a_gif_holds_at_most_60_frames_and_its_last():
    assert slides.frame_steps(500) == sorted(set(slides.frame_steps(500))) and len(slides.frame_steps(500)) == 60
    assert slides.frame_steps(500)[0] == 0 and slides.frame_steps(500)[-1] == 500
    assert slides.frame_steps(3, 60) == [0, 1, 2, 3]
    spec = web.lecture_spec(DATA, gdviz.descend(DATA, lr=0.1, steps=300))
    calls = []
    gif = Image.open(io.BytesIO(slides.run_gif(spec, frames=12, size=(320, 180), title="Glide",
                                               progress=lambda done, total: calls.append((done, total)))))
    assert gif.n_frames == 12 and gif.size == (320, 180)
    assert calls == [(i, 12) for i in range(1, 13)]
    durations = []
    for i in range(gif.n_frames):
        gif.seek(i)
        durations.append(gif.info["duration"])
    assert durations[0] == 100 and durations[-1] == 2000  # 10 frames a second, the last held 2 s
    too_many = Image.open(io.BytesIO(slides.run_gif(spec, frames=500, size=(160, 90))))
    assert too_many.n_frames == 60


def test_a_gif_of_a_diverging_run_and_of_a_test_surface():
    for spec in (diverged(), surface("saddle", 0.05, 60)):
        gif = Image.open(io.BytesIO(slides.run_gif(spec, frames=6, size=(480, 270))))
        last = max(clock["view"] for clock in spec["frames"]["clocks"])
        assert gif.n_frames == len(slides.frame_steps(last, 6)) >= 2


def test_slides_zip_holds_one_png_per_picture():
    spec = web.lecture_spec(DATA, gdviz.descend(DATA, lr=0.1, steps=5))
    pictures = [(name, slides.picture(spec, 5, size=(400, 225))) for name in ("01-A / b", "01-A / b", "")]
    archive = zipfile.ZipFile(io.BytesIO(slides.slides_zip(pictures)))
    names = archive.namelist()
    assert len(names) == 3 and len(set(names)) == 3 and all(n.endswith(".png") and "/" not in n for n in names)
    for name in names:
        assert Image.open(io.BytesIO(archive.read(name))).size == (400, 225)


def test_a_lesson_becomes_one_picture_per_scene():
    scenes = [("The bowl", linear_one()), ("A valley", surface("rosenbrock", 0.001, 50)), ("Two classes", logistic())]
    calls = []
    pictures = slides.lesson_pictures(iter(scenes), size=(640, 360), progress=lambda d, t: calls.append((d, t)))
    assert [name for name, _ in pictures] == ["01-The bowl", "02-A valley", "03-Two classes"]
    assert calls == [(1, 3), (2, 3), (3, 3)]
    assert all(image.size == (640, 360) and image.step == spec["run"]["shown"] - 1
               for (_, image), (_, spec) in zip(pictures, scenes))
    archive = zipfile.ZipFile(io.BytesIO(slides.slides_zip(pictures)))
    assert archive.namelist() == ["01-The-bowl.png", "02-A-valley.png", "03-Two-classes.png"]


def test_the_type_has_the_lectures_symbols():
    type_ = slides.font(40)
    assert "DejaVu" in type_.getname()[0]
    for glyph in "α∂∇←−′λ₁":
        assert type_.getmask(glyph).getbbox() is not None


def test_a_plotly_colour_and_a_typed_array_are_read():
    assert slides.rgba("#D55E00") == (213, 94, 0, 255)
    assert slides.rgba("rgba(255,255,255,0.5)") == (255, 255, 255, 128)
    assert slides.rgba("black") == (0, 0, 0, 255)
    values = slides.floats([1.0, None, float("inf"), 2])
    assert np.isnan(values[1]) and np.isnan(values[2]) and values[3] == 2.0
    assert slides.autorange([0.0, 10.0], 100.0, padded=False) == (0.0, 10.0)
    low, high = slides.autorange([0.0, 10.0], 100.0)
    assert low == pytest.approx(-10 / 0.9 * 0.05) and high == pytest.approx(10 + 10 / 0.9 * 0.05)  # 5% of the length free


def test_tick_labels_read_as_the_page_writes_them():
    assert [slides.tick_text(v, 1.0) for v in (200000, -1.5e6, 0.25, -3, 2e-5)] == ["200k", "−1.5M", "0.25", "−3", "2×10⁻⁵"]
    assert [text for _, text in slides.log_ticks(-3, 1)] == ["10⁻³", "10⁻²", "10⁻¹", "1", "10"]
    assert [text for _, text in slides.log_ticks(np.log10(0.3), np.log10(3))] == ["0.5", "1", "2"]


# ---- type: every symbol drawn is a real glyph ----
def drawn_texts(specs) -> set[str]:
    """Every text the slides draw for ``specs`` (titles, subtitles, ticks, axis titles, legends,
    text traces), recorded as Pillow is asked to draw it."""
    from PIL import ImageDraw

    seen: set[str] = set()
    original = ImageDraw.ImageDraw.text

    def recording(self, xy, text, *args, **kwargs):
        seen.add(str(text))
        return original(self, xy, text, *args, **kwargs)

    ImageDraw.ImageDraw.text = recording
    try:
        for title, spec in specs:
            slides.picture(spec, None, title=title, size=(800, 450))
            slides.picture(spec, 0, title=title, size=(800, 450))
    finally:
        ImageDraw.ImageDraw.text = original
    return seen


def symbol_specs():
    from gdviz import pipeline
    from gdviz.state import BATCH, PROBLEMS, PageState

    base = PageState().replace(steps=40)
    states = [base.replace(optimizer=name, sched=schedule, l2=l2)
              for name, schedule, l2 in [("gd", "constant", 0.0), ("momentum", "step", 0.5), ("nesterov", "cosine", 0.0),
                                         ("adagrad", "exponential", 0.0), ("rmsprop", "constant", 2.0),
                                         ("adam", "cosine", 0.0)]]
    states += [base.replace(problem=label) for label in PROBLEMS.values() if label != PROBLEMS["mse"]]
    states += [base.replace(batch_mode=BATCH["mini"], batch_size=4), base.replace(lr=5.0),
               base.replace(compared=(("adam", 0.1), ("momentum", 0.01)))]
    return [("α β₁ λ ∂L/∂w ∇ ← ŷ “x” …", pipeline.lecture(state).spec) for state in states]


def test_no_symbol_the_slides_draw_is_the_missing_glyph_box():
    """Each character of every text drawn is compared, as a bitmap, with the font's .notdef glyph
    (what FreeType draws for a character the font lacks): none may be that box."""
    texts = drawn_texts(symbol_specs())
    texts.add("⁰¹²³⁴⁵⁶⁷⁸⁹⁻×")  # the ticks of a log axis and of tiny numbers (tick_text, log_ticks)
    symbols = sorted({c for text in texts for c in text if not c.isspace()})
    assert {"α", "∂", "∇", "←", "−", "λ", "₁", "⁻"} <= set(symbols), symbols
    for bold in (False, True):
        type_ = slides.font(40, bold)
        assert "DejaVu" in type_.getname()[0]
        notdef = type_.getmask("\uffff")  # no font maps this code point: FreeType draws glyph 0, .notdef
        assert notdef.getbbox() is not None, "the .notdef glyph is a visible box in DejaVu"
        assert bytes(type_.getmask("\U00010000")) == bytes(notdef)  # another unmapped one: the same box
        box = (notdef.size, bytes(notdef))
        missing = [c for c in symbols if (type_.getmask(c).size, bytes(type_.getmask(c))) == box]
        assert not missing, f"drawn as the missing-glyph box: {missing}"


def test_without_dejavu_the_slides_spell_the_symbols_out_and_say_so(monkeypatch):
    monkeypatch.setattr(slides, "FONT_FOLDERS", ())
    slides.font.cache_clear()
    try:
        assert not slides.has_symbols()
        spec = symbol_specs()[1][1]
        texts = drawn_texts([("α and ∇", spec)])
        assert any(slides.NO_FONT in text for text in texts)  # the slide says so
        type_ = slides.font(40)
        notdef = type_.getmask("\uffff")
        box = (notdef.size, bytes(notdef))
        symbols = {c for text in texts for c in slides.spelled_out(text)}
        assert all(c.isascii() for c in symbols)
        missing = [c for c in "".join(sorted({c for text in texts for c in text}))
                   if not c.isspace() and (type_.getmask(c).size, bytes(type_.getmask(c))) == box]
        assert not missing, f"drawn as the missing-glyph box without DejaVu: {missing}"
        assert slides.spelled_out("α = 10⁻³ · ∂L/∂w₁ ← ŷ − y") == "alpha = 10^-3 * dL/dw1 <- y^ - y"
    finally:
        slides.font.cache_clear()


# ---- the cost of an export, known before it starts (issue 21, item 2)
WORST_SCENE = {"n": "1000", "steps": "2000", "cmp": "adam:0.1,momentum:0.01,nesterov:0.01", "batch": "mini",
               "bs": "2", "opt": "adam", "lr": "100"}


def test_the_slides_of_the_worst_lesson_a_link_carries_are_refused_before_drawing():
    from gdviz import lessons, pipeline

    lesson = lessons.Lesson("Worst", tuple(lessons.Scene(f"S{i}", "", {**WORST_SCENE, "seed": str(i)})
                                           for i in range(1, 61)))
    assert lessons.fits_in_link(lesson)
    states = [pipeline.scene_state(scene) for scene in lesson.scenes]
    with pytest.raises(slides.ExportTooCostly) as caught:
        slides.check_slides(states)
    message = str(caught.value)
    assert "60 scenes" in message and f"{slides.EXPORT_BUDGET:.0f} s" in message and message.endswith(".")
    assert "\n" not in message
    builtin = [pipeline.scene_state(scene) for scene in lessons.builtin_lesson().scenes]
    assert slides.check_slides(builtin) <= slides.EXPORT_BUDGET * slides.PLANNED_SHARE  # the built-in lesson draws


def test_a_scene_costs_more_with_more_steps_runs_batches_and_rows():
    from gdviz.state import BATCH, PageState

    base = PageState()
    cost = slides.scene_cost
    assert cost(base.replace(steps=2000)) > cost(base)
    assert cost(base.replace(compared=(("adam", 0.1),))) > cost(base)
    assert cost(base.replace(batch_mode=BATCH["mini"], batch_size=2)) > cost(base)
    assert cost(base.replace(n=1000)) > cost(base)


def test_a_gif_of_a_long_run_has_fewer_frames_within_the_budget():
    from gdviz import lessons, pipeline

    spec = pipeline.lecture(pipeline.scene_state(lessons.Scene("w", "", WORST_SCENE))).spec
    frames = slides.gif_frames(spec)
    assert 2 <= frames < slides.MAX_FRAMES
    assert slides.gif_frames(linear_one()) == slides.MAX_FRAMES  # a short run keeps every frame
    steps = slides.frame_steps(spec["run"]["steps"], frames)
    assert len(steps) == frames
