"""Triads: the groups of (usually three) LAs the coordinator forms each cycle for peer challenge."""
