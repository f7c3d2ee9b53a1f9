// What the running page holds, shared by its modules. Everything the user sees is kept in `state`, and `state` is
// kept in the URL's hash, so a link reproduces the map.
import { readHash, writeHash } from './state.js';
import { rolesFrom } from './roles.js';

export const state = readHash(window.location.hash, navigator.language);

/** collection id → { features, byId } */
export const data = {};

/** The service's configuration and what is built from it, set once at start-up (see app.js). */
export const page = {
  config: null,
  roles: rolesFrom(null),
  map: null,
  ownLayer: null,
  externalLayer: null,
  externalFailed: false, // the external basemap's tiles failed: ClusterMap's own is shown (map.js)
  restoring: true,
  fitNext: false, // the next radius answer frames its ring (a new origin, or a link without a view)
};

/** collection id → L.LayerGroup */
export const groups = {};

/** 'collection/id' → marker */
export const markers = new Map();

export const graphics = { uncertainty: null, ring: null, highlights: null, lines: null };

/** The last answer of each query, kept to redraw it in another language without asking again. */
export const results = { within: null, nearest: null, table: null, analysisPark: null, analysisCharts: null };

export function saveState() {
  if (page.restoring && !page.map) return;
  const hash = writeHash(state);
  if (window.location.hash !== hash) history.replaceState(null, '', hash);
}
