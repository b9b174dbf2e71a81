"""The class session's HTTP endpoints (Starlette), served by Streamlit's own server through
``st.App("…page…", routes=classroom_routes.ROUTES)``: no other service on one machine.

    POST /class/start              {"link"?}            → {code, token, version, students, lecturer}
    GET  /class/{code}/state       ?since=v&browser=id  → the room (long-poll: answers when the version
                                                          passes ``since``, or after LONG_POLL seconds)
    POST /class/{code}/state       {"version", "link"?, "step"?, "playing"?, "camera"?, "speed"?}
    POST /class/{code}/question    {"k"} | {"text", "options", "answer"?}                 lecturer
    POST /class/{code}/guess       {"browser", "question", "w", "b"} | {…, "choice"}
    GET  /class/{code}/guesses     the live cloud (count, points, mean)                   lecturer
    POST /class/{code}/reveal                                                           lecturer
    POST /class/{code}/end                                                              lecturer
    GET  /class/{code}/qr.svg      a QR code of the students' link (segno)

The lecturer's token travels in ``Authorization: Bearer …`` (never in a URL the server logs). Every
refusal is JSON ``{"error": sentence}`` with the ClassError's status; bodies are JSON, at most
``MAX_BODY`` bytes, with NaN and Infinity refused; every answer carries security headers and
``Cache-Control: no-store``. The paths are under /class/, clear of Streamlit's reserved prefixes
(/_stcore/, /media/, /component/, /static/).
"""
from __future__ import annotations

import io
import json
import os
import threading
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .classroom import ClassError, normal_code
from .classroom import students_link as link_at
from .classroom_store import Classroom, store_from_environment

MAX_BODY = 32_768  # bytes: a link with a compressed lesson fits; anything larger is refused unread
LONG_POLL = 20.0  # seconds a follower's GET waits for a change before answering "no change"
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    "Cross-Origin-Resource-Policy": "same-origin",
}

_default: Classroom | None = None
_default_lock = threading.Lock()


def default_classroom() -> Classroom:
    """The process's Classroom, made at the first request: over Redis when GDVIZ_REDIS_URL is set."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Classroom(store_from_environment())
        return _default


def _json(body, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=SECURITY_HEADERS)


def refusal(error: ClassError) -> JSONResponse:
    return _json({"error": str(error)}, error.status)


def _no_constants(name: str):
    raise ClassError(f"Numbers must be finite; {name} is not accepted.")


async def read_json(request: Request) -> dict:
    """The body as a JSON object: at most MAX_BODY bytes (refused unread when the length says so),
    sent as application/json (so a page of another site cannot send it without asking first), no
    NaN or Infinity, no number of thousands of digits."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise ClassError("Send the message as JSON (Content-Type: application/json).", 415)
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
        raise ClassError(f"The message is larger than {MAX_BODY} bytes.", 413)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise ClassError(f"The message is larger than {MAX_BODY} bytes.", 413)
    if not body:
        return {}
    try:
        value = json.loads(bytes(body), parse_constant=_no_constants)
    except ClassError:
        raise
    except (ValueError, RecursionError):  # bad JSON, a number with too many digits, deep nesting
        raise ClassError("The message is not valid JSON.") from None
    if not isinstance(value, dict):
        raise ClassError("The message must be a JSON object.")
    return value


def lecturer_token(request: Request) -> str | None:
    kind, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if kind.lower() == "bearer" and token.strip() else None


def public_base(request: Request) -> str:
    """Where students open the page: GDVIZ_PUBLIC_URL when set (behind a proxy), else this request's."""
    return os.environ.get("GDVIZ_PUBLIC_URL", "").strip() or str(request.base_url)


def students_link(request: Request, code: str) -> str:
    return link_at(public_base(request), code)


def routes(get_classroom=default_classroom, long_poll: float = LONG_POLL) -> list[Route]:
    """The routes, over the Classroom ``get_classroom()`` gives (tests pass their own)."""

    def handled(endpoint):
        async def respond(request: Request) -> Response:
            try:
                return await endpoint(request, get_classroom())
            except ClassError as error:
                return refusal(error)
        respond.__name__ = endpoint.__name__
        return respond

    async def start(request: Request, classroom: Classroom) -> Response:
        body = await read_json(request)
        address = request.client.host if request.client else ""
        room, token = await run_in_threadpool(classroom.start, body.get("link"), lecturer_token(request), address)
        students = students_link(request, room.code)
        return _json({"code": room.code, "token": token, "version": room.version, "students": students,
                      # the key after '#': a browser never sends it to a server, nor writes it in a log
                      "lecturer": f"{students}#{urlencode({'key': token})}"})

    async def get_state(request: Request, classroom: Classroom) -> Response:
        code = request.path_params["code"]
        since = request.query_params.get("since", "")
        browser = request.query_params.get("browser")
        if since:
            if not since.isdigit() or len(since) > 15:
                raise ClassError("“since” is the version a page already has (a whole number).")
            return _json(await classroom.follow(code, int(since), long_poll, browser))
        return _json(classroom.view(code, browser))

    async def post_state(request: Request, classroom: Classroom) -> Response:
        body = await read_json(request)
        room = await run_in_threadpool(classroom.change, request.path_params["code"], lecturer_token(request), body)
        return _json(room.public())

    async def question(request: Request, classroom: Classroom) -> Response:
        body = await read_json(request)
        code, token = request.path_params["code"], lecturer_token(request)
        if "k" in body:
            room = await run_in_threadpool(classroom.ask_step, code, token, body["k"])
        else:
            room = await run_in_threadpool(classroom.ask_choice, code, token, body.get("text"), body.get("options"),
                                           body.get("answer"))
        return _json(room.public())

    async def guess(request: Request, classroom: Classroom) -> Response:
        body = await read_json(request)
        return _json(classroom.guess(request.path_params["code"], body.get("browser"), body))

    async def guesses(request: Request, classroom: Classroom) -> Response:
        return _json(classroom.cloud(request.path_params["code"], lecturer_token(request)))

    async def reveal(request: Request, classroom: Classroom) -> Response:
        await read_json(request)
        room = await run_in_threadpool(classroom.reveal, request.path_params["code"], lecturer_token(request))
        return _json(room.public())

    async def end(request: Request, classroom: Classroom) -> Response:
        await read_json(request)
        room = await run_in_threadpool(classroom.end, request.path_params["code"], lecturer_token(request))
        return _json({"code": room.code, "ended": True, "version": room.version})

    async def qr_svg(request: Request, classroom: Classroom) -> Response:
        import segno  # the QR code's only user

        code = normal_code(request.path_params["code"])
        classroom.view(code)  # an unknown or ended room: its sentence, not a QR code
        out = io.BytesIO()
        segno.make(students_link(request, code), error="m").save(out, kind="svg", scale=10, border=4, xmldecl=False,
                                                                 svgns=True, title=f"Join class {code}")
        return Response(out.getvalue(), media_type="image/svg+xml", headers=SECURITY_HEADERS)

    table = [("/class/start", start, ["POST"]), ("/class/{code}/state", get_state, ["GET"]),
             ("/class/{code}/state", post_state, ["POST"]), ("/class/{code}/question", question, ["POST"]),
             ("/class/{code}/guess", guess, ["POST"]), ("/class/{code}/guesses", guesses, ["GET"]),
             ("/class/{code}/reveal", reveal, ["POST"]), ("/class/{code}/end", end, ["POST"]),
             ("/class/{code}/qr.svg", qr_svg, ["GET"])]
    return [Route(path, handled(endpoint), methods=methods) for path, endpoint, methods in table]


ROUTES = routes()  # for st.App(..., routes=ROUTES); the Classroom is made at the first request
