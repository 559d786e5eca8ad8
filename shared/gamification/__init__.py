"""Gamification domain package shared by every Lambda (shipped as a layer)."""
