/* kg graph view: draws the data of kg/view/data.py with vis-network.
 *
 * Offline and inert: the data arrives as JSON text and every string from it is put into the
 * page with textContent (never innerHTML), so a document containing <script> shows it as text.
 * KGView.mount(root, data) builds the toolbar, legend, canvas and details panel inside root.
 */
(function (global) {
  'use strict';

  var FONT = '"Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", Meiryo, sans-serif';

  var TEXT = {
    ja: {
      search: '名前・別名・よみで検索', document: '文書', allDocuments: 'すべての文書',
      confidence: '確信度', showOther: '否定・推量・未対応の文も表示', classes: 'クラス',
      relations: '関係', edgeKinds: '線の種類', asserted: '断定', negated: '否定', hedged: '推量・予定',
      unasserted: '直接の三つ組なし', noMatch: '該当なし',
      shown: '{n} / {total} 件のエンティティ、{e} 本の関係を表示',
      capped: '接続の多い上位 {n} 件を表示中(全 {total} 件)。ノードをクリックすると隣接ノードを展開します。',
      showAll: 'すべて表示', aliases: '別名', readings: '読み', cls: 'クラス', iri: 'IRI',
      mentions: '言及', documents: '文書', facts: '事実', noFacts: '直接の事実はありません',
      notAsserted: '断定されていない文', mentionedIn: '言及箇所', rule: '規則',
      attributedTo: '出典・発言者', hiddenByFilters: '(現在のフィルターでは非表示)', empty: 'このグラフにはエンティティがありません',
      expand: '隣接ノードをさらに {n} 件表示', fact: '事実', language: '表示言語'
    },
    en: {
      search: 'Search label, alias or reading', document: 'Document', allDocuments: 'All documents',
      confidence: 'Confidence', showOther: 'Show negated, hedged and unmapped statements', classes: 'Classes',
      relations: 'Relations', edgeKinds: 'Edges', asserted: 'asserted', negated: 'negated', hedged: 'hedged',
      unasserted: 'no direct triple', noMatch: 'No match',
      shown: 'Showing {n} of {total} entities and {e} relations',
      capped: 'Showing the {n} most connected of {total} entities. Click a node to expand its neighbours.',
      showAll: 'Show all', aliases: 'Aliases', readings: 'Readings', cls: 'Class', iri: 'IRI',
      mentions: 'Mentions', documents: 'Documents', facts: 'Facts', noFacts: 'No direct facts',
      notAsserted: 'Statements not asserted', mentionedIn: 'Mentioned in', rule: 'rule',
      attributedTo: 'attributed to', hiddenByFilters: '(hidden by the current filters)', empty: 'This graph has no entities',
      expand: 'Show {n} more neighbours', fact: 'Fact', language: 'Labels'
    }
  };

  var KIND_STYLE = {
    asserted: { color: '#7a7a7a', dashes: false },
    negated: { color: '#d62728', dashes: [8, 5] },
    hedged: { color: '#e08a00', dashes: [3, 4] },
    unasserted: { color: '#b0b0b0', dashes: [1, 5] }
  };
  var KINDS = ['asserted', 'negated', 'hedged', 'unasserted'];
  var OTHER_COLOUR = '#9e9e9e';
  var LARGE = 400;   // above this many entities drawn: no hover effects, edges hidden while dragging

  /* The form search compares (kg/view/data.py search_key does the same): NFKC, hiragana as
   * katakana, lower case, no spaces or middle dots. */
  function searchKey(s) {
    return String(s).normalize('NFKC')
      .replace(/[\u3041-\u3096]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) + 0x60); })
      .toLowerCase()
      .replace(/[\s\u30fb\u00b7=\uff1d]+/g, '');
  }

  /* A force-directed layout (Fruchterman-Reingold with grid-limited repulsion) over typed
   * arrays: O(nodes + links) per step, so 2,000 nodes settle in a fraction of a second where
   * vis-network's own physics needs many seconds. Deterministic: nodes start on a spiral in
   * breadth-first order from the hubs, so linked nodes start near each other.
   * ``sizes`` are node radii; ``start`` optional known positions {i: {x, y}} (kept as the start).
   * Returns {x: Float64Array, y: Float64Array}. */
  var NEIGHBOURS = [[0, 0], [1, -1], [1, 0], [1, 1], [0, 1]];

  function forceLayout(n, links, sizes, start, steps) {
    var K = 90, x = new Float64Array(n), y = new Float64Array(n), dx = new Float64Array(n), dy = new Float64Array(n);
    var adj = [], deg = new Int32Array(n), i, j, a, b;
    for (i = 0; i < n; i++) adj.push([]);
    links.forEach(function (l) { adj[l[0]].push(l[1]); adj[l[1]].push(l[0]); deg[l[0]]++; deg[l[1]]++; });
    var byDeg = Array.from({ length: n }, function (_, k) { return k; }).sort(function (p, q) { return deg[q] - deg[p] || p - q; });
    var seen = new Uint8Array(n), order = [];
    byDeg.forEach(function (root) {
      if (seen[root]) return;
      seen[root] = 1;
      var queue = [root];
      for (var h = 0; h < queue.length; h++) {
        order.push(queue[h]);
        adj[queue[h]].slice().sort(function (p, q) { return deg[q] - deg[p] || p - q; }).forEach(function (m) {
          if (!seen[m]) { seen[m] = 1; queue.push(m); }
        });
      }
    });
    order.forEach(function (v, k) {
      if (start && start[v]) { x[v] = start[v].x; y[v] = start[v].y; return; }
      var r = K * 0.7 * Math.sqrt(k + 0.5), t = k * 2.399963;
      x[v] = r * Math.cos(t); y[v] = r * Math.sin(t);
    });
    var cell = 2 * K, temp = start ? K : K * Math.sqrt(n) / 3, cool = Math.pow(0.02, 1 / Math.max(steps, 1));
    var gravity = 0.03;
    for (var step = 0; step < steps; step++) {
      dx.fill(0); dy.fill(0);
      // repulsion between nodes less than a cell apart: each pair once, from its own cell and
      // four of the eight neighbouring cells
      var grid = new Map(), cells = [];
      for (i = 0; i < n; i++) {
        var cx = Math.floor(x[i] / cell), cy = Math.floor(y[i] / cell), key = cx * 100003 + cy;
        var bucket = grid.get(key);
        if (!bucket) { bucket = { cx: cx, cy: cy, items: [] }; grid.set(key, bucket); cells.push(bucket); }
        bucket.items.push(i);
      }
      for (var c = 0; c < cells.length; c++) {
        var here = cells[c].items;
        for (var q = 0; q < NEIGHBOURS.length; q++) {
          var near = q === 0 ? cells[c] : grid.get((cells[c].cx + NEIGHBOURS[q][0]) * 100003 + cells[c].cy + NEIGHBOURS[q][1]);
          if (!near) continue;
          var there = near.items;
          for (var u = 0; u < here.length; u++) {
            i = here[u];
            for (var w = q === 0 ? u + 1 : 0; w < there.length; w++) {
              j = there[w];
              var ddx = x[i] - x[j], ddy = y[i] - y[j], d2 = ddx * ddx + ddy * ddy;
              if (d2 > cell * cell) continue;
              if (d2 < 0.01) { ddx = 0.1 * (i - j); ddy = 0.1; d2 = ddx * ddx + ddy * ddy; }
              var room = K + sizes[i] + sizes[j];
              var f = room * room / d2;
              dx[i] += ddx * f; dy[i] += ddy * f; dx[j] -= ddx * f; dy[j] -= ddy * f;
            }
          }
        }
      }
      for (var l = 0; l < links.length; l++) {
        a = links[l][0]; b = links[l][1];
        var lx = x[a] - x[b], ly = y[a] - y[b], d = Math.sqrt(lx * lx + ly * ly) + 0.01, g = d / (1.5 * K);
        dx[a] -= lx * g; dy[a] -= ly * g; dx[b] += lx * g; dy[b] += ly * g;
      }
      for (i = 0; i < n; i++) {
        dx[i] -= gravity * x[i]; dy[i] -= gravity * y[i];
        var len = Math.sqrt(dx[i] * dx[i] + dy[i] * dy[i]);
        if (len > temp) { dx[i] *= temp / len; dy[i] *= temp / len; }
        x[i] += dx[i]; y[i] += dy[i];
      }
      temp *= cool;
    }
    return { x: x, y: y };
  }

  /* A DOM element; string children become text nodes (never parsed as HTML). */
  function h(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === 'class') node.className = v;
        else if (k === 'text') node.textContent = v;
        else if (k.slice(0, 2) === 'on') node.addEventListener(k.slice(2), v);
        else node.setAttribute(k, v === true ? '' : String(v));
      });
    }
    (function add(items) {
      for (var i = 0; i < items.length; i++) {
        var c = items[i];
        if (c === null || c === undefined || c === false) continue;
        if (Array.isArray(c)) add(c);
        else node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
      }
    })(Array.prototype.slice.call(arguments, 2));
    return node;
  }

  function fmt(s, args) {
    return s.replace(/\{(\w+)\}/g, function (_, k) { return args[k] !== undefined ? String(args[k]) : ''; });
  }

  function View(root, data, opts) {
    this.timings = { start: performance.now() };   // ms since navigation start, for bench/view_bench.py
    this.root = root;
    this.data = data;
    this.opts = opts || {};
    this.lang = data.lang === 'en' ? 'en' : 'ja';
    this.classOn = {};
    this.relOn = {};
    this.minConf = 0;
    this.doc = -1;
    this.showOther = !!data.showOther;
    this.loaded = new Set();
    this.hidden = {};       // vis id -> hidden flag as last sent, to send only changes
    this.ready = false;
    var self = this;
    Object.keys(data.classes).forEach(function (c) { self.classOn[c] = true; });
    Object.keys(data.relations).forEach(function (r) { self.relOn[r] = true; });
    this.adj = data.entities.map(function () { return []; });
    data.edges.forEach(function (e) { self.adj[e.f].push(e.id); if (e.t !== e.f) self.adj[e.t].push(e.id); });
    this.keys = data.entities.map(function (e) {
      return [e.label].concat(e.alt || [], e.read || []).map(searchKey);
    });
    this.build();
    this.start();
  }

  View.prototype.t = function (key, args) {
    var s = TEXT[this.lang][key] || key;
    return args ? fmt(s, args) : s;
  };

  /* ---- layout of the page ---- */

  View.prototype.build = function () {
    var self = this;
    var d = this.data;
    this.searchInput = h('input', { type: 'search', class: 'kg-search-input', 'data-i18n-ph': 'search', autocomplete: 'off',
      oninput: function () { self.runSearch(this.value); },
      onkeydown: function (ev) {
        if (ev.key === 'Enter') { var first = self.results.querySelector('button'); if (first) first.click(); }
        if (ev.key === 'Escape') { self.results.replaceChildren(); }
      } });
    this.results = h('ul', { class: 'kg-results', role: 'listbox' });
    this.docSelect = h('select', { class: 'kg-doc', onchange: function () { self.doc = Number(this.value); self.applyFilters(); } },
      h('option', { value: -1, 'data-i18n': 'allDocuments' }),
      d.docs.map(function (name, i) { return h('option', { value: i, text: name }); }));
    this.confOut = h('output', { class: 'kg-conf-value', text: '0.00' });
    this.confInput = h('input', { type: 'range', min: 0, max: 1, step: 0.05, value: 0, class: 'kg-conf',
      oninput: function () { self.minConf = Number(this.value); self.confOut.textContent = self.minConf.toFixed(2); self.applyFilters(); } });
    this.otherBox = h('input', { type: 'checkbox', class: 'kg-show-other', checked: this.showOther,
      onchange: function () { self.showOther = this.checked; self.applyFilters(); if (self.current) self.current(); } });
    this.langButtons = ['ja', 'en'].map(function (l) {
      return h('button', { type: 'button', class: 'kg-lang-' + l, 'data-lang': l, text: l === 'ja' ? '日本語' : 'English',
        onclick: function () { self.setLang(l); } });
    });
    var bar = h('header', { class: 'kg-bar' },
      h('div', { class: 'kg-search' }, this.searchInput, this.results),
      h('label', null, h('span', { 'data-i18n': 'document' }), ' ', this.docSelect),
      h('label', null, h('span', { 'data-i18n': 'confidence' }), ' ≥ ', this.confInput, this.confOut),
      h('label', null, this.otherBox, ' ', h('span', { 'data-i18n': 'showOther' })),
      h('span', { class: 'kg-lang', role: 'group' }, h('span', { 'data-i18n': 'language' }), ' ', this.langButtons));
    this.status = h('div', { class: 'kg-status', role: 'status' });
    this.legend = h('aside', { class: 'kg-side' });
    this.canvas = h('div', { class: 'kg-canvas' });
    this.panel = h('aside', { class: 'kg-panel', 'aria-live': 'polite' });
    this.root.replaceChildren(h('div', { class: 'kg-view' }, bar, this.status,
      h('div', { class: 'kg-main' }, this.legend, h('div', { class: 'kg-stage' }, this.canvas), this.panel)));
    this.buildLegend();
    this.translate();
  };

  View.prototype.buildLegend = function () {
    var self = this;
    var d = this.data;
    var classCount = {}, relCount = {}, relOther = {};
    d.entities.forEach(function (e) { classCount[e.cls] = (classCount[e.cls] || 0) + 1; });
    d.edges.forEach(function (e) {
      var counts = e.k === 'asserted' ? relCount : relOther;
      counts[e.r] = (counts[e.r] || 0) + 1;
    });
    var classes = Object.keys(d.classes).sort(function (a, b) { return classCount[b] - classCount[a] || (a < b ? -1 : 1); });
    var rels = Object.keys(d.relations).sort(function (a, b) {
      return (relCount[b] || 0) - (relCount[a] || 0) || (relOther[b] || 0) - (relOther[a] || 0) || (a < b ? -1 : 1);
    });
    // a count of edges drawn by default; "+n" are the negated, hedged or unmapped ones
    function item(kind, key, swatch, label, count, other) {
      return h('li', null, h('label', null,
        h('input', { type: 'checkbox', checked: true, ['data-' + kind]: key,
          onchange: function () { (kind === 'cls' ? self.classOn : self.relOn)[key] = this.checked; self.applyFilters(); } }),
        swatch, ' ', label, ' ', h('span', { class: 'kg-count', text: '(' + count + (other ? ' +' + other : '') + ')' })));
    }
    this.classLabels = {};
    this.relLabels = {};
    var classList = h('ul', { class: 'kg-legend-classes' }, classes.map(function (c) {
      var label = h('span', { class: 'kg-class-label' });
      self.classLabels[c] = label;
      return item('cls', c, h('span', { class: 'kg-swatch', style: 'background:' + self.colour(c) }), label, classCount[c], 0);
    }));
    var relList = h('ul', { class: 'kg-legend-relations' }, rels.map(function (r) {
      var label = h('span', { class: 'kg-rel-label' });
      self.relLabels[r] = label;
      return item('rel', r, null, label, relCount[r] || 0, relOther[r] || 0);
    }));
    var kinds = h('ul', { class: 'kg-legend-kinds' }, KINDS.map(function (k) {
      var svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
      svg.setAttribute('width', '34'); svg.setAttribute('height', '10');
      var line = document.createElementNS('http://www.w3.org/2000/svg', 'line');
      line.setAttribute('x1', '1'); line.setAttribute('y1', '5'); line.setAttribute('x2', '33'); line.setAttribute('y2', '5');
      line.setAttribute('stroke', KIND_STYLE[k].color); line.setAttribute('stroke-width', '2');
      if (KIND_STYLE[k].dashes) line.setAttribute('stroke-dasharray', KIND_STYLE[k].dashes.join(' '));
      svg.appendChild(line);
      return h('li', null, svg, ' ', h('span', { 'data-i18n': k }));
    }));
    this.legend.replaceChildren(
      h('h3', { 'data-i18n': 'classes' }), classList,
      h('h3', { 'data-i18n': 'relations' }), relList,
      h('h3', { 'data-i18n': 'edgeKinds' }), kinds);
  };

  View.prototype.translate = function () {
    var self = this;
    this.root.querySelectorAll('[data-i18n]').forEach(function (n) { n.textContent = self.t(n.getAttribute('data-i18n')); });
    this.root.querySelectorAll('[data-i18n-ph]').forEach(function (n) { n.setAttribute('placeholder', self.t(n.getAttribute('data-i18n-ph'))); });
    Object.keys(this.classLabels).forEach(function (c) { self.classLabels[c].textContent = self.className(c); });
    Object.keys(this.relLabels).forEach(function (r) { self.relLabels[r].textContent = self.relName(r); });
    this.langButtons.forEach(function (b) { b.setAttribute('aria-pressed', String(b.getAttribute('data-lang') === self.lang)); });
    document.documentElement.lang = this.lang;
  };

  View.prototype.setLang = function (lang) {
    if (lang === this.lang) return;
    this.lang = lang;
    this.translate();
    var self = this;
    var updates = [];
    this.edges.forEach(function (item) { updates.push({ id: item.id, label: self.edgeLabel(self.data.edges[item.id]) }); });
    this.edges.update(updates);
    this.updateStatus();
    if (this.current) this.current();
  };

  View.prototype.colour = function (cls) {
    return (this.data.classes[cls] || {}).colour || OTHER_COLOUR;
  };
  View.prototype.className = function (cls) {
    var c = this.data.classes[cls];
    return c ? c[this.lang] : String(cls || '');
  };
  View.prototype.relName = function (rel) {
    var r = this.data.relations[rel];
    return r ? r[this.lang] : String(rel);
  };
  View.prototype.edgeLabel = function (e) {
    var f = this.data.facts[e.facts[0]];
    var label = e.r === 'related' && f && f.lemma ? f.lemma : this.relName(e.r);
    if (e.k === 'negated') return '¬ ' + label;
    if (e.k === 'hedged') return label + ' ?';
    return label;
  };

  /* ---- the network ---- */

  /* About half the drawn width of an entity's label (14px font: CJK 14px, others 8px a
   * character), so the layout keeps labels apart, not only dots. */
  View.prototype.labelHalfWidth = function (i) {
    var w = 0, label = this.data.entities[i].label;
    for (var c = 0; c < label.length; c++) w += label.charCodeAt(c) > 0x2e7f ? 14 : 8;
    return Math.min(w, 240) / 2;
  };

  View.prototype.nodeSize = function (i) {
    return Math.min(10 + 5 * Math.sqrt(this.data.entities[i].deg), 48);
  };

  View.prototype.nodeItem = function (i, pos) {
    var e = this.data.entities[i];
    var c = this.colour(e.cls);
    var item = {
      id: i, label: e.label, size: this.nodeSize(i),
      color: { background: c, border: c, highlight: { background: c, border: '#222' }, hover: { background: c, border: '#222' } },
      title: e.label + '\n' + this.className(e.cls) + '\n' + e.q,
      hidden: !this.nodeVisible(i)
    };
    if (pos) { item.x = pos.x; item.y = pos.y; }
    this.hidden['n' + i] = item.hidden;
    return item;
  };

  View.prototype.edgeItem = function (e) {
    var style = KIND_STYLE[e.k];
    var ent = this.data.entities;
    var item = {
      id: e.id, from: e.f, to: e.t, label: this.edgeLabel(e),
      arrows: e.sym ? '' : 'to', dashes: style.dashes, width: e.k === 'asserted' ? Math.min(1 + Math.log2(e.facts.length || 1), 4) : 1.5,
      color: { color: style.color, highlight: '#222', hover: '#444' },
      title: ent[e.f].label + ' → ' + this.relName(e.r) + ' → ' + ent[e.t].label,
      hidden: !this.edgeVisible(e)
    };
    if (e.k !== 'asserted') item.smooth = { enabled: true, type: 'curvedCW', roundness: 0.2 };
    this.hidden['e' + e.id] = item.hidden;
    return item;
  };

  View.prototype.nodeVisible = function (i) {
    var e = this.data.entities[i];
    return this.loaded.has(i) && this.classOn[e.cls] !== false && (this.doc < 0 || e.docs.indexOf(this.doc) >= 0);
  };

  View.prototype.edgeVisible = function (e) {
    return this.nodeVisible(e.f) && this.nodeVisible(e.t) && this.relOn[e.r] !== false &&
      (e.k === 'asserted' || this.showOther) && (e.c === undefined || e.c >= this.minConf - 1e-9) &&
      (this.doc < 0 || e.docs.length === 0 || e.docs.indexOf(this.doc) >= 0);
  };

  /* The entities shown first: all of them, or the most connected when there are too many. */
  View.prototype.initialSet = function () {
    var d = this.data, n = d.entities.length;
    var order = d.entities.map(function (_, i) { return i; });
    if (n <= d.maxNodes) return order;
    order.sort(function (a, b) {
      var x = d.entities[a], y = d.entities[b];
      return y.deg - x.deg || y.men - x.men || (x.label < y.label ? -1 : x.label > y.label ? 1 : a - b);
    });
    var top = order.slice(0, d.maxNodes);
    if (d.focus !== null && d.focus !== undefined && top.indexOf(d.focus) < 0) top[top.length - 1] = d.focus;
    return top;
  };

  View.prototype.start = function () {
    var self = this;
    var d = this.data;
    if (!global.vis || !global.vis.Network) throw new Error('vis-network is missing from the page');
    this.nodes = new global.vis.DataSet();
    this.edges = new global.vis.DataSet();
    var first = this.initialSet();
    first.forEach(function (i) { self.loaded.add(i); });
    var pos = this.layout(first, null);
    this.timings.layout = performance.now();
    this.nodes.add(first.map(function (i) { return self.nodeItem(i, pos[i]); }));
    this.edges.add(d.edges.filter(function (e) { return self.loaded.has(e.f) && self.loaded.has(e.t); })
      .map(function (e) { return self.edgeItem(e); }));
    var large = first.length > LARGE;
    // The layout is computed above and has settled; vis-network's own physics stays off (it
    // needs many seconds for a few thousand nodes), so the graph keeps still once drawn.
    var options = {
      autoResize: true,
      layout: { improvedLayout: false },
      physics: { enabled: false },
      nodes: { shape: 'dot', borderWidth: 1, font: { face: FONT, size: 14, color: '#222', strokeWidth: 3, strokeColor: '#fff' } },
      edges: {
        font: { face: FONT, size: 11, color: '#555', strokeWidth: 3, strokeColor: '#fff', align: 'middle' },
        smooth: false, arrows: { to: { scaleFactor: 0.5 } }, selectionWidth: 2
      },
      interaction: { hover: !large, tooltipDelay: 200, hideEdgesOnDrag: large, hideEdgesOnZoom: large }
    };
    this.updateStatus();
    if (!first.length) {
      this.canvas.appendChild(h('p', { class: 'kg-empty', 'data-i18n': 'empty', text: this.t('empty') }));
      this.markReady();
      return;
    }
    this.network = new global.vis.Network(this.canvas, { nodes: this.nodes, edges: this.edges }, options);
    this.timings.network = performance.now();
    this.settle();
    this.network.on('click', function (p) {
      if (p.nodes.length) self.selectEntity(p.nodes[0], { expand: true });
      else if (p.edges.length) self.selectEdge(p.edges[0]);
    });
  };

  /* The layout has settled: fit it to the canvas, and say so once it is drawn. */
  View.prototype.settle = function () {
    var self = this;
    this.network.once('afterDrawing', function () { self.markReady(); });
    this.network.fit();
    this.network.redraw();
    var focus = this.data.focus;
    if (focus !== null && focus !== undefined) this.selectEntity(focus, { expand: false, move: false });
  };

  View.prototype.markReady = function () {
    if (this.ready) return;
    this.ready = true;
    this.timings.ready = performance.now();
    this.root.setAttribute('data-kg-ready', '1');
    if (this.opts.onReady) this.opts.onReady(this);
  };

  /* Positions for entities ``ids`` (forceLayout over the asserted edges among them); entities
   * already in the network start where they are. Returns {entity index: {x, y}}. */
  View.prototype.layout = function (ids, start) {
    var self = this;
    var local = new Map();
    ids.forEach(function (i, k) { local.set(i, k); });
    var links = [], sizes = new Float64Array(ids.length), known = start ? {} : null;
    this.data.edges.forEach(function (e) {
      if (e.k === 'asserted' && local.has(e.f) && local.has(e.t) && e.f !== e.t) links.push([local.get(e.f), local.get(e.t)]);
    });
    ids.forEach(function (i, k) {
      sizes[k] = Math.max(self.nodeSize(i), self.labelHalfWidth(i));
      if (start && start[i]) known[k] = start[i];
    });
    // fewer steps for big graphs: a step costs about (entities x neighbours within reach)
    var steps = Math.round(Math.min(300, Math.max(120, 180000 / Math.max(ids.length, 1))));
    var xy = forceLayout(ids.length, links, sizes, known, start ? Math.min(steps, 120) : steps);
    var out = {};
    ids.forEach(function (i, k) { out[i] = { x: xy.x[k], y: xy.y[k] }; });
    return out;
  };

  View.prototype.applyFilters = function () {
    var self = this;
    var nodeUpdates = [], edgeUpdates = [];
    this.loaded.forEach(function (i) {
      var hidden = !self.nodeVisible(i);
      if (self.hidden['n' + i] !== hidden) { self.hidden['n' + i] = hidden; nodeUpdates.push({ id: i, hidden: hidden }); }
    });
    this.edges.forEach(function (item) {
      var hidden = !self.edgeVisible(self.data.edges[item.id]);
      if (self.hidden['e' + item.id] !== hidden) { self.hidden['e' + item.id] = hidden; edgeUpdates.push({ id: item.id, hidden: hidden }); }
    });
    if (nodeUpdates.length) this.nodes.update(nodeUpdates);
    if (edgeUpdates.length) this.edges.update(edgeUpdates);
    this.updateStatus();
  };

  View.prototype.updateStatus = function () {
    var self = this;
    var shown = 0, edges = 0;
    this.loaded.forEach(function (i) { if (!self.hidden['n' + i]) shown++; });
    this.edges.forEach(function (item) { if (!self.hidden['e' + item.id]) edges++; });
    var total = this.data.entities.length;
    var parts = [h('span', { class: 'kg-counts', 'data-shown': shown, 'data-total': total, 'data-edges': edges,
      text: this.t('shown', { n: shown, total: total, e: edges }) })];
    if (this.loaded.size < total) {
      parts.push(' ', h('span', { class: 'kg-capped', text: this.t('capped', { n: this.loaded.size, total: total }) }), ' ',
        h('button', { type: 'button', class: 'kg-show-all', text: this.t('showAll'), onclick: function () { self.loadAll(); } }));
    }
    this.status.replaceChildren.apply(this.status, parts);
  };

  /* Bring entities into the network, placed at ``pos`` or in a ring around ``centre``. */
  View.prototype.load = function (ids, centre, pos) {
    var self = this;
    ids = ids.filter(function (i) { return !self.loaded.has(i); });
    if (!ids.length) return [];
    ids.forEach(function (i) { self.loaded.add(i); });
    var c = centre || { x: 0, y: 0 };
    var radius = 140 + 12 * ids.length;
    this.nodes.add(ids.map(function (i, k) {
      var a = 2 * Math.PI * k / ids.length + 0.3;
      return self.nodeItem(i, pos ? pos[i] : { x: c.x + radius * Math.cos(a), y: c.y + radius * Math.sin(a) });
    }));
    var fresh = {};
    ids.forEach(function (i) {
      self.adj[i].forEach(function (eid) {
        var e = self.data.edges[eid];
        if (self.loaded.has(e.f) && self.loaded.has(e.t) && !self.edges.get(eid)) fresh[eid] = e;
      });
    });
    this.edges.add(Object.keys(fresh).map(function (k) { return self.edgeItem(fresh[k]); }));
    this.updateStatus();
    return ids;
  };

  View.prototype.hiddenNeighbours = function (i) {
    var self = this, out = [];
    this.adj[i].forEach(function (eid) {
      var e = self.data.edges[eid];
      var other = e.f === i ? e.t : e.f;
      if (!self.loaded.has(other) && out.indexOf(other) < 0 && (e.k === 'asserted' || self.showOther)) out.push(other);
    });
    return out;
  };

  View.prototype.position = function (i) {
    return this.network && this.loaded.has(i) ? this.network.getPositions([i])[i] : null;
  };

  View.prototype.expand = function (i) {
    return this.load(this.hiddenNeighbours(i), this.position(i));
  };

  /* Every entity, laid out again around the ones already shown (which keep their places as
   * the starting point). */
  View.prototype.loadAll = function () {
    var self = this;
    var all = this.data.entities.map(function (_, i) { return i; });
    var rest = all.filter(function (i) { return !self.loaded.has(i); });
    var pos = this.layout(all, this.network.getPositions());
    this.load(rest, null, pos);
    this.nodes.update(all.map(function (i) { return { id: i, x: pos[i].x, y: pos[i].y }; }));
    this.network.fit();
  };

  /* ---- selection and the details panel ---- */

  View.prototype.selectEntity = function (i, how) {
    how = how || {};
    var self = this;
    if (!this.loaded.has(i)) {
      var near = this.adj[i].map(function (eid) { var e = self.data.edges[eid]; return e.f === i ? e.t : e.f; })
        .filter(function (n) { return self.loaded.has(n); });
      this.load([i], near.length ? this.position(near[0]) : { x: 0, y: 0 });
    }
    if (how.expand) this.expand(i);
    this.current = function () { self.showEntity(i); };
    this.current();
    if (this.network) {
      this.network.selectNodes([i]);
      if (how.move) {
        this.network.setSize('100%', '100%');  // the panel may just have taken room from the canvas
        this.network.focus(i, { scale: Math.max(this.network.getScale(), 0.9), animation: { duration: 300 } });
      }
    }
  };

  View.prototype.selectEdge = function (id) {
    var self = this;
    if (this.network) this.network.selectEdges([id]);
    this.current = function () { self.showEdge(id); };
    this.current();
  };

  View.prototype.entityLink = function (i) {
    var self = this;
    if (typeof i !== 'number') return h('span', { class: 'kg-iri', text: String(i) });
    var e = this.data.entities[i];
    return h('button', { type: 'button', class: 'kg-entity-link', text: e.label, style: 'border-color:' + this.colour(e.cls),
      onclick: function () { self.selectEntity(i, { expand: true, move: true }); } });
  };

  /* The sentence with [begin, end) (document code-point offsets) marked. */
  View.prototype.sentence = function (sen, begin, end) {
    var s = this.data.sentences[sen];
    if (!s) return null;
    var chars = Array.from(s[2]);
    var b = Math.max(0, Math.min(chars.length, begin - s[1])), e = Math.max(b, Math.min(chars.length, end - s[1]));
    var quote = h('blockquote', { class: 'kg-sentence' });
    if (begin === undefined || end === undefined || e <= b) quote.textContent = s[2];
    else quote.append(chars.slice(0, b).join(''), h('mark', { text: chars.slice(b, e).join('') }), chars.slice(e).join(''));
    return quote;
  };

  View.prototype.factCard = function (fi) {
    var f = this.data.facts[fi];
    var d = this.data;
    var rel = f.r === 'related' && f.lemma ? this.relName(f.r) + ': ' + f.lemma : this.relName(f.r);
    var badge = f.k === 'asserted' ? null : h('span', { class: 'kg-badge kg-badge-' + f.k, text: this.t(f.k) + (f.mod ? ' (' + f.mod + ')' : '') });
    var meta = [];
    if (f.c !== undefined) meta.push(this.t('confidence') + ' ' + f.c.toFixed(2));
    if (f.rule) meta.push(this.t('rule') + ' ' + f.rule);
    if (f.doc !== undefined) meta.push(d.docs[f.doc]);
    return h('li', { class: 'kg-fact kg-fact-' + f.k, 'data-fact': fi },
      h('div', { class: 'kg-fact-head' }, this.entityLink(f.s), ' ', h('span', { class: 'kg-rel', text: '— ' + rel + ' →' }), ' ', this.entityLink(f.o), ' ', badge),
      h('div', { class: 'kg-fact-meta', text: meta.join(' · ') },
        f.by !== undefined ? [' · ' + this.t('attributedTo') + ' ', this.entityLink(f.by)] : null),
      f.sen !== undefined ? this.sentence(f.sen, f.b, f.e) : null);
  };

  View.prototype.factList = function (factIds) {
    var self = this;
    var asserted = factIds.filter(function (fi) { return self.data.facts[fi].k === 'asserted'; });
    var other = factIds.filter(function (fi) { return self.data.facts[fi].k !== 'asserted'; });
    var out = [h('h3', { text: this.t('facts') + ' (' + asserted.length + ')' })];
    out.push(asserted.length ? h('ul', { class: 'kg-facts' }, asserted.map(function (fi) { return self.factCard(fi); }))
      : h('p', { class: 'kg-none', text: this.t('noFacts') }));
    if (other.length) {
      out.push(h('details', { class: 'kg-other-facts', open: this.showOther },
        h('summary', { text: this.t('notAsserted') + ' (' + other.length + ')' }),
        h('ul', { class: 'kg-facts' }, other.map(function (fi) { return self.factCard(fi); }))));
    }
    return out;
  };

  View.prototype.showEntity = function (i) {
    var self = this;
    var d = this.data, e = d.entities[i];
    var rows = [[this.t('cls'), h('span', null, h('span', { class: 'kg-swatch', style: 'background:' + this.colour(e.cls) }), ' ', this.className(e.cls))],
      [this.t('iri'), h('code', { text: e.q })]];
    if (e.alt) rows.push([this.t('aliases'), e.alt.join('、')]);
    if (e.read) rows.push([this.t('readings'), e.read.join('、')]);
    if (e.wd && /^Q[1-9][0-9]*$/.test(e.wd)) {
      rows.push(['Wikidata', h('a', { href: 'https://www.wikidata.org/wiki/' + e.wd, target: '_blank', rel: 'noopener noreferrer', class: 'kg-wikidata', text: e.wd })]);
    }
    rows.push([this.t('mentions'), String(e.men)]);
    if (e.docs.length) rows.push([this.t('documents'), e.docs.map(function (x) { return d.docs[x]; }).join('、')]);
    var factIds = [];
    this.adj[i].forEach(function (eid) { d.edges[eid].facts.forEach(function (fi) { if (factIds.indexOf(fi) < 0) factIds.push(fi); }); });
    factIds.sort(function (a, b) { return a - b; });
    var more = this.hiddenNeighbours(i);
    var parts = [
      h('h2', { class: 'kg-title', text: e.label }),
      this.nodeVisible(i) ? null : h('p', { class: 'kg-note', text: this.t('hiddenByFilters') }),
      h('dl', null, rows.map(function (r) { return [h('dt', { text: r[0] }), h('dd', null, r[1])]; })),
      more.length ? h('button', { type: 'button', class: 'kg-expand', text: this.t('expand', { n: more.length }),
        onclick: function () { self.expand(i); self.current(); } }) : null
    ].concat(this.factList(factIds));
    if (e.ms && e.ms.length) {
      parts.push(h('h3', { text: this.t('mentionedIn') }),
        h('div', { class: 'kg-mentions' }, e.ms.map(function (m) { return self.sentence(m[0], m[1], m[2]); })));
    }
    this.panel.replaceChildren.apply(this.panel, parts.filter(Boolean));
    this.panel.setAttribute('data-entity', e.iri);
    this.panel.removeAttribute('data-edge');
  };

  View.prototype.showEdge = function (id) {
    var e = this.data.edges[id];
    var head = h('h2', { class: 'kg-title' }, this.entityLink(e.f), ' ', h('span', { class: 'kg-rel', text: '— ' + this.edgeLabel(e) + ' →' }), ' ', this.entityLink(e.t));
    this.panel.replaceChildren.apply(this.panel, [head].concat(this.factList(e.facts)));
    this.panel.setAttribute('data-edge', String(id));
    this.panel.removeAttribute('data-entity');
  };

  /* ---- search ---- */

  View.prototype.search = function (query, limit) {
    var q = searchKey(query || '');
    if (!q) return [];
    var d = this.data, hits = [];
    this.keys.forEach(function (keys, i) {
      var best = -1;
      keys.forEach(function (k) {
        var r = k === q ? 3 : k.indexOf(q) === 0 ? 2 : k.indexOf(q) > 0 ? 1 : -1;
        if (r > best) best = r;
      });
      if (best >= 0) hits.push([best, i]);
    });
    hits.sort(function (a, b) { return b[0] - a[0] || d.entities[b[1]].deg - d.entities[a[1]].deg || a[1] - b[1]; });
    return hits.slice(0, limit || 12).map(function (x) { return x[1]; });
  };

  View.prototype.runSearch = function (query) {
    var self = this;
    var hits = this.search(query);
    if (!searchKey(query || '')) { this.results.replaceChildren(); return; }
    if (!hits.length) { this.results.replaceChildren(h('li', { class: 'kg-none', text: this.t('noMatch') })); return; }
    this.results.replaceChildren.apply(this.results, hits.map(function (i) {
      var e = self.data.entities[i];
      var also = (e.alt || []).concat(e.read || []).filter(function (x) { return x !== e.label; }).slice(0, 3).join('、');
      return h('li', { role: 'option' }, h('button', { type: 'button', class: 'kg-result', 'data-entity': e.iri,
        onclick: function () { self.results.replaceChildren(); self.selectEntity(i, { expand: false, move: true }); } },
        h('span', { class: 'kg-swatch', style: 'background:' + self.colour(e.cls) }), ' ', h('strong', { text: e.label }),
        also ? h('small', { text: ' ' + also }) : null));
    }));
  };

  /* Parse the JSON of a <script type="application/json"> element. */
  function readData(id) {
    var node = document.getElementById(id);
    return JSON.parse(node.textContent);
  }

  global.KGView = {
    mount: function (root, data, opts) { return new View(root, data, opts); },
    readData: readData,
    searchKey: searchKey,
    forceLayout: forceLayout,
    h: h
  };
})(window);
