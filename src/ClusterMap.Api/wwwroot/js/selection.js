// The selected feature: choosing one (on the map, in the search, in a list), its highlight and uncertainty circle on
// the map, and its details in the panel.
import { t, formatDistance } from './i18n.js';
import { $, el } from './dom.js';
import { state, page, markers, graphics } from './session.js';
import { collectionOf, feature, names, sectorColor, kindName } from './names.js';
import { applyLayerVisibility } from './layers.js';
import { refreshQueries } from './queries.js';
import { renderAll } from './render.js';
import { latLngOf } from './datum.js';

const L = window.L;

/** The user chose a feature: on the map, in the search, or in a list. */
export function choose(ref, { fly = false } = {}) {
  const { roles, map } = page;
  const f = feature(ref);
  if (!f) return;
  const collection = collectionOf(ref);
  state.sel = ref;
  if (roles.research.includes(collection)) {
    page.fitNext = state.from !== ref;
    state.from = ref;
    state.tab = 'radius';
  } else if (roles.of(collection) === 'park') {
    state.park = ref;
    state.tab = 'nearest';
  } else {
    state.tab = 'explore';
  }
  if (fly) map.flyTo(latLngOf(collection, f), Math.max(map.getZoom(), 12), { duration: 0.6 });
  if (!state.layers.includes(collection)) {
    state.layers.push(collection);
    applyLayerVisibility();
  }
  renderAll();
  refreshQueries();
}

/** Pans to a feature listed in a result and shows its tooltip. */
export function focusFeature(ref) {
  const { map } = page;
  const marker = markers.get(ref);
  if (!marker) return;
  map.panTo(marker.getLatLng());
  if (map.hasLayer(marker)) marker.openTooltip();
}

export function renderSelection() {
  for (const [ref, marker] of markers) {
    const element = marker.getElement?.();
    if (element) element.classList.toggle('is-selected', ref === state.sel);
  }
  if (graphics.uncertainty) graphics.uncertainty.remove();
  graphics.uncertainty = null;
  const f = feature(state.sel);
  if (f && f.properties.location_uncertainty_m) {
    graphics.uncertainty = L.circle(latLngOf(collectionOf(state.sel), f), {
      radius: f.properties.location_uncertainty_m, pane: 'overlayPane', color: '#444444', weight: 1, dashArray: '4 4', fillColor: '#444444', fillOpacity: 0.06, interactive: false, className: 'cm-uncertainty',
    }).addTo(page.map);
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
  const collection = collectionOf(state.sel);
  const role = page.roles.of(collection);
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
  if (role === 'park') {
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
    const estimated = ['park', 'institute'].includes(role);
    const value = el('span');
    value.append(document.createTextNode(t('uncertaintyValue', { m: formatDistance(p.location_uncertainty_m) }) + ' '));
    value.append(el('span', `badge ${estimated ? 'badge-estimated' : 'badge-exact'}`, estimated ? t('estimated') : t('exact')));
    add(t('uncertainty'), value, 'details-uncertainty');
  }
  if (p.location_shared && Array.isArray(p.location_shared_with) && p.location_shared_with.length) {
    // The map draws such features side by side; the words say that their point does not tell them apart.
    add(t('sharedPoint'), p.location_shared_with.map(nameOfId).join(' · '), 'details-shared');
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

/** The name of the drawn feature with this id (in any collection), or the id itself. */
function nameOfId(id) {
  for (const collection of page.roles.overlays) {
    const f = feature(`${collection}/${id}`);
    if (f) return names(f).primary;
  }
  return id;
}

function hostOf(url) {
  try {
    return new URL(url).hostname.replace(/^www\./, '');
  } catch {
    return url;
  }
}
