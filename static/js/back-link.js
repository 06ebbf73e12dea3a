/* "Go back" links (data-history-back): the browser's Back, where there is a page to go back to.
 * Without JavaScript, or with no history, the link goes where its href says (the start page).
 * A file, not an inline "javascript:" link: the Content-Security-Policy allows no inline script. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-history-back]") : null;
    if (!link || window.history.length < 2) return;
    event.preventDefault();
    window.history.back();
  });
})();
