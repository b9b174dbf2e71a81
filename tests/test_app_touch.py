"""Touching the data on the page (AppTest): an outlier added with one click, undo and reset, moved
points from a link; the optimum shown is always the least-squares fit of the data in use."""
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import gdviz
from gdviz import state

from test_app import APP, open_app_with

DEFAULT = state.Synthetic()


def metric(at, label_start):
    return next(m for m in at.metric if m.label.startswith(label_start))


def shown_optimum(at) -> tuple[float, float]:
    return float(metric(at, "Optimum w").value), float(metric(at, "Optimum b").value)


def least_squares(edits) -> tuple[float, float]:
    data = state.with_edits(DEFAULT.load(), edits)
    w, b = gdviz.optimum(data)
    return float(w[0]), float(b)


def test_an_outlier_tilts_the_fit_and_undo_and_reset_bring_it_back():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    before = shown_optimum(at)
    at.button(key="add_outlier").click().run()
    assert not at.exception
    edits = at.session_state["edits"]
    assert len(edits) == 1 and edits[0][0] == state.ADDED
    after = shown_optimum(at)
    assert after != before
    np.testing.assert_allclose(after, least_squares(edits), rtol=1e-3)  # the metric shows 4 digits
    assert at.query_params["pts"] == state.write_edits(edits)
    at.button(key="add_outlier").click().run()
    assert len(at.session_state["edits"]) == 2
    at.button(key="undo_edit").click().run()
    assert at.session_state["edits"] == edits
    np.testing.assert_allclose(shown_optimum(at), after)
    at.button(key="reset_edits").click().run()
    assert at.session_state["edits"] == ()
    assert shown_optimum(at) == before
    assert "pts" not in at.query_params


def test_moved_points_travel_in_the_link():
    edits = ((0, 1.5, 9.0), (state.ADDED, 3.0, -12.0))
    at = open_app_with({"pts": state.write_edits(edits)})
    assert not at.info, [i.value for i in at.info]
    np.testing.assert_allclose(shown_optimum(at), least_squares(edits), rtol=1e-3)
    assert any("Edited data: 1 point moved, 1 added" in c.value for c in at.caption)


@pytest.mark.parametrize("text", ["0:1", "x:1:2", "0:nan:1", ",".join(["a:1:1"] * (state.MAX_EDITS + 1))])
def test_bad_points_in_a_link_are_a_note(text):
    at = open_app_with({"pts": text})
    assert any("moved or added points" in i.value for i in at.info)
    assert at.session_state["edits"] == ()


def test_a_row_the_data_lacks_is_dropped_with_a_sentence():
    at = open_app_with({"pts": "5000:1:1"})
    assert any("moved or added points were dropped" in w.value for w in at.warning)
    assert at.session_state["edits"] == ()
    assert not at.exception


def test_a_new_data_set_drops_the_points_made_on_the_old_one():
    at = open_app_with({"pts": "a:1:50"})
    assert at.session_state["edits"]
    at.selectbox(key="source").set_value(state.SOURCES[1]).run()
    assert at.session_state["edits"] == ()
    assert not at.exception


def uids(at, view):
    import json

    from test_app import spec_of
    figure = spec_of(at)["figures"].get(view)
    return [] if figure is None else [t.get("uid") for t in json.loads(figure)["data"]]


def test_each_examples_pull_and_the_eigen_directions_are_switched_on_the_page():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert "pull-mean" not in uids(at, "contour") and uids(at, "eigen") == []
    at.checkbox(key="pull").check().run()
    assert {"pull-over", "pull-under", "pull-mean"} <= set(uids(at, "contour"))
    assert "pull-highlight" in uids(at, "data")
    assert at.query_params["pull"] == "1"
    at.checkbox(key="eigen").check().run()
    assert {"eigen-line-1", "eigen-line-2"} <= set(uids(at, "contour"))
    assert {"eigen-predicted-1", "eigen-observed-1", "eigen-now"} <= set(uids(at, "eigen"))
    assert at.query_params["eig"] == "1"
    at.checkbox(key="pull").uncheck().run()
    assert "pull-mean" not in uids(at, "contour")
    assert not at.exception


def test_the_page_says_why_a_learning_rate_diverges_with_its_numbers():
    at = open_app_with({"lr": "0.5"})
    error = next(e.value for e in at.error if "Diverged" in e.value)
    assert "α_max = 2/λ_max = 0" in error.replace("\\", "") and "1 − αλ_max = −" in error.replace("\\", "")
    assert any("Why:" in c.value for c in at.caption)
