"""PageState: one frozen, typed value for what is on screen, generated from the control schema, with
its link codec. state → link → state is the identity (hypothesis), every bad value is a note."""
import dataclasses
import pickle

from hypothesis import given, settings
from hypothesis import strategies as st

from gdviz import optimizers
from gdviz.data import SAMPLES
from gdviz.state import (ADDED, ARROWS, BATCH, CONTROLS, LEARNING_RATES, PENALTIES, PROBLEMS, SAMPLE_IDS, SCHEDULE_NAMES,
                         SYNTHETIC, TOLERANCES, VIEWS, FOCUS_VIEWS, PageState, Sample, Synthetic)


def test_the_state_has_a_field_for_every_control_and_nothing_unnamed():
    names = {f.name for f in dataclasses.fields(PageState)}
    assert {key for key in CONTROLS if key != "compare_n"} <= names
    assert names - set(CONTROLS) == {"compared", "features", "target", "upload", "lesson", "scene", "step"}
    for key, hyper in optimizers.PAGE_HYPER.items():  # an optimizer's setting is a control from its description
        assert getattr(PageState(), key) == hyper.default and CONTROLS[key].link == key


def test_a_state_is_frozen_hashable_and_pickles():
    state = PageState(lr=0.3, compared=(("adam", 0.1),))
    try:
        state.lr = 1.0
        raise AssertionError("a PageState must be frozen")
    except dataclasses.FrozenInstanceError:
        pass
    assert hash(state) == hash(PageState(lr=0.3, compared=[("adam", 0.1)]))
    assert pickle.loads(pickle.dumps(state)) == state


def test_what_the_page_does_not_use_is_its_default():
    assert PageState(tol=0.1) == PageState()  # no stop: the tolerance means nothing
    assert PageState(sched_t_max=7) == PageState()  # a constant rate: no cosine period
    assert PageState(source=SAMPLE_IDS["cars"], n=500) == PageState(source=SAMPLE_IDS["cars"])
    surface = PageState(problem=PROBLEMS["rosenbrock"], l2=1.0, source=SAMPLE_IDS["cars"], pull=True)
    assert surface == PageState(problem=PROBLEMS["rosenbrock"])
    assert PageState(use_tol=True, tol=0.1).tol == 0.1


def test_the_data_choice_the_state_says():
    assert PageState(n=80).data_choice() == Synthetic(n=80)
    assert PageState(problem=PROBLEMS["logistic"]).data_choice() == Synthetic(classes=True)
    cars = PageState(source=SAMPLE_IDS["cars"]).data_choice()
    assert cars == Sample(SAMPLE_IDS["cars"])
    assert PageState(edits=((ADDED, 1.0, 2.0),)).data_choice().edits == ((ADDED, 1.0, 2.0),)


def test_hyper_parameters_reach_the_optimizer_that_uses_them():
    state = PageState(mu=0.5, beta1=0.8, beta2=0.99, compared=(("nesterov", 0.1), ("adam", 0.1)))
    assert state.hyper("momentum") == {"momentum": 0.5} and state.hyper("nesterov") == {"momentum": 0.5}
    assert state.hyper("adam") == {"betas": (0.8, 0.99)} and state.hyper("gd") == {}
    assert PageState.from_link({"mu": ["0.5"], "opt": ["momentum"]})[0].mu == 0.5
    assert PageState(mu=0.5, optimizer="momentum").to_link() == {"mu": "0.5", "opt": "momentum"}
    assert "not a valid" in PageState.from_link({"mu": ["1.5"], "opt": ["momentum"]})[1][0]
    # A setting no run of the state uses keeps its default (one page, one state), and a link says so.
    assert PageState(mu=0.5) == PageState() and PageState(beta1=0.8, compared=(("momentum", 0.1),)).beta1 == 0.9
    state, notes = PageState.from_link({"mu": ["0.5"]})
    assert state == PageState() and notes == ["“mu” is a setting of momentum and nesterov, which this link does not "
                                              "run; ignored."]


def test_a_link_with_bad_values_gives_notes_and_defaults():
    state, notes = PageState.from_link({"lr": ["fast"], "sched": ["exponential:0.01"], "scene": ["2"]})
    assert state == PageState() and len(notes) == 3
    assert "lr=fast" in notes[0] and "exponential:0.01" in notes[1] and "no lesson" in notes[2]


def test_schedule_values_beyond_the_widgets_are_a_note_and_the_default():
    """The link reader once accepted what the widgets then clipped with no note (issue 19, item 4)."""
    for text in ("exponential:0.01", "step:30:0.001", "cosine:100:1e12"):
        state, notes = PageState.from_link({"sched": [text]})
        assert state.sched == "constant" and notes and text in notes[0], text
    assert PageState.from_link({"sched": ["cosine:100:0.001"]})[0].sched_eta_min == 0.001


def test_sample_columns_are_checked_against_the_file():
    trees = SAMPLE_IDS["trees"]
    state, notes = PageState.from_link({"data": ["trees"], "features": ["girth_in"], "target": ["volume_cuft"]})
    assert notes == [] and state.source == trees and state.features == ("girth_in",)
    state, notes = PageState.from_link({"data": ["trees"], "features": ["nope"]})
    assert state.features is None and "does not have" in notes[0]
    state, notes = PageState.from_link({"features": ["x"]})
    assert state.features is None and "only a sample set" in notes[0]


# ---- the round trip: any state the page can show → link → the same state ----
def finite_rates():
    return st.sampled_from(LEARNING_RATES) | st.floats(1e-9, 100.0)


def control_value(key):
    c = CONTROLS[key]
    options = c.options
    if key == "problem":
        return st.sampled_from(list(PROBLEMS.values()))
    if key == "source":
        return st.sampled_from([SYNTHETIC, *SAMPLES])
    if key in ("data_view", "batch_mode", "arrows"):
        return st.sampled_from(list({"data_view": VIEWS, "batch_mode": BATCH, "arrows": ARROWS}[key].values()))
    if key == "optimizer":
        return st.sampled_from(list(optimizers.LABELS))
    if key == "sched":
        return st.sampled_from(list(SCHEDULE_NAMES))
    if key == "lr":
        return finite_rates()
    if key == "l2":
        return st.sampled_from(PENALTIES) | st.floats(0.0, 1000.0)
    if key == "tol":
        return st.sampled_from(TOLERANCES)
    if key == "edits":
        point = st.tuples(st.integers(0, 50) | st.just(ADDED), st.floats(-1e6, 1e6), st.floats(-1e6, 1e6))
        return st.lists(point, max_size=5, unique_by=lambda e: e[0] if e[0] != ADDED else object()).map(tuple)
    if key == "camera":
        return st.none() | st.tuples(*[st.floats(0.5, 3.0).map(lambda v: round(v, 3))] * 3)
    if key == "feature":
        return st.integers(0, 19)
    if key == "focus":
        return st.lists(st.sampled_from(FOCUS_VIEWS), max_size=4, unique=True).map(tuple)
    if isinstance(c.default, bool):
        return st.booleans()
    if isinstance(c.default, int):
        return st.integers(int(options.get("min_value", 0)), int(options.get("max_value", 10 ** 6)))
    return st.floats(float(options["min_value"]), float(options["max_value"]))


STATES = st.fixed_dictionaries({key: control_value(key) for key in CONTROLS if key != "compare_n"}).flatmap(
    lambda values: st.fixed_dictionaries({
        "compared": st.lists(st.tuples(st.sampled_from(list(optimizers.LABELS)), finite_rates()), max_size=3)
        .map(tuple),
        "step": st.none() | st.integers(0, 2000),
    }).map(lambda extra: PageState(**values, **extra)))


@settings(max_examples=300, deadline=None)
@given(STATES)
def test_state_to_link_to_state_is_the_identity(state):
    link = state.to_link()
    again, notes = PageState.from_link({name: [text] for name, text in link.items()})
    assert notes == []
    assert again == state


def test_the_link_is_canonical_short_and_leaves_out_defaults():
    assert PageState().to_link() == {}
    assert PageState(lr=0.3, step=5).to_link() == {"lr": "0.3", "step": "5"}
    assert PageState(lesson="builtin", scene=3).to_link() == {"lesson": "builtin", "scene": "3"}
    assert PageState(lesson="builtin").to_link()["scene"] == "1"


def test_a_note_stays_one_line_whatever_the_link_holds():
    """Found by the lessons' fuzz test: a value with a line break once broke the note (and a lesson's sentence)."""
    _, notes = PageState.from_link({"lr": ["\n"], "a\tb": ["1"], "scene": ["x\ny"]})
    assert notes and all("\n" not in note and "\t" not in note for note in notes)
    assert "“lr=\ufffd” is not a valid learning rate" in notes[0]
