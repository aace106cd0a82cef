// The places map, drawn offline: Natural Earth country outlines (npm world-atlas, served by the
// app) projected with d3-geo into an SVG; a dot per place with a point, and a ring for its
// radius where the ring is larger than the dot. No tile service, no request leaves the app.
"use strict";
(function () {
  var SVG = "http://www.w3.org/2000/svg";
  var EARTH_RADIUS_M = 6371008.8;

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) { parent.appendChild(node); }
    return node;
  }

  function draw(svg, atlas) {
    var points = JSON.parse(svg.dataset.points || "[]");
    var focus = JSON.parse(svg.dataset.focus || "[]");
    var width = svg.clientWidth || 800, height = svg.clientHeight || 380;
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    var countries = window.topojson.feature(atlas, atlas.objects.countries);
    var chosen = countries.features.filter(function (f) { return focus.indexOf(f.id) >= 0; });
    var around = points.length ? { type: "FeatureCollection", features: points.map(function (p) {
      return { type: "Feature", geometry: { type: "Point", coordinates: [p.lon, p.lat] } }; }) } : null;
    var frame = chosen.length ? { type: "FeatureCollection", features: chosen } : null;
    var projection = window.d3.geoNaturalEarth1();
    if (frame && points.length) {
      frame = { type: "FeatureCollection", features: chosen.concat(around.features) };
    }
    projection.fitExtent([[12, 12], [width - 12, height - 12]], frame || around || countries);
    if (!frame && points.length === 1) {  // one point and no country: a region around it
      projection.scale(projection.scale() > 2000 ? 2000 : projection.scale());
    }
    var path = window.d3.geoPath(projection);
    var land = el("g", { "class": "countries" }, svg);
    countries.features.forEach(function (f) {
      var shape = el("path", { d: path(f) || "", "class": "country" + (focus.indexOf(f.id) >= 0 ? " focus" : "") }, land);
      el("title", {}, shape).textContent = f.properties.name;
    });
    var marks = el("g", { "class": "markers" }, svg);
    points.forEach(function (p) {
      var link = el("a", { href: "/places/" + p.id }, marks);
      if (p.radius_m) {
        var ring = window.d3.geoCircle().center([p.lon, p.lat])
          .radius(p.radius_m / EARTH_RADIUS_M * 180 / Math.PI)();
        var d = path(ring);
        if (d) { el("path", { d: d, "class": "ring" }, link); }
      }
      var at = projection([p.lon, p.lat]);
      var dot = el("circle", { cx: at[0], cy: at[1], r: 5, "class": "marker", "data-place": p.id }, link);
      el("title", {}, dot).textContent = p.label + " (" + p.owner + ")";
    });
    svg.dataset.countries = String(countries.features.length);
    svg.dataset.markers = String(points.length);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var svg = document.getElementById("places-map");
    if (!svg) { return; }
    if (!window.d3 || !window.d3.geoPath || !window.topojson) {
      svg.parentNode.querySelector("figcaption").textContent =
        "The map library is not installed here (run make demo); the list says the same.";
      return;
    }
    fetch("/vendor/countries.json").then(function (r) { return r.json(); })
      .then(function (atlas) { draw(svg, atlas); });
  });
})();
