"""A lecture in scenes on the page (AppTest): the built-in lesson from a link, the buttons that move
through it (a clicker's PageDown/PageUp are in tests/test_browser_lessons.py), the lecturer's own deck."""
import pytest
from streamlit.testing.v1 import AppTest

from gdviz import lessons, web
from gdviz import state

from test_app import APP, open_app_with, spec_of

BUILTIN = lessons.builtin_lesson()
N = len(BUILTIN.scenes)


def bar(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**Scene "))


def test_a_link_opens_the_builtin_lesson_at_its_first_scene():
    at = open_app_with({"lesson": "builtin"})
    first = BUILTIN.scenes[0]
    assert bar(at).startswith(f"**Scene 1 / {N} · ")
    assert at.session_state["lr"] == float(first.params["lr"])
    assert at.session_state["present"] is True
    assert at.query_params["lesson"] == "builtin" and at.query_params["scene"] == "1"
    spec = spec_of(at)
    assert spec["lesson"] == {"k": 1, "n": N} and spec["autoplay"] is first.play
    assert not at.info and not at.exception


def test_the_buttons_move_through_the_scenes_and_the_link_follows():
    at = open_app_with({"lesson": "builtin"})
    at.button(key="scene_next").click().run()
    assert bar(at).startswith(f"**Scene 2 / {N} · ")
    assert at.query_params["scene"] == "2"
    assert at.session_state["source"] == state.SAMPLE_IDS[BUILTIN.scenes[1].params["data"]]
    at.button(key="scene_back").click().run()
    assert bar(at).startswith(f"**Scene 1 / {N} · ")
    assert at.session_state["source"] == state.SYNTHETIC
    assert not at.exception


@pytest.mark.parametrize("k", range(1, N + 1))
def test_every_builtin_scene_opens_without_a_note_or_an_error(k):
    at = open_app_with({"lesson": "builtin", "scene": str(k)})
    scene = BUILTIN.scenes[k - 1]
    assert bar(at).startswith(f"**Scene {k} / {N} · ")
    assert not at.info, [i.value for i in at.info]
    assert not at.exception
    for name, text in scene.params.items():
        if name not in ("features", "target", "cam"):
            control = state.links()[name]
            if control.read is not None:
                assert at.session_state[control.key] == control.read(text), name


def test_a_bad_lesson_or_scene_in_a_link_is_a_note():
    at = open_app_with({"lesson": "not-a-lesson"})
    assert any("lesson in the link cannot be opened" in i.value for i in at.info)
    at = open_app_with({"lesson": "builtin", "scene": "99"})
    assert any(f"has {N} scenes" in i.value for i in at.info)
    assert bar(at).startswith(f"**Scene 1 / {N}")


def test_a_scene_changed_on_screen_reopens_as_changed():
    at = open_app_with({"lesson": "builtin", "scene": "5"})
    at.select_slider(key="lr").set_value(0.01).run()
    link = {name: at.query_params[name] for name in at.query_params}
    again = open_app_with(link)
    assert again.session_state["lr"] == 0.01 and bar(again).startswith(f"**Scene 5 / {N}")


def test_the_lecturer_builds_a_deck_of_their_own():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.text_input(key="new_scene_title").input("Too small")
    at.run()
    at.button(key="add_scene").click().run()
    lesson = at.session_state["lesson"]
    assert [s.title for s in lesson.scenes] == ["Too small"]
    at.select_slider(key="lr").set_value(0.5).run()
    at.text_input(key="new_scene_title").input("Diverging")
    at.run()
    at.button(key="add_scene").click().run()
    lesson = at.session_state["lesson"]
    assert [s.title for s in lesson.scenes] == ["Too small", "Diverging"]
    assert lesson.scenes[1].params["lr"] == "0.5"
    assert at.query_params["lesson"] == lessons.lesson_to_link(lesson) and at.query_params["scene"] == "2"
    at.button(key="scene_up_1").click().run()
    assert [s.title for s in at.session_state["lesson"].scenes] == ["Diverging", "Too small"]
    assert at.session_state["scene"] == 1  # the scene shown moved with its scene
    at.button(key="scene_delete_0").click().run()
    assert [s.title for s in at.session_state["lesson"].scenes] == ["Too small"]
    # the link carries the whole deck: opening it gives the same scenes
    link = {name: at.query_params[name] for name in at.query_params}
    again = open_app_with(link)
    assert again.session_state["lesson"] == at.session_state["lesson"]
    assert not at.exception


def test_the_run_as_an_animated_gif_and_the_lesson_as_slides():
    import io
    import zipfile

    from PIL import Image

    at = open_app_with({"lesson": "builtin", "scene": "5"})
    at.button(key="make_gif").click().run()
    assert not at.exception
    key, gif = at.session_state["made_gif"]
    image = Image.open(io.BytesIO(gif))
    assert image.format == "GIF" and image.n_frames > 10
    at.button(key="make_slides").click().run()
    _, archive = at.session_state["made_slides"]
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        names = z.namelist()
        assert len(names) == N and all(n.endswith(".png") for n in names)
        assert Image.open(io.BytesIO(z.read(names[0]))).size == (1600, 900)
    at.select_slider(key="lr").set_value(0.01).run()  # another run: the GIF is made again on request
    assert any(b.proto.label == "Animated GIF of this run" for b in at.button)


def _maths(spec) -> dict:
    """The numbers of a spec that say which run is drawn: the run's settings and the timeline's first point."""
    run = spec["run"]
    timeline = spec["timeline"]
    return {"d": run["d"], "lr": run["lr"], "steps": run["steps"], "names": run["names"], "optimizer": run["optimizer"],
            "batch_size": run["batch_size"], "scaling": run["scaling"], "pull": run["pull"],
            "data_view": run["data_view"], "feature": run["feature"], "loss_min": run["loss_min"],
            "others": [other["label"] for other in spec["others"]] if isinstance(spec["others"], list) else spec["others"],
            "W0": web.decode(timeline["W"])[0].tolist(), "b0": float(web.decode(timeline["b"])[0]),
            "loss": web.decode(timeline["loss"]).tolist()}


def test_a_scene_link_that_says_how_to_show_it_still_opens_the_scene():
    """?lesson=builtin&scene=2&present=1 once opened the default views under scene 2's title: presenter
    mode and the step say how to show a scene, not a state of their own."""
    direct = spec_of(open_app_with({"lesson": "builtin", "scene": "2"}))
    for extra in ({"present": "1"}, {"present": "0"}, {"step": "7"}):
        at = open_app_with({"lesson": "builtin", "scene": "2", **extra})
        assert not at.exception and _maths(spec_of(at)) == _maths(direct), extra
        assert at.query_params["data"] == "trees" and at.toggle(key="present").value == (extra.get("present") != "0")
    assert spec_of(open_app_with({"lesson": "builtin", "scene": "2", "step": "7"}))["step"] == 7


def test_every_scene_reached_by_the_next_button_is_the_scene_its_link_opens():
    """▶ from scene k shows what ?lesson=builtin&scene=k+1 shows: the same run, not the previous scene's
    settings with a few changed."""
    at = open_app_with({"lesson": "builtin"})
    for k in range(2, N + 1):
        at.button(key="scene_next").click().run()
        assert not at.exception
        assert bar(at).startswith(f"**Scene {k} / {N} · ") and at.query_params["scene"] == str(k)
        direct = open_app_with({"lesson": "builtin", "scene": str(k)})
        reached, opened = _maths(spec_of(at)), _maths(spec_of(direct))
        assert reached == opened, (k, {key: (reached[key], opened[key]) for key in reached
                                       if reached[key] != opened[key]})
