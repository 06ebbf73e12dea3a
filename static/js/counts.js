// Counts that refresh without a reload: the navigation's badges and the home page's counts.
// Asks <body data-counts-url> every data-counts-poll seconds, and again whenever the tab is shown.
// Every element with data-count="key" gets the new number; an element with data-badge="key" is
// hidden while its count is 0, and one with data-alert-when="key" is marked (class "alert") while it
// is not. A change (and only a change) is announced once in the polite live region #counts-live,
// and the home page's "lists have changed" note ([data-counts-stale]) is shown.
(function () {
  "use strict";
  var body = document.body;
  var url = body.getAttribute("data-counts-url");
  if (!url || !window.fetch) { return; }
  var seconds = Math.max(1, parseInt(body.getAttribute("data-counts-poll"), 10) || 60);
  var live = document.getElementById("counts-live");
  var known = {};
  var timer = null;
  var busy = false;
  var stopped = false;

  // What the page was rendered with is the starting point: nothing is announced for it.
  document.querySelectorAll("[data-count]").forEach(function (el) {
    var n = parseInt(el.textContent, 10);
    if (!isNaN(n)) { known[el.getAttribute("data-count")] = n; }
  });

  function show(key, n) {
    document.querySelectorAll('[data-count="' + key + '"]').forEach(function (el) {
      el.textContent = String(n);
    });
    document.querySelectorAll('[data-badge="' + key + '"]').forEach(function (el) {
      el.hidden = n === 0;
    });
    document.querySelectorAll('[data-alert-when="' + key + '"]').forEach(function (el) {
      el.classList.toggle("alert", n > 0);
    });
  }

  function apply(data) {
    var counts = data.counts || {};
    var labels = data.labels || {};
    var changes = [];
    Object.keys(counts).forEach(function (key) {
      var n = counts[key];
      if (known.hasOwnProperty(key) && known[key] !== n && key !== "cases_waiting") {
        changes.push((labels[key] || key) + ": " + n + " (was " + known[key] + ")");
      }
      known[key] = n;
      show(key, n);
    });
    if (changes.length) {
      if (live) { live.textContent = "Updated. " + changes.join(". ") + "."; }
      document.querySelectorAll("[data-counts-stale]").forEach(function (el) { el.hidden = false; });
    }
  }

  function poll() {
    if (busy || stopped || document.visibilityState === "hidden") { return; }
    busy = true;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 401 || response.status === 403) { stopped = true; return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (data) { if (data) { apply(data); } })
      .catch(function () { /* offline for a moment: the next poll tries again */ })
      .then(function () { busy = false; });
  }

  function start() {
    if (timer) { window.clearInterval(timer); }
    timer = window.setInterval(poll, seconds * 1000);
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { poll(); start(); }
  });
  start();
})();
