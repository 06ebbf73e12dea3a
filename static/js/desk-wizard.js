// Order desk, recording an order: show only the chosen kind's fields, and filter the store list as you type.
// Without this script the page still works: the kind is sent first and the page comes back with its fields.
(function () {
  "use strict";
  var form = document.querySelector("form[data-desk-wizard]");
  if (!form) { return; }
  var choose = form.querySelector("[data-choose-kind]");
  if (choose) { choose.remove(); }
  var blocks = form.querySelectorAll(".kind-fields");

  function show(kind) {
    blocks.forEach(function (block) {
      var mine = block.getAttribute("data-kind");
      var visible = kind !== "" && (mine === kind || mine === "any");
      block.hidden = !visible;
      block.querySelectorAll("input, select, textarea, button").forEach(function (el) {
        if (mine !== "any") { el.disabled = !visible; }
      });
    });
    // A map drawn while hidden measures itself again once shown.
    window.dispatchEvent(new Event("resize"));
  }

  function chosen() {
    var radio = form.querySelector("input[name=kind]:checked");
    return radio ? radio.value : "";
  }

  form.querySelectorAll("input[name=kind]").forEach(function (radio) {
    radio.addEventListener("change", function () { show(chosen()); });
  });
  show(chosen());

  var filter = form.querySelector("[data-store-filter]");
  var list = form.querySelector("[data-store-list]");
  if (filter && list) {
    filter.addEventListener("input", function () {
      var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
      list.querySelectorAll("label[data-store-text]").forEach(function (label) {
        var text = label.getAttribute("data-store-text");
        var box = label.querySelector("input");
        var match = words.every(function (w) { return text.indexOf(w) !== -1; });
        label.hidden = !match && !(box && box.checked);
      });
    });
    filter.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }  // typing filters already: Enter does not send
    });
  }
})();
