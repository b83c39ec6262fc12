"""The HTTP API: OGC API – Features for the layers (``/ogc``), for scripts, GIS tools
and other departments' systems. HTTP in, a capability call, JSON out."""
