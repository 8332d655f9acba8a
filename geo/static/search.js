/* Search: the map's search box, on the one window.HeritageMap namespace (heritage.js defines it and loads first).
 *
 * geo/render.py's SearchBox calls HeritageMap.searchBox(map) once the page's
 * layers exist. Every value from the data reaches the page through el()'s
 * textContent, never as markup.
 */
(function () {
  "use strict";

  var api = window.HeritageMap, el = api.el, state = api.state;

  function normalise(text) {
    return String(text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function searchText(table, i) {
    return [table.value("name", i), table.value("name_hy", i), table.value("name_az", i), table.value("id", i)].map(normalise).join("\n");
  }

  /* Up to `limit` features whose name (any script) or id contains `query`; each layer's search text is built on first search. */
  function search(query, limit) {
    var hits = [];
    Object.keys(state.layers).forEach(function (title) {
      var layer = state.layers[title];
      if (layer.heritageKind === "footprints" || hits.length >= limit) return;
      var table = layer.table();
      if (!layer.searchTexts) {
        layer.searchTexts = [];
        for (var i = 0; i < table.count; i++) layer.searchTexts.push(searchText(table, i));
      }
      for (var j = 0; j < table.count && hits.length < limit; j++) {
        if (layer.searchTexts[j].indexOf(query) !== -1) hits.push({ layer: layer, index: j });
      }
    });
    return hits;
  }

  function searchControl() {
    var control = L.control({ position: "topleft" });
    control.onAdd = function () {
      var box = el("div", { className: "hm-search leaflet-bar", role: "search" });
      var label = el("label", { "for": "hm-search-input", className: "hm-visually-hidden", text: "Search by name (Latin, Armenian or Azerbaijani script)" });
      var input = el("input", { id: "hm-search-input", type: "search", placeholder: "Search by name…", autocomplete: "off", "aria-label": "Search by name in Latin, Armenian or Azerbaijani script" });
      var results = el("ul", { className: "hm-results", role: "listbox", id: "hm-search-results", "aria-label": api.t("Search results") });
      box.appendChild(label);
      box.appendChild(input);
      box.appendChild(results);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      input.addEventListener("input", function () {
        results.textContent = "";
        var query = normalise(input.value.trim());
        if (query.length < 2) return;
        var hits = search(query, 12);
        hits.forEach(function (hit) {
          var table = hit.layer.table(), i = hit.index;
          var names = [table.value("name", i), table.value("name_hy", i), table.value("name_az", i)].filter(Boolean).join(" / ") || table.value("id", i);
          var button = el("button", { type: "button", className: "hm-result", text: names + " (" + hit.layer.heritageTitle + ")" });
          button.addEventListener("click", function () { api.openFeature(hit.layer, i); });
          results.appendChild(el("li", { role: "option" }, [button]));
        });
        if (!hits.length) results.appendChild(el("li", { className: "hm-noresult", text: "No match" }));
      });
      return box;
    };
    return control;
  }

  /* The search box on `map`, over the layers heritage.js holds for it. */
  function searchBox(map) {
    searchControl().addTo(map);
  }

  api.search = search;
  api.searchBox = searchBox;
})();
