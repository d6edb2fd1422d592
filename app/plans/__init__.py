"""LA development plans (issue 12): written from the self-evaluation, signed bound to a version."""
