"""CDK app of the gamification backend: ``app.py`` builds ``stack.py`` from ``constructs/``."""
