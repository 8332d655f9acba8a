/* An embed page (embed/<name>.html): the snippet a journalist pastes, made from the page's template.
 *
 * The template's addresses are relative to the published folder. A snippet pasted into another site's article
 * is read from there, so each address is made absolute: against the build's --base-url when it was given, or
 * else against the address this page was opened from (its folder's parent, the published folder). When that is
 * not an http(s) address (the page opened from a disk), no snippet is offered and the page says why. The credit
 * line gets the data's as-of date from build-info.js, so a new date rewrites that one file, not every embed page.
 * The preview is the same snippet with addresses relative to this page, so it shows wherever the page is opened.
 * The page's strings are in the page (its template), and the snippet's in its configuration (geo/pages.py).
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("hm-embed-config").textContent);
  var template = document.getElementById("hm-snippet");
  var textarea = document.getElementById("snippet");
  var copy = document.getElementById("hm-copy");
  var status = document.getElementById("hm-copy-status");
  var build = window.HeritageMapBuild || {};
  var i18n = window.HeritageMap.i18n;  // i18n.js loads first on every embed page (geo/pages.py EMBED_SCRIPTS)
  function t(text) { return i18n.translate(text); }

  /* The template with every src and href made absolute against `root`, and the data's date in its text. */
  function snippet(root) {
    var holder = document.createElement("div");
    holder.appendChild(template.content.cloneNode(true));
    Array.prototype.forEach.call(holder.querySelectorAll("[src], [href]"), function (node) {
      var name = node.hasAttribute("src") ? "src" : "href";
      node.setAttribute(name, new URL(node.getAttribute(name), root).href);
    });
    localize(holder);
    var date = build.as_of ? i18n.date(build.as_of) : t(config.no_date);
    var walker = document.createTreeWalker(holder, NodeFilter.SHOW_TEXT), text;
    while ((text = walker.nextNode())) text.nodeValue = text.nodeValue.split(config.as_of_placeholder).join(date);
    return holder;
  }

  /* In another language than English, the snippet speaks the page's: the frame's title, the credit line and its
   * link are the catalog's, and the frame opens in that language (?lang=, which an embed's frame never stores). */
  function localize(holder) {
    if (i18n.lang === "en") return;
    var frame = holder.querySelector("iframe"), credit = holder.querySelector("p"), full = holder.querySelector("p a");
    if (frame) {
      frame.title = t(config.title);
      var src = new URL(frame.getAttribute("src"), location.href), relative = !/^[a-z]+:/i.test(frame.getAttribute("src"));
      src.searchParams.set("lang", i18n.lang);
      frame.setAttribute("src", relative ? frame.getAttribute("src").split("?")[0] + src.search : src.href);
    }
    if (credit && credit.firstChild && credit.firstChild.nodeType === Node.TEXT_NODE) credit.firstChild.nodeValue = t(config.credit) + " ";
    if (full) full.textContent = t(config.open_full);
  }

  var here = new URL(config.root, location.href);
  var root = config.base ? new URL(config.base) : here;
  var preview = snippet(here);
  var target = document.getElementById("hm-preview");
  while (preview.firstChild) target.appendChild(preview.firstChild);

  if (/^https?:$/.test(root.protocol)) {
    textarea.value = snippet(root).innerHTML;
    copy.disabled = false;
  } else {
    document.getElementById("hm-embed-warning").hidden = false;
  }

  function copied(ok) {
    status.textContent = ok ? status.getAttribute("data-copied") : status.getAttribute("data-failed");
  }

  copy.addEventListener("click", function () {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(textarea.value).then(function () { copied(true); }, function () { copied(false); });
      return;
    }
    textarea.focus();
    textarea.select();
    var ok;
    try { ok = document.execCommand("copy"); } catch (error) { ok = false; }
    copied(ok);
  });

  window.HeritageEmbed = { snippet: function () { return textarea.value; }, absolute: !copy.disabled };
})();
