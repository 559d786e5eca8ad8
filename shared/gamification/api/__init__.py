"""The HTTP API: Powertools resolvers, one router per concern, one error model.

Handlers in ``functions/`` build a resolver with
:func:`gamification.api.resolvers.resolver_for`; the OpenAPI document comes from
:func:`gamification.api.openapi.full_resolver`, which holds every route.
"""
