"""The rectification ledger (台账) of hidden dangers: lifecycle rules, operations, figures.

No Flask or Dash here: the desk, ``/api/hidden-dangers`` and ``manage.py`` call
:mod:`ledger.operations`, which checks roles itself; :mod:`ledger.rules` is the
lifecycle without a database; :mod:`ledger.figures` counts per township and
month from the same columns the maps' key figures use.
"""
