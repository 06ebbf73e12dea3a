/* Upload a report form with a progress bar, and retry on a dropped connection.
 *
 * Without JavaScript the form posts normally. With it, the form is sent with XMLHttpRequest so the
 * upload's progress can be shown. A lost connection is retried a few times with a growing pause;
 * the report form carries a submission key, so a retry after the server already filed the report
 * leads to the same receipt, not a second incident. A server that is unavailable for a moment (503,
 * its database down) is retried the same way, after the pause its Retry-After header asks for.
 * Rejected input (400) comes back as the page with its messages, which replaces this one. A server
 * with no room for the files (507) sends nothing back to keep: its message is shown here and the
 * answers and chosen files stay on the page, to send again later.
 */
(function () {
  "use strict";
  var MAX_ATTEMPTS = 5;

  function bind(form) {
    var box = form.querySelector("[data-upload-progress]");
    var bar = box && box.querySelector("progress");
    var status = box && box.querySelector("[data-upload-status]");
    var button = form.querySelector("button[type=submit]");

    form.addEventListener("submit", function (event) {
      if (!window.FormData || !window.XMLHttpRequest || !box) return;
      event.preventDefault();
      var data = new FormData(form);
      var attempt = 0;
      button.disabled = true;
      box.hidden = false;

      function say(text) { status.textContent = text; }

      function retry(why, retryAfter) {
        if (attempt >= MAX_ATTEMPTS) {
          say(why + " Still no connection. Your answers are still on this page: press the button to try again.");
          button.disabled = false;
          return;
        }
        var wait = Math.min(30, Math.pow(2, attempt));
        var asked = parseInt(retryAfter || "", 10);
        if (asked >= 0) wait = Math.min(120, asked);
        say(why + " Trying again in " + wait + " s (attempt " + (attempt + 1) + " of " + MAX_ATTEMPTS + ").");
        window.setTimeout(send, wait * 1000);
      }

      function send() {
        attempt += 1;
        var xhr = new XMLHttpRequest();
        xhr.open("POST", form.getAttribute("action") || window.location.href);
        xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
        xhr.upload.onprogress = function (e) {
          if (!e.lengthComputable) return;
          bar.max = e.total;
          bar.value = e.loaded;
          var pct = Math.floor((100 * e.loaded) / e.total);
          say(pct < 100 ? "Uploading: " + pct + "% sent." : "Sent. Checking the files…");
        };
        xhr.onload = function () {
          if (xhr.status >= 200 && xhr.status < 300) {
            say("Done.");
            window.location.assign(JSON.parse(xhr.responseText).redirect);
          } else if (xhr.status >= 400 && xhr.status < 500) {
            var page = new DOMParser().parseFromString(xhr.responseText, "text/html");
            var main = page.querySelector("main");
            if (main) {
              document.querySelector("main").replaceWith(main);
              init(main);
              window.scrollTo(0, 0);
            } else {
              say("The server refused the upload (" + xhr.status + ").");
              button.disabled = false;
            }
          } else if (xhr.status === 507) {
            var answer = new DOMParser().parseFromString(xhr.responseText, "text/html");
            var found = answer.querySelector("[data-fault-message], .errors .error");
            say((found ? found.textContent.trim() : "The server has no room left to store files.") +
                " Your answers and files are still on this page: press the button to try again later.");
            button.disabled = false;
          } else if (xhr.status === 503) {
            retry("The service is unavailable for a moment.", xhr.getResponseHeader("Retry-After"));
          } else {
            retry("The server could not take the upload (" + xhr.status + ").");
          }
        };
        xhr.onerror = function () { retry("The connection dropped."); };
        xhr.ontimeout = function () { retry("The connection timed out."); };
        xhr.send(data);
      }

      send();
    });
  }

  function init(root) {
    Array.prototype.forEach.call(root.querySelectorAll("form[data-upload]"), bind);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
})();
