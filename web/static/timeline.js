/* The timeline: events on an SVG time axis (by their earliest date) and, below it, a list by
 * year whose entries link to the events, their places, subjects and participants. */
(function () {
  "use strict";
  var root = document.getElementById("timeline");
  if (!root) return;
  var SVG_NS = "http://www.w3.org/2000/svg";
  var axis = document.getElementById("timeline-axis");
  var list = document.getElementById("timeline-list");
  var status = document.getElementById("timeline-status");
  var siteRoot = root.dataset.siteRoot || "";
  // One colour per event type of the ontology's scheme (cakg:EventTypes).
  var COLOURS = {
    "negotiation launch": "#9467bd", "conclusion of negotiations": "#c5b0d5",
    "substantial conclusion of negotiations": "#c5b0d5", "signing": "#d62728",
    "ratification": "#ff9896", "entry into force": "#17becf",
    "full implementation": "#8c564b", "upgrade": "#e377c2", "anniversary": "#bcbd22",
    "summit": "#2ca02c", "press conference": "#1f77b4", "plenary session": "#98df8a",
    "talks": "#ff7f0e", "meeting": "#aec7e8"
  };

  function legend(events) {
    var box = document.getElementById("timeline-legend");
    var seen = {};
    events.forEach(function (e) { if (e.type) seen[e.type] = true; });
    Object.keys(seen).sort().forEach(function (type) {
      var item = document.createElement("span");
      item.className = "legend-item";
      var swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = COLOURS[type] || "#7f7f7f";
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(" " + type));
      box.appendChild(item);
    });
  }

  function svg(name, attributes, parent) {
    var node = document.createElementNS(SVG_NS, name);
    Object.keys(attributes).forEach(function (k) { node.setAttribute(k, attributes[k]); });
    parent.appendChild(node);
    return node;
  }

  function link(item) {
    var a = document.createElement("a");
    a.href = item.path.charAt(0) === "/" ? siteRoot + item.path : item.path;
    a.textContent = item.label;
    return a;
  }

  function anchor(event) { return "event-" + event.path.replace(/[^A-Za-z0-9]+/g, "-"); }

  function day(text) {
    var parts = (text || "").split("-").map(Number);
    if (!parts[0]) return null;
    return Date.UTC(parts[0], (parts[1] || 1) - 1, parts[2] || 1);
  }

  function drawAxis(events) {
    var dated = events.filter(function (e) { return day(e.earliest || e.date) !== null; });
    var width = axis.clientWidth || 900, rowHeight = 16;
    if (!dated.length) { axis.style.display = "none"; return; }
    var first = new Date(day(dated[0].earliest || dated[0].date)).getUTCFullYear();
    var last = new Date(day(dated[dated.length - 1].earliest || dated[dated.length - 1].date)).getUTCFullYear() + 1;
    var start = Date.UTC(first, 0, 1), end = Date.UTC(last, 0, 1);
    var x = function (t) { return 30 + ((t - start) / (end - start)) * (width - 60); };
    var rows = [];
    dated.forEach(function (e) {
      var px = x(day(e.earliest || e.date)), row = 0;
      while (rows[row] !== undefined && px - rows[row] < 14) row += 1;
      rows[row] = px;
      e._x = px; e._row = row;
    });
    var height = 50 + rows.length * rowHeight;
    axis.setAttribute("viewBox", "0 0 " + width + " " + height);
    axis.setAttribute("height", height);
    var base = height - 25;
    svg("line", {x1: 30, x2: width - 30, y1: base, y2: base, class: "axis-line"}, axis);
    var step = Math.max(1, Math.ceil((last - first) / 12));
    for (var year = first; year <= last; year += step) {
      var tx = x(Date.UTC(year, 0, 1));
      svg("line", {x1: tx, x2: tx, y1: base, y2: base + 5, class: "axis-line"}, axis);
      var label = svg("text", {x: tx, y: base + 18, class: "axis-label", "text-anchor": "middle"}, axis);
      label.textContent = year;
    }
    dated.forEach(function (e) {
      var a = document.createElementNS(SVG_NS, "a");
      a.setAttribute("href", "#" + anchor(e));
      axis.appendChild(a);
      var dot = svg("circle", {cx: e._x, cy: base - 10 - e._row * rowHeight, r: 6,
                               class: "event-dot" + (e.status === "planned" ? " planned" : ""),
                               fill: COLOURS[e.type] || "#7f7f7f", "data-id": e.id}, a);
      var title = document.createElementNS(SVG_NS, "title");
      title.textContent = (e.date || e.earliest) + " — " + e.label;
      dot.appendChild(title);
    });
  }

  function drawList(events) {
    var year = null, group = null;
    events.forEach(function (e) {
      var y = e.year || "undated";
      if (y !== year) {
        year = y;
        var li = document.createElement("li");
        li.className = "timeline-year";
        var h = document.createElement("h2");
        h.textContent = y;
        li.appendChild(h);
        group = document.createElement("ol");
        li.appendChild(group);
        list.appendChild(li);
      }
      var item = document.createElement("li");
      item.className = "timeline-event";
      item.id = anchor(e);
      item.dataset.id = e.id;
      var when = document.createElement("time");
      when.dateTime = e.earliest || e.date;
      when.textContent = (e.date || e.earliest) + (e.date_text ? " (“" + e.date_text + "”)" : "");
      item.appendChild(when);
      var title = document.createElement("div");
      title.className = "timeline-title";
      title.appendChild(link({path: e.path, label: e.label}));
      if (e.type) {
        var type = document.createElement("span");
        type.className = "event-type";
        type.style.borderColor = COLOURS[e.type] || "#7f7f7f";
        type.textContent = e.type + (e.status === "planned" ? ", planned" : "");
        title.appendChild(type);
      }
      item.appendChild(title);
      [["at", e.places], ["about", e.about], ["with", e.participants]].forEach(function (pair) {
        if (!pair[1].length) return;
        var line = document.createElement("div");
        line.className = "timeline-detail";
        line.appendChild(document.createTextNode(pair[0] + " "));
        pair[1].forEach(function (entity, i) {
          if (i) line.appendChild(document.createTextNode(", "));
          line.appendChild(link(entity));
          if (entity.roles && entity.roles.length) {
            line.appendChild(document.createTextNode(" (" + entity.roles.join(", ") + ")"));
          }
        });
        item.appendChild(line);
      });
      if (e.sources.length) {
        var sources = document.createElement("div");
        sources.className = "timeline-sources";
        sources.textContent = "sources: " + e.sources.join(", ");
        item.appendChild(sources);
      }
      group.appendChild(item);
    });
  }

  fetch(root.dataset.url, {headers: {Accept: "application/json"}})
    .then(function (response) {
      if (!response.ok) return response.json().then(function (b) { throw new Error(b.error.message); });
      return response.json();
    })
    .then(function (json) {
      drawAxis(json.events);
      legend(json.events);
      drawList(json.events);
      status.textContent = json.events.length + " events";
      status.dataset.events = json.events.length;
    })
    .catch(function (error) { status.textContent = "The events could not be loaded: " + error.message; });
})();
