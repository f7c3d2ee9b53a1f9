// The proximity queries behind the Radius and Nearest tabs: the request (one of a kind at a time), the answer as a
// list in the panel, and as a ring, highlights or lines on the map.
import { t, formatDistance } from './i18n.js';
import * as api from './api.js';
import { $, el, showError } from './dom.js';
import { state, data, page, graphics, results } from './session.js';
import { ROLE_COLORS } from './roles.js';
import { key, feature, names, sectorText, layerName, collectionOf } from './names.js';
import { fitPadding } from './map.js';
import { focusFeature } from './selection.js';
import { runTable } from './tables.js';
import { runAnalysis } from './analysis.js';
import { exportButtons } from './exports.js';
import { latLngOf } from './datum.js';
import { offsetOf, OffsetCircleMarker } from './spread.js';
import { chosenDistrict, districtName, inDistrict } from './districts.js';

const L = window.L;
const inflight = {};

export async function refreshQueries() {
  clearResultGraphics();
  if (state.tab === 'radius') await runWithin();
  else if (state.tab === 'nearest') await runNearest();
  else if (state.tab === 'tables') await runTable();
  else if (state.tab === 'analysis') await runAnalysis();
}

function clearResultGraphics() {
  for (const name of ['ring', 'highlights', 'lines']) {
    if (graphics[name]) graphics[name].remove();
    graphics[name] = null;
  }
}

/** Runs one request of a kind at a time: a newer one aborts the older (the slider sends many). */
async function latest(kind, request) {
  inflight[kind]?.abort();
  const controller = new AbortController();
  inflight[kind] = controller;
  try {
    return await request(controller.signal);
  } finally {
    if (inflight[kind] === controller) inflight[kind] = null;
  }
}

/**
 * Asks for the result of a kind ('within', 'nearest', 'table'), the latest request only, and hands the answer to
 * `show`; an error answer empties the kept result and puts the service's message in `box`.
 */
export async function ask(kind, box, request, show) {
  try {
    show(await latest(kind, request));
  } catch (error) {
    if (error.name === 'AbortError') return;
    results[kind] = null;
    showError(box, error);
  }
}

export function radiusMeters() {
  return Math.round(state.radiusKm * 1000);
}

export async function runWithin() {
  const { map, roles } = page;
  const box = $('#radius-result');
  const origin = feature(state.from);
  if (!origin) {
    box.replaceChildren(el('p', 'hint', t('radiusHelp')));
    results.within = null;
    return;
  }
  const ring = L.circle(latLngOf(collectionOf(state.from), origin), { radius: radiusMeters(), pane: 'overlayPane', color: '#c0392b', weight: 2, fill: false, interactive: false, className: 'cm-ring' });
  clearResultGraphics();
  graphics.ring = ring.addTo(map);
  if (!page.restoring && (page.fitNext || !map.getBounds().pad(-0.05).contains(ring.getBounds()))) map.fitBounds(ring.getBounds(), fitPadding(10));
  page.fitNext = false;
  box.replaceChildren(el('p', 'loading', t('loading')));
  const filters = {};
  if (state.sector) filters.sector = state.sector;
  // The service filters by the district_id the geodata build computed; a park collection without one is filtered
  // here, by the district's polygon.
  const byId = data[roles.parks].features.some((f) => 'district_id' in f.properties);
  if (state.district && byId) filters.district_id = state.district;
  await ask('within', box, (signal) => api.within(roles.parks, state.from, radiusMeters(), filters, { signal }), (answer) => {
    const kept = state.district && !byId ? { ...answer, features: answer.features.filter(inDistrict) } : answer;
    results.within = { origin: state.from, radius: radiusMeters(), answer: kept };
    renderWithin();
  });
}

export function renderWithin() {
  const box = $('#radius-result');
  const result = results.within;
  if (!result) return;
  if (graphics.highlights) graphics.highlights.remove();
  graphics.highlights = L.layerGroup().addTo(page.map);
  const origin = feature(result.origin);
  const features = result.answer.features;
  const certain = features.filter((f) => f.properties.within === 'certain').length;
  const summary = el('p', 'summary');
  summary.dataset.testid = 'radius-summary';
  const values = { n: features.length, r: formatDistance(result.radius), name: names(origin).primary, certain, possible: features.length - certain };
  summary.textContent = features.length ? t('withinSummary', values) : t('withinNone', values);
  const district = chosenDistrict();
  const filterText = [state.sector, district && districtName(district)].filter(Boolean).join(', ');
  const nodes = [summary];
  if (filterText) nodes.push(el('p', 'hint', t('filtersApplied', { f: filterText })));
  if (features.length) {
    const table = resultTable(['colRank', 'colName', 'colDistance', 'colWithin'], features.map((f) => withinRow(f)), 'radius-row');
    nodes.push(table, el('p', 'hint small', t('possibleHelp')), exportButtons('within'));
    for (const f of features) {
      new OffsetCircleMarker(latLngOf(page.roles.parks, f), {
        offsetPx: offsetOf(key(page.roles.parks, f.id)), pane: 'results', radius: 13, color: '#c0392b', weight: f.properties.within === 'certain' ? 3 : 2, dashArray: f.properties.within === 'certain' ? null : '3 3', fill: false, interactive: false,
        className: `cm-hit cm-hit-${f.properties.within}`,
      }).addTo(graphics.highlights);
    }
  }
  box.replaceChildren(...nodes);
}

function withinRow(f) {
  const { parks } = page.roles;
  const p = f.properties;
  const n = names(f);
  const nameCell = el('td');
  nameCell.append(el('div', 'name', n.primary));
  const sub = [n.secondary, sectorText(p)].filter(Boolean).join(' · ');
  if (sub) nameCell.append(el('div', 'secondary', sub));
  const status = el('td');
  status.append(el('span', `chip chip-${p.within}`, t(p.within)));
  const row = el('tr', p.within === 'possible' ? 'possible' : 'certain');
  row.dataset.ref = key(parks, f.id);
  row.dataset.within = p.within;
  row.append(el('td', 'num', String(p.rank)), nameCell, distanceCell(p), status);
  row.addEventListener('click', () => focusFeature(key(parks, f.id)));
  return row;
}

export async function runNearest() {
  const { research } = page.roles;
  const box = $('#nearest-result');
  const park = feature(state.park);
  if (!park) {
    box.replaceChildren(el('p', 'hint', t('nearestHelp')));
    results.nearest = null;
    return;
  }
  box.replaceChildren(el('p', 'loading', t('loading')));
  await ask('nearest', box, (signal) => Promise.all(research.map((target) => api.nearest(state.park, target, state.k, { signal }))), (answers) => {
    results.nearest = { park: state.park, ...Object.fromEntries(research.map((target, i) => [target, answers[i]])) };
    renderNearest();
  });
}

export function renderNearest() {
  const { roles } = page;
  const box = $('#nearest-result');
  const result = results.nearest;
  if (!result) return;
  clearResultGraphics();
  graphics.lines = L.layerGroup().addTo(page.map);
  const park = feature(result.park);
  const [plat, plon] = latLngOf(collectionOf(result.park), park);
  const nodes = [];
  const bounds = L.latLngBounds([[plat, plon]]);
  for (const target of roles.research) {
    const answer = result[target];
    const role = roles.of(target);
    nodes.push(el('h3', null, roles.research.filter((id) => roles.of(id) === role).length > 1 ? layerName(target) : t(role === 'university' ? 'nearestUniversities' : 'nearestInstitutes')));
    const rows = answer.features.map((f) => nearestRow(target, f));
    nodes.push(rows.length ? resultTable(['colRank', 'colName', 'colDistance'], rows, `nearest-row-${target}`) : el('p', 'hint', '—'));
    for (const f of answer.features) {
      const [lat, lon] = latLngOf(target, f);
      bounds.extend([lat, lon]);
      const label = `${f.properties.rank}. ${formatDistance(f.properties.distance_m)}`;
      L.polyline([[plat, plon], [lat, lon]], { pane: 'overlayPane', color: ROLE_COLORS[role], weight: 2, opacity: 0.8, dashArray: role === 'institute' ? '6 4' : null, className: 'cm-line' })
        .bindTooltip(`${names(f).primary}: ${label}`, { sticky: true, className: 'cm-tooltip' })
        .addTo(graphics.lines);
      // The three nearest carry their distance at the far end, where it does not hide the park.
      if (f.properties.rank <= 3) {
        L.tooltip({ permanent: true, direction: lon >= plon ? 'right' : 'left', offset: [lon >= plon ? 8 : -8, 0], className: `cm-line-label cm-line-label-${role}` })
          .setLatLng([lat, lon]).setContent(label).addTo(graphics.lines);
      }
    }
  }
  nodes.push(el('p', 'hint small', t('estimatedNote')), exportButtons('nearest'));
  box.replaceChildren(...nodes);
  if (!page.restoring) page.map.fitBounds(bounds, { ...fitPadding(30), maxZoom: 14 });
}

function nearestRow(target, f) {
  const p = f.properties;
  const n = names(f);
  const nameCell = el('td');
  nameCell.append(el('div', 'name', n.primary));
  if (n.secondary) nameCell.append(el('div', 'secondary', n.secondary));
  const row = el('tr', p.distance_exact ? '' : 'estimate');
  row.dataset.ref = key(target, f.id);
  row.append(el('td', 'num', String(p.rank)), nameCell, distanceCell(p));
  row.addEventListener('click', () => focusFeature(key(target, f.id)));
  return row;
}

/** A result's distance, with the range the locations' uncertainty allows beneath it. */
function distanceCell(p) {
  const distance = el('td', 'num');
  const value = el('span', 'distance', formatDistance(p.distance_m));
  value.dataset.distanceM = String(p.distance_m);
  distance.append(value, el('div', 'range', `${formatDistance(p.distance_min_m)} – ${formatDistance(p.distance_max_m)}`));
  return distance;
}

function resultTable(headerKeys, rows, testid) {
  const table = el('table', 'results');
  table.dataset.testid = testid;
  const head = el('tr');
  for (const k of headerKeys) head.append(el('th', k === 'colRank' || k === 'colDistance' ? 'num' : '', t(k)));
  const thead = el('thead');
  thead.append(head);
  const tbody = el('tbody');
  for (const row of rows) {
    row.dataset.testid = testid;
    tbody.append(row);
  }
  table.append(thead, tbody);
  return table;
}
