"""One router per concern; :mod:`gamification.api.app` decides which function serves which."""
