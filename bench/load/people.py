"""The simulated people: coordinators, DCSs and data leads, each with their own browser session.

Each person signs in through the form (all at once at the start, as on the morning sign-off
opens), then repeats: think for 0.5-1.5 s, do one thing their role does. A write fetches its form
first and sends back what the page gave it, csrf_token and base version included; a person thinks
again between reading the form and saving it, as someone typing would. Now and then a person
signs out and in again.
"""

import asyncio
import random
import time
from collections.abc import Awaitable, Callable

from bench.load.client import Browser, BudgetSpent, sign_in_form
from bench.load.forms import csrf_token_of, form_for
from bench.load.prepare import Account, DemoWorld

SIGN_OUT_CHANCE = 0.03  # per action: about once every half hour of a real day, compressed
NOTE = "Load note"  # the paragraph each save rewrites, so text does not grow without bound
REASON = "Corrected after the monthly data quality check."

# What each role does, by weight. Coordinators read across the region; DCSs write their own
# LA's self-evaluation; data leads correct their own LA's returns.
WEIGHTS: dict[str, dict[str, int]] = {
    "coordinator": {
        "cycle page": 3,
        "dashboard": 3,
        "la profile": 3,
        "sef index": 2,
        "sef page": 2,
        "mou tracker": 2,
        "returns tracker": 1,
        "api get": 3,
    },
    "dcs": {
        "cycle page": 2,
        "dashboard": 1,
        "la profile": 1,
        "sef index": 1,
        "sef page": 2,
        "chapter page": 1,
        "chapter save (form)": 2,
        "chapter save (api)": 2,
        "mou tracker": 1,
        "api get": 2,
    },
    "data_lead": {
        "cycle page": 2,
        "dashboard": 2,
        "la profile": 2,
        "sef page": 1,
        "returns tracker": 1,
        "return page": 2,
        "return resubmission": 2,
        "api get": 2,
    },
}


class Person:
    def __init__(
        self,
        number: int,
        account: Account,
        world: DemoWorld,
        browser: Browser,
        rng: random.Random,
        think: tuple[float, float],
    ) -> None:
        self.number = number
        self.account = account
        self.world = world
        self.browser = browser
        self.rng = rng
        self.think_range = think
        self.until = 0.0
        self.saves = 0
        self.api_headers = {"authorization": f"Bearer {account.token}"}
        region = world.region
        self.paths = {
            "cycle page": world.cycle_path,
            "dashboard": f"/regions/{region}/dashboard",
            "sef index": f"{world.cycle_path}/self-evaluations",
            "mou tracker": f"{world.cycle_path}/mou/tracker",
            "returns tracker": f"/regions/{region}/returns",
        }

    # -- the loop -----------------------------------------------------------------------------

    async def run(self, until: float) -> None:
        """Act until `until` (time.monotonic) or until the run's request budget is spent."""
        self.until = until
        try:
            await self.sign_in()  # everyone at once: the burst the issue describes
            while await self.think():
                if not self.browser.signed_in:
                    await self.sign_in()
                elif self.rng.random() < SIGN_OUT_CHANCE:
                    await self.sign_out()
                    if await self.think():
                        await self.sign_in()
                else:
                    await self.act(self.choose())
        except BudgetSpent:
            return

    async def think(self) -> bool:
        """Pause as a person reads; False when the run's time is up."""
        left = self.until - time.monotonic()
        if left <= 0:
            return False
        await asyncio.sleep(min(left, self.rng.uniform(*self.think_range)))
        return time.monotonic() < self.until

    def choose(self) -> str:
        weights = WEIGHTS[self.account.kind]
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    async def act(self, kind: str) -> None:
        actions: dict[str, Callable[[], Awaitable[None]]] = {
            "la profile": self.la_profile,
            "sef page": self.sef_page,
            "chapter page": self.chapter_page,
            "return page": self.return_page,
            "api get": self.api_get,
            "chapter save (form)": self.chapter_save_form,
            "chapter save (api)": self.chapter_save_api,
            "return resubmission": self.return_resubmission,
        }
        if kind in actions:
            await actions[kind]()
        else:
            await self.browser.send(kind, "GET", self.paths[kind])

    # -- signing in and out -------------------------------------------------------------------

    async def sign_in(self) -> None:
        page = await self.browser.send(
            "sign-in page", "GET", "/sign-in", params={"next": self.world.cycle_path}
        )
        if page is None or page.status_code != 200:
            return
        fields = sign_in_form(page.text, self.account.email, self.world.password)
        answer = await self.browser.send("sign-in", "POST", "/sign-in", ok=(303,), data=fields)
        if answer is not None and answer.status_code == 303:
            self.browser.signed_in = True
            await self.browser.follow(answer, "cycle page")

    async def sign_out(self) -> None:
        # The sign-out button is a form in every page's header, with the session's csrf_token.
        page = await self.browser.send("cycle page", "GET", self.paths["cycle page"])
        token = csrf_token_of(page.text) if page is not None and page.status_code == 200 else None
        if token is None:
            return
        await self.browser.send(
            "sign-out", "POST", "/sign-out", ok=(303,), data={"csrf_token": token}
        )
        self.browser.signed_in = False
        self.browser.client.cookies.clear()  # as a browser closed after signing out

    # -- reads --------------------------------------------------------------------------------

    def own_la(self) -> str:
        """The person's own LA; a coordinator looks at any LA of the region."""
        return self.account.organisation or self.rng.choice(self.world.las)[0]

    def any_la(self) -> str:
        return self.rng.choice(self.world.las)[0]

    def sef_path(self, la_code: str) -> str:
        return f"{self.world.cycle_path}/self-evaluations/{la_code}"

    def profile_to_read(self) -> tuple[str, dict[str, str]]:
        """An LA and the quarter to read it for: an LA's own people see its latest figures at
        once, other LAs' only once the quarter is shared across the region."""
        released = self.world.released_quarters
        if self.account.organisation is None:
            return self.any_la(), {}
        if released and self.rng.random() < 0.5:
            return self.any_la(), {"period": self.rng.choice(released)}
        return self.account.organisation, {}

    async def la_profile(self) -> None:
        la, params = self.profile_to_read()
        path = f"/regions/{self.world.region}/las/{la}"
        await self.browser.send("la profile", "GET", path, params=params)

    async def sef_page(self) -> None:
        await self.browser.send("sef page", "GET", self.sef_path(self.own_la()))

    async def chapter_page(self) -> None:
        chapter = self.rng.choice(self.world.chapters)
        await self.browser.send(
            "chapter page", "GET", f"{self.sef_path(self.own_la())}/chapters/{chapter}"
        )

    async def return_page(self) -> None:
        quarter = self.rng.choice(self.world.quarters)
        path = f"/regions/{self.world.region}/returns/{quarter}/{self.own_la()}"
        await self.browser.send("return page", "GET", path)

    def api_paths(self) -> list[tuple[str, dict[str, str]]]:
        w, la = self.world, self.own_la()
        profile_la, profile_period = self.profile_to_read()
        api = f"/api/v1/regions/{w.region}"
        latest = w.open_quarters[-1] if w.open_quarters else w.quarters[0]
        period = latest.replace("-q", " Q")  # the slug 2026-27-q2 as the API's "2026-27 Q2"
        return [
            ("/api/v1/me", {}),
            (f"{api}/cycles/{w.year}", {}),
            (f"{api}/cycles/{w.year}/mou", {}),
            (f"{api}/cycles/{w.year}/self-evaluations", {}),
            (f"{api}/cycles/{w.year}/self-evaluations/{la}", {}),
            (f"{api}/returns", {"year": w.year}),
            (f"{api}/flags", {}),
            (f"{api}/las/{profile_la}/profile", profile_period),
            (f"{api}/benchmarks", {"period": period}),
        ]

    async def api_get(self) -> None:
        path, params = self.rng.choice(self.api_paths())
        await self.browser.send("api get", "GET", path, params=params, headers=self.api_headers)

    # -- writes -------------------------------------------------------------------------------

    def note(self) -> str:
        self.saves += 1
        return f"{NOTE} {self.number}.{self.saves}: reviewed with the service managers this week."

    def with_note(self, text: str) -> str:
        """The text with its load note replaced, so repeated saves change it but keep its size."""
        return text.split(NOTE)[0].rstrip() + "\n\n" + self.note()

    async def chapter_save_form(self) -> None:
        la, chapter = self.own_la(), self.rng.choice(self.world.chapters)
        path = f"{self.sef_path(la)}/chapters/{chapter}"
        page = await self.browser.send("chapter page", "GET", path)
        form = form_for(page.text, path) if page is not None and page.status_code == 200 else None
        if form is None or not await self.think():
            return
        fields = {**form.fields, "narrative": self.with_note(form.fields.get("narrative", ""))}
        answer = await self.browser.send(
            "chapter save (form)", "POST", path, ok=(303,), conflicts=(409, 422), data=fields
        )
        await self.browser.follow(answer, "sef page")

    async def chapter_save_api(self) -> None:
        la, chapter = self.own_la(), self.rng.choice(self.world.chapters)
        api = f"/api/v1/regions/{self.world.region}/cycles/{self.world.year}/self-evaluations/{la}"
        got = await self.browser.send("api get", "GET", api, headers=self.api_headers)
        if got is None or got.status_code != 200:
            return
        latest = got.json().get("latest_version") or {}
        current = next((c for c in latest.get("chapters", []) if c["chapter_id"] == chapter), None)
        sections = dict(current["sections"]) if current else {}
        sections["narrative"] = self.with_note(sections.get("narrative", ""))
        body = {
            "base_version": latest.get("number"),
            "grade": (current or {}).get("grade") or None,
            **sections,
        }
        if not await self.think():
            return
        await self.browser.send(
            "chapter save (api)",
            "PUT",
            f"{api}/chapters/{chapter}",
            ok=(200,),
            conflicts=(409, 422),
            json=body,
            headers=self.api_headers,
        )

    async def return_resubmission(self) -> None:
        if not self.world.open_quarters:
            await self.return_page()  # nothing may be resubmitted today: read instead
            return
        quarter, la = self.rng.choice(self.world.open_quarters), self.own_la()
        path = f"/regions/{self.world.region}/returns/{quarter}/{la}/edit"
        page = await self.browser.send("return form", "GET", path)
        form = form_for(page.text, path) if page is not None and page.status_code == 200 else None
        if form is None or not await self.think():
            return
        fields = dict(form.fields)
        changed = self.nudge_one_value(fields)
        if changed is None:
            return
        fields["reason"] = REASON
        answer = await self.browser.send(
            "return resubmission", "POST", path, ok=(303,), conflicts=(409, 422), data=fields
        )
        await self.browser.follow(answer, "return page")

    def nudge_one_value(self, fields: dict[str, str]) -> str | None:
        """Change one numeric value by its last decimal place, up when that digit is even and
        down when odd, so repeated corrections swing between two values and never drift out of
        the indicator's range."""
        candidates = []
        for name, value in fields.items():
            if name.startswith("value-"):
                try:
                    number = float(value)
                except ValueError:
                    continue  # a DfE code such as c or x
                if 0 < number < 99:
                    candidates.append((name, value, number))
        if not candidates:
            return None
        name, value, number = self.rng.choice(candidates)
        decimals = len(value.split(".")[1]) if "." in value else 0
        last_digit = int(value.replace(".", "")[-1])
        step = 10.0**-decimals * (1 if last_digit % 2 == 0 else -1)
        fields[name] = f"{number + step:.{decimals}f}"
        return name
