/* Browser-side helpers, under one namespace (Dash clientside callbacks). */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  fourmaps: {
    /* The wall clock: date and time in the command centre's time zone. */
    clock: function (_tick, tz, lang) {
      const now = new Date();
      const locale = lang === "en" ? "en-GB" : "zh-CN";
      const date = now.toLocaleDateString(locale, {
        timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit", weekday: "short",
      });
      const time = now.toLocaleTimeString(locale, { timeZone: tz, hour12: false });
      return [
        { namespace: "dash_html_components", type: "Div", props: { className: "clock-time", children: time } },
        { namespace: "dash_html_components", type: "Div", props: { className: "clock-date", children: date } },
      ];
    },
    /* Linked views: when one map is panned or zoomed, the others follow. */
    linkViews: function (relayout, id) {
      const nc = window.dash_clientside.no_update;
      if (!relayout || !("map.center" in relayout || "map.zoom" in relayout)) return nc;
      if (window.__fourmapsLinking) return nc;  // a follower's own relayout: don't echo
      window.__fourmapsLinking = true;
      const source = document.getElementById(id);
      const view = source && source.querySelector(".js-plotly-plot");
      const map = view && view._fullLayout && view._fullLayout.map;
      const moves = [];
      if (map) {
        document.querySelectorAll(".map-graph .js-plotly-plot").forEach(function (plot) {
          if (plot !== view) {
            moves.push(window.Plotly.relayout(plot, {
              "map.center": { lon: map.center.lon, lat: map.center.lat }, "map.zoom": map.zoom,
            }));
          }
        });
      }
      Promise.allSettled(moves).then(function () { window.__fourmapsLinking = false; });
      return nc;
    },
    /* Each map's view in the desk's URL (``view=risk:lon,lat,zoom;forces:...``), so it
       travels through a language switch and into a bookmark. A pan replaces the history
       entry: Back returns to the last filter, not to every pan. */
    viewToUrl: function (relayout, id) {
      const nc = window.dash_clientside.no_update;
      if (!relayout || !("map.center" in relayout || "map.zoom" in relayout)) return nc;
      const source = document.getElementById(id);
      const plot = source && source.querySelector(".js-plotly-plot");
      const map = plot && plot._fullLayout && plot._fullLayout.map;
      if (!map) return nc;
      const params = new URLSearchParams(window.location.search);
      const views = {};
      (params.get("view") || "").split(";").forEach(function (entry) {
        const parts = entry.split(":");
        if (parts.length === 2 && parts[0]) views[parts[0]] = parts[1];
      });
      views[id.replace(/^map-/, "")] = [map.center.lon.toFixed(5), map.center.lat.toFixed(5),
                                        map.zoom.toFixed(2)].join(",");
      params.set("view", Object.keys(views).map(function (k) { return k + ":" + views[k]; })
        .join(";"));
      fourmapsSetUrl(params, false);
      return nc;
    },
  },
});

/* Signed out (the session ended, the user was disabled, the wall's token revoked):
   Dash's own requests then answer 401. Reload, so the page goes to the sign-in
   form, or a wall URL's token signs in again; at most once a minute. */
(function () {
  const fetch0 = window.fetch.bind(window);
  window.fetch = function (input, init) {
    return fetch0(input, init).then(function (response) {
      const url = typeof input === "string" ? input : (input && input.url) || "";
      if (response.status === 401 && url.indexOf("/_dash-") !== -1) {
        const last = Number(sessionStorage.getItem("fourmaps-reloaded") || 0);
        if (Date.now() - last > 60000) {
          sessionStorage.setItem("fourmaps-reloaded", String(Date.now()));
          window.location.reload();
        }
      }
      return response;
    });
  };
})();

/* Picking a location for the open form: the next click on any of the four maps
   fills its longitude and latitude (WGS 84, what the maps are drawn in). */
window.dash_clientside.fourmaps.pickLocation = function (n, waitingText) {
  const nc = window.dash_clientside.no_update;
  if (!n) return nc;
  const maps = fourmapsMaps();
  const set = window.dash_clientside.set_props;
  const picked = function (event) {
    maps.forEach(function (m) { m.off("click", picked); m.getCanvas().style.cursor = ""; });
    document.body.classList.remove("picking");
    set({ type: "edit-field", name: "system" }, { value: "wgs84" });
    set({ type: "edit-field", name: "lon" }, { value: event.lngLat.lng.toFixed(6) });
    set({ type: "edit-field", name: "lat" }, { value: event.lngLat.lat.toFixed(6) });
    set("edit-pick-status", { children: "" });
  };
  maps.forEach(function (m) { m.on("click", picked); m.getCanvas().style.cursor = "crosshair"; });
  document.body.classList.add("picking");
  return waitingText;
};

/* Drawing a hazard area for the open form: each click on a map adds a corner (shown
   as a line on that map), a double-click ends it; the corners go to the form's box. */
window.dash_clientside.fourmaps.drawArea = function (n, waitingText) {
  const nc = window.dash_clientside.no_update;
  if (!n) return nc;
  const maps = fourmapsMaps();
  const corners = [];
  const set = window.dash_clientside.set_props;
  const shape = function () {
    const ring = corners.length > 2 ? corners.concat([corners[0]]) : corners;
    return { type: "FeatureCollection", features: corners.length < 2 ? [] : [{
      type: "Feature", properties: {}, geometry: { type: "LineString", coordinates: ring } }] };
  };
  const show = function (m) {
    if (!m.getSource("fourmaps-draw")) {
      m.addSource("fourmaps-draw", { type: "geojson", data: shape() });
      m.addLayer({ id: "fourmaps-draw", type: "line", source: "fourmaps-draw",
                   paint: { "line-color": "#e02020", "line-width": 3 } });
    } else {
      m.getSource("fourmaps-draw").setData(shape());
    }
  };
  const text = function () {
    return corners.map(function (c) { return c[0].toFixed(6) + "," + c[1].toFixed(6); }).join("\n");
  };
  const click = function (event) {
    corners.push([event.lngLat.lng, event.lngLat.lat]);
    maps.forEach(show);
    set({ type: "edit-field", name: "area" }, { value: text() });
  };
  const done = function (event) {
    event.preventDefault();
    // a double-click also clicked twice: keep one corner where it happened
    const same = function (a, b) { return Math.abs(a[0] - b[0]) + Math.abs(a[1] - b[1]) < 1e-6; };
    while (corners.length > 1 && same(corners[corners.length - 1], corners[corners.length - 2])) {
      corners.pop();
    }
    maps.forEach(function (m) {
      m.off("click", click); m.off("dblclick", done); m.doubleClickZoom.enable();
      m.getCanvas().style.cursor = "";
      if (m.getLayer("fourmaps-draw")) m.removeLayer("fourmaps-draw");
      if (m.getSource("fourmaps-draw")) m.removeSource("fourmaps-draw");
    });
    document.body.classList.remove("picking");
    set({ type: "edit-field", name: "area" }, { value: text() });
    set("edit-draw-status", { children: "" });
  };
  maps.forEach(function (m) {
    m.doubleClickZoom.disable();
    m.on("click", click); m.on("dblclick", done);
    m.getCanvas().style.cursor = "crosshair";
  });
  document.body.classList.add("picking");
  return waitingText;
};

/* The map toolbar's tooltips in the page's language: plotly.js writes them in English
   (its locale files are not served here), as data-title attributes on the buttons. */
(function () {
  const ZH = {
    "Zoom in": "放大", "Zoom out": "缩小", "Reset view": "复位视图", "Pan": "平移",
    "Download plot as a png": "下载为 PNG 图片", "Box Select": "框选", "Lasso Select": "套索选择",
    "Reset": "复位", "Autoscale": "自动缩放", "Zoom": "缩放",
    "Produced with Plotly.js": "由 Plotly.js 绘制",
  };
  function translate(root) {
    root.querySelectorAll(".modebar-btn[data-title]").forEach(function (btn) {
      const holder = btn.closest("[lang]");
      if (!holder || !holder.getAttribute("lang").startsWith("zh")) return;
      const zh = ZH[btn.getAttribute("data-title")];
      if (zh) btn.setAttribute("data-title", zh);
    });
  }
  function start() {
    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        change.addedNodes.forEach(function (node) {
          if (node.nodeType === 1) translate(node.parentElement || node);
        });
      });
    }).observe(document.body, { childList: true, subtree: true });
    translate(document.body);
  }
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();

/* plotly's map subplot of each of the page's map graphs. */
function fourmapsSubplots() {
  const subplots = [];
  document.querySelectorAll(".map-graph .js-plotly-plot").forEach(function (gd) {
    const sub = gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
    if (sub && sub.map) subplots.push(sub);
  });
  return subplots;
}

/* The MapLibre map inside each of the page's map graphs. */
function fourmapsMaps() {
  return fourmapsSubplots().map(function (sub) { return sub.map; });
}

/* The page's URL as the address bar and both language links carry it: ``push`` adds a
   history entry (a filter: Back returns to it), otherwise the entry is replaced (a pan). */
function fourmapsSetUrl(params, push) {
  const search = "?" + params.toString();
  if (search !== window.location.search) {
    const url = window.location.pathname + search;
    if (push) window.history.pushState({}, "", url); else window.history.replaceState({}, "", url);
  }
  ["zh", "en"].forEach(function (lang) {
    const p = new URLSearchParams(params);
    p.set("lang", lang);
    if (document.getElementById("lang-" + lang)) {
      window.dash_clientside.set_props("lang-" + lang, {href: window.location.pathname + "?" + p});
    }
  });
  return search;
}

/* The desk's filter in its URL: pushed to the history (Back returns to the last view,
   a bookmark opens it), and carried by the language links. A new filter re-frames
   the maps, so the view the URL held goes. */
window.dash_clientside.fourmaps.filterToUrl = function (filter) {
  const nc = window.dash_clientside.no_update;
  if (!filter) return nc;
  const params = new URLSearchParams(window.location.search);
  const towns = filter.townships || [];
  if (towns.length) params.set("township", towns.join(",")); else params.delete("township");
  params.set("level", filter.level ? String(filter.level) : "all");
  if (filter.grades === null || filter.grades === undefined) params.delete("grades");
  else params.set("grades", filter.grades.length ? filter.grades.join(",") : "none");
  params.delete("view");
  return fourmapsSetUrl(params, true);
};

/* The filter again once the maps have drawn it: what the panels beside the maps (their
   tables, the ledger's figures, export links) take as their filter. So a township pick
   asks the server for the maps alone, and the browser draws them before it renders the
   panels. A newer filter meanwhile drops this one; after WAIT_MS the panels follow
   whatever the maps are doing. */
(function () {
  const WAIT_MS = 4000;
  const LOADING = '[data-dash-is-loading="true"]';
  let asked = 0;
  function busy() {
    const graphs = Array.from(document.querySelectorAll(".map-graph"));
    if (graphs.some(function (g) {
      return g.closest(LOADING) || g.querySelector(LOADING + ", .dash-graph--pending");
    })) return true;
    const maps = fourmapsMaps();
    return maps.length < graphs.length || maps.some(function (m) {
      return !m.loaded() || m.isMoving() || m._placementDirty || m._frameRequest;
    });
  }
  window.dash_clientside.fourmaps.afterMaps = function (filter) {
    const mine = ++asked;
    const until = performance.now() + WAIT_MS;
    return new Promise(function (resolve, reject) {
      let calm = 0;  // looks in a row that found the maps done (one could fall between steps)
      (function look() {
        if (mine !== asked) return reject(window.dash_clientside.PreventUpdate);
        calm = busy() ? 0 : calm + 1;
        if (calm >= 2 || performance.now() > until) return resolve(filter);
        setTimeout(look, 50);
      })();
    });
  };
})();

/* Warm each map's text and marker pipelines while the page is idle. The first label a
   MapLibre map ever draws costs ~2 s here in software WebGL (its symbol shaders and glyph
   atlas; the font file itself loads in ~5 ms), and at city zoom the first labels come
   with the first township pick. So do the first markers of a fixed size: the city's
   bubbles are sized by their data and a township's points are not, and each kind needs
   a WebGL program of its own (~30 ms a map to link). So once a map has drawn, it draws
   one nearly transparent character in the app's font and one such dot, then removes
   them. */
(function () {
  const warmed = new WeakSet();
  function warm(map) {
    if (warmed.has(map) || window.__fourmapsNoWarmText) return;  // (off: to measure it)
    warmed.add(map);
    const id = "fourmaps-warm-text";
    const start = function () {
      if (map.getLayer(id) || !map.isStyleLoaded()) return;
      const c = map.getCenter();
      map.addSource(id, { type: "geojson", data: { type: "Feature", properties: {},
        geometry: { type: "Point", coordinates: [c.lng, c.lat] } } });
      map.addLayer({ id: id, type: "symbol", source: id, layout: {
        "text-field": "镇", "text-font": ["Open Sans Regular"], "text-size": 12,
        "text-allow-overlap": true }, paint: { "text-opacity": 0.01 } });
      map.addLayer({ id: id + "-dot", type: "circle", source: id,
        paint: { "circle-radius": 1, "circle-opacity": 0.01 } });
      map.once("idle", function () {
        [id + "-dot", id].forEach(function (layer) {
          if (map.getLayer(layer)) map.removeLayer(layer);
        });
        if (map.getSource(id)) map.removeSource(id);
      });
    };
    const later = window.requestIdleCallback || function (f) { return setTimeout(f, 200); };
    later(start, { timeout: 3000 });
  }
  function scan() {
    fourmapsMaps().forEach(function (map) {
      if (!warmed.has(map)) {
        if (map.loaded()) warm(map); else map.once("idle", function () { warm(map); });
      }
    });
  }
  setInterval(scan, 1000);
})();

/* Paint a map once its new data is in, not at every step of loading it. After a pick or
   an update each of a map's sources finishes in turn, and MapLibre painted a frame for
   each: 6-7 frames per map per township pick, and with no GPU each frame is also read
   back from WebGL for the compositor (~40 ms a map). While the map is not being moved
   and has tiles still loading, or labels that just arrived and are placed again in the
   next frame, its painter waits (for at most HOLD_MS, then paints what it has); labels
   appear at once instead of fading in over further frames. A person panning or zooming
   sees every frame as before. */
(function () {
  const HOLD_MS = 1000;
  const held = new WeakSet();
  function hold(map) {
    const painter = map.painter;
    if (held.has(map) || !painter || typeof painter.render !== "function") return;
    if (window.__fourmapsNoHold) return;  // (off: to measure it)
    held.add(map);
    map._fadeDuration = 0;
    const render = painter.render;
    let since = null;
    let again = null;
    painter.render = function (style, options) {
      // Tiles still loading, or labels just arrived (MapLibre places them again next frame).
      if (!map.isMoving() && (!map.loaded() || map._placementDirty)) {
        const now = performance.now();
        if (since === null) since = now;
        if (now - since < HOLD_MS) {
          if (again === null) {  // look again soon, unless a frame was painted meanwhile
            again = setTimeout(function () {
              again = null;
              if (since !== null) map.triggerRepaint();
            }, 50);
          }
          return;
        }
      }
      since = null;
      return render.apply(this, arguments);
    };
  }
  setInterval(function () { fourmapsMaps().forEach(hold); }, 250);
})();

/* Keep each trace's layers in place across updates. plotly leaves a trace's MapLibre
   layers where they are only when its `below` is the trace's own (base_figure gives every
   trace an anchor of its own); when two traces share one it removes and re-adds both
   traces' layers on every update, and MapLibre reloads all their sources. A trace with no
   points is hidden, and plotly's lookup hands a hidden trace the `below` of the trace
   before it: so at every township pick the outlines, the names and more were rebuilt. A
   hidden trace gets a name of its own before the lookup. */
(function () {
  let patched = false;
  function patch(subplot) {
    const proto = Object.getPrototypeOf(subplot);
    patched = true;
    if (proto.__fourmapsBelow || typeof proto.fillBelowLookup !== "function") return;
    proto.__fourmapsBelow = true;
    const fill = proto.fillBelowLookup;
    proto.fillBelowLookup = function (calcData, fullLayout) {
      calcData.forEach(function (cd) {
        const trace = cd[0] && cd[0].trace;
        if (trace && trace.visible !== true && typeof trace.below !== "string") {
          trace.below = "fourmaps-hidden-" + trace.uid;
        }
      });
      return fill.call(this, calcData, fullLayout);
    };
  }
  const look = setInterval(function () {  // once: every map subplot shares the prototype
    fourmapsSubplots().forEach(patch);
    if (patched) clearInterval(look);
  }, 250);
})();
