/* An embed page (embed/<name>.html): the snippet a journalist pastes, made from the page's template.
 *
 * The template's addresses are relative to the published folder. A snippet pasted into another site's article
 * is read from there, so each address is made absolute: against the build's --base-url when it was given, or
 * else against the address this page was opened from (its folder's parent, the published folder). When that is
 * not an http(s) address (the page opened from a disk), no snippet is offered and the page says why. The credit
 * line gets the data's as-of date from build-info.js, so a new date rewrites that one file, not every embed page.
 * The preview is the same snippet with addresses relative to this page, so it shows wherever the page is opened.
 * The page's strings are in the page (its template); this script writes none of its own.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("hm-embed-config").textContent);
  var template = document.getElementById("hm-snippet");
  var textarea = document.getElementById("snippet");
  var copy = document.getElementById("hm-copy");
  var status = document.getElementById("hm-copy-status");
  var build = window.HeritageMapBuild || {};

  /* The template with every src and href made absolute against `root`, and the data's date in its text. */
  function snippet(root) {
    var holder = document.createElement("div");
    holder.appendChild(template.content.cloneNode(true));
    Array.prototype.forEach.call(holder.querySelectorAll("[src], [href]"), function (node) {
      var name = node.hasAttribute("src") ? "src" : "href";
      node.setAttribute(name, new URL(node.getAttribute(name), root).href);
    });
    var walker = document.createTreeWalker(holder, NodeFilter.SHOW_TEXT), text;
    while ((text = walker.nextNode())) text.nodeValue = text.nodeValue.split(config.as_of_placeholder).join(build.as_of || config.no_date);
    return holder;
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
