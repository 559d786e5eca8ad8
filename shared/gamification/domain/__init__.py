"""The pure domain core: no I/O, no AWS, no clock of its own.

Everything that decides XP, levels, badges and streaks lives here so that every Lambda applies
the same rules and the rules can be proven fast with property tests.
"""
