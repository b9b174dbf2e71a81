"""The 3-D camera a link or a lecturer gives (web.lecture_spec(camera=...), web.camera_eye): it is
written into the 3-D figure, so the page, the HTML export and the PNG all show it."""
from __future__ import annotations

import json

import pytest

import gdviz
from gdviz import web


@pytest.fixture(scope="module")
def run():
    data = gdviz.synthetic(n=60, weights=2.0, bias=-1.0, noise=1.0, seed=0, x_range=(-2.0, 2.0), x_offset=1.0)
    return data, gdviz.descend(data, lr=0.1, steps=100, w0=[-3.0], b0=4.0)


def eye_of(spec) -> dict:
    return json.loads(spec["figures"]["surface"])["layout"]["scene"]["camera"]["eye"]


@pytest.mark.parametrize("camera", ["0.3,-2.1,0.8", (0.3, -2.1, 0.8), [0.3, -2.1, 0.8], {"x": 0.3, "y": -2.1, "z": 0.8}])
def test_a_camera_reaches_the_3d_figure_and_the_spec(run, camera):
    spec = web.lecture_spec(*run, camera=camera, step=6)
    assert eye_of(spec) == {"x": 0.3, "y": -2.1, "z": 0.8}
    assert spec["camera"] == [0.3, -2.1, 0.8] and spec["step"] == 6
    page = web.standalone_html(spec)   # the export carries it: the spec, figures and all, is inlined
    assert web.script_json({**spec, "present": False}) in page


def test_no_camera_keeps_the_figures_own_and_changes_nothing_else(run):
    plain, turned = web.lecture_spec(*run), web.lecture_spec(*run, camera="0.3,-2.1,0.8")
    assert plain["camera"] is None and eye_of(plain) != eye_of(turned)
    assert plain["run_id"] == turned["run_id"], "a view option must not key the run"
    assert {k: v for k, v in plain["figures"].items() if k != "surface"} == \
        {k: v for k, v in turned["figures"].items() if k != "surface"}


@pytest.mark.parametrize("bad", ["1,2", "1,2,3,4", "a,b,c", "nan,1,1", "inf,0,0", "0,0,0", "1e9,0,0", (1, 2), {"x": 1}])
def test_a_bad_camera_is_refused_with_a_sentence(bad):
    with pytest.raises(ValueError, match="camera"):
        web.camera_eye(bad)


def test_camera_eye_reads_what_the_views_write():
    assert web.camera_eye("0.3,-2.1,0.8") == (0.3, -2.1, 0.8)
    assert web.camera_eye(None) is None
