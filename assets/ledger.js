/* The table beside the risk map (dash-ag-grid): refresh its pages, centre the map on a row. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  fourmapsLedger: {
    /* A filter or the map pick changed: drop the grid's cached pages and go to the top
       (it asks again). Only the data changed: reload the pages in place, where the
       reader is. */
    refresh: function (_filter, _picked, _statuses, _flags, _revs, gridId) {
      const nc = window.dash_clientside.no_update;
      const grids = window.dash_ag_grid;
      if (!grids || !grids.getApi) return nc;
      const fired = (window.dash_clientside.callback_context.triggered || [])
        .map(function (t) { return t.prop_id; });
      const dataOnly = fired.length > 0 && fired.every(function (p) {
        return p.indexOf("data-revisions.") === 0;
      });
      try {
        const api = grids.getApi(gridId);
        if (dataOnly) {
          api.refreshInfiniteCache();
        } else {
          api.purgeInfiniteCache();
          api.ensureIndexVisible(0, "top");
        }
      } catch (e) {
        return nc;  // the grid is not ready yet: its first request reads the new state
      }
      return String(Date.now());
    },
    /* A map's table button: open its table beside the map (the panel takes its row of
       the map grid) or close it; the opened panel is scrolled into view. The tab
       remembers it (sessionStorage): a reload opens the same tables again. */
    toggleTable: function (n, className, cardId) {
      const key = "fourmaps.table-open." + cardId;
      let store = null;
      try { store = window.sessionStorage; } catch (e) { store = null; }
      const classes = (className || "").split(" ").filter(function (c) {
        return c && c !== "with-table";
      });
      let open;
      if (!n) {  // the page was drawn: as this tab last left it
        if (!store || store.getItem(key) !== "1") return window.dash_clientside.no_update;
        open = true;
      } else {
        open = (className || "").split(" ").indexOf("with-table") < 0;
        if (store) store.setItem(key, open ? "1" : "0");
      }
      if (open) {
        classes.push("with-table");
        window.requestAnimationFrame(function () {
          const card = document.getElementById(cardId);
          if (card && n) card.scrollIntoView({block: "nearest"});
        });
      }
      return [classes.join(" "), open ? "true" : "false"];
    },
    /* A row was selected: centre the risk map on its point, zoom in, and ring it. */
    centre: function (rows, graphId) {
      const nc = window.dash_clientside.no_update;
      if (!rows || !rows.length || rows[0].lon == null) return nc;
      const row = rows[0];
      const box = document.getElementById(graphId);
      const gd = box && box.querySelector(".js-plotly-plot");
      if (!gd || !window.Plotly || !gd.layout || !gd.layout.map) return nc;
      const old = [];
      gd.data.forEach(function (trace, i) { if (trace.name === "__table_pick__") old.push(i); });
      if (old.length) window.Plotly.deleteTraces(gd, old);
      window.Plotly.addTraces(gd, {
        type: "scattermap", mode: "markers", name: "__table_pick__", showlegend: false,
        hoverinfo: "skip", lon: [row.lon], lat: [row.lat],
        marker: { size: 30, color: "rgba(0, 200, 255, 0.45)" },
      });
      const zoom = Math.max((gd._fullLayout.map && gd._fullLayout.map.zoom) || 0, 13);
      window.Plotly.relayout(gd, { "map.center": { lon: row.lon, lat: row.lat }, "map.zoom": zoom });
      return row.code;
    },
  },
});
