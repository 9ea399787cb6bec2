"""Limits before work: the size of a request body, and numbers JSON should not carry.

:class:`BodyLimit` is the outermost middleware, so it acts before routing, authentication and
parsing. A body whose ``Content-Length`` is over its path's limit is refused with 413 at once,
unread; a body without one (chunked) is counted while it streams and refused as soon as it
passes the limit, so no more than the limit is ever held. A large upload without any
credentials (no bearer token, no session cookie) is refused with 401 before it is read.

JSON bodies (already bounded) are checked for ``NaN`` and ``Infinity``, which Python's JSON
reader accepts but no weight, volume or count may be: 422 for every route at once.
"""

import json
import re
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
# What a multipart envelope adds to the file it carries (boundaries, headers, other fields).
MULTIPART_OVERHEAD = 64 * 1024
_NON_FINITE = (b"NaN", b"Infinity")


@dataclass(frozen=True)
class PathLimit:
    pattern: re.Pattern[str]
    max_bytes: int


class TooLargeError(Exception):
    pass


def _no_constants(name: str) -> float:
    raise ValueError(name)


def has_non_finite(body: bytes) -> bool:
    """Whether a JSON text holds ``NaN`` or ``[-]Infinity`` as a number (not in a string)."""
    if not any(token in body for token in _NON_FINITE):
        return False  # the common case: no parse
    try:
        json.loads(body, parse_constant=_no_constants)
    except ValueError as exc:
        return str(exc) in ("NaN", "Infinity", "-Infinity")
    return False


class BodyLimit:
    def __init__(
        self,
        app: ASGIApp,
        default_max_bytes: int = DEFAULT_MAX_BYTES,
        path_limits: tuple[PathLimit, ...] = (),
        session_cookie: str = "",
    ) -> None:
        self.app = app
        self.default_max_bytes = default_max_bytes
        self.path_limits = path_limits
        self.session_cookie = f"{session_cookie}=".encode() if session_cookie else None

    def limit_for(self, path: str) -> int:
        for rule in self.path_limits:
            if rule.pattern.fullmatch(path):
                return rule.max_bytes
        return self.default_max_bytes

    def has_credentials(self, scope: Scope) -> bool:
        """Whether the request carries any credentials at all (checked later, by the route)."""
        for name, value in scope["headers"]:
            if name == b"authorization" and value.lower().startswith(b"bearer "):
                return True
            if name == b"cookie" and self.session_cookie and self.session_cookie in value:
                return True
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        headers = dict(scope["headers"])
        length = headers.get(b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                await _send(send, 400, "Content-Length is not a number")
                return
            if declared > limit:
                await _send(send, 413, f"request body too large: at most {limit} bytes")
                return
        if limit > self.default_max_bytes and not self.has_credentials(scope):
            await _send(send, 401, "not authenticated", ((b"www-authenticate", b"Bearer"),))
            return
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if content_type == b"application/json" or content_type.endswith(b"+json"):
            await self._json(scope, receive, send, limit)
        else:
            await self._streamed(scope, receive, send, limit)

    async def _json(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Read the whole (bounded) body, check its numbers, hand it on in one message."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message]), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _send(send, 413, f"request body too large: at most {limit} bytes")
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if has_non_finite(body):
            detail = [
                {
                    "type": "finite_number",
                    "loc": ["body"],
                    "msg": "NaN and Infinity are not numbers this service accepts",
                }
            ]
            await _send(send, 422, detail)
            return
        message = {"type": "http.request", "body": body, "more_body": False}
        await self.app(scope, _replay([message], receive), send)

    async def _streamed(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Count the body as the app reads it; past the limit, the app's answer (whatever
        its reading made of the cut-off body) is replaced by a 413."""
        state = {"size": 0, "over": False, "started": False}

        async def counted() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                state["size"] += len(message.get("body", b""))
                if state["size"] > limit:
                    state["over"] = True
                    raise TooLargeError
            return message

        async def guarded(message: Message) -> None:
            if state["over"]:
                if not state["started"]:
                    state["started"] = True
                    await _send(send, 413, f"request body too large: at most {limit} bytes")
                return
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except TooLargeError:
            pass
        except Exception:
            if not state["over"]:
                raise
        if state["over"] and not state["started"]:
            await _send(send, 413, f"request body too large: at most {limit} bytes")


def _replay(messages: list[Message], then: Receive | None = None) -> Receive:
    queue = list(messages)

    async def receive() -> Message:
        if queue:
            return queue.pop(0)
        if then is not None:
            return await then()
        return {"type": "http.disconnect"}

    return receive


async def _send(
    send: Send, status: int, detail: object, extra: tuple[tuple[bytes, bytes], ...] = ()
) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


MAX_QUOTED_CHARS = 100


def shorten_errors(errors: object) -> object:
    """Validation errors with each quoted input cut to a few characters."""
    if not isinstance(errors, list | tuple):
        return errors
    shortened = []
    for error in errors:
        error = dict(error)
        if "input" in error:
            error["input"] = _short(error["input"])
        if "ctx" in error:
            error["ctx"] = {k: _short(v) for k, v in dict(error["ctx"]).items()}
        shortened.append(error)
    return shortened


def _short(value: object) -> object:
    if value is None or isinstance(value, bool | int | float):
        return value if not isinstance(value, float) or value == value else str(value)
    text = value if isinstance(value, str) else repr(value)
    if len(text) <= MAX_QUOTED_CHARS:
        return text if isinstance(value, str) else (value if _jsonable(value) else text)
    return text[:MAX_QUOTED_CHARS] + f"… ({len(text)} characters)"


def _jsonable(value: object) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True
