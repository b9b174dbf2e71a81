"""The class session's core (gdviz.classroom): codes, tokens, following, guesses and their spread
(against a hand computation and the lecture's own maths), limits and expiry with an injected clock,
on both stores — the in-process one and a real redis-server started here on a loopback port.

Without redis-server the Redis cases skip, unless GDVIZ_REQUIRE_BROWSER is set (CI installs it).
"""
from __future__ import annotations

import asyncio
import json
import math
import os
import shutil
import socket
import subprocess
import threading
import time

import numpy as np
import pytest

from gdviz import classroom as cls
from gdviz import classroom_page as page
from gdviz import classroom_store as stores
from gdviz import pipeline
from gdviz.classroom import ClassError, Question
from gdviz.classroom_store import Classroom
from gdviz.state import PageState


class Clock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url():
    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("GDVIZ_REQUIRE_BROWSER"):
            pytest.fail("redis-server is missing (apt-get install redis-server); CI must run the Redis store's tests")
        pytest.skip("redis-server is not installed")
    pytest.importorskip("redis")
    import redis

    port = _free_port()
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                "--protected-mode", "yes"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url)
        for _ in range(100):  # at most 10 s
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.1)
        else:
            pytest.fail("redis-server did not answer within 10 s")
        client.close()
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(params=["memory", "redis"])
def make_store(request):
    """A function making a store (the same Redis for every store made: two "replicas")."""
    made = []
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
        import redis
        redis.Redis.from_url(url).flushall()

        def make():
            made.append(stores.RedisStore(url))
            return made[-1]
    else:
        shared = stores.MemoryStore()

        def make():
            return shared
    yield make
    for store in made:
        store.close()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def room_of(make_store, clock):
    """(classroom, room, token) of a fresh room showing a small run."""
    classroom = Classroom(make_store(), clock=clock)
    room, token = classroom.start({"steps": "10"})
    yield classroom, room, token


# ---------------------------------------------------------------- codes and tokens

def test_codes_use_an_alphabet_without_look_alikes():
    assert not set("01OIL") & set(cls.CODE_ALPHABET)
    codes = {cls.new_code() for _ in range(200)}
    assert all(len(c) == 6 and set(c) <= set(cls.CODE_ALPHABET) for c in codes)
    assert len(codes) > 190  # random, not a counter
    assert cls.normal_code(" ab2-cd3 ") == "AB2CD3"
    for bad in ("ABC", "AB0CD3", "ABCDEFG", "<script>"):
        with pytest.raises(ClassError, match="is not a class code") as error:
            cls.normal_code(bad)
        assert error.value.status == 404


def test_the_room_keeps_only_the_token_hash(room_of):
    classroom, room, token = room_of
    assert len(token) >= 32
    stored = classroom.store.load(room.code).to_json()
    assert token not in stored and cls.token_hash(token) in stored
    assert "token" not in json.dumps(room.public())


def test_one_room_per_lecturer_token(room_of):
    classroom, room, token = room_of
    again, same = classroom.start({}, token=token)
    assert (again.code, same) == (room.code, token)
    other, other_token = classroom.start({})
    assert other.code != room.code and other_token != token


def test_rooms_per_process_are_bounded(make_store, clock):
    classroom = Classroom(make_store(), clock=clock, max_rooms=2)
    classroom.start({}, address="a")
    classroom.start({}, address="b")
    with pytest.raises(ClassError, match="already holds 2 classes") as error:
        classroom.start({}, address="c")
    assert error.value.status == 503


def test_starts_from_one_address_are_rate_limited(make_store, clock):
    classroom = Classroom(make_store(), clock=clock)
    for _ in range(cls.START_RATE[0]):
        classroom.start({}, address="10.0.0.9")
    with pytest.raises(ClassError, match="started several classes") as error:
        classroom.start({}, address="10.0.0.9")
    assert error.value.status == 429
    clock.now += 61  # one more a minute
    classroom.start({}, address="10.0.0.9")


# ---------------------------------------------------------------- the lecturer drives, the students follow

def test_a_change_needs_the_token_and_a_newer_version(room_of):
    classroom, room, token = room_of
    changed = classroom.change(room.code, token, {"version": 2, "link": {"lr": "0.05", "steps": "10", "step": "4",
                                                                           "present": "1"},
                                                  "step": 4, "playing": True, "camera": [0.3, -2.1, 0.8],
                                                  "speed": "2"})
    assert changed.version == 2 and changed.view.speed == "2"
    with pytest.raises(ClassError, match="speed is one of"):
        classroom.change(room.code, token, {"version": 3, "speed": "1e9"})
    # canonical: PageState's own link, without the step, the camera or presenter mode
    assert changed.view.link == PageState(lr=0.05, steps=10).to_link()
    assert (changed.view.step, changed.view.playing, changed.view.camera) == (4, True, (0.3, -2.1, 0.8))
    with pytest.raises(ClassError, match="not newer") as replay:
        classroom.change(room.code, token, {"version": 2, "step": 9})
    assert replay.value.status == 409
    with pytest.raises(ClassError, match="does not belong to this class") as forged:
        classroom.change(room.code, token[:-2] + "xx", {"version": 3, "step": 9})
    assert forged.value.status == 403
    with pytest.raises(ClassError, match="no lecturer key"):
        classroom.change(room.code, None, {"version": 3, "step": 9})
    assert classroom.view(room.code)["view"]["step"] == 4  # nothing moved


def test_a_bad_link_is_refused_with_the_codecs_sentence(room_of):
    classroom, room, token = room_of
    with pytest.raises(ClassError, match="not changed: “lr=fast” is not a valid"):
        classroom.change(room.code, token, {"version": 2, "link": {"lr": "fast"}})
    for bad in ({"step": -1}, {"step": 1.5}, {"playing": "yes"}, {"camera": [1, 2, float("nan")]}, {"link": ["lr"]}):
        with pytest.raises(ClassError) as error:
            classroom.change(room.code, token, {"version": 2, **bad})
        assert error.value.status == 400 and str(error.value).endswith(".")
    with pytest.raises(ClassError, match="too long") as error:
        classroom.change(room.code, token, {"version": 2, "link": {"lesson": "x" * 7000, "scene": "1", "notes": "y" * 6000}})
    assert error.value.status == 413


def test_followers_are_woken_by_a_change_on_another_replica(make_store, clock):
    lecturer_side = Classroom(make_store(), clock=clock)
    student_side = Classroom(make_store(), clock=clock)  # the same store, or another process on the same Redis
    room, token = lecturer_side.start({})

    async def follow():
        waiting = asyncio.ensure_future(student_side.follow(room.code, since=room.version, timeout=60))
        await asyncio.sleep(0.2)
        assert not waiting.done()  # nothing new yet: it waits
        threading.Thread(target=lecturer_side.change, args=(room.code, token, {"version": 5, "step": 7})).start()
        return await asyncio.wait_for(waiting, 10)  # woken, long before its 60 s

    seen = asyncio.run(follow())
    assert (seen["version"], seen["view"]["step"]) == (5, 7)
    already = asyncio.run(asyncio.wait_for(student_side.follow(room.code, since=1, timeout=60), 10))
    assert already["version"] == 5  # behind: answered at once


# ---------------------------------------------------------------- predict together

def _question(origin=(0.0, 0.0), truth=(1.0, 0.0), steep=(1.0, 0.0)) -> Question:
    return Question(id=1, kind="step", k=0, origin=origin, truth=truth, box=(-5, 5, -5, 5), steep=steep)


def test_the_spread_sentence_against_a_hand_computation():
    # step (0,0) → (1,0), one step length = 1, the steep direction along w.
    # guesses' distances from the truth: |(0.5, 0.2)| = 0.539, |(0.9, -0.2)| = 0.922, |(2.5, 0)| = 2.5 → 2 within;
    # mean (2.3, 0): 1.3 past the truth the way the step went, along the steep direction.
    result = cls.step_result(_question(), [(1.5, 0.2), (1.9, -0.2), (3.5, 0.0)])
    assert result["sentence"] == "2 of 3 within one step length; the mean guess went too far along the steep direction."
    assert result["mean"] == pytest.approx([2.3, 0.0]) and result["within"] == 2 and result["length"] == 1.0
    assert result["mean_distance"] == pytest.approx(1.3)
    q = _question()
    assert cls.miss_sentence(q.origin, q.truth, (0.5, 0.05), q.steep) == \
        "the mean guess did not go far enough along the steep direction"
    assert cls.miss_sentence(q.origin, q.truth, (-0.5, 0.0), q.steep) == \
        "the mean guess went the wrong way along the steep direction"
    assert cls.miss_sentence(q.origin, q.truth, (1.1, 0.1), q.steep) == "the mean guess landed close to the true step"
    # the steep direction across the step (b): a miss along b is where the step hardly moves
    assert cls.miss_sentence(q.origin, q.truth, (1.1, 0.8), (0.0, 1.0)) == \
        "the mean guess strayed along the steep direction, where the step hardly moves"
    assert cls.miss_sentence(q.origin, q.truth, (2.0, 0.1), (0.0, 1.0)) == \
        "the mean guess went too far along the shallow direction"
    assert cls.miss_sentence(q.origin, q.truth, (2.0, 0.1), None) == "the mean guess went too far along the step"
    assert cls.step_result(q, [])["sentence"] == "Nobody guessed this step."


def test_the_steep_direction_is_the_larger_eigenvalues():
    v = cls.steep_direction([[3.0, 1.0], [1.0, 3.0]])  # eigenvalues 2 (along (1,-1)) and 4 (along (1,1))
    assert v == pytest.approx((1 / math.sqrt(2), 1 / math.sqrt(2)))
    assert cls.steep_direction([[1.0, 0.0], [0.0, 9.0]]) == pytest.approx((0.0, 1.0))
    assert cls.steep_direction([[2.0, 0.0], [0.0, 2.0]]) is None  # a round bowl


def test_the_step_question_is_the_lectures_own_step():
    lecture = pipeline.lecture(PageState(steps=10, lr=0.05))
    q = cls.step_question(lecture, 3)
    data, run = lecture.data, lecture.run
    X, y = data.X[:, 0], data.y
    w, b = q.origin
    assert (w, b) == (run.w[3, 0], run.b[3])
    residual = w * X + b - y  # the definition: one step of gradient descent from step 3
    grad_w, grad_b = 2 * np.mean(residual * X), 2 * np.mean(residual)
    assert q.truth == pytest.approx((w - 0.05 * grad_w, b - 0.05 * grad_b), rel=1e-12)
    A = np.column_stack([X, np.ones_like(X)])  # H = (2/m) AᵀA, its larger eigenvalue's direction
    values, vectors = np.linalg.eigh(2 * A.T @ A / len(y))
    assert abs(np.dot(q.steep, vectors[:, 1])) == pytest.approx(1.0, abs=1e-12)
    w_low, w_high, b_low, b_high = q.box
    assert w_low < min(run.w[:, 0]) and max(run.w[:, 0]) < w_high and b_low < min(run.b) and max(run.b) < b_high
    with pytest.raises(ClassError, match="no step after step 10"):
        cls.step_question(lecture, 10)


def test_guesses_one_per_browser_changeable_until_the_reveal(room_of):
    classroom, room, token = room_of
    asked = classroom.ask_step(room.code, token, 2)
    q = asked.question
    assert "truth" not in asked.public()["question"]  # not before the reveal
    tw, tb = q.truth
    length = math.hypot(tw - q.origin[0], tb - q.origin[1])
    assert classroom.guess(room.code, "browser-one", {"question": q.id, "w": q.origin[0], "b": q.origin[1]})["counted"] == "new"
    assert classroom.guess(room.code, "browser-one", {"question": q.id, "w": tw, "b": tb})["counted"] == "changed"
    classroom.guess(room.code, "browser-two", {"question": q.id, "w": tw + 2 * length, "b": tb})
    cloud = classroom.cloud(room.code, token)
    assert cloud["count"] == 2 and cloud["mean"] == pytest.approx([tw + length, tb])
    with pytest.raises(ClassError, match="does not belong"):
        classroom.cloud(room.code, "not-the-token")
    revealed = classroom.reveal(room.code, token)
    assert revealed.result["count"] == 2 and revealed.result["within"] == 1
    assert revealed.result["sentence"].startswith("1 of 2 within one step length; ")
    assert revealed.public()["question"]["truth"] == [tw, tb]
    mine = classroom.view(room.code, "browser-two")["mine"]
    assert mine["distance"] == pytest.approx(2 * length) and mine["length"] == pytest.approx(length)
    with pytest.raises(ClassError, match="guesses are closed"):
        classroom.guess(room.code, "browser-one", {"question": q.id, "w": tw, "b": tb})


def test_a_guess_must_be_finite_inside_the_view_and_for_this_question(room_of):
    classroom, room, token = room_of
    with pytest.raises(ClassError, match="nothing to guess"):
        classroom.guess(room.code, "browser-one", {"question": 1, "w": 0, "b": 0})
    q = classroom.ask_step(room.code, token, 0).question
    w_low, w_high, b_low, b_high = q.box
    cases = [({"w": float("nan"), "b": 0.0}, "two finite numbers"), ({"w": "1", "b": 0.0}, "two finite numbers"),
             ({"w": True, "b": 0.0}, "two finite numbers"), ({"w": w_high + 1, "b": b_low}, "outside the contours"),
             ({"w": w_low, "b": b_low - 1e-6}, "outside the contours")]
    for values, sentence in cases:
        with pytest.raises(ClassError, match=sentence) as error:
            classroom.guess(room.code, "browser-one", {"question": q.id, **values})
        assert error.value.status == 400
    with pytest.raises(ClassError, match="earlier question"):
        classroom.guess(room.code, "browser-one", {"question": q.id - 1, "w": w_low, "b": b_low})
    with pytest.raises(ClassError, match="browser id"):
        classroom.guess(room.code, "x", {"question": q.id, "w": w_low, "b": b_low})


def test_guesses_per_question_are_bounded(make_store, clock):
    classroom = Classroom(make_store(), clock=clock, max_guesses=3)
    room, token = classroom.start({})
    q = classroom.ask_step(room.code, token, 0).question
    point = {"question": q.id, "w": q.truth[0], "b": q.truth[1]}
    for i in range(3):
        classroom.guess(room.code, f"browser-{i:04d}", point)
    with pytest.raises(ClassError, match="already has 3 guesses") as error:
        classroom.guess(room.code, "browser-9999", point)
    assert error.value.status == 503
    assert classroom.guess(room.code, "browser-0000", point)["counted"] == "changed"  # a change still counts


def test_multiple_choice_counts_after_the_reveal(room_of):
    classroom, room, token = room_of
    q = classroom.ask_choice(room.code, token, "Will this rate converge?", ["yes", "no", "it oscillates"], 2).question
    assert "answer" not in q.public()
    for i, choice in enumerate([2, 2, 0, 1, 2]):
        classroom.guess(room.code, f"browser-{i:04d}", {"question": q.id, "choice": choice})
    with pytest.raises(ClassError, match="one of the 3 choices"):
        classroom.guess(room.code, "browser-0000", {"question": q.id, "choice": 3})
    result = classroom.reveal(room.code, token).result
    assert result["counts"] == [1, 1, 3]
    assert result["sentence"] == "5 answers: yes: 1, no: 1, it oscillates: 3. 3 of 5 chose the right answer (it oscillates)."
    assert classroom.view(room.code, "browser-0003")["mine"] == {"choice": 1, "right": False}
    for bad in (("", ["a", "b"]), ("Q?", ["only one"]), ("Q?", ["a"] * 7), ("Q?", ["a", ""])):
        with pytest.raises(ClassError):
            classroom.ask_choice(room.code, token, *bad)


def test_a_new_scene_closes_the_question(room_of):
    classroom, room, token = room_of
    classroom.ask_step(room.code, token, 0)
    version = classroom.view(room.code)["version"]
    moved = classroom.change(room.code, token, {"version": version + 1, "link": {"lr": "0.05"}})
    assert moved.question is None and moved.result is None


# ---------------------------------------------------------------- limits and expiry

def test_a_browsers_flood_is_rate_limited(room_of, clock):
    classroom, room, token = room_of
    q = classroom.ask_step(room.code, token, 0).question
    point = {"question": q.id, "w": q.truth[0], "b": q.truth[1]}
    for _ in range(cls.BROWSER_RATE[0]):
        classroom.guess(room.code, "browser-fast", point)
    with pytest.raises(ClassError, match="faster than the class can take") as error:
        classroom.guess(room.code, "browser-fast", point)
    assert error.value.status == 429
    classroom.guess(room.code, "browser-calm", point)  # another browser is not held up
    clock.now += 1.0  # two tokens a second
    classroom.guess(room.code, "browser-fast", point)


def test_a_rooms_flood_is_rate_limited(room_of, clock, monkeypatch):
    classroom, room, token = room_of
    monkeypatch.setattr(stores, "ROOM_RATE", (5, 1.0))
    q = classroom.ask_step(room.code, token, 0).question
    point = {"question": q.id, "w": q.truth[0], "b": q.truth[1]}
    for i in range(5):
        classroom.guess(room.code, f"browser-{i:04d}", point)
    with pytest.raises(ClassError, match="class is busy") as error:
        classroom.guess(room.code, "browser-0099", point)
    assert error.value.status == 429


def test_a_room_closes_after_four_idle_hours(room_of, clock):
    classroom, room, token = room_of
    clock.now += cls.IDLE_SECONDS - 1
    classroom.change(room.code, token, {"version": 2, "step": 1})  # the lecturer's change: active again
    clock.now += cls.IDLE_SECONDS - 1
    assert classroom.view(room.code)["version"] == 2
    clock.now += 2
    with pytest.raises(ClassError, match="closed after 4 hours") as error:
        classroom.view(room.code)
    assert error.value.status == 410
    with pytest.raises(ClassError, match="closed after 4 hours"):
        classroom.change(room.code, token, {"version": 3, "step": 2})
    again, new_token = classroom.start({}, token=token)  # the key's room is closed: a new room
    assert again.code != room.code


def test_an_ended_room_says_so_then_is_forgotten(make_store, clock):
    classroom = Classroom(make_store(), clock=clock)
    room, token = classroom.start({})
    with pytest.raises(ClassError, match="does not belong"):
        classroom.end(room.code, "forged")
    classroom.end(room.code, token)
    with pytest.raises(ClassError, match="has ended") as error:
        classroom.view(room.code)
    assert error.value.status == 410
    if isinstance(classroom.store, stores.MemoryStore):  # Redis forgets by the key's expiry (its own clock)
        clock.now += cls.ENDED_SECONDS + 1
        classroom.start({})  # a start clears what has expired
        with pytest.raises(ClassError, match="no class with the code") as error:
            classroom.view(room.code)
        assert error.value.status == 404
    with pytest.raises(ClassError, match="no class with the code"):
        classroom.view("ZZZZZZ")


def test_the_store_follows_the_environment(monkeypatch):
    assert isinstance(stores.store_from_environment({}), stores.MemoryStore)
    assert isinstance(stores.store_from_environment({"GDVIZ_REDIS_URL": "  "}), stores.MemoryStore)


def test_redis_keys_expire(redis_url, clock):
    import redis
    store = stores.RedisStore(redis_url, prefix="gdviz:expiry-test:")
    try:
        room, _ = Classroom(store, clock=clock).start({})
        ttl = redis.Redis.from_url(redis_url).ttl(f"gdviz:expiry-test:room:{room.code}")
        assert cls.IDLE_SECONDS < ttl <= cls.IDLE_SECONDS + cls.ENDED_SECONDS
    finally:
        store.close()


# ---------------------------------------------------------------- the page's side (gdviz.classroom_page)

def test_the_page_starts_follows_and_ends_a_class():
    classroom = Classroom(stores.MemoryStore())
    lecturer = {"shown": PageState(lr=0.3, step=4, present=True)}
    page.from_views(lecturer, {"class": "start", "click": 1}, None, classroom)
    code, token = lecturer["class_code"], lecturer["class_token"]
    assert classroom.view(code)["view"]["link"] == {"lr": "0.3"}  # the room's form: no step, no presenter mode
    part = page.spec(lecturer, PageState(lr=0.3))["class"]
    assert part == {"code": code, "role": "lecturer", "link": {"lr": "0.3"}, "token": token}
    assert page.link_params(lecturer) == {}  # the lecturer's address never names the class

    student, applied = {}, []
    assert page.join(student, {"class": [code]}, classroom) == {"lr": ["0.3"]}
    assert page.spec(student, PageState(lr=0.3))["class"] == {"code": code, "role": "student", "link": {"lr": "0.3"}}
    page.from_views(student, {"follow": {"lr": "0.05", "steps": "10"}, "click": 2}, applied.append, classroom)
    assert applied == [PageState(lr=0.05, steps=10)]
    page.from_views(student, {"follow": {"lr": "NaN"}, "click": 3}, applied.append, classroom)  # the codec's no
    page.from_views(lecturer, {"follow": {"lr": "0.05"}, "click": 2}, applied.append, classroom)  # not a follower
    assert len(applied) == 1
    page.from_views(lecturer, {"class": "end", "click": 3}, None, classroom)
    assert "class_code" not in lecturer and "class_token" not in lecturer
    with pytest.raises(ClassError, match="This class has ended"):
        classroom.view(code)
    assert page.join(again := {}, {"class": [code]}, classroom) == {} and "ended" in again["class_note"]
    assert page.spec(again, PageState()) == {"class": {"note": "This class has ended; the page is yours to explore."}}


def test_the_lecturer_s_spec_carries_the_scene_s_question_and_the_room_takes_it():
    """A lesson scene's question (lessons.Scene.question) reaches the lecturer's class bar only, as the
    room's question route takes it; asked, it is the scene's; a forged answer is refused."""
    from gdviz.lessons import builtin_lesson
    classroom = Classroom(stores.MemoryStore())
    lecturer = {"shown": PageState(lr=0.3), "lesson": builtin_lesson(), "scene": 7}
    page.from_views(lecturer, {"class": "start", "click": 1}, None, classroom)
    code, token = lecturer["class_code"], lecturer["class_token"]
    part = page.spec(lecturer, PageState(lr=0.3))["class"]
    assert part["question"] == {"text": "Will this rate converge?",
                                "options": ["Yes, smoothly", "Yes, zig-zagging", "No, it diverges"], "answer": 1}
    assert "question" not in page.spec({**lecturer, "scene": 9}, PageState())["class"]  # a scene without one
    assert "question" not in page.spec({**lecturer, "class_token": None}, PageState())["class"]  # a student's page
    assert page.spec({"lesson": builtin_lesson(), "scene": 7}, PageState()) == {}  # no class: nothing to ask
    asked = classroom.ask_choice(code, token, **part["question"]).question
    assert (asked.text, asked.options, asked.answer) == ("Will this rate converge?", tuple(part["question"]["options"]),
                                                         1)
    for forged, words in (({"question": asked.id, "choice": 3}, "one of the 3 choices"),
                          ({"question": asked.id, "choice": -1}, "one of the 3 choices"),
                          ({"question": asked.id, "choice": True}, "one of the 3 choices"),
                          ({"question": asked.id, "choice": "1"}, "one of the 3 choices"),
                          ({"question": asked.id, "choice": 1.0}, "one of the 3 choices"),
                          ({"question": asked.id + 1, "choice": 1}, "an earlier question"),
                          ({"question": asked.id, "w": 0.0, "b": 0.0}, "one of the 3 choices")):
        with pytest.raises(ClassError, match=words):
            classroom.guess(code, "browser-forger", forged)
    classroom.guess(code, "browser-0001", {"question": asked.id, "choice": 0})
    assert classroom.guess(code, "browser-0001", {"question": asked.id, "choice": 1})["counted"] == "changed"
    assert classroom.cloud(code, token)["counts"] == [0, 1, 0]  # one browser, one answer: its last
    result = classroom.reveal(code, token).result
    assert result["counts"] == [0, 1, 0] and result["answer"] == 1
    with pytest.raises(ClassError, match="guesses are closed"):
        classroom.guess(code, "browser-0002", {"question": asked.id, "choice": 2})
