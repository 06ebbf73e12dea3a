/* The portal's maps (templates/orders/_map.html): Leaflet from static/vendor/leaflet, data from
 * orders-map-data, and in draw mode what the zone being drawn covers from orders-map-coverage.
 *
 * Modes (data-map-mode):
 *   view  the force's beats and stores, an order's (or a prohibition's) zones, covered stores in red;
 *   draw  draw a polygon (click each corner) or a circle (click the centre, then the edge); the GeoJSON
 *         Polygon, centre and radius are written into the form's fields, and typing in them redraws;
 *   pick  click (or use the cross) to set a point: the form's latitude and longitude fields.
 * With no tile server configured the map has no tiles: beats, stores and zones on a plain background with a
 * scale bar, and nothing is fetched from anywhere but this site.
 */
(function () {
  "use strict";

  var UK_CENTRE = [54.5, -2.5];
  var COLOUR = { beat: "#12355b", store: "#4a5560", covered: "#b00020", zone: "#b00020", removed: "#6b7580", pick: "#0b6e4f" };

  function byId(id) { return id ? document.getElementById(id) : null; }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  function num(value) {
    if (value == null || String(value).trim() === "") { return null; }
    var n = Number(String(value).trim());
    return isFinite(n) ? n : NaN;
  }

  /* GeoJSON [lng, lat] rings <-> Leaflet [lat, lng] (the closing position dropped for Leaflet). */
  function ringToLatLngs(ring) {
    var out = ring.map(function (p) { return [p[1], p[0]]; });
    if (out.length > 1 && out[0][0] === out[out.length - 1][0] && out[0][1] === out[out.length - 1][1]) { out.pop(); }
    return out;
  }

  function polygonLatLngs(polygon) {
    return polygon.coordinates.map(ringToLatLngs);
  }

  function pointsToPolygon(points) {
    var ring = points.map(function (ll) { return [round6(ll.lng), round6(ll.lat)]; });
    ring.push(ring[0].slice());
    return { type: "Polygon", coordinates: [ring] };
  }

  function round6(x) { return Math.round(x * 1e6) / 1e6; }

  /* The polygon field's text as a GeoJSON Polygon: a geometry, a Feature, its rings, or one ring of [lng, lat].
   * Returns null when empty; throws an Error saying what is wrong. */
  function parsePolygon(text) {
    text = (text || "").trim();
    if (!text) { return null; }
    var value;
    try { value = JSON.parse(text); } catch (e) { throw new Error("The polygon is not valid JSON."); }
    if (value && value.type === "Feature") { value = value.geometry; }
    var rings;
    if (Array.isArray(value)) {
      rings = Array.isArray(value[0]) && Array.isArray(value[0][0]) ? value : [value];
    } else if (value && value.type === "Polygon" && Array.isArray(value.coordinates)) {
      rings = value.coordinates;
    } else {
      throw new Error("The polygon must be a GeoJSON Polygon.");
    }
    if (!rings.length || !Array.isArray(rings[0]) || rings[0].length < 3) {
      throw new Error("The polygon needs at least three corners.");
    }
    rings.forEach(function (ring) {
      ring.forEach(function (p) {
        if (!Array.isArray(p) || p.length < 2 || typeof p[0] !== "number" || typeof p[1] !== "number") {
          throw new Error("Each corner of the polygon must be [longitude, latitude].");
        }
      });
    });
    return { type: "Polygon", coordinates: rings };
  }

  function storeLabel(s) { return s.retailer + " " + s.name + " (" + s.code + "), " + s.postcode; }

  function RetraceMap(block) {
    this.block = block;
    this.mode = block.getAttribute("data-map-mode") || "view";
    this.canvas = block.querySelector(".map-canvas");
    this.status = block.querySelector("[data-map-status]");
    this.list = block.querySelector("[data-map-covered]");
    this.inputs = {
      polygon: byId(block.getAttribute("data-polygon-input")),
      lat: byId(block.getAttribute("data-lat-input")),
      lng: byId(block.getAttribute("data-lng-input")),
      radius: byId(block.getAttribute("data-radius-input")),
      kind: byId(block.getAttribute("data-kind-input")),
      retailer: byId(block.getAttribute("data-retailer-input")),
      beats: byId(block.getAttribute("data-beats-input"))
    };
    this.storeId = parseInt(block.getAttribute("data-store-id") || "", 10) || null;
    this.stores = [];
    this.tool = null;
    this.points = [];
    this.coverageSeq = 0;
    this.coverageTimer = null;

    this.map = L.map(this.canvas, { attributionControl: false, keyboard: true, zoomSnap: 0.5, maxZoom: 19 });
    this.map.setView(UK_CENTRE, 6);
    L.control.scale({ imperial: false, maxWidth: 160 }).addTo(this.map);
    this.beatsLayer = L.layerGroup().addTo(this.map);
    this.zonesLayer = L.layerGroup().addTo(this.map);
    // Stores sit above the zones and the drawing, so that a covered store is never hidden under its zone.
    this.map.createPane("retrace-stores").style.zIndex = 450;
    this.storesLayer = L.layerGroup().addTo(this.map);
    this.draftLayer = L.layerGroup().addTo(this.map);
    this.markers = {};

    this.bindTools();
    this.watchSize();
    this.load();
  }

  /* A map drawn while hidden (a form section shown only for one kind of prohibition) has no size: when it
   * is shown, or its box changes size, Leaflet is told, and the map is framed again unless someone has
   * already moved it. */
  RetraceMap.prototype.watchSize = function () {
    if (!window.ResizeObserver) { return; }
    var self = this;
    var wasHidden = this.canvas.offsetWidth === 0;
    ["mousedown", "touchstart", "wheel", "keydown"].forEach(function (type) {
      self.canvas.addEventListener(type, function () { self.userMoved = true; }, { passive: true });
    });
    new ResizeObserver(function () {
      var hidden = self.canvas.offsetWidth === 0;
      if (!hidden) {
        self.map.invalidateSize();
        // Shown for the first time, or resized (a phone turned) before anyone moved it: frame it again.
        if (self.loaded && (wasHidden || !self.userMoved)) { self.frame(); }
      }
      wasHidden = hidden;
    }).observe(this.canvas);
  };

  RetraceMap.prototype.frame = function () {
    if (this.mode === "pick" && this.circleCentre()) { this.pickFromInputs(true); return null; }
    return this.fitTo();
  };

  RetraceMap.prototype.say = function (text, isError) {
    if (!this.status) { return; }
    this.status.textContent = text || "";
    this.status.classList.toggle("error", !!isError);
  };

  /* Data ------------------------------------------------------------------------------------------------ */

  RetraceMap.prototype.load = function () {
    var self = this;
    fetch(this.block.getAttribute("data-data-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) { throw new Error(body.message || "The map's data could not be loaded."); }
          return body;
        });
      })
      .then(function (data) { self.draw(data); })
      .catch(function (error) { self.say(error.message || "The map's data could not be loaded.", true); });
  };

  RetraceMap.prototype.draw = function (data) {
    var self = this;
    if (data.tiles && data.tiles.url) {
      L.tileLayer(data.tiles.url, { maxZoom: data.tiles.max_zoom || 19, attribution: escapeHtml(data.tiles.attribution || "") })
        .addTo(this.map);
      L.control.attribution({ prefix: false }).addTo(this.map);
    }
    (data.beats || []).forEach(function (beat) { self.drawBeat(beat); });
    (data.zones || []).forEach(function (zone) { self.drawZone(zone); });
    this.stores = data.stores || [];
    this.drawStores();
    this.loaded = true;
    var bounds = this.fitTo();
    if (this.mode === "view" && this.list && this.block.getAttribute("data-server-list") !== "1") {
      this.showCovered(this.stores.filter(function (s) { return s.covered; }));
    }
    if (this.mode === "draw") { this.fromInputs(true); }
    if (this.mode === "pick") { this.pickFromInputs(true); }
    if (!bounds && this.mode !== "pick") { this.say("The force has no stores or zones to show yet."); }
  };

  RetraceMap.prototype.drawBeat = function (beat) {
    var shape = beat.boundary || beat.hull;
    if (!shape || !shape.coordinates) { return; }
    var approximate = !beat.boundary;
    L.polygon(polygonLatLngs(shape), {
      color: COLOUR.beat, weight: 2, fillOpacity: 0.03, dashArray: approximate ? "6 6" : null, interactive: true
    }).bindTooltip(beat.name + (approximate ? " (outline drawn around its stores)" : ""), { sticky: true })
      .addTo(this.beatsLayer);
  };

  RetraceMap.prototype.drawZone = function (zone) {
    var style = zone.removed
      ? { color: COLOUR.removed, weight: 2, dashArray: "4 6", fillOpacity: 0.05 }
      : { color: COLOUR.zone, weight: 3, fillColor: COLOUR.zone, fillOpacity: 0.15 };
    var label = (zone.description || zone.kind_label || "Zone") + (zone.removed ? " (removed by a variation)" : "");
    if (zone.polygon) { L.polygon(polygonLatLngs(zone.polygon), style).bindTooltip(label, { sticky: true }).addTo(this.zonesLayer); }
    if (zone.circle) {
      L.circle([zone.circle.latitude, zone.circle.longitude], L.extend({ radius: zone.circle.radius_m }, style))
        .bindTooltip(label, { sticky: true }).addTo(this.zonesLayer);
    }
  };

  RetraceMap.prototype.drawStores = function () {
    var self = this;
    this.storesLayer.clearLayers();
    this.markers = {};
    this.stores.forEach(function (s) {
      if (self.mode === "pick" && s.id === self.storeId) { return; }
      var marker = L.circleMarker([s.latitude, s.longitude], self.storeStyle(s.covered))
        .bindTooltip(storeLabel(s) + (s.covered ? " (covered)" : ""));
      marker.addTo(self.storesLayer);
      self.markers[s.id] = marker;
    });
  };

  RetraceMap.prototype.storeStyle = function (covered) {
    return covered
      ? { pane: "retrace-stores", radius: 7, color: "#fff", weight: 2, fillColor: COLOUR.covered, fillOpacity: 1 }
      : { pane: "retrace-stores", radius: 5, color: "#fff", weight: 1.5, fillColor: COLOUR.store, fillOpacity: 0.9 };
  };

  RetraceMap.prototype.fitTo = function () {
    var bounds = L.latLngBounds([]);
    [this.zonesLayer, this.draftLayer].forEach(function (group) {
      group.eachLayer(function (layer) { if (layer.getBounds) { bounds.extend(layer.getBounds()); } });
    });
    if (this.mode === "view") {  // named premises have no zone: the stores covered frame the map too
      this.stores.forEach(function (s) { if (s.covered) { bounds.extend([s.latitude, s.longitude]); } });
    }
    if (!bounds.isValid()) {
      this.beatsLayer.eachLayer(function (layer) { bounds.extend(layer.getBounds()); });
      this.storesLayer.eachLayer(function (layer) { bounds.extend(layer.getLatLng()); });
    }
    if (!bounds.isValid()) { return null; }
    this.map.fitBounds(bounds.pad(0.15), { maxZoom: 16 });
    return bounds;
  };

  RetraceMap.prototype.showCovered = function (stores, message) {
    if (!this.list) { return; }
    this.list.textContent = "";
    var add = function (text, muted) {
      var li = document.createElement("li");
      li.textContent = text;
      if (muted) { li.className = "muted"; }
      this.list.appendChild(li);
    }.bind(this);
    if (message) { add(message, true); return; }
    if (!stores.length) { add("No store of the force is covered.", true); return; }
    stores.forEach(function (s) { add(storeLabel(s)); });
  };

  /* Drawing (draw mode) and picking (pick mode) ---------------------------------------------------------- */

  RetraceMap.prototype.bindTools = function () {
    var self = this;
    this.block.querySelectorAll("[data-tool]").forEach(function (button) {
      button.addEventListener("click", function () { self.startTool(button.getAttribute("data-tool")); });
    });
    var actions = {
      centre: function () { self.clickAt(self.map.getCenter()); },
      undo: function () { self.undo(); },
      finish: function () { self.setTool(null); self.say(self.summary()); },
      clear: function () { self.clear(); }
    };
    this.block.querySelectorAll("[data-action]").forEach(function (button) {
      button.addEventListener("click", function () { actions[button.getAttribute("data-action")](); });
    });
    if (this.mode === "draw" || this.mode === "pick") {
      this.map.on("click", function (event) {
        // Where the pointer was: Leaflet gives a small marker's own position for a click on it.
        self.clickAt(event.originalEvent ? self.map.mouseEventToLatLng(event.originalEvent) : event.latlng);
      });
    }
    var redraw = function () {
      if (self.writing) { return; }  // the map's own writes: already drawn
      if (self.mode === "pick") { self.pickFromInputs(false); } else { self.fromInputs(false); } };
    ["polygon", "lat", "lng", "radius"].forEach(function (name) {
      var input = self.inputs[name];
      if (input) { input.addEventListener("input", redraw); input.addEventListener("change", redraw); }
    });
    ["kind", "retailer", "beats"].forEach(function (name) {
      var input = self.inputs[name];
      if (input) { input.addEventListener("change", function () { self.scheduleCoverage(); }); }
    });
  };

  RetraceMap.prototype.setTool = function (tool) {
    this.tool = tool;
    this.block.querySelectorAll("[data-tool]").forEach(function (button) {
      button.setAttribute("aria-pressed", button.getAttribute("data-tool") === tool ? "true" : "false");
    });
    this.canvas.classList.toggle("drawing", !!tool);
  };

  RetraceMap.prototype.startTool = function (tool) {
    this.setTool(tool);
    if (tool === "polygon") {
      this.points = [];
      this.say("Click the map at each corner of the zone (three or more), then choose Finish.");
    } else {
      this.say("Click the centre of the circle, then click its edge (or type the radius).");
    }
  };

  RetraceMap.prototype.clickAt = function (latlng) {
    if (this.mode === "pick") { this.pick(latlng); return; }
    if (!this.tool) { this.startTool(this.inputs.polygon ? "polygon" : "circle"); }
    if (this.tool === "polygon") {
      this.points.push(latlng);
      if (this.points.length >= 3) {
        this.write("polygon", JSON.stringify(pointsToPolygon(this.points)));
        this.write("lat", ""); this.write("lng", ""); this.write("radius", "");
      }
      this.drawDraft();
      this.say(this.points.length < 3
        ? "Corner " + this.points.length + " added: at least " + (3 - this.points.length) + " more."
        : "Corner " + this.points.length + " added. " + this.summary());
      this.scheduleCoverage();
    } else if (this.tool === "circle") {
      var centre = this.circleCentre();
      if (!centre || this.circleStep !== "edge") {
        this.write("lat", round6(latlng.lat).toFixed(6));
        this.write("lng", round6(latlng.lng).toFixed(6));
        this.write("polygon", "");
        this.circleStep = "edge";
        this.say("Centre set. Now click the circle's edge, or type the radius.");
      } else {
        this.write("radius", String(Math.max(1, Math.round(this.map.distance(centre, latlng)))));
        this.circleStep = null;
        this.setTool(null);
        this.say(this.summary());
      }
      this.fromInputs(false);
    }
  };

  RetraceMap.prototype.undo = function () {
    if (this.points.length) {
      this.points.pop();
      this.write("polygon", this.points.length >= 3 ? JSON.stringify(pointsToPolygon(this.points)) : "");
      this.drawDraft();
      this.say(this.points.length ? this.points.length + " corners left." : "No corners left.");
      this.scheduleCoverage();
    }
  };

  RetraceMap.prototype.clear = function () {
    this.points = [];
    this.circleStep = null;
    ["polygon", "lat", "lng", "radius"].forEach(function (name) { this.write(name, ""); }, this);
    this.setTool(null);
    this.drawDraft();
    this.say("The zone is cleared.");
    this.scheduleCoverage();
  };

  RetraceMap.prototype.write = function (name, value) {
    var input = this.inputs[name];
    if (input && input.value !== value) {
      input.value = value;
      this.writing = true;
      try { input.dispatchEvent(new Event("change", { bubbles: true })); } finally { this.writing = false; }
    }
  };

  RetraceMap.prototype.circleCentre = function () {
    var lat = num(this.inputs.lat && this.inputs.lat.value), lng = num(this.inputs.lng && this.inputs.lng.value);
    return lat === null || lng === null || isNaN(lat) || isNaN(lng) ? null : L.latLng(lat, lng);
  };

  RetraceMap.prototype.circleRadius = function () {
    var radius = num(this.inputs.radius && this.inputs.radius.value);
    return radius === null || isNaN(radius) || radius <= 0 ? null : radius;
  };

  /* Read the fields (typed, or filled by the server after a refused save) and draw what they say. */
  RetraceMap.prototype.fromInputs = function (fit) {
    var polygonText = this.inputs.polygon ? this.inputs.polygon.value : "";
    try {
      var polygon = parsePolygon(polygonText);
      this.points = polygon ? ringToLatLngs(polygon.coordinates[0]).map(function (p) { return L.latLng(p[0], p[1]); }) : [];
      this.polygonError = null;
    } catch (error) {
      this.polygonError = error.message;
    }
    this.drawDraft();
    if (this.draftLayer.getLayers().length && (fit || !this.draftInView())) { this.fitTo(); }
    if (this.polygonError) { this.say(this.polygonError, true); }
    this.scheduleCoverage();
  };

  /* Whether the whole drawing is in view (a zone typed or pasted elsewhere is brought into view). */
  RetraceMap.prototype.draftInView = function () {
    var view = this.map.getBounds(), inside = true;
    this.draftLayer.eachLayer(function (layer) {
      var box = layer.getBounds ? layer.getBounds() : L.latLngBounds([layer.getLatLng()]);
      if (!view.contains(box)) { inside = false; }
    });
    return inside;
  };

  RetraceMap.prototype.drawDraft = function () {
    this.draftLayer.clearLayers();
    var style = { color: COLOUR.zone, weight: 3, fillColor: COLOUR.zone, fillOpacity: 0.15, interactive: false };
    if (this.points.length >= 3) {
      L.polygon(this.points, style).addTo(this.draftLayer);
    } else if (this.points.length) {
      L.polyline(this.points, { color: COLOUR.zone, weight: 3, dashArray: "4 4", interactive: false }).addTo(this.draftLayer);
    }
    this.points.forEach(function (p) {
      L.circleMarker(p, { radius: 4, color: COLOUR.zone, fillColor: "#fff", fillOpacity: 1, weight: 2, interactive: false }).addTo(this.draftLayer);
    }, this);
    var centre = this.circleCentre(), radius = this.circleRadius();
    if (centre) {
      L.circleMarker(centre, { radius: 4, color: COLOUR.zone, fillColor: COLOUR.zone, fillOpacity: 1, interactive: false }).addTo(this.draftLayer);
      if (radius) { L.circle(centre, L.extend({ radius: radius }, style)).addTo(this.draftLayer); }
    }
  };

  RetraceMap.prototype.summary = function () {
    if (this.points.length >= 3) { return "Polygon of " + this.points.length + " corners drawn."; }
    var centre = this.circleCentre(), radius = this.circleRadius();
    if (centre && radius) { return "Circle of " + radius + " m drawn."; }
    return "Nothing drawn yet.";
  };

  /* What the drawing covers: asked of the server, which applies the matching's own rule. */
  RetraceMap.prototype.draftBody = function () {
    var body = {};
    var kind = this.inputs.kind ? this.inputs.kind.value : "";
    if (kind) { body.kind = kind; }
    if (this.inputs.polygon && this.inputs.polygon.value.trim() && !this.polygonError) {
      body.polygon = parsePolygon(this.inputs.polygon.value);
    }
    var centre = this.circleCentre(), radius = num(this.inputs.radius && this.inputs.radius.value);
    if (centre || radius !== null) {
      body.circle = { latitude: centre ? centre.lat : null, longitude: centre ? centre.lng : null, radius_m: radius };
    }
    if (this.inputs.retailer && this.inputs.retailer.value && (!kind || kind === "retailer_area")) {
      body.retailer = parseInt(this.inputs.retailer.value, 10);
    }
    if (this.inputs.beats && (!kind || kind === "retailer_area")) {
      var beats = this.inputs.beats.tagName === "SELECT"
        ? Array.prototype.map.call(this.inputs.beats.selectedOptions, function (o) { return o.value; })
        : Array.prototype.map.call(this.inputs.beats.querySelectorAll("input:checked"), function (i) { return i.value; });
      body.beats = beats.map(function (v) { return parseInt(v, 10); }).filter(function (v) { return !isNaN(v); });
    }
    return body;
  };

  RetraceMap.prototype.scheduleCoverage = function () {
    if (this.mode !== "draw") { return; }
    var self = this;
    clearTimeout(this.coverageTimer);
    this.coverageTimer = setTimeout(function () { self.coverage(); }, 250);
  };

  RetraceMap.prototype.coverage = function () {
    var self = this;
    var body = this.draftBody();
    var kind = body.kind;
    if (kind === "premises") { this.markCovered([]); this.showCovered([], "Named premises: the stores chosen are those covered."); return; }
    if (!body.polygon && !body.circle && !(body.beats && body.beats.length)) {
      this.markCovered([]);
      this.showCovered([], this.polygonError ? "Fix the polygon to see the stores it covers." : "Draw a zone to see the stores it covers.");
      return;
    }
    var seq = ++this.coverageSeq;
    fetch(this.block.getAttribute("data-coverage-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": this.block.getAttribute("data-csrf") },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (result) { return { ok: response.ok, result: result }; });
    }).then(function (answer) {
      if (seq !== self.coverageSeq) { return; }  // a later drawing has been sent since
      if (!answer.ok) {
        self.markCovered([]);
        self.showCovered([], answer.result.message || "The zone could not be checked.");
        self.say(answer.result.message || "The zone could not be checked.", true);
        return;
      }
      self.markCovered(answer.result.stores);
      self.showCovered(answer.result.stores);
      var n = answer.result.count;
      self.say(self.summary() + " It covers " + n + (n === 1 ? " store." : " stores."));
    }).catch(function () {
      if (seq === self.coverageSeq) { self.showCovered([], "The stores covered could not be checked: try again."); }
    });
  };

  RetraceMap.prototype.markCovered = function (stores) {
    var ids = {};
    stores.forEach(function (s) { ids[s.id] = true; });
    var self = this;
    this.stores.forEach(function (s) {
      s.covered = !!ids[s.id];
      var marker = self.markers[s.id];
      if (marker) {
        marker.setStyle(self.storeStyle(s.covered));
        marker.setTooltipContent(storeLabel(s) + (s.covered ? " (covered)" : ""));
        if (s.covered) { marker.bringToFront(); }
      }
    });
  };

  RetraceMap.prototype.pick = function (latlng) {
    this.write("lat", round6(latlng.lat).toFixed(6));
    this.write("lng", round6(latlng.lng).toFixed(6));
    this.pickFromInputs(false);
    this.say("Location set to " + round6(latlng.lat).toFixed(6) + ", " + round6(latlng.lng).toFixed(6) + ". Save to keep it.");
  };

  RetraceMap.prototype.pickFromInputs = function (fit) {
    this.draftLayer.clearLayers();
    var point = this.circleCentre();
    if (!point) { if (fit) { this.fitTo(); } return; }
    L.circleMarker(point, { pane: "retrace-stores", radius: 9, color: "#fff", weight: 3, fillColor: COLOUR.pick, fillOpacity: 1 })
      .bindTooltip("This store").addTo(this.draftLayer);
    if (fit) { this.map.setView(point, 16); }
  };

  function initAll() {
    document.querySelectorAll("[data-retrace-map]").forEach(function (block) {
      if (block.retraceMap || typeof L === "undefined") { return; }
      block.retraceMap = new RetraceMap(block);
    });
  }

  window.RetraceMaps = { initAll: initAll, parsePolygon: parsePolygon };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initAll);
  } else {
    initAll();
  }
})();
