"""The annual self-evaluation: chaptered drafting, three-way sign-off and peer scrutiny."""
