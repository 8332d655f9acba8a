/* The map's key, inside its layer list: each layer's symbols beside or under its name, and what its count
 * leaves out (geo/render.py `LayerPanel`, counts from geo/maps.py `legend_counts` in the page's metadata).
 *
 * One panel holds both, so the count a layer's name gives and the count its key gives are the same number (the
 * features drawn), and where the data holds more (features no source locates) the key says how many and where
 * they are listed. The symbols are drawn by heritage.js's own drawing code, so the key cannot drift from the map.
 * Leaflet's layer control rebuilds its list whenever a layer comes or goes; the key is added in `_addItem`, so it
 * is rebuilt with it. Every string goes through HeritageMap.t.
 */
(function () {
  "use strict";

  var ns = window.HeritageMap = window.HeritageMap || {};

  function hm() { return window.HeritageMap; }
  function t(text, values) { return hm().t(text, values); }
  function el(tag, attrs, children) { return hm().el(tag, attrs, children); }

  var ROUTE_KINDS = ["corridor", "bypass", "road", "evacuation"];

  function routeLabel(kind) {
    if (kind === "corridor") return t("Lachin corridor");
    if (kind === "bypass") return t("bypass road");
    if (kind === "road") return t("road");
    if (kind === "evacuation") return t("evacuation route");
    return String(kind).replace(/_/g, " ");
  }

  function count(tally) {
    if (!tally) return "";
    return tally.mapped === tally.total ? String(tally.mapped) : t("{mapped} of {total}", { mapped: tally.mapped, total: tally.total });
  }

  function keyRow(symbol, label, tally) {
    return el("li", { className: "hm-key-row" }, [symbol, el("span", { className: "hm-key-label", text: label }), tally ? el("span", { className: "hm-key-count", text: count(tally) }) : null]);
  }

  function lineSymbol(color, dashed, weight) {
    return hm().symbolCanvas({ weight: 0 }, 8, function (ctx, centre) {
      ctx.beginPath();
      ctx.moveTo(1, centre);
      ctx.lineTo(2 * centre - 1, centre);
      ctx.lineWidth = weight || 4;
      ctx.strokeStyle = color;
      if (dashed) ctx.setLineDash([5, 3]);
      ctx.stroke();
    });
  }

  function missing(tally) {
    if (!tally || tally.total <= tally.mapped) return null;
    return el("li", { className: "hm-key-row hm-key-note", text: t("{total} in all: {missing} with no sourced location, listed under “Not on the map”", { total: tally.total, missing: tally.total - tally.mapped }) });
  }

  function sum(tallies) {
    return tallies.reduce(function (a, b) { return { mapped: a.mapped + b.mapped, total: a.total + b.total }; }, { mapped: 0, total: 0 });
  }

  /* The key of one overlay: a symbol to put before its name (a layer of one symbol), and rows to put under it. */
  function keyFor(layer, legend) {
    var H = hm(), key = layer && layer.legendKey, rows = [], symbol = null;
    if (!key) return null;
    if (key.indexOf("sites:") === 0) {
      var status = key.slice(6);
      symbol = H.symbolCanvas(H.siteStyle(status), 6);
      rows.push(missing(legend.sites && legend.sites[status]));
    } else if (key === "sites") {
      Object.keys(H.STATUS_STYLE).forEach(function (status) {
        var tally = legend.sites && legend.sites[status];
        if (tally && tally.total) rows.push(keyRow(H.symbolCanvas(H.siteStyle(status), 6), H.STATUS_STYLE[status].label, tally));
      });
    } else if (key === "communities:counted") {
      symbol = H.symbolCanvas(H.communityStyle(true, "counted"), 6);
      rows.push(sizeRow());
    } else if (key === "communities:doubted") {
      symbol = H.symbolCanvas(H.communityStyle(true, "doubted"), 6);
    } else if (key === "communities:lost") {
      symbol = H.symbolCanvas(H.communityStyle(false, "lost"), 6);
    } else if (key === "routes") {
      var routes = legend.routes || {}, kinds = Object.keys(routes).sort(function (a, b) { return order(ROUTE_KINDS, a) - order(ROUTE_KINDS, b); });
      var dashed = 0;
      kinds.forEach(function (kind) {
        rows.push(keyRow(lineSymbol(H.routeStyle(kind, false).color, false), routeLabel(kind), routes[kind]));
        dashed += routes[kind].dashed || 0;
      });
      if (dashed) rows.push(keyRow(lineSymbol("#4a4a4a", true), t("dashed: drawn as straight links between sourced waypoints, not along the road"), null));
      rows.push(missing(sum(kinds.map(function (kind) { return routes[kind]; }))));
    } else if (key === "places") {
      var places = legend.places || {}, groups = {};
      Object.keys(places).forEach(function (kind) {
        var group = H.placeGroup(kind);
        groups[group.key] = sum([groups[group.key] || { mapped: 0, total: 0 }, places[kind]]);
      });
      H.PLACE_GROUPS.forEach(function (group) {
        if (groups[group.key] && groups[group.key].mapped) rows.push(keyRow(H.symbolCanvas(group.style, 6), group.label, groups[group.key]));
      });
      rows.push(missing(sum(Object.keys(places).map(function (kind) { return places[kind]; }))));
    } else if (key === "footprints") {
      symbol = H.symbolCanvas({ weight: 0 }, 7, function (ctx, centre) {
        ctx.strokeStyle = "#0072B2";
        ctx.lineWidth = 1.5;
        ctx.strokeRect(2, 3, 2 * centre - 4, 2 * centre - 6);
      });
    }
    return { symbol: symbol, rows: rows.filter(Boolean) };
  }

  function order(list, value) {
    var index = list.indexOf(value);
    return index < 0 ? list.length : index;
  }

  /* Communities are sized by population: three sample circles, drawn at the map's own radii. */
  function sizeRow() {
    var H = hm(), style = H.communityStyle(true, "counted"), samples = [1000, 5000, 13000];
    var symbols = samples.map(function (people) { return H.symbolCanvas(style, H.communityRadius(people)); });
    var text = t("sized by population: {small}, {medium} and {large} or more people", { small: hm().number(1000), medium: hm().number(5000), large: hm().number(13000) });
    return el("li", { className: "hm-key-row hm-key-sizes" }, symbols.concat([el("span", { className: "hm-key-label", text: text })]));
  }

  /* The geography layer's key, under its "Place names" overlay. */
  function contextKey(legend) {
    var rows = [
      keyRow(el("span", { className: "hm-key-sample", "aria-hidden": "true", /* TRANSLATORS: a sample of the place names' lettering, in the page's script */ text: t("Aa") }), t("names of the larger places: bold for {people} people or more", { people: hm().number(legend.town_population || 2000) }), null),
      keyRow(lineSymbol("#5f5850", false, 1.5), t("border between countries (Natural Earth 1:10m); no 2020 line of contact is drawn: no source in the data gives one"), null)
    ];
    return { symbol: null, rows: rows };
  }

  function isContext(layer) {
    return !!(layer && layer._context && layer._context.data && layer._context.data.labels);
  }

  /* What the key says below the layers: the counted marker of several features at one point, the evidence
   * levels, and every feature no source locates. */
  function footer(meta) {
    var H = hm(), box = el("div", { className: "hm-key-footer" });
    var stack = H.symbolCanvas({ weight: 0 }, 8, function (ctx, centre) { H.drawStack(ctx, centre, centre, 3); });
    /* A picture cannot be clicked: it says what the marker is, the page also how to open it. */
    var stackRow = keyRow(stack, t("several sites or places at one point, with their number: select it to list them all"), null);
    stackRow.classList.add("hm-interactive-only");
    box.appendChild(el("ul", { className: "hm-key" }, [stackRow, keyRow(H.symbolCanvas({ weight: 0 }, 8, function (ctx, centre) { H.drawStack(ctx, centre, centre, 3); }), t("several sites or places at one point, with their number"), null)]));
    box.lastChild.lastChild.classList.add("hm-print-only");
    if (meta.verdict_counts) box.appendChild(el("p", { className: "hm-key-note", text: t("Sites by evidence: {levels}", { levels: meta.verdict_counts }) }));
    if ((meta.legend_notes || []).length) {
      /* What the communities' layers count beside the 107 of the 2024 report (geo/reconcile.py). */
      var notes = el("details", { className: "hm-legend-notes" }, [el("summary", { text: meta.legend_summary ? t(meta.legend_summary) : t("What the communities layer counts") })]);
      meta.legend_notes.forEach(function (note) { notes.appendChild(el("p", { className: "hm-key-note", text: t(note) })); });
      box.appendChild(notes);
    }
    if (meta.unlocated && meta.unlocated.length) {
      var details = el("details", { className: "hm-unlocated" }, [el("summary", { text: meta.unlocated_title ? t(meta.unlocated_title) : t("Not on the map (no sourced location): {count}", { count: meta.unlocated.length }) })]);
      var list = el("ul");
      meta.unlocated.forEach(function (u) { list.appendChild(el("li", null, [hm().tNodes(u)])); });
      details.appendChild(list);
      box.appendChild(details);
    }
    return box;
  }

  var LayerPanel = L.Control.Layers.extend({
    onAdd: function (map) {
      var container = L.Control.Layers.prototype.onAdd.call(this, map), meta = hm().state.meta || {};
      L.DomUtil.addClass(container, "hm-layer-panel");
      container.setAttribute("role", "region");
      container.setAttribute("aria-label", t("Layers and legend"));
      container.removeAttribute("aria-haspopup");
      this._section.appendChild(footer(meta));
      /* Folded at first where the page has a panel of its own (the timeline, whose legend is in it). */
      if (hm().fold) hm().fold(container, t("Layers and legend"), "layers", null, !!meta.side_panels);
      return container;
    },

    _addItem: function (obj) {
      var label = L.Control.Layers.prototype._addItem.call(this, obj);
      /* The layer's name in the page's language (the page's metadata maps each English name to its message). */
      var names = (hm().state.meta || {}).layer_names || {}, shown = label.querySelector("span > span") || label.querySelector("span");
      if (names[obj.name] !== undefined && shown) shown.textContent = " " + t(names[obj.name]);
      if (!obj.overlay) return label;
      var legend = (hm().state.meta || {}).legend || {};
      var key = isContext(obj.layer) ? contextKey(legend) : keyFor(obj.layer, legend);
      if (!key) return label;
      if (key.symbol) {
        var name = label.querySelector("span > span");
        name.insertBefore(key.symbol, name.firstChild);
      }
      if (key.rows.length) label.parentNode.insertBefore(el("ul", { className: "hm-key" }, key.rows), label.nextSibling);
      return label;
    }
  });

  /* The layer list with the key (geo/render.py `LayerPanel` calls this with folium's base layers and overlays). */
  ns.layerPanel = function (baseLayers, overlays, options) {
    return new LayerPanel(baseLayers, overlays, options);
  };
})();
