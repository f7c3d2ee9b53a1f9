// The Leaflet map: ClusterMap's own tiles (or the configured external ones), the panes the overlays are drawn in,
// the legend, and framing what matters without hiding it under the legend.
import { t, language } from './i18n.js';
import { $, el, escapeHtml } from './dom.js';
import { state, data, page, saveState } from './session.js';

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
  }
  (state.base === 'external' && page.externalLayer ? page.externalLayer : page.ownLayer).addTo(map);
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
export function fitPadding(margin) {
  const legend = $('#legend');
  const top = legend && legend.offsetHeight > 0 ? legend.offsetTop + legend.offsetHeight + margin : margin;
  return { paddingTopLeft: [margin, Math.max(margin, top)], paddingBottomRight: [margin, margin] };
}

export function fitToData() {
  const { roles } = page;
  const points = [roles.parks, ...roles.research].flatMap((id) => data[id].features).map((f) => [f.geometry.coordinates[1], f.geometry.coordinates[0]]);
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
  const halo = el('li', 'halo');
  halo.append(el('span', 'swatch halo'), document.createTextNode(t('legendHalo')));
  list.append(halo);
  details.append(list);
  box.append(details);
}

/** The basemap chooser (shown only when an external basemap is configured) and the tiles it picks. */
export function renderBasemap() {
  const { config, map, ownLayer, externalLayer } = page;
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
