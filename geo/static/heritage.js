/* Heritage map: draws the feature tables that geo/render.py embeds in a page.
 *
 * Every value from the data reaches the page through textContent or a
 * checked href, never through innerHTML, so markup in a name or a note shows
 * as text. Point layers keep their features in typed arrays and are drawn
 * pixel by pixel into one canvas, so a map of 100,000 sites holds no object
 * per site and stays a few DOM nodes (docs/ARCHITECTURE.md).
 */
(function () {
  "use strict";

  /* Every interface string goes through t("English text", {placeholders}), or tn("singular", "plural", n, {...}):
   * the page's language's catalog (i18n.js) gives the translation; a message object from Python ({msg, args},
   * geo/i18n.py) is taken as its text and values. Without i18n.js the English is shown. Never a sentence built
   * from fragments: placeholders in one string. */
  function fill(text, values) { return values ? text.replace(/\{(\w+)\}/g, function (m, k) { return values[k] === undefined ? m : String(values[k]); }) : text; }
  function t(text, values) {
    var i18n = window.HeritageMap && window.HeritageMap.i18n;
    if (i18n) return i18n.translate(text, values);
    if (text && typeof text === "object") { values = text.args; text = text.msg; }
    return fill(text, values);
  }
  /* t() as DOM nodes, the data's own words in it marked with their language (i18n.js `nodes`). */
  function tNodes(text, values) {
    var i18n = window.HeritageMap && window.HeritageMap.i18n;
    return i18n ? i18n.nodes(text, values) : document.createTextNode(t(text, values));
  }

  /* A number as the page's language writes it (Intl, by i18n.js); English grouping without it. */
  function number(value) {
    var i18n = window.HeritageMap && window.HeritageMap.i18n;
    return i18n ? i18n.number(value) : Number(value).toLocaleString("en");
  }
  function tn(singular, plural, n, values) {
    var i18n = window.HeritageMap && window.HeritageMap.i18n;
    return i18n ? i18n.plural(singular, plural, n, values) : fill(n === 1 ? singular : plural, Object.assign({ n: n }, values || {}));
  }

  var STATUS_STYLE = {
    destroyed: { color: "#D55E00", shape: "square", label: t("Destroyed") },
    damaged: { color: "#E69F00", shape: "triangle", label: t("Damaged") },
    threatened: { color: "#CC79A7", shape: "diamond", label: t("Threatened") },
    intact: { color: "#009E73", shape: "circle", label: t("Intact") },
    unknown: { color: "#6E6E6E", shape: "ring", label: t("Unknown") }
  };
  /* Routes by kind. The evacuation route is black: every colour of the statuses (Okabe–Ito vermilion, orange,
   * reddish purple, bluish green, grey) belongs to a status, and the exodus must not read as "destroyed". */
  var ROUTE_COLOR = { corridor: "#0072B2", bypass: "#56B4E9", road: "#6E6E6E", evacuation: "#000000" };

  var state = { map: null, layers: {}, meta: {} };

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        // dir=auto isolates the text: a right-to-left override in a name cannot reorder what is around it.
        if (key === "text") { node.textContent = attrs[key]; if (!attrs.dir) node.dir = "auto"; }
        else if (key === "className") node.className = attrs[key];
        else if (key === "href" || key === "src") { if (isSafeHref(attrs[key])) node.setAttribute(key, attrs[key]); }
        else node.setAttribute(key, attrs[key]);
      });
    }
    (children || []).forEach(function (child) {
      if (child !== null && child !== undefined) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  /* The one rule for links in the browser, the same as geo/links.py: an absolute http(s) URL with a host, or a
   * same-site relative path (no scheme, not "//host", no backslash). Never javascript:, data: or an off-site
   * protocol-relative address. el() applies it to every href and src it sets. */
  function isSafeHref(value) {
    if (typeof value !== "string" || !value) return false;
    if (/^https?:/i.test(value)) {
      if (!/^https?:\/\/[^/\\]/i.test(value)) return false;
      if (/[\s\p{C}]/u.test(value)) return false;
      try { var url = new URL(value); return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== ""; }
      catch (error) { return false; }
    }
    return /^[A-Za-z0-9._~%/#?=&+-]+$/.test(value) && value.slice(0, 2) !== "//";
  }

  /* What a link shows: the site's name from its host (less "www."), and a Wikipedia article's title (the last
   * part of its address); the address stays behind the link. The same rule as geo/links.py `link_label`;
   * tests/test_links.py runs both over one list. Nothing is guessed from any other path. */
  function linkLabel(value) {
    if (typeof value !== "string" || !/^https?:\/\//i.test(value) || !isSafeHref(value)) return String(value);
    var url = new URL(value), host = url.hostname.replace(/^www\./, "");
    var article = /\.wikipedia\.org$/.test(host) && (/^\/wiki\/([^?#]+)$/.exec(url.pathname) || (url.pathname === "/w/index.php" && /(?:^|&)title=([^&]+)/.exec(url.search.slice(1))));
    if (article) {
      var title;
      try { title = decodeURIComponent(article[1]); } catch (error) { title = article[1]; }
      title = title.replace(/_/g, " ").trim();
      if (title) return host + ": " + title;
    }
    return host;
  }

  function link(value, text) {
    if (!isSafeHref(value)) return el("span", { text: String(value) });
    return el("a", { href: value, target: "_blank", rel: "noopener noreferrer", text: text || linkLabel(value) });
  }

  function readPayload(id) {
    var node = document.getElementById(id);
    return JSON.parse(node.textContent);
  }

  /* A layer's features as geo/payload.py writes them: a feature table, whose
   * format is described in one place, docs/feature-tables.md (a column per
   * field; repeating values as a dictionary and a code per row; lists and
   * objects as offsets into columns of their items; number arrays as typed
   * arrays). tests/fixtures/feature_table.json is one table of every kind,
   * which tests/test_map_browser.py decodes here. A row is decoded only when
   * it is needed (a popup, a search, the timeline's first step). */
  function Table(data) {
    this.count = data.count;
    this.columns = data.columns || {};
    this.geometry = data.geometry;
    if (this.geometry.type === "Point") {
      this.geometry.x = unpack(this.geometry.x);
      this.geometry.y = unpack(this.geometry.y);
    }
    Object.keys(this.columns).forEach(function (name) { unpackColumn(this.columns[name]); }, this);
  }

  /* Number arrays travel as the base64 of their little-endian bytes
   * (geo/payload.py `_packed`) and are read as typed arrays. */
  var ARRAY_TYPES = { Uint8Array: Uint8Array, Uint16Array: Uint16Array, Uint32Array: Uint32Array, Float64Array: Float64Array };

  function unpack(packed) {
    var Type = ARRAY_TYPES[packed.array], bytes;
    if (typeof Uint8Array.fromBase64 === "function") {
      bytes = Uint8Array.fromBase64(packed.base64);
    } else {
      var text = atob(packed.base64);
      bytes = new Uint8Array(text.length);
      for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    }
    return new Type(bytes.buffer, 0, bytes.length / Type.BYTES_PER_ELEMENT);
  }

  function unpackColumn(column) {
    if (column.codes) column.codes = unpack(column.codes);
    if (column.offsets) {
      column.offsets = unpack(column.offsets);
      unpackColumn(column.items);
    }
    if (column.fields) Object.keys(column.fields).forEach(function (key) { unpackColumn(column.fields[key]); });
  }

  /* Row i of one encoded column (geo/payload.py `_encoded`): a value, a
   * dictionary code, a list (offsets into a column of items), an object (a
   * column per key, empty keys left out) or JSON text. */
  function cell(column, i) {
    if (column.offsets) {
      var start = column.offsets[i], end = column.offsets[i + 1];
      if (start === end) return null;
      if (column.single) return cell(column.items, start);
      var items = [];
      for (var k = start; k < end; k++) items.push(cell(column.items, k));
      return items;
    }
    if (column.fields) {
      var record = {};
      Object.keys(column.fields).forEach(function (key) {
        var value = cell(column.fields[key], i);
        if (value !== null) record[key] = value;
      });
      return record;
    }
    var value = column.codes ? column.values[column.codes[i]] : column.values[i];
    if (value === undefined || value === null) return null;
    return column.json ? JSON.parse(value) : value;
  }

  /* A table of a few GeoJSON features (a site page's one site): each property a
   * column of plain values, points as coordinate arrays, other shapes as GeoJSON. */
  Table.fromFeatures = function (collection) {
    var features = collection.features || [], columns = {}, points = features.every(function (f) { return f.geometry && f.geometry.type === "Point"; });
    features.forEach(function (feature, i) {
      Object.keys(feature.properties || {}).forEach(function (name) {
        if (!columns[name]) columns[name] = { values: features.map(function () { return null; }) };
        columns[name].values[i] = feature.properties[name];
      });
    });
    var table = Object.create(Table.prototype);
    table.count = features.length;
    table.columns = columns;
    table.geometry = points
      ? { type: "Point", x: Float64Array.from(features, function (f) { return f.geometry.coordinates[0]; }), y: Float64Array.from(features, function (f) { return f.geometry.coordinates[1]; }) }
      : { type: "GeoJSON", geometries: features.map(function (f) { return f.geometry; }) };
    return table;
  };

  Table.prototype.value = function (name, i) {
    var column = this.columns[name];
    return column ? cell(column, i) : null;
  };

  Table.prototype.props = function (i) {
    var props = {}, self = this;
    Object.keys(this.columns).forEach(function (name) { props[name] = self.value(name, i); });
    return props;
  };

  Table.prototype.indexOf = function (name, value) {
    for (var i = 0; i < this.count; i++) if (this.value(name, i) === value) return i;
    return -1;
  };

  /* How far a shape of radius r reaches from its centre: the diamond's 1.3 r. */
  var SHAPE_REACH = 1.3;

  /* Shapes whose outline says the status, so colour is never the only cue. */
  function tracePoint(ctx, shape, x, y, r) {
    if (shape === "square") {
      ctx.rect(x - r, y - r, 2 * r, 2 * r);
    } else if (shape === "triangle") {
      ctx.moveTo(x, y - 1.2 * r);
      ctx.lineTo(x + 1.1 * r, y + 0.9 * r);
      ctx.lineTo(x - 1.1 * r, y + 0.9 * r);
      ctx.closePath();
    } else if (shape === "diamond") {
      ctx.moveTo(x, y - SHAPE_REACH * r);
      ctx.lineTo(x + SHAPE_REACH * r, y);
      ctx.lineTo(x, y + SHAPE_REACH * r);
      ctx.lineTo(x - SHAPE_REACH * r, y);
      ctx.closePath();
    } else if (shape === "bar") {
      ctx.rect(x - 1.25 * r, y - 0.55 * r, 2.5 * r, 1.1 * r);
    } else if (shape === "plus" || shape === "cross") {
      /* A thick + (a reception centre) or × (an event): twelve corners, turned by 45° for the ×. */
      var arm = 0.36 * r, turn = shape === "cross" ? Math.PI / 4 : 0, cos = Math.cos(turn), sin = Math.sin(turn);
      [[-arm, -r], [arm, -r], [arm, -arm], [r, -arm], [r, arm], [arm, arm], [arm, r], [-arm, r], [-arm, arm], [-r, arm], [-r, -arm], [-arm, -arm]]
        .forEach(function (p, k) {
          var px = x + p[0] * cos - p[1] * sin, py = y + p[0] * sin + p[1] * cos;
          if (k === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
        });
      ctx.closePath();
    } else {
      ctx.arc(x, y, r, 0, Math.PI * 2, false);
    }
  }

  function fillStroke(ctx, style) {
    if (style.fillOpacity > 0) {
      ctx.globalAlpha = style.fillOpacity;
      ctx.fillStyle = style.fillColor;
      ctx.fill();
    }
    if (style.weight > 0 && style.opacity !== 0) {
      ctx.globalAlpha = style.opacity === undefined ? 1 : style.opacity;
      ctx.lineWidth = style.weight;
      ctx.strokeStyle = style.color;
      ctx.lineJoin = "round";
      if (style.dash) ctx.setLineDash(style.dash);
      ctx.stroke();
      ctx.setLineDash([]);
    }
  }

  /* A point's shape drawn once per style and radius with the canvas's own
   * anti-aliasing, at the screen's pixel ratio, and kept row by row: each
   * row's offset from the centre, its first and last column, and the
   * premultiplied colour of every pixel between them (0 where the shape
   * leaves a gap, as a ring does). */
  function spriteFor(style, radius, ratio) {
    var key = ratio + ":" + Math.round(radius * 2) / 2;
    var sprites = style.sprites || (style.sprites = {});
    if (!sprites[key]) {
      var size = Math.ceil(2 * (SHAPE_REACH * radius + (style.weight || 0) + 1)) * ratio;
      sprites[key] = rasterise(size, ratio, function (ctx, centre) {
        ctx.beginPath();
        tracePoint(ctx, style.shape, centre, centre, radius);
        fillStroke(ctx, style);
      });
    }
    return sprites[key];
  }

  /* A map symbol as a small canvas, for legends and lists: drawn by the code that draws the map. */
  function symbolCanvas(style, radius, draw) {
    var ratio = window.devicePixelRatio || 1, size = Math.ceil(2 * (SHAPE_REACH * radius + (style && style.weight || 0) + 1));
    var canvas = el("canvas", { className: "hm-symbol", "aria-hidden": "true", width: String(size * ratio), height: String(size * ratio) });
    canvas.style.width = canvas.style.height = size + "px";
    var ctx = canvas.getContext("2d");
    ctx.scale(ratio, ratio);
    if (draw) {
      draw(ctx, size / 2);
    } else {
      ctx.beginPath();
      tracePoint(ctx, style.shape, size / 2, size / 2, radius);
      fillStroke(ctx, style);
    }
    return canvas;
  }

  /* The marker of several sites or places at one point: a dark disc with their number in white, drawn once per
   * number. */
  var STACK_RADIUS = 10, STACK_SPRITES = {};

  function stackRadius(count) {
    return count > 99 ? STACK_RADIUS + 3 : STACK_RADIUS;
  }

  function drawStack(ctx, x, y, count) {
    var radius = stackRadius(count);
    ctx.beginPath();
    ctx.arc(x, y, radius, 0, Math.PI * 2, false);
    fillStroke(ctx, { fillColor: "#1a1a1a", fillOpacity: 1, color: "#ffffff", weight: 2, opacity: 1 });
    ctx.globalAlpha = 1;
    ctx.fillStyle = "#ffffff";
    ctx.font = "bold " + (count > 99 ? 10 : 11) + "px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillText(String(count), x, y + 0.5);
  }

  function stackSprite(count, ratio) {
    var key = ratio + ":" + count;
    if (!STACK_SPRITES[key]) {
      var size = Math.ceil(2 * (stackRadius(count) + 3)) * ratio;
      STACK_SPRITES[key] = rasterise(size, ratio, function (ctx, centre) { drawStack(ctx, centre, centre, count); });
    }
    return STACK_SPRITES[key];
  }

  /* A drawing `size` device pixels square, made by `draw(ctx, centre)` in CSS pixels, kept row by row: each row's
   * offset from the centre, its first and last column, and the premultiplied colour of every pixel between them. */
  function rasterise(size, ratio, draw) {
    var canvas = document.createElement("canvas");
    canvas.width = canvas.height = size;
    var ctx = canvas.getContext("2d");
    ctx.scale(ratio, ratio);
    draw(ctx, size / ratio / 2);
    var rgba = ctx.getImageData(0, 0, size, size).data, half = size >> 1;
    var colour = [], rowY = [], rowFirst = [], rowLast = [], rowStart = [];
    for (var y = 0; y < size; y++) {
      var first = -1, last = -1;
      for (var x = 0; x < size; x++) {
        if (rgba[4 * (y * size + x) + 3]) {
          if (first < 0) first = x;
          last = x;
        }
      }
      if (first < 0) continue;
      rowY.push(y - half);
      rowFirst.push(first - half);
      rowLast.push(last - half);
      rowStart.push(colour.length);
      for (x = first; x <= last; x++) {
        var p = y * size + x, a = rgba[4 * p + 3];
        var blue = Math.round(rgba[4 * p + 2] * a / 255), green = Math.round(rgba[4 * p + 1] * a / 255), red = Math.round(rgba[4 * p] * a / 255);
        colour.push((a << 24) | (blue << 16) | (green << 8) | red);
      }
    }
    return {
      colour: Int32Array.from(colour), reach: half + 1,
      rowY: Int16Array.from(rowY), rowFirst: Int16Array.from(rowFirst), rowLast: Int16Array.from(rowLast), rowStart: Int32Array.from(rowStart),
    };
  }

  /* Source-over of premultiplied pixel `s` on premultiplied pixel `d`, two
   * channels at a time, in 32-bit integer arithmetic (Math.imul and `| 0`
   * keep V8 off floating point; the bits are those of the unsigned sums). */
  function over(s, d) {
    var inverse = 255 - (s >>> 24);
    var rb = (Math.imul(d & 0x00ff00ff, inverse) + 0x00800080) | 0;
    rb = ((rb + ((rb >>> 8) & 0x00ff00ff)) >>> 8) & 0x00ff00ff;
    var ag = (Math.imul((d >>> 8) & 0x00ff00ff, inverse) + 0x00800080) | 0;
    ag = (ag + ((ag >>> 8) & 0x00ff00ff)) & 0xff00ff00;
    return (s + (rb | ag)) | 0;
  }

  /* One frame of point pixels the size of the renderer's canvas. The points
   * are written into it in JavaScript: a canvas call per point costs
   * microseconds, 0.3 s for 100,000 points. They are written front to back,
   * the topmost first, each pixel going under what is already there, so a
   * pixel that is already opaque is final. One bit per pixel, 32 to a word,
   * says which are, and a sprite visits only the pixels of its rows whose bit
   * is clear: at 100,000 points most of a dense view is covered early. */
  function PixelFrame(width, height) {
    this.width = width;
    this.height = height;
    this.image = new ImageData(width, height);
    this.pixels = new Int32Array(this.image.data.buffer);
    this.words = (width + 31) >> 5;
    this.opaque = new Int32Array(this.words * height);
    this.canvas = document.createElement("canvas");
    this.canvas.width = width;
    this.canvas.height = height;
  }

  PixelFrame.prototype.clear = function () {
    this.pixels.fill(0);
    this.opaque.fill(0);
  };

  /* Write `sprite` centred at pixel (cx, cy) under what the frame holds. */
  PixelFrame.prototype.stamp = function (sprite, cx, cy) {
    var width = this.width, height = this.height, pixels = this.pixels, opaque = this.opaque, words = this.words;
    var colour = sprite.colour, rowY = sprite.rowY, rowFirst = sprite.rowFirst, rowLast = sprite.rowLast, rowStart = sprite.rowStart;
    for (var r = 0; r < rowY.length; r++) {
      var y = cy + rowY[r];
      if (y < 0 || y >= height) continue;
      var first = cx + rowFirst[r], x0 = Math.max(first, 0), x1 = Math.min(cx + rowLast[r], width - 1);
      if (x0 > x1) continue;
      var line = y * words, base = y * width, offset = rowStart[r] - first, w0 = x0 >> 5, w1 = x1 >> 5;
      for (var w = w0; w <= w1; w++) {
        var low = w === w0 ? x0 & 31 : 0, high = w === w1 ? x1 & 31 : 31;
        var free = ~opaque[line + w] & ((-1 >>> (31 - (high - low))) << low);
        while (free) {
          var bit = free & -free;
          free ^= bit;
          var x = (w << 5) + 31 - Math.clz32(bit), s = colour[offset + x];
          if (!s) continue;
          var p = base + x, d = pixels[p], v = d === 0 ? s : over(d, s);
          pixels[p] = v;
          if (v >>> 24 === 255) opaque[line + w] |= bit;
        }
      }
    }
  };

  /* The frame as a canvas: ImageData holds straight, not premultiplied, colour. */
  PixelFrame.prototype.toCanvas = function () {
    var pixels = this.pixels;
    for (var p = 0; p < pixels.length; p++) {
      var v = pixels[p], a = v >>> 24;
      if (a === 0 || a === 255) continue;
      var scale = 255 / a;
      pixels[p] = ((a << 24) | (Math.min(255, Math.round(((v >>> 16) & 255) * scale)) << 16) |
        (Math.min(255, Math.round(((v >>> 8) & 255) * scale)) << 8) | Math.min(255, Math.round((v & 255) * scale)));
    }
    this.canvas.getContext("2d").putImageData(this.image, 0, 0);
    return this.canvas;
  };

  var POPUP_OPTIONS = { maxWidth: 360, autoPanPadding: [20, 20] };
  /* Below this width (CSS pixels of the page, or of the frame an embed is in) a popup is a bottom sheet. */
  var NARROW = "(max-width: 640px)";

  function narrow() {
    return window.matchMedia(NARROW).matches;
  }

  /* A popup drawn as a sheet along the bottom of the map, full width: on a phone a popup beside its point would
   * be wider than the screen or put its title above it. It is a Leaflet popup in every other way (the map's
   * popupopen and popupclose, one open at a time, closed by a click on the map), placed in the map's container
   * instead of a pane that moves with the map. */
  var SheetPopup = L.Popup.extend({
    _initLayout: function () {
      L.Popup.prototype._initLayout.call(this);
      L.DomUtil.addClass(this._container, "hm-sheet");
      L.DomUtil.removeClass(this._container, "leaflet-zoom-animated");
    },
    getPane: function () { return this._map.getContainer(); },
    _updateLayout: function () {},
    _updatePosition: function () {},
    _animateZoom: function () {},
    /* Keep the feature's point in the part of the map the sheet leaves. */
    _adjustPan: function () {
      if (!this._map || !this.options.autoPan) return;
      var map = this._map, point = map.latLngToContainerPoint(this._latlng), size = map.getSize();
      var free = size.y - this._container.offsetHeight, margin = 24;
      if (point.y > free - margin || point.y < margin) map.panBy([0, point.y - free / 2], { animate: false });
      else if (point.x < margin || point.x > size.x - margin) map.panBy([point.x - size.x / 2, 0], { animate: false });
    }
  });

  /* Open `content` about the feature at `latlng`: a popup beside it, or a bottom sheet on a narrow screen. The
   * popup is a dialog named by its first heading; focus moves into it and, when it closes, back to where it was
   * (a search result, a list entry, the map); Escape closes it from anywhere inside. */
  function openPopup(map, latlng, content, siteId) {
    var opener = document.activeElement, current = map._popup;
    /* Picked from inside a popup (a stack's list): focus goes back where that popup came from. */
    if (current && current.getElement() && current.getElement().contains(opener)) opener = current.heritageOpener;
    var popup = (narrow() ? new SheetPopup(POPUP_OPTIONS) : L.popup(POPUP_OPTIONS)).setLatLng(latlng).setContent(content);
    popup.heritageSite = siteId || null;
    popup.heritageOpener = opener && opener !== document.body ? opener : null;
    popup.heritagePanel = opener && opener.closest ? opener.closest(".hm-foldable") : null;
    map.openPopup(popup);
    return popup;
  }

  /* Where focus goes when a popup closes: back to what opened it; to its twin when a list was redrawn meanwhile
   * (a button of the list of sites in view, which the map's move redraws); to the button of the panel it was
   * in when that folded; else to the map. */
  function focusBack(popup) {
    var opener = popup.heritageOpener, target = null, shown = function (node) { return node && document.contains(node) && node.offsetParent !== null; };
    if (shown(opener)) target = opener;
    var key = opener && opener.getAttribute && opener.getAttribute("data-hm-key");
    if (!target && key) {
      var twin = document.querySelector('[data-hm-key="' + CSS.escape(key) + '"]');
      if (shown(twin)) target = twin;
    }
    if (!target && popup.heritagePanel) {
      var button = popup.heritagePanel.querySelector(".hm-fold");
      if (shown(button)) target = button;
    }
    if (!target && state.map) target = state.map.getContainer();
    if (target) target.focus({ preventScroll: true });
  }

  /* What a stack's list says about one of its features, and the symbol it is drawn with. */
  function memberEntry(member) {
    var layer = member.layer, table = layer.table(), i = member.index, kind = layer.heritageKind;
    var name = table.value("name", i) || table.value("id", i), detail;
    if (kind === "sites") {
      var status = table.value("status", i);
      var when = pageLang() === "en" ? table.value("status_when", i) : whenText({ status_date: table.value("status_date", i), status_reported_on: table.value("status_reported_on", i) });
      var label = (STATUS_STYLE[status] || STATUS_STYLE.unknown).label;
      detail = when ? t("{status}, {when}", { status: label, when: when }) : label;
    } else if (kind === "places") {
      detail = placeGroup(table.value("kind", i)).label;
    } else {
      var people = table.value("population", i);
      detail = typeof people === "number" ? t("community of {people} people", { people: number(people) }) : t("community");
    }
    return { name: name, detail: detail, symbol: symbolCanvas(layer._styles[layer._style[i]], Math.min(7, layer._radius[i])) };
  }

  var KIND_ORDER = { sites: 0, places: 1, communities: 2 };

  /* The members of a stack in reading order: sites by status (as the legend lists them), then places, then communities. */
  function ordered(members) {
    var statuses = Object.keys(STATUS_STYLE);
    function key(m) {
      var kind = m.layer.heritageKind, status = kind === "sites" ? statuses.indexOf(m.layer.table().value("status", m.index)) : 0;
      return [KIND_ORDER[kind] === undefined ? 3 : KIND_ORDER[kind], status, String(m.layer.table().value("name", m.index) || "")];
    }
    return members.slice().sort(function (a, b) {
      var ka = key(a), kb = key(b);
      return ka[0] - kb[0] || ka[1] - kb[1] || ka[2].localeCompare(kb[2]);
    });
  }

  function stackTitle(group) {
    var sites = group.shown.filter(function (m) { return m.layer.heritageKind === "sites"; }).length;
    if (sites === group.count) return t("{count} heritage sites at this point", { count: sites });
    if (!sites) return t("{count} places at this point", { count: group.count });
    return t("{count} heritage sites and places at this point", { count: group.count });
  }

  /* Buttons that open each of `members`' popups; the list closes as the popup opens in its place. */
  function memberList(members, group) {
    var list = el("ul", { className: "hm-stack-list" });
    ordered(members).forEach(function (member) {
      var entry = memberEntry(member);
      var button = el("button", { type: "button", className: "hm-stack-item" }, [
        entry.symbol, el("span", { className: "hm-stack-name", lang: "en", text: entry.name }), el("span", { className: "hm-stack-detail", text: entry.detail })
      ]);
      button.addEventListener("click", function () { member.layer.openPopupAt(member.index, group); });
      list.appendChild(el("li", null, [button]));
    });
    return list;
  }

  /* The list of the sites and places a stack's marker counts, then the communities at its point. */
  function openStack(map, group, latlng) {
    var counted = group.shown.filter(function (m) { return m.layer.heritageKind !== "communities"; });
    var others = group.shown.filter(function (m) { return m.layer.heritageKind === "communities"; });
    var body = el("div", { className: "hm-popup hm-stack" }, [
      el("h2", { className: "hm-popup-title", text: stackTitle(group) }),
      el("p", { className: "hm-sub", text: t("Choose one to see its details.") }),
      memberList(counted, group),
      others.length ? el("div", { className: "hm-block hm-also-here" }, [el("div", { className: "hm-label", text: t("Also at this point") }), memberList(others, group)]) : null
    ]);
    openPopup(map, latlng, body, null);
  }

  function backToStack(group) {
    var button = el("button", { type: "button", className: "hm-back-to-stack", text: t("← All {count} at this point", { count: group.count }) });
    button.addEventListener("click", function () {
      var first = group.shown[0];
      openStack(first.layer._map, group, first.layer.latLngAt(first.index));
    });
    return button;
  }

  function alsoHere(others) {
    return el("div", { className: "hm-block hm-also-here" }, [el("div", { className: "hm-label", text: t("Also at this point") }), memberList(others, null)]);
  }

  var popupIds = 0;

  function onPopupOpen(e) {
    var popup = e.popup, container = popup.getElement(), heading = container.querySelector(".hm-name, .hm-popup-title");
    container.setAttribute("role", "dialog");
    if (heading) {
      heading.id = heading.id || "hm-popup-title-" + (++popupIds);
      container.setAttribute("aria-labelledby", heading.id);
    } else {
      container.setAttribute("aria-label", t("Details"));
    }
    if (!popup.heritageKeys) {
      popup.heritageKeys = true;
      L.DomEvent.on(container, "keydown", function (event) {
        if (event.key === "Escape") {
          L.DomEvent.stop(event);
          popup.close();
        }
      });
    }
    if (popup.heritageOpener) {
      var target = container.querySelector(".leaflet-popup-content");
      target.setAttribute("tabindex", "-1");
      target.focus({ preventScroll: true });
    }
  }

  function onPopupClose(e) {
    var popup = e.popup, container = popup.getElement();
    var inside = container && container.contains(document.activeElement);
    if (popup.heritageOpener && (inside || document.activeElement === document.body)) focusBack(popup);
  }

  /* The private parts of Leaflet that PointCanvas overrides, calls or reads,
   * in one place, as read from Leaflet 1.9.4 (src/layer/vector/Canvas.js,
   * src/layer/vector/Renderer.js, src/map/Map.js). They are not Leaflet's
   * API: Leaflet's main branch already renames some (_handleMouseHover), and
   * an upgrade that drops one would make hover or click fail silently. So
   * `checkLeaflet` says so on the console when the version or a method
   * differs, and tests/test_map_browser.py checks every entry and drives
   * hover and click; re-read these files before changing the version. */
  var LEAFLET_VERSION = "1.9.4";
  var LEAFLET_PRIVATE = {
    /* L.Canvas methods PointCanvas overrides and calls through the prototype. */
    canvasOverrides: ["_redraw", "_draw", "_onClick", "_handleMouseHover", "_handleMouseOut"],
    /* L.Canvas methods it calls, and L.Map methods. */
    canvasCalls: ["_fireEvent"],
    mapCalls: ["_draggableMoved"],
    /* Fields it reads or sets on the renderer (set by Leaflet once the renderer is on a map) and the map. */
    canvasFields: ["_ctx", "_bounds", "_container", "_redrawBounds", "_redrawRequest", "_mouseHoverThrottled", "_hoveredLayer"],
    mapFields: ["_popup"]
  };

  function checkLeaflet() {
    var missing = [];
    if (L.version !== LEAFLET_VERSION) missing.push("version " + L.version + " (read from " + LEAFLET_VERSION + ")");
    LEAFLET_PRIVATE.canvasOverrides.concat(LEAFLET_PRIVATE.canvasCalls).forEach(function (name) {
      if (typeof L.Canvas.prototype[name] !== "function") missing.push("L.Canvas." + name);
    });
    LEAFLET_PRIVATE.mapCalls.forEach(function (name) {
      if (typeof L.Map.prototype[name] !== "function") missing.push("L.Map." + name);
    });
    if (missing.length) console.error("heritage.js: Leaflet differs from the one PointCanvas was written against: " + missing.join(", "));
    return missing;
  }

  /* The canvas renderer shared by every layer: Leaflet draws the paths
   * (routes, footprints), then the point layers' pixels go on top in one
   * frame. Clicks and hovers test the point layers first, top layer first,
   * then Leaflet's paths. */
  var PointCanvas = L.Canvas.extend({
    initialize: function (options) {
      L.Canvas.prototype.initialize.call(this, options);
      this._pointLayers = [];
      this._stacks = null;
    },

    addPoints: function (layer) {
      this._pointLayers.push(layer);
      this._stacks = null;
      this.redrawAll();
    },

    removePoints: function (layer) {
      this._pointLayers = this._pointLayers.filter(function (other) { return other !== layer; });
      this._stacks = null;
      layer._stackOf = null;
      if (this._hoverHit && this._hoverHit.layer === layer) this._endHover();
      this.redrawAll();
    },

    redrawAll: function () {
      if (!this._map) return;
      this._wholeCanvas = true;
      this._redrawRequest = this._redrawRequest || L.Util.requestAnimFrame(this._redraw, this);
    },

    _redraw: function () {
      if (this._wholeCanvas) this._redrawBounds = null;
      this._wholeCanvas = false;
      L.Canvas.prototype._redraw.call(this);
    },

    _draw: function () {
      L.Canvas.prototype._draw.call(this);
      if (!this._pointLayers.length) return;
      var ctx = this._ctx, bounds = this._bounds, ratio = L.Browser.retina ? 2 : 1;
      var width = this._container.width, height = this._container.height;
      if (!this._frame || this._frame.width !== width || this._frame.height !== height) this._frame = new PixelFrame(width, height);
      var frame = this._frame;
      frame.clear();
      this.stacks().count();
      for (var k = this._pointLayers.length - 1; k >= 0; k--) this._pointLayers[k].drawOn(frame, bounds.min, ratio);
      ctx.save();
      if (this._redrawBounds) {
        var size = this._redrawBounds.getSize();
        ctx.beginPath();
        ctx.rect(this._redrawBounds.min.x, this._redrawBounds.min.y, size.x, size.y);
        ctx.clip();
      }
      ctx.globalAlpha = 1;
      ctx.drawImage(frame.toCanvas(), bounds.min.x, bounds.min.y, width / ratio, height / ratio);
      ctx.restore();
    },

    /* The points of the layers on the map that stand at one spot (`Stacks`), found again when a layer comes or goes. */
    stacks: function () {
      if (!this._stacks) this._stacks = new Stacks(this._pointLayers);
      return this._stacks;
    },

    _pointAt: function (point) {
      for (var k = this._pointLayers.length - 1; k >= 0; k--) {
        var index = this._pointLayers[k].indexAt(point, this.options.tolerance);
        if (index >= 0) return { layer: this._pointLayers[k], index: index };
      }
      return null;
    },

    _onClick: function (e) {
      var hit = this._pointAt(this._map.mouseEventToLayerPoint(e));
      var dragged = (e.type === "click" || e.type === "preclick") && hit && this._map._draggableMoved(hit.layer);
      if (!hit || dragged) {
        L.Canvas.prototype._onClick.call(this, e);
        return;
      }
      hit.layer.hitIndex = hit.index;
      this._fireEvent([hit.layer], e);
    },

    _handleMouseHover: function (e, point) {
      if (this._mouseHoverThrottled) return;
      var hit = this._pointAt(point);
      if (!hit) {
        if (this._hoverHit) this._endHover();
        L.Canvas.prototype._handleMouseHover.call(this, e, point);
        return;
      }
      if (this._hoveredLayer) L.Canvas.prototype._handleMouseOut.call(this, e);
      if (!this._hoverHit || this._hoverHit.layer !== hit.layer || this._hoverHit.index !== hit.index) {
        this._hoverHit = hit;
        L.DomUtil.addClass(this._container, "leaflet-interactive");
        hit.layer.showTooltip(hit.index);
      }
      this._mouseHoverThrottled = true;
      setTimeout(L.Util.bind(function () { this._mouseHoverThrottled = false; }, this), 32);
    },

    _handleMouseOut: function (e) {
      if (this._hoverHit) this._endHover();
      L.Canvas.prototype._handleMouseOut.call(this, e);
    },

    _endHover: function () {
      this._hoverHit.layer.hideTooltip();
      this._hoverHit = null;
      L.DomUtil.removeClass(this._container, "leaflet-interactive");
    }
  });

  /* Points of the layers on the map that stand at exactly one spot (the same coordinates: several sites placed at
   * their settlement's point, a site at a village's point). Sites and places there would cover one another, so
   * when two or more of them are shown they are drawn as one marker with their number, and a click lists every
   * feature at the spot; a community's circle, which says its population by its size, is drawn as it is and
   * listed with them. Found once when a layer comes or goes, by the points' coordinates as numbers (a Map keyed
   * by longitude; a second pass only where two points share one), so 100,000 sites cost no string and no object
   * per point. Each layer in a stack gets `_stackOf`, the stack of each of its points (-1: alone). */
  function Stacks(layers) {
    var first = new Map(), shared = new Map(), SLOT = 16777216;
    layers.forEach(function (layer, slot) {
      var geometry = layer.table().geometry, xs = geometry.x, ys = geometry.y;
      layer._stackOf = null;
      for (var i = 0; i < xs.length; i++) {
        var x = xs[i], code = slot * SLOT + i, earlier = first.get(x);
        if (earlier === undefined) { first.set(x, code); continue; }
        var spots = shared.get(x);
        if (!spots) {
          spots = [{ y: layers[Math.floor(earlier / SLOT)].table().geometry.y[earlier % SLOT], codes: [earlier] }];
          shared.set(x, spots);
        }
        var spot = null;
        for (var s = 0; s < spots.length && !spot; s++) if (spots[s].y === ys[i]) spot = spots[s];
        if (spot) spot.codes.push(code); else spots.push({ y: ys[i], codes: [code] });
      }
    });
    var groups = this.groups = [];
    shared.forEach(function (spots) {
      spots.forEach(function (spot) {
        if (spot.codes.length < 2) return;
        var members = spot.codes.map(function (code) { return { layer: layers[Math.floor(code / SLOT)], index: code % SLOT }; });
        /* Topmost layer first: the marker is drawn by the first member shown. */
        members.reverse();
        members.forEach(function (member) {
          var layer = member.layer;
          if (!layer._stackOf) { layer._stackOf = new Int32Array(layer.count()); layer._stackOf.fill(-1); }
          layer._stackOf[member.index] = groups.length;
        });
        groups.push({ members: members, shown: [], count: 0, marker: null });
      });
    });
  }

  /* For the next drawing: which members of each stack are shown, how many sites and places the marker counts,
   * and which of them draws it. */
  Stacks.prototype.count = function () {
    this.groups.forEach(function (group) {
      group.shown = group.members.filter(function (m) { return !(m.layer._hidden && m.layer._hidden[m.index]); });
      var marked = group.shown.filter(function (m) { return m.layer.heritageKind !== "communities"; });
      group.count = marked.length;
      group.marker = marked.length > 1 ? marked[0] : null;
    });
  };

  /* The stack a layer's point `i` belongs to, when it is drawn as a counted marker; null otherwise. */
  function stackOf(layer, i) {
    var k = layer._stackOf ? layer._stackOf[i] : -1;
    if (k < 0) return null;
    var group = layer._renderer.stacks().groups[k];
    return group.marker && layer.heritageKind !== "communities" ? group : null;
  }

  /* The other features shown at the spot of a layer's point `i` (for "Also at this point"). */
  function neighbours(layer, i) {
    var k = layer._stackOf ? layer._stackOf[i] : -1;
    if (k < 0) return [];
    return layer._renderer.stacks().groups[k].shown.filter(function (m) { return m.layer !== layer || m.index !== i; });
  }

  /* An overlay drawn from one payload, which is parsed on first use. */
  var TableLayer = L.Layer.extend({
    initialize: function (dataId, kind, title, renderer) {
      this._dataId = dataId;
      this._renderer = renderer;
      this.heritageKind = kind;
      this.heritageTitle = title;
    },

    table: function () {
      if (!this._table) {
        this._table = this._given || new Table(readPayload(this._dataId));
        this._prepare(this._table);
      }
      return this._table;
    },

    _prepare: function () {},

    count: function () { return this.table().count; }
  });

  /* One overlay of points: each point projected once to Web Mercator at
   * zoom 0, and every redraw scales, culls and stamps the points: no object
   * per feature. */
  var PointLayer = TableLayer.extend({
    initialize: function (dataId, kind, title, renderer) {
      TableLayer.prototype.initialize.call(this, dataId, kind, title, renderer);
      this.options = { renderer: renderer, pane: "overlayPane", bubblingMouseEvents: true };
      this.on("click", this._onFeatureClick, this);
    },

    _prepare: function (table) {
      var n = table.count, spec = KINDS[this.heritageKind], styles = [];
      var xs = table.geometry.x || [], ys = table.geometry.y || [];
      this._u = new Float64Array(n);
      this._v = new Float64Array(n);
      this._radius = new Float32Array(n);
      this._style = new Uint8Array(n);
      this._hidden = null;
      var crs = L.CRS.EPSG3857;
      for (var i = 0; i < n; i++) {
        var unit = crs.transformation.transform(crs.projection.project(L.latLng(ys[i], xs[i])), 1);
        this._u[i] = unit.x;
        this._v[i] = unit.y;
        var style = spec.style(table, i);
        var slot = styles.indexOf(style);
        if (slot < 0) { slot = styles.length; styles.push(style); }
        this._style[i] = slot;
        this._radius[i] = spec.radius(table, i);
      }
      this._styles = styles;
      this._defaultStyle = this._style.slice();
    },

    onAdd: function (map) {
      this.table();
      this._renderer = map.getRenderer(this);
      this._renderer.addPoints(this);
    },

    onRemove: function () {
      this._renderer.removePoints(this);
    },

    _screen: function () {
      var map = this._map;
      return { scale: map.options.crs.scale(map.getZoom()), origin: map.getPixelOrigin() };
    },

    /* Writes the features into `frame`, the last (topmost) first. A site or place in a stack of two or more
     * shown is drawn once for the stack, as its counted marker, by the stack's first member. */
    drawOn: function (frame, origin, ratio) {
      var view = this._screen(), u = this._u, v = this._v, radius = this._radius, hidden = this._hidden;
      var stacked = this.heritageKind !== "communities" ? this._stackOf : null, groups = stacked ? this._renderer.stacks().groups : null;
      var offsetX = view.origin.x + origin.x, offsetY = view.origin.y + origin.y, sprites = [], lastRadius = [];
      for (var i = u.length - 1; i >= 0; i--) {
        if (hidden && hidden[i]) continue;
        var sprite = null;
        if (stacked && stacked[i] >= 0) {
          var group = groups[stacked[i]];
          if (group.marker) {
            if (group.marker.layer !== this || group.marker.index !== i) continue;
            sprite = stackSprite(group.count, ratio);
          }
        }
        if (!sprite) {
          var slot = this._style[i];
          if (lastRadius[slot] !== radius[i]) {
            sprites[slot] = spriteFor(this._styles[slot], radius[i], ratio);
            lastRadius[slot] = radius[i];
          }
          sprite = sprites[slot];
        }
        var reach = sprite.reach;
        var cx = Math.round((u[i] * view.scale - offsetX) * ratio), cy = Math.round((v[i] * view.scale - offsetY) * ratio);
        if (cx + reach < 0 || cy + reach < 0 || cx - reach >= frame.width || cy - reach >= frame.height) continue;
        frame.stamp(sprite, cx, cy);
      }
    },

    indexAt: function (point, tolerance) {
      var view = this._screen(), u = this._u, v = this._v, hidden = this._hidden, pad = (tolerance || 0) + 2;
      var stacked = this.heritageKind !== "communities" ? this._stackOf : null, groups = stacked ? this._renderer.stacks().groups : null;
      for (var i = u.length - 1; i >= 0; i--) {
        if (hidden && hidden[i]) continue;
        var dx = u[i] * view.scale - view.origin.x - point.x, dy = v[i] * view.scale - view.origin.y - point.y;
        var r = (stacked && stacked[i] >= 0 && groups[stacked[i]].marker ? stackRadius(groups[stacked[i]].count) : this._radius[i] * SHAPE_REACH) + pad;
        if (dx * dx + dy * dy <= r * r) return i;
      }
      return -1;
    },

    latLngAt: function (i) {
      var geometry = this.table().geometry;
      return L.latLng(geometry.y[i], geometry.x[i]);
    },

    /* The feature's popup, with the others shown at its point; `from` is the stack whose list it was picked from. */
    openPopupAt: function (i, from) {
      var props = this.table().props(i), body = popupFor(this.heritageKind, props), others = neighbours(this, i);
      if (from) body.insertBefore(backToStack(from), body.firstChild);
      else if (others.length) body.appendChild(alsoHere(others));
      openPopup(this._map, this.latLngAt(i), body, this.heritageKind === "sites" ? props.id : null);
    },

    /* A click on a stack's marker lists its features; on anything else, the feature's own popup. */
    _onFeatureClick: function (e) {
      L.DomEvent.stop(e);
      var group = stackOf(this, this.hitIndex);
      if (group) openStack(this._map, group, this.latLngAt(this.hitIndex));
      else this.openPopupAt(this.hitIndex);
    },

    showTooltip: function (i) {
      var table = this.table(), group = stackOf(this, i);
      state.tooltip = state.tooltip || L.tooltip({ direction: "top", offset: [0, -8] });
      var content = group ? el("span", { text: t("{count} sites and places at this point: click to list them", { count: group.count }) })
        : tooltipFor({ id: table.value("id", i), name: table.value("name", i), name_hy: table.value("name_hy", i) });
      state.tooltip.setLatLng(this.latLngAt(i)).setContent(content);
      this._map.openTooltip(state.tooltip);
    },

    hideTooltip: function () {
      if (state.tooltip && this._map) this._map.closeTooltip(state.tooltip);
    },

    /* Restyle or hide features: `choose(i)` gives a style, true for the
     * feature's own style, or false to hide it (the timeline's dates). */
    restyle: function (choose) {
      var table = this.table(), hidden = new Uint8Array(table.count);
      for (var i = 0; i < table.count; i++) {
        var choice = choose(i);
        hidden[i] = choice === false ? 1 : 0;
        if (choice && choice !== true) {
          var slot = this._styles.indexOf(choice);
          if (slot < 0) { slot = this._styles.length; this._styles.push(choice); }
          this._style[i] = slot;
        } else {
          this._style[i] = this._defaultStyle[i];
        }
      }
      this._hidden = hidden;
      if (this._renderer) this._renderer.redrawAll();
    },

    shown: function () {
      var hidden = this._hidden, n = this.count(), out = [];
      for (var i = 0; i < n; i++) out.push(!(hidden && hidden[i]));
      return out;
    },

    /* The features shown inside `bounds` (a LatLngBounds), at most `limit` of them, and how many there are. */
    shownIn: function (bounds, limit) {
      var geometry = this.table().geometry, xs = geometry.x, ys = geometry.y, hidden = this._hidden, found = [], total = 0;
      var south = bounds.getSouth(), north = bounds.getNorth(), west = bounds.getWest(), east = bounds.getEast();
      for (var i = 0; i < xs.length; i++) {
        if ((hidden && hidden[i]) || ys[i] < south || ys[i] > north || xs[i] < west || xs[i] > east) continue;
        total++;
        if (found.length < limit) found.push(i);
      }
      return { indices: found, total: total };
    }
  });

  /* One overlay of lines or polygons (routes, footprints, site outlines):
   * few features, drawn as Leaflet paths, built on first use. */
  var ShapeLayer = TableLayer.extend({
    group: function () {
      if (this._group) return this._group;
      var table = this.table(), kind = this.heritageKind, renderer = this._renderer, self = this;
      this._members = [];
      this._group = L.featureGroup();
      table.geometry.geometries.forEach(function (geometry, i) {
        var props = table.props(i);
        var member = L.geoJSON({ type: "Feature", geometry: geometry, properties: props }, {
          renderer: renderer,
          pointToLayer: function (feature, latlng) { return L.circleMarker(latlng, { renderer: renderer }); },
          style: function () { return shapeStyle(kind, props); }
        });
        member.on("click", function (e) {
          L.DomEvent.stop(e);
          self.openPopupAt(i, e.latlng);
        });
        member.bindTooltip(function () { return tooltipFor(props); });
        member.props = props;
        self._members.push(member);
        self._group.addLayer(member);
      });
      return this._group;
    },

    onAdd: function (map) { map.addLayer(this.group()); },
    onRemove: function (map) { map.removeLayer(this.group()); },

    latLngAt: function (i) {
      this.group();
      return this._members[i].getBounds().getCenter();
    },

    openPopupAt: function (i, latlng) {
      this.group();
      var props = this._members[i].props;
      openPopup(this._map, latlng || this.latLngAt(i), KINDS[this.heritageKind].popup(props), this.heritageKind === "sites" ? props.id : null);
    },

    restyle: function (choose) {
      var kind = this.heritageKind;
      this.group();
      this._members.forEach(function (member, i) {
        var choice = choose(i), base = shapeStyle(kind, member.props);
        member.setStyle(choice === false ? { opacity: 0, fillOpacity: 0 } : L.extend({}, base, choice === true ? {} : choice));
        member.eachLayer(function (path) { path.options.interactive = choice !== false; });
      });
    },

    shown: function () {
      this.group();
      return this._members.map(function (member) { return member.getLayers()[0].options.opacity !== 0; });
    }
  });

  var SITE_STYLES = {};

  /* The drawing style of a site with this status; one shared object per status. */
  function siteStyle(status) {
    if (!SITE_STYLES[status]) {
      var style = STATUS_STYLE[status] || STATUS_STYLE.unknown, ring = style.shape === "ring";
      SITE_STYLES[status] = {
        shape: ring ? "circle" : style.shape, color: ring ? style.color : "#1a1a1a", weight: ring ? 3 : 1,
        opacity: 1, fillColor: style.color, fillOpacity: ring ? 0.15 : 1
      };
    }
    return SITE_STYLES[status];
  }

  /* Communities held in August 2023 are blue, sized by population: filled when counted among the 107 or part of a
   * counted community, an outline when no source places residents there in 2023 (the settlement's `group`,
   * geo/reconcile.py). Settlements lost in 2020 are grey. */
  var COMMUNITY_STYLES = {
    held: { shape: "circle", color: "#0072B2", weight: 1.5, opacity: 1, fillColor: "#56B4E9", fillOpacity: 0.35 },
    lost: { shape: "circle", color: "#6E6E6E", weight: 1.5, opacity: 1, fillColor: "#BBBBBB", fillOpacity: 0.35 },
    /* Held in 2023, but no source places residents there that year (geo/reconcile.py): an outline only. */
    doubted: { shape: "circle", color: "#0072B2", weight: 1.5, opacity: 1, fillColor: "#56B4E9", fillOpacity: 0 }
  };

  function communityStyle(held, group) {
    if (held !== true) return COMMUNITY_STYLES.lost;
    return group === "doubted" ? COMMUNITY_STYLES.doubted : COMMUNITY_STYLES.held;
  }

  /* Places by kind, in black so that no colour of a status is reused: a diamond for a town or village, a bar for
   * a checkpoint or crossing, a plus for a reception centre, a cross for an event, a dot for anything else. */
  function placeStyle(shape) {
    return { shape: shape, color: "#ffffff", weight: 1.5, opacity: 1, fillColor: "#1a1a1a", fillOpacity: 0.9 };
  }

  var PLACE_GROUPS = [
    { key: "settlement", kinds: ["city", "town", "village"], style: placeStyle("diamond"), label: t("Towns and villages") },
    { key: "crossing", kinds: ["checkpoint", "border_post_reception", "blockade_site"], style: placeStyle("bar"), label: t("Checkpoints, border crossings and blockade points") },
    { key: "reception", kinds: ["reception_centre"], style: placeStyle("plus"), label: t("Reception centres for the displaced") },
    { key: "event", kinds: ["explosion", "demolished_building"], style: placeStyle("cross"), label: t("Events (an explosion, a demolition)") },
    { key: "other", kinds: [], style: placeStyle("circle"), label: t("Other places (an airport, a base, a named point)") }
  ];
  var PLACE_KINDS = {
    city: t("city"), town: t("town"), village: t("village"), checkpoint: t("checkpoint"),
    border_post_reception: t("border crossing and reception point"), blockade_site: t("blockade site"),
    reception_centre: t("reception centre"), explosion: t("explosion"), demolished_building: t("demolished building"),
    airport: t("airport"), military_base: t("military base"), label_point: t("named point")
  };

  function placeGroup(kind) {
    for (var k = 0; k < PLACE_GROUPS.length - 1; k++) if (PLACE_GROUPS[k].kinds.indexOf(kind) >= 0) return PLACE_GROUPS[k];
    return PLACE_GROUPS[PLACE_GROUPS.length - 1];
  }

  /* Sites drawn at their settlement's point share it with every other site there: the map's radius of a site. */
  var SITE_RADIUS = 7, PLACE_RADIUS = 6;

  function communityRadius(population) {
    return Math.max(4, Math.min(22, 3 + Math.sqrt(typeof population === "number" ? population : 0) / 6));
  }

  /* Leaflet path options for a feature drawn as a line or polygon: a route dashed when it is drawn as straight
   * links between its sourced waypoints, not along the road. */
  function routeStyle(kind, dashed) {
    return { color: ROUTE_COLOR[kind] || "#333", weight: 4, opacity: 0.85, fillOpacity: 0, dashArray: dashed ? "8 6" : null };
  }

  function shapeStyle(kind, props) {
    if (kind === "routes") return routeStyle(props.kind, props.geometry_precision === "waypoints");
    if (KINDS[kind].style) return KINDS[kind].style({ value: function (name) { return props[name]; } }, 0);
    return { color: "#0072B2", weight: 1, opacity: 1, fillOpacity: 0.05 };
  }

  /* A feature's names, each marked with its language: `name` is the English the sources give. */
  function namesBlock(props) {
    var names = el("div", { className: "hm-names" }, [el("h2", { className: "hm-name", lang: "en", text: props.name || props.id })]);
    if (props.name_hy) names.appendChild(el("div", { lang: "hy", className: "hm-name-hy", text: props.name_hy }));
    if (props.name_ru) names.appendChild(el("div", { lang: "ru", className: "hm-name-ru", text: props.name_ru }));
    if (props.name_az) names.appendChild(el("div", { lang: "az", className: "hm-name-az", text: props.name_az }));
    return names;
  }

  /* A labelled value; `dataLang` marks a value that is the data's own words (a note, a publisher, a province), in
   * the language the sources give it, whatever the page's. */
  function row(label, value, dataLang) {
    if (value === null || value === undefined || value === "") return null;
    var shown = typeof value === "string" ? el("span", dataLang ? { text: value, lang: dataLang } : { text: value }) : value;
    return el("div", { className: "hm-row" }, [el("span", { className: "hm-label", text: t("{label}:", { label: label }) + " " }), shown]);
  }

  function date(iso) {
    var i18n = window.HeritageMap && window.HeritageMap.i18n;
    return i18n ? i18n.date(iso) : String(iso);
  }

  /* A date in words in every language ("September 2023"), where the sources' month reads better than its ISO form. */
  function dateWords(iso) {
    var i18n = window.HeritageMap && window.HeritageMap.i18n;
    return i18n ? i18n.dateWords(iso) : String(iso);
  }

  /* When a status was observed or reported (geo/evidence.py date_message, the same messages). */
  function whenText(props) {
    var observed = props.status_date, reported = props.status_reported_on, seen;
    if (observed) {
      var ends = String(observed).split("/");
      seen = ends.length === 2 ? t("observed between {start} and {end}", { start: date(ends[0]), end: date(ends[1]) }) : t("observed {date}", { date: date(observed) });
      return reported ? t("{observed}; reported on {reported}", { observed: seen, reported: date(reported) }) : seen;
    }
    if (reported) return t("reported on {reported}, change on or before that date", { reported: date(reported) });
    return null;
  }

  /* Kinds of heritage (geo/pages.py KINDS): the data's words in English, the catalog's in another language. */
  var SITE_KINDS = {
    archaeological: t("archaeological site"), bridge: t("bridge"), cemetery: t("cemetery"), church: t("church"),
    civic: t("civic building"), khachkar: t("khachkar"), memorial: t("memorial"), monastery: t("monastery"),
    monument: t("monument"), mosque: t("mosque"), other: t("other heritage"), village: t("village")
  };
  var STATUS_WORDS = { destroyed: t("destroyed"), damaged: t("damaged"), threatened: t("threatened"), intact: t("intact"), unknown: t("unknown") };

  function pageLang() { return document.documentElement.lang || "en"; }

  function listBlock(title, items, render) {
    if (!items || !items.length) return null;
    var list = el("ul", { className: "hm-list" });
    items.forEach(function (item) { list.appendChild(el("li", null, [render(item)])); });
    return el("div", { className: "hm-block" }, [el("div", { className: "hm-label", text: title }), list]);
  }

  function sceneText(scene) {
    if (!scene) return null;
    var parts = [scene.date || t("date unstated"), t("provider: {provider}", { provider: scene.provider || t("unstated") })];
    if (scene.sensor) parts.push(t("sensor: {sensor}", { sensor: scene.sensor }));
    if (scene.gsd) parts.push(t("resolution: {gsd} m", { gsd: scene.gsd }));
    if (scene.coverage === "asserted") parts.push(t("coverage asserted by the source (no footprint)"));
    return parts.join(" · ");
  }

  function precisionText(props) {
    var p = props.coord_precision;
    if (p === "site") return t("at the site");
    if (p === "settlement") return t("approximate: the point is the settlement's, not the site's");
    if (p === "community") return t("approximate: the point is the community's it belongs to");
    if (p === "approximate") return t("approximate");
    return null;
  }

  function sitePopup(props) {
    var style = STATUS_STYLE[props.status] || STATUS_STYLE.unknown;
    var english = pageLang() === "en", when = english ? props.status_when : whenText(props);
    var statusLine = el("div", { className: "hm-status" }, [
      el("span", { className: "hm-swatch", style: "background:" + style.color }),
      el("strong", { text: style.label }),
      when ? " · " + when : (props.status_date ? " " + t("as of {date}", { date: date(props.status_date) }) : ""),
      props.verdict ? el("span", { className: "hm-verdict hm-verdict-" + props.verdict, text: t(props.verdict_label || props.verdict) }) : null
    ]);
    var images = props.monitor_imagery;
    /* The kind: the data's own words in English; in another language, the kind's name from the catalog. */
    var kind = english || !SITE_KINDS[props.type] ? el("span", { lang: "en", text: props.type_label || "" }) : el("span", { text: SITE_KINDS[props.type] });
    var sub = el("div", { className: "hm-sub" }, [kind]);
    if (props.settlement) { sub.appendChild(document.createTextNode(" · ")); sub.appendChild(el("span", { lang: "en", text: props.settlement })); }
    var withheld = props.status_withheld ? t("the latest observation ({status}) cites no evidence (no URL, no hashed file, no before/after scene pair), so its status is not shown", { status: STATUS_WORDS[props.status_withheld] || props.status_withheld }) : props.status_note;
    var body = [
      namesBlock(props),
      sub,
      statusLine,
      row(t("Status not shown"), withheld),
      row(t("Published by"), props.published_by, "en"),
      row(t("Monitor's image dates"), images ? [images.before, images.after].filter(Boolean).map(date).join(" → ") : null),
      row(t("Checked"), props.checked_on ? date(props.checked_on) : null),
      props.pending ? el("div", { className: "hm-pending", text: tn("{count} newer observation under review", "{count} newer observations under review", props.pending, { count: number(props.pending) }) }) : null,
      row(t("Before"), sceneText(props.before)),
      row(t("After"), sceneText(props.after)),
      listBlock(t("Status history"), props.status_history, function (h) {
        var entry = el("span", { text: [h.observed_on ? date(h.observed_on) : "", (STATUS_STYLE[h.status] || {}).label || h.status].filter(Boolean).join(" · ") });
        if (h.published_by) entry.appendChild(el("span", { lang: "en", text: " (" + h.published_by + ")" }));
        return entry;
      }),
      row(t("Location"), precisionText(props)),
      listBlock(t("Evidence"), props.evidence, function (url) { return link(url); }),
      listBlock(t("Sources"), props.sources, function (url) { return link(url); })
    ];
    if (props.page) body.push(el("div", { className: "hm-more" }, [el("a", { href: props.page, text: t("Site story, history and imagery") })]));
    return el("div", { className: "hm-popup" }, body);
  }

  /* What a settlement's group (geo/reconcile.py) means for the 107 communities of the 2024 report. */
  var COMMUNITY_GROUPS = {
    counted: t("Yes: a source places Armenian residents here in 2023"),
    part: t("Within a counted community"),
    doubted: t("No: no source places residents here in 2023")
  };

  function communityPopup(props) {
    return el("div", { className: "hm-popup" }, [
      namesBlock(props),
      row(t("Province"), props.province, "en"),
      row(t("Population"), typeof props.population === "number" ? number(props.population) + (props.population_year ? " (" + props.population_year + ")" : "") : t("not given by the sources")),
      row(t("Held until"), props.held_until ? dateWords(props.held_until) : null),
      row(t("Counted of the 107"), COMMUNITY_GROUPS[props.group] || null),
      row(t("Part of"), props.part_of, "en"),
      row(t("Location"), precisionText(props)),
      row(t("Coordinate warning"), props.coord_warning, "en"),
      row(t("Note"), props.note, "en"),
      listBlock(t("Sources"), props.sources, function (url) { return link(url); })
    ]);
  }

  function routePopup(props) {
    return el("div", { className: "hm-popup" }, [
      el("h2", { className: "hm-popup-title", lang: "en", text: props.name }),
      row(t("In use"), t("{from} to {to}", { from: props.active_from ? date(props.active_from) : "?", to: props.active_to ? date(props.active_to) : "" })),
      row(t("Drawn"), props.geometry_precision === "waypoints" ? t("straight links between sourced waypoints, not the road's course") : props.geometry_precision),
      listBlock(t("Waypoints"), props.waypoints, function (w) { return el("span", { lang: "en", text: w }); }),
      listBlock(t("Sources"), props.sources, function (url) { return link(url); })
    ]);
  }

  function placePopup(props) {
    return el("div", { className: "hm-popup" }, [
      namesBlock(props),
      row(t("Kind"), PLACE_KINDS[props.kind] || String(props.kind || "").replace(/_/g, " ")),
      row(t("Date"), props.event_date ? date(props.event_date) : null),
      row(t("Location"), precisionText(props)),
      row(t("Note"), props.note, "en"),
      listBlock(t("Sources"), props.sources, function (url) { return link(url); })
    ]);
  }

  function footprintPopup(props) {
    return el("div", { className: "hm-popup" }, [
      el("h2", { className: "hm-popup-title", lang: "en", text: props.id }),
      row(t("Scene"), sceneText(props))
    ]);
  }

  /* Per kind: the popup, and for point kinds each feature's style and radius,
   * read through `value(name, i)` of its table (or of one feature's properties). */
  var KINDS = {
    sites: {
      popup: sitePopup,
      style: function (table, i) { return siteStyle(table.value("status", i)); },
      radius: function () { return SITE_RADIUS; }
    },
    communities: {
      popup: communityPopup,
      style: function (table, i) { return communityStyle(table.value("in_aug_2023", i), table.value("group", i)); },
      radius: function (table, i) { return communityRadius(table.value("population", i)); }
    },
    places: {
      popup: placePopup,
      style: function (table, i) { return placeGroup(table.value("kind", i)).style; },
      radius: function () { return PLACE_RADIUS; }
    },
    routes: { popup: routePopup },
    footprints: { popup: footprintPopup }
  };

  /* A feature's popup, and what the page's other scripts add to it (HeritageMap.popupExtras: functions of the
   * kind and the properties that return a node or null; maplinks.js adds the link to the other map). */
  function popupFor(kind, props) {
    var node = KINDS[kind].popup(props);
    (api.popupExtras || []).forEach(function (extra) {
      var added = extra(kind, props);
      if (added) node.appendChild(added);
    });
    return node;
  }

  function tooltipFor(props) {
    var label = props.name || props.id;
    if (props.name_hy) label += " / " + props.name_hy;
    return el("span", { text: label });
  }

  /* One overlay from one payload: a point layer or a shape layer, as the payload's geometry is. */
  function sharedRenderer() {
    if (!state.renderer) {
      checkLeaflet();
      state.renderer = new PointCanvas({ tolerance: 2 });
    }
    return state.renderer;
  }

  function dataLayer(map, dataId, kind, title, geometry, legend) {
    var renderer = sharedRenderer();
    var layer = geometry === "Point" ? new PointLayer(dataId, kind, title, renderer) : new ShapeLayer(dataId, kind, title, renderer);
    layer.legendKey = legend || null;
    state.layers[title] = layer;
    return layer;
  }

  /* One overlay of a few GeoJSON features given as an object (a site page's site). */
  function featureLayer(collection, kind, title) {
    var renderer = sharedRenderer();
    var table = Table.fromFeatures(collection);
    var layer = table.geometry.type === "Point" ? new PointLayer(null, kind, title, renderer) : new ShapeLayer(null, kind, title, renderer);
    layer._given = table;
    state.layers[title] = layer;
    return layer;
  }

  /* Features drawn by the layer titled `title` (for tests and benchmarks). */
  function featureCount(title) {
    return state.layers[title].count();
  }

  function openFeature(layer, index) {
    if (!state.map.hasLayer(layer)) state.map.addLayer(layer);
    var latlng = layer.latLngAt(index);
    /* A bottom sheet moves the map so the point shows above it, which an animated zoom would undo as it ends. */
    state.map.setView(latlng, Math.max(state.map.getZoom(), 12), narrow() ? { animate: false } : {});
    layer.openPopupAt(index);
  }

  function findSite(id) {
    var titles = Object.keys(state.layers);
    for (var k = 0; k < titles.length; k++) {
      var layer = state.layers[titles[k]];
      if (layer.heritageKind !== "sites") continue;
      var index = layer.table().indexOf("id", id);
      if (index >= 0) return { layer: layer, index: index };
    }
    return null;
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
    var site = params.get("site") && findSite(params.get("site"));
    if (site) openFeature(site.layer, site.index);
  }

  function creditsControl(meta) {
    var control = L.control({ position: "bottomleft" });
    control.onAdd = function () {
      /* Python's text comes as messages ({msg, args}) or message ids, translated by t; a date as {date}. */
      var asOf = typeof meta.as_of === "string" ? { date: meta.as_of } : meta.as_of;  // a site page's: an ISO date
      var date = meta.date ? { date: meta.date } : asOf;
      var details = el("details", { className: "hm-credits" }, [el("summary", null, [
        el("span", { text: t("Sources and credits") }), date ? el("span", { className: "hm-credits-date", text: " · " + t("data as of {date}", { date: date }) }) : null
      ])]);
      if (asOf) details.appendChild(el("p", { text: t("Data as of {date}.", { date: asOf }) }));
      [].concat(meta.about || []).forEach(function (about) { details.appendChild(el("p", null, [tNodes(about)])); });
      var list = el("ul");
      (meta.credits || []).forEach(function (c) { list.appendChild(el("li", null, [c.url ? link(c.url, t(c.text)) : el("span", { text: t(c.text) })])); });
      details.appendChild(list);
      if (meta.anchor) details.appendChild(el("p", { className: "hm-anchor" }, [tNodes(meta.anchor)]));
      L.DomEvent.disableClickPropagation(details);
      L.DomEvent.disableScrollPropagation(details);
      return details;
    };
    return control;
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

  /* The page's controls: `meta` is the id of its JSON block, or the object itself. */
  function init(map, meta) {
    state.map = map;
    state.meta = typeof meta === "string" ? readPayload(meta) : meta;
    var title = state.meta.title_message || state.meta.title ? t(state.meta.title_message || state.meta.title) : t("Map");
    map.getContainer().setAttribute("aria-label", t("{title}: interactive map", { title: title }));
    map.on("popupopen", onPopupOpen);
    map.on("popupclose", onPopupClose);
    creditsControl(state.meta).addTo(map);
    if (window.HeritageMap.layout) window.HeritageMap.layout(map, state.meta);
    if (state.meta.deep_links) {
      map.whenReady(applyHash);
      map.on("popupopen", function (e) { setHashSite(e.popup.heritageSite || null); });
      map.on("popupclose", function () { setHashSite(null); });
      map.on("moveend", function () { if (!map._popup || !map.hasLayer(map._popup)) setHashSite(null); else setHashSite(new URLSearchParams(location.hash.replace(/^#/, "")).get("site")); });
    }
  }

  /* The one namespace; search.js, timeline.js, legend.js and layout.js (and any other script of ours) add to it, in
   * whichever order they load. */
  var api = window.HeritageMap || (window.HeritageMap = {});
  Object.assign(api, {
    dataLayer: dataLayer, featureLayer: featureLayer, init: init, bindSwipes: bindSwipes, featureCount: featureCount,
    state: state, STATUS_STYLE: STATUS_STYLE, isSafeHref: isSafeHref,
    Table: Table, LEAFLET_VERSION: LEAFLET_VERSION, LEAFLET_PRIVATE: LEAFLET_PRIVATE, checkLeaflet: checkLeaflet,
    el: el, link: link, readPayload: readPayload, siteStyle: siteStyle, openFeature: openFeature,
    t: t, tn: tn, tNodes: tNodes, number: number, linkLabel: linkLabel, openPopup: openPopup, narrow: narrow, symbolCanvas: symbolCanvas, drawStack: drawStack,
    communityStyle: communityStyle, communityRadius: communityRadius, routeStyle: routeStyle, placeGroup: placeGroup,
    PLACE_GROUPS: PLACE_GROUPS, COMMUNITY_STYLES: COMMUNITY_STYLES, popupExtras: api.popupExtras || []
  });
})();
