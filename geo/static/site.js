/* A site page's small map: drawn from the page's own JSON block (#hm-page), which
 * geo/pages.py writes; every site page shares this one script (maps/assets/site.js).
 *
 * The block holds the site as a one-feature GeoJSON FeatureCollection, the page's
 * title and the map's bounds. What every page of a build shares (the data's as-of
 * date, the published log's anchor shown in the footer, the base layers chosen by
 * the build and their credits) is in
 * assets/build-info.js (window.HeritageMapBuild), which each build rewrites: a new
 * observation of one site rewrites that site's page and that small file, not
 * every page.
 * Nothing from the data is script: the block is read with JSON.parse and drawn
 * by heritage.js, whose popups are DOM text.
 */
(function () {
  "use strict";

  function basemaps(map, page) {
    var base = {};
    (page.tiles || []).forEach(function (tile) {
      var layer = L.tileLayer(tile.url, { attribution: tile.attribution, maxZoom: tile.max_zoom, maxNativeZoom: tile.max_zoom });
      base[HeritageMap.t(tile.name)] = layer;
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
    /* The view first: the mini map reads the map's centre as it is added. */
    map.fitBounds(page.bounds, { padding: [20, 20], maxZoom: page.max_zoom });
    var base = basemaps(map, build);
    L.control.fullscreen({ position: "topleft", title: HeritageMap.t("Full screen"), titleCancel: HeritageMap.t("Leave full screen") }).addTo(map);
    var overlays = {};
    if (page.site) {
      var layer = HeritageMap.featureLayer(page.site, "sites", page.layer);
      overlays[HeritageMap.t(page.layer)] = layer;
      layer.addTo(map);
    }
    L.control.layers(base, overlays, { position: "topright", collapsed: false }).addTo(map);
    HeritageMap.init(map, { title: page.title, title_message: page.title_message, as_of: build.as_of || null, credits: build.credits || [], deep_links: false });
    // The published log's anchor, the same for every page of a build: text, never markup.
    var anchor = document.getElementById("hm-anchor");
    if (anchor && build.anchor) anchor.replaceChildren(HeritageMap.tNodes(build.anchor));
    HeritageMap.bindSwipes();
  }

  /* Embedded (?embed=1), the page is a card of the story and draws no map. */
  if (!document.documentElement.classList.contains("hm-embed")) draw();
})();
