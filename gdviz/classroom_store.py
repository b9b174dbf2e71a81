"""Where a class's rooms live and who changes them (issue 22): ``Classroom``, the class sessions of
one process over a store, and the two stores — ``MemoryStore`` (a dict behind a lock, for
``streamlit run app.py`` on one machine) and ``RedisStore`` (keys with expiry, Lua scripts for the
atomic parts, pub/sub to wake the followers on every replica), chosen by ``store_from_environment()``
from ``GDVIZ_REDIS_URL``. What a room is and what may be sent to it: gdviz/classroom.py.
"""
from __future__ import annotations

import asyncio
import functools
import hmac
import json
import math
import os
import secrets
import threading
import time
from dataclasses import replace
from typing import Any, Callable

import numpy as np

from . import pipeline
from .classroom import (BROWSER_ID, BROWSER_RATE, ENDED_SECONDS, IDLE_SECONDS, LECTURER_RATE, MAX_GUESSES,
                        MAX_ROOMS, MAX_VERSION_JUMP, ROOM_RATE, START_RATE, ClassError, Question, Room, View,
                        checked_browser, checked_camera, checked_link, checked_point, checked_speed, checked_step,
                        choice_question,
                        choice_result, new_code, normal_code, step_question, step_result, token_hash)
from .state import PageState

# ---------------------------------------------------------------- waking the followers

class Waiters:
    """Followers waiting for a room to change (asyncio futures, on whatever loop awaits), woken from
    any thread by ``notify``. At most ``limit`` wait at once; past it a wait returns at once (the
    follower's next poll comes a little later instead)."""

    def __init__(self, limit: int = 20_000):
        self._lock = threading.Lock()
        self._waiting: dict[str, set] = {}
        self._count, self.limit = 0, limit

    def notify(self, code: str) -> None:
        with self._lock:
            waiting = list(self._waiting.get(code, ()))
        for loop, future in waiting:
            try:
                loop.call_soon_threadsafe(_settle, future)
            except RuntimeError:  # that loop has closed
                pass

    async def wait(self, code: str, timeout: float, ready: Callable[[], bool]) -> None:
        """Until ``notify(code)`` or ``timeout`` seconds, unless ``ready()`` is already true."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        entry = (loop, future)
        with self._lock:
            full = self._count >= self.limit
            if not full:
                self._waiting.setdefault(code, set()).add(entry)
                self._count += 1
        if full:  # too many waiting: this follower asks again in a second instead
            await asyncio.sleep(min(timeout, 1.0))
            return
        try:
            if not ready():  # checked after registering: a change in between still wakes this wait
                await asyncio.wait_for(future, timeout)
        except asyncio.TimeoutError:
            pass
        finally:
            with self._lock:
                self._count -= 1
                group = self._waiting.get(code)
                if group is not None:
                    group.discard(entry)
                    if not group:
                        del self._waiting[code]


def _settle(future) -> None:
    if not future.done():
        future.set_result(None)


# ---------------------------------------------------------------- the stores

class MemoryStore:
    """Rooms in this process: a dict behind one lock. Enough for ``streamlit run app.py``."""

    def __init__(self):
        self._lock = threading.Lock()
        self._rooms: dict[str, Room] = {}
        self._tokens: dict[str, str] = {}  # token hash → code
        self._guesses: dict[tuple[str, int], dict[str, str]] = {}
        self._closed: set[tuple[str, int]] = set()  # questions revealed: no more guesses
        self._buckets: dict[str, tuple[float, float]] = {}
        self._listeners: list[Callable[[str], None]] = []

    def listen(self, callback: Callable[[str], None]) -> None:
        self._listeners.append(callback)

    def _changed(self, code: str) -> None:
        for callback in self._listeners:
            callback(code)

    def _purge(self, now: float) -> None:
        for code, room in list(self._rooms.items()):
            if now > room.active + (ENDED_SECONDS if room.ended else IDLE_SECONDS + ENDED_SECONDS):
                self._drop(code)

    def _drop(self, code: str) -> None:
        room = self._rooms.pop(code, None)
        if room is not None and self._tokens.get(room.token_hash) == code:
            del self._tokens[room.token_hash]
        for key in [key for key in self._guesses if key[0] == code]:
            del self._guesses[key]
        self._closed = {key for key in self._closed if key[0] != code}

    def create(self, room: Room, now: float, max_rooms: int) -> tuple[str, Room | None]:
        """("made", room), ("exists", the token's open room), ("full", None) or ("taken", None)."""
        with self._lock:
            self._purge(now)
            existing = self._rooms.get(self._tokens.get(room.token_hash, ""))
            if existing is not None and not existing.closed(now):
                return "exists", existing
            if sum(not r.closed(now) for r in self._rooms.values()) >= max_rooms:
                return "full", None
            if room.code in self._rooms:
                return "taken", None
            self._rooms[room.code] = room
            self._tokens[room.token_hash] = room.code
        self._changed(room.code)
        return "made", room

    def load(self, code: str) -> Room | None:
        with self._lock:
            return self._rooms.get(code)

    def code_for_token(self, hashed: str) -> str | None:
        with self._lock:
            return self._tokens.get(hashed)

    def rooms(self) -> int:
        """How many rooms are kept (open, ended a short while ago or idle), for tests and benchmarks."""
        with self._lock:
            return len(self._rooms)

    def update(self, code: str, change: Callable[[Room], tuple[Room, Any]]) -> Any:
        """Apply ``change(room) -> (new room, result)`` atomically; it may raise a ClassError."""
        with self._lock:
            room = self._rooms.get(code)
            if room is None:
                raise ClassError("This class no longer exists.", 410)
            new, result = change(room)
            self._rooms[code] = new
            if new.ended and self._tokens.get(new.token_hash) == code:
                del self._tokens[new.token_hash]
        self._changed(code)
        return result

    def put_guess(self, code: str, question_id: int, browser: str, value: str, limit: int) -> str:
        """"new", "changed", "full" (the question has ``limit`` guesses) or "closed" (revealed)."""
        with self._lock:
            key = (code, question_id)
            if key in self._closed:
                return "closed"
            guesses = self._guesses.setdefault(key, {})
            if browser in guesses:
                guesses[browser] = value
                return "changed"
            if len(guesses) >= limit:
                return "full"
            guesses[browser] = value
            return "new"

    def close_question(self, code: str, question_id: int) -> None:
        with self._lock:
            self._closed.add((code, question_id))

    def guesses(self, code: str, question_id: int) -> dict[str, str]:
        with self._lock:
            return dict(self._guesses.get((code, question_id), {}))

    def guess(self, code: str, question_id: int, browser: str) -> str | None:
        with self._lock:
            return self._guesses.get((code, question_id), {}).get(browser)

    def take(self, key: str, capacity: float, per_second: float, now: float) -> bool:
        """One token from bucket ``key`` (refilled at ``per_second`` up to ``capacity``); False: empty."""
        with self._lock:
            if len(self._buckets) > 100_000:  # bounded: forget full buckets
                self._buckets = {k: v for k, v in self._buckets.items() if v[0] < capacity}
            tokens, at = self._buckets.get(key, (capacity, now))
            tokens = min(capacity, tokens + max(0.0, now - at) * per_second)
            taken = tokens >= 1
            self._buckets[key] = (tokens - 1 if taken else tokens, now)
            return taken

    def close(self) -> None:
        pass


_PREFIX = "gdviz:class:"
_CREATE = """
local code = redis.call('GET', KEYS[2])
if code then
  local existing = redis.call('GET', ARGV[7] .. 'room:' .. code)
  if existing then return {'exists', existing} end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return {'full', ''} end
if redis.call('EXISTS', KEYS[3]) == 1 then return {'taken', ''} end
redis.call('SET', KEYS[3], ARGV[3], 'EX', ARGV[5])
redis.call('SET', KEYS[2], ARGV[6], 'EX', ARGV[5])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[6])
return {'made', ARGV[3]}
"""
_PUT_GUESS = """
if redis.call('EXISTS', KEYS[2]) == 1 then return 'closed' end
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]); return 'changed'
end
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 'full' end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 'new'
"""
_TAKE = """
local capacity, rate, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 't', 'at')
local tokens = tonumber(b[1]) or capacity
local at = tonumber(b[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local taken = 0
if tokens >= 1 then tokens = tokens - 1; taken = 1 end
redis.call('HSET', KEYS[1], 't', string.format('%.6f', tokens), 'at', string.format('%.6f', now))
redis.call('EXPIRE', KEYS[1], ARGV[4])
return taken
"""


class RedisStore:
    """Rooms in Redis, shared by every replica: ``room:{code}`` (the room as JSON, expiring
    IDLE_SECONDS after the lecturer's last change), ``token:{hash}`` → code, the sorted set ``rooms``
    (code by expiry, to bound how many are open), ``guesses:{code}:{id}`` (a hash browser → guess),
    ``closed:{code}:{id}`` (revealed), ``bucket:{key}`` (a token bucket); changes are published on
    ``changes`` and a listener thread wakes this process's followers."""

    def __init__(self, url: str, prefix: str = _PREFIX):
        import redis  # only where GDVIZ_REDIS_URL asks for it

        self._redis = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5, health_check_interval=30)
        self._prefix = prefix
        self._create = self._redis.register_script(_CREATE)
        self._put_guess = self._redis.register_script(_PUT_GUESS)
        self._take = self._redis.register_script(_TAKE)
        self._listeners: list[Callable[[str], None]] = []
        self._pubsub = None
        self._thread = None
        self._lock = threading.Lock()
        self._redis.ping()  # a wrong URL fails here, at start, not at the first student

    def _key(self, *parts) -> str:
        return self._prefix + ":".join(str(p) for p in parts)

    def listen(self, callback: Callable[[str], None]) -> None:
        self._listeners.append(callback)
        with self._lock:
            if self._thread is None:
                self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
                self._pubsub.subscribe(**{self._key("changes"): self._message})
                self._thread = self._pubsub.run_in_thread(sleep_time=0.5, daemon=True)

    def _message(self, message) -> None:
        code = message["data"].decode() if isinstance(message["data"], bytes) else str(message["data"])
        for callback in self._listeners:
            callback(code)

    def create(self, room: Room, now: float, max_rooms: int) -> tuple[str, Room | None]:
        ttl = IDLE_SECONDS + ENDED_SECONDS
        outcome, text = self._create(
            keys=[self._key("rooms"), self._key("token", room.token_hash), self._key("room", room.code)],
            args=[now, now + IDLE_SECONDS, room.to_json(), max_rooms, ttl, room.code, self._prefix])
        outcome = outcome.decode()
        made = Room.from_json(text) if text else None
        if outcome == "exists" and made.closed(now):  # an idle room the key has not yet dropped
            self._redis.delete(self._key("token", room.token_hash))
            return self.create(room, now, max_rooms)
        if outcome == "made":
            self._redis.publish(self._key("changes"), room.code)
        return outcome, made

    def load(self, code: str) -> Room | None:
        text = self._redis.get(self._key("room", code))
        return None if text is None else Room.from_json(text)

    def code_for_token(self, hashed: str) -> str | None:
        value = self._redis.get(self._key("token", hashed))
        return None if value is None else value.decode()

    def update(self, code: str, change: Callable[[Room], tuple[Room, Any]]) -> Any:
        key = self._key("room", code)
        outcome = {}

        def attempt(pipe) -> None:
            text = pipe.get(key)
            if text is None:
                raise ClassError("This class no longer exists.", 410)
            new, outcome["result"] = change(Room.from_json(text))
            pipe.multi()
            ttl = ENDED_SECONDS if new.ended else IDLE_SECONDS + ENDED_SECONDS
            pipe.set(key, new.to_json(), ex=ttl)
            if new.ended:
                pipe.zrem(self._key("rooms"), code)
                pipe.delete(self._key("token", new.token_hash))
            else:
                pipe.zadd(self._key("rooms"), {code: new.active + IDLE_SECONDS})
                pipe.expire(self._key("token", new.token_hash), ttl)
            pipe.publish(self._key("changes"), code)

        self._redis.transaction(attempt, key)
        return outcome["result"]

    def put_guess(self, code: str, question_id: int, browser: str, value: str, limit: int) -> str:
        return self._put_guess(keys=[self._key("guesses", code, question_id), self._key("closed", code, question_id)],
                               args=[browser, value, limit, IDLE_SECONDS]).decode()

    def close_question(self, code: str, question_id: int) -> None:
        self._redis.set(self._key("closed", code, question_id), "1", ex=IDLE_SECONDS)

    def guesses(self, code: str, question_id: int) -> dict[str, str]:
        return {k.decode(): v.decode() for k, v in self._redis.hgetall(self._key("guesses", code, question_id)).items()}

    def guess(self, code: str, question_id: int, browser: str) -> str | None:
        value = self._redis.hget(self._key("guesses", code, question_id), browser)
        return None if value is None else value.decode()

    def take(self, key: str, capacity: float, per_second: float, now: float) -> bool:
        ttl = int(math.ceil(capacity / per_second)) + 1
        return bool(self._take(keys=[self._key("bucket", key)], args=[capacity, per_second, now, ttl]))

    def close(self) -> None:
        with self._lock:
            if self._thread is not None:
                self._thread.stop()
                self._thread.join(timeout=5)  # its last read ends within sleep_time
                self._thread = None
            if self._pubsub is not None:
                self._pubsub.close()
                self._pubsub = None
        self._redis.close()


def store_from_environment(environ=os.environ):
    """RedisStore(GDVIZ_REDIS_URL) when that is set, else a MemoryStore."""
    url = environ.get("GDVIZ_REDIS_URL", "").strip()
    return RedisStore(url) if url else MemoryStore()


# ---------------------------------------------------------------- the service

@functools.lru_cache(maxsize=8)
def _lecture_of(link_items: tuple) -> Any:
    state, _ = PageState.from_link({name: [value] for name, value in link_items})
    return pipeline.lecture(state)


def lecture_of_link(link: dict):
    """gdviz.lecture of a room's link (a few kept: every question of a scene asks the same one)."""
    return _lecture_of(tuple(sorted(link.items())))


class Classroom:
    """The class sessions of one process, over one store. Every method that changes a room takes
    the lecturer's token; every refusal is a ClassError. ``clock`` (seconds) may be injected."""

    def __init__(self, store=None, clock: Callable[[], float] = time.time, max_rooms: int = MAX_ROOMS,
                 max_guesses: int = MAX_GUESSES, lecture_of: Callable[[dict], Any] = lecture_of_link):
        self.store = MemoryStore() if store is None else store
        self.clock, self.max_rooms, self.max_guesses = clock, max_rooms, max_guesses
        self.lecture_of = lecture_of
        self.waiters = Waiters()
        self.store.listen(self.waiters.notify)

    # ---- limits ----
    def _limit(self, key: str, rate: tuple, sentence: str) -> None:
        if not self.store.take(key, rate[0], rate[1], self.clock()):
            raise ClassError(sentence, 429)

    def _room(self, code: str) -> Room:
        code = normal_code(code)
        room = self.store.load(code)
        now = self.clock()
        if room is None:
            raise ClassError(f"There is no class with the code {code}; check the code on the projector.", 404)
        if room.ended:
            raise ClassError("This class has ended; the page is yours to explore.", 410)
        if room.closed(now):
            raise ClassError("This class closed after 4 hours without a change by the lecturer.", 410)
        return room

    def _lecturer(self, room: Room, token) -> None:
        if not isinstance(token, str) or not token:
            raise ClassError("Only the lecturer's link can change this class; this request has no lecturer key.", 403)
        if not hmac.compare_digest(token_hash(token[:200]), room.token_hash):
            raise ClassError("That lecturer key does not belong to this class; nothing was changed.", 403)
        self._limit(f"lecturer:{room.code}", LECTURER_RATE,
                    "Too many changes at once; the class keeps the last one it took. Try again in a moment.")

    def _update(self, room: Room, change: Callable[[Room], tuple[Room, Any]]) -> Any:
        now = self.clock()

        def checked(current: Room) -> tuple[Room, Any]:
            if current.ended or current.closed(now):
                raise ClassError("This class has ended; nothing was changed.", 410)
            return change(current)

        return self.store.update(room.code, checked)

    # ---- the lecturer ----
    def start(self, link: dict | None = None, token: str | None = None, address: str = "") -> tuple[Room, str]:
        """(the room, the lecturer's token): a new room showing ``link``, or the open room this
        ``token`` already drives (one room per lecturer key)."""
        now = self.clock()
        if isinstance(token, str) and token:  # one room per lecturer key: the open one it drives
            code = self.store.code_for_token(token_hash(token[:200]))
            found = self.store.load(code) if code else None
            if found is not None and not found.closed(now) and hmac.compare_digest(token_hash(token[:200]),
                                                                                   found.token_hash):
                return found, token
        self._limit(f"start:{address}", START_RATE, "This address has started several classes just now; use one of "
                    "them, or try again in a minute.")
        view = View(link=checked_link(link or {}), changed_at=now)
        token = secrets.token_urlsafe(24)
        for _ in range(20):
            room = Room(code=new_code(), token_hash=token_hash(token), created=now, active=now, view=view)
            outcome, made = self.store.create(room, now, self.max_rooms)
            if outcome == "made":
                return made, token
            if outcome == "full":
                raise ClassError(f"This server already holds {self.max_rooms} classes; try again when one ends.", 503)
        raise ClassError("No free class code was found; try again.", 503)

    def change(self, code: str, token, message: dict) -> Room:
        """The lecturer's change: ``message`` has ``version`` (above the room's: a replay is refused)
        and any of ``link``, ``step``, ``playing``, ``camera``, ``speed``. A new link closes an open question."""
        room = self._room(code)
        self._lecturer(room, token)
        if not isinstance(message, dict):
            raise ClassError("A change is a JSON object.")
        version = message.get("version")
        if not (isinstance(version, int) and not isinstance(version, bool)):
            raise ClassError("A change must carry the version it makes (a whole number).")
        changes: dict[str, Any] = {}
        if "link" in message:
            changes["link"] = checked_link(message["link"])
        if "step" in message:
            changes["step"] = checked_step(message["step"])
        if "playing" in message:
            if not isinstance(message["playing"], bool):
                raise ClassError("“playing” is true or false.")
            changes["playing"] = message["playing"]
        if "camera" in message:
            changes["camera"] = checked_camera(message["camera"])
        if "speed" in message:
            changes["speed"] = checked_speed(message["speed"])
        now = self.clock()

        def apply(current: Room) -> tuple[Room, Room]:
            if not current.version < version <= current.version + MAX_VERSION_JUMP:
                raise ClassError(f"This change (version {version}) is not newer than the class's (version "
                                 f"{current.version}): it was already applied or replayed, so it was ignored.", 409)
            new_scene = "link" in changes and changes["link"] != current.view.link
            new = replace(current, version=version, active=now, view=replace(current.view, **changes, changed_at=now),
                          **({"question": None, "result": None} if new_scene else {}))
            return new, new

        return self._update(room, apply)

    def ask_step(self, code: str, token, k) -> Room:
        """Predict together: the class guesses where step k+1 of the run on screen lands."""
        room = self._room(code)
        self._lecturer(room, token)
        k = checked_step(k)
        question = step_question(self.lecture_of(room.view.link), k)
        return self._ask(room, question)

    def ask_choice(self, code: str, token, text, options, answer=None) -> Room:
        """A multiple-choice question on the scene (e.g. "Will this rate converge?")."""
        room = self._room(code)
        self._lecturer(room, token)
        return self._ask(room, choice_question(text, options, answer))

    def _ask(self, room: Room, question: Question) -> Room:
        now = self.clock()

        def apply(current: Room) -> tuple[Room, Room]:
            number = (current.question.id if current.question else 0) + 1
            new = replace(current, version=current.version + 1, active=now, question=replace(question, id=number),
                          result=None)
            return new, new

        return self._update(room, apply)

    def reveal(self, code: str, token) -> Room:
        """The truth on every screen, with the spread (step_result or choice_result)."""
        room = self._room(code)
        self._lecturer(room, token)
        question = room.question
        if question is None or question.revealed:
            raise ClassError("There is no open question to reveal.", 409)
        self.store.close_question(room.code, question.id)  # no guess counts after this
        guesses = [json.loads(v) for v in self.store.guesses(room.code, question.id).values()]
        result = (step_result(question, [g["point"] for g in guesses]) if question.kind == "step"
                  else choice_result(question, [g["choice"] for g in guesses]))
        now = self.clock()

        def apply(current: Room) -> tuple[Room, Room]:
            if current.question is None or current.question.id != question.id:
                raise ClassError("The question changed while it was being revealed; reveal again.", 409)
            new = replace(current, version=current.version + 1, active=now,
                          question=replace(current.question, revealed=True), result=result)
            return new, new

        return self._update(room, apply)

    def end(self, code: str, token) -> Room:
        """Close the room everywhere (its followers hear "this class has ended")."""
        room = self._room(code)
        self._lecturer(room, token)
        now = self.clock()

        def apply(current: Room) -> tuple[Room, Room]:
            new = replace(current, version=current.version + 1, active=now, ended=True, question=None)
            return new, new

        return self._update(room, apply)

    def cloud(self, code: str, token) -> dict:
        """The lecturer's live view of the guesses: their count, the points (or the answers' counts)
        and the mean."""
        room = self._room(code)
        self._lecturer(room, token)
        question = room.question
        if question is None:
            return {"question": None, "count": 0}
        guesses = [json.loads(v) for v in self.store.guesses(room.code, question.id).values()]
        if question.kind == "choice":
            counts = [0] * len(question.options)
            for g in guesses:
                counts[g["choice"]] += 1
            return {"question": question.id, "count": len(guesses), "counts": counts}
        points = [g["point"] for g in guesses]
        mean = np.mean(points, axis=0).tolist() if points else None
        return {"question": question.id, "count": len(points), "points": points, "mean": mean}

    # ---- the students ----
    def guess(self, code: str, browser, message: dict) -> dict:
        """A student's guess: ``{"question": id, "w": …, "b": …}`` for a step, ``{"question": id,
        "choice": i}`` for a multiple choice. One per browser per question, changeable until the reveal."""
        browser = checked_browser(browser)
        room = self._room(code)
        self._limit(f"browser:{room.code}:{browser}", BROWSER_RATE,
                    "You are sending guesses faster than the class can take them; wait a moment and tap again.")
        self._limit(f"room:{room.code}", ROOM_RATE, "The class is busy right now; tap again in a moment.")
        question = room.question
        if not isinstance(message, dict):
            raise ClassError("A guess is a JSON object.")
        if question is None:
            raise ClassError("There is nothing to guess right now: the lecturer has not asked a question.", 409)
        if question.revealed:
            raise ClassError("The answer has been revealed; guesses are closed.", 409)
        if message.get("question") != question.id:
            raise ClassError("This guess was for an earlier question; the class has moved on.", 409)
        if question.kind == "step":
            value = {"point": list(checked_point(question, message.get("w"), message.get("b")))}
        else:
            choice = message.get("choice")
            if not (isinstance(choice, int) and not isinstance(choice, bool) and 0 <= choice < len(question.options)):
                raise ClassError(f"An answer is one of the {len(question.options)} choices.")
            value = {"choice": choice}
        outcome = self.store.put_guess(room.code, question.id, browser, json.dumps(value), self.max_guesses)
        if outcome == "full":
            raise ClassError(f"This question already has {self.max_guesses} guesses; yours was not counted.", 503)
        if outcome == "closed":
            raise ClassError("The answer has been revealed; guesses are closed.", 409)
        return {"question": question.id, "counted": outcome, **value}

    def view(self, code: str, browser=None) -> dict:
        """The room as a follower sees it; with ``browser``, after a reveal, that browser's own guess
        and its distance from the truth (``mine``)."""
        room = self._room(code)
        shown = room.public()
        question = room.question
        if browser is not None and question is not None and BROWSER_ID.fullmatch(str(browser)):
            text = self.store.guess(room.code, question.id, browser)
            if text is not None:
                mine = json.loads(text)
                if question.revealed and question.kind == "step":
                    truth, origin = np.asarray(question.truth), np.asarray(question.origin)
                    mine.update(distance=float(np.hypot(*(np.asarray(mine["point"]) - truth))),
                                length=float(np.hypot(*(truth - origin))))
                if question.revealed and question.kind == "choice" and question.answer is not None:
                    mine["right"] = mine["choice"] == question.answer
                shown["mine"] = mine
        return shown

    async def follow(self, code: str, since: int, timeout: float, browser=None) -> dict:
        """The room as soon as its version is above ``since`` (at once if it already is), or as it is
        after ``timeout`` seconds."""
        room = self._room(code)
        if room.version <= since:
            await self.waiters.wait(room.code, timeout, lambda: (self.store.load(room.code) or room).version > since)
        return self.view(code, browser)

    def close(self) -> None:
        self.store.close()
