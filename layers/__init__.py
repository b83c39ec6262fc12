"""Layers: the store's rows as GeoDataFrames in EPSG:4326, and their filters.

No Dash here. Every layer is a function ``store -> GeoDataFrame`` with the
columns its module documents, cached per layer revision so a page that polls
or filters does not reread an unchanged table.

The two filters every map shares (see :mod:`layers.filters`):

* townships: one, several, or ``None`` for the whole jurisdiction;
* response level L (1 = I ... 4 = IV): the forces, depots and command nodes
  mobilised at L, i.e. whose plan mobilises them at L or at any lower level
  (``mobilise_level >= L``). So II shows everything IV and III show, and more;
  ``None`` shows everything, as in planning. Risk points are not mobilised:
  they are filtered by grade instead.
"""

from layers.filters import Filter, LayerError

__all__ = ["Filter", "LayerError"]
