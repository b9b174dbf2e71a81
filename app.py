"""gdviz — the lecture page: reads the widgets into a PageState (gdviz/state.py), calls
gdviz.lecture(state) once (cached) and places what it returns. What a state means is gdviz.pipeline's;
the views that follow the step live in the browser (gdviz/web), so stepping never reruns this script.
"""
from __future__ import annotations

import threading
from dataclasses import replace

import streamlit as st
import streamlit.components.v1 as components

from gdviz import DataError, classroom_page, classroom_routes, lessons, pipeline, slides, web
from gdviz.optimizers import LABELS, PAGE_HYPER
from gdviz.presets import PRESETS
from gdviz.state import (ACTIONS, COMPARE_DEFAULTS, CONTROLS, DATA_KEYS, MAX_FEATURES, SCHEDULE_KEYS, SYNTHETIC,
                         SYNTHETIC_KEYS, UPLOAD, PageState, Sample, Upload, edit_summary, moved, outlier, problem_name,
                         race_values, rate_scale, used, widget_options)
from gdviz.state import from_views as from_views_value
from gdviz.words import markdown_text as plain
from gdviz.words import nice

ss = st.session_state


@st.cache_resource(max_entries=64, show_spinner=False, hash_funcs={PageState: repr})
def lecture(state: PageState) -> pipeline.Lecture:
    """The one call into gdviz per view, shared by every session showing the same state."""
    return pipeline.lecture(state)


@st.cache_resource
def views_component():
    return components.declare_component("gdviz_views", path=web.component_dir())


def draw(container, key: str, **live):
    """The widget of control ``key`` (gdviz/state.py), with the arguments that depend on the values in use."""
    control = CONTROLS.get(key) or ACTIONS[key]
    return getattr(container, control.widget)(control.label, key=key,
                                              **{**control.options, **widget_options(key, ss), **live})


def draw_rows(*rows) -> None:
    """Controls in order, each row (a key, or keys side by side) drawn with those that mean something now."""
    for row in rows:
        keys = [key for key in ((row,) if isinstance(row, str) else row) if used(key, ss)]
        for column, key in zip(st.columns(len(keys)) if len(keys) > 1 else [st], keys):
            draw(column, key)


def made_file(container, name: str, key: str, make) -> None:
    """A button that makes a file with a progress bar, then offers it until it is downloaded or what
    it came from changes (the session keeps no file past its download); a file whose cost, estimated
    before drawing, is beyond the budget is a sentence instead (slides.ExportTooCostly)."""
    made = ss.get(f"made_{name}")
    if not (made is not None and made[0] == key):
        if not draw(container, f"make_{name}"):
            return
        bar = container.progress(0.0, text="Drawing…")
        try:
            made = ss[f"made_{name}"] = (key, make(lambda done, n: bar.progress(done / n, f"Drawing {done} of {n}…")))
        except slides.ExportTooCostly as error:
            container.warning(plain(str(error)))
            return
        finally:
            bar.empty()
    draw(container, f"download_{name}", data=made[1], on_click=lambda: ss.pop(f"made_{name}", None))  # not kept


# ---- the state: widgets ⇄ PageState ----
def apply_state(state: PageState, given=None) -> None:
    """A state (a link's, a scene's) into the widgets' values; a sample set's column pickers follow."""
    for key in [key for key in ss if key.startswith(("features_", "target_"))]:
        del ss[key]
    ss.update(pipeline.widget_values(state), link_step=state.step,
              given=set(state.as_values()) if given is None else given)


def read_link() -> None:
    """On a session's first run: what the link says becomes the widgets' values (bad values: a note)."""
    link = pipeline.read_link(classroom_page.join(ss, {key: st.query_params.get_all(key) for key in st.query_params}))
    if link.lesson is not None:
        ss["lesson"], ss["scene"] = link.lesson, link.scene
    if link.scene_only:  # the scene's own state, shown as the link says (presenter mode, the step)
        go_to_scene(link.scene)
        ss.update(present=link.state.present if "present" in link.given else ss["present"], link_step=link.state.step)
    else:
        apply_state(link.state, set(link.given))
    ss["link_notes"] = list(link.notes)


def widgets_state(upload, columns) -> PageState:
    """The state the widgets say now (no file uploaded yet: the data that was in use)."""
    source = ss["source"] if ss["source"] != UPLOAD or upload else ss.get("shown", PageState()).source
    return PageState.from_values({**ss, "source": source, "features": columns[0], "target": columns[1],
                                  "upload": upload, "step": ss.get("link_step"), "lesson": None, "scene": None})


# ---- callbacks (they run before the script, so they may set widgets' values) ----
def go_to_scene(k: int) -> None:
    """Scene k of the lesson: the whole state it says (the same however it is reached), at step 0."""
    k = min(max(int(k), 1), len(ss["lesson"].scenes))
    ss["scene"], ss["autoplay"] = k, ss["lesson"].scenes[k - 1].play
    ss["shown"] = state = pipeline.scene_state(ss["lesson"].scenes[k - 1])
    apply_state(state, given=set(state.as_values()))


def from_views() -> None:
    """What the views sent: a click on the contours moves the start; a dragged point moves; PageDown/Up."""
    sent = from_views_value(ss.get("views"))
    if "start" in sent:
        ss["w0"], ss["b0"] = sent["start"]
    if "point" in sent:
        move_point(*sent["point"])
    if "scene" in sent and "lesson" in ss:
        go_to_scene(ss.get("scene", 1) + sent["scene"])
    classroom_page.from_views(ss, ss.get("views"), apply_state)  # the class bar: start, end, leave, follow


def move_point(row, x: float, y: float) -> None:
    """A dragged point (or a new one, row None) becomes an edit of the data."""
    try:
        classes = problem_name(ss["problem"]) == "logistic"  # a new point's y is 0 or 1
        ss["edits"] = moved(ss.get("edits", ()), ss.get("base_m", 0), row, x, y, classes)
    except ValueError as error:
        ss["edit_note"] = str(error)


def set_lesson(lesson, scene: int = 1, view: bool = True) -> None:
    """Show ``lesson`` at ``scene`` with its view (``view`` False: the view stays, after a move); None: close it."""
    ss["lesson"], ss["scene"] = lesson, scene
    if lesson is None:
        del ss["lesson"], ss["scene"]
    elif view:
        go_to_scene(scene)


def lesson_from_file() -> None:
    """An uploaded lesson replaces the one in use; a malformed one keeps it, with a sentence."""
    if ss.get("lesson_file") is not None:
        try:
            set_lesson(lessons.read_lesson(ss["lesson_file"].getvalue(), ss["lesson_file"].name))
        except lessons.LessonError as error:
            ss["lesson_note"] = f"That lesson file cannot be opened: {error}"


def add_this_scene(state: PageState) -> None:
    """The view on screen becomes a scene after the current one, with the camera the views wrote."""
    camera = st.query_params.get(CONTROLS["camera"].link)
    params = {**state.scene_params(), **({CONTROLS["camera"].link: camera} if camera else {})}
    try:
        ss["lesson"], ss["scene"] = lessons.with_view(ss.get("lesson"), ss.get("scene", 0), params,
                                                      ss.get("new_scene_title", ""), ss.get("new_scene_note", ""),
                                                      bool(ss.get("new_scene_play")))
        ss["new_scene_title"] = ss["new_scene_note"] = ""
    except lessons.LessonError as error:
        ss["lesson_note"] = str(error)


# ---- the sidebar's parts ----
def choose_data():
    """(the upload in use or None, a sample's columns (features, target) if not its own, a sentence on a bad file)."""
    source = draw(st, "source")
    if source == SYNTHETIC:
        draw_rows(*SYNTHETIC_KEYS)  # classes have no noise
        return None, (None, None), None
    chosen = Sample(source)
    if source == UPLOAD:
        if draw(st, "upload") is None:
            st.info("Choose a CSV file: one column per feature, the target last. Until then the page keeps "
                    "the data it was showing.")
            return ss.get("good_upload"), (None, None), None
        chosen = Upload.of(ss["upload"].getvalue(), ss["upload"].name)
        st.caption("A link cannot carry an uploaded file: the page's link opens the synthetic data. Share the "
                   "file itself, or a sample set.")
    identity = getattr(chosen, "digest", source)  # the column pickers' keys: one pair per file
    try:
        numeric, default_features, default_target = pipeline.columns(chosen)
        ss.setdefault(f"target_{identity}", default_target)
        target = st.selectbox("Target y", numeric, key=f"target_{identity}")
        choices, ss[f"features_{identity}"], wide = pipeline.feature_choices(
            numeric, target, ss.get(f"features_{identity}", default_features))
        features = tuple(st.multiselect("Features X", choices, key=f"features_{identity}", max_selections=MAX_FEATURES))
        if wide:
            st.caption(wide)
        picked = replace(chosen, features=features, target=target)
        picked.load()  # fails here, with a sentence, if the choice is unusable
        if source == UPLOAD:
            ss["good_upload"] = picked
            return picked, (None, None), None
        own = (features, target) == (default_features, default_target)
        return None, (None, None) if own else (features, target), None
    except DataError as error:
        return ss.get("good_upload"), (None, None), str(error)


def point_buttons(data, edited: bool) -> None:
    """Touch the data: add an outlier, undo, reset (one feature: the data view is where points move)."""
    st.caption("Drag a point in the data view to move it, or add an outlier: the surface, the optimum and the "
               "path follow.")
    draw(st, "add_outlier", on_click=move_point, args=(None, *outlier(data, ss.get("edits", ()))))
    middle, right = st.columns(2)
    draw(middle, "undo_edit", on_click=lambda: ss.update(edits=ss.get("edits", ())[:-1]), disabled=not edited)
    draw(right, "reset_edits", on_click=lambda: ss.update(edits=()), disabled=not edited)
    if edited:
        st.caption(f"Edited data: {edit_summary(ss['edits'])} (in the link and the data CSV).")


def lesson_panel(state: PageState) -> None:
    """Open the built-in lesson or a file, add this view, reorder, delete, download, share."""
    lesson, editing = ss.get("lesson"), None if ss["present"] else ss.get("lesson")  # presenter: no sidebar, no list
    with st.expander("Lesson: scenes for a lecture", expanded=lesson is not None):
        if "lesson_note" in ss:
            st.error(plain(ss.pop("lesson_note")))
        left, right = st.columns(2)
        draw(left, "open_builtin", on_click=set_lesson, args=(lessons.builtin_lesson(),))
        draw(right, "close_lesson", on_click=set_lesson, args=(None,), disabled=lesson is None)
        draw(st, "lesson_file", on_change=lesson_from_file)
        draw_rows("new_scene_title", "new_scene_note", "new_scene_play")
        draw(st, "add_scene", on_click=add_this_scene, args=(state,))
        for i, scene in enumerate(editing.scenes if editing else ()):  # each whole title, wrapped; signs below
            st.button(f"{'▸ ' if i + 1 == ss.get('scene') else ''}{i + 1}. {plain(scene.title)}",
                      key=f"goto_scene_{i}", on_click=go_to_scene, args=(i + 1,), type="tertiary", width="stretch")
            row = st.container(horizontal=True, horizontal_alignment="right", gap="small")
            for action, sign, off, what in (("up", "↑", i == 0, "Move this scene up"),
                                            ("down", "↓", i == len(lesson.scenes) - 1, "Move this scene down"),
                                            ("delete", "✕", False, "Delete this scene")):
                row.button(sign, key=f"scene_{action}_{i}", on_click=set_lesson, disabled=off, help=what,
                           width="content",
                           args=() if off else (*lessons.edit_deck(lesson, ss.get("scene", 1), action, i), False))
        if editing:
            draw(st, "lesson_toml", data=lessons.lesson_to_toml(lesson))
            draw(st, "lesson_json", data=lessons.lesson_to_json(lesson))
            if not lessons.fits_in_link(lesson):
                st.caption("This lesson is too long for a link: share the file.")


def lesson_bar(container) -> None:
    """"Scene k / N · title", the lecturer's note and ◀ ▶ (a clicker's PageDown/PageUp do the same), the
    buttons whole at any width (a row that sizes them to their signs). The next scene's lecture is
    made meanwhile, so PageDown finds it ready."""
    lesson, k = ss["lesson"], ss.get("scene", 1)
    bar = container.container(horizontal=True, vertical_alignment="center", gap="small", wrap=False)
    draw(bar, "scene_back", on_click=go_to_scene, args=(k - 1,), disabled=k <= 1)
    draw(bar, "scene_next", on_click=go_to_scene, args=(k + 1,), disabled=k >= len(lesson.scenes))
    scene = lesson.scenes[k - 1]
    bar.markdown(f"**Scene {k} / {len(lesson.scenes)} · {plain(scene.title)}** &nbsp; :gray[{plain(scene.note)}]",
                 width="stretch")
    if k < len(lesson.scenes):  # the next scene's lecture, made off the script's thread (cached for every session)
        upcoming = pipeline.scene_state(lesson.scenes[k]).replace(present=False)
        threading.Thread(target=lecture, args=(upcoming,), daemon=True).start()


# ---- the page ----
def sidebar(live: dict):
    """Every control (drawn when it means something for the state, gdviz.state.used), then the
    settings new data opens on. Returns (the state, sentences about opening it, a bad file's sentence)."""
    problem = draw(st, "problem")
    regression = PageState(problem=problem).regression
    upload, columns, bad_file = None, (None, None), None
    if regression:
        draw(st, "l2")
        st.header("Data")
        upload, columns, bad_file = choose_data()
    else:  # the data widgets are not drawn: keep their values for when a regression comes back
        for key in DATA_KEYS:
            ss[key] = ss[key]
        st.caption("A test surface has no data: the loss is its formula, with w and b as its two coordinates. Its "
                   "known minima are marked (the saddle's stationary point, which is no minimum).")
    state = widgets_state(upload, columns)  # new data opens on settings that suit it (not drawn yet: below)
    opened, opening_notes = pipeline.opening(state, ss.get("shown", PageState()), ss.pop("given", set()))
    ss.update({k: v for k, v in opened.as_values().items() if state.as_values().get(k) != v})
    if regression:
        draw(st, "standardise")
        in_use, ss["base_m"] = pipeline.shown_data(opened)
        if in_use.d > 1:
            names = list(in_use.feature_names)
            draw(st, "feature", options=range(in_use.d), format_func=lambda i: f"w{i + 1} ({names[i]})")
        draw(st, "data_view")
        if in_use.d == 1:
            point_buttons(in_use, bool(ss.get("edits")))

    st.header("Gradient descent")
    draw(live.get("optimizer", st), "optimizer")
    draw_rows(*PAGE_HYPER)  # μ for momentum and Nesterov, β₁ and β₂ for Adam (the run's or a compared run's)
    draw(live.get("lr", st), "lr")
    draw_rows("sched", SCHEDULE_KEYS, "steps", ("w0", "b0"))  # a schedule's own parameters side by side
    st.caption("Or click the contour map to start from there.")
    draw_rows("batch_mode", "batch_size", "use_tol", "tol")

    st.header("Compare runs")
    for i in range(1, draw(st, "compare_n") + 1):
        ss.setdefault(f"cmp_opt_{i}", COMPARE_DEFAULTS[i - 1])
        ss.setdefault(f"cmp_lr_{i}", ss["lr"])
        left, right = st.columns([1, 1.3])
        left.selectbox(f"Run {i + 1}", list(LABELS), format_func=LABELS.get, key=f"cmp_opt_{i}")
        right.select_slider(f"α of run {i + 1}", rate_scale(ss[f"cmp_lr_{i}"]), key=f"cmp_lr_{i}", format_func=nice)

    st.header("View")
    draw_rows("log_loss", "equal_scales", "arrows", "pull", "eigen")  # pull, eigen: the quadratic's own views
    state = widgets_state(upload, columns)
    lesson_panel(state)
    return state, opening_notes, bad_file


def preset_buttons(shown: pipeline.Lecture, columns, caption) -> None:
    """A preset this problem cannot show is disabled, its help says why."""
    presets = shown.presets
    for column, name in zip(columns, PRESETS):
        column.button(name.capitalize(), key=f"preset_{name}", on_click=ss.update, width="stretch",
                      args=(race_values([("gd", presets.get(name, ss["lr"]))]),), help=shown.preset_help[name],
                      disabled=name not in presets)
    draw(columns[4], "preset_compare", on_click=ss.update, args=(race_values(shown.comparison),),
         disabled=len(shown.comparison) < 2, help=shown.comparison_help)
    if caption is not None:
        caption.caption(plain(shown.preset_caption))


def take_away(shown: pipeline.Lecture) -> None:
    """The run and the data as CSV, the GIF, the lesson's slides, and a preview of the data."""
    st.markdown("### Take it with you")
    exports = st.columns([1, 1, 3])
    draw(exports[0], "trajectory_csv", data=shown.run.to_frame().to_csv(index=False))
    if shown.state.regression:
        draw(exports[1], "data_csv", data=pipeline.data_csv(shown.state))
    exports[2].caption("This view as an interactive page that works offline (HTML) or a picture for slides (PNG), at "
                       "the step and 3-D camera on screen: “save view · HTML / PNG” in the views' bar.")
    pictures = st.columns([1, 1, 3])
    made_file(pictures[0], "gif", repr(shown.state.replace(step=None, camera=None)),
              lambda progress: slides.run_gif(shown.spec, title=shown.title, progress=progress))
    if ss.get("lesson") is not None:
        made_file(pictures[1], "slides", repr(ss["lesson"]),
                  lambda progress: pipeline.lesson_slides(ss["lesson"], progress=progress))
    if shown.state.regression and shown.state.source != SYNTHETIC:
        with st.expander(f"Preview of the data ({shown.data.m} rows used)"):
            st.dataframe(pipeline.preview(shown.state), hide_index=True, height=260)


def page() -> None:
    """The page, top to bottom: the link once, the controls, one lecture, its views, sentences and exports."""
    st.set_page_config(page_title="gdviz — gradient descent", page_icon="⛰️", layout="wide")
    for name, value in pipeline.widget_values(PageState()).items():
        ss.setdefault(name, value)
    if "link_notes" not in ss:
        read_link()
    if ss["present"]:  # what a lecturer changes live in one row above the views; the sidebar hidden
        row = st.columns([1.3, 2.2, 0.9, 0.9, 0.9, 0.9, 1.5, 1.0], vertical_alignment="bottom")
        live, preset_columns, present_home, preset_caption = {"optimizer": row[0], "lr": row[1]}, row[2:7], row[7], None
    else:
        title_column, present_home = st.columns([5, 1])
        title_column.markdown("## " + pipeline.page_title(PageState(problem=ss["problem"])))
        row = st.columns([1, 1, 1, 1, 1.6, 2.4])
        live, preset_columns, preset_caption = {}, row[:5], row[5]
    messages = st.container()
    with st.sidebar:
        state, opening_notes, bad_file = sidebar(live)
    present = draw(present_home, "present")
    st.html(f"<style>{web.PAGE_CSS}{web.PRESENTER_CSS if present else ''}</style>")  # presenter: the views fill it
    shown = lecture(state.replace(present=False))  # presenter mode changes no computation
    ss["shown"] = shown.state
    if state.regression and shown.state.edits != ss.get("edits", ()):  # moved points the data could not take
        ss["edits"] = shown.state.edits
    with messages:  # above the views, under the title (or the presenter's row)
        if ss.get("lesson") is not None:
            lesson_bar(st)
        for message in pipeline.notices(shown, ss.get("link_notes", []), opening_notes, ss.pop("edit_note", None),
                                        bad_file):
            getattr(st, message.kind)(message.markdown)
    preset_buttons(shown, preset_columns, preset_caption)
    if shown.spec is None:
        return

    spec = {**shown.spec, "present": bool(present), "autoplay": bool(ss.pop("autoplay", False)),
            "editable": state.regression and shown.data.d == 1
            and ss["data_view"] == CONTROLS["data_view"].default}
    if ss.get("lesson") is not None:  # PageDown/PageUp (a clicker) move through it
        spec["lesson"] = {"k": ss.get("scene", 1), "n": len(ss["lesson"].scenes)}
    spec.update(classroom_page.spec(ss, shown.state))  # a class: its code and this page's part in it
    views_component()(spec=spec, key="views", on_change=from_views, default=None)
    for column, metric in zip(st.columns(len(shown.metrics)), shown.metrics):
        column.metric(metric.label, metric.value, help=metric.help, delta=metric.delta,
                      delta_color="off" if metric.delta else "normal")
    for caption in shown.captions:
        st.caption(caption.markdown)
    take_away(shown)

    params = shown.state.replace(step=ss.get("link_step"), present=bool(present)).to_link()
    if ss.get("lesson") is not None:
        params.update(lessons.lesson_params(ss["lesson"], ss.get("scene", 1)))
    params.update(classroom_page.link_params(ss))  # a student's reload stays in the class
    if {name: st.query_params.get_all(name) for name in st.query_params} != {k: [v] for k, v in params.items()}:
        st.query_params.from_dict(params)
    ss["link_step"] = None  # the link's step applies to the first view only


if __name__ == "__main__":  # Streamlit runs the page
    page()
else:  # `streamlit run app.py` imports this file to serve it: the page, and the class's routes (/class/…)
    app = st.App(__file__, routes=classroom_routes.ROUTES)
