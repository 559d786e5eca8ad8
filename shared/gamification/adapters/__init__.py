"""Adapters: one small class per external system. The domain never imports them."""
