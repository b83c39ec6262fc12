"""Files in and out: imports that lose nothing, exports planners can use, an offline map.

``files.imports.import_file`` and the exports in ``files.exports`` and
``files.webmap`` are what the desk, ``/api/files`` and ``manage.py`` call.
"""
