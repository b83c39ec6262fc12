"""Editing records: what a valid record is, coordinates in any system, and one
function per operation that the desk, the API and the command line all call.

No Dash or Flask here. Every operation takes the :class:`~auth.Principal` it
runs as and checks its role itself.
"""
