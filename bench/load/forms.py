"""Reading a page's forms the way a browser would submit them.

A form post sends what the page put in the form: its hidden csrf_token and version fields, the
text of its inputs and textareas, and only the checked radios. Reading them from the HTML (not
from knowing the field names) keeps the load honest when a form changes.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(a.get("action", ""), a.get("method", "get").lower())
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    self._form.fields[name] = a.get("value", "on")
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self._form.fields[name] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select = name
            self._form.fields.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self._form.fields[self._select] = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None and self._form is not None:
            # As a browser does, one newline straight after <textarea> is not part of the value.
            self._form.fields[self._textarea] = "".join(self._text).removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None


def forms_of(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


def form_for(html: str, action: str) -> Form | None:
    """The page's form that posts to `action` (a path), if there is one."""
    for form in forms_of(html):
        if form.action.split("?")[0].split("#")[0] == action:
            return form
    return None


def csrf_token_of(html: str) -> str | None:
    """The csrf_token of the page's first form that has one (every form has the session's)."""
    for form in forms_of(html):
        token = form.fields.get("csrf_token")
        if token:
            return token
    return None
