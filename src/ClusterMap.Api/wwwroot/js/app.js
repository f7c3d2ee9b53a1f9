// ClusterMap's browser client: Leaflet on ClusterMap's own tiles, the OGC API's GeoJSON as overlays, and the
// proximity API behind the radius, nearest, matrix and rings views. Everything the user sees is kept in `state`,
// and `state` is kept in the URL's hash, so a link reproduces the map.
import { t, setLanguage, language, translatePage, formatDistance } from './i18n.js';
import * as api from './api.js';
import { toCsv, saveFile } from './download.js';
import { readHash, writeHash } from './state.js';

const L = window.L;
// Collections by the role the service stores for each (config.layers): what a layer is drawn as never depends on its id.
let OVERLAYS = ['parks', 'universities', 'institutes', 'metro-stations'];
let BASEMAP = ['land', 'water'];
let PARKS = 'parks';
let INSTITUTES = ['institutes'];
let RESEARCH = ['universities', 'institutes'];
const COLORS = { university: '#1f3a5f', institute: '#7a1f3d', context: '#777777' };
const MIN_KM = 0.5;
const MAX_KM = 50;

const state = readHash(window.location.hash, navigator.language);
const data = {}; // collection id → { features, byId }
let config = null;
let map;
const groups = {}; // collection id → L.LayerGroup
const markers = new Map(); // 'collection/id' → marker
const graphics = { uncertainty: null, ring: null, highlights: null, lines: null };
const results = { within: null, nearest: null, table: null };
const inflight = {};
let externalLayer = null;
let ownLayer = null;
let restoring = true;
let fitNext = false; // the next radius answer frames its ring (a new origin, or a link without a view)

const $ = (selector) => document.querySelector(selector);
const el = (tag, className, text) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
};

// ---------------------------------------------------------------- names and features

const key = (collection, id) => `${collection}/${id}`;

/** A collection's role: park, university, institute, context, land or water (context for anything the service does not say). */
const roleOf = (collection) => config?.layers?.find((l) => l.id === collection)?.role ?? 'context';

function useRoles() {
  const ids = (...roles) => (config.layers ?? []).filter((l) => roles.includes(l.role)).map((l) => l.id);
  if (!config.layers?.length) return;
  PARKS = ids('park')[0] ?? PARKS;
  INSTITUTES = ids('institute');
  RESEARCH = [...ids('university'), ...INSTITUTES];
  OVERLAYS = ids('park', 'university', 'institute', 'context');
  BASEMAP = ids('land', 'water');
}

/** Settles what the link left to the data: the default layers, the table's target, and no id the service does not have. */
function settleState() {
  state.layers = state.layers === null ? [PARKS, ...RESEARCH] : state.layers.filter((id) => OVERLAYS.includes(id));
  if (!RESEARCH.includes(state.tableTo)) state.tableTo = RESEARCH[0] ?? null;
}

/** One checkbox per drawn collection, and the table's choice of targets; their words are set by renderLayerNames. */
function buildLayerControls() {
  const checks = $('#layer-checks');
  checks.replaceChildren();
  for (const id of OVERLAYS) {
    const box = el('input');
    box.type = 'checkbox';
    box.dataset.layer = id;
    box.addEventListener('change', () => {
      state.layers = OVERLAYS.filter((x) => (x === id ? box.checked : state.layers.includes(x)));
      applyLayerVisibility();
      saveState();
    });
    const name = el('span');
    name.dataset.layerName = id;
    const label = el('label');
    label.append(box, document.createTextNode(' '), name);
    checks.append(label);
  }
  const to = $('#table-to');
  to.replaceChildren(...RESEARCH.map((id) => {
    const option = new Option(id, id);
    option.dataset.layerName = id;
    return option;
  }));
  renderLayerNames();
}

function renderLayerNames() {
  for (const node of document.querySelectorAll('[data-layer-name]')) node.textContent = layerName(node.dataset.layerName);
}

/** The interface's name for a layer, or the collection's own title for a layer it has no words for (e.g. an imported one). */
const layerName = (collection) => {
  const text = t(`layer_${collection}`);
  return text === `layer_${collection}` ? config?.layers?.find((l) => l.id === collection)?.title ?? collection : text;
};

function feature(ref) {
  if (!ref) return null;
  const slash = ref.indexOf('/');
  const collection = ref.slice(0, slash);
  return data[collection]?.byId.get(ref.slice(slash + 1)) ?? null;
}

function names(f) {
  const p = f.properties;
  const zh = [p.name_zh, p.campus_zh].filter(Boolean).join(' ');
  const en = [p.name_en, p.campus_en].filter(Boolean).join(', ');
  return language() === 'zh' ? { primary: zh || en || f.id, secondary: en && en !== zh ? en : '' } : { primary: en || zh || f.id, secondary: zh && zh !== en ? zh : '' };
}

function sectorText(p) {
  if (!p.sector && !p.sector_en) return t('notStated');
  return language() === 'zh' ? p.sector || p.sector_en : p.sector_en || p.sector;
}

function sectorColor(parkId) {
  const family = config?.park_sector_family?.[parkId] ?? 'Other';
  return config?.sectors.find((s) => s.family === family)?.color ?? '#dddddd';
}

// ---------------------------------------------------------------- start-up

async function start() {
  setLanguage(state.lang);
  translatePage();
  wireControls();
  setStatus(t('loading'), 'loading');
  try {
    config = await api.getJson('/client/config.json');
  } catch (error) {
    setStatus(t('loadError', { what: 'config', msg: error.message }), 'error');
    return;
  }
  useRoles();
  settleState();
  buildLayerControls();
  createMap();
  const loads = OVERLAYS.map(async (id) => {
    try {
      const collection = await api.loadCollection(id);
      data[id] = { features: collection.features, byId: new Map(collection.features.map((f) => [f.id, f])) };
    } catch (error) {
      data[id] = { features: [], byId: new Map(), error: error.message };
    }
  });
  await Promise.all(loads);
  const failed = OVERLAYS.filter((id) => data[id].error);
  if (failed.length) {
    setStatus(failed.map((id) => t('loadError', { what: layerName(id), msg: data[id].error })).join(' '), 'error');
  } else {
    setStatus('');
  }
  buildOverlays();
  fillChoosers();
  renderAll();
  // A link with a view keeps it; without one, the data (and then the query's ring or lines) decide the view.
  const keepView = Boolean(state.view);
  if (!keepView) fitToData();
  restoring = keepView;
  fitNext = !keepView;
  await refreshQueries();
  restoring = false;
  document.body.dataset.ready = 'true';
}

function createMap() {
  map = L.map('map', { zoomControl: true, minZoom: 7, maxZoom: 18 });
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  ownLayer = L.tileLayer(config.basemap.url.replace('.png', '{r}.png'), {
    maxZoom: 18, minZoom: 7, attribution: `${escapeHtml(config.basemap.attribution)} · ClusterMap`,
  });
  if (config.external_basemap) {
    externalLayer = L.tileLayer(config.external_basemap.url, { maxZoom: 18, attribution: escapeHtml(config.external_basemap.attribution) });
  }
  (state.base === 'external' && externalLayer ? externalLayer : ownLayer).addTo(map);
  L.control.scale({ metric: true, imperial: false, position: 'bottomleft' }).addTo(map);
  map.createPane('metro').style.zIndex = 405;
  map.createPane('research').style.zIndex = 420;
  map.createPane('parks').style.zIndex = 430;
  map.createPane('results').style.zIndex = 440;
  if (state.view) map.setView([state.view.lat, state.view.lon], state.view.zoom);
  else map.setView([31.2, 121.5], 10);
  map.on('moveend', () => {
    const c = map.getCenter();
    state.view = { zoom: map.getZoom(), lat: c.lat, lon: c.lng };
    saveState();
  });
  legendControl().addTo(map);
}

/** Padding for fitBounds that keeps what is framed below the open legend (top right), not under it. */
function fitPadding(margin) {
  const legend = $('#legend');
  const top = legend && legend.offsetHeight > 0 ? legend.offsetTop + legend.offsetHeight + margin : margin;
  return { paddingTopLeft: [margin, Math.max(margin, top)], paddingBottomRight: [margin, margin] };
}

function fitToData() {
  const points = [PARKS, ...RESEARCH].flatMap((id) => data[id].features).map((f) => [f.geometry.coordinates[1], f.geometry.coordinates[0]]);
  if (points.length) map.fitBounds(L.latLngBounds(points), fitPadding(20));
}

// ---------------------------------------------------------------- overlays

function buildOverlays() {
  for (const id of OVERLAYS) {
    groups[id] = L.layerGroup();
    // Points only: other geometries of a context layer are drawn by the tiles.
    for (const f of data[id].features.filter((x) => x.geometry?.type === 'Point')) {
      const marker = createMarker(id, f);
      marker.on('click', () => choose(key(id, f.id)));
      marker.on('add', () => {
        const element = marker.getElement();
        if (element) {
          element.dataset.ref = key(id, f.id);
          element.classList.toggle('is-selected', state.sel === key(id, f.id));
        }
      });
      markers.set(key(id, f.id), marker);
    }
  }
  applyFilters();
  applyLayerVisibility();
}

function createMarker(collection, f) {
  const [lon, lat] = f.geometry.coordinates;
  let marker;
  const role = roleOf(collection);
  if (role === 'park') {
    marker = L.circleMarker([lat, lon], {
      pane: 'parks', radius: 9, color: '#222222', weight: 1.5, fillColor: sectorColor(f.id), fillOpacity: 0.95, className: 'cm-park',
    });
  } else if (role === 'context') {
    marker = L.circleMarker([lat, lon], { pane: 'metro', radius: 3, color: '#ffffff', weight: 1, fillColor: COLORS.context, fillOpacity: 1, className: 'cm-metro' });
  } else {
    const className = role === 'university' ? 'cm-icon cm-icon-university' : 'cm-icon cm-icon-institute';
    marker = L.marker([lat, lon], { pane: 'research', icon: L.divIcon({ className, iconSize: role === 'university' ? [10, 10] : [11, 11] }), keyboard: true, title: '' });
  }
  marker.bindTooltip(() => tooltipContent(collection, f), { direction: 'top', offset: [0, -6], className: 'cm-tooltip' });
  return marker;
}

function tooltipContent(collection, f) {
  const p = f.properties;
  const n = names(f);
  const box = el('div');
  box.append(el('strong', null, n.primary));
  if (n.secondary) box.append(el('div', 'secondary', n.secondary));
  const facts = [kindName(collection)];
  if (roleOf(collection) === 'park') facts.push(sectorText(p));
  if (p.district) facts.push(p.district);
  box.append(el('div', 'facts', facts.join(' · ')));
  if (p.location_uncertainty_m) box.append(el('div', 'facts', `${t('uncertainty')}: ${t('uncertaintyValue', { m: formatDistance(p.location_uncertainty_m) })}`));
  return box;
}

/** What one feature of a collection is called ("Industrial park"), from the collection's role. */
function kindName(collection) {
  const role = roleOf(collection);
  // A context layer has no one kind: the interface's word for that collection if it has one, else its title.
  const wanted = role === 'context' ? `kind_${collection}` : `kind_${role}`;
  const text = t(wanted);
  return text === wanted ? layerName(collection) : text;
}

function parkPasses(f) {
  const p = f.properties;
  return (!state.sector || p.sector === state.sector) && (!state.district || p.district === state.district);
}

function applyFilters() {
  const parks = groups[PARKS];
  if (!parks) return;
  let shown = 0;
  for (const f of data[PARKS].features) {
    const marker = markers.get(key(PARKS, f.id));
    if (parkPasses(f)) {
      shown += 1;
      if (!parks.hasLayer(marker)) parks.addLayer(marker);
    } else if (parks.hasLayer(marker)) {
      parks.removeLayer(marker);
    }
  }
  for (const id of INSTITUTES) {
    const institutes = groups[id];
    for (const f of data[id].features) {
      const marker = markers.get(key(id, f.id));
      if (!marker) continue;
      const passes = !state.district || f.properties.district === state.district;
      if (passes && !institutes.hasLayer(marker)) institutes.addLayer(marker);
      if (!passes && institutes.hasLayer(marker)) institutes.removeLayer(marker);
    }
  }
  for (const id of OVERLAYS.filter((x) => x !== PARKS && !INSTITUTES.includes(x))) {
    if (groups[id].getLayers().length === 0) for (const f of data[id].features) if (markers.has(key(id, f.id))) groups[id].addLayer(markers.get(key(id, f.id)));
  }
  const count = $('#filter-count');
  count.textContent = t('filterCount', { shown, total: data[PARKS].features.length });
  count.dataset.shown = String(shown);
}

function applyLayerVisibility() {
  for (const id of OVERLAYS) {
    const visible = state.layers.includes(id);
    if (visible && !map.hasLayer(groups[id])) groups[id].addTo(map);
    if (!visible && map.hasLayer(groups[id])) map.removeLayer(groups[id]);
    const box = document.querySelector(`input[data-layer="${id}"]`);
    if (box) box.checked = visible;
  }
}

function legendControl() {
  // Top right: the bottom corners hold the scale bar and the attribution, and the top left the zoom buttons.
  const control = L.control({ position: 'topright' });
  control.onAdd = () => {
    const box = L.DomUtil.create('div', 'cm-legend leaflet-bar');
    box.id = 'legend';
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    return box;
  };
  return control;
}

function renderLegend() {
  const box = $('#legend');
  if (!box) return;
  box.replaceChildren();
  const details = el('details');
  details.open = window.innerWidth > 700;
  details.append(el('summary', null, t('legend')));
  const list = el('ul');
  const families = new Set(Object.values(config.park_sector_family));
  for (const s of config.sectors.filter((entry) => families.has(entry.family))) {
    const item = el('li');
    const swatch = el('span', 'swatch');
    swatch.style.background = s.color;
    item.append(swatch, document.createTextNode(language() === 'zh' ? s.name_zh : s.name_en));
    list.append(item);
  }
  const present = new Set(OVERLAYS.map(roleOf));
  const symbols = [['university', 'cm-icon cm-icon-university', 'legendUniversity'], ['institute', 'cm-icon cm-icon-institute', 'legendInstitute'], ['context', 'swatch metro', 'legendMetro']];
  for (const [, className, label] of symbols.filter(([role]) => present.has(role))) {
    const item = el('li');
    item.append(el('span', `legend-icon ${className}`), document.createTextNode(t(label)));
    list.append(item);
  }
  const halo = el('li', 'halo');
  halo.append(el('span', 'swatch halo'), document.createTextNode(t('legendHalo')));
  list.append(halo);
  details.append(list);
  box.append(details);
}

// ---------------------------------------------------------------- selection

/** The user chose a feature: on the map, in the search, or in a list. */
function choose(ref, { fly = false } = {}) {
  const f = feature(ref);
  if (!f) return;
  const collection = ref.slice(0, ref.indexOf('/'));
  state.sel = ref;
  if (RESEARCH.includes(collection)) {
    fitNext = state.from !== ref;
    state.from = ref;
    state.tab = 'radius';
  } else if (roleOf(collection) === 'park') {
    state.park = ref;
    state.tab = 'nearest';
  } else {
    state.tab = 'explore';
  }
  if (fly) map.flyTo([f.geometry.coordinates[1], f.geometry.coordinates[0]], Math.max(map.getZoom(), 12), { duration: 0.6 });
  if (!state.layers.includes(collection)) {
    state.layers.push(collection);
    applyLayerVisibility();
  }
  renderAll();
  refreshQueries();
}

function renderSelection() {
  for (const [ref, marker] of markers) {
    const element = marker.getElement?.();
    if (element) element.classList.toggle('is-selected', ref === state.sel);
  }
  if (graphics.uncertainty) graphics.uncertainty.remove();
  graphics.uncertainty = null;
  const f = feature(state.sel);
  if (f && f.properties.location_uncertainty_m) {
    graphics.uncertainty = L.circle([f.geometry.coordinates[1], f.geometry.coordinates[0]], {
      radius: f.properties.location_uncertainty_m, pane: 'overlayPane', color: '#444444', weight: 1, dashArray: '4 4', fillColor: '#444444', fillOpacity: 0.06, interactive: false, className: 'cm-uncertainty',
    }).addTo(map);
  }
  renderDetails(f);
}

function renderDetails(f) {
  const box = $('#details');
  box.replaceChildren();
  if (!f) {
    box.append(el('p', 'hint', t('noSelection')));
    return;
  }
  const collection = state.sel.slice(0, state.sel.indexOf('/'));
  const p = f.properties;
  const n = names(f);
  const head = el('div', 'details-head');
  const title = el('h2', null, n.primary);
  title.dataset.testid = 'details-name';
  head.append(title);
  if (n.secondary) head.append(el('div', 'secondary', n.secondary));
  head.append(el('div', `kind kind-${collection}`, kindName(collection)));
  box.append(head);
  const facts = el('dl', 'facts');
  const add = (label, value, testid) => {
    if (value === null || value === undefined || value === '') return;
    const dt = el('dt', null, label);
    const dd = el('dd');
    if (value instanceof Node) dd.append(value);
    else dd.textContent = value;
    if (testid) dd.dataset.testid = testid;
    facts.append(dt, dd);
  };
  if (roleOf(collection) === 'park') {
    const sector = el('span');
    const swatch = el('span', 'swatch');
    swatch.style.background = sectorColor(f.id);
    sector.append(swatch, document.createTextNode([p.sector, p.sector_en].filter(Boolean).join(' · ') || t('notStated')));
    add(t('sector'), sector, 'details-sector');
  }
  if (p.school_type) add(t('schoolType'), p.school_type);
  if (p.lines) add(t('lines'), Array.isArray(p.lines) ? p.lines.join(', ') : String(p.lines));
  add(t('district'), p.district, 'details-district');
  if (p.location_uncertainty_m !== undefined) {
    const estimated = ['park', 'institute'].includes(roleOf(collection));
    const value = el('span');
    value.append(document.createTextNode(t('uncertaintyValue', { m: formatDistance(p.location_uncertainty_m) }) + ' '));
    value.append(el('span', `badge ${estimated ? 'badge-estimated' : 'badge-exact'}`, estimated ? t('estimated') : t('exact')));
    add(t('uncertainty'), value, 'details-uncertainty');
  }
  const urls = p.source_urls ?? (p.source_url ? [p.source_url] : []);
  if (urls.length) {
    const links = el('span', 'sources');
    for (const url of urls.slice(0, 3)) {
      const a = el('a', null, hostOf(url));
      a.href = url;
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      links.append(a, document.createTextNode(' '));
    }
    add(t('source'), links);
  }
  box.append(facts);
  if (p.location_method) {
    const method = el('details', 'method');
    method.append(el('summary', null, t('locationMethod')));
    const text = el('p', null, p.location_method);
    text.dataset.testid = 'details-method';
    method.append(text);
    box.append(method);
  }
}

function hostOf(url) {
  try {
    return new URL(url).hostname.replace(/^www\./, '');
  } catch {
    return url;
  }
}

// ---------------------------------------------------------------- queries

async function refreshQueries() {
  clearResultGraphics();
  if (state.tab === 'radius') await runWithin();
  else if (state.tab === 'nearest') await runNearest();
  else if (state.tab === 'tables') await runTable();
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

function radiusMeters() {
  return Math.round(state.radiusKm * 1000);
}

async function runWithin() {
  const box = $('#radius-result');
  const origin = feature(state.from);
  if (!origin) {
    box.replaceChildren(el('p', 'hint', t('radiusHelp')));
    results.within = null;
    return;
  }
  const [lon, lat] = origin.geometry.coordinates;
  const ring = L.circle([lat, lon], { radius: radiusMeters(), pane: 'overlayPane', color: '#c0392b', weight: 2, fill: false, interactive: false, className: 'cm-ring' });
  clearResultGraphics();
  graphics.ring = ring.addTo(map);
  if (!restoring && (fitNext || !map.getBounds().pad(-0.05).contains(ring.getBounds()))) map.fitBounds(ring.getBounds(), fitPadding(10));
  fitNext = false;
  box.replaceChildren(el('p', 'loading', t('loading')));
  try {
    const filters = {};
    if (state.sector) filters.sector = state.sector;
    if (state.district) filters.district = state.district;
    const answer = await latest('within', (signal) => api.within(PARKS, state.from, radiusMeters(), filters, { signal }));
    results.within = { origin: state.from, radius: radiusMeters(), answer };
    renderWithin();
  } catch (error) {
    if (error.name === 'AbortError') return;
    results.within = null;
    showError(box, error);
  }
}

function renderWithin() {
  const box = $('#radius-result');
  const result = results.within;
  if (!result) return;
  if (graphics.highlights) graphics.highlights.remove();
  graphics.highlights = L.layerGroup().addTo(map);
  const origin = feature(result.origin);
  const features = result.answer.features;
  const certain = features.filter((f) => f.properties.within === 'certain').length;
  const summary = el('p', 'summary');
  summary.dataset.testid = 'radius-summary';
  const values = { n: features.length, r: formatDistance(result.radius), name: names(origin).primary, certain, possible: features.length - certain };
  summary.textContent = features.length ? t('withinSummary', values) : t('withinNone', values);
  const filterText = [state.sector, state.district].filter(Boolean).join(', ');
  const nodes = [summary];
  if (filterText) nodes.push(el('p', 'hint', t('filtersApplied', { f: filterText })));
  if (features.length) {
    const table = resultTable(['colRank', 'colName', 'colDistance', 'colWithin'], features.map((f) => withinRow(f)), 'radius-row');
    nodes.push(table, el('p', 'hint small', t('possibleHelp')), exportButtons('within'));
    for (const f of features) {
      const [lon, lat] = f.geometry.coordinates;
      L.circleMarker([lat, lon], {
        pane: 'results', radius: 13, color: '#c0392b', weight: f.properties.within === 'certain' ? 3 : 2, dashArray: f.properties.within === 'certain' ? null : '3 3', fill: false, interactive: false,
        className: `cm-hit cm-hit-${f.properties.within}`,
      }).addTo(graphics.highlights);
    }
  }
  box.replaceChildren(...nodes);
}

function withinRow(f) {
  const p = f.properties;
  const n = names(f);
  const nameCell = el('td');
  nameCell.append(el('div', 'name', n.primary));
  const sub = [n.secondary, sectorText(p)].filter(Boolean).join(' · ');
  if (sub) nameCell.append(el('div', 'secondary', sub));
  const distance = el('td', 'num');
  const value = el('span', 'distance', formatDistance(p.distance_m));
  value.dataset.distanceM = String(p.distance_m);
  distance.append(value, el('div', 'range', `${formatDistance(p.distance_min_m)} – ${formatDistance(p.distance_max_m)}`));
  const status = el('td');
  status.append(el('span', `chip chip-${p.within}`, t(p.within)));
  const row = el('tr', p.within === 'possible' ? 'possible' : 'certain');
  row.dataset.ref = key(PARKS, f.id);
  row.dataset.within = p.within;
  row.append(el('td', 'num', String(p.rank)), nameCell, distance, status);
  row.addEventListener('click', () => focusFeature(key(PARKS, f.id)));
  return row;
}

async function runNearest() {
  const box = $('#nearest-result');
  const park = feature(state.park);
  if (!park) {
    box.replaceChildren(el('p', 'hint', t('nearestHelp')));
    results.nearest = null;
    return;
  }
  box.replaceChildren(el('p', 'loading', t('loading')));
  try {
    const answers = await latest('nearest', (signal) => Promise.all(RESEARCH.map((target) => api.nearest(state.park, target, state.k, { signal }))));
    results.nearest = { park: state.park, ...Object.fromEntries(RESEARCH.map((target, i) => [target, answers[i]])) };
    renderNearest();
  } catch (error) {
    if (error.name === 'AbortError') return;
    results.nearest = null;
    showError(box, error);
  }
}

function renderNearest() {
  const box = $('#nearest-result');
  const result = results.nearest;
  if (!result) return;
  clearResultGraphics();
  graphics.lines = L.layerGroup().addTo(map);
  const park = feature(result.park);
  const [plon, plat] = park.geometry.coordinates;
  const nodes = [];
  const bounds = L.latLngBounds([[plat, plon]]);
  for (const target of RESEARCH) {
    const answer = result[target];
    const role = roleOf(target);
    nodes.push(el('h3', null, RESEARCH.filter((id) => roleOf(id) === role).length > 1 ? layerName(target) : t(role === 'university' ? 'nearestUniversities' : 'nearestInstitutes')));
    const rows = answer.features.map((f) => nearestRow(target, f));
    nodes.push(rows.length ? resultTable(['colRank', 'colName', 'colDistance'], rows, `nearest-row-${target}`) : el('p', 'hint', '—'));
    for (const f of answer.features) {
      const [lon, lat] = f.geometry.coordinates;
      bounds.extend([lat, lon]);
      const label = `${f.properties.rank}. ${formatDistance(f.properties.distance_m)}`;
      L.polyline([[plat, plon], [lat, lon]], { pane: 'overlayPane', color: COLORS[role], weight: 2, opacity: 0.8, dashArray: role === 'institute' ? '6 4' : null, className: 'cm-line' })
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
  if (!restoring) map.fitBounds(bounds, { ...fitPadding(30), maxZoom: 14 });
}

function nearestRow(target, f) {
  const p = f.properties;
  const n = names(f);
  const nameCell = el('td');
  nameCell.append(el('div', 'name', n.primary));
  if (n.secondary) nameCell.append(el('div', 'secondary', n.secondary));
  const distance = el('td', 'num');
  const value = el('span', 'distance', formatDistance(p.distance_m));
  value.dataset.distanceM = String(p.distance_m);
  distance.append(value, el('div', 'range', `${formatDistance(p.distance_min_m)} – ${formatDistance(p.distance_max_m)}`));
  const row = el('tr', p.distance_exact ? '' : 'estimate');
  row.dataset.ref = key(target, f.id);
  row.append(el('td', 'num', String(p.rank)), nameCell, distance);
  row.addEventListener('click', () => focusFeature(key(target, f.id)));
  return row;
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

function focusFeature(ref) {
  const marker = markers.get(ref);
  if (!marker) return;
  map.panTo(marker.getLatLng());
  if (map.hasLayer(marker)) marker.openTooltip();
}

function showError(box, error) {
  const alert = el('div', 'error', t('apiError', { msg: error.message }));
  alert.setAttribute('role', 'alert');
  box.replaceChildren(alert);
}

// ---------------------------------------------------------------- tables (matrix and rings)

async function runTable() {
  const box = $('#table-result');
  box.replaceChildren(el('p', 'loading', t('loading')));
  const ringsKm = parseRings(state.ringsKm);
  const url = state.tableKind === 'rings'
    ? api.ringsUrl(PARKS, state.tableTo, ringsKm.map((r) => Math.round(r * 1000)), 'json')
    : api.matrixUrl(PARKS, state.tableTo, state.matrixK, state.matrixMaxKm ? Math.round(state.matrixMaxKm * 1000) : '', 'json');
  try {
    const answer = await latest('table', (signal) => api.getJson(url, { signal }));
    results.table = { kind: state.tableKind, answer };
    renderTable();
  } catch (error) {
    if (error.name === 'AbortError') return;
    results.table = null;
    showError(box, error);
  }
}

function parseRings(text) {
  const values = String(text).split(/[,，\s]+/).map(Number).filter((v) => Number.isFinite(v) && v > 0);
  return values.length ? values : [1, 3, 5, 10];
}

function originName(origin) {
  return language() === 'zh' ? origin.name_zh || origin.name_en : origin.name_en || origin.name_zh;
}

function renderTable() {
  const box = $('#table-result');
  const result = results.table;
  if (!result) return;
  const passes = (id) => {
    const park = data[PARKS].byId.get(id);
    return !park || parkPasses(park);
  };
  let columns;
  let rows;
  if (result.kind === 'rings') {
    const radii = result.answer.rings_m;
    columns = [
      { label: t('colPark'), value: (r) => r.park, type: 'text' },
      { label: t('colUncertainty'), value: (r) => r.uncertainty, type: 'num', show: (r) => formatDistance(r.uncertainty) },
      ...radii.map((radius, i) => ({
        label: `≤ ${formatDistance(radius)}`, value: (r) => r.rings[i].count, type: 'num',
        show: (r) => `${r.rings[i].count}${r.rings[i].certain + r.rings[i].possible > r.rings[i].count ? ` (+${r.rings[i].certain + r.rings[i].possible - r.rings[i].count}?)` : ''}`,
      })),
      { label: t('colNearest'), value: (r) => r.nearest, type: 'text' },
      { label: t('colDistance'), value: (r) => r.distance, type: 'num', show: (r) => (r.distance === null ? '—' : formatDistance(r.distance)) },
    ];
    rows = result.answer.rows.filter((row) => passes(row.origin.id)).map((row) => ({
      id: row.origin.id, park: originName(row.origin), uncertainty: row.origin.location_uncertainty_m, rings: row.rings,
      nearest: row.nearest ? originName(row.nearest) : '—', distance: row.nearest ? row.nearest.distance_m : null,
    }));
  } else {
    const hasWithin = result.answer.rows.some((row) => row.targets.some((target) => target.within));
    columns = [
      { label: t('colPark'), value: (r) => r.park, type: 'text' },
      { label: t('colRank'), value: (r) => r.rank, type: 'num' },
      { label: t('colTarget'), value: (r) => r.target, type: 'text' },
      { label: t('colDistance'), value: (r) => r.distance, type: 'num', show: (r) => formatDistance(r.distance) },
      { label: t('colRange'), value: (r) => r.max, type: 'num', show: (r) => `${formatDistance(r.min)} – ${formatDistance(r.max)}` },
    ];
    if (hasWithin) columns.push({ label: t('colWithin'), value: (r) => r.within ?? '', type: 'text', show: (r) => (r.within ? t(r.within) : '') });
    rows = result.answer.rows.filter((row) => passes(row.origin.id)).flatMap((row) => row.targets.map((target) => ({
      id: row.origin.id, park: originName(row.origin), rank: target.rank, target: originName(target), distance: target.distance_m,
      min: target.distance_min_m, max: target.distance_max_m, within: target.within,
    })));
  }
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
    tr.dataset.ref = key(PARKS, row.id);
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
  csv.href = state.tableKind === 'rings'
    ? api.ringsUrl(PARKS, state.tableTo, parseRings(state.ringsKm).map((r) => Math.round(r * 1000)), 'csv')
    : api.matrixUrl(PARKS, state.tableTo, state.matrixK, state.matrixMaxKm ? Math.round(state.matrixMaxKm * 1000) : '', 'csv');
  csv.download = `${state.tableKind}-${PARKS}-${state.tableTo}.csv`;
  const note = el('p', 'hint small', result.kind === 'rings' ? t('ringsHelp') : t('estimatedNote'));
  const wrapper = el('div', 'table-scroll');
  wrapper.append(table);
  box.replaceChildren(el('p', 'hint', t('rowsShown', { n: rows.length })), wrapper, note, csv);
}

// ---------------------------------------------------------------- exports

function exportButtons(kind) {
  const bar = el('div', 'buttons');
  const csv = el('button', 'button', t('downloadCsv'));
  csv.type = 'button';
  csv.dataset.testid = `${kind}-csv`;
  csv.addEventListener('click', () => exportList(kind, 'csv'));
  const geojson = el('button', 'button', t('downloadGeoJson'));
  geojson.type = 'button';
  geojson.dataset.testid = `${kind}-geojson`;
  geojson.addEventListener('click', () => exportList(kind, 'geojson'));
  bar.append(csv, geojson);
  return bar;
}

function listFeatures(kind) {
  if (kind === 'within') {
    return results.within.answer.features.map((f) => ({ collection: PARKS, f }));
  }
  return RESEARCH.flatMap((target) => results.nearest[target].features.map((f) => ({ collection: target, f })));
}

function exportList(kind, format) {
  const items = listFeatures(kind);
  const origin = kind === 'within' ? results.within.origin : results.nearest.park;
  const stem = kind === 'within' ? `parks-within-${results.within.radius}m-of-${origin.replace('/', '-')}` : `nearest-to-${origin.replace('/', '-')}`;
  if (format === 'geojson') {
    const collection = {
      type: 'FeatureCollection',
      origin,
      ...(kind === 'within' ? { radius_m: results.within.radius } : {}),
      features: items.map(({ collection: c, f }) => ({ ...f, properties: { collection: c, ...f.properties } })),
    };
    saveFile(`${stem}.geojson`, 'application/geo+json', JSON.stringify(collection, null, 1));
    return;
  }
  const columns = ['origin', 'collection', 'rank', 'id', 'name_zh', 'name_en', 'sector', 'district', 'distance_m', 'distance_min_m', 'distance_max_m', 'distance_exact', 'within', 'location_uncertainty_m'];
  const rows = items.map(({ collection: c, f }) => ({ origin, collection: c, id: f.id, ...f.properties }));
  saveFile(`${stem}.csv`, 'text/csv;charset=utf-8', toCsv(columns, rows));
}

function staticMapUrl(format) {
  const bounds = map.getBounds();
  const size = map.getSize();
  const clamp = (v) => Math.max(64, Math.min(2048, Math.round(v)));
  const layers = [...BASEMAP, ...OVERLAYS.filter((id) => state.layers.includes(id))];
  const highlight = state.tab === 'radius' ? state.from : state.tab === 'nearest' ? state.park : state.sel;
  const bbox = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()].map((v) => v.toFixed(5)).join(',');
  const nearest = state.tab === 'nearest' && state.park;
  return api.apiUrl(`/maps/static.${format}`, {
    bbox, width: clamp(size.x), height: clamp(size.y), layers: layers.join(','), lang: language(),
    highlight: highlight || '', radius_m: state.tab === 'radius' && state.from ? radiusMeters() : '',
    nearest: nearest ? state.k : '', nearest_to: nearest ? RESEARCH.join(',') : '',
    ...exportFilters(),
  });
}

/** The filters the map applies, as the static map's `{collection}.{property}=value` parameters, so the figure shows the same features. */
function exportFilters() {
  const filters = {};
  const add = (collection, property, value) => {
    // Only where the collection has the property at all: the endpoint answers 400 for a property it cannot filter on.
    if (value && data[collection]?.features.some((f) => property in f.properties)) filters[`${collection}.${property}`] = value;
  };
  add(PARKS, 'sector', state.sector);
  add(PARKS, 'district', state.district);
  for (const id of INSTITUTES) add(id, 'district', state.district);
  return filters;
}

// ---------------------------------------------------------------- controls

function fillChoosers() {
  const collator = new Intl.Collator(language() === 'zh' ? 'zh-CN' : 'en');
  const byName = (a, b) => collator.compare(names(a).primary, names(b).primary);
  const origin = $('#radius-origin');
  origin.replaceChildren(new Option(t('chooseOrigin'), ''));
  for (const collection of RESEARCH) {
    const group = document.createElement('optgroup');
    group.label = layerName(collection);
    for (const f of [...data[collection].features].sort(byName)) group.append(new Option(names(f).primary, key(collection, f.id)));
    origin.append(group);
  }
  origin.value = state.from ?? '';
  const park = $('#nearest-park');
  park.replaceChildren(new Option(t('choosePark'), ''));
  for (const f of [...data[PARKS].features].sort(byName)) park.append(new Option(names(f).primary, key(PARKS, f.id)));
  park.value = state.park ?? '';
  const sectors = new Map();
  for (const f of data[PARKS].features) if (f.properties.sector) sectors.set(f.properties.sector, f.properties.sector_en);
  const sector = $('#filter-sector');
  sector.replaceChildren(new Option(t('allSectors'), ''));
  for (const [zh, en] of [...sectors].sort((a, b) => collator.compare(a[0], b[0]))) sector.append(new Option(language() === 'zh' ? zh : `${en ?? zh} · ${zh}`, zh));
  sector.value = state.sector;
  const districts = new Set([PARKS, ...INSTITUTES].flatMap((id) => data[id].features).map((f) => f.properties.district).filter(Boolean));
  const district = $('#filter-district');
  district.replaceChildren(new Option(t('allDistricts'), ''));
  for (const d of [...districts].sort(collator.compare)) district.append(new Option(d, d));
  district.value = state.district;
}

function wireControls() {
  for (const button of document.querySelectorAll('[data-lang]')) {
    button.addEventListener('click', () => {
      state.lang = button.dataset.lang;
      setLanguage(state.lang);
      translatePage();
      fillChoosers();
      renderAll();
      renderResults();
    });
  }
  for (const button of document.querySelectorAll('[data-tab]')) {
    button.addEventListener('click', () => {
      state.tab = button.dataset.tab;
      renderAll();
      refreshQueries();
    });
  }
  for (const radio of document.querySelectorAll('input[name="basemap"]')) {
    radio.addEventListener('change', () => {
      state.base = radio.value;
      renderBasemap();
      saveState();
    });
  }
  $('#filter-sector').addEventListener('change', (e) => {
    state.sector = e.target.value;
    applyFilters();
    saveState();
    refreshQueries();
  });
  $('#filter-district').addEventListener('change', (e) => {
    state.district = e.target.value;
    applyFilters();
    saveState();
    refreshQueries();
  });
  $('#radius-origin').addEventListener('change', (e) => {
    if (e.target.value) choose(e.target.value, { fly: true });
  });
  $('#nearest-park').addEventListener('change', (e) => {
    if (e.target.value) choose(e.target.value, { fly: true });
  });
  $('#nearest-k').addEventListener('change', (e) => {
    state.k = Number(e.target.value);
    saveState();
    runNearest();
  });
  const slider = $('#radius-slider');
  const typed = $('#radius-km');
  let timer = null;
  const setRadius = (value, source) => {
    if (!Number.isFinite(value)) return;
    const clamped = Math.min(MAX_KM, Math.max(MIN_KM, value));
    state.radiusKm = Math.round(clamped * 10) / 10;
    if (source !== slider) slider.value = String(state.radiusKm);
    if (source !== typed || clamped !== value) typed.value = String(state.radiusKm);
    typed.setCustomValidity('');
    saveState();
    clearTimeout(timer);
    timer = setTimeout(() => runWithin(), 150);
  };
  slider.addEventListener('input', () => setRadius(Number(slider.value), slider));
  typed.addEventListener('change', () => setRadius(Number(typed.value.replace(',', '.')), typed));
  typed.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') setRadius(Number(typed.value.replace(',', '.')), typed);
  });
  for (const input of ['#table-to', '#matrix-k', '#matrix-max', '#rings-km']) {
    $(input).addEventListener('change', () => {
      state.tableTo = $('#table-to').value;
      state.matrixK = Number($('#matrix-k').value);
      state.matrixMaxKm = $('#matrix-max').value;
      state.ringsKm = $('#rings-km').value;
      saveState();
      runTable();
    });
  }
  for (const radio of document.querySelectorAll('input[name="table-kind"]')) {
    radio.addEventListener('change', () => {
      state.tableKind = radio.value;
      state.tableSort = null;
      renderAll();
      runTable();
    });
  }
  $('#export-png').addEventListener('click', (e) => {
    e.currentTarget.href = staticMapUrl('png');
  });
  $('#export-pdf').addEventListener('click', (e) => {
    e.currentTarget.href = staticMapUrl('pdf');
  });
  $('#copy-link').addEventListener('click', async () => {
    saveState();
    try {
      await navigator.clipboard.writeText(window.location.href);
    } catch {
      // Clipboard refused (no permission or no secure context): the address bar holds the same link.
    }
    setStatus(t('linkCopied'), 'ok');
    setTimeout(() => setStatus(''), 2000);
  });
  wireSearch();
}

function wireSearch() {
  const input = $('#search');
  const list = $('#search-results');
  let active = -1;
  const close = () => {
    list.hidden = true;
    active = -1;
    input.setAttribute('aria-expanded', 'false');
  };
  const pick = (ref) => {
    close();
    input.value = '';
    choose(ref, { fly: true });
  };
  input.addEventListener('input', () => {
    const query = input.value.trim().toLowerCase();
    list.replaceChildren();
    active = -1;
    if (!query) return close();
    const matches = [];
    for (const collection of [PARKS, ...RESEARCH]) {
      for (const f of data[collection]?.features ?? []) {
        const p = f.properties;
        const haystack = [p.name_zh, p.name_en, p.campus_zh, p.campus_en, names(f).primary, names(f).secondary].filter(Boolean).join(' | ').toLowerCase();
        if (haystack.includes(query)) matches.push({ collection, f });
      }
    }
    for (const { collection, f } of matches.slice(0, 12)) {
      const item = el('li');
      item.setAttribute('role', 'option');
      item.dataset.ref = key(collection, f.id);
      const n = names(f);
      item.append(el('span', 'name', n.primary), el('span', 'secondary', [n.secondary, t(`kind_${collection}`)].filter(Boolean).join(' · ')));
      item.addEventListener('mousedown', (e) => {
        e.preventDefault();
        pick(item.dataset.ref);
      });
      list.append(item);
    }
    if (!matches.length) list.append(el('li', 'none', t('searchNone')));
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  });
  input.addEventListener('keydown', (e) => {
    const items = [...list.querySelectorAll('li[data-ref]')];
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      active = (active + (e.key === 'ArrowDown' ? 1 : -1) + items.length) % items.length;
      items.forEach((item, i) => item.classList.toggle('active', i === active));
    } else if (e.key === 'Enter' && items.length) {
      pick(items[Math.max(active, 0)].dataset.ref);
    } else if (e.key === 'Escape') {
      close();
    }
  });
  input.addEventListener('blur', () => setTimeout(close, 150));
}

// ---------------------------------------------------------------- rendering of the state

function renderAll() {
  for (const button of document.querySelectorAll('[data-lang]')) button.setAttribute('aria-pressed', String(button.dataset.lang === state.lang));
  for (const button of document.querySelectorAll('[data-tab]')) {
    const selected = button.dataset.tab === state.tab;
    button.setAttribute('aria-selected', String(selected));
    button.classList.toggle('active', selected);
  }
  for (const section of document.querySelectorAll('[data-panel]')) section.hidden = section.dataset.panel !== state.tab;
  $('#panel').classList.toggle('wide', state.tab === 'tables');
  $('#details').hidden = state.tab === 'tables';
  $('#radius-slider').value = String(state.radiusKm);
  $('#radius-km').value = String(state.radiusKm);
  $('#radius-origin').value = state.from ?? '';
  $('#nearest-park').value = state.park ?? '';
  $('#nearest-k').value = String(state.k);
  $('#table-to').value = state.tableTo ?? '';
  renderLayerNames();
  $('#matrix-k').value = String(state.matrixK);
  $('#matrix-max').value = state.matrixMaxKm ?? '';
  $('#rings-km').value = state.ringsKm;
  for (const radio of document.querySelectorAll('input[name="table-kind"]')) radio.checked = radio.value === state.tableKind;
  for (const node of document.querySelectorAll('[data-table-kind]')) node.hidden = node.dataset.tableKind !== state.tableKind;
  renderBasemap();
  if (config && data[PARKS]) {
    applyFilters();
    renderLegend();
    renderSelection();
  }
  saveState();
}

function renderBasemap() {
  const chooser = $('#basemap-chooser');
  chooser.hidden = !externalLayer;
  if (!externalLayer || !map) return;
  const external = state.base === 'external';
  $('#basemap-external-label').textContent = t('basemapExternal', { name: config.external_basemap.name });
  for (const radio of document.querySelectorAll('input[name="basemap"]')) radio.checked = radio.value === (external ? 'external' : 'own');
  if (external && !map.hasLayer(externalLayer)) {
    ownLayer.remove();
    externalLayer.addTo(map);
  } else if (!external && !map.hasLayer(ownLayer)) {
    externalLayer.remove();
    ownLayer.addTo(map);
  }
  $('#gcj-note').hidden = !(external && config.external_basemap.crs === 'GCJ-02');
}

function renderResults() {
  if (state.tab === 'radius' && results.within) renderWithin();
  if (state.tab === 'nearest' && results.nearest) renderNearest();
  if (state.tab === 'tables' && results.table) renderTable();
  if (state.tab === 'radius' && !results.within) runWithin();
  if (state.tab === 'nearest' && !results.nearest) runNearest();
}

function setStatus(text, kind = '') {
  const status = $('#status');
  status.textContent = text;
  status.className = `status ${kind}`;
  status.hidden = !text;
}

function saveState() {
  if (restoring && !map) return;
  const hash = writeHash(state);
  if (window.location.hash !== hash) history.replaceState(null, '', hash);
}

function escapeHtml(text) {
  const div = document.createElement('div');
  div.textContent = text ?? '';
  return div.innerHTML;
}

window.addEventListener('hashchange', () => {
  // A link pasted into this same page: take its state as if the page had been opened with it.
  Object.assign(state, readHash(window.location.hash, navigator.language));
  setLanguage(state.lang);
  translatePage();
  fillChoosers();
  if (state.view) map.setView([state.view.lat, state.view.lon], state.view.zoom);
  applyLayerVisibility();
  renderAll();
  refreshQueries();
});

start().catch((error) => setStatus(t('loadError', { what: 'ClusterMap', msg: error.message }), 'error'));
