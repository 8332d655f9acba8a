/* Heritage map: draws the data payloads that geo/render.py embeds in a page.
 *
 * Every value from the data reaches the page through textContent or a
 * checked href, never through innerHTML, so markup in a name or a note shows
 * as text. Points are drawn on one canvas, so a map of 100,000 sites stays a
 * few DOM nodes.
 */
(function () {
  "use strict";

  var STATUS_STYLE = {
    destroyed: { color: "#D55E00", shape: "square", label: "Destroyed" },
    damaged: { color: "#E69F00", shape: "triangle", label: "Damaged" },
    threatened: { color: "#CC79A7", shape: "diamond", label: "Threatened" },
    intact: { color: "#009E73", shape: "circle", label: "Intact" },
    unknown: { color: "#6E6E6E", shape: "ring", label: "Unknown" }
  };
  var ROUTE_COLOR = { corridor: "#0072B2", bypass: "#56B4E9", road: "#6E6E6E", evacuation: "#D55E00" };

  var state = { map: null, layers: {}, byId: {}, searchable: [], meta: {} };

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        if (key === "text") node.textContent = attrs[key];
        else if (key === "className") node.className = attrs[key];
        else node.setAttribute(key, attrs[key]);
      });
    }
    (children || []).forEach(function (child) {
      if (child !== null && child !== undefined) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  /* Web links, or relative links with no scheme at all: never javascript: or data:. */
  function isSafeHref(value) {
    return typeof value === "string" && (/^https?:\/\/[^\s]+$/i.test(value) || /^[A-Za-z0-9._\/#=-]+$/.test(value));
  }

  function link(value, text) {
    if (!isSafeHref(value)) return el("span", { text: String(value) });
    return el("a", { href: value, target: "_blank", rel: "noopener noreferrer", text: text || value });
  }

  function readPayload(id) {
    var node = document.getElementById(id);
    return JSON.parse(node.textContent);
  }

  /* A canvas marker whose shape says its status, so colour is never the only cue. */
  var ShapeMarker = L.CircleMarker.extend({
    options: { shape: "circle" },
    _updatePath: function () {
      if (this._renderer._drawShape && this.options.shape !== "circle") this._renderer._drawShape(this);
      else this._renderer._updateCircle(this);
    }
  });

  L.Canvas.include({
    _drawShape: function (layer) {
      if (!this._drawing || layer._empty()) return;
      var p = layer._point, r = layer._radius, ctx = this._ctx, shape = layer.options.shape;
      this._layers[layer._leaflet_id] = layer;
      ctx.beginPath();
      if (shape === "square") {
        ctx.rect(p.x - r, p.y - r, 2 * r, 2 * r);
      } else if (shape === "triangle") {
        ctx.moveTo(p.x, p.y - 1.2 * r);
        ctx.lineTo(p.x + 1.1 * r, p.y + 0.9 * r);
        ctx.lineTo(p.x - 1.1 * r, p.y + 0.9 * r);
        ctx.closePath();
      } else if (shape === "diamond") {
        ctx.moveTo(p.x, p.y - 1.3 * r);
        ctx.lineTo(p.x + 1.3 * r, p.y);
        ctx.lineTo(p.x, p.y + 1.3 * r);
        ctx.lineTo(p.x - 1.3 * r, p.y);
        ctx.closePath();
      } else {
        ctx.arc(p.x, p.y, r, 0, Math.PI * 2, false);
      }
      this._fillStroke(ctx, layer);
    }
  });

  function siteStyle(props) {
    var style = STATUS_STYLE[props.status] || STATUS_STYLE.unknown;
    var ring = style.shape === "ring";
    return {
      shape: ring ? "circle" : style.shape, radius: 7, color: ring ? style.color : "#1a1a1a", weight: ring ? 3 : 1,
      fillColor: style.color, fillOpacity: ring ? 0.15 : 0.95
    };
  }

  function communityStyle(props) {
    var population = typeof props.population === "number" ? props.population : 0;
    var held = props.in_aug_2023 === true;
    return {
      shape: "circle", radius: Math.max(4, Math.min(22, 3 + Math.sqrt(population) / 6)),
      color: held ? "#0072B2" : "#6E6E6E", weight: 1.5, fillColor: held ? "#56B4E9" : "#BBBBBB", fillOpacity: 0.35
    };
  }

  function placeStyle() {
    return { shape: "diamond", radius: 6, color: "#ffffff", weight: 1.5, fillColor: "#1a1a1a", fillOpacity: 0.9 };
  }

  function namesBlock(props) {
    var names = el("div", { className: "hm-names" }, [el("strong", { className: "hm-name", text: props.name || props.id })]);
    if (props.name_hy) names.appendChild(el("div", { lang: "hy", className: "hm-name-hy", text: props.name_hy }));
    if (props.name_az) names.appendChild(el("div", { lang: "az", className: "hm-name-az", text: props.name_az }));
    return names;
  }

  function row(label, value) {
    if (value === null || value === undefined || value === "") return null;
    return el("div", { className: "hm-row" }, [el("span", { className: "hm-label", text: label + ": " }), typeof value === "string" ? el("span", { text: value }) : value]);
  }

  function listBlock(title, items, render) {
    if (!items || !items.length) return null;
    var list = el("ul", { className: "hm-list" });
    items.forEach(function (item) { list.appendChild(el("li", null, [render(item)])); });
    return el("div", { className: "hm-block" }, [el("div", { className: "hm-label", text: title }), list]);
  }

  function sceneText(scene) {
    if (!scene) return null;
    var parts = [scene.date || "date unstated", "provider: " + (scene.provider || "unstated")];
    if (scene.sensor) parts.push("sensor: " + scene.sensor);
    if (scene.gsd) parts.push("resolution: " + scene.gsd + " m");
    if (scene.coverage === "asserted") parts.push("coverage asserted by the source (no footprint)");
    return parts.join(" · ");
  }

  function precisionText(props) {
    var p = props.coord_precision;
    if (p === "site") return "at the site";
    if (p === "settlement") return "approximate: the point is the settlement's, not the site's";
    if (p === "community") return "approximate: the point is the community's it belongs to";
    if (p === "approximate") return "approximate";
    return null;
  }

  function sitePopup(props) {
    var style = STATUS_STYLE[props.status] || STATUS_STYLE.unknown;
    var statusLine = el("div", { className: "hm-status" }, [
      el("span", { className: "hm-swatch", style: "background:" + style.color }),
      el("strong", { text: style.label }),
      props.status_date ? " as of " + props.status_date : "",
      props.verdict ? el("span", { className: "hm-verdict hm-verdict-" + props.verdict, text: props.verdict_label || props.verdict }) : null
    ]);
    var body = [
      namesBlock(props),
      el("div", { className: "hm-sub", text: [props.type_label, props.settlement].filter(Boolean).join(" · ") }),
      statusLine,
      row("Published by", props.published_by),
      props.pending ? el("div", { className: "hm-pending", text: props.pending + " newer observation(s) under review" }) : null,
      row("Before", sceneText(props.before)),
      row("After", sceneText(props.after)),
      listBlock("Status history", props.history, function (h) {
        return el("span", { text: [h.observed_on, h.status, h.verdict_label || "", h.published_by ? "(" + h.published_by + ")" : ""].filter(Boolean).join(" · ") });
      }),
      row("Location", precisionText(props)),
      listBlock("Evidence", props.evidence, function (url) { return link(url); }),
      listBlock("Sources", props.sources, function (url) { return link(url); })
    ];
    if (props.page) body.push(el("div", { className: "hm-more" }, [el("a", { href: props.page, text: "Site story, history and imagery" })]));
    return el("div", { className: "hm-popup", lang: "en" }, body);
  }

  function communityPopup(props) {
    return el("div", { className: "hm-popup", lang: "en" }, [
      namesBlock(props),
      row("Province", props.province),
      row("Population", typeof props.population === "number" ? props.population.toLocaleString("en") + (props.population_year ? " (" + props.population_year + ")" : "") : "not given by the sources"),
      row("Held until", props.held_until === "2023-09" ? "September 2023" : props.held_until),
      row("Part of", props.part_of),
      row("Location", precisionText(props)),
      row("Coordinate warning", props.coord_warning),
      row("Note", props.note),
      listBlock("Sources", props.sources, function (url) { return link(url); })
    ]);
  }

  function routePopup(props) {
    return el("div", { className: "hm-popup", lang: "en" }, [
      el("strong", { text: props.name }),
      row("In use", (props.active_from || "?") + " to " + (props.active_to || "")),
      row("Drawn", props.geometry_precision === "waypoints" ? "straight links between sourced waypoints, not the road's course" : props.geometry_precision),
      listBlock("Waypoints", props.waypoints, function (w) { return el("span", { text: w }); }),
      listBlock("Sources", props.sources, function (url) { return link(url); })
    ]);
  }

  function placePopup(props) {
    return el("div", { className: "hm-popup", lang: "en" }, [
      namesBlock(props),
      row("Kind", props.kind),
      row("Date", props.event_date),
      row("Location", precisionText(props)),
      row("Note", props.note),
      listBlock("Sources", props.sources, function (url) { return link(url); })
    ]);
  }

  function footprintPopup(props) {
    return el("div", { className: "hm-popup", lang: "en" }, [
      el("strong", { text: props.id }),
      row("Scene", sceneText(props))
    ]);
  }

  var KINDS = {
    sites: { popup: sitePopup, style: siteStyle },
    communities: { popup: communityPopup, style: communityStyle },
    places: { popup: placePopup, style: placeStyle },
    routes: { popup: routePopup },
    footprints: { popup: footprintPopup }
  };

  function tooltipFor(props) {
    var label = props.name || props.id;
    if (props.name_hy) label += " / " + props.name_hy;
    return el("span", { text: label });
  }

  /* One overlay from one JSON payload; returns the L.GeoJSON layer. */
  function dataLayer(map, dataId, kind, title) {
    var data = readPayload(dataId);
    var spec = KINDS[kind];
    var renderer = state.renderer || (state.renderer = L.canvas({ padding: 0.5 }));
    var entries = [];
    var layer = L.geoJSON(data, {
      renderer: renderer,
      pointToLayer: function (feature, latlng) {
        return new ShapeMarker(latlng, L.extend({ renderer: renderer, interactive: true }, spec.style(feature.properties)));
      },
      style: function (feature) {
        if (spec.style) return spec.style(feature.properties);
        if (kind === "routes") {
          return { color: ROUTE_COLOR[feature.properties.kind] || "#333", weight: 4, opacity: 0.85, dashArray: feature.properties.geometry_precision === "waypoints" ? "8 6" : null };
        }
        return { color: "#0072B2", weight: 1, fillOpacity: 0.05 };
      },
      onEachFeature: function (feature, featureLayer) {
        var props = feature.properties;
        featureLayer.bindPopup(function () { return spec.popup(props); }, { maxWidth: 360, autoPanPadding: [20, 20] });
        featureLayer.bindTooltip(function () { return tooltipFor(props); });
        featureLayer.on("popupopen", function () { setHashSite(kind === "sites" ? props.id : null); });
        featureLayer.on("popupclose", function () { setHashSite(null); });
        entries.push({ props: props, layer: featureLayer, title: title });
      }
    });
    entries.forEach(function (entry) {
      entry.group = layer;
      if (kind !== "footprints") state.searchable.push(entry);
      if (kind === "sites") state.byId[entry.props.id] = entry;
    });
    layer.heritageKind = kind;
    layer.heritageTitle = title;
    state.layers[title] = layer;
    return layer;
  }

  function openFeature(entry) {
    if (!state.map.hasLayer(entry.group)) state.map.addLayer(entry.group);
    var latlng = entry.layer.getLatLng ? entry.layer.getLatLng() : entry.layer.getBounds().getCenter();
    state.map.setView(latlng, Math.max(state.map.getZoom(), 12));
    entry.layer.openPopup(latlng);
  }

  function setHashSite(id) {
    if (!state.meta.deep_links) return;
    var params = new URLSearchParams(location.hash.replace(/^#/, ""));
    if (id) params.set("site", id); else params.delete("site");
    var c = state.map.getCenter();
    params.set("map", state.map.getZoom() + "/" + c.lat.toFixed(5) + "/" + c.lng.toFixed(5));
    history.replaceState(null, "", "#" + params.toString());
  }

  function applyHash() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ""));
    var view = (params.get("map") || "").split("/").map(Number);
    if (view.length === 3 && view.every(isFinite)) state.map.setView([view[1], view[2]], view[0]);
    var site = params.get("site");
    if (site && state.byId[site]) openFeature(state.byId[site]);
  }

  function normalise(text) {
    return String(text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function searchControl() {
    var control = L.control({ position: "topleft" });
    control.onAdd = function () {
      var box = el("div", { className: "hm-search leaflet-bar", role: "search" });
      var label = el("label", { "for": "hm-search-input", className: "hm-visually-hidden", text: "Search by name (Latin, Armenian or Azerbaijani script)" });
      var input = el("input", { id: "hm-search-input", type: "search", placeholder: "Search by name…", autocomplete: "off", "aria-label": "Search by name in Latin, Armenian or Azerbaijani script" });
      var results = el("ul", { className: "hm-results", role: "listbox", id: "hm-search-results" });
      box.appendChild(label);
      box.appendChild(input);
      box.appendChild(results);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      input.addEventListener("input", function () {
        results.textContent = "";
        var query = normalise(input.value.trim());
        if (query.length < 2) return;
        var hits = state.searchable.filter(function (entry) {
          var p = entry.props;
          return [p.name, p.name_hy, p.name_az, p.id].some(function (n) { return normalise(n).indexOf(query) !== -1; });
        }).slice(0, 12);
        hits.forEach(function (entry) {
          var p = entry.props;
          var button = el("button", { type: "button", className: "hm-result", text: [p.name, p.name_hy, p.name_az].filter(Boolean).join(" / ") + " (" + entry.title + ")" });
          button.addEventListener("click", function () { openFeature(entry); });
          results.appendChild(el("li", { role: "option" }, [button]));
        });
        if (!hits.length) results.appendChild(el("li", { className: "hm-noresult", text: "No match" }));
      });
      return box;
    };
    return control;
  }

  function legendControl(meta) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var box = el("div", { className: "hm-legend", role: "region", "aria-label": "Legend" });
      box.appendChild(el("div", { className: "hm-legend-title", text: meta.legend_title || "Heritage sites by status" }));
      (meta.status_counts || []).forEach(function (entry) {
        var style = STATUS_STYLE[entry.status] || STATUS_STYLE.unknown;
        var swatch = el("span", { className: "hm-shape hm-shape-" + style.shape, style: "--hm-color:" + style.color, "aria-hidden": "true" });
        box.appendChild(el("div", { className: "hm-legend-row", "data-status": entry.status }, [swatch, el("span", { text: style.label + ": " }), el("span", { className: "hm-count", text: String(entry.count) })]));
      });
      if (meta.verdict_counts) {
        box.appendChild(el("div", { className: "hm-legend-note", text: meta.verdict_counts }));
      }
      if (meta.unlocated && meta.unlocated.length) {
        var details = el("details", { className: "hm-unlocated" }, [el("summary", { text: "Not on the map (no sourced location): " + meta.unlocated.length })]);
        var list = el("ul");
        meta.unlocated.forEach(function (u) { list.appendChild(el("li", { text: u })); });
        details.appendChild(list);
        box.appendChild(details);
      }
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    return control;
  }

  function creditsControl(meta) {
    var control = L.control({ position: "bottomleft" });
    control.onAdd = function () {
      var details = el("details", { className: "hm-credits" }, [el("summary", { text: (meta.title || "Heritage map") + (meta.as_of ? " · data as of " + meta.as_of : "") + " · sources and credits" })]);
      if (meta.about) details.appendChild(el("p", { text: meta.about }));
      var list = el("ul");
      (meta.credits || []).forEach(function (c) { list.appendChild(el("li", null, [c.url ? link(c.url, c.text) : el("span", { text: c.text })])); });
      details.appendChild(list);
      L.DomEvent.disableClickPropagation(details);
      L.DomEvent.disableScrollPropagation(details);
      return details;
    };
    return control;
  }

  /* The timeline: one slider over every dated event; layers show what stood on that day. */
  function startOf(value) {
    return value ? String(value).split("/")[0] : null;
  }

  function statusOn(props, day) {
    var status = null;
    (props.history || []).forEach(function (h) { if (h.observed_on && h.observed_on <= day) status = h.status; });
    return status;
  }

  function visibleOn(kind, props, day) {
    if (kind === "routes") return (!props.active_from || props.active_from <= day) && (!props.active_to || props.active_to >= day);
    if (kind === "places") return !props.event_date || startOf(props.event_date) <= day;
    if (kind === "sites") return statusOn(props, day) !== null;
    return true;
  }

  function refugeeChart(rows, day) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    var width = 300, height = 90, max = 0;
    rows.forEach(function (r) { max = Math.max(max, r.figure); });
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "Cumulative arrivals in Armenia, as reported");
    rows.forEach(function (r, i) {
      var bar = document.createElementNS(ns, "rect");
      var h = max ? (r.figure / max) * (height - 10) : 0;
      var w = width / rows.length;
      bar.setAttribute("x", String(i * w + 1));
      bar.setAttribute("y", String(height - h));
      bar.setAttribute("width", String(Math.max(1, w - 2)));
      bar.setAttribute("height", String(h));
      bar.setAttribute("fill", r.date <= day ? "#0072B2" : "#d0d0d0");
      var title = document.createElementNS(ns, "title");
      title.textContent = r.date + ": " + r.figure.toLocaleString("en") + " " + (r.unit || "");
      bar.appendChild(title);
      svg.appendChild(bar);
    });
    return svg;
  }

  function timeline(map, dataId) {
    var data = readPayload(dataId);
    var dates = data.dates;
    var refugees = data.events.filter(function (e) { return /cumulative/.test(e.unit || "") && e.figure !== null; })
      .map(function (e) { return { date: e.date, figure: Number(e.figure), unit: e.unit }; });
    var panel = el("section", { className: "hm-timeline", "aria-label": "Timeline" });
    var heading = el("h2", { className: "hm-timeline-date", "aria-live": "polite" });
    var slider = el("input", { type: "range", min: "0", max: String(Math.max(0, dates.length - 1)), value: String(Math.max(0, dates.length - 1)), id: "hm-timeline-slider", "aria-label": "Date" });
    var figure = el("div", { className: "hm-timeline-figure" });
    var chart = el("div", { className: "hm-timeline-chart" });
    var list = el("ul", { className: "hm-timeline-events" });
    panel.appendChild(heading);
    panel.appendChild(el("label", { "for": "hm-timeline-slider", className: "hm-visually-hidden", text: "Choose a date" }));
    panel.appendChild(slider);
    panel.appendChild(figure);
    panel.appendChild(chart);
    panel.appendChild(list);
    var control = L.control({ position: "bottomleft" });
    control.onAdd = function () {
      L.DomEvent.disableClickPropagation(panel);
      L.DomEvent.disableScrollPropagation(panel);
      return panel;
    };
    control.addTo(map);

    function apply() {
      var day = dates[Number(slider.value)];
      heading.textContent = day;
      Object.keys(state.layers).forEach(function (title) {
        var group = state.layers[title];
        group.eachLayer(function (layer) {
          var props = layer.feature.properties;
          var show = visibleOn(group.heritageKind, props, day);
          if (group.heritageKind === "sites" && show) layer.setStyle(siteStyle({ status: statusOn(props, day) }));
          layer.setStyle({ opacity: show ? 1 : 0, fillOpacity: show ? (group.heritageKind === "sites" ? 0.95 : 0.35) : 0 });
          layer.options.interactive = show;
        });
      });
      var latest = null;
      refugees.forEach(function (r) { if (r.date <= day) latest = r; });
      figure.textContent = latest ? "Arrivals in Armenia reported by " + latest.date + ": " + latest.figure.toLocaleString("en") : "";
      chart.textContent = "";
      if (refugees.length) chart.appendChild(refugeeChart(refugees, day));
      list.textContent = "";
      data.events.concat(data.changes).filter(function (e) { return startOf(e.date) === day; }).forEach(function (e) {
        var item = el("li", { className: "hm-timeline-event" }, [el("strong", { text: e.date + " " }), el("span", { text: e.event })]);
        if (e.figure) item.appendChild(el("span", { text: " (" + e.figure + (e.unit ? " " + e.unit : "") + ")" }));
        (e.sources || []).forEach(function (url) { item.appendChild(el("span", { text: " " })); item.appendChild(link(url, "source")); });
        list.appendChild(item);
      });
    }
    slider.addEventListener("input", apply);
    state.timeline = { slider: slider, dates: dates, apply: apply };
    apply();
  }

  /* Before/after chips: the range input uncovers the after image from the left. */
  function bindSwipes() {
    Array.prototype.forEach.call(document.querySelectorAll(".hm-swipe"), function (box) {
      var range = box.querySelector(".hm-swipe-range");
      var top = box.querySelector(".hm-swipe-top");
      function update() { top.style.clipPath = "inset(0 0 0 " + range.value + "%)"; }
      range.addEventListener("input", update);
      update();
    });
  }

  function init(map, metaId) {
    state.map = map;
    state.meta = readPayload(metaId);
    map.getContainer().setAttribute("role", "region");
    map.getContainer().setAttribute("aria-label", (state.meta.title || "Map") + ": interactive map; use the search box to open a feature by name");
    searchControl().addTo(map);
    if ((state.meta.status_counts || []).length || (state.meta.unlocated || []).length) legendControl(state.meta).addTo(map);
    creditsControl(state.meta).addTo(map);
    if (state.meta.deep_links) {
      map.whenReady(applyHash);
      map.on("moveend", function () { if (!map._popup || !map.hasLayer(map._popup)) setHashSite(null); else setHashSite(new URLSearchParams(location.hash.replace(/^#/, "")).get("site")); });
    }
  }

  window.HeritageMap = { dataLayer: dataLayer, init: init, timeline: timeline, bindSwipes: bindSwipes, state: state, STATUS_STYLE: STATUS_STYLE };
})();
