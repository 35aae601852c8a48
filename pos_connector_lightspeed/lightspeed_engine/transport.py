"""HTTP transport shared by the R-Series and X-Series clients.

* OAuth 2 bearer tokens. On a 401 the client refreshes once (when it has a
  refresh token and the app's credentials), hands the new :class:`Tokens` to
  ``on_tokens`` (persist them: Lightspeed may rotate the refresh token) and
  retries; a second 401 raises :class:`LightspeedAuthError`.
* 429: waits ``Retry-After`` (seconds or an HTTP date), then retries.
* 5xx and network errors: exponential back-off, at most ``max_attempts``.
* Writes (POST/PUT/DELETE) are never retried blindly after a timeout or a
  5xx: the server may have applied them. :class:`LightspeedUnknownOutcome` is
  raised instead, and the idempotent helpers of the clients look the record
  up by its reference before trying again.

``sleep`` and ``clock`` are injectable; every pause is kept in ``waits``.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urljoin

import requests

from .common import retry_after_seconds

_logger = logging.getLogger(__name__)
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


class LightspeedAPIError(RuntimeError):
    """The API refused a request or stayed unavailable."""

    def __init__(self, message: str, status: int | None = None, body: Any = None):
        super().__init__(message)
        self.status = status
        self.body = body


class LightspeedAuthError(LightspeedAPIError):
    """401 even after a token refresh (or no way to refresh): reconnect."""


class LightspeedUnknownOutcome(LightspeedAPIError):
    """A write timed out or got a 5xx: it may or may not have been applied."""


@dataclass(frozen=True)
class Tokens:
    """An OAuth token pair (``expires_at``: epoch seconds, when known)."""

    access_token: str
    refresh_token: str | None = None
    expires_at: float | None = None
    scope: str | None = None
    extra: tuple[tuple[str, str], ...] = ()  # e.g. X-Series domain_prefix

    @classmethod
    def from_response(
        cls, body: dict, previous: Tokens | None = None, now: float | None = None
    ) -> Tokens:
        """Tokens from a token endpoint answer; a missing refresh token keeps
        the previous one."""
        if not isinstance(body, dict) or not body.get("access_token"):
            raise LightspeedAuthError("the token endpoint answered without an access_token", 200)
        current = time.time() if now is None else now
        expires_at = None
        if body.get("expires_in") not in (None, ""):
            expires_at = current + float(body["expires_in"])
        elif body.get("expires") not in (None, ""):
            expires_at = float(body["expires"])
        extra = tuple(
            (key, str(body[key])) for key in ("domain_prefix", "token_type") if body.get(key)
        )
        return cls(
            access_token=str(body["access_token"]),
            refresh_token=str(body.get("refresh_token") or "")
            or (previous.refresh_token if previous else None),
            expires_at=expires_at,
            scope=str(body["scope"]) if body.get("scope") else None,
            extra=extra,
        )


@dataclass(frozen=True)
class OAuthApp:
    """The app's OAuth settings."""

    client_id: str
    client_secret: str
    token_url: str
    authorize_url: str = ""
    redirect_uri: str | None = None

    def authorization_url(self, state: str, scope: str | None = None, **extra: str) -> str:
        """Where to send the merchant to approve the app (authorization code)."""
        params = {"response_type": "code", "client_id": self.client_id, "state": state}
        if scope:
            params["scope"] = scope
        if self.redirect_uri:
            params["redirect_uri"] = self.redirect_uri
        params.update(extra)
        return f"{self.authorize_url}?{urlencode(params)}"


@dataclass(frozen=True)
class Wait:
    """A pause the client asked for, and why."""

    reason: str
    seconds: float


def body_or_text(response: requests.Response) -> Any:
    try:
        return json.loads(response.content)
    except ValueError:
        return response.text[:500]


class BaseClient:
    """Requests session, retry policy and token refresh for one account."""

    service = "Lightspeed"

    def __init__(
        self,
        base_url: str,
        tokens: Tokens | str,
        *,
        oauth: OAuthApp | None = None,
        on_tokens: Callable[[Tokens], Any] | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], Any] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        timeout: float = 30.0,
        max_attempts: int = 5,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        default_retry_after: float = 2.0,
    ):
        self.base_url = base_url.rstrip("/") + "/"
        self.tokens = Tokens(tokens) if isinstance(tokens, str) else tokens
        if not self.tokens.access_token:
            raise LightspeedAuthError(f"no {self.service} access token is configured")
        self.oauth = oauth
        self.on_tokens = on_tokens
        self.session = session or requests.Session()
        self.session.headers.update({"Accept": "application/json"})
        self.sleep = sleep
        self.clock = clock
        self.wall_clock = wall_clock
        self.timeout = timeout
        self.max_attempts = max(1, max_attempts)
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.default_retry_after = default_retry_after
        self.waits: list[Wait] = []

    # ------------------------------------------------------------------
    # OAuth
    # ------------------------------------------------------------------
    def _token_request(self, form: dict) -> Tokens:
        if not self.oauth:
            raise LightspeedAuthError(f"no {self.service} OAuth app is configured")
        form = {
            "client_id": self.oauth.client_id,
            "client_secret": self.oauth.client_secret,
            **form,
        }
        try:
            response = self.session.post(self.oauth.token_url, data=form, timeout=self.timeout)
        except (requests.ConnectionError, requests.Timeout) as err:
            raise LightspeedAPIError(f"{self.service} token endpoint unreachable: {err}") from err
        if response.status_code >= 400:
            raise LightspeedAuthError(
                f"{self.service} token endpoint refused ({response.status_code}): "
                f"{str(body_or_text(response))[:300]}",
                response.status_code,
                body_or_text(response),
            )
        tokens = Tokens.from_response(body_or_text(response), self.tokens, self.wall_clock())
        self.tokens = tokens
        if self.on_tokens:
            self.on_tokens(tokens)
        return tokens

    def exchange_code(self, code: str) -> Tokens:
        """Trade an authorization code for tokens (reported to ``on_tokens``)."""
        form = {"grant_type": "authorization_code", "code": code}
        if self.oauth and self.oauth.redirect_uri:
            form["redirect_uri"] = self.oauth.redirect_uri
        return self._token_request(form)

    def refresh(self) -> Tokens:
        """A new access token from the refresh token (reported to ``on_tokens``)."""
        if not self.tokens.refresh_token:
            raise LightspeedAuthError(f"no {self.service} refresh token to renew the access token")
        return self._token_request(
            {"grant_type": "refresh_token", "refresh_token": self.tokens.refresh_token}
        )

    def _can_refresh(self) -> bool:
        return bool(self.oauth and self.tokens.refresh_token)

    # ------------------------------------------------------------------
    # Transport
    # ------------------------------------------------------------------
    def url(self, path: str) -> str:
        """Absolute URL of an API path or an absolute URL as is."""
        return path if "://" in path else urljoin(self.base_url, path.lstrip("/"))

    def _wait(self, reason: str, seconds: float) -> None:
        seconds = max(0.0, float(seconds))
        self.waits.append(Wait(reason, seconds))
        _logger.info("%s: waiting %.2f s (%s)", self.service, seconds, reason)
        if seconds:
            self.sleep(seconds)

    def _backoff(self, attempt: int) -> float:
        return min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))

    def _before_request(self, method: str) -> None:
        """Hook: pause before sending (rate limits)."""

    def _after_response(self, method: str, response: requests.Response) -> None:
        """Hook: read rate-limit headers."""

    def _error_text(self, response: requests.Response) -> str:
        return str(body_or_text(response))[:500] or response.reason or ""

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict | None = None,
        json_body: Any = None,
    ) -> requests.Response:
        """One API call with the retry policy; returns the successful response."""
        method = method.upper()
        url = self.url(path)
        write = method in WRITE_METHODS
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            last = attempt >= self.max_attempts
            self._before_request(method)
            headers = {"Authorization": f"Bearer {self.tokens.access_token}"}
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    json=json_body,
                    headers=headers,
                    timeout=self.timeout,
                )
            except (requests.ConnectionError, requests.Timeout) as err:
                if write:
                    raise LightspeedUnknownOutcome(
                        f"{self.service} {method} {path}: {err.__class__.__name__}; "
                        "the write may have been applied"
                    ) from err
                if last:
                    raise LightspeedAPIError(
                        f"{self.service} unreachable after {attempt} attempts: {err}"
                    ) from err
                self._wait(f"network error: {err.__class__.__name__}", self._backoff(attempt))
                continue
            self._after_response(method, response)
            status = response.status_code
            if status == 401:
                if not refreshed and self._can_refresh():
                    refreshed = True
                    attempt -= 1  # the refresh retry is not a failed attempt
                    self.refresh()
                    continue
                raise LightspeedAuthError(
                    f"{self.service} refused the access token (401: {self._error_text(response)})"
                    "; reconnect the account",
                    status,
                    body_or_text(response),
                )
            if status == 429 and not last:
                seconds = retry_after_seconds(
                    response.headers.get("Retry-After"),
                    self._default_429_wait(),
                    self.wall_clock(),
                )
                self._wait("429 Retry-After", seconds)
                continue
            if status >= 500 and write:
                raise LightspeedUnknownOutcome(
                    f"{self.service} {method} {path} failed with {status}; "
                    "the write may have been applied",
                    status,
                    body_or_text(response),
                )
            if status >= 500 and not last:
                self._wait(f"{status} back-off", self._backoff(attempt))
                continue
            if status >= 400:
                raise LightspeedAPIError(
                    f"{self.service} {method} {path} failed with {status}: "
                    f"{self._error_text(response)}",
                    status,
                    body_or_text(response),
                )
            return response

    def _default_429_wait(self) -> float:
        return self.default_retry_after

    def json(self, response: requests.Response) -> Any:
        try:
            return json.loads(response.content)
        except ValueError as err:
            raise LightspeedAPIError(
                f"{self.service} answered {response.status_code} with a body that is not JSON",
                response.status_code,
                response.text[:500],
            ) from err

    def get_json(self, path: str, params: dict | None = None) -> Any:
        return self.json(self.request("GET", path, params=params))
