"""Credentials: Open Badges 3.0 credentials of earned badges, the issuer profile and its JWKS.

Outside the VPC (KMS is reached over its public endpoint), reads the profile and the badge
catalog, and is the only function that may ``kms:Sign`` with the credential key
(docs/credentials.md).
"""

from gamification.api.lambda_entry import api_handler

lambda_handler = api_handler("credentials")
