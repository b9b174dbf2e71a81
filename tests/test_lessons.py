"""Lessons: scenes that are whole page states, the built-in lesson (a file in the package, every note
run against its scene's run), its files and links, deck edits."""
import base64
import colorsys
import functools
import hashlib
import json
import re
import tomllib
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gdviz
from gdviz import lessons, pipeline
from gdviz.lessons import Lesson, LessonError, Scene
from gdviz.optimizers import LABELS
from gdviz.web import frames
from gdviz import state

from conftest import direct_gradient, direct_loss

BUILTIN = lessons.builtin_lesson()
N = len(BUILTIN.scenes)


# ---- the built-in lesson: a file in the package ----
def test_the_builtin_lesson_follows_the_lecture_notes():
    assert lessons.BUILTIN == BUILTIN and lessons.lesson_from_link("builtin") == BUILTIN
    assert len(BUILTIN.scenes) == 15
    assert BUILTIN.scenes[0].title == "The update rule: W ← W − α ∂L/∂W"
    titles = " ".join(s.title for s in BUILTIN.scenes).lower()
    for words in ("one feature", "two features", "come from", "too small", "just right", "larger learning rate",
                  "valley", "standardise", "momentum and adam", "mini-batches", "sgd", "real data"):
        assert words in titles, words
    # The scenes that ask "Will this rate converge?" keep the answer out of the title and do not play by
    # themselves (the class answers first); the notes say it to the lecturer.
    asking = [s for s in BUILTIN.scenes if s.question is not None]
    assert len(asking) == 4 and not any(s.play for s in asking)
    assert not any(word in s.title.lower() for s in asking for word in ("oscillat", "diverg", "zig"))
    notes = " ".join(s.note for s in asking)
    assert "zig-zags" in notes and "climbs" in notes
    assert all(s.note and len(s.note) <= lessons.MAX_NOTE for s in BUILTIN.scenes)
    assert all(s.params.get("present") == "1" for s in BUILTIN.scenes)  # a lecture hall
    assert any(s.play for s in BUILTIN.scenes) and not all(s.play for s in BUILTIN.scenes)
    assert "cam" in BUILTIN.scenes[0].params


def test_the_builtin_lesson_is_the_toml_file_in_the_package():
    path = lessons.BUILTIN_FILE
    assert path.parent == Path(gdviz.__file__).parent and path.suffix == ".toml"  # shipped with the package
    raw = path.read_bytes()
    assert lessons.read_lesson(raw, path.name) == BUILTIN
    assert lessons.builtin_lesson() is BUILTIN  # read once
    top = raw.decode("utf-8").split("gdviz_lesson =")[0]
    assert top.startswith("#") and "learning_rate_presets" in top  # says how its rates were chosen
    assert tomllib.loads(raw.decode("utf-8"))["gdviz_lesson"] == lessons.FORMAT_VERSION


@pytest.mark.parametrize("number", range(1, 16))
def test_every_builtin_scene_opens_without_a_note(number):
    scene = BUILTIN.scenes[number - 1]
    page, notes = state.PageState.from_link(lessons.page_params(scene))
    assert notes == [], notes
    assert state.STEP not in scene.params and page != state.PageState()  # a scene opens at step 0


def test_the_pull_scene_is_there():
    assert any(s.params.get("pull") == "1" for s in BUILTIN.scenes)


# ---- the built-in lesson's learning rates: recomputed from each scene's own data ----
def data_of(scene: Scene):
    """What the scene's run descends: its data as fitted (standardised if the scene says so)."""
    page = pipeline.scene_state(scene)
    return pipeline.descended(page.data_choice(), bool(page.standardise), page.problem_id)


def raw_data_of(scene: Scene):
    page = pipeline.scene_state(scene)
    return pipeline.descended(page.data_choice(), False, page.problem_id)


def four_digits(value: float) -> float:
    return float(f"{value:.4g}")


def preset(name, scale=1.0):
    """The rate the scene's own data gives for a preset (times ``scale``, to four digits)."""
    return lambda scene: four_digits(gdviz.learning_rate_presets(data_of(scene))[name] * scale)


RATES = {  # scene number: its learning rate, from its own data (the TOML file's top says the same)
    1: preset("just right"), 4: preset("just right"),
    5: preset("too small"), 6: preset("just right"), 7: preset("oscillating"), 8: preset("diverging"),
    2: preset("just right"), 3: preset("just right"), 15: preset("just right"),
    9: preset("just right"), 10: preset("just right"), 11: preset("just right"),
    12: preset("just right", 1 / 2), 13: preset("just right", 1 / 10),
    14: lambda scene: gdviz.settings_that_fit(data_of(scene))[0],
}


@pytest.mark.parametrize("number", range(1, 16))
def test_every_builtin_rate_is_what_its_data_gives(number):
    scene = BUILTIN.scenes[number - 1]
    assert float(scene.params["lr"]) == pytest.approx(RATES[number](scene), rel=1e-12)


def test_the_compared_rates_and_the_real_data_settings_are_what_their_data_give():
    valley = BUILTIN.scenes[10]
    values = state.decode({"cmp": [valley.params["cmp"]]})[0]
    assert (values["compare_n"], values["cmp_opt_1"], values["cmp_opt_2"]) == (2, "momentum", "adam")
    just_right = gdviz.learning_rate_presets(data_of(valley))["just right"]
    assert values["cmp_lr_1"] == pytest.approx(four_digits(just_right / 2), rel=1e-12)  # μ = 0.9: 10 gradients a step
    assert values["cmp_lr_2"] == 0.5
    cars = BUILTIN.scenes[13]
    assert cars.params["std"] == "1" and gdviz.settings_that_fit(raw_data_of(cars)) is None  # raw, it never fits
    assert (float(cars.params["lr"]), int(cars.params["steps"])) == gdviz.settings_that_fit(data_of(cars))


# ---- every note of the built-in lesson, run against its scene's run ----
@functools.lru_cache(maxsize=None)
def lectured(number: int):
    """(scene, note, the Lecture its state gives) for built-in scene ``number`` (1-based)."""
    scene = BUILTIN.scenes[number - 1]
    return scene, scene.note, pipeline.lecture(pipeline.scene_state(scene))


class Note:
    """A note and the phrases of it a test has checked; ``unchecked`` lists its numbers no test checked."""

    def __init__(self, text: str):
        self.text, self.checked = text, []

    def says(self, phrase: str) -> None:
        assert phrase in self.text, (phrase, self.text)
        self.checked.append(phrase)

    def unchecked(self) -> list[str]:
        rest = self.text
        for phrase in sorted(self.checked, key=len, reverse=True):
            rest = rest.replace(phrase, " ")
        return re.findall(r"\d+(?:\.\d+)?", rest)


def theta(run) -> np.ndarray:
    """(w…, b) at each recorded step, one row a step."""
    return np.column_stack([run.w, run.b])


def least_squares(data) -> np.ndarray:
    """θ* = (W*, b*) by numpy's least squares on A = [X 1] (independent of gdviz.model)."""
    A = np.column_stack([data.X, np.ones(data.m)])
    return np.linalg.lstsq(A, data.y, rcond=None)[0]


def hessian(data) -> tuple[np.ndarray, np.ndarray]:
    """(eigenvalues ascending, eigenvectors as columns) of H = (2/m) AᵀA, A = [X 1], written out."""
    A = np.column_stack([data.X, np.ones(data.m)])
    return np.linalg.eigh(2 / data.m * A.T @ A)


def eigen_errors(data, run) -> np.ndarray:
    """The error θ_t − θ* along each eigen-direction (columns: slowest first)."""
    return (theta(run) - least_squares(data)) @ hessian(data)[1]


def covered(data, run) -> np.ndarray:
    """How far along the way each step is: |θ_t − θ_0| / |θ* − θ_0|."""
    path = theta(run)
    return np.linalg.norm(path - path[0], axis=1) / np.linalg.norm(least_squares(data) - path[0])


def step_lengths(run) -> np.ndarray:
    return np.linalg.norm(np.diff(theta(run), axis=0), axis=1)


def sign_changes(values: np.ndarray, floor: float) -> int:
    """How often ``values`` changes sign while above ``floor`` in size (below it is rounding noise)."""
    kept = values[np.abs(values) > floor]
    return int(np.sum(np.sign(kept[1:]) != np.sign(kept[:-1])))


def falls(loss: np.ndarray) -> bool:
    """The loss never rises (to rounding, once it sits at the minimum) and ends lower."""
    return bool(np.all(np.diff(loss) <= 1e-12 * np.abs(loss[:-1])) and loss[-1] < loss[0])


def condition(data) -> float:
    lam = hessian(data)[0]
    return float(lam[-1] / lam[0])


def said_alpha_lambda(note: Note, lecture) -> float:
    """The note's αλ_max, checked against the rate and the data's λ_max (four-digit rates move it < 1e-3)."""
    value = float(lecture.state.lr) * hessian(lecture.data)[0][-1]
    note.says(f"αλ_max = {value:.2g}")
    return value


def fit_step(lecture, run) -> int | None:
    """The first step within 1% of the least loss, the least loss written out."""
    star = least_squares(lecture.data)
    least = direct_loss(lecture.data.X, lecture.data.y, star[:-1], star[-1])
    reached = np.flatnonzero(run.loss - least <= 0.01 * least)
    return int(reached[0]) if reached.size else None


def hue(colour: str) -> float:
    rgb = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    return colorsys.rgb_to_hsv(*rgb)[0] * 360


HUES = {"orange": (10, 45), "blue": (190, 230), "pink": (300, 345)}  # a colour word, the hues it names


def trace(lecture, view: str, uid: str) -> dict:
    figure = json.loads(lecture.spec["figures"][view])
    return next(t for t in figure["data"] if t.get("uid") == uid)


def says_colour(note: Note, word: str, lecture, uid: str) -> None:
    note.says(word)
    colour = trace(lecture, "contour", uid)["line"]["color"]
    low, high = HUES[word]
    assert low <= hue(colour) <= high, (word, uid, colour)


def claims_update_rule(note: Note, lecture):  # scene 1
    run, data = lecture.run, lecture.data
    for t in range(run.steps):  # each step is exactly −α times the gradient (the definition, written out)
        gw, gb = direct_gradient(data.X, data.y, run.w[t], run.b[t])
        np.testing.assert_allclose(theta(run)[t + 1] - theta(run)[t], -lecture.state.lr * np.r_[gw, gb],
                                   rtol=1e-9, atol=1e-12)
    note.says("exactly α times the blue gradient arrow, the other way, downhill")
    assert falls(run.loss)  # downhill, every step
    says_colour(note, "orange", lecture, "path")
    says_colour(note, "blue", lecture, "gradients")
    kappa = condition(data)
    assert kappa < 1.5
    note.says(f"nearly round bowl (κ = {kappa:.1f})")


def panel_numbers(frame, cls: str) -> list[list[float]]:
    """The numbers of each maths-panel row of class ``cls`` at a frame."""
    rows = [row for row in frame["panel"]["rows"] if row["cls"] == cls]
    out = []
    for row in rows:
        numbers = []
        for part in row["parts"]:
            if isinstance(part, dict) and "vec" in part:
                numbers += part["vec"]
            elif isinstance(part, dict) and "n" in part:
                numbers.append(part["n"])
        out.append(numbers)
    return out


def claims_one_weight(note: Note, lecture):  # scene 2
    run, data = lecture.run, lecture.data
    assert data.d == 1 and data.feature_names == ("girth_in",) and lecture.spec["run"]["d"] == 1
    for k in (0, 1, 10):
        frame = frames.step_frame(lecture.spec, k)
        gradients = panel_numbers(frame, "g")  # ∂L/∂w, ∂L/∂b: one number each
        assert gradients == [[pytest.approx(run.grad_w[k, 0])], [pytest.approx(run.grad_b[k])]]
        updates = panel_numbers(frame, "u")  # each updates its own parameter: w − α ∂L/∂w, b − α ∂L/∂b
        assert updates[0] == pytest.approx([run.w[k, 0], lecture.state.lr, run.grad_w[k, 0], run.w[k + 1, 0]])
        assert updates[1] == pytest.approx([run.b[k], lecture.state.lr, run.grad_b[k], run.b[k + 1]])
    note.says("∂L/∂w and ∂L/∂b, one number per parameter, each used to update its own parameter")


def claims_two_weights(note: Note, lecture):  # scene 3
    run, data = lecture.run, lecture.data
    assert data.d == 2 and data.feature_names == ("girth_in", "height_ft")
    note.says("W has two weights (girth, height)")
    assert run.w.shape[1] == 2 and run.grad_w.shape == run.w.shape  # ∂L/∂W has the shape of W
    gw, gb = direct_gradient(data.X, data.y, run.w[5], run.b[5])
    np.testing.assert_allclose(run.grad_w[5], gw, rtol=1e-9)
    note.says("two entries, plus ∂L/∂b")
    assert lecture.spec["run"]["feature"] == 0 and lecture.spec["run"]["slice"] is not None
    assert json.loads(lecture.spec["figures"]["contour"])["layout"]["xaxis"]["title"]["text"].startswith("w1")
    note.says("the slice through w1 and b")


def claims_each_examples_pull(note: Note, lecture):  # scene 4
    run, data, spec = lecture.run, lecture.data, lecture.spec
    assert spec["run"]["pull"] and spec["run"]["pull_rows"] == list(range(data.m))  # every example drawn
    scales = gdviz.web.decode(spec["timeline"]["pull_scale"])
    for k in (0, 3, 10):
        contour = frames.step_frame(spec, k)["traces"]["contour"]
        tips = {}
        for uid in ("pull-over", "pull-under"):
            x, y = contour[uid]["x"], contour[uid]["y"]
            for i in range(len(x) // 3):
                if x[3 * i + 1] is not None:
                    tips[i] = (x[3 * i + 1], y[3 * i + 1])
        assert sorted(tips) == list(range(data.m))
        residual = data.X[:, 0] * run.w[k, 0] + run.b[k] - data.y  # ŷᵢ − yᵢ
        pulls = -2 * residual[:, None] * np.column_stack([data.X[:, 0], np.ones(data.m)])  # −2(ŷᵢ − yᵢ)(xᵢ, 1)
        drawn = np.array([tips[i] for i in range(data.m)]) - [run.w[k, 0], run.b[k]]
        np.testing.assert_allclose(drawn, scales[k] * pulls, rtol=1e-9, atol=1e-12)  # one factor s_k > 0 for all
        assert scales[k] > 0
        bold = contour["pull-mean"]  # the bold arrow: from the point to the mean of the thin arrows' tips
        gw, gb = direct_gradient(data.X, data.y, run.w[k], run.b[k])
        np.testing.assert_allclose([bold["x"][1] - bold["x"][0], bold["y"][1] - bold["y"][0]],
                                   scales[k] * pulls.mean(axis=0), rtol=1e-9)
        np.testing.assert_allclose(pulls.mean(axis=0), -np.r_[gw, gb], rtol=1e-9)  # the mean of the pulls is −∇L
    note.says("one example's pull, −2(ŷᵢ − yᵢ)(xᵢ, 1): its own −gradient")
    note.says("Their mean, the bold arrow, is −∇L")


def claims_too_small(note: Note, lecture):  # scene 5
    run, data = lecture.run, lecture.data
    said_alpha_lambda(note, lecture)
    factors = 1 - lecture.state.lr * hessian(data)[0]
    assert factors.min() >= 0.996 - 1e-4 and factors.max() < 1  # none shrinks by more than 0.4% a step
    note.says("no direction shrinks by more than 0.4% a step")
    note.says(f"after {run.steps} steps")
    note.says(f"only {covered(data, run)[-1]:.0%} of the way to the minimum")
    star = least_squares(data)
    least = direct_loss(data.X, data.y, star[:-1], star[-1])
    note.says(f"fallen from {run.loss[0]:.0f} to {run.loss[-1]:.0f} (the fit's is {least:.1f})")
    assert fit_step(lecture, run) is None and run.diverged_at is None


def claims_just_right(note: Note, lecture):  # scene 6
    run, data = lecture.run, lecture.data
    said_alpha_lambda(note, lecture)
    factors = 1 - lecture.state.lr * hessian(data)[0]
    assert np.all((0 < factors) & (factors < 1))
    errors = eigen_errors(data, run)
    for j in range(data.d + 1):  # no direction ever changes sign (until it is rounding noise)
        assert sign_changes(errors[:, j], 1e-8 * abs(errors[0, j])) == 0
    note.says("every direction shrinks and none zig-zags")
    assert falls(run.loss)
    slow, fast = np.abs(errors[10] / errors[0])  # by step 10: in the valley (the steep direction gone), still along it
    assert fast < 1e-6 and slow > 0.1
    note.says("glides into the valley and along it")
    note.says(f"reaching the fit (within 1% of the least loss) by step {fit_step(lecture, run)}")


def claims_oscillating(note: Note, lecture):  # scene 7
    run, data = lecture.run, lecture.data
    said_alpha_lambda(note, lecture)
    errors = eigen_errors(data, run)
    steep = errors[:, -1]
    kept = np.abs(steep) > 1e-8 * abs(steep[0])
    assert kept.sum() > 20 and sign_changes(steep, 1e-8 * abs(steep[0])) == kept.sum() - 1  # flips every step
    assert sign_changes(errors[:, 0], 1e-8 * abs(errors[0, 0])) == 0  # the other one does not
    note.says("the steep direction flips sign every step, so the path zig-zags across the valley")
    assert np.all(np.diff(step_lengths(run)) < 0)
    ratio = steep[1:20] / steep[:19]
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-6)
    note.says(f"each jump shorter (×{-ratio[0]:.1f})")
    assert run.diverged_at is None
    note.says(f"it still converges, reaching the fit by step {fit_step(lecture, run)}")


def claims_diverging(note: Note, lecture):  # scene 8
    run, data = lecture.run, lecture.data
    said_alpha_lambda(note, lecture)
    steep = eigen_errors(data, run)[:, -1]
    ratio = steep[1:] / steep[:-1]
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-6)  # flips and grows by the same factor every step
    assert ratio[0] < -1
    lengths = step_lengths(run)
    assert np.all(lengths[1:] > lengths[:-1])
    assert lengths[-1] / lengths[-2] == pytest.approx(-ratio[0], rel=1e-3)
    note.says(f"each zig-zag is {-ratio[0]:.1f} times longer than the last")
    assert np.all(np.diff(run.loss) > 0)
    assert run.diverged_at is not None and run.diverged_at < lecture.state.steps
    note.says(f"the loss curve climbs and the run stops at step {run.diverged_at} of {lecture.state.steps}")


def claims_long_valley(note: Note, lecture):  # scene 9
    run, data = lecture.run, lecture.data
    x = data.X[:, 0]
    assert 2 <= x.min() < 2.2 and 5.8 < x.max() <= 6  # far from zero
    note.says(f"x from {x.min():.0f} to {x.max():.0f}")
    lam, vectors = hessian(data)
    floor = vectors[:, 0]
    note.says(f"raise w by 1, lower b by {-floor[1] / floor[0]:.1f}, and the loss barely moves")
    note.says(f"κ = {lam[-1] / lam[0]:.0f}")
    errors = eigen_errors(data, run)
    slow, fast = np.abs(errors / errors[0]).T
    assert fast[3] < 0.01  # on the floor in a few steps
    assert slow[-1] > 0.4 and falls(run.loss)  # then crawls: most of the floor still ahead
    note.says("drops to the valley floor in a few steps, then crawls along it")
    note.says(f"{covered(data, run)[-1]:.0%} of the way after {run.steps} steps")


def claims_standardised(note: Note, lecture):  # scene 10
    run, data = lecture.run, lecture.data
    _, _, valley = lectured(9)
    np.testing.assert_array_equal(lecture.original.X, valley.data.X)  # the same data, standardised
    np.testing.assert_array_equal(lecture.original.y, valley.data.y)
    np.testing.assert_allclose(data.X[:, 0], (valley.data.X[:, 0] - valley.data.X.mean()) / valley.data.X.std())
    note.says("x′ = (x − mean)/std: the same data")
    assert condition(data) == pytest.approx(1.0, abs=1e-9)
    note.says("a round bowl (κ = 1)")
    note.says(f"a rate of {lecture.state.lr:.2g} instead of {valley.state.lr:.2g}")
    path = theta(run)
    way = least_squares(data) - path[0]
    off = (path - path[0]) - np.outer((path - path[0]) @ way / (way @ way), way)
    assert np.abs(off).max() < 1e-9 * np.linalg.norm(way)  # on the straight line to the minimum
    note.says(f"goes straight in, reaching the fit by step {fit_step(lecture, run)}")


def claims_momentum_and_adam(note: Note, lecture):  # scene 11
    run, data = lecture.run, lecture.data
    _, _, valley = lectured(9)
    np.testing.assert_array_equal(data.X, valley.data.X)  # the same valley …
    assert condition(data) == condition(valley.data)
    np.testing.assert_array_equal(theta(run)[0], theta(valley.run)[0])  # … and the same start
    note.says(f"The valley of x from {data.X.min():.0f} to {data.X.max():.0f} again, same start")
    errors = eigen_errors(data, run)
    assert abs(errors[-1, 0] / errors[0, 0]) > 0.4 and covered(data, run)[-1] < 0.75  # plain descent: still crawling
    note.says("plain descent crawls along the floor")
    (momentum_label, momentum), (adam_label, adam) = lecture.others
    assert momentum_label.startswith("momentum") and adam_label.startswith("Adam")
    floor = hessian(data)[1][:, 0]
    speed = np.abs(np.diff(theta(momentum), axis=0) @ floor)  # how fast each run moves along the floor
    plain = np.abs(np.diff(theta(run), axis=0) @ floor)
    top = int(np.argmax(speed))
    assert top >= 10 and speed[top] > 5 * speed[0] and speed[top] > 3 * plain[top]  # it builds speed there
    note.says("momentum builds speed there")
    note.says(f"reaches the fit by step {fit_step(lecture, momentum)}")
    assert fit_step(lecture, run) is None  # plain descent does not, in the same steps
    alpha = adam.settings["lr"]
    note.says(f"Adam's first step moves w and b by α = {alpha:g}")
    np.testing.assert_allclose(np.abs(np.diff(theta(adam), axis=0)[0]), alpha, rtol=1e-6)
    later = np.abs(np.diff(theta(adam), axis=0)[10:])
    median_w, median_b = np.median(later, axis=0)
    assert max(median_w, median_b) < alpha / 10
    note.says(f"later ones by about {median_w:.1g} and {median_b:.1g}")


def claims_mini_batches(note: Note, lecture):  # scene 12
    run, data = lecture.run, lecture.data
    assert run.settings["batch_size"] == 10 and data.m == 200
    note.says(f"mini-batch arrow ({run.settings['batch_size']} of {data.m} examples)")
    full = np.column_stack([run.grad_w[:-1], run.grad_b[:-1]])
    used = np.column_stack([run.used_grad_w, run.used_grad_b])
    assert np.all(np.linalg.norm(used - full, axis=1) > 1e-6 * np.linalg.norm(full, axis=1))
    says_colour(note, "pink", lecture, "batch-gradients")
    says_colour(note, "blue", lecture, "gradients")
    note.says("is not the blue full gradient")
    cosine = np.sum(used * full, axis=1) / np.linalg.norm(used, axis=1) / np.linalg.norm(full, axis=1)
    assert np.mean(cosine < np.cos(np.radians(10))) > 0.5  # most steps more than 10° off the full gradient
    note.says("the path wobbles")
    assert trace(lecture, "contour", "optimum")["marker"]["symbol"] == "star"
    distance = np.linalg.norm(theta(run) - least_squares(data), axis=1)
    assert distance[-1] < distance[0] / 50 and distance[-1] < 0.1
    note.says("still heads for the star and ends within 0.1 of it")


def claims_sgd(note: Note, lecture):  # scene 13
    run, data = lecture.run, lecture.data
    assert run.settings["batch_size"] == 1
    note.says("Batch size 1")
    A = np.column_stack([data.X, np.ones(data.m)])
    for t in range(0, run.steps, 7):  # the gradient used is one example's: 2(ŷᵢ − yᵢ)(xᵢ, 1) for some i
        own = 2 * (A @ theta(run)[t] - data.y)[:, None] * A
        used = np.r_[run.used_grad_w[t], run.used_grad_b[t]]
        assert np.min(np.abs(own - used).max(axis=1)) < 1e-9 * (1 + np.abs(used).max())
    note.says("each step follows one example's pull")
    distance = np.linalg.norm(theta(run) - least_squares(data), axis=1)
    assert distance[-50:].max() < 0.15 * distance[0]  # around the minimum …
    lengths = step_lengths(run)
    late = float(np.median(lengths[-50:]))
    assert late > 0.4 * np.median(lengths[:50]) and distance[-50:].min() > 0  # … and never settles
    note.says(f"jitters around the minimum and never settles: its last 50 steps are still about {late:.1g} long")


def claims_cars(note: Note, lecture):  # scene 14
    run, data = lecture.run, lecture.data
    assert "Ezekiel, 1930" in lecture.original.name and "cars" in lecture.original.name.lower()
    note.says("Ezekiel's cars (1930)")
    assert lecture.state.standardise and data.scaling is not None
    note.says("x standardised")
    assert data.feature_names == ("speed_mph",) and data.target_name == "stopping_distance_ft"
    note.says("the line from speed to stopping distance")
    assert pipeline.fit_reached(run, lecture.theory) == fit_step(lecture, run)
    note.says(f"reaching the least-squares fit by step {fit_step(lecture, run)}")


def claims_trees(note: Note, lecture):  # scene 15
    run, data = lecture.run, lecture.data
    assert data.d == 2 and data.feature_names == ("girth_in", "height_ft") and data.target_name == "volume_cuft"
    note.says("Volume from girth and height")
    assert lecture.spec["run"]["data_view"] == "actual"
    note.says("predicted against actual")
    r2 = [1 - np.sum((data.X @ run.w[k] + run.b[k] - data.y) ** 2) / np.sum((data.y - data.y.mean()) ** 2)
          for k in range(run.steps + 1)]
    assert np.all(np.diff(r2) >= -1e-12) and r2[-1] > r2[0]  # the points line up more closely every step
    assert r2[0] < 0
    note.says(f"line up on the diagonal as it fits (R² from below 0 to {r2[-1]:.2f})")


CLAIMS = {1: claims_update_rule, 2: claims_one_weight, 3: claims_two_weights, 4: claims_each_examples_pull,
          5: claims_too_small, 6: claims_just_right, 7: claims_oscillating, 8: claims_diverging,
          9: claims_long_valley, 10: claims_standardised, 11: claims_momentum_and_adam, 12: claims_mini_batches,
          13: claims_sgd, 14: claims_cars, 15: claims_trees}


def test_every_builtin_scene_has_its_claims_run():
    assert sorted(CLAIMS) == list(range(1, N + 1))


@pytest.mark.parametrize("number", range(1, 16))
def test_every_note_of_the_builtin_lesson_is_true_of_its_run(number):
    """Each note's claims run against the run its scene opens on (gdviz.pipeline, as the page does);
    every number in the note is one a claim checked."""
    scene, text, lecture = lectured(number)
    assert lecture.spec is not None and lecture.run is not None
    note = Note(text)
    CLAIMS[number](note, lecture)
    assert note.unchecked() == [], f"scene {number}: numbers no test checks: {note.unchecked()}"


def test_the_titles_say_the_data_shown():
    assert lectured(2)[2].data.d == 1 and lectured(3)[2].data.d == 2 and lectured(15)[2].data.d == 2
    assert "round bowl" in BUILTIN.scenes[9].title and condition(lectured(10)[2].data) == pytest.approx(1)
    valley = lectured(9)[2].data.X[:, 0]
    assert valley.mean() > 3 * valley.std()  # x far from zero
    assert "cars" in BUILTIN.scenes[13].title and "cars" in lectured(14)[2].original.name.lower()
    assert "cherry trees" in BUILTIN.scenes[14].title and "cherry trees" in lectured(15)[2].original.name.lower()


def test_the_valley_scenes_are_the_same_valley():
    kappas = [condition(lectured(k)[2].data) for k in (9, 11)]
    assert kappas[0] == kappas[1] and kappas[0] > 100


def test_the_builtin_lesson_fits_in_a_link():
    assert lessons.fits_in_link(BUILTIN)
    assert len(lessons.lesson_to_link(BUILTIN)) <= lessons.MAX_LINK_CHARS


# ---- round trips ----
def test_the_builtin_lesson_survives_toml_json_and_link():
    assert lessons.read_lesson(lessons.lesson_to_toml(BUILTIN).encode(), "x.toml") == BUILTIN
    assert lessons.read_lesson(lessons.lesson_to_toml(BUILTIN).encode()) == BUILTIN  # told by its content
    assert lessons.read_lesson(lessons.lesson_to_json(BUILTIN).encode(), "x.json") == BUILTIN
    assert lessons.read_lesson(lessons.lesson_to_json(BUILTIN).encode()) == BUILTIN
    assert lessons.lesson_from_link(lessons.lesson_to_link(BUILTIN)) == BUILTIN
    parsed = tomllib.loads(lessons.lesson_to_toml(BUILTIN))  # plain TOML any reader takes
    assert parsed["title"] == BUILTIN.title and len(parsed["scenes"]) == 15
    assert json.loads(lessons.lesson_to_json(BUILTIN))["scenes"][0]["params"]["present"] == "1"


PLAIN = st.text(st.characters(categories=("L", "M", "N", "P", "S")) | st.sampled_from(' "\\\t#=[]{}'),
                min_size=0, max_size=60)
TITLES = PLAIN.map(lambda t: "T" + t)
PARAMS = st.fixed_dictionaries({}, optional={
    "lr": st.sampled_from(state.LEARNING_RATES).map(state.write_number),
    "opt": st.sampled_from(list(LABELS)),
    "steps": st.integers(1, 2000).map(str),
    "w0": st.floats(-1e6, 1e6, allow_nan=False).map(state.write_number),
    "b0": st.floats(-1e6, 1e6, allow_nan=False).map(state.write_number),
    "present": st.sampled_from(["0", "1"]),
    "std": st.sampled_from(["0", "1"]),
    "batch": st.sampled_from(list(state.BATCH)),
    "cam": st.tuples(*[st.floats(0.5, 3)] * 3).map(lambda eye: state.write_camera(eye)),
    "cmp": st.lists(st.tuples(st.sampled_from(list(LABELS)), st.sampled_from([0.01, 0.1, 0.5])), min_size=1,
                    max_size=3).map(lambda runs: ",".join(f"{n}:{r}" for n, r in runs)),
    "data": st.sampled_from(["synthetic", "cars", "trees"]),
    "offset": st.sampled_from(["0", "1", "4.5", "-10", "50"]),
})
OPTION = st.text(st.characters(categories=("L", "N", "P")) | st.sampled_from(' "\\#='), min_size=1, max_size=80)
QUESTIONS = st.one_of(st.none(), st.lists(OPTION.filter(str.strip), min_size=2, max_size=6).flatmap(
    lambda options: st.fixed_dictionaries({"text": TITLES, "options": st.just(options)},
                                          optional={"answer": st.integers(0, len(options) - 1)})))
SCENES = st.builds(Scene, title=TITLES, note=PLAIN, params=PARAMS, play=st.booleans(), question=QUESTIONS)
LESSONS = st.builds(Lesson, title=TITLES, scenes=st.lists(SCENES, min_size=1, max_size=6).map(tuple))


@settings(max_examples=60, deadline=None)
@given(LESSONS)
def test_any_lesson_survives_toml_json_and_link(lesson):
    assert lessons.read_lesson(lessons.lesson_to_toml(lesson).encode(), "a.toml") == lesson
    assert lessons.read_lesson(lessons.lesson_to_json(lesson).encode(), "a.json") == lesson
    assert lessons.lesson_from_link(lessons.lesson_to_link(lesson)) == lesson
    text = lessons.lesson_to_link(lesson)
    assert "=" not in text and "+" not in text and "/" not in text


# ---- malformed files: one sentence naming the scene and the field ----
def toml_with(params: str, title: str = "Too small", extra: str = "") -> bytes:
    return (f'title = "My lesson"\n\n[[scenes]]\ntitle = "First"\n[scenes.params]\nlr = "0.1"\n\n'
            f'[[scenes]]\ntitle = "Second"\n\n'
            f'[[scenes]]\ntitle = "{title}"\n{extra}[scenes.params]\n{params}\n').encode()


@pytest.mark.parametrize("raw, words", [
    (toml_with('lr = "abc"'), "Scene 3 (“Too small”): “lr=abc” is not a valid learning rate."),
    (toml_with('lr = "-1"'), "Scene 3 (“Too small”): “lr=-1” is not a valid learning rate."),
    (toml_with('opt = "lbfgs"'), "Scene 3 (“Too small”): “opt=lbfgs” is not a valid optimizer."),
    (toml_with('steps = "1e9"'), "Scene 3 (“Too small”): “steps=1e9” is not a valid steps (1–2000)."),
    (toml_with('speed = "9"'), "Scene 3 (“Too small”): “speed” is not a setting gdviz knows."),
    (toml_with('lr = [1, 2]'), "Scene 3 (“Too small”): the field “lr” must be text"),
    (toml_with('cam = "0,0,0"'), "Scene 3 (“Too small”): “cam=0,0,0” is not a valid 3-D camera"),
    (toml_with('features = "girth_in"'), "Scene 3 (“Too small”): the link names columns (features, target), which "
                                          "only a sample set has."),
    (toml_with('data = "trees"\nfeatures = "colour"'), "Scene 3 (“Too small”): the link names columns that Black "
                                                       "cherry trees"),
    (toml_with('', extra='note = 3\n'), "Scene 3 (“Too small”): the field “note” must be text, not a number."),
    (toml_with('', extra='play = "yes"\n'), "Scene 3 (“Too small”): the field “play” must be true or false"),
    (toml_with('', extra='colour = "red"\n'), "Scene 3 (“Too small”): the field “colour” is not part of a scene"),
    (toml_with('', title="x" * 81), "Scene 3 (“" + "x" * 39 + "…”): the field “title” is 81 characters long"),
    (toml_with('', title="   "), "Scene 3: the field “title” is empty"),
    (toml_with('', extra=f'note = "{"n" * 301}"\n'), "the field “note” is 301 characters long; at most 300"),
    (b'[[scenes]]\ntitle = "A"\n', "The lesson has no title"),
    (b'title = "A"\n', "The lesson has no scenes"),
    (b'title = "A"\nscenes = 3\n', "the field “scenes” must be a list of scenes, not a number"),
    (b'title = "A"\n[[scenes]]\nnote = "x"\n', "Scene 1 has no title"),
    (b'title = "A"\n[[scenes]]\ntitle = "B"\n[[scenes]\n', "not valid TOML"),
    (b'title = "A"\n\ntitle = "B"\n', "not valid TOML"),
    (b'title = 3\n[[scenes]]\ntitle = "B"\n', "The lesson: the field “title” must be text, not a number."),
    (b'\xff\xfe title', "not UTF-8 text"),
    (b'gdviz_lesson = 7\ntitle = "A"\n', "of format 7"),
])
def test_a_malformed_toml_file_is_one_sentence(raw, words):
    with pytest.raises(LessonError) as caught:
        lessons.read_lesson(raw, "deck.toml")
    message = str(caught.value)
    assert words in message and message.endswith(".") and "\n" not in message
    assert "Traceback" not in message


@pytest.mark.parametrize("params", [
    {"lr": "fast"}, {"lr": "-1"}, {"opt": "lbfgs"}, {"steps": "many"}, {"cam": "0,0,0"}, {"sched": "cosine:0:0"},
    {"batch": "half"}, {"speed": "9"}, {"features": "girth_in"}, {"data": "trees", "features": "colour"},
    {"std": "yes"}, {"cmp": "sgd:0.1,lbfgs:1"},
])
def test_a_bad_field_is_the_sentence_the_same_value_in_a_link_gives(params):
    """One wording: a scene's bad field reads as the link's note on the same value, after the scene's
    number and title (without "using the default": a scene with it is refused)."""
    _, notes = state.PageState.from_link({name: [value] for name, value in params.items()})
    assert len(notes) == 1
    raw = toml_with("\n".join(f'{name} = "{value}"' for name, value in params.items()))
    with pytest.raises(LessonError) as caught:
        lessons.read_lesson(raw, "deck.toml")
    where = "Scene 3 (“Too small”): "
    message = str(caught.value)
    assert message.startswith(where) and message.endswith(".")
    problem = message[len(where):-1]
    assert notes[0].lower().startswith(problem.lower()) and notes[0][len(problem)] == ";"
    with pytest.raises(LessonError) as caught:  # a scene made in code says the same
        Scene("Too small", "", params)
    assert str(caught.value) == "The scene “Too small”: " + message[len(where):]


def test_toml_and_json_syntax_errors_give_the_line():
    with pytest.raises(LessonError, match=r"not valid TOML: .* at line 4, column \d+\."):
        lessons.read_lesson(b'title = "A"\n\n[[scenes]]\ntitle = = "B"\n', "deck.toml")
    with pytest.raises(LessonError, match=r"not valid JSON: .* at line 3, column \d+\."):
        lessons.read_lesson(b'{\n  "title": "A",\n  "scenes": [,]\n}', "deck.json")


@pytest.mark.parametrize("document, words", [
    ({"title": "A", "scenes": [{"title": "B", "params": {"lr": "abc"}}]}, "Scene 1 (“B”): “lr=abc” is not a valid learning rate."),
    ({"title": "A", "scenes": [{"title": "B"}, {"title": "C", "params": {"lr": None}}]},
     "Scene 2 (“C”): the field “lr” must be text"),
    ({"title": "A", "scenes": [{"title": "B"}, "C"]}, "Scene 2 must be a table"),
    ({"title": "A", "scenes": [{"title": "B", "params": [1]}]}, "Scene 1 (“B”): the field “params” must be a table"),
    ({"title": ["A"], "scenes": [{"title": "B"}]}, "The lesson: the field “title” must be text, not a list."),
    ({"title": "A", "scenes": [{"title": "B"}] * 61}, "61 scenes; at most 60"),
    ([1, 2], "not a list"),
])
def test_a_malformed_json_file_is_one_sentence(document, words):
    with pytest.raises(LessonError, match=None) as caught:
        lessons.read_lesson(json.dumps(document).encode(), "deck.json")
    assert words in str(caught.value)


def test_numbers_and_booleans_written_by_hand_are_read_as_a_link_carries_them():
    lesson = lessons.read_lesson(b'title = "A"\n[[scenes]]\ntitle = "B"\n[scenes.params]\nlr = 0.05\nsteps = 300\n'
                                 b'present = true\nstep = "12"\n')
    assert lesson.scenes[0].params == {"lr": "0.05", "steps": "300", "present": "1"}  # the step is dropped


def test_a_file_too_big_is_refused_unread():
    with pytest.raises(LessonError, match="at most 200 kB"):
        lessons.read_lesson(b" " * 200_001, "deck.toml")


def test_a_damaged_link_is_a_sentence():
    good = lessons.lesson_to_link(BUILTIN)
    for bad in ("", "abc!", good[:-40], "A" * 7000, "notbuiltin", good[:10]):
        with pytest.raises(LessonError):
            lessons.lesson_from_link(bad)
    bomb = base64.urlsafe_b64encode(zlib.compress(b"{" + b" " * 1_000_000, 9)).decode().rstrip("=")
    with pytest.raises(LessonError, match="more than 200 kB"):
        lessons.lesson_from_link(bomb)
    other = base64.urlsafe_b64encode(zlib.compress(b'{"title": 5}', 9)).decode().rstrip("=")
    with pytest.raises(LessonError, match="the field “title” must be text"):
        lessons.lesson_from_link(other)


def test_a_lesson_too_long_for_a_link_says_so():
    noise = ["".join(hashlib.sha256(f"{i}-{j}".encode()).hexdigest() for j in range(4)) for i in range(60)]
    scenes = tuple(Scene(f"Scene {i}", noise[i], {"lr": "0.1"}) for i in range(60))  # notes that do not compress
    lesson = Lesson("Long", scenes)
    assert not lessons.fits_in_link(lesson)
    assert lessons.read_lesson(lessons.lesson_to_toml(lesson).encode()) == lesson  # the file carries it


# ---- scenes and edits ----
def test_a_scene_drops_the_step_and_the_lesson_and_is_hashable():
    scene = Scene("A", "", {"lr": "0.1", "step": "40", "lesson": "builtin", "scene": "3"})
    assert scene.params == {"lr": "0.1"} and hash(scene) == hash(Scene("A", "", {"lr": "0.1"}))
    assert lessons.page_params(scene) == {"lr": ["0.1"], "step": ["0"]}


def test_a_bad_scene_or_lesson_cannot_be_made():
    with pytest.raises(LessonError, match="The scene “A”: “lr=x” is not a valid learning rate."):
        Scene("A", "", {"lr": "x"})
    with pytest.raises(LessonError, match="one line"):
        Scene("A", "two\nlines")
    with pytest.raises(LessonError, match="no scenes"):
        Lesson("Empty", ())
    with pytest.raises(LessonError, match="at most 60"):
        Lesson("Big", (Scene("A"),) * 61)


# ---- a scene's multiple-choice question ----
CONVERGE = ("Yes, smoothly", "Yes, zig-zagging", "No, it diverges")


def test_a_scene_may_carry_a_question_read_and_written_by_both_codecs():
    raw = toml_with('lr = "0.1"\n[scenes.question]\ntext = " Will it converge? "\noptions = ["yes", "no "]\nanswer = 1')
    lesson = lessons.read_lesson(raw, "deck.toml")
    question = lesson.scenes[2].question
    assert (question.kind, question.text, question.options, question.answer) == ("choice", "Will it converge?",
                                                                               ("yes", "no"), 1)
    assert lesson.scenes[0].question is None and "[scenes.question]" in lessons.lesson_to_toml(lesson)
    assert json.loads(lessons.lesson_to_json(lesson))["scenes"][2]["question"] == {
        "text": "Will it converge?", "options": ["yes", "no"], "answer": 1}
    for text, name in ((lessons.lesson_to_toml(lesson), "a.toml"), (lessons.lesson_to_json(lesson), "a.json")):
        assert lessons.read_lesson(text.encode(), name) == lesson
    assert lessons.lesson_from_link(lessons.lesson_to_link(lesson)) == lesson
    asked = Scene("A", "", {}, False, {"text": "Q?", "options": ["a", "b"]})
    assert asked.question.answer is None and "answer" not in lessons.lesson_to_json(Lesson("L", (asked,)))
    assert Scene("A", question=asked.question) == asked and hash(Scene("A", question=asked.question)) == hash(asked)
    assert asked != Scene("A") and hash(asked) != hash(Scene("A"))


@pytest.mark.parametrize("question, words", [
    ('"Converge?"', "the field “question” must be a table with text, options and answer, not text."),
    ('{text = "", options = ["a", "b"]}', "in the field “question”, a question is a text of 1 to 200 characters."),
    (f'{{text = "{"q" * 201}", options = ["a", "b"]}}', "a question is a text of 1 to 200 characters."),
    ('{text = 3, options = ["a", "b"]}', "a question is a text of 1 to 200 characters."),
    ('{text = "Q?", options = ["a"]}', "a question has 2 to 6 answers, each 1 to 80 characters."),
    ('{text = "Q?", options = ["a", "b", "c", "d", "e", "f", "g"]}', "a question has 2 to 6 answers"),
    ('{text = "Q?", options = ["a", 2]}', "a question has 2 to 6 answers"),
    ('{text = "Q?", options = "a, b"}', "a question has 2 to 6 answers"),
    ('{text = "Q?", options = ["a", "b"], answer = 2}', "in the field “question”, the right answer must be the "
                                                          "number of one of the answers (0 for the first)."),
    ('{text = "Q?", options = ["a", "b"], answer = -1}', "the right answer must be the number of one of the answers"),
    ('{text = "Q?", options = ["a", "b"], answer = "a"}', "the right answer must be the number of one of the answers"),
    ('{text = "Q?", options = ["a", "b"], answer = true}', "the right answer must be the number of one of the answers"),
    ('{text = "Q?", options = ["a", "b"], answer = 1.0}', "the right answer must be the number of one of the answers"),
    ('{text = "Q?", options = ["a", "b"], right = 1}', "the field “question” has “right”, which is not part of a "
                                                         "question (a question has text, options and answer)."),
])
def test_a_bad_question_is_one_sentence_naming_its_scene(question, words):
    with pytest.raises(LessonError) as caught:
        lessons.read_lesson(toml_with('lr = "0.1"', extra=f"question = {question}\n"), "deck.toml")
    message = one_sentence(caught.value)
    assert message.startswith("Scene 3 (“Too small”): ") and words in message, message
    with pytest.raises(LessonError, match="The scene “A”: in the field “question”"):
        Scene("A", question={"text": "Q?", "options": ["a", "b"], "answer": 5})


def converges_how(lecture) -> int:
    """What the scene's run does, as CONVERGE's index, measured on the run and its eigen-directions:
    2 when it stops, diverged; 1 when the steep direction's error flips sign and shrinks (a zig-zag
    that converges); 0 when no direction changes sign and the loss falls at every step."""
    run, data = lecture.run, lecture.data
    factors = 1 - lecture.state.lr * hessian(data)[0]  # what each eigen-direction's error is multiplied by
    if run.diverged_at is not None:
        assert np.abs(factors).max() > 1 and run.diverged_at < lecture.state.steps
        return 2
    assert np.abs(factors).max() < 1 and falls(run.loss)
    errors = eigen_errors(data, run)
    flipped = [sign_changes(errors[:, j], 1e-8 * abs(errors[0, j])) for j in range(data.d + 1)]
    assert (min(factors) < 0) == (max(flipped) > 0)
    return 1 if max(flipped) > 0 else 0


def test_the_builtin_questions_are_asked_on_the_learning_rate_scenes():
    asked = [number for number in range(1, N + 1) if BUILTIN.scenes[number - 1].question]
    assert asked == [5, 6, 7, 8]


@pytest.mark.parametrize("number", [5, 6, 7, 8])
def test_every_builtin_question_s_answer_is_what_its_run_does(number):
    scene, _, lecture = lectured(number)
    question = scene.question
    assert (question.text, question.options) == ("Will this rate converge?", CONVERGE)
    assert question.answer == converges_how(lecture), (number, question.options[question.answer])


def test_deck_edits_return_new_lessons():
    a, b, c = Scene("A"), Scene("B", params={"lr": "0.2"}), Scene("C", play=True)
    lesson = Lesson("Deck", (a,))
    lesson = lessons.add_scene(lesson, b)
    lesson = lessons.add_scene(lesson, c, at=0)
    assert [s.title for s in lesson.scenes] == ["C", "A", "B"]
    assert [s.title for s in lessons.move_scene(lesson, 0, 2).scenes] == ["A", "B", "C"]
    assert [s.title for s in lessons.move_scene(lesson, 2, 0).scenes] == ["B", "C", "A"]
    assert [s.title for s in lessons.delete_scene(lesson, 1).scenes] == ["C", "B"]
    assert [s.title for s in lesson.scenes] == ["C", "A", "B"]  # the original is untouched
    with pytest.raises(LessonError, match="no scene 4"):
        lessons.delete_scene(lesson, 3)
    with pytest.raises(LessonError, match="at least one scene"):
        lessons.delete_scene(Lesson("One", (a,)), 0)
    with pytest.raises(LessonError, match="at most 60"):
        lessons.add_scene(Lesson("Full", (a,) * 60), b)
    assert lessons.retitle(lesson, "New").title == "New"


# ---------------------------------------------------------------- hostile lessons: one sentence, never a crash
HUGE = "1" * 5000  # more digits than Python's int() takes (4,300): a ValueError unless caught
HEX = "0x" + "f" * 3700  # TOML reads it (int(…, 16) has no limit); str() of it has 4,457 digits
LINK_NAMES = sorted(state.links()) + ["step", "lesson", "scene", "features", "target", "zz", ""]
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                    st.text(max_size=30), st.sampled_from([HUGE, HEX, "0.1", "adam", "1e400", "-0", "nan"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=8)


def json_text(value) -> str:
    """JSON of any value, with the markers HUGE and HEX written as bare numbers (json.dumps cannot:
    str() of such an int raises), non-finite floats as JavaScript's NaN/Infinity (json reads them)."""
    if isinstance(value, str) and value in (HUGE, HEX):
        return HUGE if value == HUGE else str(int(HEX[2:18], 16)) + "1" * 4400
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{json_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(json_text(v) for v in value) + "]"
    return json.dumps(value)


def toml_value(value) -> str:
    """TOML of any value, inline (tables as {…}), with HUGE and HEX as bare numbers; None (TOML has
    no null) as an empty table."""
    if isinstance(value, str) and value in (HUGE, HEX):
        return value
    if value is None:
        return "{}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if value != value else ("inf" if value == float("inf") else "-inf" if value == -float("inf")
                                              else repr(value))
    if isinstance(value, str):
        return lessons._toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{lessons._toml_string(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


def toml_text(document: dict) -> str:
    return "".join(f"{lessons._toml_string(k)} = {toml_value(v)}\n" for k, v in document.items())


scene_docs = st.fixed_dictionaries({"title": st.one_of(st.text(max_size=20), values)},
                                   optional={"note": values, "play": values,
                                             "params": st.one_of(values, st.dictionaries(
                                                 st.sampled_from(LINK_NAMES), scalars, max_size=4)),
                                             "question": st.one_of(values, st.fixed_dictionaries(
                                                 {}, optional={"text": values, "options": values,
                                                               "answer": values})),
                                             "extra": values})
lesson_docs = st.one_of(values, st.fixed_dictionaries(
    {"title": st.one_of(st.just("A lesson"), values)},
    optional={"gdviz_lesson": st.one_of(st.just(1), scalars),
              "scenes": st.one_of(st.lists(st.one_of(scene_docs, values), max_size=4), values)}))


def one_sentence(error: LessonError) -> str:
    message = str(error)
    assert type(error) is LessonError
    assert message.endswith(".") and "\n" not in message and "Traceback" not in message, message
    assert 10 < len(message) < 500, message
    return message


def opens_or_says_one_sentence(read) -> None:
    try:
        lesson = read()
    except LessonError as error:  # anything else (ValueError, TypeError, ...) fails the test
        one_sentence(error)
    else:
        assert isinstance(lesson, Lesson) and 1 <= len(lesson.scenes) <= lessons.MAX_SCENES


@settings(max_examples=300, deadline=None)
@given(lesson_docs)
def test_any_json_structure_opens_or_is_one_sentence(document):
    opens_or_says_one_sentence(lambda: lessons.read_lesson(json_text(document).encode(), "deck.json"))


@settings(max_examples=300, deadline=None)
@given(lesson_docs.filter(lambda d: isinstance(d, dict)))
def test_any_toml_structure_opens_or_is_one_sentence(document):
    opens_or_says_one_sentence(lambda: lessons.read_lesson(toml_text(document).encode(), "deck.toml"))


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)), st.sampled_from(["a.json", "a.toml", ""]))
def test_any_bytes_open_or_are_one_sentence(raw, name):
    opens_or_says_one_sentence(lambda: lessons.read_lesson(raw, name))


@settings(max_examples=200, deadline=None)
@given(lesson_docs, st.binary(max_size=20), st.booleans())
def test_any_compressed_link_opens_or_is_one_sentence(document, tail, compressed_tail):
    packed = zlib.compress(json_text(document).encode(), 9)
    packed += zlib.compress(tail) if compressed_tail and tail else tail
    text = base64.urlsafe_b64encode(packed).decode().rstrip("=")
    try:
        lessons.lesson_from_link(text)
    except LessonError as error:
        one_sentence(error)
    else:
        assert not tail, "bytes after the compressed lesson were accepted"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_link_text_opens_or_is_one_sentence(text):
    opens_or_says_one_sentence(lambda: lessons.lesson_from_link(text))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(LINK_NAMES), st.lists(st.one_of(st.text(max_size=30),
                                                                         st.sampled_from([HUGE, HEX, "0" * 5000])),
                                                               min_size=1, max_size=2), max_size=6))
def test_the_link_codec_never_raises(params):
    link = pipeline.read_link(params)  # the page's own reading: a state, maybe a lesson, notes
    assert isinstance(link.state, state.PageState)
    assert all(isinstance(note, str) and note for note in link.notes)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2), st.sampled_from(["title", "note", "play", "params", "question", "lr", "opt", "steps", "cam",
                                          "zz"]),
       st.one_of(scalars, values))
def test_a_bad_field_names_its_scene_and_the_field(k, field, value):
    """Every input either opens or says which scene and which field."""
    scenes = [{"title": f"S{i}", "note": "", "params": {"lr": "0.1"}} for i in range(3)]
    if field in ("title", "note", "play", "params", "question"):
        scenes[k][field] = value
    else:
        scenes[k]["params"][field] = value
    for raw, name in ((json_text({"title": "L", "scenes": scenes}).encode(), "deck.json"),
                      (toml_text({"title": "L", "scenes": scenes}).encode(), "deck.toml")):
        try:
            lessons.read_lesson(raw, name)
        except LessonError as error:
            message = one_sentence(error)
            if "not valid TOML" in message:  # TOML has no null: {} in its place is still a table
                continue
            if name == "deck.toml" and "digits at line" in message:  # an inline table: tomllib stops first
                continue
            assert message.startswith(f"Scene {k + 1}"), message
            # a whole params table: the sentence names the parameter inside it that is wrong
            assert field in message or (field == "params" and isinstance(value, dict)), message


@pytest.mark.parametrize("raw, name, words", [
    ('{"gdviz_lesson":1,"title":"t","scenes":[{"title":"a","params":{"lr":%s}}]}' % HUGE, "deck.json",
     "Scene 1 (“a”): the field “lr” is a number of hundreds of digits"),
    ('title = "t"\n[[scenes]]\ntitle = "a"\n[scenes.params]\nlr = %s\n' % HEX, "deck.toml",
     "Scene 1 (“a”): the field “lr” is a number of hundreds of digits"),
    ('title = "t"\n[[scenes]]\ntitle = "a"\n[scenes.params]\nlr = %s\n' % HUGE, "deck.toml",
     "Scene 1: the field “lr” is a number of more than 4,300 digits (line 5)"),
    ('gdviz_lesson = %s\ntitle = "t"\n' % HEX, "deck.toml", "of format a number"),
    ('{"title":"t","title":"u","scenes":[{"title":"a"}]}', "deck.json", "names the field “title” twice"),
    ('{"title":"t","scenes":[{"title":"a","params":{"lr":"0.1","lr":"0.2"}}]}', "deck.json", "“lr” twice"),
])
def test_the_integer_limit_hex_literals_and_duplicate_keys_are_one_sentence(raw, name, words):
    with pytest.raises(LessonError) as caught:
        lessons.read_lesson(raw.encode(), name)
    assert words in one_sentence(caught.value)


def test_the_reported_126_character_link_is_one_sentence_and_trailing_bytes_are_refused():
    document = '{"gdviz_lesson":1,"title":"t","scenes":[{"title":"a","params":{"lr":%s}}]}' % HUGE
    link = base64.urlsafe_b64encode(zlib.compress(document.encode(), 9)).decode().rstrip("=")
    assert len(link) < 130
    with pytest.raises(LessonError, match="“lr” is a number of hundreds of digits"):
        lessons.lesson_from_link(link)
    opened = pipeline.read_link({"lesson": [link], "scene": ["1"]})
    assert opened.lesson is None and "cannot be opened" in opened.notes[-1]
    good = base64.urlsafe_b64decode(lessons.lesson_to_link(BUILTIN) + "==")
    for tail in (b"junk", zlib.compress(b"{}"), b"\x00"):
        with pytest.raises(LessonError, match="bytes after its end"):
            lessons.lesson_from_link(base64.urlsafe_b64encode(good + tail).decode().rstrip("="))
    assert lessons.lesson_from_link(base64.urlsafe_b64encode(good).decode().rstrip("=")) == BUILTIN
