"""Duty officers' side: from an incident to resources on the road, and the dispatch.

``graph`` (roads as a searchable graph), ``recommend`` (the proposal),
``orders`` (opening incidents, confirming dispatches, order status). The
store does the atomic writes; no Dash or Flask here.
"""
