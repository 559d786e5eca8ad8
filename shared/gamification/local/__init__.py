"""The local stack: the whole product on one machine (moto, redis-server, real handlers)."""
