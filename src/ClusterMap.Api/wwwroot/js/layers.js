// The overlays: one marker per point feature of every drawn collection (drawn by its role), the layer checkboxes,
// and the sector and district filters.
import { t, formatDistance } from './i18n.js';
import { $, el } from './dom.js';
import { state, data, page, groups, markers, saveState } from './session.js';
import { ROLE_COLORS } from './roles.js';
import { key, names, sectorText, sectorColor, layerName, kindName } from './names.js';
import { choose } from './selection.js';
import { latLngOf } from './datum.js';
import { inDistrict } from './districts.js';
import { spreadSharedPoints, offsetOf, OffsetCircleMarker } from './spread.js';

const L = window.L;

/** One checkbox per drawn collection, and the table's choice of targets; their words are set by renderLayerNames. */
export function buildLayerControls() {
  const { roles } = page;
  const checks = $('#layer-checks');
  checks.replaceChildren();
  for (const id of roles.overlays) {
    const box = el('input');
    box.type = 'checkbox';
    box.dataset.layer = id;
    box.addEventListener('change', () => {
      state.layers = roles.overlays.filter((x) => (x === id ? box.checked : state.layers.includes(x)));
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
  to.replaceChildren(...roles.research.map((id) => {
    const option = new Option(id, id);
    option.dataset.layerName = id;
    return option;
  }));
  renderLayerNames();
}

export function renderLayerNames() {
  for (const node of document.querySelectorAll('[data-layer-name]')) node.textContent = layerName(node.dataset.layerName);
}

export function buildOverlays() {
  spreadSharedPoints([page.roles.parks, ...page.roles.research].map((id) => [id, data[id]?.features ?? []]));
  for (const id of page.roles.overlays) {
    groups[id] = L.layerGroup();
    // Points only: other geometries of a context layer are drawn by the tiles.
    for (const f of data[id].features.filter((x) => x.geometry?.type === 'Point')) {
      const marker = createMarker(id, f, offsetOf(key(id, f.id)));
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

/** Moves every marker to its position in the drawing datum (after the basemap changed). */
export function placeMarkers() {
  for (const id of page.roles.overlays) {
    for (const f of data[id].features) markers.get(key(id, f.id))?.setLatLng(latLngOf(id, f));
  }
}

function createMarker(collection, f, offsetPx) {
  const [lat, lon] = latLngOf(collection, f);
  let marker;
  const role = page.roles.of(collection);
  if (role === 'park') {
    marker = new OffsetCircleMarker([lat, lon], {
      offsetPx, pane: 'parks', radius: 9, color: '#222222', weight: 1.5, fillColor: sectorColor(f.id), fillOpacity: 0.95, className: 'cm-park',
    });
  } else if (role === 'context') {
    marker = L.circleMarker([lat, lon], { pane: 'metro', radius: 3, color: '#ffffff', weight: 1, fillColor: ROLE_COLORS.context, fillOpacity: 1, className: 'cm-metro' });
  } else {
    const className = role === 'university' ? 'cm-icon cm-icon-university' : 'cm-icon cm-icon-institute';
    const size = role === 'university' ? 10 : 11;
    const icon = L.divIcon({ className, iconSize: [size, size], iconAnchor: [size / 2 - offsetPx, size / 2] });
    marker = L.marker([lat, lon], { pane: 'research', icon, keyboard: true, title: '' });
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
  if (page.roles.of(collection) === 'park') facts.push(sectorText(p));
  if (p.district) facts.push(p.district);
  box.append(el('div', 'facts', facts.join(' · ')));
  if (p.location_uncertainty_m) box.append(el('div', 'facts', `${t('uncertainty')}: ${t('uncertaintyValue', { m: formatDistance(p.location_uncertainty_m) })}`));
  return box;
}

export function parkPasses(f) {
  const p = f.properties;
  return (!state.sector || p.sector === state.sector) && inDistrict(f);
}

export function applyFilters() {
  const { roles } = page;
  const parks = groups[roles.parks];
  if (!parks) return;
  let shown = 0;
  for (const f of data[roles.parks].features) {
    const marker = markers.get(key(roles.parks, f.id));
    if (parkPasses(f)) {
      shown += 1;
      if (!parks.hasLayer(marker)) parks.addLayer(marker);
    } else if (parks.hasLayer(marker)) {
      parks.removeLayer(marker);
    }
  }
  for (const id of roles.research) {
    const group = groups[id];
    for (const f of data[id].features) {
      const marker = markers.get(key(id, f.id));
      if (!marker) continue;
      const passes = inDistrict(f);
      if (passes && !group.hasLayer(marker)) group.addLayer(marker);
      if (!passes && group.hasLayer(marker)) group.removeLayer(marker);
    }
  }
  for (const id of roles.overlays.filter((x) => x !== roles.parks && !roles.research.includes(x))) {
    if (groups[id].getLayers().length === 0) for (const f of data[id].features) if (markers.has(key(id, f.id))) groups[id].addLayer(markers.get(key(id, f.id)));
  }
  const count = $('#filter-count');
  count.textContent = t('filterCount', { shown, total: data[roles.parks].features.length });
  count.dataset.shown = String(shown);
}

export function applyLayerVisibility() {
  const { map } = page;
  for (const id of page.roles.overlays) {
    const visible = state.layers.includes(id);
    if (visible && !map.hasLayer(groups[id])) groups[id].addTo(map);
    if (!visible && map.hasLayer(groups[id])) map.removeLayer(groups[id]);
    const box = document.querySelector(`input[data-layer="${id}"]`);
    if (box) box.checked = visible;
  }
}
