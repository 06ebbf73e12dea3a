/* Search a face: choose a frame, drag a box round a face, submit.
 *
 * The box is kept in the frame's own pixels (the JPEG's natural size, which is the image the
 * search crops from), whatever size the picture is shown at; the x/y/width/height fields hold it,
 * so the form also works by typing numbers. Pointer events: a mouse, a pen or a finger.
 */
(function () {
  "use strict";
  var MIN_BOX = 8;
  var form = document.getElementById("region-form");
  if (!form) return;
  var img = document.getElementById("frame");
  var wrap = document.getElementById("frame-wrap");
  var overlay = document.getElementById("box-overlay");
  var status = document.getElementById("box-status");
  var fields = ["x", "y", "w", "h"].map(function (n) { return document.getElementById("id_" + n); });
  var hiddenTime = document.getElementById("id_t");
  var timeForm = document.getElementById("time-form");
  var timeInput = document.getElementById("id_time");
  var timeRange = document.getElementById("id_time_range");
  var frameUrl = form.getAttribute("data-frame-url");
  var scroller = document.getElementById("frame-scroll");
  var zoom = document.getElementById("id_zoom");
  var start = null;
  var moving = false;

  document.getElementById("viewbar").hidden = false;  // zoom and move need this script
  zoom.addEventListener("change", function () {
    wrap.style.width = 100 * +zoom.value + "%";
    draw();
    var box = current();
    if (box) {  // keep the face in view
      var s = scale();
      scroller.scrollLeft = (box.x + box.w / 2) * s - scroller.clientWidth / 2;
      scroller.scrollTop = (box.y + box.h / 2) * s - scroller.clientHeight / 2;
    }
  });
  Array.prototype.forEach.call(form.querySelectorAll("input[name=mode]"), function (radio) {
    radio.addEventListener("change", function () {
      moving = radio.value === "move" && radio.checked;
      wrap.classList.toggle("moving", moving);
    });
  });

  function say(text) { status.textContent = text; }
  function natural() {
    return { w: img.naturalWidth || +form.getAttribute("data-width"), h: img.naturalHeight || +form.getAttribute("data-height") };
  }
  function scale() { var rect = img.getBoundingClientRect(); return rect.width / natural().w; }
  function current() {
    var v = fields.map(function (f) { return f.value === "" ? NaN : +f.value; });
    return v.some(isNaN) ? null : { x: v[0], y: v[1], w: v[2], h: v[3] };
  }
  function setBox(box) {
    fields.forEach(function (f, i) { f.value = box ? Math.round([box.x, box.y, box.w, box.h][i]) : ""; });
    draw();
  }
  function draw() {
    var box = current();
    if (!box || !img.complete || !natural().w) { overlay.hidden = true; return; }
    var s = scale();
    overlay.style.left = box.x * s + "px";
    overlay.style.top = box.y * s + "px";
    overlay.style.width = box.w * s + "px";
    overlay.style.height = box.h * s + "px";
    overlay.hidden = false;
  }
  function point(event) {
    var rect = img.getBoundingClientRect(), size = natural();
    var x = ((event.clientX - rect.left) / rect.width) * size.w;
    var y = ((event.clientY - rect.top) / rect.height) * size.h;
    return { x: Math.max(0, Math.min(size.w, x)), y: Math.max(0, Math.min(size.h, y)) };
  }
  function boxFrom(a, b) {
    return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), w: Math.abs(a.x - b.x), h: Math.abs(a.y - b.y) };
  }

  wrap.addEventListener("pointerdown", function (event) {
    if (moving || (event.button !== undefined && event.button > 0)) return;
    event.preventDefault();
    wrap.setPointerCapture(event.pointerId);
    start = point(event);
    setBox({ x: start.x, y: start.y, w: 0, h: 0 });
  });
  wrap.addEventListener("pointermove", function (event) {
    if (!start) return;
    event.preventDefault();
    setBox(boxFrom(start, point(event)));
  });
  function finish(event) {
    if (!start) return;
    var box = boxFrom(start, point(event));
    start = null;
    box = { x: Math.floor(box.x), y: Math.floor(box.y), w: Math.floor(box.w), h: Math.floor(box.h) };
    if (box.w < MIN_BOX || box.h < MIN_BOX) {
      setBox(null);
      say("That box is too small: drag from one corner of the face to the other.");
      return;
    }
    setBox(box);
    say("Box: " + box.w + "×" + box.h + " pixels at (" + box.x + ", " + box.y + "). Drag again to change it.");
  }
  wrap.addEventListener("pointerup", finish);
  wrap.addEventListener("pointercancel", function () { start = null; });
  fields.forEach(function (f) { f.addEventListener("input", draw); });
  window.addEventListener("resize", draw);
  img.addEventListener("load", draw);
  img.addEventListener("error", function () {
    overlay.hidden = true;
    say("This frame cannot be shown.");
    if (!window.fetch) return;
    fetch(img.src, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (body) {
      if (body && body.message) say("This frame cannot be shown: " + body.message);
    }).catch(function () {});
  });

  function showFrame(t) {
    t = Math.max(0, +t || 0);
    hiddenTime.value = t;
    if (timeInput) timeInput.value = t;
    if (timeRange) timeRange.value = t;
    setBox(null);
    say("Loading the frame at " + t + " s…");
    img.alt = "Frame at " + t + " s";
    img.src = frameUrl + "?t=" + encodeURIComponent(t);
    img.addEventListener("load", function once() {
      img.removeEventListener("load", once);
      say("Frame at " + t + " s. Drag on the picture to draw a box round the face.");
    });
  }
  if (timeForm) {
    timeForm.addEventListener("submit", function (event) { event.preventDefault(); showFrame(timeInput.value); });
    timeRange.addEventListener("input", function () { timeInput.value = timeRange.value; });
    timeRange.addEventListener("change", function () { showFrame(timeRange.value); });
    timeInput.addEventListener("change", function () { showFrame(timeInput.value); });
  }
  form.addEventListener("submit", function (event) {
    var box = current();
    if (!box || box.w < MIN_BOX || box.h < MIN_BOX) {
      event.preventDefault();
      say("Draw a box round the face on the frame first.");
      status.focus && status.focus();
      return;
    }
    var button = document.getElementById("search-button");
    button.disabled = true;
    button.textContent = "Searching…";
  });
  draw();
})();
