/**
 * The HTML report's only script, inlined in the page: it reads the embedded
 * database records, and sorts, filters, searches and pages the table. Every
 * value goes into the page through textContent, never as markup, so nothing
 * from AWS or a server can become HTML. Evidence is built when a reader
 * opens a database.
 */
export const REPORT_SCRIPT = `
(function () {
  'use strict';
  var PAGE = 200;
  var SEVERITY = { NON_COMPLIANT: 0, INSUFFICIENT_DATA: 1, COMPLIANT: 2, NOT_APPLICABLE: 3 };
  var CLASS = { NON_COMPLIANT: 'non-compliant', INSUFFICIENT_DATA: 'insufficient-data', COMPLIANT: 'compliant', NOT_APPLICABLE: 'not-applicable' };
  var records = JSON.parse(document.getElementById('report-data').textContent);
  var body = document.getElementById('rows');
  var count = document.getElementById('count');
  var more = document.getElementById('more');
  var controls = {
    q: document.getElementById('search'),
    verdict: document.getElementById('filter-verdict'),
    engine: document.getElementById('filter-engine'),
    account: document.getElementById('filter-account'),
    region: document.getElementById('filter-region'),
    sort: document.getElementById('sort'),
    dir: document.getElementById('sort-direction')
  };
  var limit = PAGE;
  var descending = false;
  records.forEach(function (r) {
    r.text = [r.identifier, r.resourceId, r.arn, r.engine, r.engineVersion, r.account, r.region, r.verdict, r.reason, r.annotation, r.remediation].join('\\n').toLowerCase();
  });

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function badge(verdict) { return el('span', 'badge ' + (CLASS[verdict] || ''), verdict); }
  function options(select, key) {
    var seen = {};
    records.forEach(function (r) { seen[r[key]] = true; });
    Object.keys(seen).sort().forEach(function (value) {
      var option = el('option', '', value);
      option.value = value;
      select.appendChild(option);
    });
  }
  function compareText(a, b) { return a < b ? -1 : a > b ? 1 : 0; }
  var SORTS = {
    severity: function (a, b) { return SEVERITY[a.verdict] - SEVERITY[b.verdict] || compareText(a.identifier, b.identifier); },
    name: function (a, b) { return compareText(a.identifier, b.identifier) || compareText(a.region, b.region); },
    engine: function (a, b) { return compareText(a.engine, b.engine) || compareText(a.identifier, b.identifier); },
    account: function (a, b) { return compareText(a.account, b.account) || compareText(a.identifier, b.identifier); },
    region: function (a, b) { return compareText(a.region, b.region) || compareText(a.identifier, b.identifier); }
  };

  function matching() {
    var q = controls.q.value.trim().toLowerCase();
    var wanted = { verdict: controls.verdict.value, engine: controls.engine.value, account: controls.account.value, region: controls.region.value };
    var list = records.filter(function (r) {
      for (var key in wanted) { if (wanted[key] && r[key] !== wanted[key]) return false; }
      return !q || r.text.indexOf(q) !== -1;
    });
    var compare = SORTS[controls.sort.value] || SORTS.severity;
    list.sort(descending ? function (a, b) { return compare(b, a); } : compare);
    return list;
  }

  function cell(row, label, content, className) {
    var td = el('td', className);
    td.setAttribute('data-label', label);
    if (typeof content === 'string') td.textContent = content; else td.appendChild(content);
    row.appendChild(td);
    return td;
  }

  function render() {
    var list = matching();
    var fragment = document.createDocumentFragment();
    list.slice(0, limit).forEach(function (r) {
      var row = el('tr', 'row');
      row.setAttribute('data-verdict', r.verdict);
      var name = el('div');
      var toggle = el('button', 'open', r.identifier);
      toggle.type = 'button';
      toggle.setAttribute('aria-expanded', 'false');
      toggle.title = 'show the evidence for ' + r.identifier;
      name.appendChild(toggle);
      name.appendChild(el('div', 'meta', r.resourceType.replace('AWS::RDS::', '')));
      cell(row, 'Database', name, 'name');
      cell(row, 'Verdict', badge(r.verdict));
      cell(row, 'Engine', r.engine + ' ' + r.engineVersion);
      cell(row, 'Account', r.account, 'mono account');
      cell(row, 'Region', r.region);
      var finding = el('div');
      finding.appendChild(el('code', '', r.reason));
      finding.appendChild(el('div', '', r.annotation));
      cell(row, 'Finding', finding, 'finding');
      cell(row, 'Remediation', r.remediation || '-', 'fix');
      toggle.addEventListener('click', function () { openDetails(row, r, toggle); });
      fragment.appendChild(row);
    });
    body.textContent = '';
    body.appendChild(fragment);
    count.textContent = 'Showing ' + Math.min(limit, list.length) + ' of ' + list.length + ' matching databases (' + records.length + ' in the report)';
    more.hidden = list.length <= limit;
  }

  function evidenceTable(rows) {
    if (!rows.length) return el('p', 'none', 'No evidence recorded.');
    var table = el('table', 'evidence');
    var head = el('tr');
    ['Source', 'What', 'Value'].forEach(function (h) { head.appendChild(el('th', '', h)); });
    table.appendChild(el('thead')).appendChild(head);
    var tbody = el('tbody');
    rows.forEach(function (e) {
      var tr = el('tr');
      tr.appendChild(el('td', '', e[0]));
      tr.appendChild(el('td', 'mono', e[1]));
      tr.appendChild(el('td', 'mono', e[2]));
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    return table;
  }

  function findingBlock(title, f) {
    var box = el('div');
    var h = el('h4', '', title + ' ');
    h.appendChild(badge(f.verdict));
    h.appendChild(document.createTextNode(' '));
    h.appendChild(el('code', '', f.reason));
    if (f.durationMs !== undefined) h.appendChild(el('span', 'meta', ' ' + f.durationMs + ' ms'));
    box.appendChild(h);
    box.appendChild(el('p', '', f.annotation));
    box.appendChild(evidenceTable(f.evidence));
    return box;
  }

  function openDetails(row, r, toggle) {
    var next = row.nextSibling;
    if (next && next.className === 'details') {
      next.parentNode.removeChild(next);
      toggle.setAttribute('aria-expanded', 'false');
      return;
    }
    var tr = el('tr', 'details');
    var td = el('td');
    td.colSpan = 7;
    var facts = el('dl', 'params');
    var rows = [['Resource id', r.resourceId], ['ARN', r.arn], ['Endpoint', r.endpoint]];
    if (r.clusterEndpoints) rows.push(['Cluster endpoints', r.clusterEndpoints]);
    if (r.memberOf) rows.push(['Member of cluster', r.memberOf + ' (counted with its cluster)']);
    rows.push(['Evaluated at', r.evaluatedAt]);
    rows.forEach(function (pair) {
      facts.appendChild(el('dt', '', pair[0]));
      facts.appendChild(el('dd', 'mono', pair[1]));
    });
    td.appendChild(facts);
    td.appendChild(findingBlock('Configuration', r.configuration));
    if (r.live) td.appendChild(findingBlock('Live probe', r.live));
    else { td.appendChild(el('h4', '', 'Live probe')); td.appendChild(el('p', 'none', r.noLiveProbe)); }
    if (r.problems.length) {
      td.appendChild(el('h4', '', 'Problems'));
      var ul = el('ul', 'problems');
      r.problems.forEach(function (p) { ul.appendChild(el('li', '', p[0] + ': ' + p[1])); });
      td.appendChild(ul);
    }
    tr.appendChild(td);
    row.parentNode.insertBefore(tr, row.nextSibling);
    toggle.setAttribute('aria-expanded', 'true');
  }

  options(controls.engine, 'engine');
  options(controls.account, 'account');
  options(controls.region, 'region');
  function again() { limit = PAGE; render(); }
  controls.q.addEventListener('input', again);
  ['verdict', 'engine', 'account', 'region', 'sort'].forEach(function (key) { controls[key].addEventListener('change', again); });
  controls.dir.addEventListener('click', function () {
    descending = !descending;
    controls.dir.textContent = descending ? 'descending' : 'ascending';
    controls.dir.setAttribute('aria-pressed', String(descending));
    again();
  });
  more.addEventListener('click', function () { limit += PAGE * 5; render(); });
  render();
  if (window.performance && performance.mark) performance.mark('report-rendered');
  document.documentElement.setAttribute('data-ready', 'true');
})();
`.trim();
