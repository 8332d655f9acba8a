// The workspace's one script: a small Leaflet map for each `.small-map` (site point and basemap from data- attributes).
// No inline script anywhere (the Content-Security-Policy allows scripts from this server only); values reach the
// page as attributes Django escaped, and the marker's label is set as text.
(function () {
  "use strict";
  function smallMap(element) {
    var lat = parseFloat(element.getAttribute("data-lat"));
    var lon = parseFloat(element.getAttribute("data-lon"));
    if (!isFinite(lat) || !isFinite(lon) || typeof L === "undefined") {
      return;
    }
    var map = L.map(element, { scrollWheelZoom: false, attributionControl: true }).setView([lat, lon], 15);
    var tiles = element.getAttribute("data-tiles");
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 19, attribution: "© OpenStreetMap contributors, Esri" }).addTo(map);
    }
    var marker = L.circleMarker([lat, lon], { radius: 8, color: "#000", weight: 2, fillColor: "#e69f00", fillOpacity: 0.9 });
    marker.addTo(map);
    var label = document.createElement("span");
    label.textContent = element.getAttribute("data-label") || "";
    marker.bindTooltip(label);
    element.setAttribute("data-ready", "1");
  }
  document.querySelectorAll(".small-map").forEach(smallMap);
})();
