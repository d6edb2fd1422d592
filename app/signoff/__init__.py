"""The sign-off kernel: named people sign an exact version, decline or return it with a reason.

Every signed document (the MoU, the self-evaluation, and the plans and records still to come)
keeps its own event table with the shared columns (`events`, app.models.signoff), derives who
has signed from those events for its required (organisation, role) pairs (`status`), applies one
of two version policies (`policies`: VOID or CHANGEOVER) and records its acts through `acts`
(a stage names the version open to sign-off once, as an `acts.OnVersion`). Its forms compose the
fields in `schemas` and the macros in templates/components/signoff.html. The kernel imports no
stage: a stage supplies its pairs, its words and its history entries.
"""
