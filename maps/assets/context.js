/* Geography without the network: the payload geo/context.py embeds, drawn with no basemap tiles.
 *
 * Under the basemap (pane hm-context, below Leaflet's tile pane): the land,
 * the borders between countries and the countries' names, decoded from
 * TopoJSON by topojson-client. Opaque tiles hide all of it where they load;
 * where they do not (--tiles none, offline, a tile still loading) it shows.
 * Above the data (pane hm-labels, the "Place names" overlay): the names of
 * the larger places, placed without hover in the payload's order, each
 * dropped where it would overlap one already placed (a greedy declutter by
 * screen box, redone at every zoom). Every name reaches the page through
 * textContent. Decisions: docs/ARCHITECTURE.md, "Geography without the network".
 */
(function () {
  "use strict";

  var UNDERLAY_PANE = "hm-context";
  var LABEL_PANE = "hm-labels";
  /* Below the tile pane (200), so tiles cover the underlay; the labels above the data's canvas (400) and
   * under markers, tooltips and popups (600-700). */
  var UNDERLAY_Z = 150, LABEL_Z = 450;
  var LAND_STYLE = { stroke: false, fill: true, fillColor: "#f3f0e8", fillOpacity: 1, interactive: false };
  var BORDER_STYLE = { color: "#5f5850", weight: 1.5, opacity: 1, fill: false, lineCap: "round", lineJoin: "round", interactive: false };
  /* Pixels between a place's point and its label, and the box kept free around a labelled point. */
  var GAP = 5, DOT = 3;
  /* Where a label may go around its point, in the order tried: right, left, above, below. */
  var SPOTS = [
    function (p, w, h) { return L.bounds([p.x + GAP, p.y - h / 2], [p.x + GAP + w, p.y + h / 2]); },
    function (p, w, h) { return L.bounds([p.x - GAP - w, p.y - h / 2], [p.x - GAP, p.y + h / 2]); },
    function (p, w, h) { return L.bounds([p.x - w / 2, p.y - GAP - h], [p.x + w / 2, p.y - GAP]); },
    function (p, w, h) { return L.bounds([p.x - w / 2, p.y + GAP], [p.x + w / 2, p.y + GAP + h]); }
  ];
  /* The zoom from which each tier's names are placed: towns and the routes' settlements at every zoom, the
   * other communities from zoom 10, where a village's name no longer hides the symbols around it. */
  var TIER_MIN_ZOOM = { 1: 0, 2: 0, 3: 10 };
  /* Country names: candidate points on a grid of this many pixels over the view. */
  var GRID = 24;

  function readPayload(id) {
    return JSON.parse(document.getElementById(id).textContent);
  }

  function paneFor(map, name, zIndex) {
    var pane = map.getPane(name) || map.createPane(name);
    pane.style.zIndex = String(zIndex);
    pane.style.pointerEvents = "none";
    return pane;
  }

  function collides(box, boxes) {
    for (var i = 0; i < boxes.length; i++) if (boxes[i].intersects(box)) return true;
    return false;
  }

  /* A place's name is the data's (in English): marked so, whatever the page's language. */
  function placeName(node) {
    node.lang = "en";
    return node;
  }

  function labelNode(className, text, pane) {
    var node = L.DomUtil.create("div", className + " leaflet-zoom-hide", pane);
    node.textContent = text;
    return node;
  }

  /* The map's controls (zoom, search, legend, layers...) as boxes in layer pixels: a country's name is not put
   * under them. */
  function controlBoxes(map) {
    var container = map.getContainer(), frame = container.getBoundingClientRect();
    return Array.prototype.map.call(container.querySelectorAll(".leaflet-control"), function (control) {
      var r = control.getBoundingClientRect();
      return L.bounds(map.containerPointToLayerPoint([r.left - frame.left, r.top - frame.top]), map.containerPointToLayerPoint([r.right - frame.left, r.bottom - frame.top]));
    });
  }

  /* Even-odd rule over every ring of a country (outer rings and holes alike). */
  function inside(rings, x, y) {
    var within = false;
    for (var r = 0; r < rings.length; r++) {
      var ring = rings[r];
      if (!ring.bounds.contains([x, y])) continue;
      var pts = ring.points;
      for (var i = 0, j = pts.length - 1; i < pts.length; j = i++) {
        var a = pts[i], b = pts[j];
        if ((a.y > y) !== (b.y > y) && x < (b.x - a.x) * (y - a.y) / (b.y - a.y) + a.x) within = !within;
      }
    }
    return within;
  }

  function distanceToEdges(rings, x, y, limit) {
    var best = limit * limit;
    for (var r = 0; r < rings.length; r++) {
      var ring = rings[r], b = ring.bounds;
      if (x < b.min.x - limit || x > b.max.x + limit || y < b.min.y - limit || y > b.max.y + limit) continue;
      var pts = ring.points;
      for (var i = 0, j = pts.length - 1; i < pts.length; j = i++) {
        var a = pts[j], c = pts[i], dx = c.x - a.x, dy = c.y - a.y, len = dx * dx + dy * dy;
        var t = len ? Math.max(0, Math.min(1, ((x - a.x) * dx + (y - a.y) * dy) / len)) : 0;
        var ex = a.x + t * dx - x, ey = a.y + t * dy - y, d = ex * ex + ey * ey;
        if (d < best) best = d;
      }
    }
    return Math.sqrt(best);
  }

  /* One map's context: the countries and the borders between them, decoded once. */
  function Context(map, data) {
    var topology = data.topology, object = topology.objects.countries;
    this.map = map;
    this.data = data;
    this.countries = topojson.feature(topology, object).features;
    /* An arc two countries share is a border; an arc of one country only is the edge of the clip box (or a coast). */
    this.borders = topojson.mesh(topology, object, function (a, b) { return a !== b; });
    this.placed = [];
  }

  /* The countries' rings in layer pixels at the current zoom, each with its bounds. */
  Context.prototype.projected = function () {
    var map = this.map, zoom = map.getZoom();
    if (this._projectedZoom === zoom && this._projectedOrigin.equals(map.getPixelOrigin())) return this._projected;
    this._projected = this.countries.map(function (feature) {
      var polygons = feature.geometry.type === "Polygon" ? [feature.geometry.coordinates] : feature.geometry.coordinates;
      var rings = [];
      polygons.forEach(function (polygon) {
        polygon.forEach(function (ring) {
          var points = ring.map(function (c) { return map.latLngToLayerPoint([c[1], c[0]]); });
          rings.push({ points: points, bounds: L.bounds(points) });
        });
      });
      return { name: feature.properties.name, rings: rings };
    });
    this._projectedZoom = zoom;
    this._projectedOrigin = map.getPixelOrigin();
    return this._projected;
  };

  /* Land, borders and country names, under the basemap. Not in the layer control: with tiles it is hidden
   * under them, and without tiles it is the map's ground. */
  var Underlay = L.Layer.extend({
    initialize: function (context) {
      this._context = context;
    },

    onAdd: function (map) {
      var context = this._context, pane = paneFor(map, UNDERLAY_PANE, UNDERLAY_Z);
      var renderer = L.svg({ pane: UNDERLAY_PANE, padding: 0.5 });
      this._land = L.geoJSON({ type: "FeatureCollection", features: context.countries }, { renderer: renderer, style: function () { return LAND_STYLE; }, interactive: false });
      this._borders = L.geoJSON(context.borders, { renderer: renderer, style: function () { return BORDER_STYLE; }, interactive: false });
      this._land.addTo(map);
      this._nodes = context.countries.map(function (feature) { return labelNode("hm-country-label", HeritageMap.t(feature.properties.name), pane); });
      this._showBorders();
      /* On the next frame: the page adds its controls (legend, credits) after its layers, and names avoid them. */
      L.Util.requestAnimFrame(this.layoutCountries, this);
    },

    onRemove: function (map) {
      map.removeLayer(this._land);
      map.removeLayer(this._borders);
      this._nodes.forEach(function (node) { L.DomUtil.remove(node); });
    },

    getEvents: function () {
      return { zoomend: this._showBorders, moveend: this.layoutCountries, resize: this.layoutCountries };
    },

    /* Leaflet writes attributions as HTML: the link is built as an element, its address checked by the
     * pages' one link rule (heritage.js `isSafeHref`), and serialised, so nothing in it is parsed as markup. */
    getAttribution: function () {
      var url = this._context.data.source.url, anchor = document.createElement("a");
      anchor.textContent = "Natural Earth";
      if (window.HeritageMap && window.HeritageMap.isSafeHref(url)) anchor.setAttribute("href", url);
      return anchor.outerHTML;
    },

    /* The 1:10m line is generalised: beyond `border_max_zoom` its own error (a border village can fall half a
     * kilometre on the wrong side) would be several pixels, so it is not drawn there. */
    _showBorders: function () {
      var map = this._map, show = map.getZoom() <= this._context.data.border_max_zoom;
      if (show && !map.hasLayer(this._borders)) this._borders.addTo(map);
      if (!show && map.hasLayer(this._borders)) map.removeLayer(this._borders);
    },

    /* Each country's name at the grid point of the view farthest inside it (from its edges and the view's),
     * skipping points where the name would overlap a place's name or leave the country. */
    layoutCountries: function () {
      var map = this._map, context = this._context;
      if (!map) return;
      var origin = map.containerPointToLayerPoint([0, 0]), size = map.getSize();
      var view = L.bounds(origin, origin.add(size));
      var countries = context.projected(), nodes = this._nodes, candidates = countries.map(function () { return []; });
      for (var y = origin.y + GRID / 2; y < view.max.y; y += GRID) {
        for (var x = origin.x + GRID / 2; x < view.max.x; x += GRID) {
          for (var k = 0; k < countries.length; k++) {
            if (!inside(countries[k].rings, x, y)) continue;
            var room = Math.min(x - view.min.x, view.max.x - x, y - view.min.y, view.max.y - y);
            candidates[k].push({ x: x, y: y, room: distanceToEdges(countries[k].rings, x, y, room) });
            break;
          }
        }
      }
      var placed = context.placed.concat(controlBoxes(map));
      var order = countries.map(function (_, k) { return k; }).sort(function (a, b) { return candidates[b].length - candidates[a].length; });
      nodes.forEach(function (node) { node.style.display = "none"; });
      order.forEach(function (k) {
        var node = nodes[k], rings = countries[k].rings;
        node.style.display = "";
        var w = node.offsetWidth, h = node.offsetHeight, spot = null;
        candidates[k].sort(function (a, b) { return b.room - a.room; });
        for (var i = 0; i < candidates[k].length && !spot; i++) {
          var c = candidates[k][i];
          if (c.room < h / 2 + 2) break;
          var box = L.bounds([c.x - w / 2, c.y - h / 2], [c.x + w / 2, c.y + h / 2]);
          if (!view.contains(box) || collides(box, placed)) continue;
          if (!inside(rings, box.min.x, box.min.y) || !inside(rings, box.max.x, box.min.y) ||
              !inside(rings, box.min.x, box.max.y) || !inside(rings, box.max.x, box.max.y)) continue;
          spot = box;
        }
        if (spot) {
          placed.push(spot);
          L.DomUtil.setPosition(node, spot.min.round());
        } else {
          node.style.display = "none";
        }
      });
    }
  });

  /* The place names above the data: the "Place names" overlay of the layer control. */
  var PlaceLabels = L.Layer.extend({
    initialize: function (context, underlay) {
      this._context = context;
      this._underlay = underlay;
    },

    onAdd: function (map) {
      var pane = paneFor(map, LABEL_PANE, LABEL_Z);
      if (!this._items) {
        this._items = this._context.data.labels.map(function (label) {
          return { label: label, latlng: L.latLng(label.lat, label.lon), node: placeName(labelNode("hm-place-label hm-place-tier-" + label.tier, label.text, pane)) };
        });
        /* Measured once, all in one layout pass: the names do not change. */
        this._items.forEach(function (item) { item.width = item.node.offsetWidth; item.height = item.node.offsetHeight; });
      } else {
        this._items.forEach(function (item) { pane.appendChild(item.node); });
      }
      this._layout();
      this._underlay.layoutCountries();
    },

    onRemove: function () {
      this._items.forEach(function (item) { L.DomUtil.remove(item.node); });
      this._context.placed = [];
      this._underlay.layoutCountries();
    },

    getEvents: function () {
      return { zoomend: this._layout, viewreset: this._layout };
    },

    /* Greedy, in the payload's order (towns, the routes' settlements, other communities): each label takes the
     * first spot around its point that overlaps no label or labelled point already placed, or is not shown.
     * On a zoom this runs at zoomend, before the underlay places the country names at moveend. */
    _layout: function () {
      var map = this._map, zoom = map.getZoom(), placed = [];
      this._items.forEach(function (item) {
        var p = map.latLngToLayerPoint(item.latlng), dot = L.bounds([p.x - DOT, p.y - DOT], [p.x + DOT, p.y + DOT]), spot = null;
        if (zoom >= (TIER_MIN_ZOOM[item.label.tier] || 0) && !collides(dot, placed)) {
          for (var s = 0; s < SPOTS.length && !spot; s++) {
            var box = SPOTS[s](p, item.width, item.height);
            if (!collides(box, placed)) spot = box;
          }
        }
        item.shown = !!spot;
        if (spot) {
          placed.push(spot, dot);
          L.DomUtil.setPosition(item.node, spot.min.round());
          item.node.style.display = "";
        } else {
          item.node.style.display = "none";
        }
      });
      this._context.placed = placed;
    },

    /* The names shown, in placement order (for tests). */
    shown: function () {
      return (this._items || []).filter(function (item) { return item.shown; }).map(function (item) { return item.label.text; });
    }
  });

  var state = { contexts: [] };

  /* The context of one map from the JSON block `dataId`: the underlay is added at once; the place names are
   * returned as a layer for the caller (and the layer control) to add. */
  function layer(map, dataId) {
    var context = new Context(map, readPayload(dataId));
    var underlay = new Underlay(context).addTo(map);
    var labels = new PlaceLabels(context, underlay);
    context.underlay = underlay;
    context.labels = labels;
    state.contexts.push(context);
    return labels;
  }

  window.HeritageContext = { layer: layer, state: state };
})();
