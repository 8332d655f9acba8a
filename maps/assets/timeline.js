/* The timeline page: the story in chapters on an axis of days, and the map as it stood on the chosen day.
 *
 * The payload (geo/maps.py `timeline_payload`) gives the axis's first and last day, the chapters (blockade,
 * offensive, exodus from the timeline's chapter rows; the destruction from the sites' dated statuses), the events
 * with their sources named by outlet, the arrivals in Armenia, the communities whose own departure a source dates,
 * and the sites' status changes with their running counts. The slider moves a day at a time, so distances on the
 * axis are time; play walks the days, lingering where something happened; every figure shown is read from the data.
 *
 * It adds `timeline` to the one namespace, window.HeritageMap, and uses heritage.js's helpers through it (el, link,
 * readPayload, siteStyle, t, state), looked up when the page calls HeritageMap.timeline, so the two files may load
 * in either order. Every value from the data reaches the page through textContent (HeritageMap.el).
 */
(function () {
  "use strict";

  var HM = window.HeritageMap || (window.HeritageMap = {});

  function el(tag, attrs, children) { return HM.el(tag, attrs, children); }
  function t(text, values) { return HM.t(text, values); }

  var DAY_MS = 86400000;
  /* How long play stays on a day: one with news is read, one without passes quickly. */
  var PLAY_QUIET_MS = 60, PLAY_NEWS_MS = 1400;
  /* The chapters' colours on the axis (Paul Tol's muted scheme, safe for colour-blind readers); each is named too. */
  var CHAPTER_COLOURS = { blockade: "#999933", offensive: "#882255", exodus: "#332288", destruction: "#AA4499" };
  var FADE_LEVELS = 10;

  function chapterTitle(name) {
    return { blockade: t("Blockade"), offensive: t("Offensive"), exodus: t("Exodus"), destruction: t("Destruction") }[name] || name;
  }

  function chapterDay(name, n) {
    if (name === "blockade") return t("Day {n} of the blockade", { n: n });
    if (name === "offensive") return t("Day {n} of the offensive", { n: n });
    if (name === "exodus") return t("Day {n} of the exodus", { n: n });
    return null;
  }

  /* --- days: ISO `YYYY-MM-DD` strings, compared as strings, counted in whole UTC days ----------------------- */

  function dayNumber(iso) {
    var p = iso.split("-").map(Number);
    return Math.round(Date.UTC(p[0], (p[1] || 1) - 1, p[2] || 1) / DAY_MS);
  }

  function isoOf(number) {
    return new Date(number * DAY_MS).toISOString().slice(0, 10);
  }

  /* The first day a date covers: `2021-07` is 2021-07-01, an interval starts with its start. */
  function firstDay(value) {
    var start = String(value || "").split("/")[0];
    if (/^\d{4}$/.test(start)) return start + "-01-01";
    if (/^\d{4}-\d{2}$/.test(start)) return start + "-01";
    return start;
  }

  /* The day from which a site's status shows: its date's first day, or the last of an interval (a window between
   * two images says the change was seen by the second). geo/maps.py `shown_day` is the same rule. */
  function shownDay(value) {
    var parts = String(value || "").split("/");
    return firstDay(parts[parts.length - 1]);
  }

  function lang() {
    var code = document.documentElement.lang || "en";
    return code === "en" ? "en-GB" : code;
  }

  /* Formatters are made once per language and precision: making one costs more than a step's other text. */
  var formatters = {};

  function formatter(kind) {
    var key = lang() + ":" + kind;
    if (!formatters[key]) {
      formatters[key] = kind === "number" ? new Intl.NumberFormat(lang()) : new Intl.DateTimeFormat(lang(), {
        timeZone: "UTC", year: "numeric", month: kind === "year" ? undefined : "long", day: kind === "day" ? "numeric" : undefined
      });
    }
    return formatters[key];
  }

  /* A date as the source gives it, in words: a day, a month, a year or an interval. */
  function formatDate(value) {
    if (HM.i18n) return HM.i18n.dateWords(value || "");
    var text = String(value || "");
    if (text.indexOf("/") >= 0) {
      var parts = text.split("/");
      return t("{start} to {end}", { start: formatDate(parts[0]), end: formatDate(parts[1]) });
    }
    if (!/^\d{4}(-\d{2}){0,2}$/.test(text)) return text;
    var kind = text.length === 4 ? "year" : text.length === 7 ? "month" : "day";
    return formatter(kind).format(new Date(dayNumber(firstDay(text)) * DAY_MS));
  }

  /* A chapter's first and last day, in words. */
  function chapterSpan(chapter) {
    return t("{start} – {end}", { start: formatDate(chapter.start), end: formatDate(chapter.end) });
  }

  /* A time of day as the data gives it: "10:30", "about 10:30" where the source is approximate, or a part of
   * the day (timeline.csv's `time`, checked by geo/timeline.py). */
  var PARTS_OF_DAY = { morning: t("morning"), afternoon: t("afternoon"), evening: t("evening"), night: t("night") };
  function timeOfDay(value) {
    var text = String(value), about = /^about (.+)$/.exec(text);
    if (about) return t("about {time}", { time: about[1] });
    return PARTS_OF_DAY[text] || text;
  }

  function formatNumber(value) {
    if (HM.i18n) return HM.i18n.number(Number(value));
    return formatter("number").format(Number(value));
  }

  /* A translated sentence whose {placeholders} are nodes or text, built as DOM: a link stays a link. */
  function fill(template, values) {
    var span = el("span");
    template.split(/(\{\w+\})/).forEach(function (part) {
      var key = /^\{(\w+)\}$/.exec(part);
      var value = key ? values[key[1]] : part;
      if (value === undefined || value === null || value === "") return;
      span.appendChild(typeof value === "string" || typeof value === "number" ? document.createTextNode(String(value)) : value);
    });
    return span;
  }

  function sourceLink(source) {
    return HM.link(source.url, source.name);
  }

  function sourcesNode(sources) {
    var span = el("span", { className: "hm-tl-sources" });
    (sources || []).forEach(function (source, i) {
      if (i) span.appendChild(document.createTextNode(" · "));
      span.appendChild(sourceLink(source));
    });
    return span;
  }

  /* The last entry of `items` (sorted by `key`) whose key is on or before `day`, or null. */
  function lastOnOrBefore(items, key, day) {
    var low = 0, high = items.length - 1, found = -1;
    while (low <= high) {
      var mid = (low + high) >> 1;
      if (key(items[mid]) <= day) { found = mid; low = mid + 1; } else high = mid - 1;
    }
    return found;
  }

  /* --- how each layer is drawn on a day -------------------------------------------------------------------- */

  function visibleOn(kind, props, day) {
    if (kind === "routes") return (!props.active_from || firstDay(props.active_from) <= day) && (!props.active_to || firstDay(props.active_to) >= day);
    if (kind === "places") return !props.event_date || firstDay(props.event_date) <= day;
    return true;
  }

  /* The communities' styles: a community is there, leaving (faded in FADE_LEVELS steps with the arrivals), or
   * gone (a grey ring). One shared object per level, so the canvas draws each once. */
  var communityStyles = null;

  function fadeStyles() {
    if (communityStyles) return communityStyles;
    var held = HM.COMMUNITY_STYLES.held, levels = [];
    for (var level = 0; level <= FADE_LEVELS; level++) {
      var share = level / FADE_LEVELS;
      levels.push({
        shape: held.shape, color: held.color, weight: held.weight, opacity: 0.3 + 0.7 * share,
        fillColor: held.fillColor, fillOpacity: held.fillOpacity * share
      });
    }
    communityStyles = { levels: levels, left: { shape: "circle", color: "#6E6E6E", weight: 1.5, opacity: 0.8, fillColor: "#BBBBBB", fillOpacity: 0 } };
    return communityStyles;
  }

  /* How a layer of the timeline is drawn on a day: `choose(day)` gives the function `restyle` takes, and
   * `epoch(day)` a key that changes only when the drawing can: a step to a day where nothing changes for the
   * layer redraws nothing. What it needs of each row is read from the table once, on the first step: each site's
   * confirmed history as flat arrays of first days and statuses (oldest first, as geo/sitestatus.py writes it),
   * the few communities', routes' and places' properties. A step then compares dates in one pass over those
   * arrays, where it used to decode every feature's whole properties (118-149 ms a step at 100,000 sites). */
  function timelineChooser(layer, story) {
    var table = layer.table(), kind = layer.heritageKind, n = table.count;
    if (kind === "communities") {
      var ids = [];
      for (var c = 0; c < n; c++) ids.push(table.value("id", c));
      return {
        epoch: function (day) { return story.communityEpoch(day); },
        choose: function (day) {
          var styles = fadeStyles(), level = story.fadeLevel(day);
          return function (i) {
            var left = story.departed[ids[i]];
            if (left) return left <= day ? styles.left : styles.levels[FADE_LEVELS];
            return level === 0 ? styles.left : styles.levels[level];
          };
        }
      };
    }
    if (kind !== "sites") {
      var rows = [];
      for (var r = 0; r < n; r++) rows.push(table.props(r));
      return {
        epoch: function (day) { return day; },
        choose: function (day) { return function (i) { return visibleOn(kind, rows[i], day); }; }
      };
    }
    var starts = new Uint32Array(n + 1), dates = [], statuses = [];
    for (var i = 0; i < n; i++) {
      var history = table.value("status_history", i) || [];
      for (var k = 0; k < history.length; k++) {
        if (history[k].observed_on) {
          dates.push(shownDay(history[k].observed_on));
          statuses.push(history[k].status);
        }
      }
      starts[i + 1] = dates.length;
    }
    return {
      epoch: function (day) { return story.siteEpoch(day); },
      choose: function (day) {
        return function (i) {
          var shown = null;
          for (var j = starts[i]; j < starts[i + 1] && dates[j] <= day; j++) shown = statuses[j];
          return shown === null ? false : HM.siteStyle(shown);
        };
      }
    };
  }

  /* --- what the data says on a day -------------------------------------------------------------------------- */

  function Story(data) {
    this.data = data;
    this.departed = data.departed || {};
    this.arrivals = data.arrivals || [];
    this.counts = data.counts || [];
    this.total = this.arrivals.length ? this.arrivals[this.arrivals.length - 1].figure : 0;
    var byDay = this.byDay = {};
    data.events.forEach(function (e) { (byDay[e.day] || (byDay[e.day] = { events: [], changes: [] })).events.push(e); });
    data.changes.forEach(function (c) { (byDay[c.day] || (byDay[c.day] = { events: [], changes: [] })).changes.push(c); });
    this.newsDays = Object.keys(byDay).sort();
  }

  Story.prototype.arrivalsOn = function (day) {
    var found = lastOnOrBefore(this.arrivals, function (a) { return a.day; }, day);
    return found >= 0 ? this.arrivals[found] : null;
  };

  /* How much of a community without its own sourced departure is still drawn: the share of the final arrivals
   * count not yet arrived, in FADE_LEVELS steps (FADE_LEVELS before the first count, 0 once all had arrived). */
  Story.prototype.fadeLevel = function (day) {
    var latest = this.arrivalsOn(day);
    if (!latest || !this.total) return FADE_LEVELS;
    return Math.round(FADE_LEVELS * (1 - latest.figure / this.total));
  };

  Story.prototype.communityEpoch = function (day) {
    var gone = 0, departed = this.departed;
    Object.keys(departed).forEach(function (id) { if (departed[id] <= day) gone++; });
    return this.fadeLevel(day) + ":" + gone;
  };

  Story.prototype.siteEpoch = function (day) {
    return lastOnOrBefore(this.counts, function (c) { return c[0]; }, day);
  };

  Story.prototype.siteCounts = function (day) {
    var found = this.siteEpoch(day);
    if (found < 0) return null;
    var counts = {}, row = this.counts[found];
    this.data.statuses.forEach(function (status, k) { counts[status] = row[k + 1]; });
    return counts;
  };

  Story.prototype.chaptersOn = function (day) {
    return this.data.chapters.filter(function (c) { return c.start <= day && day <= c.end; });
  };

  /* The running figures of a day, as text and nodes (the page shows them; tests read them). */
  Story.prototype.figures = function (day) {
    var figures = [], self = this;
    this.chaptersOn(day).forEach(function (chapter) {
      var text = chapterDay(chapter.name, dayNumber(day) - dayNumber(chapter.start) + 1);
      if (text) figures.push({ kind: chapter.name, node: el("span", { text: text }) });
    });
    var latest = this.arrivalsOn(day);
    if (latest) {
      var when = latest.day === day ? (latest.time ? timeOfDay(latest.time) : formatDate(latest.day))
        : latest.time ? t("{date}, {time}", { date: formatDate(latest.day), time: timeOfDay(latest.time) }) : formatDate(latest.day);
      figures.push({
        kind: "arrivals",
        figure: latest.figure,
        node: fill(t("Arrivals in Armenia so far: {count} ({source}, {when})"), {
          count: formatNumber(latest.figure), source: latest.source ? sourceLink(latest.source) : "", when: when
        })
      });
      if (self.total) {
        figures.push({
          kind: "fade",
          node: el("span", {
            text: t("Communities with no sourced date of departure fade as the arrivals grow: {share}% of the final count of {total} had arrived.", {
              share: Math.round(100 * latest.figure / self.total), total: formatNumber(self.total)
            })
          })
        });
      }
    }
    var counts = this.siteCounts(day);
    if (counts) {
      figures.push({
        kind: "sites",
        node: el("span", {
          text: t("Heritage sites with a documented status by this day: {destroyed} destroyed, {damaged} damaged, {threatened} threatened, {intact} intact", counts)
        })
      });
    }
    return figures;
  };

  /* --- the panel ---------------------------------------------------------------------------------------------- */

  function chapterBand(chapter, start, span, extra) {
    var left = 100 * (dayNumber(chapter.start) - start) / span, width = 100 * (dayNumber(chapter.end) - dayNumber(chapter.start) + 1) / span;
    return el("span", {
      className: "hm-tl-band hm-tl-band-" + chapter.name + (extra || ""),
      style: "left:" + left.toFixed(3) + "%;width:" + width.toFixed(3) + "%;background:" + (CHAPTER_COLOURS[chapter.name] || "#777"),
      title: t("{chapter}: {span}", { chapter: chapterTitle(chapter.name), span: chapterSpan(chapter) })
    });
  }

  /* The legend: beside the map where there is room (open), in the panel on a narrow screen (folded), where a
   * second box would cover the panel. */
  function legendBox(data, wide) {
    var box = el("details", wide ? { className: "hm-legend hm-tl-legend", open: "open" } : { className: "hm-tl-legend hm-tl-legend-inline" });
    box.appendChild(el("summary", { className: "hm-legend-title", text: t("Legend") }));
    var chapters = el("div", { className: "hm-tl-legend-group" }, [el("div", { className: "hm-label", text: t("Chapters (shaded on the time axis)") })]);
    data.chapters.forEach(function (c) {
      chapters.appendChild(el("div", { className: "hm-legend-row" }, [
        el("span", { className: "hm-tl-swatch", style: "background:" + (CHAPTER_COLOURS[c.name] || "#777"), "aria-hidden": "true" }),
        el("span", { text: t("{chapter}: {span}", { chapter: chapterTitle(c.name), span: chapterSpan(c) }) })
      ]));
    });
    box.appendChild(chapters);
    var styles = fadeStyles(), people = el("div", { className: "hm-tl-legend-group" }, [el("div", { className: "hm-label", text: t("Communities") })]);
    [[styles.levels[FADE_LEVELS], t("People there")], [styles.levels[FADE_LEVELS / 2], t("Leaving: fades as the arrivals in Armenia grow")],
      [styles.left, t("Left: the date a source gives, or all arrived")]].forEach(function (entry) {
      var s = entry[0];
      people.appendChild(el("div", { className: "hm-legend-row" }, [
        el("span", { className: "hm-tl-dot", "aria-hidden": "true", style: "border-color:" + s.color + ";opacity:" + s.opacity + ";background:" + (s.fillOpacity ? s.fillColor : "transparent") }),
        el("span", { text: entry[1] })
      ]));
    });
    (data.communities || []).forEach(function (note) { people.appendChild(el("div", { className: "hm-legend-note", text: t(note) })); });
    box.appendChild(people);
    var sites = el("div", { className: "hm-tl-legend-group" }, [el("div", { className: "hm-label", text: t("Heritage sites: the status documented by that day") })]);
    data.statuses.forEach(function (status) {
      var style = HM.STATUS_STYLE[status] || HM.STATUS_STYLE.unknown;
      sites.appendChild(el("div", { className: "hm-legend-row", "data-status": status }, [
        el("span", { className: "hm-shape hm-shape-" + style.shape, style: "--hm-color:" + style.color, "aria-hidden": "true" }),
        el("span", { text: t(style.label) })
      ]));
    });
    if (data.before_start) {
      sites.appendChild(el("div", { className: "hm-legend-note", text: t("{n} statuses documented before {date} show from that day.", { n: data.before_start, date: formatDate(data.start) }) }));
    }
    box.appendChild(sites);
    box.appendChild(el("div", { className: "hm-legend-note", text: t("Routes and places appear while they were in use.") }));
    return box;
  }

  function timeline(map, dataId) {
    var data = HM.readPayload(dataId), story = new Story(data);
    if (!data.start) return;
    var start = dayNumber(data.start), count = dayNumber(data.end) - start + 1, span = count;
    var days = [];
    for (var d = 0; d < count; d++) days.push(isoOf(start + d));

    var panel = el("section", { className: "hm-timeline", "aria-label": t("Timeline") });
    var heading = el("h2", { className: "hm-timeline-date", "aria-live": "polite", "aria-atomic": "true" });
    var figureList = el("ul", { className: "hm-tl-figures" });
    var bands = el("div", { className: "hm-tl-bands", "aria-hidden": "true" });
    var marker = el("span", { className: "hm-tl-marker" });
    var slider = el("input", {
      type: "range", min: "0", max: String(count - 1), step: "1", value: "0", id: "hm-timeline-slider",
      className: "hm-tl-slider", "aria-label": t("Date")
    });
    var scale = el("div", { className: "hm-tl-scale", "aria-hidden": "true" });
    var list = el("ul", { className: "hm-timeline-events" });

    data.chapters.forEach(function (chapter) {
      var band = chapterBand(chapter, start, span, chapter.name === "destruction" ? " hm-tl-band-under" : "");
      bands.appendChild(band);
      (chapter.turns || []).forEach(function (turn) {
        bands.appendChild(el("span", { className: "hm-tl-turn", style: "left:" + (100 * (dayNumber(turn) - start + 0.5) / span).toFixed(3) + "%" }));
      });
    });
    bands.appendChild(marker);
    var firstYear = Number(days[0].slice(0, 4)), lastYear = Number(days[count - 1].slice(0, 4));
    for (var year = firstYear + 1; year <= lastYear; year++) {
      var left = 100 * (dayNumber(year + "-01-01") - start) / span;
      scale.appendChild(el("span", { className: "hm-tl-year", style: "left:" + left.toFixed(3) + "%", text: String(year) }));
    }

    function button(text, className, action) {
      var node = el("button", { type: "button", className: "hm-tl-button " + className, text: text });
      node.addEventListener("click", action);
      return node;
    }
    var playButton = button(t("Play"), "hm-tl-play", function () { if (playing) pause(); else play(); });
    playButton.setAttribute("aria-pressed", "false");
    var controls = el("div", { className: "hm-tl-controls", role: "group", "aria-label": t("Play and step through the days") }, [
      button(t("Previous event"), "hm-tl-prev-event", function () { jumpToNews(-1); }),
      button(t("Day before"), "hm-tl-prev-day", function () { setIndex(index() - 1); }),
      playButton,
      button(t("Next day"), "hm-tl-next-day", function () { setIndex(index() + 1); }),
      button(t("Next event"), "hm-tl-next-event", function () { jumpToNews(1); })
    ]);
    var chapterNav = el("nav", { className: "hm-tl-chapters", "aria-label": t("Chapters") });
    var chapterButtons = data.chapters.map(function (chapter) {
      var node = button("", "hm-tl-chapter", function () { setIndex(dayNumber(chapter.start) - start); });
      node.setAttribute("data-chapter", chapter.name);
      node.appendChild(el("span", { className: "hm-tl-swatch", style: "background:" + (CHAPTER_COLOURS[chapter.name] || "#777"), "aria-hidden": "true" }));
      node.appendChild(el("span", { className: "hm-tl-chapter-name", text: chapterTitle(chapter.name) }));
      node.appendChild(el("span", { className: "hm-tl-chapter-dates", text: chapterSpan(chapter) }));
      chapterNav.appendChild(node);
      return node;
    });

    panel.appendChild(heading);
    panel.appendChild(figureList);
    panel.appendChild(el("div", { className: "hm-tl-axis" }, [
      bands,
      el("label", { "for": "hm-timeline-slider", className: "hm-visually-hidden", text: t("Choose a date") }),
      slider,
      scale
    ]));
    panel.appendChild(controls);
    panel.appendChild(chapterNav);
    panel.appendChild(list);
    var control = L.control({ position: "bottomleft" });
    control.onAdd = function () {
      L.DomEvent.disableClickPropagation(panel);
      L.DomEvent.disableScrollPropagation(panel);
      return panel;
    };
    control.addTo(map);
    // An embed is a frame in an article: its legend folds into the panel whatever the width.
    var wide = !window.matchMedia("(max-width: 699px)").matches && !document.documentElement.classList.contains("hm-embed");
    var legend = legendBox(data, wide);
    if (wide) {
      var legendControl = L.control({ position: "bottomright" });
      legendControl.onAdd = function () {
        L.DomEvent.disableClickPropagation(legend);
        L.DomEvent.disableScrollPropagation(legend);
        return legend;
      };
      legendControl.addTo(map);
    } else {
      panel.appendChild(legend);
    }

    var choosers = {}, epochs = {}, playing = false, timer = null, hashTimer = null;

    function index() { return Number(slider.value); }

    function setIndex(i) {
      slider.value = String(Math.max(0, Math.min(count - 1, i)));
      apply();
    }

    function jumpToNews(direction) {
      var day = days[index()], news = story.newsDays, found = null;
      for (var k = 0; k < news.length; k++) {
        if (direction > 0 && news[k] > day) { found = news[k]; break; }
        if (direction < 0 && news[k] < day) found = news[k];
      }
      if (found) setIndex(dayNumber(found) - start);
    }

    function eventItem(e) {
      var item = el("li", { className: "hm-timeline-event hm-tl-kind-" + e.kind });
      if (e.date !== e.day) item.appendChild(el("span", { className: "hm-tl-when", text: t("{date}: ", { date: formatDate(e.date) }) }));
      if (e.time) item.appendChild(el("span", { className: "hm-tl-when", text: t("{time} · ", { time: timeOfDay(e.time) }) }));
      // The event and its unit are the data's words, in English (timeline.csv): marked so, never translated.
      item.appendChild(el("span", { className: "hm-tl-text", text: e.event, lang: "en" }));
      if (e.figure !== null && e.figure !== undefined) {
        var figure = { className: "hm-tl-figure", text: " (" + formatNumber(e.figure) + (e.unit ? " " + e.unit : "") + ")" };
        if (e.unit) figure.lang = "en";
        item.appendChild(el("span", figure));
      }
      if (e.sources && e.sources.length) {
        item.appendChild(document.createTextNode(" "));
        item.appendChild(fill(t("Sources: {sources}"), { sources: sourcesNode(e.sources) }));
      }
      return item;
    }

    function showDay(day) {
      list.textContent = "";
      var news = story.byDay[day] || { events: [], changes: [] }, limit = 20;
      news.events.forEach(function (e) { list.appendChild(eventItem(e)); });
      news.changes.slice(0, limit).forEach(function (c) {
        var style = HM.STATUS_STYLE[c.status] || HM.STATUS_STYLE.unknown;
        list.appendChild(el("li", { className: "hm-timeline-event hm-tl-kind-status" }, [
          el("span", { className: "hm-shape hm-shape-" + style.shape, style: "--hm-color:" + style.color, "aria-hidden": "true" }),
          document.createTextNode(" "),
          fill(t("{site}: documented {status}"), { site: el("bdi", { text: c.event, lang: "en" }), status: t(style.label).toLowerCase() })
        ]));
      });
      if (news.changes.length > limit) {
        list.appendChild(el("li", { className: "hm-timeline-event", text: t("and {n} more status changes", { n: news.changes.length - limit }) }));
      }
      if (!list.childNodes.length) list.appendChild(el("li", { className: "hm-tl-quiet", text: t("Nothing dated to this day in the sources.") }));
    }

    function apply() {
      var i = index(), day = days[i];
      Object.keys(HM.state.layers).forEach(function (title) {
        var layer = HM.state.layers[title];
        var chooser = choosers[title] || (choosers[title] = timelineChooser(layer, story));
        var epoch = chooser.epoch(day);
        if (epochs[title] === epoch) return;
        epochs[title] = epoch;
        layer.restyle(chooser.choose(day));
      });
      var chapters = story.chaptersOn(day).map(function (c) { return c.name; });
      heading.textContent = formatDate(day);
      var figures = story.figures(day);
      figureList.textContent = "";
      figures.forEach(function (f) { figureList.appendChild(el("li", { className: "hm-tl-figure-" + f.kind }, [f.node])); });
      var first = figures[0] ? figures[0].node.textContent : "";
      slider.setAttribute("aria-valuetext", first ? t("{date}: {figure}", { date: formatDate(day), figure: first }) : formatDate(day));
      marker.style.left = (100 * (i + 0.5) / span).toFixed(3) + "%";
      chapterButtons.forEach(function (node) {
        if (chapters.indexOf(node.getAttribute("data-chapter")) >= 0) node.setAttribute("aria-current", "true");
        else node.removeAttribute("aria-current");
      });
      showDay(day);
      clearTimeout(hashTimer);
      hashTimer = setTimeout(function () { setHashDate(day); }, playing ? 800 : 150);
    }

    function play() {
      if (index() >= count - 1) slider.value = String(dayNumber(data.open || data.start) - start);
      playing = true;
      heading.setAttribute("aria-live", "off");
      playButton.textContent = t("Pause");
      playButton.setAttribute("aria-pressed", "true");
      apply();
      schedule();
    }

    function schedule() {
      timer = setTimeout(function () {
        if (!playing) return;
        if (index() >= count - 1) { pause(); return; }
        setIndex(index() + 1);
        schedule();
      }, story.byDay[days[index()]] ? PLAY_NEWS_MS : PLAY_QUIET_MS);
    }

    function pause() {
      playing = false;
      clearTimeout(timer);
      heading.setAttribute("aria-live", "polite");
      playButton.textContent = t("Play");
      playButton.setAttribute("aria-pressed", "false");
    }

    slider.addEventListener("input", apply);
    /* A date put in the address while the page is open (a link within the page, an edited address) moves the
       slider there; the pending write of the old day is replaced by apply's. */
    window.addEventListener("hashchange", function () {
      var wanted = hashDate();
      if (!wanted || wanted === days[index()]) return;
      pause();
      slider.value = String(Math.max(0, Math.min(count - 1, dayNumber(wanted) - start)));
      apply();
    });
    var opening = hashDate() || data.open || data.start;
    slider.value = String(Math.max(0, Math.min(count - 1, dayNumber(opening) - start)));
    HM.state.timeline = {
      slider: slider, dates: days, apply: apply, play: play, pause: pause, story: story,
      playing: function () { return playing; },
      day: function () { return days[index()]; },
      figures: function () { return story.figures(days[index()]).map(function (f) { return { kind: f.kind, text: f.node.textContent, figure: f.figure }; }); },
      communityState: function (id) {
        var day = days[index()], left = story.departed[id];
        if (left) return left <= day ? "left" : "there";
        var level = story.fadeLevel(day);
        return level === FADE_LEVELS ? "there" : level === 0 ? "left" : "leaving";
      }
    };
    apply();
  }

  /* The day in the address (`#date=YYYY-MM-DD`, a month or a year: its first day), as the overview links here. */
  function hashDate() {
    var value = new URLSearchParams(location.hash.replace(/^#/, "")).get("date");
    return value && /^\d{4}(-\d{2}){0,2}$/.test(value) ? firstDay(value) : null;
  }

  function setHashDate(day) {
    var params = new URLSearchParams(location.hash.replace(/^#/, ""));
    params.set("date", day);
    history.replaceState(null, "", "#" + params.toString());
  }

  HM.timeline = timeline;
})();
