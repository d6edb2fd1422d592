"""Reading rendered pages and packs in tests: one copy of what several test files each had."""

import io
import re
from html import unescape

from fastapi.testclient import TestClient
from pypdf import PdfReader

from tests.conftest import check_page


def error_summary(html: str) -> list[tuple[str, str]]:
    """(href, text) of each link in the GOV.UK error summary."""
    match = re.search(r'class="govuk-error-summary".*?</ul>', html, re.S)
    assert match, "no error summary"
    return [
        (h, unescape(re.sub(r"\s+", " ", t)).strip())
        for h, t in re.findall(r'<a href="([^"]*)">(.*?)</a>', match.group(0), re.S)
    ]


def main_text(html: str) -> str:
    """The words of the page's main content, tags removed, spaces collapsed."""
    match = re.search(r"<main.*?</main>", html, re.S)
    assert match, "no main"
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", match.group(0)))).strip()


def words(html: str) -> str:
    """The whole page's words, tags removed and spaces collapsed (entities left as written)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def hidden(html: str, name: str) -> str:
    """The value of the form's hidden field `name`."""
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden {name}"
    return match.group(1)


def page_token(client: TestClient, path: str = "/") -> str:
    """The CSRF token of the first form on the page at `path`."""
    return check_page(client.get(path).text).csrf_tokens[0]


def pdf_text(pdf: bytes) -> str:
    """A PDF's words, spaces collapsed."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())
