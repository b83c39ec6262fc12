"""What the HTTP faces share: sign-in, the session, and the checks every request meets.

Flask glue only; who may do what is decided in :mod:`auth`, inside each
operation.
"""
