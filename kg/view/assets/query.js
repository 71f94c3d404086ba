/* kg SPARQL page: an editor, a results table, and "show as graph" through the same view.
 *
 * Talks to the SPARQL 1.1 Protocol endpoint (POST, form-encoded) of the server that served it;
 * results with subject/predicate/object columns (or a CONSTRUCT's triples) go to the server's
 * graph route, which answers with the view data KGView draws. All text goes in as textContent.
 */
(function () {
  'use strict';
  var cfg = KGView.readData('kg-query-data');
  var h = KGView.h;
  var TRIPLE_COLUMNS = [['s', 'p', 'o'], ['subject', 'predicate', 'object'], ['subject', 'relation', 'object']];
  var TABLE_ROWS = 1000;
  var state = { rows: null, columns: null, triples: null, view: null };

  function compact(iri) {
    var best = null;
    Object.keys(cfg.prefixes).forEach(function (p) {
      var ns = cfg.prefixes[p];
      if (iri.indexOf(ns) === 0 && (!best || ns.length > cfg.prefixes[best].length)) best = p;
    });
    return best ? best + ':' + iri.slice(cfg.prefixes[best].length) : '<' + iri + '>';
  }

  function cell(term) {
    if (!term) return h('td', { class: 'kg-q-unbound' });
    if (term.type === 'uri') return h('td', { class: 'kg-q-iri', title: term.value, text: compact(term.value) });
    if (term.type === 'bnode') return h('td', { class: 'kg-q-bnode', text: '_:' + term.value });
    var extra = term['xml:lang'] ? '@' + term['xml:lang'] : term.datatype ? '^^' + compact(term.datatype) : '';
    return h('td', { class: 'kg-q-literal' }, term.value, extra ? h('small', { text: ' ' + extra }) : null);
  }

  var editor = h('textarea', { class: 'kg-q-editor', spellcheck: 'false', 'aria-label': 'SPARQL',
    onkeydown: function (ev) { if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); run(); } } });
  editor.value = cfg.query;
  var examples = h('select', { class: 'kg-q-examples', onchange: function () {
    var ex = cfg.examples[Number(this.value)];
    if (ex) { editor.value = ex.text; }
  } }, h('option', { value: '', text: 'Ready queries…' }), cfg.examples.map(function (ex, i) {
    return h('option', { value: i, title: ex.description, text: ex.name + (ex.description ? ' — ' + ex.description : '') });
  }));
  var runButton = h('button', { type: 'button', class: 'kg-q-run', text: 'Run (Ctrl+Enter)', onclick: function () { run(); } });
  var status = h('span', { class: 'kg-q-status', role: 'status' });
  var tableTab = h('button', { type: 'button', class: 'kg-q-tab-table', 'aria-pressed': 'true', text: 'Table', onclick: function () { show('table'); } });
  var graphTab = h('button', { type: 'button', class: 'kg-q-show-graph', disabled: true, text: 'Show as graph', onclick: function () { showGraph(); } });
  var table = h('div', { class: 'kg-q-table-wrap' });
  var graph = h('div', { class: 'kg-q-graph kg-root', hidden: true });
  document.getElementById('kg-query-root').replaceChildren(
    h('header', { class: 'kg-q-bar' }, h('strong', { text: cfg.title }), examples, runButton, status),
    editor,
    h('div', { class: 'kg-q-tabs' }, tableTab, graphTab),
    table, graph);

  function say(text, isError) {
    status.textContent = text;
    status.className = 'kg-q-status' + (isError ? ' kg-q-error' : '');
  }

  function show(which) {
    table.hidden = which !== 'table';
    graph.hidden = which !== 'graph';
    tableTab.setAttribute('aria-pressed', String(which === 'table'));
    graphTab.setAttribute('aria-pressed', String(which === 'graph'));
  }

  function tripleColumns(vars) {
    for (var i = 0; i < TRIPLE_COLUMNS.length; i++) {
      if (TRIPLE_COLUMNS[i].every(function (v) { return vars.indexOf(v) >= 0; })) return TRIPLE_COLUMNS[i];
    }
    return null;
  }

  function run() {
    var text = editor.value;
    state = { rows: null, columns: null, triples: null, view: null };
    graphTab.disabled = true;
    graph.replaceChildren();
    show('table');
    say('Running…');
    var started = performance.now();
    fetch(cfg.endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Accept': 'application/sparql-results+json, application/n-triples;q=0.9' },
      body: new URLSearchParams({ query: text })
    }).then(function (resp) {
      var truncated = resp.headers.get('X-KG-Truncated') === 'true';
      var type = (resp.headers.get('Content-Type') || '').split(';')[0];
      if (!resp.ok) return resp.text().then(function (t) { throw new Error(t.trim() || resp.status + ' ' + resp.statusText); });
      if (type === 'application/n-triples') return resp.text().then(function (t) { showTriples(t, truncated, started); });
      return resp.json().then(function (json) { showResults(json, truncated, started); });
    }).catch(function (err) {
      table.replaceChildren();
      say(String(err.message || err), true);
    });
  }

  function showResults(json, truncated, started) {
    var seconds = ((performance.now() - started) / 1000).toFixed(2) + ' s';
    if (typeof json.boolean === 'boolean') {
      table.replaceChildren(h('p', { class: 'kg-q-ask', text: json.boolean ? 'true' : 'false' }));
      say('ASK · ' + seconds);
      return;
    }
    var vars = json.head.vars || [];
    var rows = json.results.bindings || [];
    var shown = rows.slice(0, TABLE_ROWS);
    table.replaceChildren(h('table', { class: 'kg-q-table' },
      h('thead', null, h('tr', null, vars.map(function (v) { return h('th', { text: '?' + v }); }))),
      h('tbody', null, shown.map(function (row) { return h('tr', null, vars.map(function (v) { return cell(row[v]); })); }))));
    say(rows.length + ' rows' + (rows.length > shown.length ? ' (first ' + shown.length + ' shown)' : '') +
      (truncated ? ' · cut at the server limit' : '') + ' · ' + seconds);
    var cols = tripleColumns(vars);
    if (cols && rows.length) {
      state.rows = rows.map(function (r) { return [r[cols[0]], r[cols[1]], r[cols[2]]]; });
      graphTab.disabled = false;
    }
  }

  function showTriples(text, truncated, started) {
    var lines = text.split('\n').filter(function (l) { return l.trim(); });
    table.replaceChildren(h('pre', { class: 'kg-q-triples', text: text }));
    say(lines.length + ' triples' + (truncated ? ' · cut at the server limit' : '') + ' · ' + ((performance.now() - started) / 1000).toFixed(2) + ' s');
    if (lines.length) { state.triples = text; graphTab.disabled = false; }
  }

  function showGraph() {
    show('graph');
    if (state.view) return;
    say('Building the graph…');
    var body = state.triples !== null ? { ntriples: state.triples } : { rows: state.rows };
    fetch(cfg.graphEndpoint, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' }, body: JSON.stringify(body) })
      .then(function (resp) {
        if (!resp.ok) return resp.text().then(function (t) { throw new Error(t.trim() || String(resp.status)); });
        return resp.json();
      }).then(function (data) {
        state.view = KGView.mount(graph, data, { onReady: function (v) { say(v.data.entities.length + ' nodes · ' + v.data.edges.length + ' edges'); } });
        window.kgView = state.view;
      }).catch(function (err) {
        show('table');
        say(String(err.message || err), true);
      });
  }

  window.kgQuery = { run: run, showGraph: showGraph };
})();
