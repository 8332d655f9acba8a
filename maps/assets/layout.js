/* A map page at every width: panels that fold behind one button each, an embed mode, a list of the sites in
 * view for keyboards and screen readers, and the print layout the picture export photographs.
 *
 * - Folding: the layer list with its key and the list of sites in view each get a button (aria-expanded). Wide
 *   screens open them; narrow ones (the width of heritage.js `narrow`, a phone or a small embed) fold them, open
 *   one at a time, and fold them again when the map is tapped. Escape folds the panel it is pressed in.
 * - Embed mode (?embed=1, marked on <html> by a script in the page's head before anything is drawn): every panel
 *   starts folded at every width, and the title links to the full map in a new tab.
 * - The sites in view: visible heritage sites inside the map's bounds, each a button that opens its popup (a
 *   canvas draws no element per site, so this list is how a keyboard reaches a marker).
 * - printLayout: the overview as a graphics desk prints it (geo/snapshot.py calls it before the picture).
 * Every string goes through HeritageMap.t; every value from the data reaches the page as text.
 */
(function () {
  "use strict";

  var ns = window.HeritageMap = window.HeritageMap || {};
  var panels = [];

  function hm() { return window.HeritageMap; }
  function t(text, values) { return hm().t(text, values); }
  function el(tag, attrs, children) { return hm().el(tag, attrs, children); }

  function embedded() {
    return document.documentElement.classList.contains("hm-embed");
  }

  function folded(panel) {
    return panel.container.classList.contains("hm-folded");
  }

  function setFolded(panel, fold) {
    panel.container.classList.toggle("hm-folded", fold);
    panel.button.setAttribute("aria-expanded", fold ? "false" : "true");
    if (!fold && panel.onOpen) panel.onOpen();
  }

  /* Put `container` (a map control) behind a button named `label`; returns the panel. It starts open on a wide
   * screen unless `closed`. */
  function fold(container, label, name, onOpen, closed) {
    var id = container.id || (container.id = "hm-panel-" + name);
    var button = el("button", { type: "button", className: "hm-fold", "aria-controls": id, "aria-expanded": "true", text: label });
    container.insertBefore(button, container.firstChild);
    container.classList.add("hm-foldable");
    var panel = { container: container, button: button, name: name, onOpen: onOpen };
    button.addEventListener("click", function () {
      var opening = folded(panel);
      if (opening && (hm().narrow() || embedded())) panels.forEach(function (other) { if (other !== panel) setFolded(other, true); });
      setFolded(panel, !opening);
    });
    container.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !folded(panel) && !event.defaultPrevented) {
        event.preventDefault();
        setFolded(panel, true);
        button.focus();
      }
    });
    panels.push(panel);
    panel.closed = !!closed;
    setFolded(panel, closed || hm().narrow() || embedded());
    return panel;
  }

  function foldAll() {
    panels.forEach(function (panel) { setFolded(panel, true); });
  }

  /* The sites shown in the map's view, as buttons; at most LIST_LIMIT, in the legend's order of statuses. */
  var LIST_LIMIT = 200;

  function siteLayers() {
    var state = hm().state;
    return Object.keys(state.layers).map(function (title) { return state.layers[title]; }).filter(function (layer) {
      return layer.heritageKind === "sites" && layer.shownIn && state.map.hasLayer(layer);
    });
  }

  function sitesInView(map, position) {
    var control = L.control({ position: position || "topleft" }), list = el("ul", { className: "hm-site-list" });
    var status = el("p", { className: "hm-site-list-status", role: "status" });
    var box = el("div", { className: "hm-sites-in-view", role: "region", "aria-label": t("Sites in view") }, [status, list]);
    var panel;

    function refresh() {
      if (!panel || folded(panel)) return;
      var bounds = map.getBounds(), found = [], total = 0;
      siteLayers().forEach(function (layer) {
        var shown = layer.shownIn(bounds, LIST_LIMIT);
        total += shown.total;
        shown.indices.forEach(function (i) { found.push({ layer: layer, index: i }); });
      });
      var statuses = Object.keys(hm().STATUS_STYLE);
      found.sort(function (a, b) {
        var ta = a.layer.table(), tb = b.layer.table();
        return statuses.indexOf(ta.value("status", a.index)) - statuses.indexOf(tb.value("status", b.index)) ||
          String(ta.value("name", a.index) || "").localeCompare(String(tb.value("name", b.index) || ""));
      });
      found = found.slice(0, LIST_LIMIT);
      /* The map moved: the list is made again, and a keyboard's place in it kept. */
      var focused = list.contains(document.activeElement) ? document.activeElement.getAttribute("data-hm-key") : null;
      list.textContent = "";
      found.forEach(function (hit) {
        var table = hit.layer.table(), i = hit.index, state = hm().STATUS_STYLE[table.value("status", i)] || hm().STATUS_STYLE.unknown;
        var button = el("button", { type: "button", className: "hm-stack-item", "data-hm-key": hit.layer.heritageTitle + "\n" + i }, [
          hm().symbolCanvas(hm().siteStyle(table.value("status", i)), 5),
          el("span", { className: "hm-stack-name", text: table.value("name", i) || table.value("id", i) }),
          el("span", { className: "hm-stack-detail", text: state.label })
        ]);
        button.addEventListener("click", function () {
          if (hm().narrow() || embedded()) setFolded(panel, true);
          hm().openFeature(hit.layer, i);
        });
        list.appendChild(el("li", null, [button]));
      });
      if (focused) {
        var twin = list.querySelector('[data-hm-key="' + CSS.escape(focused) + '"]');
        (twin || panel.button).focus({ preventScroll: true });
      }
      status.textContent = total > found.length
        ? t("The first {shown} of {total} sites in view: zoom in to list them all.", { shown: found.length, total: total })
        : t("{total} sites in view.", { total: total });
    }

    control.onAdd = function () {
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    control.addTo(map);
    /* Closed at first at every width: it is the way to the markers for a keyboard or a screen reader, and a
     * long list over the map for everyone else. */
    panel = fold(box, t("Sites in view"), "sites", refresh, true);
    map.on("moveend overlayadd overlayremove", refresh);
    return control;
  }

  /* The page's layout (heritage.js `init` calls it once the controls are made). */
  ns.layout = function (map, meta) {
    var container = map.getContainer();
    /* The map is the page's main content, unless the page has its own (a site page's story). */
    container.setAttribute("role", document.querySelector("main") ? "region" : "main");
    var masthead = document.querySelector(".hm-masthead");
    if (embedded() && masthead && !masthead.querySelector(".hm-full-map")) {
      masthead.appendChild(el("a", { className: "hm-full-map", href: fullMapHref(), target: "_blank", rel: "noopener", text: t("Open the full map ↗") }));
    }
    /* An embed's frame is small: the attribution keeps the basemap's and the borders' credits, without Leaflet's. */
    if (embedded() && map.attributionControl) map.attributionControl.setPrefix(false);
    map.on("preclick", function () { if (hm().narrow() || embedded()) foldAll(); });
    var query = window.matchMedia("(max-width: 640px)");
    var onChange = function () { panels.forEach(function (panel) { setFolded(panel, panel.closed || query.matches || embedded()); }); };
    if (query.addEventListener) query.addEventListener("change", onChange);
    return meta;
  };

  /* The page's own address without ?embed=1, as a same-site relative link (its file name, query and view). */
  function fullMapHref() {
    var url = new URL(location.href);
    url.searchParams.delete("embed");
    return (url.pathname.split("/").pop() || "index.html") + url.search + url.hash;
  }

  ns.fold = fold;

  /* Once every control is on the map (geo/render.py `SiteList` calls it after the search box): the list of sites
   * in view, on a map that has sites; and in an embed, the search box folded behind a button too. */
  ns.afterControls = function (map, position) {
    var layers = hm().state.layers;
    if (Object.keys(layers).some(function (title) { return layers[title].heritageKind === "sites"; })) sitesInView(map, position);
    var search = map.getContainer().querySelector(".hm-search");
    if (search && embedded()) fold(search, t("Search"), "search", null, true);
  };

  /* The locator inset: the countries of the geography layer (no tiles needed) and the map's view as a box. */
  function locator(map) {
    var contexts = window.HeritageContext && window.HeritageContext.state.contexts;
    if (!contexts || !contexts.length) return null;
    var countries = contexts[0].countries, svgNs = "http://www.w3.org/2000/svg", width = 180, height = 140;
    var west = Infinity, east = -Infinity, south = Infinity, north = -Infinity;
    function each(feature, visit) {
      var polygons = feature.geometry.type === "Polygon" ? [feature.geometry.coordinates] : feature.geometry.coordinates;
      polygons.forEach(function (polygon) { polygon.forEach(visit); });
    }
    countries.forEach(function (feature) {
      each(feature, function (ring) {
        ring.forEach(function (c) { west = Math.min(west, c[0]); east = Math.max(east, c[0]); south = Math.min(south, c[1]); north = Math.max(north, c[1]); });
      });
    });
    var crs = L.CRS.EPSG3857, min = crs.project(L.latLng(south, west)), max = crs.project(L.latLng(north, east));
    var scale = Math.min(width / (max.x - min.x), height / (max.y - min.y));
    function xy(lat, lon) {
      var p = crs.project(L.latLng(lat, lon));
      return [((p.x - min.x) * scale).toFixed(1), ((max.y - p.y) * scale).toFixed(1)];
    }
    var svg = document.createElementNS(svgNs, "svg");
    svg.setAttribute("viewBox", "0 0 " + ((max.x - min.x) * scale).toFixed(1) + " " + ((max.y - min.y) * scale).toFixed(1));
    svg.setAttribute("class", "hm-locator");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", t("Locator: where the map's view lies"));
    countries.forEach(function (feature) {
      var path = document.createElementNS(svgNs, "path"), d = "";
      each(feature, function (ring) { d += ring.map(function (c, k) { return (k ? "L" : "M") + xy(c[1], c[0]).join(","); }).join("") + "Z"; });
      path.setAttribute("d", d);
      path.setAttribute("fill", "#f3f0e8");
      path.setAttribute("stroke", "#5f5850");
      path.setAttribute("stroke-width", "0.8");
      svg.appendChild(path);
    });
    var view = map.getBounds(), nw = xy(view.getNorth(), view.getWest()), se = xy(view.getSouth(), view.getEast());
    var box = document.createElementNS(svgNs, "rect");
    box.setAttribute("x", nw[0]);
    box.setAttribute("y", nw[1]);
    box.setAttribute("width", String(Math.max(2, se[0] - nw[0])));
    box.setAttribute("height", String(Math.max(2, se[1] - nw[1])));
    box.setAttribute("fill", "none");
    box.setAttribute("stroke", "#1a1a1a");
    box.setAttribute("stroke-width", "2");
    svg.appendChild(box);
    return svg;
  }

  /* The bounds of every feature drawn. */
  function drawnBounds(map) {
    var bounds = L.latLngBounds([]), state = hm().state;
    Object.keys(state.layers).forEach(function (title) {
      var layer = state.layers[title];
      if (!map.hasLayer(layer)) return;
      if (layer.shownIn) {
        var geometry = layer.table().geometry;
        for (var i = 0; i < geometry.x.length; i++) bounds.extend([geometry.y[i], geometry.x[i]]);
      } else if (layer.group) {
        bounds.extend(layer.group().getBounds());
      }
    });
    return bounds;
  }

  /* The overview laid out for a picture: the title and dek, the map fitted to what it draws beside the key of
   * every layer drawn (its checkboxes, the other panels, the zoom and search hidden), the place names, a scale
   * bar, a locator inset, and a credit line naming the monitors and sources with their addresses. `credits` is
   * a list of {text, url}. Returns what the picture says, for the caller to check before taking it. */
  ns.printLayout = function (credits) {
    var H = hm(), map = H.state.map, meta = H.state.meta || {}, root = document.documentElement;
    root.classList.add("hm-print");
    panels.forEach(function (panel) { setFolded(panel, panel.name !== "layers"); });
    if (map._popup) map.closePopup();
    var line = el("div", { className: "hm-print-credit" });
    if (meta.as_of) line.appendChild(el("span", { text: t("Data as of {date}.", { date: meta.as_of }) + " " }));
    line.appendChild(el("span", { text: t("Sources:") + " " }));
    credits.forEach(function (credit, k) {
      line.appendChild(el("span", { className: "hm-print-source", text: t("{source} ({address})", { source: t(credit.text), address: credit.url }) }));
      if (k < credits.length - 1) line.appendChild(document.createTextNode(" · "));
    });
    document.body.appendChild(line);
    map.invalidateSize({ animate: false });
    var panel = document.querySelector(".hm-layer-panel"), size = map.getSize();
    if (panel && panel.offsetHeight > size.y - 20) panel.classList.add("hm-print-two-columns");
    var fits = !panel || panel.offsetHeight <= size.y - 10;
    var right = panel ? panel.offsetWidth + 24 : 24, bounds = drawnBounds(map);
    if (bounds.isValid()) map.fitBounds(bounds, { paddingTopLeft: [24, 24], paddingBottomRight: [Math.min(right, size.x / 2), 24], animate: false, maxZoom: 12 });
    var inset = locator(map);
    if (inset) {
      var frame = el("div", { className: "hm-locator-frame" }, [inset]);
      map.getContainer().appendChild(frame);
    }
    var legend = Array.prototype.map.call(document.querySelectorAll(".hm-layer-panel .leaflet-control-layers-overlays label, .hm-layer-panel .hm-key-row, .hm-layer-panel summary"), function (node) {
      return node.offsetParent === null ? null : node.textContent.trim();
    }).filter(Boolean);
    var masthead = document.querySelector(".hm-masthead");
    return {
      title: masthead ? masthead.querySelector("h1").textContent : "",
      dek: masthead && masthead.querySelector(".hm-dek") ? masthead.querySelector(".hm-dek").textContent : "",
      legend: legend,
      credit: line.textContent,
      locator: !!inset,
      scale: !!document.querySelector(".leaflet-control-scale"),
      legendFits: fits
    };
  };
})();
