"""The class session's HTTP endpoints (gdviz/classroom_routes.py) through Starlette's TestClient:
start, follow, a forged token, a replay, a guess outside the view or NaN, a flood, an unknown or
ended room — each refused with a sentence and a status — the QR code, the headers and the size bound.
"""
from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from gdviz import classroom as cls
from gdviz import classroom_store as stores
from gdviz import classroom_routes
from gdviz.classroom_store import Classroom

SECURITY = ("X-Content-Type-Options", "Content-Security-Policy", "Referrer-Policy", "Cache-Control")


@pytest.fixture
def classroom():
    return Classroom(stores.MemoryStore())


@pytest.fixture
def client(classroom):
    app = Starlette(routes=classroom_routes.routes(lambda: classroom, long_poll=0.3))
    with TestClient(app, base_url="http://hall.example") as c:
        yield c


@pytest.fixture
def started(client):
    answer = client.post("/class/start", json={"link": {"steps": "10"}})
    assert answer.status_code == 200
    body = answer.json()
    return body["code"], {"Authorization": f"Bearer {body['token']}"}, body


def test_start_gives_a_code_a_students_link_and_a_lecturers(client, started):
    code, lecturer, body = started
    assert len(code) == 6 and body["version"] == 1
    assert body["students"] == f"http://hall.example/?class={code}"
    assert body["lecturer"] == f"{body['students']}#key={body['token']}"  # the key after '#': never sent
    again = client.post("/class/start", json={}, headers=lecturer).json()
    assert again["code"] == code  # one room per lecturer key


def test_followers_see_the_lecturers_change(client, started):
    code, lecturer, _ = started
    assert client.post(f"/class/{code}/state", json={"version": 2, "step": 5, "playing": True},
                       headers=lecturer).status_code == 200
    seen = client.get(f"/class/{code}/state", params={"since": 1}).json()
    assert (seen["version"], seen["view"]["step"], seen["view"]["playing"]) == (2, 5, True)
    waited = client.get(f"/class/{code}/state", params={"since": 2})  # nothing newer: answers after the long poll
    assert waited.status_code == 200 and waited.json()["version"] == 2
    assert client.get(f"/class/{code.lower()}/state").json()["code"] == code  # typed in lower case


def test_a_forged_token_and_a_replay_are_refused(client, started):
    code, lecturer, _ = started
    forged = client.post(f"/class/{code}/state", json={"version": 9, "step": 3},
                         headers={"Authorization": "Bearer not-the-lecturers"})
    assert forged.status_code == 403 and forged.json()["error"] == \
        "That lecturer key does not belong to this class; nothing was changed."
    student = client.post(f"/class/{code}/state", json={"version": 9, "step": 3})
    assert student.status_code == 403 and "no lecturer key" in student.json()["error"]
    message = {"version": 2, "step": 4}
    assert client.post(f"/class/{code}/state", json=message, headers=lecturer).status_code == 200
    replay = client.post(f"/class/{code}/state", json=message, headers=lecturer)
    assert replay.status_code == 409 and "replayed" in replay.json()["error"]
    for path in ("reveal", "end"):
        assert client.post(f"/class/{code}/{path}", json={}).status_code == 403
    assert client.get(f"/class/{code}/guesses").status_code == 403
    assert client.get(f"/class/{code}/state").json()["view"]["step"] == 4


def test_predict_guess_reveal(client, started):
    code, lecturer, _ = started
    asked = client.post(f"/class/{code}/question", json={"k": 1}, headers=lecturer).json()
    question = asked["question"]
    assert question["k"] == 1 and "truth" not in question
    w_low, w_high, b_low, b_high = question["box"]
    inside = {"browser": "browser-0001", "question": question["id"], "w": (w_low + w_high) / 2,
              "b": (b_low + b_high) / 2}
    assert client.post(f"/class/{code}/guess", json=inside).json()["counted"] == "new"
    outside = client.post(f"/class/{code}/guess", json={**inside, "w": w_high + 10})
    assert outside.status_code == 400 and "outside the contours on screen" in outside.json()["error"]
    nan = client.post(f"/class/{code}/guess", content=b'{"browser": "browser-0001", "question": 1, "w": NaN, "b": 0}',
                      headers={"Content-Type": "application/json"})
    assert nan.status_code == 400 and nan.json()["error"] == "Numbers must be finite; NaN is not accepted."
    cloud = client.get(f"/class/{code}/guesses", headers=lecturer).json()
    assert cloud["count"] == 1 and cloud["mean"] == [inside["w"], inside["b"]]
    revealed = client.post(f"/class/{code}/reveal", json={}, headers=lecturer).json()
    assert revealed["result"]["count"] == 1 and "within one step length" in revealed["result"]["sentence"]
    mine = client.get(f"/class/{code}/state", params={"browser": "browser-0001"}).json()["mine"]
    assert mine["distance"] > 0 and mine["length"] > 0


def test_a_flood_is_rate_limited(client, started):
    code, lecturer, _ = started
    question = client.post(f"/class/{code}/question", json={"text": "Converges?", "options": ["yes", "no"]},
                           headers=lecturer).json()["question"]
    statuses = [client.post(f"/class/{code}/guess", json={"browser": "browser-flood", "question": question["id"],
                                                          "choice": 0}).status_code for _ in range(30)]
    assert statuses[:cls.BROWSER_RATE[0]] == [200] * cls.BROWSER_RATE[0] and statuses[-1] == 429
    refused = client.post(f"/class/{code}/guess", json={"browser": "browser-flood", "question": question["id"],
                                                        "choice": 0})
    assert "faster than the class can take" in refused.json()["error"]


def test_unknown_and_ended_rooms_are_sentences(client, started):
    code, lecturer, _ = started
    unknown = client.get("/class/ZZZZZZ/state")
    assert unknown.status_code == 404 and unknown.json()["error"] == \
        "There is no class with the code ZZZZZZ; check the code on the projector."
    nonsense = client.get("/class/<b>hi/state")
    assert nonsense.status_code == 404 and "is not a class code" in nonsense.json()["error"]
    assert client.post(f"/class/{code}/end", json={}, headers=lecturer).json()["ended"] is True
    ended = client.get(f"/class/{code}/state", params={"since": 0})
    assert ended.status_code == 410 and ended.json()["error"] == "This class has ended; the page is yours to explore."
    assert client.get(f"/class/{code}/qr.svg").status_code == 410


def test_bad_bodies_are_bounded_and_refused(client, started):
    code, lecturer, _ = started
    huge = client.post(f"/class/{code}/state", content=b"{" + b" " * classroom_routes.MAX_BODY + b"}",
                       headers={**lecturer, "Content-Type": "application/json"})
    assert huge.status_code == 413
    form = client.post(f"/class/{code}/guess", content=b"browser=x", headers={"Content-Type": "text/plain"})
    assert form.status_code == 415  # a page of another site cannot post without a CORS preflight
    digits = client.post(f"/class/{code}/state", content=b'{"version": ' + b"9" * 5000 + b"}",
                         headers={**lecturer, "Content-Type": "application/json"})
    assert digits.status_code == 400 and digits.json()["error"] == "The message is not valid JSON."
    listed = client.post(f"/class/{code}/state", json=[1, 2], headers=lecturer)
    assert listed.status_code == 400
    since = client.get(f"/class/{code}/state", params={"since": "-1"})
    assert since.status_code == 400


def test_the_qr_code_and_the_headers(client, started):
    code, _, body = started
    qr = client.get(f"/class/{code}/qr.svg")
    assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml")
    assert qr.text.startswith("<svg") and f"Join class {code}" in qr.text and "<script" not in qr.text
    import io

    import segno  # the students' link encoded: the same symbol segno makes of that link, and not of another
    expected = io.BytesIO()
    segno.make(body["students"], error="m").save(expected, kind="svg", scale=10, border=4, xmldecl=False, svgns=True,
                                                 title=f"Join class {code}")
    assert qr.content == expected.getvalue()
    for answer in (qr, client.get(f"/class/{code}/state"), client.get("/class/ZZZZZZ/state")):
        for header in SECURITY:
            assert header in answer.headers
        assert answer.headers["Cache-Control"] == "no-store"


def test_the_routes_avoid_streamlits_reserved_prefixes():
    from streamlit.web.server.starlette.starlette_app import _RESERVED_ROUTE_PREFIXES
    paths = [route.path for route in classroom_routes.ROUTES]
    assert paths and all(path.startswith("/class/") for path in paths)
    assert not any(path.startswith(reserved) for path in paths for reserved in _RESERVED_ROUTE_PREFIXES)


def test_a_scene_s_question_through_the_routes_forged_and_out_of_range_answers_refused(client, started):
    """What the lecturer's "Ask" sends (a lesson scene's question): only the lecturer's key asks it;
    an answer out of range, of the wrong type or for another question is a sentence; one answer per
    browser (a second replaces the first); the counts per answer after the reveal."""
    code, lecturer, _ = started
    body = {"text": "Will this rate converge?", "options": ["Yes, smoothly", "Yes, zig-zagging", "No, it diverges"],
            "answer": 1}
    student = client.post(f"/class/{code}/question", json=body)
    forged = client.post(f"/class/{code}/question", json=body, headers={"Authorization": "Bearer forged-key-xxxxxxxx"})
    assert (student.status_code, forged.status_code) == (403, 403)
    bad = client.post(f"/class/{code}/question", json={**body, "answer": 3}, headers=lecturer)
    assert bad.status_code == 400 and "(0 for the first)" in bad.json()["error"]
    question = client.post(f"/class/{code}/question", json=body, headers=lecturer).json()["question"]
    assert question["options"] == body["options"] and "answer" not in question  # the answer only after the reveal
    for choice in (3, -1, True, "1", 0.5, None):
        refused = client.post(f"/class/{code}/guess", json={"browser": "browser-0009", "question": question["id"],
                                                            "choice": choice})
        assert refused.status_code == 400 and refused.json()["error"] == "An answer is one of the 3 choices."
    stale = client.post(f"/class/{code}/guess", json={"browser": "browser-0009", "question": question["id"] - 1,
                                                      "choice": 0})
    assert stale.status_code == 409 and "earlier question" in stale.json()["error"]
    for browser, choice in (("browser-0001", 0), ("browser-0001", 1), ("browser-0002", 1), ("browser-0003", 2)):
        assert client.post(f"/class/{code}/guess", json={"browser": browser, "question": question["id"],
                                                         "choice": choice}).status_code == 200
    assert client.get(f"/class/{code}/guesses", headers=lecturer).json()["counts"] == [0, 2, 1]
    result = client.post(f"/class/{code}/reveal", json={}, headers=lecturer).json()
    assert result["question"]["answer"] == 1 and result["result"]["counts"] == [0, 2, 1]
    assert result["result"]["sentence"] == ("3 answers: Yes, smoothly: 0, Yes, zig-zagging: 2, No, it diverges: 1. "
                                            "2 of 3 chose the right answer (Yes, zig-zagging).")
    mine = client.get(f"/class/{code}/state", params={"browser": "browser-0003"}).json()["mine"]
    assert mine == {"choice": 2, "right": False}
