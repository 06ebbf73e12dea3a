// Order desk: show the chosen reference photo before it is uploaded (no inline script: CSP).
(function () {
  "use strict";
  document.querySelectorAll("input[type=file][data-photo-preview]").forEach(function (input) {
    var img = document.getElementById(input.getAttribute("data-photo-preview"));
    if (!img) { return; }
    var box = img.closest("figure") || img;
    var kept = document.getElementById("photo-kept");
    var url = null;
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (url) { URL.revokeObjectURL(url); url = null; }
      if (!file) { return; }
      if (!/^image\/(jpeg|png|webp)$/.test(file.type)) {
        box.hidden = true;
        return;
      }
      url = URL.createObjectURL(file);
      img.src = url;
      img.alt = "The chosen photo: " + file.name;
      box.hidden = false;
      if (kept) { kept.textContent = "This new photo replaces the one kept before."; }
    });
  });
})();
