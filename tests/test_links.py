"""Shareable links: a link's settings reach the page, the page writes its state back, bad ones fall back."""
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from gdviz import web
from gdviz import state

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def run_with(params):
    at = AppTest.from_file(APP, default_timeout=90)
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception
    return at


def spec_of(at):
    return json.loads(at.get("component_instance")[0].proto.json_args)["spec"]


def test_decode_reads_every_setting_and_encode_writes_it_back():
    params = {"data": "cars", "opt": "adam", "lr": "0.05", "steps": "300", "w0": "1.5", "b0": "-2", "batch": "mini",
              "bs": "8", "tol": "0.0001", "cmp": "momentum:0.01,gd:0.002", "log": "1", "equal": "1", "std": "1",
              "view": "actual", "present": "1", "step": "12", "n": "80", "w": "1.5", "b": "0.5", "noise": "2",
              "seed": "3", "offset": "4.5", "wf": "1"}
    values, notes = state.decode(params)
    assert notes == []
    assert values["source"].startswith("Stopping distance") and values["optimizer"] == "adam"
    assert values["compare_n"] == 2 and values["cmp_opt_2"] == "gd" and values["cmp_lr_2"] == 0.002
    assert values["use_tol"] is True and values["tol"] == 1e-4 and values["step"] == 12
    again = state.encode({**values})
    for name in params:
        assert name in again, name
    assert state.decode(again)[0] == values


@pytest.mark.parametrize("params, words", [
    ({"lr": "fast"}, "lr=fast"), ({"lr": "-1"}, "learning rate"), ({"lr": "nan"}, "learning rate"),
    ({"steps": "1e9"}, "steps"), ({"opt": "lbfgs"}, "optimizer"), ({"data": "../../etc/passwd"}, "data set"),
    ({"cmp": "adam"}, "compared runs"), ({"batch": "huge"}, "batch"), ({"hack": "<script>"}, "not a setting"),
    ({"std": "yes"}, "standardise"),
])
def test_malformed_parameters_give_a_note_not_an_error(params, words):
    values, notes = state.decode(params)
    assert values == {} and len(notes) == 1 and words in notes[0]


def test_a_shared_link_reproduces_the_view():
    at = run_with({"opt": "momentum", "lr": "0.02", "steps": "150", "w0": "1", "b0": "-2", "cmp": "adam:0.05",
                   "log": "1", "step": "7"})
    spec = spec_of(at)
    assert spec["run"]["optimizer"] == "momentum" and spec["run"]["lr"] == 0.02 and spec["run"]["steps"] == 150
    assert web.decode(spec["timeline"]["W"])[0, 0] == 1.0 and web.decode(spec["timeline"]["b"])[0] == -2.0
    assert spec["step"] == 7 and spec["others"][0]["label"] == "Adam, α = 0.05"
    assert json.loads(spec["figures"]["loss"])["layout"]["yaxis"]["type"] == "log"
    assert not at.info  # nothing to complain about


def test_a_sample_set_with_its_columns_travels_in_the_link():
    at = run_with({"data": "trees", "features": "height_ft", "target": "volume_cuft", "std": "1"})
    spec = spec_of(at)
    assert spec["run"]["names"] == ["height_ft"] and spec["run"]["scaling"] is not None
    at = run_with({"data": "trees", "features": "no_such_column"})
    assert any("does not have" in i.value for i in at.info)
    assert spec_of(at)["run"]["d"] == 2


def test_a_malformed_link_falls_back_with_a_visible_note():
    at = run_with({"lr": "banana", "steps": "-5", "opt": "sgd", "zzz": "1"})
    notes = [i.value for i in at.info]
    assert len(notes) == 4 and all(n.startswith("From the link:") for n in notes)
    spec = spec_of(at)
    assert spec["run"]["lr"] == 0.1 and spec["run"]["steps"] == 100 and spec["run"]["optimizer"] == "gd"


def test_changing_a_control_updates_the_link():
    at = run_with({})
    assert dict(at.query_params) == {}
    at.select_slider(key="lr").set_value(0.05).run()
    at.selectbox(key="optimizer").set_value("nesterov").run()
    at.slider(key="compare_n").set_value(1).run()
    params = {k: v[0] if isinstance(v, list) else v for k, v in dict(at.query_params).items()}
    assert params["lr"] == "0.05" and params["opt"] == "nesterov" and params["cmp"] == "momentum:0.05"
    values, notes = state.decode(params)
    assert notes == [] and values["lr"] == 0.05


def test_exports_and_presenter_mode():
    at = run_with({"present": "1"})
    assert spec_of(at)["present"] is True
    labels = [b.label for b in at.get("download_button")]
    assert "Trajectory (CSV)" in labels  # the HTML and PNG exports are in the views' bar, at the step on screen
    assert any("save view" in c.value for c in at.caption)


def test_the_standalone_page_carries_plotly_and_the_run():
    import gdviz
    data = gdviz.synthetic(n=20, seed=1)
    spec = web.lecture_spec(data, gdviz.descend(data, lr=0.1, steps=10))
    page = web.standalone_html(spec)
    assert "plotly.js v" in page and 'src="plotly.min.js"' not in page
    start = page.index("window.GDVIZ_SPEC = ") + len("window.GDVIZ_SPEC = ")
    embedded = json.loads(page[start:page.index(";</script>", start)].replace("<\\/", "</"))
    np.testing.assert_array_equal(web.decode(embedded["timeline"]["loss"]), web.decode(spec["timeline"]["loss"]))


# ---- links that would lie: every surprise is a note, and the link is rewritten to what is shown ----
def notes_of(at):
    return [i.value.replace("\\", "") for i in at.info]  # the notes are escaped markdown


def test_numbers_are_plain_ascii_decimals():
    values, notes = state.decode({"n": "١٢", "steps": "1_0", "lr": " 0.5", "w0": "1e3", "b0": "-.5"})
    assert values == {"lr": 0.5, "w0": 1000.0, "b0": -0.5}
    assert len(notes) == 2 and "n=١٢" in notes[0] and "steps=1_0" in notes[1]


def test_a_repeated_parameter_is_named_and_written_once():
    at = run_with({"lr": ["0.1", "0.3"]})
    assert at.session_state["lr"] == 0.3 and any("given 2 times" in n for n in notes_of(at))
    assert dict(at.query_params)["lr"] in ("0.3", ["0.3"])


def test_columns_on_synthetic_data_and_a_missing_weight_are_named_and_dropped():
    at = run_with({"features": "x1", "target": "y", "wf": "5"})
    notes = notes_of(at)
    assert any("only a sample set has" in n for n in notes) and any("wf=5" in n and "1 feature" in n for n in notes)
    assert dict(at.query_params) == {}
    assert state.decode({"wf": "99"})[1][0].startswith("“wf=99” is not a valid weight")


def test_a_feature_named_twice_is_used_once_and_the_link_says_what_is_shown():
    at = run_with({"data": "trees", "features": "girth_in,girth_in"})
    assert not at.error and any("twice" in n for n in notes_of(at))
    spec = spec_of(at)
    assert spec["run"]["names"] == ["girth_in"] and spec["run"]["diverged_at"] is None
    params = dict(at.query_params)
    assert params["data"] == "trees" and params["features"] == "girth_in"


def test_a_sample_set_from_a_link_starts_at_a_rate_that_glides_unless_the_link_sets_one():
    at = run_with({"data": "trees"})
    assert spec_of(at)["run"]["diverged_at"] is None and "features" not in dict(at.query_params)
    at = run_with({"data": "trees", "lr": "0.0001", "w0": "1"})
    assert spec_of(at)["run"]["lr"] == 0.0001 and at.session_state["w0"] == 1.0


def test_a_thousand_unknown_parameters_are_one_note():
    values, notes = state.decode({f"k{i}": "1" for i in range(1000)})
    assert values == {} and len(notes) == 1 and "1000 parameters" in notes[0]
    at = run_with({f"k{i}": "1" for i in range(300)})
    assert len(at.info) == 1 and dict(at.query_params) == {}


def test_many_bad_values_are_a_few_notes_and_a_count():
    values, notes = state.decode({name: "banana" for name in ("lr", "n", "steps", "w0", "b0", "noise", "seed")})
    assert values == {} and len(notes) == state.MAX_NOTES and "3 more problems" in notes[-1]


def test_a_control_added_to_the_schema_travels_in_links_by_itself(monkeypatch):
    monkeypatch.setitem(state.CONTROLS, "momentum_mu", state.Control(
        "momentum_mu", 0.9, "slider", "Momentum μ", dict(min_value=0.0, max_value=0.99), "mu", "momentum μ (0–0.99)",
        state.number(0, 0.99)))
    assert state.defaults()["momentum_mu"] == 0.9
    assert state.decode({"mu": "0.5"}) == ({"momentum_mu": 0.5}, [])
    assert "not a valid momentum μ" in state.decode({"mu": "2"})[1][0]
    assert state.encode({**state.defaults(), "momentum_mu": 0.5}) == {"mu": "0.5"}
    assert state.encode(state.defaults()) == {}


def test_the_3d_camera_travels_in_the_link():
    at = run_with({"cam": "0.3,-2.1,0.8"})
    layout = json.loads(spec_of(at)["figures"]["surface"])["layout"]
    assert layout["scene"]["camera"]["eye"] == {"x": 0.3, "y": -2.1, "z": 0.8}
    assert dict(at.query_params)["cam"] == "0.3,-2.1,0.8"
    for bad in ("1e9,0,0", "a,b,c", "0,0,0", "1,2", "١,2,3"):
        values, notes = state.decode({"cam": bad})
        assert values == {} and "not a valid 3-D camera" in notes[0]
