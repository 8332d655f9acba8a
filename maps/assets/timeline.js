/* The timeline page: one slider over the dated events, the layers restyled to show what stood on that day.
 *
 * It adds `timeline` to the one namespace, window.HeritageMap, and uses heritage.js's helpers through it (el, link,
 * readPayload, siteStyle, state), looked up when the page calls HeritageMap.timeline, so the two files may load
 * in either order. Every value from the data reaches the page through textContent (HeritageMap.el).
 */
(function () {
  "use strict";

  var HM = window.HeritageMap || (window.HeritageMap = {});

  function el(tag, attrs, children) { return HM.el(tag, attrs, children); }
  function link(value, text) { return HM.link(value, text); }
  function readPayload(id) { return HM.readPayload(id); }
  function siteStyle(status) { return HM.siteStyle(status); }

  /* The timeline: one slider over every dated event; layers show what stood on that day. */
  function startOf(value) {
    return value ? String(value).split("/")[0] : null;
  }

  function visibleOn(kind, props, day) {
    if (kind === "routes") return (!props.active_from || props.active_from <= day) && (!props.active_to || props.active_to >= day);
    if (kind === "places") return !props.event_date || startOf(props.event_date) <= day;
    return true;
  }

  /* How a layer of the timeline is drawn on a day: `choose(day)` gives the
   * function `restyle` takes. What it needs of each row is read from the table
   * once, on the first step: each site's confirmed history as flat arrays of
   * dates and statuses (oldest first, as geo/sitestatus.py writes it), the few
   * routes' and places' properties as they are. A step then compares dates in
   * one pass over those arrays, where it used to decode every feature's whole
   * properties (118-149 ms a step at 100,000 sites). */
  function timelineChooser(layer) {
    var table = layer.table(), kind = layer.heritageKind, n = table.count;
    if (kind !== "sites") {
      var rows = [];
      for (var r = 0; r < n; r++) rows.push(table.props(r));
      return function (day) { return function (i) { return visibleOn(kind, rows[i], day); }; };
    }
    var starts = new Uint32Array(n + 1), dates = [], statuses = [];
    for (var i = 0; i < n; i++) {
      var history = table.value("status_history", i) || [];
      for (var k = 0; k < history.length; k++) {
        if (history[k].observed_on) {
          dates.push(history[k].observed_on);
          statuses.push(history[k].status);
        }
      }
      starts[i + 1] = dates.length;
    }
    return function (day) {
      return function (i) {
        var shown = null;
        for (var j = starts[i]; j < starts[i + 1] && dates[j] <= day; j++) shown = statuses[j];
        return shown === null ? false : siteStyle(shown);
      };
    };
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

    var choosers = {}, byDay = {};
    data.events.concat(data.changes).forEach(function (e) {
      var day = startOf(e.date);
      (byDay[day] || (byDay[day] = [])).push(e);
    });

    function apply() {
      var day = dates[Number(slider.value)];
      heading.textContent = day;
      Object.keys(HM.state.layers).forEach(function (title) {
        var layer = HM.state.layers[title];
        choosers[title] = choosers[title] || timelineChooser(layer);
        layer.restyle(choosers[title](day));
      });
      var latest = null;
      refugees.forEach(function (r) { if (r.date <= day) latest = r; });
      figure.textContent = latest ? "Arrivals in Armenia reported by " + latest.date + ": " + latest.figure.toLocaleString("en") : "";
      chart.textContent = "";
      if (refugees.length) chart.appendChild(refugeeChart(refugees, day));
      list.textContent = "";
      (byDay[day] || []).forEach(function (e) {
        var item = el("li", { className: "hm-timeline-event" }, [el("strong", { text: e.date + " " }), el("span", { text: e.event })]);
        if (e.figure) item.appendChild(el("span", { text: " (" + e.figure + (e.unit ? " " + e.unit : "") + ")" }));
        (e.sources || []).forEach(function (url) { item.appendChild(el("span", { text: " " })); item.appendChild(link(url, "source")); });
        list.appendChild(item);
      });
    }
    slider.addEventListener("input", apply);
    HM.state.timeline = { slider: slider, dates: dates, apply: apply };
    apply();
  }


  HM.timeline = timeline;
})();
