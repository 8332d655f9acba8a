/* The hy catalog of the maps' interface, generated from geo/locale/hy/LC_MESSAGES/messages.po by
 * `python -m geo._messages update`: edit the .po file, never this one. */
(function (ns) { ns.catalogs = ns.catalogs || {}; ns.catalogs["hy"] = {}; })(window.HeritageMap = window.HeritageMap || {});
