"""The four-maps dashboard: the Dash app, its pages, maps and figures."""
