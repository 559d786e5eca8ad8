"""Application services: what a handler calls. Each wires the domain to the adapters."""
