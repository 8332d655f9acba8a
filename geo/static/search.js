/* Search: the map's search box, on the one window.HeritageMap namespace (heritage.js defines it and loads first).
 *
 * The index is MiniSearch's (geo/static/vendor/minisearch), built in the
 * browser from the layers' feature tables the first time the box takes focus,
 * in chunks so the page stays responsive: every feature of every layer but the
 * imagery footprints, and the features no source locates (geo/render.py's
 * SearchBox payload), by all their names (English, Armenian, Azerbaijani,
 * Russian) and, for heritage sites, their settlement's names. What this file
 * adds to the library is the language: how names are folded and tokenised,
 * which spellings of a query are tried, and how results are ranked
 * (docs/ARCHITECTURE.md, "Search"). Every value from the data reaches the page
 * through el()'s textContent, never as markup.
 */
(function () {
  "use strict";

  var api = window.HeritageMap, el = api.el, t = api.t;

  /* Results shown; the live region counts them all. */
  var LIMIT = 12;
  /* Results ranked by our rules: MiniSearch's best-scored, since a short prefix can match every feature. */
  var CANDIDATES = 200;
  /* Features added to the index between two turns of the event loop. */
  var CHUNK = 1000;
  /* From this many features a query takes tens of milliseconds, so it waits for a pause in the typing. */
  var LARGE = 20000, PAUSE_MS = 120;
  var NAME_FIELDS = ["name", "name_hy", "name_az", "name_ru"];
  var SETTLEMENT_FIELDS = ["settlement", "settlement_hy", "settlement_az", "settlement_ru"];
  /* The index has two fields, a feature's names and its settlement's, each every language's together: a
   * field per language cost MiniSearch a map per word and field, 25 MB more at 100,000 sites with every name
   * filled (benchmarks/measure_search.py). Which name matched is found again when results are ranked. */
  var INDEX_FIELDS = { names: NAME_FIELDS, settlements: SETTLEMENT_FIELDS };
  var LANGUAGES = { name_hy: "hy", name_az: "az", name_ru: "ru" };
  /* A community before a place before a site before a route, when the match is as good. */
  var KIND_ORDER = { communities: 0, places: 1, sites: 2, routes: 3 };

  /* ---- Folding: what two spellings of one name have in common ---- */

  /* Apostrophes inside a word, and the Armenian marks written over a word's vowel (՚ ՛ ՜ ՞): dropped, not split on. */
  var IN_WORD = /['\u2019\u02BC\u02BB`\u00B4\u055A\u055B\u055C\u055E]/g;
  var SEPARATOR = /[^\p{L}\p{M}\p{N}]+/u;
  var NON_ASCII = /[^ -~]/;

  /* Lower case in every script (Armenian and Cyrillic have case too); Azerbaijani ə and ı as e and i; every
   * diacritic dropped after Unicode's compatibility decomposition, which also splits the ligature և into եւ
   * (ş→s, ç→c, ğ→g, ö→o, ü→u, ё→е; й→и too); and the classical Armenian ւ after a vowel written as the reformed
   * վ (Երեւան and Երևան both fold to երեվան), ու left as it is. */
  function fold(text) {
    var lower = String(text === null || text === undefined ? "" : text).toLowerCase().replace(IN_WORD, "");
    // Most words are plain ASCII, which nothing below changes: the index is built faster without the rest.
    if (!NON_ASCII.test(lower)) return lower;
    return lower.replace(/ə/g, "e").replace(/ı/g, "i")
      .normalize("NFKD").replace(/\p{M}/gu, "")
      .replace(/([^ո])ւ/g, "$1վ");
  }

  /* The words of `text`, not yet folded. */
  function words(text) {
    return String(text === null || text === undefined ? "" : text).toLowerCase().replace(IN_WORD, "").split(SEPARATOR).filter(Boolean);
  }

  /* An Azerbaijani word as English-language sources spell it (Şuşa → shusha, Xankəndi → khankendi, Ağdam →
   * aghdam), indexed beside its folded form, so an English spelling finds the Azerbaijani name. Only a word
   * with a letter of Azerbaijani's own (ş ç ğ ə ı) is given one. */
  var AZ_LATIN = { "ş": "sh", "ç": "ch", "ğ": "gh", "x": "kh", "c": "j", "q": "g", "ə": "e", "ı": "i", "ö": "o", "ü": "u" };
  function azLatin(word) {
    return fold(word.replace(/[şçğxcqəıöü]/g, function (c) { return AZ_LATIN[c]; }));
  }

  /* A query in Cyrillic or Armenian script is also tried in Latin letters, so "Гадрут" or "Հադրութ" finds a
   * place whose only names are Latin. Russian: the usual English transliteration; Armenian: ու as u, ե and ո
   * at a word's start as ye and vo, one letter for one letter otherwise. */
  var RU_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya"
  };
  var HY_LATIN = {
    "ա": "a", "բ": "b", "գ": "g", "դ": "d", "ե": "e", "զ": "z", "է": "e", "ը": "y", "թ": "t", "ժ": "zh", "ի": "i",
    "լ": "l", "խ": "kh", "ծ": "ts", "կ": "k", "հ": "h", "ձ": "dz", "ղ": "gh", "ճ": "ch", "մ": "m", "յ": "y", "ն": "n",
    "շ": "sh", "ո": "o", "չ": "ch", "պ": "p", "ջ": "j", "ռ": "r", "ս": "s", "վ": "v", "տ": "t", "ր": "r", "ց": "ts",
    "ւ": "v", "փ": "p", "ք": "k", "օ": "o", "ֆ": "f"
  };
  function latin(folded) {
    if (/[\u0400-\u04FF]/.test(folded)) return folded.replace(/[\u0400-\u04FF]/g, function (c) { return RU_LATIN[c] === undefined ? c : RU_LATIN[c]; });
    if (/[\u0531-\u058F]/.test(folded)) {
      return folded.replace(/ու/g, "u").replace(/^ե/, "ye").replace(/^ո/, "vo")
        .replace(/[\u0531-\u058F]/g, function (c) { return HY_LATIN[c] === undefined ? c : HY_LATIN[c]; });
    }
    return null;
  }

  /* The spellings one query word is tried in: folded, and in Latin letters. */
  function spellings(word) {
    var folded = fold(word), out = [folded], roman = latin(folded);
    if (roman && roman !== folded) out.push(roman);
    return out;
  }

  /* The forms a word of a feature's names is indexed under. */
  function indexForms(word) {
    var lower = word.toLowerCase(), folded = fold(lower);
    return /[şçğəı]/.test(lower) ? [folded, azLatin(lower)] : folded;
  }

  /* Up to this many edits per word count as a typo: none in a word of up to 3 letters, 1 up to 6, then 2. */
  function typos(length) {
    return length < 4 ? 0 : length < 7 ? 1 : 2;
  }

  /* ---- The documents: every feature, as a number ---- */

  /* Feature k is row k - start of a layer's table, or, past the layers, one of the unlocated records. The
   * index reads its fields through `extractField`, so no object is made per feature. */
  function Documents(layers, unlocated) {
    this.sources = [];
    this.starts = [];
    var count = 0;
    layers.forEach(function (layer) {
      this.sources.push({ layer: layer, table: layer.table() });
      this.starts.push(count);
      count += layer.table().count;
    }, this);
    this.firstUnlocated = count;
    this.unlocated = unlocated || [];
    this.count = count + this.unlocated.length;
  }

  /* The layer source of feature k and its row, or null for an unlocated record. */
  Documents.prototype.locate = function (k) {
    if (k >= this.firstUnlocated) return null;
    var low = 0, high = this.starts.length - 1;
    while (low < high) {
      var middle = (low + high + 1) >> 1;
      if (this.starts[middle] <= k) low = middle; else high = middle - 1;
    }
    return { source: this.sources[low], row: k - this.starts[low] };
  };

  Documents.prototype.value = function (k, field) {
    var at = this.locate(k);
    if (!at) {
      var value = this.unlocated[k - this.firstUnlocated][field];
      return value === undefined ? null : value;
    }
    return at.source.table.value(field, at.row);
  };

  /* What the feature is, as the results say it ("community", "heritage site · destroyed"...). */
  Documents.prototype.kind = function (k) {
    var at = this.locate(k);
    return at ? at.source.layer.heritageKind : this.unlocated[k - this.firstUnlocated].kind;
  };

  function kindText(kind, status, held) {
    if (kind === "communities") return held === false ? t("community · lost in 2020") : t("community");
    if (kind === "places") return t("place");
    if (kind === "routes") return t("route");
    if (status === "destroyed") return t("heritage site · destroyed");
    if (status === "damaged") return t("heritage site · damaged");
    if (status === "threatened") return t("heritage site · threatened");
    if (status === "intact") return t("heritage site · intact");
    return t("heritage site · status unknown");
  }

  /* ---- Ranking ---- */

  /* The ways one name can be written whole: as it is, each of its "/"-separated forms, each without the
   * words in brackets ("Ghazanchetsots (Holy Savior) Cathedral" is also "Ghazanchetsots Cathedral"). */
  function wholeNames(value) {
    var out = [];
    [value].concat(value.indexOf("/") >= 0 ? value.split("/") : []).forEach(function (form) {
      out.push(form);
      var bare = form.replace(/\([^)]*\)/g, " ");
      if (bare !== form) out.push(bare);
    });
    return out;
  }

  function editDistance(a, b, most) {
    if (Math.abs(a.length - b.length) > most) return most + 1;
    var previous = [], current;
    for (var j = 0; j <= b.length; j++) previous.push(j);
    for (var i = 1; i <= a.length; i++) {
      current = [i];
      var best = i;
      for (j = 1; j <= b.length; j++) {
        current.push(Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
        best = Math.min(best, current[j]);
      }
      if (best > most) return most + 1;
      previous = current;
    }
    return previous[b.length];
  }

  /* How well the query's words (each a list of spellings, its own first) match one written name: `tier` 0
   * the whole name, in any order; 1 every query word is a word of the name; 2 every query word is a word of
   * it or begins one; 3 some are a word of it but for typos (`edits` counts them); null when a query word
   * matches no word of it. `latin` counts the query words matched only in Latin letters (a Cyrillic or
   * Armenian query matching an English name): a name in the query's own script is the better match. */
  function nameMatch(query, name) {
    var forms = [];
    words(name).forEach(function (word) { forms.push([].concat(indexForms(word))); });
    if (!forms.length) return null;
    var exact = 0, edits = 0, latin = 0, used = [];
    for (var q = 0; q < query.length; q++) {
      var best = null;
      for (var w = 0; w < forms.length; w++) {
        for (var s = 0; s < query[q].length; s++) {
          for (var f = 0; f < forms[w].length; f++) {
            var word = query[q][s], form = forms[w][f], how = 3, cost = 0, most = typos(word.length);
            if (word === form && !used[w]) how = 1;
            else if (form.indexOf(word) === 0) how = 2;
            else if ((cost = editDistance(word, form, most)) > most) continue;
            if (!best || how < best.how || (how === best.how && (cost < best.cost || (cost === best.cost && best.latin && s === 0)))) {
              best = { how: how, cost: cost, latin: s > 0, slot: w };
            }
          }
        }
      }
      if (!best) return null;
      if (best.how === 1) { exact++; used[best.slot] = true; } else if (best.how === 3) edits += best.cost;
      if (best.latin) latin++;
    }
    var tier = exact === query.length ? (exact === forms.length ? 0 : 1) : edits ? 3 : 2;
    return { tier: tier, edits: edits, latin: latin };
  }

  /* Lower is better: the tier, then the typos, then the words matched only in Latin letters. */
  function better(a, b) {
    return a.tier - b.tier || a.edits - b.edits || a.latin - b.latin;
  }

  /* The feature's best match among its names, and the name matched; tier 4 when only its settlement, or
   * several names together, hold the query's words. */
  function rank(documents, k, query) {
    var best = { tier: 4, edits: 0, latin: 0, field: null, name: null };
    NAME_FIELDS.forEach(function (field) {
      var value = documents.value(k, field);
      if (!value) return;
      wholeNames(String(value)).forEach(function (name) {
        var match = nameMatch(query, name);
        if (match && better(match, best) < 0) {
          best = { tier: match.tier, edits: match.edits, latin: match.latin, field: field, name: String(value) };
        }
      });
    });
    return best;
  }

  /* ---- The index ---- */

  function Index(layers, unlocated) {
    var documents = this.documents = new Documents(layers, unlocated);
    // Words repeat (a settlement's name for each of its sites, "church", "monument"): each is folded once.
    var folded = this.folded = new Map();
    this.mini = new MiniSearch({
      fields: Object.keys(INDEX_FIELDS),
      extractField: function (k, field) {
        if (field === "id") return k;
        var text = "";
        INDEX_FIELDS[field].forEach(function (name) {
          var value = documents.value(k, name);
          if (value) text += (text ? "\n" : "") + value;
        });
        return text || null;
      },
      tokenize: words,
      processTerm: function (word) {
        var forms = folded.get(word);
        if (forms === undefined) folded.set(word, forms = indexForms(word));
        return forms;
      }
    });
  }

  /* Adds every feature, a chunk at a time; resolves when done. */
  Index.prototype.build = function () {
    var ids = [];
    for (var k = 0; k < this.documents.count; k++) ids.push(k);
    var folded = this.folded;
    return this.mini.addAllAsync(ids, { chunkSize: CHUNK }).then(function () { folded.clear(); });
  };

  /* Every feature matching `text`, best first: {count, hits: [{k, tier, field, name}]}. Each word of the
   * query must match (in any order, as a word, the start of a word, or with a typo); when no feature holds
   * them all, features holding any of them. */
  Index.prototype.search = function (text) {
    var query = words(text).map(spellings).filter(function (forms) { return forms[0]; });
    if (!query.length) return { count: 0, hits: [] };
    var options = {
      fields: Object.keys(INDEX_FIELDS),
      boost: { names: 3 },
      prefix: true,
      fuzzy: function (term) { return typos(term.length); },
      tokenize: function (term) { return [term]; },
      processTerm: function (term) { return term; }
    };
    function tree(combineWith) {
      return { combineWith: combineWith, queries: query.map(function (forms) { return { combineWith: "OR", queries: forms }; }) };
    }
    var found = this.mini.search(tree("AND"), options);
    if (!found.length && query.length > 1) found = this.mini.search(tree("OR"), options);
    var documents = this.documents;
    var hits = found.slice(0, CANDIDATES).map(function (result) {
      var k = result.id, how = rank(documents, k, query);
      how.k = k;
      how.score = result.score;
      how.kind = KIND_ORDER[documents.kind(k)];
      return how;
    });
    hits.sort(function (a, b) { return better(a, b) || a.kind - b.kind || b.score - a.score || a.k - b.k; });
    return { count: found.length, hits: hits };
  };

  /* ---- The box ---- */

  function countText(count) {
    if (count === 0) return t("No results");
    return api.tn("{count} result", "{count} results", count, { count: api.number(count) });
  }

  /* The search box on `map`, over the layers heritage.js drew on it and the unlocated features in the JSON
   * block `dataId`. */
  function searchBox(map, dataId) {
    var state = api.state, payload = dataId ? api.readPayload(dataId) : {};
    var box = el("div", { className: "hm-search leaflet-bar", role: "search" });
    var label = el("label", { "for": "hm-search-input", className: "hm-visually-hidden", text: t("Search by name, in English, Armenian, Azerbaijani or Russian") });
    var input = el("input", {
      id: "hm-search-input", type: "search", placeholder: t("Search by name…"), autocomplete: "off", spellcheck: "false",
      role: "combobox", "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": "hm-search-results"
    });
    var list = el("ul", { className: "hm-results", role: "listbox", id: "hm-search-results", "aria-label": t("Search results") });
    var status = el("div", { className: "hm-search-status", role: "status", "aria-live": "polite" });
    list.hidden = true;
    [label, input, list, status].forEach(function (node) { box.appendChild(node); });
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    var control = L.control({ position: "topleft" });
    control.onAdd = function () { return box; };
    control.addTo(map);

    var index = null, ready = null, waiting = false, pending = null, shown = [], active = -1, announce = null;
    var popupFromSearch = null, focusPopup = false;

    function ensureIndex() {
      if (!ready) {
        var layers = Object.keys(state.layers).map(function (title) { return state.layers[title]; })
          .filter(function (layer) { return layer.heritageKind !== "footprints"; });
        index = new Index(layers, payload.unlocated);
        status.textContent = t("Preparing search…");
        ready = index.build().then(function () { status.textContent = ""; state.searchReady = true; });
        state.searchIndex = index;
      }
      return ready;
    }

    function setActive(position) {
      var options = list.children;
      if (active >= 0 && options[active]) {
        options[active].setAttribute("aria-selected", "false");
        options[active].classList.remove("hm-active");
      }
      active = position;
      if (active >= 0 && options[active]) {
        options[active].setAttribute("aria-selected", "true");
        options[active].classList.add("hm-active");
        options[active].scrollIntoView({ block: "nearest" });
        input.setAttribute("aria-activedescendant", options[active].id);
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function close() {
      setActive(-1);
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
    }

    function option(hit, position) {
      var documents = index.documents, k = hit.k, name = documents.value(k, "name") || documents.value(k, "id");
      var first = el("span", { className: "hm-result-name" }, [el("bdi", { lang: "en", text: name })]);  // the sources' English
      if (hit.field && hit.field !== "name" && hit.name) {
        first.appendChild(document.createTextNode(" · "));
        first.appendChild(el("bdi", { lang: LANGUAGES[hit.field], text: hit.name }));
      }
      var kind = documents.kind(k), what = el("span", { className: "hm-result-kind" }, [
        kindText(kind, documents.value(k, "status"), documents.value(k, "in_aug_2023"))
      ]);
      var settlement = kind === "sites" ? documents.value(k, "settlement") : null;
      if (settlement) {
        what.appendChild(document.createTextNode(" · "));
        what.appendChild(el("bdi", { lang: "en", text: settlement }));
      }
      if (!documents.locate(k)) {
        what.appendChild(document.createTextNode(" · "));
        what.appendChild(document.createTextNode(t("not on the map")));
      }
      var item = el("li", { role: "option", id: "hm-search-option-" + position, className: "hm-result", "aria-selected": "false" }, [first, what]);
      item.addEventListener("mousedown", function (event) { event.preventDefault(); });
      item.addEventListener("click", function () { choose(hit); });
      return item;
    }

    function show() {
      var text = input.value.trim();
      list.textContent = "";
      shown = [];
      setActive(-1);
      clearTimeout(announce);
      if (words(text).map(fold).join("").length < 2) {
        close();
        status.textContent = "";
        list.setAttribute("data-query", text);
        return;
      }
      var started = performance.now(), found = index.search(text);
      shown = found.hits.slice(0, LIMIT);
      shown.forEach(function (hit, position) { list.appendChild(option(hit, position)); });
      list.hidden = !shown.length;
      list.setAttribute("data-query", text);
      state.searchTook = performance.now() - started;
      input.setAttribute("aria-expanded", shown.length ? "true" : "false");
      // Announced once typing pauses, so a screen reader does not read a count per key.
      announce = setTimeout(function () { status.textContent = countText(found.count); }, 400);
    }

    function search() {
      clearTimeout(pending);
      if (state.searchReady) {
        if (index.documents.count < LARGE) show(); else pending = setTimeout(show, PAUSE_MS);
      } else if (!waiting) {
        waiting = true;
        ensureIndex().then(function () { waiting = false; show(); });
      }
    }

    /* Open what result `hit` names: its popup on the map, its site page, or its line in the list of
     * features not on the map. The list of results closes. */
    function choose(hit) {
      var documents = index.documents, at = documents.locate(hit.k);
      close();
      if (at) {
        focusPopup = true;
        api.openFeature(at.source.layer, at.row);
        focusPopup = false;
        return;
      }
      var record = documents.unlocated[hit.k - documents.firstUnlocated];
      if (record.page && api.isSafeHref(record.page)) {
        window.location.assign(record.page);
        return;
      }
      showUnlocated(record.entry);
    }

    function showUnlocated(entry) {
      var details = document.querySelector(".hm-unlocated");
      if (!details) return;
      details.open = true;
      Array.prototype.forEach.call(details.querySelectorAll(".hm-highlight"), function (node) { node.classList.remove("hm-highlight"); });
      var line = details.querySelectorAll("li")[entry];
      if (!line) return;
      line.classList.add("hm-highlight");
      line.setAttribute("tabindex", "-1");
      line.scrollIntoView({ block: "nearest" });
      line.focus();
    }

    input.addEventListener("focus", ensureIndex);
    input.addEventListener("input", search);
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && shown.length;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!shown.length) return;
        event.preventDefault();
        if (!open) {
          list.hidden = false;
          input.setAttribute("aria-expanded", "true");
        }
        var step = event.key === "ArrowDown" ? 1 : -1, next = active + step;
        setActive(next < -1 ? shown.length - 1 : next >= shown.length ? shown.length - 1 : next);
      } else if (event.key === "Enter") {
        if (!open) return;
        event.preventDefault();
        choose(shown[active >= 0 ? active : 0]);
      } else if (event.key === "Escape" && open) {
        // The first Escape closes the list and keeps the words; a second clears the box, as a search box does.
        event.preventDefault();
        close();
      }
    });
    box.addEventListener("focusout", function (event) {
      if (!box.contains(event.relatedTarget)) close();
    });

    /* Focus goes into a popup search opened, Escape closes it, and focus comes back to the box. */
    map.on("popupopen", function (event) {
      if (!focusPopup) return;
      focusPopup = false;
      popupFromSearch = event.popup;
      var container = event.popup.getElement(), content = container.querySelector(".leaflet-popup-content");
      content.setAttribute("tabindex", "-1");
      content.focus({ preventScroll: true });
      if (!container.hmEscape) {
        container.hmEscape = true;
        container.addEventListener("keydown", function (e) {
          if (e.key === "Escape") { e.preventDefault(); map.closePopup(); }
        });
      }
    });
    map.on("popupclose", function (event) {
      if (event.popup !== popupFromSearch) return;
      popupFromSearch = null;
      var focused = document.activeElement, container = event.popup.getElement();
      if (!focused || focused === document.body || (container && container.contains(focused))) input.focus();
    });
  }

  api.searchBox = searchBox;
  /* The language of search, for its tests. */
  api.searchText = { fold: fold, words: words, spellings: spellings, indexForms: indexForms };
})();
