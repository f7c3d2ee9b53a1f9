// The Leaflet map: ClusterMap's own tiles (or the configured external ones), the panes the overlays are drawn in,
// the legend, and framing what matters without hiding it under the legend.
import { t, language } from './i18n.js';
import { $, el, escapeHtml } from './dom.js';
import { state, data, page, saveState } from './session.js';
import { baseInUse, drawingDatum, latLngOf } from './datum.js';

const L = window.L;

export function createMap() {
  const { config } = page;
  const map = L.map('map', { zoomControl: true, minZoom: 7, maxZoom: 18 });
  page.map = map;
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  page.ownLayer = L.tileLayer(config.basemap.url.replace('.png', '{r}.png'), {
    maxZoom: 18, minZoom: 7, attribution: `${escapeHtml(config.basemap.attribution)} · ClusterMap`,
  });
  if (config.external_basemap) {
    page.externalLayer = L.tileLayer(config.external_basemap.url, { maxZoom: 18, attribution: escapeHtml(config.external_basemap.attribution) });
    watchExternalTiles(page.externalLayer);
  }
  (baseInUse() === 'external' ? page.externalLayer : page.ownLayer).addTo(map);
  L.control.scale({ metric: true, imperial: false, position: 'bottomleft' }).addTo(map);
  // District names above the outlines and below every marker, so no name hides a park.
  map.createPane('districtLabels').style.zIndex = 402;
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
  // The panel widens for the tables and the analysis, and the page reflows on phones: Leaflet measures its container
  // only when told, and would otherwise leave a strip without tiles and misplace clicks.
  new ResizeObserver(() => map.invalidateSize()).observe(map.getContainer());
}

/** How many of the external basemap's tiles must fail, with more failing than loading, before it is given up. */
const FAILED_TILES = 3;

/**
 * Falls back to ClusterMap's own basemap when the external one's tiles fail (a wrong key, a provider down, a
 * network that blocks it), and says so; choosing the external basemap again tries it again.
 */
function watchExternalTiles(layer) {
  let loaded = 0;
  let failed = 0;
  layer.on('tileload', () => {
    loaded += 1;
  });
  layer.on('tileerror', () => {
    failed += 1;
    if (failed >= FAILED_TILES && failed > loaded && !page.externalFailed) {
      page.externalFailed = true;
      page.onBasemapChange?.();
    }
  });
  page.resetExternal = () => {
    loaded = 0;
    failed = 0;
    page.externalFailed = false;
  };
}

/** Padding for fitBounds that keeps what is framed below the open legend (top right), not under it. */
export function fitPadding(margin) {
  const legend = $('#legend');
  const top = legend && legend.offsetHeight > 0 ? legend.offsetTop + legend.offsetHeight + margin : margin;
  return { paddingTopLeft: [margin, Math.max(margin, top)], paddingBottomRight: [margin, margin] };
}

export function fitToData() {
  const { roles } = page;
  const points = [roles.parks, ...roles.research].flatMap((id) => data[id].features.map((f) => latLngOf(id, f)));
  if (points.length) page.map.fitBounds(L.latLngBounds(points), fitPadding(20));
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

export function renderLegend() {
  const { config, roles } = page;
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
  const present = new Set(roles.overlays.map(roles.of));
  const symbols = [['university', 'cm-icon cm-icon-university', 'legendUniversity'], ['institute', 'cm-icon cm-icon-institute', 'legendInstitute'], ['context', 'swatch metro', 'legendMetro']];
  for (const [, className, label] of symbols.filter(([role]) => present.has(role))) {
    const item = el('li');
    item.append(el('span', `legend-icon ${className}`), document.createTextNode(t(label)));
    list.append(item);
  }
  if (state.density && config.density) list.append(densityLegend(config.density));
  const halo = el('li', 'halo');
  halo.append(el('span', 'swatch halo'), document.createTextNode(t('legendHalo')));
  list.append(halo);
  details.append(list);
  box.append(details);
}

/** The basemap chooser (shown only when an external basemap is configured), the tiles it picks, and what they mean. */
export function renderBasemap() {
  const { config, map, ownLayer, externalLayer } = page;
  const chooser = $('#basemap-chooser');
  chooser.hidden = !externalLayer;
  if (!externalLayer || !map) return;
  const external = baseInUse() === 'external';
  const name = config.external_basemap.name;
  $('#basemap-external-label').textContent = t('basemapExternal', { name });
  for (const radio of document.querySelectorAll('input[name="basemap"]')) radio.checked = radio.value === (state.base === 'external' ? 'external' : 'own');
  if (external && !map.hasLayer(externalLayer)) {
    ownLayer.remove();
    externalLayer.addTo(map);
  } else if (!external && !map.hasLayer(ownLayer)) {
    externalLayer.remove();
    ownLayer.addTo(map);
  }
  const note = $('#basemap-note');
  const datum = drawingDatum();
  let text = '';
  if (state.base === 'external' && page.externalFailed) text = t('basemapFallback', { name });
  else if (external && datum !== 'WGS84') text = t('datumShifted', { name, datum });
  else if (external) text = t('datumWgs84', { name, datum: config.external_basemap.crs });
  note.textContent = text;
  note.hidden = !text;
  note.dataset.datum = datum;
  note.dataset.state = state.base === 'external' && page.externalFailed ? 'fallback' : external ? 'external' : 'own';
  map.getContainer().dataset.datum = datum;
}

/** The density overlay's fixed ramp: one swatch per class, its lower bound in institutions per km². */
function densityLegend(density) {
  const item = el('li', 'density');
  item.dataset.testid = 'density-legend';
  item.append(el('div', null, t('densityLegend', { km: (density.bandwidth_m / 1000).toLocaleString(language() === 'zh' ? 'zh-CN' : 'en-GB') })));
  const ramp = el('div', 'ramp');
  for (const c of density.classes) {
    const step = el('span', 'step');
    const swatch = el('span', 'swatch square');
    swatch.style.background = c.color;
    swatch.style.opacity = String(c.opacity);
    step.dataset.min = String(c.min_per_km2);
    step.append(swatch, document.createTextNode(t('densityAtLeast', { n: c.min_per_km2.toLocaleString(language() === 'zh' ? 'zh-CN' : 'en-GB') })));
    ramp.append(step);
  }
  item.append(ramp);
  return item;
}
