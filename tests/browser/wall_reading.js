() => {
  const px = (sel) => Math.min(...Array.from(document.querySelectorAll(sel)).map((el) => parseFloat(getComputedStyle(el).fontSize)));
  const maps = {};
  document.querySelectorAll('.map-graph').forEach((graph) => {
    const gd = graph.querySelector('.js-plotly-plot');
    const map = gd._fullLayout.map._subplot.map;
    const canvas = map.getCanvas().getBoundingClientRect();
    const outlines = gd._fullData.find((t) => t.meta === 'outlines');
    let x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9;
    const walk = (c) => {
      if (typeof c[0] === 'number') {
        const p = map.project([c[0], c[1]]);
        x0 = Math.min(x0, p.x); x1 = Math.max(x1, p.x); y0 = Math.min(y0, p.y); y1 = Math.max(y1, p.y);
      } else c.forEach(walk);
    };
    outlines.geojson.features.forEach((f) => walk(f.geometry.coordinates));
    const legend = graph.querySelector('.legend').getBoundingClientRect();
    const lx0 = legend.left - canvas.left, lx1 = legend.right - canvas.left;
    const ly0 = legend.top - canvas.top, ly1 = legend.bottom - canvas.top;
    const overlap = Math.max(0, Math.min(x1, lx1) - Math.max(x0, lx0)) * Math.max(0, Math.min(y1, ly1) - Math.max(y0, ly0));
    const cats = gd._fullData.filter((t) => String(t.meta).startsWith('cat:'));
    const sizes = cats.filter((t) => t.marker).map((t) => [t.meta, t.marker.size]);
    const names = gd._fullData.find((t) => t.meta === 'names');
    maps[graph.id] = {panel: [Math.round(canvas.width), Math.round(canvas.height)],
      district: [Math.round(x1 - x0), Math.round(y1 - y0)],
      fill: Math.round(100 * Math.max((x1 - x0) / canvas.width, (y1 - y0) / canvas.height)),
      legendOverlapPx: Math.round(overlap), legendFont: parseFloat(getComputedStyle(graph.querySelector('.legendtext')).fontSize),
      biggest: Math.max(...sizes.map((s) => typeof s[1] === 'number' ? s[1] : 0)),
      smallest: Math.min(...sizes.map((s) => typeof s[1] === 'number' ? s[1] : 99)), names: names.textfont.size};
  });
  return {kfValue: px('.wall .kf-value'), kfLabel: px('.wall .kf-label'), title: px('.wall .map-card h2'), maps};
}
