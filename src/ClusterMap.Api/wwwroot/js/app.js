// ClusterMap's browser client: Leaflet on ClusterMap's own tiles, the OGC API's GeoJSON as overlays, and the
// proximity API behind the radius, nearest, matrix and rings views. This module starts the page; what it shows is
// kept in `state` (session.js), and `state` in the URL's hash, so a link reproduces the map.
import { t, setLanguage, translatePage } from './i18n.js';
import * as api from './api.js';
import { setStatus } from './dom.js';
import { state, data, page } from './session.js';
import { readHash } from './state.js';
import { rolesFrom } from './roles.js';
import { layerName } from './names.js';
import { createMap, fitToData } from './map.js';
import { buildLayerControls, buildOverlays, applyLayerVisibility } from './layers.js';
import { refreshQueries } from './queries.js';
import { fillChoosers, wireControls } from './controls.js';
import { renderAll, applyBasemap } from './render.js';
import { loadConverted } from './datum.js';
import { settleDistrict } from './districts.js';

/** Settles what the link left to the data: the default layers, the table's target, and no id the service does not have. */
function settleState() {
  const { roles } = page;
  state.layers = state.layers === null ? [roles.parks, ...roles.research] : state.layers.filter((id) => roles.overlays.includes(id));
  if (!roles.research.includes(state.tableTo)) state.tableTo = roles.research[0] ?? null;
}

async function start() {
  setLanguage(state.lang);
  translatePage();
  wireControls();
  setStatus(t('loading'), 'loading');
  try {
    page.config = await api.getJson('/client/config.json');
  } catch (error) {
    setStatus(t('loadError', { what: 'config', msg: error.message }), 'error');
    return;
  }
  page.roles = rolesFrom(page.config);
  const { roles } = page;
  settleState();
  buildLayerControls();
  createMap();
  const loads = [...roles.overlays, ...roles.districts].map(async (id) => {
    try {
      const collection = await api.loadCollection(id);
      data[id] = { features: collection.features, byId: new Map(collection.features.map((f) => [f.id, f])) };
    } catch (error) {
      data[id] = { features: [], byId: new Map(), error: error.message };
    }
  });
  await Promise.all(loads);
  if (!(await loadConverted([...roles.overlays, ...roles.districts]))) page.externalFailed = true;
  page.onBasemapChange = applyBasemap;
  settleDistrict();
  const failed = [...roles.overlays, ...roles.districts].filter((id) => data[id].error);
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
  page.restoring = keepView;
  page.fitNext = !keepView;
  await refreshQueries();
  page.restoring = false;
  document.body.dataset.ready = 'true';
}

window.addEventListener('hashchange', () => {
  // A link pasted into this same page: take its state as if the page had been opened with it.
  Object.assign(state, readHash(window.location.hash, navigator.language));
  settleDistrict();
  setLanguage(state.lang);
  translatePage();
  fillChoosers();
  if (state.view) page.map.setView([state.view.lat, state.view.lon], state.view.zoom);
  applyLayerVisibility();
  renderAll();
  refreshQueries();
});

start().catch((error) => setStatus(t('loadError', { what: 'ClusterMap', msg: error.message }), 'error'));
