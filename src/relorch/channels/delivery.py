"""The one owner of HTTP: posts announcement bodies with timeouts, retries and masking.

No exception from requests ever leaves this module: their text carries the URL, which is a
secret. Each failure is turned into a short description built from known facts (status
code, a masked excerpt of the answer, the kind of network error) inside the except clause,
and raised or reported outside it, so no traceback chains back to the original.
"""

from __future__ import annotations

import logging
import random
import re
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from types import TracebackType

import requests

from relorch import __version__
from relorch.channels.model import Delivery, Outgoing, RetryPolicy
from relorch.deadline import DeadlineExceeded, deadline
from relorch.masking import mask
from relorch.output import Reporter

EXCERPT_BYTES = 1024
EXCERPT_CHARS = 200
_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# urllib3 logs request lines ("POST /hooks/<secret> HTTP/1.1") at DEBUG; filters on a logger
# do not apply to its children, so each logger that urllib3 writes to gets one.
_URLLIB3_LOGGERS = (
    "urllib3",
    "urllib3.connectionpool",
    "urllib3.connection",
    "urllib3.response",
    "urllib3.util.retry",
)


class MaskingFilter(logging.Filter):
    """Masks secrets in log records of the HTTP libraries before any handler sees them."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask(record.getMessage())
        record.args = None
        return True


for _name in _URLLIB3_LOGGERS:
    _logger = logging.getLogger(_name)
    if not any(isinstance(f, MaskingFilter) for f in _logger.filters):
        _logger.addFilter(MaskingFilter())


@dataclass(frozen=True)
class Attempt:
    """The outcome of one POST."""

    ok: bool
    status: int | None = None
    problem: str | None = None
    retry: bool = False
    retry_after: float | None = None  # seconds the server asked us to wait


class Transport:
    """One requests.Session for a batch of deliveries; use as a context manager."""

    def __init__(
        self,
        policy: RetryPolicy,
        reporter: Reporter,
        *,
        sleep: Callable[[float], None],
        clock: Callable[[], datetime],
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.policy = policy
        self.reporter = reporter
        self.sleep = sleep
        self.clock = clock
        self.jitter = jitter
        self.session = requests.Session()
        self.session.headers["User-Agent"] = f"relorch/{__version__}"

    def __enter__(self) -> Transport:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.session.close()

    def post(self, outgoing: Outgoing) -> Delivery:
        """Deliver `outgoing`, retrying connection errors, timeouts, 5xx and 429; never raises."""
        channel = outgoing.channel
        attempt = Attempt(ok=False, problem="not attempted")
        number = 0
        for number in range(1, self.policy.attempts + 1):
            attempt = self.once(outgoing)
            if attempt.ok or not attempt.retry or number == self.policy.attempts:
                break
            wait = self.wait_before_retry(attempt, number)
            self.reporter.warn(
                f"channel {channel.name!r}: {attempt.problem}; retrying in {wait:.1f} s "
                f"(attempt {number + 1} of {self.policy.attempts})"
            )
            self.sleep(wait)
        return Delivery(
            channel=channel.name,
            kind=channel.kind,
            delivery_id=outgoing.delivery_id,
            attempts=number,
            status=attempt.status,
            problem=None if attempt.ok else mask(attempt.problem or "not delivered"),
        )

    def once(self, outgoing: Outgoing) -> Attempt:
        """One POST of the exact body; every failure described without the URL."""
        url = outgoing.channel.url or ""
        headers = {"Content-Type": "application/json", **dict(outgoing.headers)}
        total = self.policy.total_timeout
        try:
            with deadline(total):
                return self._once(outgoing, url, headers)
        except DeadlineExceeded:
            return Attempt(
                False,
                problem=f"no complete answer within {total:g} s (the deadline of one attempt)",
                retry=True,
            )

    def _once(self, outgoing: Outgoing, url: str, headers: dict[str, str]) -> Attempt:
        connect, read = self.policy.connect_timeout, self.policy.read_timeout
        try:
            with self.session.post(
                url,
                data=outgoing.body,
                headers=headers,
                timeout=(connect, read),
                allow_redirects=False,
                stream=True,
            ) as response:
                status = response.status_code
                if 200 <= status < 300:
                    return Attempt(ok=True, status=status)
                excerpt = _excerpt(response)
                retry_after = response.headers.get("Retry-After")
                reason = _clean(response.reason or "")[:60]
        except requests.exceptions.ConnectTimeout:
            return Attempt(
                False, problem=f"no connection within {connect:g} s (connect timeout)", retry=True
            )
        except requests.exceptions.ReadTimeout:
            return Attempt(False, problem=f"no answer within {read:g} s (read timeout)", retry=True)
        except requests.exceptions.SSLError:
            return Attempt(False, problem="TLS handshake failed (certificate or protocol)")
        except requests.exceptions.ConnectionError as exc:
            return Attempt(False, problem=_network_problem(exc), retry=True)
        except requests.exceptions.RequestException as exc:
            return Attempt(False, problem=f"request failed ({type(exc).__name__})")
        return self._answer(status, reason, excerpt, retry_after)

    def _answer(self, status: int, reason: str, excerpt: str, retry_after: str | None) -> Attempt:
        phrase = _phrase(status, reason)
        problem = f"server answered {status}{' ' + phrase if phrase else ''}"
        if excerpt:
            problem += f": {excerpt}"
        if 300 <= status < 400:
            problem += " (redirects are not followed; put the final URL in the variable)"
            return Attempt(False, status=status, problem=problem)
        retry = status >= 500 or status in (408, 429)
        wait = parse_retry_after(retry_after, self.clock()) if status in (429, 503) else None
        return Attempt(False, status=status, problem=problem, retry=retry, retry_after=wait)

    def wait_before_retry(self, attempt: Attempt, number: int) -> float:
        """Retry-After when the server gave one (capped), else exponential backoff with jitter."""
        if attempt.retry_after is not None:
            return min(attempt.retry_after, self.policy.retry_after_cap)
        step = min(self.policy.backoff_cap, self.policy.backoff * 2.0 ** (number - 1))
        return step / 2 + self.jitter() * step / 2


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header: delay-seconds or an HTTP-date (RFC 9110)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def _excerpt(response: requests.Response) -> str:
    """The start of the server's answer, one line, masked; empty when there is none."""
    data = b""
    for chunk in response.iter_content(chunk_size=EXCERPT_BYTES):
        data += chunk
        if len(data) >= EXCERPT_BYTES:
            break
    text = _SPACES.sub(" ", _clean(data[:EXCERPT_BYTES].decode("utf-8", "replace"))).strip()
    text = mask(text)
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def _phrase(status: int, reason: str) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return mask(reason)


def _clean(text: str) -> str:
    return _CONTROL.sub(" ", text)


def _network_problem(exc: BaseException) -> str:
    """What went wrong on the network, from the exception's causes, never from its text."""
    seen: set[int] = set()
    stack: list[object] = [exc]
    while stack and len(seen) < 32:
        current = stack.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ConnectionRefusedError):
            return "connection refused"
        if isinstance(current, socket.gaierror):
            return "host name not resolved"
        if isinstance(current, ConnectionResetError | BrokenPipeError):
            return "connection reset by the server"
        if isinstance(current, ssl.SSLError):
            return "TLS error"
        if isinstance(current, TimeoutError):
            return "network timeout"
        stack.extend(
            [
                current.__cause__,
                current.__context__,
                getattr(current, "reason", None),
                *current.args,
            ]
        )
    return "connection failed"
