"""The registry: every stage of the cycle, in order. Adding a stage is one line here.

app.main includes each stage's routers in this order (after the cycle's own pages), the
permission table adds each stage's rows, error words are found by each stage's path segments,
the calendar and history name each stage's window, and the cycle overview draws each stage's
sections, in this order.
"""

from app.benchmarks import stage as benchmarks
from app.challenge import stage as challenge
from app.mou import stage as mou
from app.plans import stage as plans
from app.returns import stage as returns
from app.self_evaluation import stage as self_evaluation
from app.stage import Stage
from app.triads import stage as triads

STAGES: tuple[Stage, ...] = (
    mou.STAGE,
    returns.STAGE,
    benchmarks.STAGE,
    self_evaluation.STAGE,
    triads.STAGE,
    challenge.STAGE,
    plans.STAGE,
)
