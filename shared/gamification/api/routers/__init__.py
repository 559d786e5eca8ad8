"""One router per concern; :mod:`gamification.api.resolvers` decides which function serves which."""
