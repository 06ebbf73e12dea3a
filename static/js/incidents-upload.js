/* Upload a report form with a progress bar, check the chosen files first, and retry on a dropped connection.
 *
 * Without JavaScript the form posts normally and the server checks everything. With it:
 * - each chosen file's type and size, and the number of files, are checked against the limits the page
 *   renders into the form's data- attributes (from the server's settings) as soon as they are chosen and
 *   again on sending: a file that would be refused is named, with why, before anything is uploaded;
 * - the form is sent with XMLHttpRequest so the upload's progress can be shown. A lost connection is
 *   retried a few times with a growing pause; the report form carries a submission key, so a retry after
 *   the server already filed the report leads to the same receipt, not a second incident. A server that is
 *   unavailable for a moment (503) is retried after the pause its Retry-After header asks for;
 * - rejected answers (400) come back as the page with its messages, which replaces this one, keeping the
 *   files already chosen; a possible duplicate (409: the same CCTV sent with an earlier report) shows the
 *   warning above the form, files and answers kept, and a second press sends it as a new incident; a server
 *   with no room for the files (507) has its message shown here, answers and files kept;
 * - once sent, the receipt replaces the report page in the browser's history, and a report page brought back
 *   from the back/forward cache is loaded afresh, so Back cannot show a filled-in report to send twice.
 */
(function () {
  "use strict";
  var MAX_ATTEMPTS = 5;

  window.addEventListener("pageshow", function (event) {
    if (event.persisted && document.querySelector("form[data-no-restore]")) window.location.reload();
  });

  function inWords(n) {
    if (n >= 1073741824) return (Math.round((n / 1073741824) * 10) / 10) + " GB";
    if (n >= 1048576) return (Math.round((n / 1048576) * 10) / 10) + " MB";
    if (n >= 1024) return Math.round(n / 1024) + " KB";
    return n + " bytes";
  }

  function list(value) { return (value || "").split(",").filter(function (v) { return v; }); }

  function limitsOf(form) {
    var d = form.dataset;
    return {
      imageMax: parseInt(d.imageMaxBytes || "0", 10),
      videoMax: parseInt(d.videoMaxBytes || "0", 10),
      maxFiles: parseInt(d.maxFiles || "0", 10),
      imageTypes: list(d.imageTypes),
      videoTypes: list(d.videoTypes),
      imageExtensions: list(d.imageExtensions),
      videoExtensions: list(d.videoExtensions)
    };
  }

  function kindOf(file, limits) {
    var type = (file.type || "").toLowerCase();
    if (limits.imageTypes.indexOf(type) >= 0) return "image";
    if (limits.videoTypes.indexOf(type) >= 0) return "video";
    var dot = file.name.lastIndexOf(".");
    var ext = dot >= 0 ? file.name.slice(dot).toLowerCase() : "";
    if (limits.imageExtensions.indexOf(ext) >= 0) return "image";
    if (limits.videoExtensions.indexOf(ext) >= 0) return "video";
    return null;
  }

  function problemsOf(form, files) {
    var limits = limitsOf(form);
    var found = [];
    if (!limits.maxFiles || !files) return found;
    if (files.length > limits.maxFiles) {
      found.push("You chose " + files.length + " files: send up to " + limits.maxFiles +
                 " at a time, and add the rest to the report afterwards.");
    }
    Array.prototype.forEach.call(files, function (file) {
      var kind = kindOf(file, limits);
      if (kind === null) {
        found.push(file.name + ": not a type we accept (photos: JPEG, PNG or WebP; videos: MP4, MOV, AVI or MKV).");
      } else if (file.size === 0) {
        found.push(file.name + ": the file is empty (0 bytes). Choose it again.");
      } else {
        var max = kind === "image" ? limits.imageMax : limits.videoMax;
        if (max && file.size > max) {
          var noun = kind === "image" ? "photo" : "video";
          found.push(file.name + ": this " + noun + " is " + inWords(file.size) + "; a " + noun +
                     " may be up to " + inWords(max) + ".");
        }
      }
    });
    return found;
  }

  function showProblems(form, found) {
    var box = form.querySelector("[data-file-errors]");
    if (!box) return;
    box.textContent = "";
    if (!found.length) { box.hidden = true; return; }
    var lead = document.createElement("p");
    lead.textContent = "Nothing has been sent. Choose the files again without these:";
    box.appendChild(lead);
    var ul = document.createElement("ul");
    found.forEach(function (text) {
      var li = document.createElement("li");
      li.textContent = text;
      ul.appendChild(li);
    });
    box.appendChild(ul);
    box.hidden = false;
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input || input.type !== "file" || !input.form || !input.form.hasAttribute("data-upload")) return;
    showProblems(input.form, problemsOf(input.form, input.files));
  });

  function parse(html) { return new DOMParser().parseFromString(html, "text/html"); }

  function showScriptParts(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-nojs-only]"), function (el) { el.remove(); });
    Array.prototype.forEach.call(root.querySelectorAll("[data-js-only]"), function (el) { el.hidden = false; });
  }

  function bind(form) {
    var box = form.querySelector("[data-upload-progress]");
    var bar = box && box.querySelector("progress");
    var status = box && box.querySelector("[data-upload-status]");
    var button = form.querySelector("button[type=submit]");

    form.addEventListener("submit", function (event) {
      var input = form.querySelector("input[type=file]");
      var found = input ? problemsOf(form, input.files) : [];
      if (found.length) {
        event.preventDefault();
        showProblems(form, found);
        input.focus();
        return;
      }
      if (!window.FormData || !window.XMLHttpRequest || !box) return;
      event.preventDefault();
      var data = new FormData(form);
      var submitter = event.submitter;
      if (submitter && submitter.name) data.append(submitter.name, submitter.value);
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

      function duplicate(page) {
        var warning = page.querySelector("[data-duplicate-warning]");
        var card = form.closest("section") || form.parentNode;
        var old = card.querySelector("[data-duplicate-warning]");
        if (!warning) return false;
        showScriptParts(warning);
        if (old) old.replaceWith(warning); else card.insertBefore(warning, form);
        var confirm = form.querySelector("input[name=confirm_duplicate]");
        if (confirm) confirm.value = "True";
        button.textContent = "Send as a new incident";
        button.disabled = false;
        box.hidden = true;
        warning.focus();
        return true;
      }

      function refused(page) {
        var main = page.querySelector("main");
        if (!main) return false;
        var chosen = form.querySelector("input[type=file]");
        document.querySelector("main").replaceWith(main);
        var fresh = chosen && chosen.id ? main.querySelector("#" + chosen.id) : null;
        if (fresh && chosen.files && chosen.files.length) {
          fresh.replaceWith(chosen);  // the files already chosen stay chosen
          showScriptParts(main);
        }
        init(main);
        var summary = main.querySelector("[role=alert][tabindex]");
        if (summary) summary.focus();
        window.scrollTo(0, 0);
        return true;
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
            window.location.replace(JSON.parse(xhr.responseText).redirect);
          } else if (xhr.status === 409 && duplicate(parse(xhr.responseText))) {
            return;
          } else if (xhr.status >= 400 && xhr.status < 500) {
            if (!refused(parse(xhr.responseText))) {
              say("The server refused the upload (" + xhr.status + ").");
              button.disabled = false;
            }
          } else if (xhr.status === 507) {
            var found = parse(xhr.responseText).querySelector("[data-fault-message], .errors .error");
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
