/* A small force-directed graph drawing in SVG: pan, zoom, hover, click. No libraries.
 *
 * CakgGraph.draw(svg, data, options) draws data = {nodes: [{id, label, color, size, path,
 * ...}], edges: [{source, target, label, dashed}]} and returns a handle with
 * setVisible(predicate), highlight(predicate), focus(id), resize(measure) and stop().
 * The layout is deterministic (nodes start on a circle in the order given).
 */
(function () {
  "use strict";
  var SVG_NS = "http://www.w3.org/2000/svg";

  function el(name, attributes, parent) {
    var node = document.createElementNS(SVG_NS, name);
    Object.keys(attributes || {}).forEach(function (key) {
      node.setAttribute(key, attributes[key]);
    });
    if (parent) parent.appendChild(node);
    return node;
  }

  function layout(allNodes, edges, width, height, iterations, gravity, spread) {
    // Nodes without links go in rows along the bottom; the others are laid out above them
    // by Fruchterman–Reingold with a cooling schedule and a pull towards the centre.
    var linked = {};
    edges.forEach(function (edge) {
      if (edge.source !== edge.target) { linked[edge.source] = true; linked[edge.target] = true; }
    });
    var isolated = allNodes.filter(function (node) { return !linked[node.id]; });
    var nodes = allNodes.filter(function (node) { return linked[node.id]; });
    var cell = 150, perRow = Math.max(1, Math.floor((width - 40) / cell));
    var rows = Math.ceil(isolated.length / perRow);
    height = Math.max(height - rows * 30 - (rows ? 20 : 0), height * 0.5);
    var n = nodes.length;
    var area = width * height;
    var k = Math.sqrt(area / Math.max(n, 1)) * (spread || 0.6);
    var index = {};
    allNodes.forEach(function (node) { index[node.id] = node; });
    nodes.forEach(function (node, i) {
      var angle = (2 * Math.PI * i) / Math.max(n, 1);
      var radius = Math.min(width, height) * 0.35;
      node.x = width / 2 + radius * Math.cos(angle);
      node.y = height / 2 + radius * Math.sin(angle);
      index[node.id] = node;
    });
    var links = edges
      .map(function (edge) { return [index[edge.source], index[edge.target]]; })
      .filter(function (pair) { return pair[0] && pair[1] && pair[0] !== pair[1]; });
    // The repulsion is quadratic: fewer steps for big graphs keep the page responsive.
    iterations = Math.max(40, Math.min(iterations, Math.floor(4e7 / Math.max(n * n, 1))));
    var temperature = width / 8;
    gravity = gravity || 0.06;
    for (var step = 0; step < iterations; step++) {
      nodes.forEach(function (node) { node.dx = 0; node.dy = 0; });
      for (var i = 0; i < n; i++) {
        for (var j = i + 1; j < n; j++) {
          var a = nodes[i], b = nodes[j];
          var dx = a.x - b.x, dy = a.y - b.y;
          var distance = Math.max(Math.sqrt(dx * dx + dy * dy), 0.01);
          var force = (k * k) / distance;
          a.dx += (dx / distance) * force; a.dy += (dy / distance) * force;
          b.dx -= (dx / distance) * force; b.dy -= (dy / distance) * force;
        }
      }
      links.forEach(function (pair) {
        var a = pair[0], b = pair[1];
        var dx = a.x - b.x, dy = a.y - b.y;
        var distance = Math.max(Math.sqrt(dx * dx + dy * dy), 0.01);
        var force = (distance * distance) / k;
        a.dx -= (dx / distance) * force; a.dy -= (dy / distance) * force;
        b.dx += (dx / distance) * force; b.dy += (dy / distance) * force;
      });
      nodes.forEach(function (node) {
        // Gravity keeps components that are not linked to the rest near the middle.
        node.dx += (width / 2 - node.x) * gravity * k / 10;
        node.dy += (height / 2 - node.y) * gravity * k / 10;
        var length = Math.max(Math.sqrt(node.dx * node.dx + node.dy * node.dy), 0.01);
        var move = Math.min(length, temperature);
        node.x += (node.dx / length) * move;
        node.y += (node.dy / length) * move;
      });
      temperature = Math.max(temperature * 0.97, 0.5);
    }
    var bottom = nodes.length ? Math.max.apply(null, nodes.map(function (nd) { return nd.y; })) : 0;
    var left = nodes.length ? Math.min.apply(null, nodes.map(function (nd) { return nd.x; })) : 0;
    isolated.forEach(function (node, i) {
      node.x = Math.max(left, 20) + cell / 2 + (i % perRow) * cell;
      node.y = bottom + 40 + Math.floor(i / perRow) * 30;
    });
  }

  function draw(svg, data, options) {
    options = options || {};
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var width = svg.clientWidth || 900, height = svg.clientHeight || 600;
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    var defs = el("defs", {}, svg);
    var marker = el("marker", {id: "arrow", viewBox: "0 0 10 10", refX: "10", refY: "5",
                               markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse"}, defs);
    el("path", {d: "M 0 0 L 10 5 L 0 10 z", class: "arrow-head"}, marker);
    var viewport = el("g", {class: "viewport"}, svg);
    var edgeLayer = el("g", {class: "edges"}, viewport);
    var labelLayer = el("g", {class: "edge-labels"}, viewport);
    var nodeLayer = el("g", {class: "nodes"}, viewport);

    var nodes = data.nodes.map(function (node) { return Object.assign({}, node); });
    var byId = {};
    nodes.forEach(function (node) { byId[node.id] = node; });
    var edges = data.edges.filter(function (e) { return byId[e.source] && byId[e.target]; });
    layout(nodes, edges, width, height, options.iterations || 300, options.gravity, options.spread);

    var sizeOf = options.size || function (node) { return node.size || 10; };
    edges.forEach(function (edge) {
      var a = byId[edge.source], b = byId[edge.target];
      edge.line = el("line", {class: "edge" + (edge.dashed ? " dashed" : ""),
                              "data-source": edge.source, "data-target": edge.target}, edgeLayer);
      if (options.arrows) edge.line.setAttribute("marker-end", "url(#arrow)");
      var title = el("title", {}, edge.line);
      title.textContent = (a.label || a.id) + " — " + (edge.label || "") + " — " + (b.label || b.id) +
        (edge.evidence && edge.evidence.length ? "\n“" + edge.evidence[0] + "”" : "");
      if (options.edgeLabels && edge.label && !edge.dashed) {
        edge.text = el("text", {class: "edge-label"}, labelLayer);
        edge.text.textContent = edge.label;
      }
    });
    nodes.forEach(function (node) {
      node.g = el("g", {class: "node", "data-id": node.id, tabindex: "0", role: "link"}, nodeLayer);
      node.g.setAttribute("aria-label", node.label || node.id);
      if (options.boxes) {
        node.shape = el("rect", {class: "node-box", fill: node.color || "#999"}, node.g);
      } else {
        node.shape = el("circle", {fill: node.color || "#999"}, node.g);
      }
      node.text = el("text", {class: "node-label", dy: "0.35em"}, node.g);
      node.text.textContent = node.label || node.id;
      var title = el("title", {}, node.g);
      title.textContent = (options.describe || function (n) { return n.label; })(node);
    });

    function place() {
      nodes.forEach(function (node) {
        var r = sizeOf(node) / 2;
        if (options.boxes) {
          var w = Math.max(node.text.getComputedTextLength ? node.text.getComputedTextLength() + 12 : 80, 40);
          node.shape.setAttribute("x", node.x - w / 2);
          node.shape.setAttribute("y", node.y - 11);
          node.shape.setAttribute("width", w);
          node.shape.setAttribute("height", 22);
          node.text.setAttribute("x", node.x);
          node.text.setAttribute("text-anchor", "middle");
          node.w = w; node.h = 22;
        } else {
          node.shape.setAttribute("cx", node.x);
          node.shape.setAttribute("cy", node.y);
          node.shape.setAttribute("r", r);
          node.text.setAttribute("x", node.x + r + 3);
        }
        node.text.setAttribute("y", node.y);
      });
      edges.forEach(function (edge) {
        var a = byId[edge.source], b = byId[edge.target];
        var end = options.boxes ? boxEdge(b, a) : {x: b.x, y: b.y};
        edge.line.setAttribute("x1", a.x); edge.line.setAttribute("y1", a.y);
        edge.line.setAttribute("x2", end.x); edge.line.setAttribute("y2", end.y);
        if (edge.text) {
          edge.text.setAttribute("x", (a.x + b.x) / 2);
          edge.text.setAttribute("y", (a.y + b.y) / 2);
        }
      });
    }

    function boxEdge(box, from) {
      // Where the line from `from` to the centre of `box` meets the box's border.
      var dx = from.x - box.x, dy = from.y - box.y;
      var w = (box.w || 60) / 2, h = (box.h || 22) / 2;
      if (dx === 0 && dy === 0) return {x: box.x, y: box.y};
      var scale = 1 / Math.max(Math.abs(dx) / w, Math.abs(dy) / h);
      return {x: box.x + dx * scale, y: box.y + dy * scale};
    }
    place();

    // Pan and zoom: the viewport's transform.
    var view = {x: 0, y: 0, k: 1};
    function apply() {
      viewport.setAttribute("transform", "translate(" + view.x + "," + view.y + ") scale(" + view.k + ")");
    }
    function fit() {
      // Centre the drawing and zoom out if it is larger than the frame.
      if (!nodes.length) return;
      var xs = nodes.map(function (n) { return n.x; }), ys = nodes.map(function (n) { return n.y; });
      var left = options.boxes ? 110 : 40, right = options.boxes ? 110 : 160;
      var x0 = Math.min.apply(null, xs) - left, x1 = Math.max.apply(null, xs) + right;
      var y0 = Math.min.apply(null, ys) - 40, y1 = Math.max.apply(null, ys) + 40;
      view.k = Math.min(1, width / (x1 - x0), height / (y1 - y0));
      view.x = (width - (x1 - x0) * view.k) / 2 - x0 * view.k;
      view.y = (height - (y1 - y0) * view.k) / 2 - y0 * view.k;
      apply();
    }
    fit();
    function point(event) {
      var rect = svg.getBoundingClientRect();
      return {x: (event.clientX - rect.left) * (width / rect.width),
              y: (event.clientY - rect.top) * (height / rect.height)};
    }
    svg.addEventListener("wheel", function (event) {
      event.preventDefault();
      var p = point(event);
      var factor = event.deltaY < 0 ? 1.15 : 1 / 1.15;
      var k = Math.min(Math.max(view.k * factor, 0.2), 8);
      view.x = p.x - ((p.x - view.x) * k) / view.k;
      view.y = p.y - ((p.y - view.y) * k) / view.k;
      view.k = k;
      apply();
    }, {passive: false});
    var drag = null;
    svg.addEventListener("pointerdown", function (event) {
      drag = {start: point(event), x: view.x, y: view.y, moved: false};
    });
    svg.addEventListener("pointermove", function (event) {
      if (!drag) return;
      var p = point(event);
      var dx = p.x - drag.start.x, dy = p.y - drag.start.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
      if (drag.moved) {
        view.x = drag.x + dx; view.y = drag.y + dy; apply();
        svg.classList.add("panning");
      }
    });
    function endDrag() {
      setTimeout(function () { drag = null; }, 0);
      svg.classList.remove("panning");
    }
    svg.addEventListener("pointerup", endDrag);
    svg.addEventListener("pointerleave", endDrag);

    nodes.forEach(function (node) {
      function open() {
        if (options.onOpen) options.onOpen(node);
      }
      node.g.addEventListener("click", function (event) {
        if (drag && drag.moved) return;
        event.stopPropagation();
        open();
      });
      node.g.addEventListener("keydown", function (event) {
        if (event.key === "Enter") open();
      });
      node.g.addEventListener("mouseenter", function () {
        if (options.onHover) options.onHover(node);
        edges.forEach(function (edge) {
          if (edge.source === node.id || edge.target === node.id) edge.line.classList.add("lit");
        });
      });
      node.g.addEventListener("mouseleave", function () {
        if (options.onHover) options.onHover(null);
        edges.forEach(function (edge) { edge.line.classList.remove("lit"); });
      });
    });

    return {
      nodes: nodes,
      edges: edges,
      setVisible: function (visible) {
        nodes.forEach(function (node) {
          node.hidden = !visible(node);
          node.g.style.display = node.hidden ? "none" : "";
        });
        var shown = 0;
        edges.forEach(function (edge) {
          var hide = byId[edge.source].hidden || byId[edge.target].hidden;
          edge.line.style.display = hide ? "none" : "";
          if (edge.text) edge.text.style.display = hide ? "none" : "";
          if (!hide) shown += 1;
        });
        return {nodes: nodes.filter(function (n) { return !n.hidden; }).length, edges: shown};
      },
      highlight: function (match) {
        var any = false;
        nodes.forEach(function (node) {
          var hit = match ? match(node) : false;
          node.g.classList.toggle("match", hit);
          if (hit) nodeLayer.appendChild(node.g);  // found nodes are drawn on top
          any = any || hit;
        });
        svg.classList.toggle("searching", any);
        return nodes.filter(function (node) { return node.g.classList.contains("match"); });
      },
      focus: function (id) {
        var node = byId[id];
        if (!node) return;
        view.k = Math.max(view.k, 1.5);
        view.x = width / 2 - node.x * view.k;
        view.y = height / 2 - node.y * view.k;
        apply();
      },
      fit: fit,
      showPath: function (ids) {
        // Mark the nodes of a path and the edges between consecutive ones.
        var on = {}, pairs = {};
        ids.forEach(function (id, i) {
          on[id] = true;
          if (i) { pairs[ids[i - 1] + "\n" + id] = true; pairs[id + "\n" + ids[i - 1]] = true; }
        });
        nodes.forEach(function (node) { node.g.classList.toggle("on-path", !!on[node.id]); });
        edges.forEach(function (edge) {
          edge.line.classList.toggle("on-path", !!pairs[edge.source + "\n" + edge.target]);
        });
        svg.classList.toggle("pathing", ids.length > 0);
      },
      recolour: function (colour) {
        nodes.forEach(function (node) { node.shape.setAttribute("fill", colour(node)); });
      },
      resize: function (measure) {
        sizeOf = measure;
        place();
      }
    };
  }

  window.CakgGraph = {draw: draw, layout: layout};
})();
