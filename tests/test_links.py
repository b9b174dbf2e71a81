"""Shareable links: a link's settings reach the page, the page writes its state back, bad ones fall back."""
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from gdviz import links, web

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
    values, notes = links.decode(params)
    assert notes == []
    assert values["source"].startswith("Stopping distance") and values["optimizer"] == "adam"
    assert values["compare_n"] == 2 and values["cmp_opt_2"] == "gd" and values["cmp_lr_2"] == 0.002
    assert values["use_tol"] is True and values["tol"] == 1e-4 and values["step"] == 12
    defaults = {"source": "Synthetic data"}
    again = links.encode({**values}, defaults)
    for name in params:
        if name != "step":
            assert name in again, name
    assert links.decode(again)[0] == {k: v for k, v in values.items() if k != "step"}


@pytest.mark.parametrize("params, words", [
    ({"lr": "fast"}, "lr=fast"), ({"lr": "-1"}, "learning rate"), ({"lr": "nan"}, "learning rate"),
    ({"steps": "1e9"}, "steps"), ({"opt": "lbfgs"}, "optimizer"), ({"data": "../../etc/passwd"}, "data set"),
    ({"cmp": "adam"}, "compared runs"), ({"batch": "huge"}, "batch"), ({"hack": "<script>"}, "not a setting"),
    ({"std": "yes"}, "standardise"),
])
def test_malformed_parameters_give_a_note_not_an_error(params, words):
    values, notes = links.decode(params)
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
    values, notes = links.decode(params)
    assert notes == [] and values["lr"] == 0.05


def test_exports_and_presenter_mode():
    at = run_with({"present": "1"})
    assert spec_of(at)["present"] is True
    labels = [b.label for b in at.get("download_button")]
    assert {"Trajectory (CSV)", "Interactive page (HTML)"} <= set(labels)


def test_the_standalone_page_carries_plotly_and_the_run():
    import gdviz
    data = gdviz.synthetic(n=20, seed=1)
    spec = web.lecture_spec(data, gdviz.descend(data, lr=0.1, steps=10))
    page = web.standalone_html(spec)
    assert "plotly.js v" in page and 'src="plotly.min.js"' not in page
    start = page.index("window.GDVIZ_SPEC = ") + len("window.GDVIZ_SPEC = ")
    embedded = json.loads(page[start:page.index(";</script>", start)].replace("<\\/", "</"))
    np.testing.assert_array_equal(web.decode(embedded["timeline"]["loss"]), web.decode(spec["timeline"]["loss"]))
