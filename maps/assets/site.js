/* A site page's small map: drawn from the page's own JSON block (#hm-page), which
 * geo/pages.py writes; every site page shares this one script (maps/assets/site.js).
 *
 * The block holds the site as a one-feature GeoJSON FeatureCollection, the base
 * layers (from xyzservices, chosen by the build) and the map's bounds. The data's
 * as-of date comes from assets/build-info.js, which the build rewrites, so a new
 * observation of one site rewrites that site's page and not every page.
 * Nothing from the data is script: the block is read with JSON.parse and drawn
 * by heritage.js, whose popups are DOM text.
 */
(function () {
  "use strict";

  function basemaps(map, page) {
    var base = {};
    (page.tiles || []).forEach(function (tile) {
      var layer = L.tileLayer(tile.url, { attribution: tile.attribution, maxZoom: tile.max_zoom, maxNativeZoom: tile.max_zoom });
      base[tile.name] = layer;
      if (tile.show) layer.addTo(map);
    });
    if (page.minimap) {
      var mini = L.tileLayer(page.minimap.url, { attribution: page.minimap.attribution, maxZoom: 18 });
      new L.Control.MiniMap(mini, { position: "bottomright", toggleDisplay: true, zoomLevelOffset: -5 }).addTo(map);
    }
    return base;
  }

  function draw() {
    var node = document.getElementById("hm-page");
    var page = JSON.parse(node.textContent);
    var build = window.HeritageMapBuild || {};
    var map = L.map("hm-site-map", { preferCanvas: true, zoomControl: true });
    L.control.scale().addTo(map);
    var base = basemaps(map, page);
    L.control.fullscreen({ position: "topleft", title: "Full screen", titleCancel: "Leave full screen" }).addTo(map);
    map.fitBounds(page.bounds, { padding: [20, 20], maxZoom: page.max_zoom });
    var overlays = {};
    if (page.site) {
      var layer = HeritageMap.featureLayer(page.site, "sites", page.layer);
      overlays[page.layer] = layer;
      layer.addTo(map);
    }
    L.control.layers(base, overlays, { position: "topright", collapsed: false }).addTo(map);
    HeritageMap.init(map, { title: page.title, as_of: build.as_of || null, credits: page.credits, deep_links: page.deep_links });
    HeritageMap.bindSwipes();
  }

  draw();
})();
