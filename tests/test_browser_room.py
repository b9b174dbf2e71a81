"""A class in one Chromium (issue 22): a lecturer's page and three students' pages (one a phone at
390x844) on `streamlit run app.py`, against the in-process store and against a real redis-server.

The story, as the hall meets it: the lecturer opens a two-scene lesson and starts a class from the
step bar; the students open its link; they follow the lesson's next scene, a step and Play; one
explores on its own and stays put, then follows again; the lecturer presses Predict, three guesses
appear on the lecturer's screen with their mean, and the reveal reaches every student with its own
distance and the class's spread; the lecturer asks the scene's question ("Will this rate
converge?"), three taps give "3 answers", and the reveal shows every page the count per answer; a
student's page cannot drive the room and a forged key is refused with a sentence. Both stores run
all of that (the issue's "Done when"); the in-process run also shows the code to join, turns the
3-D camera, ends the class and keeps the screenshots in docs/. What is asserted is text on screen
(the class bar, the step label, the run's sentence, the answers' counts) and the numbers a person
reads, checked against the page's own frames.

Where the time goes (each part's seconds are printed; see them with -s): page loads and every
redraw of four pages, the 3-D view drawn without a GPU. So the students' laptops are 1024x700 and
the lecturer's screen 1280x800 (a projector's 1920x1080 for the code to join and the question's
reveal, whose screenshots are kept), the step changes are few, Play starts ten steps before the run's end
and stops there by itself, the three students load at once, and every wait is on what is on screen,
never a fixed sleep.

It reuses test_browser's Chromium and the session's server (so it skips, loudly, where test_browser
does, and fails under GDVIZ_REQUIRE_BROWSER=1); the Redis run starts one server of its own over
test_classroom's redis-server on a free port. Every wait is bounded.
"""
from __future__ import annotations

import contextlib
import math
import time

import pytest

try:
    from test_browser import (ACTION, DOCS, JS_EYE, JS_TURN, READY, TURNED, Server, app_url, chromium,  # noqa: F401
                              wait_until)
except pytest.skip.Exception as skipped:  # the same skip, reported against this module
    pytest.skip(skipped.msg, allow_module_level=True)
from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402
from test_classroom import redis_url  # noqa: E402,F401  (the fixture: a redis-server on a free port)

from gdviz import lessons  # noqa: E402
from gdviz.lessons import Lesson, Scene  # noqa: E402

IFRAME = "iframe[src*='gdviz_views']"
PROJECTOR = {"width": 1920, "height": 1080}   # the lecturer's screen when the hall sees it (the screenshots)
SMALL = (1280, 800)   # the lecturer's screen otherwise: a smaller page draws faster
FOLLOW = 60_000   # ms for a room's change to reach a page (a new scene: a rerun and a drawing on a busy box)
JS_READY = """(room) => {
  const S = window.gdviz && window.gdviz.state, R = window.gdviz && window.gdviz.room;
  return !!(S && S.spec && ['surface', 'contour'].every((v) => S.uids[v]) && (!room || (R && R.code))
            && document.getElementById('steplabel').textContent !== 'step 0 / 0');
}"""
# A point of the contours' plane (data units) → a position inside the #contour element (px).
JS_AT = """([w, b]) => {
  const gd = document.getElementById('contour'), L = gd._fullLayout, box = gd.getBoundingClientRect();
  const size = L._size, element = document.getElementById('contour').getBoundingClientRect();
  return {x: size.l + L.xaxis.d2p(w) + box.left - element.left, y: size.t + L.yaxis.d2p(b) + box.top - element.top};
}"""
JS_POINT = """(k) => {
  const p = window.gdviz.frameAt(k).traces.contour['current-point'];
  return [p.x[0], p.y[0]];
}"""
JS_MEAN = """() => {
  const gd = document.getElementById('contour'), t = gd.data.find((t) => t.uid === 'class-mean');
  return t && t.x.length ? [Number(t.x[0]), Number(t.y[0])] : null;
}"""
JS_SHOWN = """() => ({step: document.getElementById('steplabel').textContent, playing: window.gdviz.state.playing,
                     room: window.gdviz.room, note: document.getElementById('note').textContent,
                     guess: document.getElementById('guess').textContent})"""
JS_WATCH_PLAY = """() => {
  const play = document.getElementById('play');
  window.__played = false;
  new MutationObserver(() => { if (play.dataset.state === 'pause') window.__played = true; })
    .observe(play, {attributes: true, childList: true});
}"""
JS_EYE_IS = """(e) => {
  const eye = document.getElementById('surface')._fullLayout.scene.camera.eye;
  return ['x', 'y', 'z'].every((a) => Math.abs(eye[a] - e[a]) < 1e-3);
}"""
JS_ROOM_STEP = """async (code) => (await (await fetch(`/class/${code}/state`)).json()).view.step"""
JS_ROWS = "rows => rows.map((r) => [r.querySelector('.words').innerText, r.querySelector('.count').innerText])"
JS_POST = """async ([path, token]) => {
  const headers = {'Content-Type': 'application/json'};
  if (token) headers.Authorization = 'Bearer ' + token;
  const answer = await fetch(path, {method: 'POST', headers: headers, body: JSON.stringify({version: 999, step: 3})});
  return [answer.status, (await answer.json()).error];
}"""


@pytest.fixture(scope="module", params=["memory", "redis"])
def class_url(request, tmp_path_factory):
    """The session's `streamlit run app.py` (its rooms in the process), then one of this module's own
    whose rooms are in a real redis-server (GDVIZ_REDIS_URL)."""
    if request.param == "memory":
        yield request.getfixturevalue("app_url")
        return
    with pytest.MonkeyPatch.context() as patch:  # the server's environment only: it is read when it starts
        patch.setenv("GDVIZ_REDIS_URL", request.getfixturevalue("redis_url"))
        server = Server(tmp_path_factory.mktemp("streamlit") / "server.log")
    try:
        server.wait_until_healthy()
        yield server.url
    finally:
        server.stop(grace=3)   # then killed: it does not stop by itself within the default 15 s


class Tab:
    """One page of the class in its own browser context (its own anonymous browser id)."""

    def __init__(self, browser, url: str, width: int, height: int, touch: bool = False):
        self.context = browser.new_context(viewport={"width": width, "height": height}, has_touch=touch,
                                           is_mobile=touch)
        self.context.set_default_timeout(ACTION)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(url, wait_until="commit", timeout=READY)   # the rest loads while the next tab opens

    @property
    def frame(self):
        return self.page.wait_for_selector(IFRAME, state="attached", timeout=READY).content_frame()

    def ready(self, room: bool = True) -> None:
        """Until the views are drawn (and, with ``room``, the page is in a class)."""
        self.frame.wait_for_function(JS_READY, arg=room, timeout=READY)

    def says(self) -> str:
        return self.frame.inner_text("#classtext")

    def step(self) -> str:
        return self.frame.inner_text("#steplabel")

    def note(self) -> str:
        return self.frame.inner_text("#note")

    def wait_text(self, selector: str, text: str, timeout: float = FOLLOW) -> None:
        self.wait("([s, t]) => { const n = document.querySelector(s); return n && n.textContent.includes(t); }",
                  [selector, text], timeout, f"“{text}” in {selector}")

    def wait(self, script: str, arg=None, timeout: float = FOLLOW, what: str = "") -> None:
        """Until ``script(arg)`` is true in the views; else a failure that says what this page shows."""
        try:
            self.frame.wait_for_function(script, arg=arg, timeout=timeout)
        except PlaywrightTimeout:
            shown = self.frame.evaluate(JS_SHOWN)
            pytest.fail(f"not seen within {timeout / 1000:.0f} s: {what or script}; the page shows {shown}")

    def click(self, selector: str) -> None:
        self.frame.locator(selector).click()

    def tap_contours(self, w: float, b: float) -> None:
        at = self.frame.evaluate(JS_AT, [w, b])
        self.frame.locator("#contour").click(position=at)

    def close(self) -> None:
        self.context.close()


def _start(lecturer: Tab) -> str:
    """The step bar's "Start a class": the code the class bar then shows, as a person reads it."""
    lecturer.frame.get_by_role("button", name="Start a class").click()
    lecturer.wait_text("#classtext", "the students follow this page")
    code = lecturer.says().split("Class ", 1)[1][:7].replace(" ", "")
    assert len(code) == 6, lecturer.says()
    return code


def _lesson() -> str:
    """The lesson the lecturer opens (as a link's ``lesson``): the built-in lesson's "just right" and
    "oscillates" scenes, paused and outside presenter mode (so every page shows the same views)."""
    scenes = [Scene(s.title, s.note, {k: v for k, v in s.params.items() if k not in ("present", "focus")}, False,
                    s.question) for s in lessons.builtin_lesson().scenes[5:7]]
    return lessons.lesson_to_link(Lesson("A class", tuple(scenes)))


class Laps:
    """Where the time goes: each part's seconds, printed (pytest shows them with -s or on a failure)."""

    def __init__(self, name: str):
        self.name, self.at = name, time.monotonic()

    def __call__(self, part: str) -> None:
        now = time.monotonic()
        print(f"[{self.name}] {part}: {now - self.at:.1f} s")
        self.at = now


def test_a_class_follows_predicts_and_cannot_be_driven_by_a_student(chromium, class_url, request):
    """The issue's "Done when", against the store of this run; the in-process run also shows the code
    (its screenshot), turns the camera and ends the class."""
    full, lap = "memory" in request.node.callspec.id, Laps(request.node.callspec.id)
    lecturer = Tab(chromium, f"{class_url}/?lesson={_lesson()}&scene=1&present=0", *SMALL)
    students: list[Tab] = []
    try:
        lecturer.ready(room=False)
        code = _start(lecturer)
        lecturer.ready()
        lap("the lecturer's page and its class")
        students = [Tab(chromium, f"{class_url}/?class={code.lower()}", 1024, 700),   # all three load at once
                    Tab(chromium, f"{class_url}/?class={code}", 1024, 700),
                    Tab(chromium, f"{class_url}/?class={code}", 390, 844, touch=True)]
        if full:
            with _projector(lecturer):   # while they load
                _show_the_code(lecturer, code)
        for student in students:
            student.ready()
            assert "following the lecturer" in student.says(), student.says()
            assert student.frame.locator("#classend, #classreveal, #classask, #classstart:visible").count() == 0
        lap("three students joined")
        _follow_a_scene_a_step_and_play(lecturer, students, full, lap)
        lap("a scene, the camera, a step, Play")
        k = _explore_and_follow_again(lecturer, students)
        lap("exploring on my own")
        _predict(lecturer, students, k)
        lap("Predict and Reveal")
        _ask_the_scene_s_question(lecturer, students, full)
        lap("the scene's question")
        _cannot_drive(lecturer, students, code)
        if full:
            _end(lecturer, students, class_url)
        lap("refusals and the end")
        assert not [error for tab in [lecturer, *students] for error in tab.errors]
    finally:
        for tab in [lecturer, *students]:
            tab.close()


def _follow_a_scene_a_step_and_play(lecturer: Tab, students: list[Tab], camera: bool, lap) -> None:
    """The lesson's next scene reruns every student's page on it; (``camera``: the lecturer's 3-D
    camera reaches every page but one whose student turned the view); a step; Play and Pause."""
    lecturer.page.get_by_role("button", name="▶", exact=True).click()
    lecturer.wait_text("#note", "α = 0.3022")
    for student in students:
        student.wait_text("#note", "α = 0.3022")
        assert student.note() == lecturer.note()
    lap("scene")
    if camera:
        first, own = {"x": 1.9, "y": 1.2, "z": 0.9}, {"x": -2.0, "y": 0.4, "z": 0.6}
        for eye, following in ((first, students), (TURNED, [students[0], students[2]])):
            lecturer.frame.evaluate(JS_TURN, eye)
            for student in following:
                student.wait(JS_EYE_IS, eye, what=f"the lecturer's camera {eye}")
            if eye is first:
                students[1].frame.evaluate(JS_TURN, own)
        version = students[0].frame.evaluate("() => window.gdviz.room.version")   # the room's TURNED …
        students[1].wait("(v) => window.gdviz.room.version >= v", version, what="the room's last camera")
        assert students[1].frame.evaluate(JS_EYE) == pytest.approx(own, abs=1e-6)   # … reached it, and it kept its own
    lap("camera")
    lecturer.click("#forward")
    wanted = lecturer.step()
    assert wanted.startswith("step 1 ")
    for student in students:
        student.wait_text("#steplabel", wanted)
    lap("step")
    lecturer.frame.locator("#slider").fill("90")   # Play ten steps before the run's end: it stops there by itself
    lecturer.frame.select_option("#speed", "2")
    wanted = lecturer.step()
    for student in students:   # the play button says "Pause" while it plays (however soon the run ends)
        student.wait_text("#steplabel", wanted)
        student.frame.evaluate(JS_WATCH_PLAY)
    lecturer.click("#play")
    for student in students:
        student.wait("() => window.__played", what="the play button saying Pause")
        assert student.frame.eval_on_selector("#speed", "s => s.value") == "2"   # the lecturer's speed
    lecturer.frame.wait_for_function("() => !window.gdviz.state.playing", timeout=ACTION)
    lap("play")
    wanted = lecturer.step()
    for student in students:   # paused at the run's end with the lecturer
        student.wait_text("#steplabel", wanted)
        student.wait("() => !window.gdviz.state.playing", what="paused")


def _explore_and_follow_again(lecturer: Tab, students: list[Tab]) -> int:
    """The phone explores on its own: the lecturer's steps do not move it; following again does. The step shown then."""
    phone = students[2]
    phone.frame.get_by_role("button", name="Explore on my own").click()
    kept = phone.step()
    lecturer.frame.locator("#slider").fill("3")
    wanted = lecturer.step()
    assert wanted.startswith("step 3 ")
    students[0].wait_text("#steplabel", wanted)
    phone.wait_text("#classtext", f"the lecturer is at step {wanted.split()[1]}")
    assert phone.step() == kept and "exploring on my own" in phone.says()
    phone.frame.get_by_role("button", name="Follow again").click()
    phone.wait_text("#steplabel", wanted)
    phone.wait_text("#classtext", "following the lecturer")
    return int(wanted.split()[1])


def _predict(lecturer: Tab, students: list[Tab], k: int) -> None:
    """Predict together: three guesses, their mean on the lecturer's contours, the reveal on every page."""
    lecturer.click("#predict")
    lecturer.wait_text("#classtext", f"0 guesses for step {k + 1}")
    origin = lecturer.frame.evaluate(JS_POINT, k)
    truth = lecturer.frame.evaluate(JS_POINT, k + 1)
    length = math.dist(origin, truth)
    offsets = [(0.3, 0.2), (-0.2, 0.4), (0.5, -0.3)]
    for student, (dw, db) in zip(students, offsets):   # all three tap, then each page says its guess is in
        student.wait_text("#classtext", f"Where does step {k + 1} land?")
        student.tap_contours(truth[0] + dw * length, truth[1] + db * length)
    guesses = []
    for student in students:
        student.wait_text("#classtext", f"Your guess for step {k + 1} is in")
        guesses.append(student.frame.evaluate("() => window.gdviz.predict.guess"))
    lecturer.wait_text("#classtext", f"3 guesses for step {k + 1}")
    mean = [sum(g[i] for g in guesses) / 3 for i in range(2)]
    lecturer.wait(f"() => ({JS_MEAN})() !== null", what="the mean guess drawn")
    assert lecturer.frame.evaluate(JS_MEAN) == pytest.approx(mean, rel=1e-9, abs=1e-12)
    lecturer.frame.get_by_role("button", name="Reveal").click()
    within = sum(math.dist(g, truth) <= length for g in guesses)
    lecturer.wait_text("#classtext", f"{within} of 3 within one step length")
    for student, guess in zip(students, guesses):
        student.wait_text("#guess", "from the true step")
        shown = student.frame.inner_text("#guess")
        assert f"Your guess was {_fmt(math.dist(guess, truth))} from the true step {k + 1}" in shown, shown
        assert f"{within} of 3 within one step length" in shown


def _ask_the_scene_s_question(lecturer: Tab, students: list[Tab], screenshots: bool) -> None:
    """The lesson scene's question: Ask, three taps (one changed), "3 answers" live on the lecturer's
    bar, and after Reveal the count of every answer on every page, the right one marked."""
    question = lessons.builtin_lesson().scenes[6].question
    options = question.options
    lecturer.frame.get_by_role("button", name=f"Ask: {question.text}").click()
    lecturer.wait_text("#classtext", f"0 answers to “{question.text}”")
    chosen = [1, 2, 1]
    for student in students:
        student.wait_text("#classchoice", question.text)
    if screenshots:
        _screenshot(students[2], "screenshot-class-question-phone.png")
    students[0].frame.get_by_role("button", name=options[2]).click()   # then changed: one answer per browser
    students[0].wait("() => document.querySelector('#classchoice .mine')", what="the first answer marked")
    for student, i in zip(students, chosen):
        student.frame.get_by_role("button", name=options[i]).click()
    for student, i in zip(students, chosen):
        student.wait_text("#classchoice .mine", options[i])
        assert "your answer is in" in student.says()
    lecturer.wait_text("#classtext", f"3 answers to “{question.text}”")
    if screenshots:
        lecturer.page.set_viewport_size(PROJECTOR)   # the reveal as the hall sees it, kept in docs/
    lecturer.frame.get_by_role("button", name="Reveal").click()
    counts = [chosen.count(i) for i in range(len(options))]
    right = counts[question.answer]
    sentence = (f"3 answers: {', '.join(f'{o}: {n}' for o, n in zip(options, counts))}. {right} of 3 chose the right "
                f"answer ({options[question.answer]}).")
    lecturer.wait_text("#classtext", sentence)
    for tab, i in zip([lecturer, *students], [None, *chosen]):
        tab.wait("() => document.querySelectorAll('#classchoice .count').length === 3", what="the counts")
        rows = tab.frame.eval_on_selector_all("#classchoice .option", JS_ROWS)
        assert [(words.startswith(option), count) for (words, count), option in zip(rows, options)] == \
            [(True, str(n)) for n in counts], rows
        assert rows[question.answer][0].endswith("✓ the right answer"), rows
        if i is not None:
            assert "your answer" in rows[i][0] and sentence in tab.says()
            assert tab.says().split(": ", 1)[1].startswith("Your answer was right." if i == question.answer else
                                                         "Your answer was not the right one.")
    if screenshots:
        _screenshot(lecturer, "screenshot-class-question.png")


@contextlib.contextmanager
def _projector(tab: Tab):
    """The lecturer's page on a projector's screen for the time of the block (the rest of the test
    runs on a smaller one: four pages draw faster)."""
    tab.page.set_viewport_size(PROJECTOR)
    try:
        yield
    finally:
        tab.page.set_viewport_size(dict(zip(("width", "height"), SMALL)))


def _screenshot(tab: Tab, name: str) -> None:
    tab.frame.locator("#classchoice").scroll_into_view_if_needed()
    DOCS.mkdir(exist_ok=True)
    tab.page.screenshot(path=str(DOCS / name))


def _cannot_drive(lecturer: Tab, students: list[Tab], code: str) -> None:
    """A student's page cannot drive the room; a forged key is refused with a sentence."""
    before = lecturer.step()
    students[0].click("#forward")
    students[0].wait("(before) => document.getElementById('steplabel').textContent !== before", before,
                     what="the student's own step")   # a student's page never sends: the room is where it was
    assert students[0].frame.evaluate(JS_ROOM_STEP, code) == int(before.split()[1]) and lecturer.step() == before
    status, sentence = students[0].frame.evaluate(JS_POST, [f"/class/{code}/state", None])
    assert status == 403 and sentence.startswith("Only the lecturer's link can change this class")
    status, sentence = students[1].frame.evaluate(JS_POST, [f"/class/{code}/state", "forged-key-" + "x" * 20])
    assert (status, sentence) == (403, "That lecturer key does not belong to this class; nothing was changed.")


def _end(lecturer: Tab, students: list[Tab], class_url: str) -> None:
    """The end of the class reaches every page, in words; a code that names no class is a sentence."""
    lecturer.frame.get_by_role("button", name="End class").click()
    lecturer.wait_text("#classtext", "The class has ended on every page.")
    for student in students:
        student.wait_text("#classtext", "This class has ended; the page is yours to explore.")
    phone = students[2]
    phone.page.goto(f"{class_url}/?class=ZZZ-ZZZ", wait_until="domcontentloaded", timeout=READY)
    phone.wait_text("#classtext", "There is no class with the code ZZZZZZ; check the code on the projector.", READY)


def _show_the_code(lecturer: Tab, code: str) -> None:
    """"Show the code to join": the code as read out, the link, and the QR code loaded at ≥ 40 % of the
    screen's height; the picture the hall sees is kept in docs/ (from the in-process run)."""
    lecturer.frame.get_by_role("button", name="Show the code to join").click()
    lecturer.wait("() => { const i = document.querySelector('#classjoin img'); return i && i.complete && i.naturalWidth > 0; }",
                  what="the QR code loaded")
    panel = lecturer.frame.inner_text("#classjoin")
    assert f"{code[:3]} {code[3:]}" in panel and f"?class={code}" in panel and "No name, no account." in panel
    height = lecturer.frame.eval_on_selector("#classjoin img", "i => i.getBoundingClientRect().height")
    assert height >= 0.4 * 1080
    lecturer.frame.locator("#classjoin").scroll_into_view_if_needed()
    DOCS.mkdir(exist_ok=True)
    lecturer.page.screenshot(path=str(DOCS / "screenshot-class-join.png"))
    lecturer.frame.get_by_role("button", name="Hide the code").click()
    lecturer.wait("() => !document.getElementById('classjoin')", what="the code hidden")


def _fmt(value: float) -> str:
    """Panel.fmt(value, 3) of the views: three significant digits, as the page writes them."""
    return f"{float(f'{value:.3g}'):f}".rstrip("0").rstrip(".")
