"""A body past settings.max_request_bytes is a 413 whether it declares its size or streams in chunks.

Before issue 9 a chunked upload (no Content-Length) over the limit was cut off while FastAPI read
it, and FastAPI answers any error while reading a body with 400.
"""

from collections.abc import Iterator
from html import unescape

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.roles import Role
from app.models import AuditEvent, IndicatorReturn
from app.settings import get_settings
from tests import factories as f
from tests.conftest import check_page

DERBY = "E06000015"
UPLOAD = "/regions/east-midlands/returns/2026-27-q1/upload"
BOUNDARY = "riia-test-boundary"
PAGE_MESSAGE = (
    "What you sent is larger than 2 MB, the most this service accepts at once, so nothing was "
    "saved. Go back and choose a file smaller than 2 MB."
)
API_ERROR = {
    "error": {
        "type": "PayloadTooLarge",
        "title": "The request is too large",
        "message": "The request is larger than the 2 MB limit (2,097,152 bytes), so nothing was "
        "saved.",
        "field": None,
    }
}


def _multipart(fields: dict[str, str], file_bytes: int) -> Iterator[bytes]:
    """A form with a CSV file part, sent chunk by chunk: httpx sends it with no Content-Length."""
    for name, value in fields.items():
        yield (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        ).encode()
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="q1.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    chunk = b"E06000015,x,1,\r\n" * 4096
    for _ in range(file_bytes // len(chunk) + 1):
        yield chunk
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


HEADERS = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}


def _ready(session: Session) -> tuple[int, int]:
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    f.publish_from_template(session, cycle, boss)
    f.sign_everyone(session, cycle)
    session.commit()
    return _counts(session)


def _counts(session: Session) -> tuple[int, int]:
    session.expire_all()
    return (
        session.scalar(select(func.count()).select_from(IndicatorReturn)) or 0,
        session.scalar(select(func.count()).select_from(AuditEvent)) or 0,
    )


def test_a_chunked_upload_over_the_limit_is_a_413_page(
    session: Session, client: TestClient
) -> None:
    _ready(session)
    f.sign_in(client, f.make_user(session, Role.DATA_LEAD, organisation=DERBY))
    token = f.csrf(client, UPLOAD)
    before = _counts(session)
    limit = get_settings().max_request_bytes
    response = client.post(
        UPLOAD, content=_multipart({"csrf_token": token}, limit + 1), headers=HEADERS
    )
    assert response.status_code == 413
    assert "content-length" not in response.request.headers  # it really was chunked
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    page = check_page(response.text)
    assert page.title.startswith("Error: The file is too large")
    assert PAGE_MESSAGE in unescape(response.text)
    assert _counts(session) == before


def test_a_chunked_upload_over_the_limit_is_a_413_in_the_api(
    session: Session, client: TestClient
) -> None:
    _ready(session)
    headers = f.token_for(session, f.make_user(session, Role.DATA_LEAD, organisation=DERBY))
    session.commit()
    before = _counts(session)
    limit = get_settings().max_request_bytes
    response = client.post(
        "/api/v1" + UPLOAD, content=_multipart({}, limit + 1), headers={**HEADERS, **headers}
    )
    assert response.status_code == 413
    assert "content-length" not in response.request.headers
    assert response.json() == API_ERROR
    assert _counts(session) == before


def test_a_declared_size_over_the_limit_gets_the_same_answers(
    session: Session, client: TestClient
) -> None:
    _ready(session)
    headers = f.token_for(session, f.make_user(session, Role.DATA_LEAD, organisation=DERBY))
    session.commit()
    before = _counts(session)
    body = b"".join(_multipart({}, get_settings().max_request_bytes + 1))
    api = client.post("/api/v1" + UPLOAD, content=body, headers={**HEADERS, **headers})
    assert api.status_code == 413
    assert api.request.headers["content-length"] == str(len(body))
    assert api.json() == API_ERROR
    page = client.post(UPLOAD, content=body, headers=HEADERS)
    assert page.status_code == 413
    check_page(page.text)
    assert PAGE_MESSAGE in unescape(page.text)
    assert _counts(session) == before


def test_a_chunked_upload_under_the_limit_is_read(session: Session, client: TestClient) -> None:
    """The counting does not refuse what fits: a small chunked file reaches the parser."""
    _ready(session)
    headers = f.token_for(session, f.make_user(session, Role.DATA_LEAD, organisation=DERBY))
    session.commit()
    response = client.post(
        "/api/v1" + UPLOAD, content=_multipart({}, 10), headers={**HEADERS, **headers}
    )
    assert response.status_code == 422  # read and parsed: these rows are not a return
    assert response.json()["error"]["type"] == "FileRejected"
