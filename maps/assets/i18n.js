/* The interface's language: English, Armenian or Russian, chosen before anything is drawn.
 *
 * Loads before heritage.js and every other script of a page, beside the JSON catalogs (i18n/hy.js, i18n/ru.js,
 * generated from geo/locale/<lang>/LC_MESSAGES/messages.po). The language is, first to last: the page's ?lang=
 * (a link's choice, remembered unless the page is an embed's frame), the reader's choice kept in localStorage
 * (the switch, EN / ՀՅ / РУ), the browser's languages (navigator.languages), English. It is set on <html lang>.
 *
 * - HeritageMap.t("English {name}", {name: value}) (heritage.js) looks the English up here (`message`); a message
 *   the catalog lacks stays English. A message object from Python ({msg, args}, geo/i18n.py Message) is taken too.
 * - HeritageMap.tn("{n} site", "{n} sites", n, values): the plural form of the language for n.
 * - Server-rendered pages (geo/i18n.py) mark each string: `translatePage` puts the translation in its place and
 *   moves the values' nodes (a name, a link, a date) into it, so a value is never re-read as markup. The
 *   translations are our own catalog's, checked by tests/test_i18n.py to hold only the markup their English has.
 * - Dates and numbers are formatted for the language with Intl (`date`, `number`); English keeps ISO dates.
 */
(function () {
  "use strict";

  var ns = window.HeritageMap = window.HeritageMap || {};
  var LANGUAGES = ["en", "hy", "ru"];
  var LABELS = { en: "EN", hy: "ՀՅ", ru: "РУ" };
  var NAMES = { en: "English", hy: "Հայերեն", ru: "Русский" };
  var STORE = "heritage-map-lang";
  /* The catalogs' plural rules (gettext's Plural-Forms of each .po file, as Babel writes them). */
  var PLURAL = {
    en: function (n) { return n === 1 ? 0 : 1; },
    hy: function (n) { return n > 1 ? 1 : 0; },
    ru: function (n) { return n % 10 === 1 && n % 100 !== 11 ? 0 : n % 10 >= 2 && n % 10 <= 4 && (n % 100 < 12 || n % 100 > 14) ? 1 : 2; }
  };

  function supported(lang) { return LANGUAGES.indexOf(lang) !== -1 ? lang : null; }

  function stored() {
    try { return supported(window.localStorage.getItem(STORE)); } catch (error) { return null; }
  }

  function remember(lang) {
    try { window.localStorage.setItem(STORE, lang); } catch (error) { /* storage off: the choice lasts this page */ }
  }

  function fromBrowser() {
    var wanted = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ""];
    for (var i = 0; i < wanted.length; i++) {
      var lang = supported(String(wanted[i] || "").toLowerCase().split("-")[0]);
      if (lang) return lang;
    }
    return null;
  }

  function choose() {
    var params = new URLSearchParams(location.search);
    var asked = supported(params.get("lang"));
    if (asked && params.get("embed") !== "1") remember(asked);
    return asked || stored() || fromBrowser() || "en";
  }

  var lang = choose();
  document.documentElement.lang = lang;
  /* This file's own strings, found by the extraction under the name every script uses. */
  var t = function (text) { return message(text); };

  function catalog() { return (ns.catalogs || {})[lang] || {}; }

  /* The translation of an English message id, or the English. */
  function message(text) {
    if (lang === "en") return text;
    var found = catalog()[text];
    return typeof found === "string" ? found : text;
  }

  function fill(text, values) {
    return values ? text.replace(/\{(\w+)\}/g, function (m, k) { return values[k] === undefined ? m : String(values[k]); }) : text;
  }

  /* A value put into a message: a message within is translated, a {date} formatted, a list's items joined. */
  function resolve(value) {
    if (Array.isArray(value)) return value.map(resolve).join("; ");
    if (value && typeof value === "object" && typeof value.msg === "string") return translate(value);
    if (value && typeof value === "object" && value.date !== undefined) return date(value.date);
    if (value && typeof value === "object" && value.en !== undefined) return value.en;
    return value;
  }

  /* t(): a message id or a message object from Python ({msg, args}, geo/i18n.py), its values filled in; a value
   * that is a message is translated in turn, a {date} is formatted for the language. */
  function translate(text, values) {
    if (text && typeof text === "object") { values = text.args; text = text.msg; }
    var resolved = values;
    if (values) {
      resolved = {};
      Object.keys(values).forEach(function (name) { resolved[name] = resolve(values[name]); });
    }
    return fill(message(String(text)), resolved);
  }

  /* t() as nodes: the data's own words in it ({en: ...}, geo/i18n.py English) each a <bdi lang="en">, so a name
   * or a monitor's quote is marked with its language inside a sentence in another. */
  function nodes(text, values) {
    if (text && typeof text === "object") { values = text.args; text = text.msg; }
    var fragment = document.createDocumentFragment();
    message(String(text)).split(/(\{\w+\})/).forEach(function (part) {
      var key = /^\{(\w+)\}$/.exec(part), value = key && values ? values[key[1]] : undefined;
      if (value === undefined) {
        if (part) fragment.appendChild(document.createTextNode(part));
      } else if (value && typeof value === "object" && value.en !== undefined) {
        var bdi = document.createElement("bdi");
        bdi.lang = "en";
        bdi.textContent = value.en;
        fragment.appendChild(bdi);
      } else {
        fragment.appendChild(document.createTextNode(String(resolve(value))));
      }
    });
    return fragment;
  }

  function plural(singular, pluralText, n, values) {
    var all = Object.assign({ n: n }, values || {});
    var forms = lang === "en" ? null : catalog()[singular];
    if (Array.isArray(forms)) return fill(forms[Math.min(PLURAL[lang](n), forms.length - 1)], all);
    return fill(PLURAL.en(n) ? pluralText : singular, all);
  }

  /* Whether this browser's Intl knows the language (Debian's Chromium, for one, has no Armenian data): where it
   * does not, dates and numbers follow CLDR's patterns for it, kept below. */
  var intl = lang === "en" || Intl.DateTimeFormat.supportedLocalesOf([lang]).length > 0;
  /* CLDR (hy): months in the genitive for a day's date ("d MMMM, y թ."), standalone for a month's ("LLLL, y թ."),
   * the group separator a no-break space and the decimal separator a comma. */
  var CLDR = {
    hy: {
      day: "{day} {month}, {year} թ.",
      month: "{month}, {year} թ.",
      year: "{year} թ.",
      genitive: ["հունվարի", "փետրվարի", "մարտի", "ապրիլի", "մայիսի", "հունիսի", "հուլիսի", "օգոստոսի", "սեպտեմբերի", "հոկտեմբերի", "նոյեմբերի", "դեկտեմբերի"],
      standalone: ["հունվար", "փետրվար", "մարտ", "ապրիլ", "մայիս", "հունիս", "հուլիս", "օգոստոս", "սեպտեմբեր", "հոկտեմբեր", "նոյեմբեր", "դեկտեմբեր"],
      group: "\u00a0",
      decimal: ","
    }
  };

  var numbers = {};
  function number(value, options) {
    var key = JSON.stringify(options || {});
    if (!intl && CLDR[lang]) {
      var rules = CLDR[lang];
      return new Intl.NumberFormat("en-US", options).format(value).replace(/[,.]/g, function (c) { return c === "," ? rules.group : rules.decimal; });
    }
    if (!numbers[key]) numbers[key] = new Intl.NumberFormat(lang === "en" ? "en" : lang, options);
    return numbers[key].format(value);
  }

  var dateFormats = {};
  function formatter(parts) {
    if (!dateFormats[parts]) {
      var options = { timeZone: "UTC", year: "numeric" };
      if (parts > 1) options.month = "long";
      if (parts > 2) options.day = "numeric";
      dateFormats[parts] = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : lang, options);
    }
    return dateFormats[parts];
  }

  /* A year, month or day in words: Intl's, or CLDR's pattern where Intl lacks the language. */
  function inWords(year, month, day) {
    var rules = !intl && CLDR[lang];
    if (rules) {
      if (day) return fill(rules.day, { day: day, month: rules.genitive[month - 1], year: year });
      if (month) return fill(rules.month, { month: rules.standalone[month - 1], year: year });
      return fill(rules.year, { year: year });
    }
    var parts = day ? 3 : month ? 2 : 1;
    return formatter(parts).format(new Date(Date.UTC(year, month ? month - 1 : 0, day || 1)));
  }

  /* An ISO date as the sources give it (a year, a month, a day or an interval A/B) in words, in every language
   * (the timeline's dates); anything else is returned as it is. */
  function dateWords(iso) {
    var text = String(iso === null || iso === undefined ? "" : iso);
    if (text.indexOf("/") !== -1) {
      var ends = text.split("/");
      return fill(t("{start} to {end}"), { start: dateWords(ends[0]), end: dateWords(ends[1]) });
    }
    var match = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/.exec(text);
    return match ? inWords(+match[1], match[2] ? +match[2] : 0, match[3] ? +match[3] : 0) : text;
  }

  /* An ISO date as the sources give it (YYYY, YYYY-MM, YYYY-MM-DD, or an interval A/B) in the page's language;
   * English keeps the ISO text, and anything else is returned as it is. */
  function date(iso) {
    var text = String(iso === null || iso === undefined ? "" : iso);
    return lang === "en" ? text : dateWords(text);
  }

  /* Server-rendered pages: each marker ([data-t]) gets its translation, with the values it held ([data-p]). */
  function placeholders(marker) {
    var found = {};
    marker.querySelectorAll("[data-p]").forEach(function (node) {
      if (node.parentElement && node.parentElement.closest("[data-t]") === marker) found[node.getAttribute("data-p")] = node;
    });
    return found;
  }

  function translated(marker) {
    var key = marker.hasAttribute("data-t") && marker.getAttribute("data-t") !== "" ? marker.getAttribute("data-t") : marker.textContent;
    var found = catalog()[key];
    if (Array.isArray(found)) return found[Math.min(PLURAL[lang](Number(marker.getAttribute("data-n"))), found.length - 1)];
    return typeof found === "string" ? found : null;
  }

  function translateMarker(marker) {
    var text = translated(marker);
    if (text === null) return;
    var values = placeholders(marker);
    var template = document.createElement("template");
    template.innerHTML = text;  // the catalog's own text, never data: tests/test_i18n.py checks its markup
    var walker = document.createTreeWalker(template.content, NodeFilter.SHOW_TEXT), texts = [];
    while (walker.nextNode()) texts.push(walker.currentNode);
    texts.forEach(function (node) {
      var pieces = node.data.split(/%\((\w+)\)s|\{(\w+)\}/);
      if (pieces.length === 1) return;
      var fragment = document.createDocumentFragment();
      for (var i = 0; i < pieces.length; i += 3) {
        if (pieces[i]) fragment.appendChild(document.createTextNode(pieces[i].replace(/%%/g, "%")));
        var name = pieces[i + 1] || pieces[i + 2];
        if (name && values[name]) fragment.appendChild(values[name].isConnected ? values[name] : values[name].cloneNode(true));
      }
      node.parentNode.replaceChild(fragment, node);
    });
    marker.replaceChildren(template.content);
  }

  function translateAttributes(node) {
    Array.prototype.slice.call(node.attributes).forEach(function (attribute) {
      if (attribute.name.indexOf("data-t-") !== 0) return;
      var target = attribute.name.slice(7), values = {}, key = attribute.value || node.getAttribute(target) || "";
      try { values = JSON.parse(node.getAttribute("data-v-" + target) || "{}"); } catch (error) { values = {}; }
      /* A value that is itself a message id (the map's title in a page's title) is translated too; a name is not one. */
      var text = message(key).replace(/%\((\w+)\)s/g, function (m, k) {
        var value = values[k];
        if (value === undefined || value === null) return m;
        return typeof value === "object" ? translate(value) : message(String(value));
      });
      if (target === "text") node.textContent = text;  // a <title>, whose text cannot hold a marker
      else node.setAttribute(target, text);
    });
  }

  function translatePage(root) {
    root = root || document;
    root.querySelectorAll("time[datetime]").forEach(function (node) { node.textContent = date(node.getAttribute("datetime")); });
    if (lang === "en") return;
    root.querySelectorAll("[data-t]").forEach(translateMarker);
    root.querySelectorAll("[data-ta]").forEach(translateAttributes);
  }

  /* The address of this page in another language: ?lang= set, everything else (the view in the hash) kept. */
  function hrefFor(other) {
    var url = new URL(location.href);
    url.searchParams.set("lang", other);
    return url.search + url.hash;
  }

  /* The switch: a link per language, each named in its own language, the current one marked. Links, so a keyboard
   * reaches them with Tab and Enter follows them, and the choice is kept by the ?lang= they carry. */
  function switcher() {
    var nav = document.createElement("nav");
    nav.className = "hm-lang";
    nav.setAttribute("aria-label", t("Language"));
    LANGUAGES.forEach(function (other, i) {
      if (i) nav.appendChild(document.createTextNode(" / "));
      var link = document.createElement("a");
      link.href = hrefFor(other);
      link.lang = other;
      link.hreflang = other;
      link.textContent = LABELS[other];
      link.title = NAMES[other];  // the language's own name; the link's accessible name is the label it shows
      if (other === lang) link.setAttribute("aria-current", "true");
      link.addEventListener("click", function () { remember(other); });
      nav.appendChild(link);
    });
    return nav;
  }

  /* Leaflet's own words (its controls' titles, the scale's units) in the page's language, set before any map is
   * made: this file loads after Leaflet. The scale is metric alone outside English. */
  function localizeLeaflet(L) {
    if (!L || lang === "en") return;
    L.Control.Zoom.prototype.options.zoomInTitle = t("Zoom in");
    L.Control.Zoom.prototype.options.zoomOutTitle = t("Zoom out");
    L.Control.Scale.prototype.options.imperial = false;
    var initialize = L.Control.Scale.prototype.initialize;
    L.Control.Scale.prototype.initialize = function (options) {
      initialize.call(this, options);
      this.options.imperial = false;
    };
    var updateScale = L.Control.Scale.prototype._updateScale;
    L.Control.Scale.prototype._updateScale = function (scale, text, ratio) {
      updateScale.call(this, scale, text, ratio);
      var match = /^(\d+) (km|m)$/.exec(text);
      if (match) scale.textContent = fill(match[2] === "km" ? t("{n} km") : t("{n} m"), { n: number(+match[1]) });
    };
    var popupInit = L.Popup.prototype._initLayout;
    L.Popup.prototype._initLayout = function () {
      popupInit.call(this);
      if (this._closeButton) this._closeButton.setAttribute("aria-label", t("Close popup"));
    };
    var layersInit = L.Control.Layers.prototype._initLayout;
    L.Control.Layers.prototype._initLayout = function () {
      layersInit.call(this);
      if (this._layersLink) this._layersLink.title = t("Layers");
    };
    /* The plugins' controls (full screen, the mini map) load after this file: their words are set as they are added. */
    var addTo = L.Control.prototype.addTo;
    L.Control.prototype.addTo = function (map) {
      if (this.options.titleCancel !== undefined) {
        this.options.title = t("Full screen");
        this.options.titleCancel = t("Leave full screen");
      }
      if (this.options.strings && this.options.strings.hideText !== undefined) {
        this.options.strings = { hideText: t("Hide the overview map"), showText: t("Show the overview map") };
      }
      return addTo.call(this, map);
    };
  }
  localizeLeaflet(window.L);

  /* The switch goes in the page's masthead (the maps), else first in its main content (a site's story, an embed
   * page), else first in the body. */
  function placeSwitch() {
    if (document.querySelector("nav.hm-lang") || !document.body) return;
    var slot = document.querySelector(".hm-masthead") || document.querySelector("main");
    if (slot === null) document.body.insertBefore(switcher(), document.body.firstChild);
    else if (slot.classList.contains("hm-masthead")) slot.appendChild(switcher());
    else slot.insertBefore(switcher(), slot.firstChild);
  }

  /* A server-rendered page is translated, and every page gets its switch, as soon as its body is parsed (before
   * the scripts that draw the map, which run on load). */
  function ready() {
    translatePage(document);
    placeSwitch();
    /* A map's title is its masthead's heading (geo/render.py page_header), translated above. */
    var heading = document.querySelector(".hm-masthead h1");
    if (heading && lang !== "en") document.title = heading.textContent;
  }

  ns.i18n = {
    languages: LANGUAGES.slice(),
    lang: lang,
    message: message,
    translate: translate,
    nodes: nodes,
    plural: plural,
    fill: fill,
    number: number,
    date: date,
    dateWords: dateWords,
    translatePage: translatePage,
    switcher: switcher,
    placeSwitch: placeSwitch,
    hrefFor: hrefFor
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
