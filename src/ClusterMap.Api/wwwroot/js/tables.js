// The Tables tab: every park against its nearest targets (matrix) or its counts within rings, sortable by any
// column, with the same table as CSV from the API.
import { t, language, formatDistance } from './i18n.js';
import * as api from './api.js';
import { $, el } from './dom.js';
import { state, data, page, results, saveState } from './session.js';
import { key } from './names.js';
import { parkPasses } from './layers.js';
import { ask } from './queries.js';

export async function runTable() {
  const box = $('#table-result');
  box.replaceChildren(el('p', 'loading', t('loading')));
  await ask('table', box, (signal) => api.getJson(tableUrl('json'), { signal }), (answer) => {
    results.table = { kind: state.tableKind, answer };
    renderTable();
  });
}

/** The API's URL for the table the state describes, as JSON or CSV. */
function tableUrl(format) {
  const { parks } = page.roles;
  return state.tableKind === 'rings'
    ? api.ringsUrl(parks, state.tableTo, parseRings(state.ringsKm).map((r) => Math.round(r * 1000)), format)
    : api.matrixUrl(parks, state.tableTo, state.matrixK, state.matrixMaxKm ? Math.round(state.matrixMaxKm * 1000) : '', format);
}

function parseRings(text) {
  const values = String(text).split(/[,，\s]+/).map(Number).filter((v) => Number.isFinite(v) && v > 0);
  return values.length ? values : [1, 3, 5, 10];
}

function originName(origin) {
  return language() === 'zh' ? origin.name_zh || origin.name_en : origin.name_en || origin.name_zh;
}

/** Columns (label, sort value, type, and how a cell shows) and rows of a rings answer. */
function ringsView(answer, passes) {
  const columns = [
    { label: t('colPark'), value: (r) => r.park, type: 'text' },
    { label: t('colUncertainty'), value: (r) => r.uncertainty, type: 'num', show: (r) => formatDistance(r.uncertainty) },
    ...answer.rings_m.map((radius, i) => ({
      label: `≤ ${formatDistance(radius)}`, value: (r) => r.rings[i].count, type: 'num',
      show: (r) => `${r.rings[i].count}${r.rings[i].certain + r.rings[i].possible > r.rings[i].count ? ` (+${r.rings[i].certain + r.rings[i].possible - r.rings[i].count}?)` : ''}`,
    })),
    { label: t('colNearest'), value: (r) => r.nearest, type: 'text' },
    { label: t('colDistance'), value: (r) => r.distance, type: 'num', show: (r) => (r.distance === null ? '—' : formatDistance(r.distance)) },
  ];
  const rows = answer.rows.filter((row) => passes(row.origin.id)).map((row) => ({
    id: row.origin.id, park: originName(row.origin), uncertainty: row.origin.location_uncertainty_m, rings: row.rings,
    nearest: row.nearest ? originName(row.nearest) : '—', distance: row.nearest ? row.nearest.distance_m : null,
  }));
  return { columns, rows };
}

/** Columns and rows (one per park and target) of a matrix answer. */
function matrixView(answer, passes) {
  const hasWithin = answer.rows.some((row) => row.targets.some((target) => target.within));
  const columns = [
    { label: t('colPark'), value: (r) => r.park, type: 'text' },
    { label: t('colRank'), value: (r) => r.rank, type: 'num' },
    { label: t('colTarget'), value: (r) => r.target, type: 'text' },
    { label: t('colDistance'), value: (r) => r.distance, type: 'num', show: (r) => formatDistance(r.distance) },
    { label: t('colRange'), value: (r) => r.max, type: 'num', show: (r) => `${formatDistance(r.min)} – ${formatDistance(r.max)}` },
  ];
  if (hasWithin) columns.push({ label: t('colWithin'), value: (r) => r.within ?? '', type: 'text', show: (r) => (r.within ? t(r.within) : '') });
  const rows = answer.rows.filter((row) => passes(row.origin.id)).flatMap((row) => row.targets.map((target) => ({
    id: row.origin.id, park: originName(row.origin), rank: target.rank, target: originName(target), distance: target.distance_m,
    min: target.distance_min_m, max: target.distance_max_m, within: target.within,
  })));
  return { columns, rows };
}

export function renderTable() {
  const { parks } = page.roles;
  const box = $('#table-result');
  const result = results.table;
  if (!result) return;
  const passes = (id) => {
    const park = data[parks].byId.get(id);
    return !park || parkPasses(park);
  };
  const { columns, rows } = result.kind === 'rings' ? ringsView(result.answer, passes) : matrixView(result.answer, passes);
  const sort = state.tableSort ?? { column: 0, descending: false };
  const column = columns[Math.min(sort.column, columns.length - 1)];
  const collator = new Intl.Collator(language() === 'zh' ? 'zh-CN' : 'en');
  rows.sort((a, b) => {
    const x = column.value(a);
    const y = column.value(b);
    const order = column.type === 'num' ? (x ?? Infinity) - (y ?? Infinity) : collator.compare(String(x), String(y));
    return (sort.descending ? -order : order) || collator.compare(a.park, b.park) || (a.rank ?? 0) - (b.rank ?? 0);
  });
  const table = el('table', 'results sortable');
  table.dataset.testid = 'table-view';
  const head = el('tr');
  columns.forEach((c, i) => {
    const th = el('th', c.type === 'num' ? 'num' : '');
    const button = el('button', 'sort', c.label);
    button.type = 'button';
    button.addEventListener('click', () => {
      state.tableSort = { column: i, descending: sort.column === i ? !sort.descending : false };
      saveState();
      renderTable();
    });
    th.append(button);
    if (i === sort.column) th.setAttribute('aria-sort', sort.descending ? 'descending' : 'ascending');
    head.append(th);
  });
  const thead = el('thead');
  thead.append(head);
  const tbody = el('tbody');
  for (const row of rows) {
    const tr = el('tr');
    tr.dataset.testid = 'table-row';
    tr.dataset.ref = key(parks, row.id);
    if (row.within === 'possible') tr.classList.add('possible');
    for (const c of columns) {
      const td = el('td', c.type === 'num' ? 'num' : '', c.show ? c.show(row) : String(c.value(row)));
      tr.append(td);
    }
    tbody.append(tr);
  }
  table.append(thead, tbody);
  const csv = el('a', 'button', t('downloadCsv'));
  csv.dataset.testid = 'table-csv';
  csv.href = tableUrl('csv');
  csv.download = `${state.tableKind}-${parks}-${state.tableTo}.csv`;
  const note = el('p', 'hint small', result.kind === 'rings' ? t('ringsHelp') : t('estimatedNote'));
  const wrapper = el('div', 'table-scroll');
  wrapper.append(table);
  box.replaceChildren(el('p', 'hint', t('rowsShown', { n: rows.length })), wrapper, note, csv);
}
