// The web console of the OpenEvent.Rules host: plain JavaScript served by the host, no build step, nothing from
// another origin. Every value that comes from an event, a policy or the host is put in the page as text
// (textContent / createTextNode): never as HTML, so a field holding markup or a script shows as what it is.
'use strict';

(() => {
  const state = { csrf: null, authRequired: false, stream: null, decisions: [], incoming: [], flush: null, renders: 0, selected: null, files: [], timer: null, token: 0 };
  const MAX_ROWS = 500;
  // Live decisions are drawn at most this often: during an incident thousands arrive a second, and redrawing the table
  // for each one froze the tab for minutes.
  const LIVE_REDRAW_MS = 250;

  // ---- DOM helpers: attributes set one by one (never event handlers or styles from data), text as text nodes.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === 'text') node.textContent = String(value);
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
    return append(node, children);
  }

  const page = () => document.getElementById('page');
  // replaceChildren would turn an array or null into text: every replacement goes through append.
  function fill(node, ...children) { node.replaceChildren(); return append(node, children); }
  function show(...nodes) { fill(page(), nodes); }
  function status(text) { document.getElementById('status').textContent = text; }
  function verdictBadge(verdict) {
    const name = verdict ? verdict.toLowerCase() : 'none';
    return el('span', { class: `verdict ${name}` }, verdict || 'no verdict');
  }
  function time(value) { return value ? new Date(value).toLocaleString() : ''; }
  function debounce(fn, ms) { let t; return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); }; }

  // ---- API: the session cookie goes by itself (same origin); POSTs carry the anti-forgery token.
  class ApiError extends Error {
    constructor(status, body) { super((body && (body.detail || body.title)) || `HTTP ${status}`); this.status = status; this.body = body; }
  }

  // An answer that arrives after the user went to another page is dropped: it must not draw over the new page.
  class StaleError extends Error {}

  async function api(path, options = {}) {
    const token = state.token;
    const init = { method: options.method || 'GET', credentials: 'same-origin', headers: { Accept: 'application/json' }, signal: options.signal };
    if (init.method !== 'GET') {
      init.headers['Content-Type'] = 'application/json';
      if (state.csrf) init.headers['X-OER-CSRF'] = state.csrf;
      init.body = JSON.stringify(options.body || {});
    }
    const response = await fetch(path, init);
    const type = response.headers.get('Content-Type') || '';
    const body = type.includes('json') ? await response.json() : null;
    if (response.status === 401 && path !== '/console/api/login') { showLogin(); throw new ApiError(401, body); }
    if (!response.ok) throw new ApiError(response.status, body);
    if (token !== state.token) throw new StaleError('stale');
    return body;
  }

  async function session() {
    const response = await fetch('/console/api/session', { credentials: 'same-origin' });
    const body = await response.json();
    state.authRequired = body.authRequired;
    if (!body.authenticated) { showLogin(); return false; }
    state.csrf = body.csrf;
    document.getElementById('logout').hidden = !state.authRequired;
    return true;
  }

  function showLogin() {
    stopStream();
    document.getElementById('login').hidden = false;
    fill(page());
    document.getElementById('logout').hidden = true;
    document.getElementById('login-token').focus();
  }

  async function login(event) {
    event.preventDefault();
    const input = document.getElementById('login-token');
    const error = document.getElementById('login-error');
    error.textContent = '';
    try {
      const body = await api('/console/api/login', { method: 'POST', body: { token: input.value } });
      state.csrf = body.csrf;
      input.value = '';
      document.getElementById('login').hidden = true;
      document.getElementById('logout').hidden = false;
      route();
    } catch (e) {
      error.textContent = e.status === 401 ? 'That is not the host\'s token.' : e.message;
      input.select();
    }
  }

  async function logout() {
    await api('/console/api/logout', { method: 'POST' }).catch(() => {});
    state.csrf = null;
    showLogin();
  }

  // ---- Syntax highlighting, as text spans: YAML (policies) and JSON (events).
  function yamlLine(line) {
    const parts = [];
    let rest = line;
    const key = /^(\s*(?:-\s+)?)((?:"[^"]*"|'[^']*'|[^\s#'"{}[\],][^:#]*?)\s*)(:)(?=\s|$)/.exec(rest);
    if (key) {
      const dash = key[1].indexOf('-');
      parts.push(dash < 0 ? key[1] : [key[1].slice(0, dash), el('span', { class: 'tok-punct' }, key[1].slice(dash))]);
      parts.push(el('span', { class: 'tok-key' }, key[2]), el('span', { class: 'tok-punct' }, ':'));
      rest = rest.slice(key[0].length);
    } else {
      const dash = /^(\s*)(-\s)/.exec(rest);
      if (dash) { parts.push(dash[1], el('span', { class: 'tok-punct' }, dash[2])); rest = rest.slice(dash[0].length); }
    }
    const comment = findComment(rest);
    const value = comment < 0 ? rest : rest.slice(0, comment);
    parts.push(yamlValue(value));
    if (comment >= 0) parts.push(el('span', { class: 'tok-com' }, rest.slice(comment)));
    return parts;
  }

  function findComment(text) {
    let quote = null;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (quote) { if (c === quote) quote = null; continue; }
      if (c === '"' || c === '\'') quote = c;
      else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) return i;
    }
    return -1;
  }

  function yamlValue(text) {
    const trimmed = text.trim();
    if (!trimmed) return text;
    const lead = text.slice(0, text.indexOf(trimmed));
    const tail = text.slice(lead.length + trimmed.length);
    let cls = null;
    if (/^(['"]).*\1$/.test(trimmed)) cls = 'tok-str';
    else if (/^-?\d+(\.\d+)?$/.test(trimmed)) cls = 'tok-num';
    else if (/^(true|false|null|~)$/.test(trimmed)) cls = 'tok-bool';
    else if (/^[[{|>]/.test(trimmed)) cls = 'tok-punct';
    return [lead, cls ? el('span', { class: cls }, trimmed) : trimmed, tail];
  }

  function jsonLine(line) {
    const parts = [];
    const pattern = /("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b|([{}[\],])/g;
    let last = 0;
    for (const m of line.matchAll(pattern)) {
      parts.push(line.slice(last, m.index));
      if (m[1]) parts.push(el('span', { class: m[2] ? 'tok-key' : 'tok-str' }, m[1]), m[2] || '');
      else if (m[3]) parts.push(el('span', { class: 'tok-num' }, m[3]));
      else if (m[4]) parts.push(el('span', { class: 'tok-bool' }, m[4]));
      else parts.push(el('span', { class: 'tok-punct' }, m[5]));
      last = m.index + m[0].length;
    }
    parts.push(line.slice(last));
    return parts;
  }

  // Lines highlighted one by one at most; the rest of a long text (a 1 MB event is 70,000 lines, which froze the tab
  // building their nodes) is shown as plain text after a note.
  const MAX_HIGHLIGHTED_LINES = 2000;

  function codeBlock(text, highlight, label, target) {
    const pre = el('pre', { class: 'code', tabindex: 0, 'aria-label': label });
    const lines = text.split('\n');
    lines.slice(0, MAX_HIGHLIGHTED_LINES).forEach((line, i) => {
      const node = el('span', { class: i + 1 === target ? 'line target' : 'line', 'data-line': i + 1 },
        el('span', { class: 'ln', 'aria-hidden': 'true' }, String(i + 1)), highlight(line));
      pre.appendChild(node);
    });
    if (lines.length > MAX_HIGHLIGHTED_LINES) {
      pre.appendChild(el('span', { class: 'line muted' }, `… ${lines.length - MAX_HIGHLIGHTED_LINES} more lines, not highlighted:`));
      pre.appendChild(el('span', { class: 'rest' }, lines.slice(MAX_HIGHLIGHTED_LINES).join('\n')));
    }
    return pre;
  }

  function diagnosticList(diagnostics) {
    if (!diagnostics || diagnostics.length === 0) return el('p', { class: 'pass' }, 'No diagnostics.');
    return el('div', { class: 'diagnostics' }, diagnostics.map(d =>
      el('div', { class: `diag ${d.severity}` },
        el('span', { class: 'id' }, d.id), ' ', el('span', { class: 'loc' }, `${d.file}:${d.line}:${d.column}`), ' ',
        el('span', { class: 'msg' }, d.message), d.hint ? el('div', { class: 'muted' }, 'hint: ', d.hint) : null)));
  }

  // ---- Overview
  async function overview() {
    const data = await api('/console/api/overview');
    const set = el('section', { class: 'panel', 'aria-labelledby': 'set-title' },
      el('h2', { id: 'set-title' }, 'Policy set in service'),
      el('dl', { class: 'kv' },
        el('dt', {}, 'Revision'), el('dd', { class: 'revision' }, data.revision || 'not loaded'),
        el('dt', {}, 'Loaded at'), el('dd', {}, time(data.loadedAt)),
        el('dt', {}, 'Source'), el('dd', {}, data.source),
        el('dt', {}, 'Policies'), el('dd', {}, `${data.policies} in ${data.files} files`),
        el('dt', {}, 'Decisions'), el('dd', {}, `${data.decisions} since the host started`)));
    const reload = el('section', { class: 'panel', 'aria-labelledby': 'reload-title' }, el('h2', { id: 'reload-title' }, 'Last reload'),
      data.lastReloadError
        ? [el('p', { class: 'error' }, `Refused at ${time(data.lastReloadError.at)}: `, data.lastReloadError.summary),
          diagnosticList(data.lastReloadError.diagnostics)]
        : el('p', { class: 'pass' }, 'The last reload succeeded.'));
    const outbox = el('section', { class: 'panel', 'aria-labelledby': 'outbox-title' }, el('h2', { id: 'outbox-title' }, 'Outbox'),
      data.outbox.error ? el('p', { class: 'error' }, data.outbox.error)
        : el('dl', { class: 'kv' },
          el('dt', {}, 'Pending'), el('dd', {}, String(data.outbox.pending)),
          el('dt', {}, 'Dead'), el('dd', { class: data.outbox.dead > 0 ? 'failed' : '' }, String(data.outbox.dead)),
          data.outbox.delivered !== undefined ? [el('dt', {}, 'Delivered'), el('dd', {}, String(data.outbox.delivered))] : null),
      el('a', { href: '#/outbox' }, 'Open the outbox'));
    const chartPanel = el('section', { class: 'panel chart', 'aria-labelledby': 'chart-title' });
    const drawChart = (which) => {
      const buckets = which === 'day' ? data.lastDay : data.lastHour;
      fill(chartPanel, el('h2', { id: 'chart-title' }, 'Decisions by verdict'),
        el('div', { role: 'group', 'aria-label': 'Period' },
          el('button', { type: 'button', 'aria-pressed': which === 'hour', id: 'chart-hour' }, 'Last hour (per minute)'), ' ',
          el('button', { type: 'button', 'aria-pressed': which === 'day', id: 'chart-day' }, 'Last day (per hour)')),
        chart(buckets, which),
        el('ul', { class: 'legend' }, ['ok', 'warn', 'fail', 'none'].map(v => el('li', {}, el('span', { class: `sw ${v}` }), v === 'none' ? 'no verdict' : v.toUpperCase()))));
      chartPanel.querySelector('#chart-hour').addEventListener('click', () => drawChart('hour'));
      chartPanel.querySelector('#chart-day').addEventListener('click', () => drawChart('day'));
    };
    drawChart('hour');
    const top = el('section', { class: 'panel', 'aria-labelledby': 'top-title' }, el('h2', { id: 'top-title' }, 'Top matched policies'),
      data.topPolicies.length === 0 ? el('p', { class: 'muted' }, 'No policy has matched since the host started.')
        : el('table', {}, el('caption', {}, 'Since the host started'),
          el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Policy'), el('th', { scope: 'col' }, 'Matched'), el('th', { scope: 'col' }, 'Audit (would)'))),
          el('tbody', {}, data.topPolicies.map(p => el('tr', {}, el('td', {}, p.policy), el('td', {}, String(p.matched)), el('td', {}, String(p.audit)))))));
    show(el('h1', {}, 'Overview'), el('div', { class: 'grid' }, set, reload, outbox), chartPanel, top);
  }

  function chart(buckets, which) {
    const width = 600, height = 150, gap = 1;
    const max = Math.max(1, ...buckets.map(b => b.ok + b.warn + b.fail + b.none));
    const barWidth = width / buckets.length;
    const totals = buckets.reduce((t, b) => ({ ok: t.ok + b.ok, warn: t.warn + b.warn, fail: t.fail + b.fail, none: t.none + b.none }), { ok: 0, warn: 0, fail: 0, none: 0 });
    const label = `Decisions in the last ${which}: ${totals.ok} OK, ${totals.warn} WARN, ${totals.fail} FAIL, ${totals.none} without verdict`;
    const root = svg('svg', { viewBox: `0 0 ${width} ${height + 2}`, role: 'img', 'aria-label': label, preserveAspectRatio: 'none' });
    root.appendChild(svg('title', {}, label));
    buckets.forEach((b, i) => {
      let y = height;
      const group = svg('g', {});
      const ago = buckets.length - 1 - i;
      group.appendChild(svg('title', {}, `${ago} ${which === 'day' ? 'hours' : 'minutes'} ago: ${b.ok} OK, ${b.warn} WARN, ${b.fail} FAIL, ${b.none} none`));
      for (const v of ['ok', 'warn', 'fail', 'none']) {
        if (!b[v]) continue;
        const h = (b[v] / max) * (height - 4);
        y -= h;
        group.appendChild(svg('rect', { x: i * barWidth + gap, y, width: Math.max(1, barWidth - 2 * gap), height: h, class: `bar-${v}` }));
      }
      root.appendChild(group);
    });
    root.appendChild(svg('line', { x1: 0, y1: height + 1, x2: width, y2: height + 1, class: 'axis' }));
    return root;
  }

  // ---- Decisions: the recent ones, then live over server-sent events; filters apply as you type.
  async function decisions() {
    const filters = el('form', { class: 'filters', id: 'decision-filters', role: 'search', 'aria-label': 'Filter decisions' },
      field('filter-verdict', 'Verdict', el('select', { id: 'filter-verdict' },
        el('option', { value: '' }, 'Any'), el('option', { value: 'OK' }, 'OK'), el('option', { value: 'WARN' }, 'WARN'),
        el('option', { value: 'FAIL' }, 'FAIL'), el('option', { value: 'none' }, 'No verdict (regular events)'))),
      field('filter-policy', 'Policy', el('input', { id: 'filter-policy', type: 'search', placeholder: 'matched or audit policy' })),
      field('filter-type', 'Event type', el('input', { id: 'filter-type', type: 'search', placeholder: 'e.g. FileChange' })),
      field('filter-workspace', 'Workspace', el('input', { id: 'filter-workspace', type: 'search', placeholder: 'workspace id' })));
    const table = el('table', { id: 'decisions' },
      el('caption', { id: 'decisions-caption' }, 'Decisions, newest first'),
      el('thead', {}, el('tr', {}, ['Time', 'Event', 'Type', 'Verdict', 'Matched', 'Workspace', ''].map(h => el('th', { scope: 'col' }, h)))),
      el('tbody', {}));
    const detail = el('section', { id: 'decision-detail', class: 'detail', 'aria-label': 'Decision detail', tabindex: -1 });
    show(el('h1', {}, 'Decisions'), filters, el('p', { id: 'live', class: 'muted', role: 'status' }, 'Connecting to the live stream…'), table, detail);
    filters.addEventListener('input', renderRows);
    filters.addEventListener('submit', e => e.preventDefault());
    const data = await api('/console/api/decisions');
    state.decisions = data.decisions.reverse();
    renderRows();
    // From the newest decision fetched: what is decided meanwhile is replayed by the stream, not lost.
    startStream(state.decisions.reduce((newest, d) => Math.max(newest, d.sequence), 0));
  }

  function field(id, label, control) { return el('div', { class: 'field' }, el('label', { for: id }, label), control); }

  function matches(d) {
    const verdict = document.getElementById('filter-verdict').value;
    const policy = document.getElementById('filter-policy').value.trim().toLowerCase();
    const type = document.getElementById('filter-type').value.trim().toLowerCase();
    const workspace = document.getElementById('filter-workspace').value.trim().toLowerCase();
    if (verdict && (verdict === 'none' ? d.verdict !== null : d.verdict !== verdict)) return false;
    if (policy && ![...d.matched, ...d.audit].some(p => p.toLowerCase().includes(policy))) return false;
    if (type && !(d.type || '').toLowerCase().includes(type)) return false;
    if (workspace && !(d.workspace || '').toLowerCase().includes(workspace)) return false;
    return true;
  }

  function renderRows() {
    const body = document.querySelector('#decisions tbody');
    if (!body) return;
    const shown = state.decisions.filter(matches);
    fill(body, ...shown.map(row));
    body.dataset.renders = String(++state.renders);
    document.getElementById('decisions-caption').textContent = `Decisions, newest first: ${shown.length} shown of ${state.decisions.length} kept`;
  }

  function row(d) {
    const open = el('button', { type: 'button', class: 'explain', 'aria-label': `Explain decision for event ${d.eventId}` }, 'Explain');
    open.addEventListener('click', () => openDecision(d.sequence));
    return el('tr', { 'data-sequence': d.sequence, class: state.selected === d.sequence ? 'selected' : null },
      el('td', {}, time(d.time)), el('td', { class: 'wrap event-id' }, d.eventId || '(unreadable)'), el('td', { class: 'wrap' }, d.type || ''),
      el('td', {}, verdictBadge(d.verdict), d.fallback ? el('span', { class: 'muted' }, ` fallback: ${d.fallback}`) : null),
      el('td', { class: 'wrap' }, d.matched.map(p => matchedPill(d, p)), d.audit.map(p => el('span', { class: 'pill muted' }, `${p} (audit)`))),
      el('td', { class: 'wrap' }, d.workspace || ''), el('td', {}, open));
  }

  // A match a waiver relaxed counts towards no verdict: the pill says which waiver, so an OK beside a blocking policy reads right.
  function matchedPill(d, policy) {
    const waived = (d.waived || []).find(w => w.policy === policy);
    return waived ? el('span', { class: 'pill muted waived' }, `${policy} (waived: ${waived.waiver})`) : el('span', { class: 'pill' }, policy);
  }

  function startStream(after) {
    stopStream();
    const source = new EventSource(`/console/api/decisions/stream?after=${encodeURIComponent(after)}`);
    state.stream = source;
    source.addEventListener('open', () => { const live = document.getElementById('live'); if (live) live.textContent = 'Live: new decisions appear as they are made.'; });
    source.addEventListener('error', () => { const live = document.getElementById('live'); if (live) live.textContent = 'The live stream is reconnecting…'; });
    source.addEventListener('decision', message => {
      state.incoming.push(JSON.parse(message.data));
      if (state.incoming.length > MAX_ROWS) state.incoming.splice(0, state.incoming.length - MAX_ROWS);
      if (state.flush === null) state.flush = setTimeout(flushIncoming, LIVE_REDRAW_MS);
    });
  }

  // The decisions that arrived since the last redraw, newest first, in one redraw.
  function flushIncoming() {
    state.flush = null;
    const known = new Set(state.decisions.map(d => d.sequence));
    const fresh = state.incoming.filter(d => !known.has(d.sequence)).reverse();
    state.incoming = [];
    if (fresh.length === 0) return;
    state.decisions = fresh.concat(state.decisions).slice(0, MAX_ROWS);
    renderRows();
  }

  function stopStream() {
    if (state.stream) { state.stream.close(); state.stream = null; }
    if (state.flush !== null) { clearTimeout(state.flush); state.flush = null; }
    state.incoming = [];
  }

  async function openDecision(sequence) {
    state.selected = sequence;
    renderRows();
    const detail = document.getElementById('decision-detail');
    fill(detail, el('p', { class: 'muted' }, 'Loading…'));
    try {
      const data = await api(`/console/api/decisions/${sequence}`);
      const d = data.decision;
      const close = el('button', { type: 'button', id: 'close-detail' }, 'Close');
      close.addEventListener('click', () => { state.selected = null; fill(detail); renderRows(); });
      fill(detail,
        el('h2', {}, 'Decision for event ', el('span', { class: 'event-id' }, d.eventId || '')), close,
        el('dl', { class: 'kv panel' },
          el('dt', {}, 'Verdict'), el('dd', {}, verdictBadge(d.verdict)),
          el('dt', {}, 'Type'), el('dd', {}, d.type || ''),
          el('dt', {}, 'Matched'), el('dd', {}, d.matched.join(', ') || 'none'),
          el('dt', {}, 'Audit'), el('dd', {}, d.audit.join(', ') || 'none'),
          (d.waived || []).length ? [el('dt', {}, 'Waived'), el('dd', { class: 'waived' }, d.waived.map(w => `${w.policy} by ${w.waiver}`).join(', '))] : null,
          el('dt', {}, 'Actions'), el('dd', {}, d.actions.join(', ') || 'none'),
          el('dt', {}, 'Revision'), el('dd', {}, d.revision),
          el('dt', {}, 'Latency'), el('dd', {}, `${d.latencyMs} ms`),
          d.error ? [el('dt', {}, 'Error'), el('dd', { class: 'error' }, d.error)] : null),
        el('div', { class: 'split' },
          el('section', { 'aria-labelledby': 'explain-title' }, el('h3', { id: 'explain-title' }, 'Explain'),
            data.explainNote ? el('p', { class: 'muted' }, data.explainNote) : null,
            data.explainError ? el('p', { class: 'error' }, data.explainError) : null,
            data.explain ? explainView(data.explain, data.otherPolicies) : el('p', { class: 'muted' }, data.eventMissing || 'No explanation.')),
          el('section', { 'aria-labelledby': 'event-title' }, el('h3', { id: 'event-title' }, 'Event (masked as in the decision log)'),
            data.event ? codeBlock(data.eventText ?? JSON.stringify(data.event, null, 2), jsonLine, 'The event, masked') : el('p', { class: 'muted' }, data.eventMissing))));
      detail.focus();
    } catch (e) {
      if (!(e instanceof StaleError)) fill(detail, el('p', { class: 'error' }, e.message));
    }
  }

  function explainView(explain, others) {
    if (explain.policies.length === 0) return el('p', { class: 'muted' }, 'No policy is written for this event type.');
    return [explain.policies.map(p => el('div', { class: 'panel explain-policy' },
      el('h4', {}, p.policy, ' ', p.applies ? el('span', { class: 'pass' }, 'applies') : el('span', { class: 'failed' }, 'does not apply')),
      el('p', { class: 'muted' }, p.location),
      p.firstFailure ? el('p', {}, 'First failing clause: ', el('span', { class: 'first-failure' }, p.firstFailure)) : null,
      el('table', { class: 'clauses' },
        el('thead', {}, el('tr', {}, ['', 'Part', 'Path', 'Clause', 'Value seen', 'Where'].map(h => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, p.clauses.map(c => el('tr', {},
          el('td', { class: c.passed ? 'pass' : 'failed' }, c.passed ? 'pass' : 'FAIL'), el('td', {}, c.part), el('td', { class: 'wrap' }, c.path),
          el('td', { class: 'wrap' }, c.clause), el('td', { class: 'wrap seen' }, c.actual.length ? c.actual.join(', ') : 'no value'),
          el('td', { class: 'wrap muted' }, c.location))))),
      el('p', {}, 'Condition: ', p.condition.replace('notevaluated', 'not evaluated'), p.conditionError ? ` (${p.conditionError})` : ''))),
    others > 0 ? el('p', { class: 'muted' }, `${others} other policies are written for other event types.`) : null];
  }

  // ---- Policies
  async function policies() {
    const data = await api('/console/api/policies');
    state.files = data.files;
    const source = el('section', { id: 'policy-source', 'aria-label': 'Policy source', tabindex: -1 });
    const tests = data.tests;
    const testText = tests.state === 'running' ? 'The policy tests are running…'
      : tests.state === 'error' ? tests.problem
        : tests.state === 'done' ? `Policy tests (${tests.files} files): ${tests.passed} passed, ${tests.failed} failed, ${tests.errors} errors` : '';
    const table = el('table', { id: 'policies' },
      el('caption', {}, `Revision ${data.revision || 'none'}: ${data.policies.length} policies; hits since the host started`),
      el('thead', {}, el('tr', {}, ['Policy', 'Mode', 'Scope', 'Exclusions', 'File', 'Matched', 'Audit', 'Tests'].map(h => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, data.policies.map(p => {
        const open = el('button', { type: 'button', class: 'link policy-name' }, p.name);
        open.addEventListener('click', () => openSource(p.file, p.line, p.name));
        const scope = Object.entries(p.scope).filter(([, v]) => v.length).map(([k, v]) => el('span', { class: 'pill' }, `${k}: ${v.join(', ')}`));
        const t = p.tests;
        return el('tr', { 'data-policy': p.name },
          el('td', {}, open, p.description ? el('div', { class: 'muted' }, p.description) : null),
          el('td', {}, p.mode), el('td', {}, scope.length ? scope : el('span', { class: 'muted' }, 'everywhere')),
          el('td', {}, p.exclusions.length ? p.exclusions.map(x => el('div', { class: 'wrap' }, x)) : el('span', { class: 'muted' }, 'none')),
          el('td', { class: 'wrap' }, `${p.file}:${p.line}`), el('td', { class: 'hits' }, String(p.matched)), el('td', {}, String(p.audit)),
          el('td', { class: 'tests' }, !t ? el('span', { class: 'muted' }, tests.state === 'running' ? '…' : 'no tests')
            : t.cases === 0 ? el('span', { class: 'muted' }, `${t.matchingCases} matching cases`)
              : el('span', { class: t.failed + t.errors > 0 ? 'failed' : 'pass' }, `${t.passed}/${t.cases} passed`)));
      })));
    show(el('h1', {}, 'Policies'), el('p', { id: 'tests-status', role: 'status', class: tests.failed > 0 ? 'failed' : 'muted' }, testText), table, source);
    if (tests.state === 'running') state.timer = setTimeout(() => { if (location.hash === '#/policies') route(); }, 1500);
  }

  async function openSource(file, line, name) {
    const target = document.getElementById('policy-source');
    const data = await api(`/console/api/source?file=${encodeURIComponent(file)}`);
    fill(target, el('h2', {}, name ? `${name}: ` : '', el('span', { class: 'file' }, `${file}:${line || 1}`)),
      codeBlock(data.text, yamlLine, `Source of ${file}`, line));
    const lineNode = target.querySelector(`[data-line="${line}"]`);
    if (lineNode) lineNode.scrollIntoView({ block: 'center' });
    target.focus({ preventScroll: true });
  }

  // ---- Playground: diagnostics as you type, the decision and its explanation; nothing is performed.
  let playgroundRequest = null;
  async function playground() {
    const [samples, set] = await Promise.all([api('/console/api/samples'), api('/console/api/policies')]);
    state.files = set.files;
    const sample = el('select', { id: 'sample' }, el('option', { value: '' }, 'Choose a sample event…'), samples.map(s => el('option', { value: s }, s)));
    const eventText = el('textarea', { id: 'event-text', spellcheck: 'false', placeholder: 'Paste a CloudEvent (JSON)' });
    const edit = el('input', { id: 'edit-policy', type: 'checkbox' });
    const file = el('select', { id: 'policy-file' }, state.files.map(f => el('option', { value: f }, f)));
    const yaml = el('textarea', { id: 'policy-yaml', spellcheck: 'false', disabled: true, placeholder: 'Tick "Edit a policy file" to change a file here (nothing is written)' });
    const run = el('button', { type: 'button', class: 'primary', id: 'evaluate' }, 'Evaluate');
    const result = el('section', { id: 'playground-result', 'aria-labelledby': 'result-title', 'aria-live': 'polite' }, el('h2', { id: 'result-title' }, 'Result'));
    show(el('h1', {}, 'Playground'),
      el('p', { class: 'muted' }, 'Try an event against the set in service, or against an edited policy file. Nothing is performed: no action is stored or sent, nothing is logged.'),
      el('div', { class: 'split' },
        el('div', {},
          field('sample', 'Sample event', sample),
          field('event-text', 'Event', eventText),
          el('div', { class: 'field' }, edit, ' ', el('label', { for: 'edit-policy' }, 'Edit a policy file in place (not saved)')),
          field('policy-file', 'Policy file', file),
          field('policy-yaml', 'Policy YAML', yaml),
          el('p', {}, run)),
        result));
    const evaluate = async () => {
      if (playgroundRequest) playgroundRequest.abort();
      playgroundRequest = new AbortController();
      const body = { event: eventText.value };
      if (edit.checked) { body.file = file.value; body.yaml = yaml.value; }
      try {
        const data = await api('/console/api/playground', { method: 'POST', body, signal: playgroundRequest.signal });
        renderPlayground(result, data, eventText.value.trim().length > 0);
      } catch (e) {
        if (e.name !== 'AbortError' && !(e instanceof StaleError)) fill(result, el('h2', { id: 'result-title' }, 'Result'), el('p', { class: 'error' }, e.message));
      }
    };
    const later = debounce(evaluate, 400);
    sample.addEventListener('change', async () => {
      if (!sample.value) return;
      const response = await fetch(`/console/api/samples/${encodeURIComponent(sample.value)}`, { credentials: 'same-origin' });
      eventText.value = await response.text();
      evaluate();
    });
    const loadFile = async () => { yaml.value = (await api(`/console/api/source?file=${encodeURIComponent(file.value)}`)).text; };
    edit.addEventListener('change', async () => { yaml.disabled = !edit.checked; if (edit.checked && !yaml.value) await loadFile(); evaluate(); });
    file.addEventListener('change', async () => { await loadFile(); if (edit.checked) evaluate(); });
    eventText.addEventListener('input', later);
    yaml.addEventListener('input', later);
    run.addEventListener('click', evaluate);
  }

  function renderPlayground(result, data, hasEvent) {
    const decision = data.decision;
    fill(result, el('h2', { id: 'result-title' }, 'Result'),
      el('h3', {}, 'Diagnostics'), diagnosticList(data.diagnostics),
      data.eventError ? el('p', { class: 'error', id: 'event-error' }, `${data.eventError.id}: ${data.eventError.message}`) : null,
      decision ? [el('h3', {}, 'Decision'),
        el('p', { id: 'playground-verdict' }, verdictBadge(decision.verdict), ' matched: ', decision.matched.map(m => m.policy).join(', ') || 'none'),
        decision.matched.flatMap(m => m.actions).map(a => el('p', { class: 'muted' }, `${a.kind}: ${a.reason || a.message || a.channel || a.target || ''}`)),
        el('h3', {}, 'Explain'), explainView(data.explain, data.otherPolicies)]
        : !data.eventError && hasEvent && data.diagnostics.some(d => d.severity === 'error') ? el('p', { class: 'muted' }, 'Fix the errors to see the decision.')
          : !hasEvent ? el('p', { class: 'muted' }, 'Paste or choose an event to see the decision.') : null);
  }

  // ---- Outbox: pending and dead actions; retry and purge as `oer outbox retry|purge` do.
  async function outbox(statusName) {
    const which = statusName || 'dead';
    const data = await api(`/console/api/outbox?status=${which}`);
    const select = el('select', { id: 'outbox-status' }, ['dead', 'pending', 'delivered'].map(s => el('option', { value: s, selected: s === which }, s)));
    select.addEventListener('change', () => outbox(select.value));
    const message = el('p', { id: 'outbox-message', role: 'status' });
    const rows = data.items.map(item => el('tr', { 'data-id': item.id },
      el('td', {}, el('input', { type: 'checkbox', class: 'pick', value: item.id, id: `pick-${item.id}`, 'aria-label': `Select action ${item.id}` })),
      el('td', {}, String(item.id)), el('td', {}, item.kind), el('td', { class: 'wrap' }, item.destination), el('td', { class: 'wrap' }, item.policy || ''),
      el('td', { class: 'wrap' }, item.eventId), el('td', {}, String(item.attempts)), el('td', {}, time(item.createdAt)),
      el('td', { class: 'wrap error last-error' }, item.lastError || '')));
    const selected = () => [...document.querySelectorAll('#outbox-table .pick:checked')].map(c => Number(c.value));
    const act = async (path, body, confirmText) => {
      if (confirmText && !window.confirm(confirmText)) return;
      try {
        const done = await api(path, { method: 'POST', body });
        await outbox(which);
        document.getElementById('outbox-message').textContent = done.queued !== undefined ? `${done.queued} queued for delivery` : `${done.purged} purged`;
      } catch (e) { if (!(e instanceof StaleError)) message.textContent = e.message; }
    };
    const button = (id, text, handler, cls) => { const b = el('button', { type: 'button', id, class: cls }, text); b.addEventListener('click', handler); return b; };
    show(el('h1', {}, 'Outbox'),
      el('p', { class: 'muted' }, `${data.pending} pending, ${data.dead} dead`, data.delivered !== undefined ? `, ${data.delivered} delivered` : '', ` (${data.location})`),
      el('div', { class: 'filters' }, field('outbox-status', 'Show', select),
        button('retry-selected', 'Retry selected', () => { const ids = selected(); if (ids.length) act('/console/api/outbox/retry', { ids }); else message.textContent = 'Select actions first.'; }),
        which === 'dead' ? button('retry-all', 'Retry all dead', () => act('/console/api/outbox/retry', { all: true })) : null,
        which === 'dead' ? button('purge-selected', 'Purge selected', () => { const ids = selected(); if (ids.length) act('/console/api/outbox/purge', { ids }, `Delete ${ids.length} dead actions for good?`); else message.textContent = 'Select actions first.'; }, 'danger') : null,
        which === 'dead' ? button('purge-all', 'Purge all dead', () => act('/console/api/outbox/purge', { all: true }, 'Delete every dead action for good?'), 'danger') : null),
      message,
      el('table', { id: 'outbox-table' }, el('caption', {}, `${which} actions, newest first`),
        el('thead', {}, el('tr', {}, ['Select', 'Id', 'Kind', 'Destination', 'Policy', 'Event', 'Attempts', 'Created', 'Last error'].map(h => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, rows.length ? rows : el('tr', {}, el('td', { colspan: 9, class: 'muted' }, `No ${which} actions.`)))));
  }

  // ---- Routing
  const pages = { overview, decisions, policies, playground, outbox };

  async function route() {
    clearTimeout(state.timer);
    state.token++;
    const name = (location.hash.replace(/^#\//, '') || 'overview').split('?')[0];
    const render = pages[name] || overview;
    if (name !== 'decisions') stopStream();
    for (const link of document.querySelectorAll('nav a')) {
      if (link.dataset.page === name) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
    }
    document.title = `${name[0].toUpperCase()}${name.slice(1)} · OpenEvent.Rules console`;
    try {
      await render();
      status('');
    } catch (e) {
      if (e.status !== 401 && !(e instanceof StaleError)) show(el('h1', {}, 'Something went wrong'), el('p', { class: 'error' }, e.message));
    }
  }

  document.addEventListener('DOMContentLoaded', async () => {
    document.getElementById('login-form').addEventListener('submit', login);
    document.getElementById('logout').addEventListener('click', logout);
    window.addEventListener('hashchange', route);
    if (await session()) route();
  });
})();
