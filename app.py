"""gdviz — the lecture page. Reads the widgets into a PageState, calls gdviz.lecture(state) once
(cached) and places what it returns.

Every control is described once in gdviz/state.py; what a state means (the runs, the sweep, the
theory, every sentence, the per-step frames) is gdviz.pipeline's. The views that follow the step
control live in the browser (gdviz/web), so stepping and playing never rerun this script.
"""
from __future__ import annotations

import hashlib
import threading

import streamlit as st
import streamlit.components.v1 as components

from gdviz import DataError, lessons, pipeline, slides, web
from gdviz.data import SAMPLES, SAMPLES_DIR, csv_columns, read_csv
from gdviz.optimizers import LABELS, PAGE_HYPER_USERS
from gdviz.presets import PRESETS
from gdviz.state import (COMPARE_DEFAULTS, CONTROLS, DATA_KEYS, LEARNING_RATES, MAX_FEATURES, PENALTIES,
                         SCHEDULE_KEYS, SYNTHETIC, SYNTHETIC_KEYS, TOLERANCES, UPLOAD, PageState, Sample, Upload,
                         edit_summary, moved, outlier, problem_name, used)
from gdviz.state import from_views as from_views_value
from gdviz.words import markdown_text as plain
from gdviz.words import nice

st.set_page_config(page_title="gdviz — gradient descent", page_icon="⛰️", layout="wide")
ss = st.session_state


@st.cache_resource(max_entries=64, show_spinner=False, hash_funcs={PageState: repr})
def lecture(state: PageState) -> pipeline.Lecture:
    """The one call into gdviz per view, shared by every session showing the same state."""
    return pipeline.lecture(state)


@st.cache_data(max_entries=16, show_spinner=False)
def columns_of(identity: str, _raw: bytes | None) -> tuple[list[str], list[str], str]:
    """Numeric columns of a file and read_csv's default features (at most MAX_FEATURES) and target."""
    source = _raw if _raw is not None else SAMPLES_DIR / SAMPLES[identity]
    return csv_columns(source)[1], list(read_csv(source).feature_names), read_csv(source).target_name


@st.cache_resource
def views_component():
    return components.declare_component("gdviz_views", path=web.component_dir())


def draw(container, key: str, **live):
    """The widget of control ``key`` (gdviz/state.py), with arguments that depend on the data."""
    control = CONTROLS[key]
    return getattr(container, control.widget)(control.label, key=key, **{**control.options, **live})


def rates_with(*values: float) -> list[float]:
    """The log scale plus any value in use, so a preset lands exactly on the slider."""
    return sorted(set(LEARNING_RATES) | {float(v) for v in values})


def made_file(container, name: str, key: str, label: str, file_name: str, mime: str, make, help_text: str) -> None:
    """A button that makes a file with a progress bar, then offers it until it is downloaded or what
    it came from changes (the session keeps no file past its download); a file whose cost, estimated
    before drawing, is beyond the budget is a sentence instead (slides.ExportTooCostly)."""
    made = ss.get(f"made_{name}")
    if not (made is not None and made[0] == key):
        if not container.button(label, key=f"make_{name}", width="stretch", help=help_text):
            return
        bar = container.progress(0.0, text="Drawing…")
        try:
            made = ss[f"made_{name}"] = (key, make(lambda done, total: bar.progress(done / total,
                                                                                    text=f"Drawing {done} of {total}…")))
        except slides.ExportTooCostly as error:
            container.warning(plain(str(error)))
            return
        finally:
            bar.empty()
    container.download_button(f"Download: {label.lower()}", made[1], file_name=file_name, mime=mime,
                              width="stretch", key=f"download_{name}",
                              on_click=lambda: ss.pop(f"made_{name}", None))  # downloaded: not kept


# ---- the state: widgets ⇄ PageState ----
def apply_state(state: PageState, given=None) -> None:
    """A state (a link's, a scene's) into the widgets' values; a sample set's column pickers follow."""
    values = state.as_values()
    ss.update({k: v for k, v in values.items() if k not in ("features", "target", "upload", "lesson", "scene", "step")})
    for key in [key for key in ss if key.startswith(("features_", "target_"))]:
        del ss[key]
    if state.features is not None or state.target is not None:
        _, features, target = columns_of(state.source, None)
        ss[f"features_{state.source}"], ss[f"target_{state.source}"] = list(state.features or features), \
            state.target or target
    ss["link_step"], ss["given"] = state.step, set(values) if given is None else given


def read_link() -> None:
    """On a session's first run: what the link says becomes the widgets' values (bad values: a note)."""
    link = pipeline.read_link({name: st.query_params.get_all(name) for name in st.query_params})
    if link.lesson is not None:
        ss["lesson"], ss["scene"] = link.lesson, link.scene
    if link.scene_only:
        go_to_scene(link.scene)
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


def move_point(row, x: float, y: float) -> None:
    """A dragged point (or a new one, row None) becomes an edit of the data."""
    try:
        ss["edits"] = moved(ss.get("edits", ()), ss.get("base_m", 0), row, x, y, problem_name(ss["problem"]) == "logistic")
    except ValueError as error:
        ss["edit_note"] = str(error)


def apply_preset(race: tuple) -> None:
    """A preset button: the first (optimizer, rate) is the run, the others are compared with it."""
    (first, lr), rest = race[0], race[1:]
    ss.update(lr=lr, optimizer=first, compare_n=len(rest))
    for i, (name, rate) in enumerate(rest, start=1):
        ss[f"cmp_opt_{i}"], ss[f"cmp_lr_{i}"] = name, rate


def set_lesson(lesson, scene: int | None = 1) -> None:
    """Show ``lesson`` at ``scene`` (the lesson None: close it; the scene None: keep the view)."""
    ss["lesson"] = lesson
    if lesson is None:
        for key in ("lesson", "scene"):
            ss.pop(key, None)
    elif scene is not None:
        go_to_scene(scene)


def edit_deck(action: str, i: int) -> None:
    """Move scene i up or down, or delete it; the view stays (the last scene deleted: no lesson)."""
    lesson, ss["scene"] = lessons.edit_deck(ss["lesson"], ss.get("scene", 1), action, i)
    set_lesson(lesson, None)


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
        for key in SYNTHETIC_KEYS:
            if used(key, ss):  # classes have no noise
                draw(st, key)
        return None, (None, None), None
    raw, identity = None, source
    if source == UPLOAD:
        upload = st.file_uploader("CSV file (features…, target)", type=["csv", "txt", "tsv"], key="upload",
                                  help="The last numeric column is the target by default; text columns are left out.")
        if upload is None:
            st.info("Choose a CSV file: one column per feature, the target last. Until then the page keeps "
                    "the data it was showing.")
            return ss.get("good_upload"), (None, None), None
        raw = upload.getvalue()
        identity = hashlib.sha256(raw).hexdigest()[:16]
        st.caption("A link cannot carry an uploaded file: the page's link opens the synthetic data. Share the "
                   "file itself, or a sample set.")
    try:
        numeric, default_features, default_target = columns_of(identity, raw)
        ss.setdefault(f"target_{identity}", default_target)
        target = st.selectbox("Target y", numeric, key=f"target_{identity}")
        choices = [c for c in numeric if c != target]
        chosen = ss.get(f"features_{identity}", default_features[:MAX_FEATURES])
        ss[f"features_{identity}"] = [c for c in chosen if c in choices][:MAX_FEATURES]
        features = tuple(st.multiselect("Features X", choices, key=f"features_{identity}", max_selections=MAX_FEATURES))
        if len(choices) > MAX_FEATURES:
            st.caption(f"This file has {len(choices)} numeric columns besides the target; the views show at most "
                       f"{MAX_FEATURES} weights (the first ones unless you pick others).")
        if source == UPLOAD:
            ss["good_upload"] = Upload(identity, ss["upload"].name, features, target, raw=raw)
            ss["good_upload"].load()  # fails here, with a sentence, if the choice is unusable
            return ss["good_upload"], (None, None), None
        Sample(source, features, target).load()
        own = (features, target) == (tuple(default_features), default_target)
        return None, (None, None) if own else (features, target), None
    except DataError as error:
        return ss.get("good_upload"), (None, None), str(error)


def point_buttons(data, edited: bool) -> None:
    """Touch the data: add an outlier, undo, reset (one feature: the data view is where points move)."""
    st.caption("Drag a point in the data view to move it, or add an outlier: the surface, the optimum and the "
               "path follow.")
    st.button("Add an outlier", key="add_outlier", on_click=move_point, args=(None, *outlier(data, ss.get("edits", ()))),
              width="stretch", help="A point far below the line at the right end of x: watch the optimum and the bowl "
                                    "move.")
    middle, right = st.columns(2)
    middle.button("Undo", key="undo_edit", on_click=lambda: ss.update(edits=ss.get("edits", ())[:-1]),
                  disabled=not edited, width="stretch")
    right.button("Reset", key="reset_edits", on_click=lambda: ss.update(edits=()), disabled=not edited,
                 width="stretch", help="The data as it was, every moved or added point undone.")
    if edited:
        st.caption(f"Edited data: {edit_summary(ss['edits'])} (in the link and the data CSV).")


def lesson_panel(state: PageState) -> None:
    """Open the built-in lesson or a file, add this view, reorder, delete, download, share."""
    lesson = ss.get("lesson")
    with st.expander("Lesson: scenes for a lecture", expanded=lesson is not None):
        if "lesson_note" in ss:
            st.error(plain(ss.pop("lesson_note")))
        left, right = st.columns(2)
        left.button("Built-in lesson", key="open_builtin", on_click=set_lesson, args=(lessons.builtin_lesson(),),
                    width="stretch", help="The lecture notes' story in scenes: PageDown/PageUp (a clicker) move "
                                          "through it.")
        right.button("Close lesson", key="close_lesson", on_click=set_lesson, args=(None,), disabled=lesson is None,
                     width="stretch")
        st.file_uploader("Open a lesson file (TOML or JSON)", type=["toml", "json"], key="lesson_file",
                         on_change=lesson_from_file)
        st.text_input("Title of a new scene", key="new_scene_title", max_chars=80)
        st.text_input("Note for the lecturer", key="new_scene_note", max_chars=300)
        st.checkbox("Plays by itself", key="new_scene_play")
        st.button("Add this view as a scene", key="add_scene", on_click=add_this_scene, args=(state,),
                  width="stretch", help="After the scene shown, with everything on screen (the 3-D camera too).")
        for i, scene in enumerate(lesson.scenes if lesson else ()):  # the whole title, wrapped; its signs below it
            st.button(f"{'▸ ' if i + 1 == ss.get('scene') else ''}{i + 1}. {plain(scene.title)}",
                      key=f"goto_scene_{i}", on_click=go_to_scene, args=(i + 1,), type="tertiary", width="stretch")
            row = st.container(horizontal=True, horizontal_alignment="right", gap="small")
            for action, sign, off, what in (("up", "↑", i == 0, "Move this scene up"),
                                            ("down", "↓", i == len(lesson.scenes) - 1, "Move this scene down"),
                                            ("delete", "✕", False, "Delete this scene")):
                row.button(sign, key=f"scene_{action}_{i}", on_click=edit_deck, args=(action, i), disabled=off,
                           help=what, width="content")
        if lesson:
            st.download_button("Lesson (TOML)", lessons.lesson_to_toml(lesson), file_name="gdviz-lesson.toml",
                               mime="application/toml", width="stretch")
            st.download_button("Lesson (JSON)", lessons.lesson_to_json(lesson), file_name="gdviz-lesson.json",
                               mime="application/json", width="stretch")
            if not lessons.fits_in_link(lesson):
                st.caption("This lesson is too long for a link: share the file.")


def lesson_bar(container) -> None:
    """"Scene k / N · title", the lecturer's note and ◀ ▶ (a clicker's PageDown/PageUp do the same), the
    buttons whole at any width (a row that sizes them to their signs). The next scene's lecture is
    made meanwhile, so PageDown finds it ready."""
    lesson, k = ss["lesson"], ss.get("scene", 1)
    bar = container.container(horizontal=True, vertical_alignment="center", gap="small", wrap=False)
    bar.button("◀", key="scene_back", on_click=go_to_scene, args=(k - 1,), disabled=k <= 1,
               help="The previous scene (PageUp)", width="content")
    bar.button("▶", key="scene_next", on_click=go_to_scene, args=(k + 1,), disabled=k >= len(lesson.scenes),
               help="The next scene (PageDown)", width="content")
    scene = lesson.scenes[k - 1]
    bar.markdown(f"**Scene {k} / {len(lesson.scenes)} · {plain(scene.title)}** &nbsp; :gray[{plain(scene.note)}]",
                 width="stretch")
    if k < len(lesson.scenes):  # the next scene's lecture, made off the script's thread (cached for every session)
        upcoming = pipeline.scene_state(lesson.scenes[k]).replace(present=False)
        threading.Thread(target=lecture, args=(upcoming,), daemon=True).start()


# ---- the page ----
for name, value in PageState().as_values().items():
    if name in CONTROLS or name == "compare_n":
        ss.setdefault(name, value)
if "link_notes" not in ss:
    read_link()

if ss["present"]:  # one row with what a lecturer changes live: the sidebar is hidden
    row = st.columns([1.3, 2.2, 0.9, 0.9, 0.9, 0.9, 1.5, 1.0], vertical_alignment="bottom")
    live, preset_columns, present_home, preset_caption = {"optimizer": row[0], "lr": row[1]}, row[2:7], row[7], None
else:
    title_column, present_home = st.columns([5, 1])
    title_column.markdown("## " + pipeline.page_title(PageState(problem=ss["problem"])))
    row = st.columns([1, 1, 1, 1, 1.6, 2.4])
    live, preset_columns, preset_caption = {}, row[:5], row[5]
messages = st.container()

bad_file = None
with st.sidebar:
    problem = draw(st, "problem")
    regression = PageState(problem=problem).regression
    upload, columns = None, (None, None)
    if regression:
        draw(st, "l2", options=rates_with(*PENALTIES, ss["l2"]))
        st.header("Data")
        upload, columns, bad_file = choose_data()
    else:  # the data widgets are not drawn: keep their values for when a regression comes back
        for key in DATA_KEYS:
            ss[key] = ss[key]
        st.caption("A test surface has no data: the loss is its formula, with w and b as its two coordinates. Its "
                   "known minima are marked (the saddle's stationary point, which is no minimum).")
    state = widgets_state(upload, columns)  # new data opens on settings that suit it (not drawn yet: below)
    opened, notes = pipeline.opening(state, ss.get("shown", PageState()), ss.pop("given", set()))
    ss.update({k: v for k, v in opened.as_values().items() if state.as_values().get(k) != v})
    opening_notes = notes  # said once, when the data or the scaling changed
    if regression:
        draw(st, "standardise")
        in_use, ss["base_m"] = pipeline.shown_data(opened)
        if in_use.d > 1:
            names = list(in_use.feature_names)
            draw(st, "feature", options=range(in_use.d), format_func=lambda i: f"w{i + 1} ({names[i]})")
        data_view = draw(st, "data_view")
        if in_use.d == 1:
            point_buttons(in_use, bool(ss.get("edits")))

    st.header("Gradient descent")
    optimizer = draw(live.get("optimizer", st), "optimizer")
    for key, users in PAGE_HYPER_USERS.items():  # μ for momentum and Nesterov, β₁ and β₂ for Adam
        if optimizer in users:
            draw(st, key)
    draw(live.get("lr", st), "lr", options=rates_with(ss["lr"]))
    draw(st, "sched")
    schedule_keys = [key for key in SCHEDULE_KEYS if used(key, ss)]  # the schedule's own parameters
    for column, key in zip(st.columns(max(len(schedule_keys), 1)), schedule_keys):
        draw(column, key)
    draw(st, "steps")
    for column, key in zip(st.columns(2), ("w0", "b0")):
        draw(column, key)
    st.caption("Or click the contour map to start from there.")
    if regression:
        draw(st, "batch_mode")
    if used("batch_size", ss):
        draw(st, "batch_size", max_value=max(3, ss["base_m"] - 1))
    if draw(st, "use_tol"):
        draw(st, "tol", options=sorted(set(TOLERANCES) | {float(ss["tol"])}, reverse=True))

    st.header("Compare runs")
    for i in range(1, draw(st, "compare_n") + 1):
        ss.setdefault(f"cmp_opt_{i}", COMPARE_DEFAULTS[i - 1])
        ss.setdefault(f"cmp_lr_{i}", ss["lr"])
        left, right = st.columns([1, 1.3])
        left.selectbox(f"Run {i + 1}", list(LABELS), format_func=LABELS.get, key=f"cmp_opt_{i}")
        right.select_slider(f"α of run {i + 1}", rates_with(ss[f"cmp_lr_{i}"]), key=f"cmp_lr_{i}", format_func=nice)

    st.header("View")
    quadratic = problem_name(problem) == "mse" and not ss["l2"]
    for key in ("log_loss", "equal_scales", "arrows", "pull", "eigen"):
        draw(st, key, **({} if quadratic or key not in ("pull", "eigen") else dict(
            disabled=True, help="Linear regression without a penalty only (its loss is the quadratic these views "
                                "explain).")))
    state = widgets_state(upload, columns)
    lesson_panel(state)

present = draw(present_home, "present")
st.html(f"<style>{web.PAGE_CSS}{web.PRESENTER_CSS if present else ''}</style>")  # presenter: the views take the screen
shown = lecture(state.replace(present=False))  # presenter mode changes no computation
ss["shown"] = shown.state
if regression and shown.state.edits != ss.get("edits", ()):  # moved points the data could not take
    ss["edits"] = shown.state.edits
with messages:  # above the views, under the title (or the presenter's row)
    if ss.get("lesson") is not None:
        lesson_bar(st)
    for note in ss.get("link_notes", []):
        st.info(f"From the link: {plain(note)}")
    for note in opening_notes:
        st.info(plain(note))
    if "edit_note" in ss:
        st.warning(plain(ss.pop("edit_note")))
    if bad_file:
        st.error(f"**That data cannot be used:** {plain(bad_file)} Still showing: {plain(shown.data.name)}.")
    for message in shown.messages:  # a bold lead is gdviz's own words; the rest may name user data
        getattr(st, message.kind)((f"**{message.bold}** " if message.bold else "") + plain(message.text))

presets = shown.presets
for column, name in zip(preset_columns, PRESETS):  # a preset this problem cannot show is disabled, its help says why
    column.button(name.capitalize(), key=f"preset_{name}", on_click=apply_preset,
                  args=((("gd", presets.get(name, ss["lr"])),),),
                  help=shown.preset_help.get(name) or pipeline.preset_help(name, presets.get(name, ss["lr"])),
                  width="stretch", disabled=name not in presets)
preset_columns[4].button("GD vs momentum vs Adam", key="preset_compare", on_click=apply_preset,
                         args=(shown.comparison,), width="stretch", disabled=len(shown.comparison) < 2,
                         help=shown.comparison_help or "No optimizer's sweep found a rate that does not diverge.")
if preset_caption is not None:
    preset_caption.caption(plain(shown.preset_caption))
if shown.spec is None:
    st.stop()

spec = {**shown.spec, "present": bool(present), "autoplay": bool(ss.pop("autoplay", False)),
        "editable": regression and shown.data.d == 1 and data_view == CONTROLS["data_view"].default}
if ss.get("lesson") is not None:  # PageDown/PageUp (a clicker) move through it
    spec["lesson"] = {"k": ss.get("scene", 1), "n": len(ss["lesson"].scenes)}
views_component()(spec=spec, key="views", on_change=from_views, default=None)

for column, metric in zip(st.columns(len(shown.metrics)), shown.metrics):
    column.metric(metric.label, metric.value, help=metric.help, delta=metric.delta,
                  delta_color="off" if metric.delta else "normal")
for caption in shown.captions:
    st.caption((f"**{caption.bold}** " if caption.bold else "") + plain(caption.text))

st.markdown("### Take it with you")
exports = st.columns([1, 1, 3])
exports[0].download_button("Trajectory (CSV)", shown.run.to_frame().to_csv(index=False), width="stretch",
                           file_name="gdviz-trajectory.csv", mime="text/csv",
                           help="One row per step: step, weights, b, loss, gradient, the gradient used, the update.")
if regression:
    exports[1].download_button("Data (CSV)", pipeline.data_csv(shown.state), file_name="gdviz-data.csv",
                               mime="text/csv", help="The data in use, with any moved or added points.", width="stretch")
exports[2].caption("This view as an interactive page that works offline (HTML) or a picture for slides (PNG), at the "
                   "step and 3-D camera on screen: “save view · HTML / PNG” in the views' bar.")
pictures = st.columns([1, 1, 3])
made_file(pictures[0], "gif", repr(shown.state.replace(step=None, camera=None)), "Animated GIF of this run",
          "gdviz-run.gif", "image/gif", lambda progress: slides.run_gif(shown.spec, title=shown.title, progress=progress),
          "Up to 60 frames spread over the run (10 a second, the last held), contours and data side by side.")
if ss.get("lesson") is not None:
    made_file(pictures[1], "slides", repr(ss["lesson"]), "Slides: a PNG per scene (zip)", "gdviz-lesson-slides.zip",
              "application/zip", lambda progress: pipeline.lesson_slides(ss["lesson"], progress=progress),
              "One 1600x900 picture per scene of the lesson, each run drawn to its last step in view: for slides.")
if regression and shown.state.source != SYNTHETIC:
    with st.expander(f"Preview of the data ({shown.data.m} rows used)"):
        st.dataframe(pipeline.preview(shown.state), hide_index=True, height=260)

params = shown.state.replace(step=ss.get("link_step"), present=bool(present)).to_link()
if ss.get("lesson") is not None:
    params.update(lessons.lesson_params(ss["lesson"], ss.get("scene", 1)))
if {name: st.query_params.get_all(name) for name in st.query_params} != {k: [v] for k, v in params.items()}:
    st.query_params.from_dict(params)
ss["link_step"] = None  # the link's step applies to the first view only
