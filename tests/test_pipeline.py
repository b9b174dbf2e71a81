"""lecture(state): one pure function owns what a page state means. The seams where the page once
worked it out twice (issue 19) are tested here on lecture(state) directly, as a user meets them."""
import json

import numpy as np
import pytest

import gdviz
from gdviz import lessons, slides, web
from gdviz.pipeline import fit_reached, lecture, lesson_specs, opening, scene_state
from gdviz.state import PROBLEMS, SAMPLE_IDS, PageState


def opened(params: dict) -> PageState:
    """The state a link opens on: its parameters, then the settings its data set opens on."""
    state, notes = PageState.from_link({name: [value] for name, value in params.items()})
    assert notes == []
    given = {key for key, value in state.as_values().items() if value != getattr(PageState(), key, value)}
    return opening(state, PageState(), given)[0]


def fit_claims(made):
    return [m for m in made.messages if "reach the" in m.text and "fit" in m.text]


@pytest.mark.parametrize("params", [{"data": "trees", "l2": "10"}, {"data": "cars", "l2": "1000"},
                                    {"problem": "logistic", "data": "challenger", "l2": "10"},
                                    {"data": "trees"}, {"data": "cars"}])
def test_a_data_set_opens_on_settings_that_reach_the_fit_with_its_penalty(params):
    """?data=trees&l2=10 once said "reach the least-squares fit in 100 steps" beside "Diverged at step 8"."""
    made = lecture(opened(params))
    assert made.run.diverged_at is None  # whatever the penalty, the data opens on a rate that does not blow up
    step = fit_reached(made.run, made.theory)
    claims = fit_claims(made)
    assert len(claims) == (step is not None)  # a claim exactly when the run reaches the fit
    if step is not None:
        assert f"at step {step} of {made.run.steps}" in claims[0].text
        least = made.theory["loss_min"]
        assert made.run.loss[step] - least <= 0.01 * least  # the claim, run again
    if params.get("l2") != "1000":  # cars with λ = 1000: κ ≈ 1000, no rate reaches the fit in 2000 steps
        assert step is not None


def test_raising_the_penalty_after_opening_takes_the_claim_back_when_the_run_no_longer_reaches_it():
    state = opened({"data": "cars"}).replace(l2=1000.0)
    made = lecture(state)
    assert made.run.diverged_at is not None and fit_claims(made) == []
    assert any("Diverged" in m.bold for m in made.messages)


def test_a_cosine_schedule_with_a_floor_draws_and_says_which_rates_the_sweep_left_out():
    for problem, floor in (("mse", 0.001), ("logistic", 0.001), ("rosenbrock", 0.0001)):
        made = lecture(opened({"problem": problem, "sched": f"cosine:100:{floor}"}))
        assert made.spec is not None and "sweep" in made.spec["figures"], problem
        assert not [m for m in made.messages if m.kind in ("error", "warning")], made.messages
        sweep_caption = next(c.text for c in made.captions if c.text.startswith("The sweep"))
        assert "leaves out the" in sweep_caption and f"below η_min = {floor:g}" in sweep_caption
        rates = web.decode(json.loads(made.spec["figures"]["sweep"])["data"][0]["x"])
        assert rates.min() >= floor


@pytest.mark.parametrize("params", [{"problem": "saddle", "w0": "5"}, {"problem": "rosenbrock", "w0": "10"},
                                    {"problem": "himmelblau", "b0": "11"}])
def test_a_start_off_a_test_surface_says_the_cores_sentence_and_moves_into_view(params):
    made = lecture(PageState.from_link({k: [v] for k, v in params.items()})[0])
    (warning,) = [m for m in made.messages if "The start must lie where the surface is followed" in m.text]
    data = gdviz.test_function(made.state.problem_id)
    assert data.inside(made.state.w0, made.state.b0) and made.spec is not None
    assert (made.run.w[0, 0], made.run.b[0]) == (made.state.w0, made.state.b0)
    assert f"({made.state.w0:.4g}, {made.state.b0:.4g})" in warning.text
    assert not any("float64" in m.text for m in made.messages)


def test_a_lesson_scene_naming_a_row_the_data_lacks_still_makes_its_slide():
    scene = lessons.Scene("Row 5000", "", {"pts": "5000:1:1"})
    made = lecture(scene_state(scene))
    assert made.spec is not None and made.state.edits == ()
    assert any("dropped" in m.text for m in made.messages)
    ((title, spec),) = lesson_specs(lessons.Lesson("Deck", (scene,)))
    assert slides.lesson_pictures([(title, spec)])[0][1].size == (1600, 900)


def test_slides_and_the_gif_cover_every_scene_of_the_builtin_lesson_and_of_every_problem():
    deck = lessons.Lesson("Every problem", (
        lessons.Scene("Logistic", "", {"problem": "logistic", "data": "challenger"}),
        lessons.Scene("Rosenbrock", "", {"problem": "rosenbrock"}),
        lessons.Scene("Ridge", "", {"data": "cars", "l2": "1"}),
        lessons.Scene("Schedule", "", {"sched": "cosine:50:0", "lr": "0.3"}),
        lessons.Scene("Adam", "", {"opt": "adam", "beta1": "0.5"}),
    ))
    for lesson in (lessons.builtin_lesson(), deck):
        specs = lesson_specs(lesson)
        assert len(specs) == len(lesson.scenes) and all(spec is not None for _, spec in specs)
    pictures = slides.lesson_pictures(lesson_specs(deck))
    assert [name[:2] for name, _ in pictures] == ["01", "02", "03", "04", "05"]
    gif = slides.run_gif(lesson_specs(deck)[1][1], frames=4)
    assert gif[:6] == b"GIF89a"


def test_mu_and_betas_reach_the_run_the_sweep_the_sentence_the_panel_the_link_the_lesson_and_the_slides():
    state = PageState.from_link({"opt": ["momentum"], "mu": ["0.5"], "lr": ["0.2"]})[0]
    made = lecture(state)
    assert made.run.settings["momentum"] == 0.5  # the run
    why = next(c.text for c in made.captions if c.bold == "Why:")
    assert "2 + 2μ = 3" in why  # the stability sentence with the chosen μ
    assert made.spec["run"]["hyper"] and "0.5" in str(made.spec["run"]["hyper"])  # the maths panel, the HTML export
    assert made.state.to_link()["mu"] == "0.5"  # the link
    scene = lessons.Scene("μ", "", made.state.scene_params())
    assert scene_state(scene).mu == 0.5 and lecture(scene_state(scene)).run.settings["momentum"] == 0.5  # lessons
    assert "0.5" in lessons.lesson_to_toml(lessons.Lesson("L", (scene,)))
    picture = slides.picture(made.spec)  # the slides draw the same spec
    assert picture.size == (1600, 900)
    adam = lecture(PageState.from_link({"opt": ["adam"], "beta1": ["0.5"], "beta2": ["0.9"]})[0])
    assert adam.run.settings["betas"] == (0.5, 0.9)
    by_hand = gdviz.descend(made.data, optimizer="momentum", lr=0.2, steps=100, w0=[-3.0], b0=4.0, momentum=0.5)
    np.testing.assert_array_equal(made.run.w, by_hand.w)  # μ = 0.5, not the default 0.9
    assert not np.array_equal(made.run.w, gdviz.descend(made.data, optimizer="momentum", lr=0.2, steps=100,
                                                        w0=[-3.0], b0=4.0).w)


def test_a_view_option_never_runs_descent_again():
    state = PageState(lr=0.2)
    first = lecture(state)
    again = lecture(state.replace(log_loss=True, camera=(1.0, 1.0, 1.0), present=True))
    assert again.run is first.run and again.spec is not first.spec  # the run is the cached one


def test_bad_settings_end_in_a_sentence_not_an_exception():
    made = lecture(PageState(lr=100.0, steps=2000, w0=1e6, b0=1e6, offset=50.0))
    assert made.messages and all(m.text for m in made.messages)


def test_compared_runs_and_the_problem_title():
    made = lecture(PageState(compared=(("adam", 0.1), ("momentum", 0.01))))
    assert [label for label, _ in made.others] == ["Adam, α = 0.1", "momentum, α = 0.01"]
    assert made.spec["others"][0]["label"] == "Adam, α = 0.1"
    assert lecture(PageState(problem=PROBLEMS["beale"])).spec["run"]["objective"] == "beale"
    assert lecture(PageState(source=SAMPLE_IDS["trees"])).data.d == 2


def test_every_sentence_comes_from_a_claim_with_its_evidence():
    """Issue 20: the messages and the Why: caption are the claims' sentences; the race and the presets too."""
    from gdviz import claims
    state = opened({"data": "cars"})
    made = lecture(state.replace(lr=lecture(state).presets["diverging"], optimizer="gd"))
    sentences = {c.sentence for c in made.claims}
    assert all(m.text in sentences for m in made.messages if m.kind != "caption" or m.text.startswith("These"))
    assert made.captions[0].bold == "Why:" and made.captions[0].text == claims.why_sentence(
        [c for c in made.claims if c.sentence and c.sentence in made.captions[0].text])
    assert {c.kind for c in made.claims} >= {"diverged", "grows"}
    assert [name for name, _ in made.comparison] == ["gd", "momentum", "adam"] and made.comparison_help
    assert set(made.preset_help) == {"too small", "just right", "oscillating", "diverging"}


@pytest.mark.parametrize("name", ["cars", "faithful", "trees"])
def test_unticking_standardise_opens_the_raw_valley_on_a_rate_that_shows_it_and_says_which(name):
    """?data=cars said "untick 'Standardise' to see the raw valley"; unticking kept α = 0.45 and diverged."""
    from gdviz.words import nice
    shown = opened({"data": name})
    assert shown.standardise  # each of these opens standardised, with that advice
    kept = lecture(shown.replace(standardise=False))
    assert kept.run is None or kept.run.diverged_at is not None  # the rate before blows the raw valley up
    raw, notes = opening(shown.replace(standardise=False), shown, set())
    assert not raw.standardise and raw.optimizer == shown.optimizer
    own = gdviz.pipeline.shown_data(raw)[0]  # the data in its own units: the reference for the raw loss
    lam_max = gdviz.curvature(own).eigenvalues[-1]
    assert raw.lr == pytest.approx(0.9 / lam_max, rel=1e-3)  # its "just right" preset, 0.9/λ_max
    made = lecture(raw)
    assert made.run is not None and made.run.diverged_at is None and made.run.loss[-1] < 0.5 * made.run.loss[0]
    assert not [m for m in made.messages if m.kind == "error"]
    (note,) = notes
    assert "“Standardise” unticked" in note and f"α = {nice(raw.lr)}" in note and "just right" in note
    assert f"α = {nice(shown.lr)} is above this loss's α_max = 2/λ_max = {nice(2 / lam_max)}" in note
    # ticking it again: the standardised bowl's own rate, which reaches the fit
    back, notes = opening(raw.replace(standardise=True), raw, set())
    assert back.standardise and back.lr == shown.lr and back.steps == shown.steps
    assert "“Standardise” ticked" in notes[0] and f"α = {nice(shown.lr)}" in notes[0]
    assert fit_reached(lecture(back).run, lecture(back).theory) is not None
    # what a link or a scene names wins, and a view option changes nothing
    named, notes = opening(shown.replace(standardise=False, lr=1e-5), shown, {"lr"})
    assert named.lr == 1e-5 and notes == []
    assert opening(raw.replace(log_loss=True), raw, set()) == (raw.replace(log_loss=True), [])


def test_synthetic_data_keeps_its_rate_when_standardise_changes():
    shown = opened({})
    assert opening(shown.replace(standardise=True), shown, set()) == (shown.replace(standardise=True), [])


def test_a_link_that_says_raw_stays_raw():
    """?data=cars&std=0 names the default value: it is still what the link says (not the opening's choice)."""
    from gdviz.pipeline import read_link
    link = read_link({"data": ["cars"], "std": ["0"]})
    assert "standardise" in link.given
    state = opening(link.state, PageState(), link.given)[0]
    assert state.standardise is False
    assert opening(read_link({"data": ["cars"]}).state, PageState(), read_link({"data": ["cars"]}).given)[0].standardise


@pytest.mark.parametrize("sample_id", ["faithful", "cars"])
def test_a_link_to_raw_data_opens_on_a_rate_that_shows_the_raw_valley(sample_id):
    """?data=faithful&std=0 once opened on the standardised data's rate (0.45) and diverged at once."""
    from gdviz.pipeline import read_link
    link = read_link({"data": [sample_id], "std": ["0"]})
    state, notes = opening(link.state, PageState(), link.given)
    made = lecture(state)
    assert state.standardise is False and made.run.diverged_at is None
    assert state.lr < made.theory["lr_max"] and any(f"α = {state.lr:.4g}" in note for note in notes)
