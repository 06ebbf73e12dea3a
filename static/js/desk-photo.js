// Order desk: show the chosen reference photo before it is uploaded (no inline script: CSP). The picture is
// read as a data: URL, which the site's Content-Security-Policy allows for images (blob: it does not).
(function () {
  "use strict";
  var TYPES = /^image\/(jpeg|png|webp)$/;
  document.querySelectorAll("input[type=file][data-photo-preview]").forEach(function (input) {
    var img = document.getElementById(input.getAttribute("data-photo-preview"));
    if (!img) { return; }
    var box = img.closest("figure") || img;
    var kept = document.getElementById("photo-kept");
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file) { return; }
      if (!TYPES.test(file.type)) {
        box.hidden = true;
        return;
      }
      var reader = new FileReader();
      reader.addEventListener("load", function () {
        img.src = reader.result;
        img.alt = "The chosen photo: " + file.name;
        box.hidden = false;
        if (kept) { kept.textContent = "This new photo replaces the one kept before."; }
      });
      reader.readAsDataURL(file);
    });
  });
})();
