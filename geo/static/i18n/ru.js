/* The ru catalog of the maps' interface, generated from geo/locale/ru/LC_MESSAGES/messages.po by
 * `python -m geo._messages update`: edit the .po file, never this one. */
(function (ns) { ns.catalogs = ns.catalogs || {}; ns.catalogs["ru"] = {}; })(window.HeritageMap = window.HeritageMap || {});
