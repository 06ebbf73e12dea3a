// The CBO application page: each proposed prohibition shows only the fields of its kind (named premises,
// retailer within an area, zone). Without this script every field shows, with hints saying which kind uses it.
(function () {
  "use strict";
  function update(fieldset) {
    var select = fieldset.querySelector("select[name$='-kind']");
    if (!select) { return; }
    fieldset.querySelectorAll(".kind-fields").forEach(function (group) {
      var kinds = (group.getAttribute("data-kinds") || "").split(" ");
      group.hidden = select.value !== "" && kinds.indexOf(select.value) === -1;
    });
  }
  document.querySelectorAll("[data-prohibition]").forEach(function (fieldset) {
    var select = fieldset.querySelector("select[name$='-kind']");
    if (select) { select.addEventListener("change", function () { update(fieldset); }); }
    update(fieldset);
  });
}());
