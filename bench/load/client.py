"""One person's browser (its own cookie jar), every request timed and recorded; sign-in helpers.

`sign_in` and `fetch_csrf_token` (and their `_sync` twins) are for targeted reproduction tests:
they go through the real form exactly as the load does, without recording anything.
"""

import time
from collections.abc import Collection
from typing import Any

import httpx

from bench.load.forms import csrf_token_of, form_for
from bench.load.metrics import (
    CONFLICT,
    CONNECTION,
    OK,
    SERVER_ERROR,
    TIMEOUT,
    UNEXPECTED,
    Recorder,
    Sample,
)

REQUEST_TIMEOUT = 15.0


class BudgetSpent(Exception):
    """The run's request budget is used up: the person stops."""


def new_client(base_url: str, timeout: float = REQUEST_TIMEOUT) -> httpx.AsyncClient:
    # One connection per person, as one browser tab would mostly use; redirects are followed
    # by hand so each hop is timed and recorded under the page it lands on.
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        limits=httpx.Limits(max_connections=2, max_keepalive_connections=1),
    )


class Browser:
    """Sends one person's requests and records each one's kind, status and latency."""

    def __init__(self, client: httpx.AsyncClient, recorder: Recorder, epoch: float) -> None:
        self.client = client
        self.recorder = recorder
        self.epoch = epoch
        self.signed_in = False

    async def send(
        self,
        kind: str,
        method: str,
        path: str,
        *,
        ok: Collection[int] = (200,),
        conflicts: Collection[int] = (),
        **kwargs: Any,
    ) -> httpx.Response | None:
        """The response, or None when none came back; raises BudgetSpent when the budget is."""
        if not self.recorder.take():
            raise BudgetSpent
        started = time.monotonic()
        response: httpx.Response | None = None
        try:
            response = await self.client.request(method, path, **kwargs)
        except httpx.TimeoutException:
            outcome = TIMEOUT
        except httpx.HTTPError:
            outcome = CONNECTION
        else:
            outcome = _outcome(response.status_code, ok, conflicts)
        latency = time.monotonic() - started
        if response is not None and _sent_to_sign_in(response):
            # The session was lost: what follows must start by signing in again.
            self.signed_in = False
        self.recorder.add(
            Sample(
                kind=kind,
                method=method,
                path=path.split("?")[0],
                status=response.status_code if response is not None else None,
                latency=latency,
                outcome=outcome,
                started=started - self.epoch,
                slow=latency > self.recorder.slow_after,
            )
        )
        return response

    async def follow(self, response: httpx.Response | None, kind: str) -> None:
        """Fetch where a 303 points, as the browser would straight after a form post."""
        if response is None or response.status_code != 303:
            return
        target = response.headers.get("location", "")
        if target.startswith("/") and not target.startswith("/sign-in"):
            await self.send(kind, "GET", target)


def _outcome(status: int, ok: Collection[int], conflicts: Collection[int]) -> str:
    if status >= 500:
        return SERVER_ERROR
    if status in ok:
        return OK
    if status in conflicts:
        return CONFLICT
    return UNEXPECTED


def _sent_to_sign_in(response: httpx.Response) -> bool:
    return response.status_code in (302, 303) and response.headers.get("location", "").startswith(
        "/sign-in"
    )


async def fetch_csrf_token(client: httpx.AsyncClient, path: str) -> str:
    """GET a form page and return its csrf_token (raises when the page has none)."""
    response = await client.get(path)
    response.raise_for_status()
    token = csrf_token_of(response.text)
    if not token:
        raise LookupError(f"{path} answered {response.status_code} without a csrf_token")
    return token


def sign_in_form(html: str, email: str, password: str) -> dict[str, str]:
    """The sign-in form's fields as the page gave them, with the email and password typed in."""
    form = form_for(html, "/sign-in")
    if form is None:
        raise LookupError("the sign-in page has no form posting to /sign-in")
    return {**form.fields, "email": email, "password": password}


async def sign_in(
    base_url: str, email: str, password: str, *, next_path: str = "/", timeout: float = 15.0
) -> httpx.AsyncClient:
    """A new client signed in through the real form, its session cookie in its jar.

    The caller closes it with `await client.aclose()` (not `async with`: httpx refuses to enter a
    client that has already sent a request).
    """
    client = new_client(base_url, timeout)
    try:
        page = await client.get("/sign-in", params={"next": next_path})
        page.raise_for_status()
        answer = await client.post("/sign-in", data=sign_in_form(page.text, email, password))
        if answer.status_code != 303:
            raise RuntimeError(f"sign-in as {email} answered {answer.status_code}")
    except BaseException:
        await client.aclose()
        raise
    return client


def fetch_csrf_token_sync(client: httpx.Client, path: str) -> str:
    response = client.get(path)
    response.raise_for_status()
    token = csrf_token_of(response.text)
    if not token:
        raise LookupError(f"{path} answered {response.status_code} without a csrf_token")
    return token


def sign_in_sync(
    base_url: str, email: str, password: str, *, next_path: str = "/", timeout: float = 15.0
) -> httpx.Client:
    """As `sign_in`, with a blocking client (for tests that use threads); close it with
    `client.close()`."""
    client = httpx.Client(base_url=base_url, timeout=timeout, follow_redirects=False)
    try:
        page = client.get("/sign-in", params={"next": next_path})
        page.raise_for_status()
        answer = client.post("/sign-in", data=sign_in_form(page.text, email, password))
        if answer.status_code != 303:
            raise RuntimeError(f"sign-in as {email} answered {answer.status_code}")
    except BaseException:
        client.close()
        raise
    return client
