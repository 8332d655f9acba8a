/* The overview and the timeline link to each other, both ways, at the same place: the map's view, the open
 * site and, towards the timeline, the site's status date. The page's metadata names the other map
 * (`paired`: its address, the link's words, and whether it takes a date; geo/maps.py `paired_link`). Addresses
 * follow heritage.js's deep links: `#map=zoom/lat/lng&site=id`, and the timeline's `date=YYYY-MM-DD`.
 *
 * It adds `mapLinks` to the one namespace, window.HeritageMap, and a link to every site's popup through
 * HeritageMap.popupExtras. Links get an href only through the one rule (HeritageMap.isSafeHref).
 */
(function () {
  "use strict";

  var HM = window.HeritageMap || (window.HeritageMap = {});

  function address(pair, params) {
    var href = pair.href + (params.toString() ? "#" + params.toString() : "");
    return HM.isSafeHref(href) ? href : pair.href;
  }

  function viewParams(map) {
    var params = new URLSearchParams(), c = map.getCenter();
    params.set("map", map.getZoom() + "/" + c.lat.toFixed(5) + "/" + c.lng.toFixed(5));
    var site = new URLSearchParams(location.hash.replace(/^#/, "")).get("site");
    if (site && map._popup && map.hasLayer(map._popup)) params.set("site", site);
    return params;
  }

  /* The first day of a site's status date (a month or an interval gives its first day), for the timeline. */
  function statusDay(value) {
    var start = String(value || "").split("/")[0];
    return /^\d{4}(-\d{2}){0,2}$/.test(start) ? start : null;
  }

  function mapLinks(map) {
    var pair = HM.state.meta && HM.state.meta.paired;
    if (!pair) return;
    var anchor = HM.el("a", { href: pair.href, className: "hm-maplink", text: HM.t(pair.text) });
    function update() { anchor.setAttribute("href", address(pair, viewParams(map))); }
    var control = L.control({ position: "topleft" });
    control.onAdd = function () {
      var box = HM.el("div", { className: "hm-maplinks" }, [anchor]);
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    control.addTo(map);
    map.on("moveend popupopen popupclose", function () { setTimeout(update, 0); });
    update();
  }

  /* A site's popup links to the same site on the other map (on the timeline, on the day its status shows).
   * Registered as the script loads, so a popup a deep link opens as the page starts has it too. */
  function siteLink(kind, props) {
    var pair = HM.state && HM.state.meta && HM.state.meta.paired;
    if (!pair || kind !== "sites" || !props.id) return null;
    var params = new URLSearchParams(), day = pair.dated ? statusDay(props.status_date) : null;
    if (day) params.set("date", day);
    params.set("site", props.id);
    var text = pair.dated ? HM.t("This site on the timeline") : HM.t("This site on the overview map");
    return HM.el("div", { className: "hm-more hm-paired" }, [HM.el("a", { href: address(pair, params), text: text })]);
  }

  (HM.popupExtras || (HM.popupExtras = [])).push(siteLink);
  HM.mapLinks = mapLinks;
})();
