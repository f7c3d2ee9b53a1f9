// Where things are drawn. Over ClusterMap's own basemap (and any WGS84 or CGCS2000 one) in WGS84, as stored; over a
// basemap drawn in GCJ-02 or BD-09 (Amap, Tencent, Baidu) in that datum, at the positions the service converts
// (`crs={service}/crs/GCJ-02` on items), so a park sits on its street of that map. The client converts no coordinate
// itself: one implementation of the datum, the service's, tested there. Distances are always the service's WGS84
// answers; only the drawing moves.
import * as api from './api.js';
import { state, page } from './session.js';

const SHIFTED = ['GCJ-02', 'BD-09'];

/** datum → Map('collection/id' → geometry in that datum); WGS84 needs none (the features as loaded). */
const converted = {};

/** The basemap under the map: 'external' only when one is configured, chosen, and its tiles have not failed. */
export function baseInUse() {
  return state.base === 'external' && page.externalLayer && !page.externalFailed ? 'external' : 'own';
}

/** The datum the map is drawn in: the external basemap's when it is shown and shifted, else WGS84. */
export function drawingDatum() {
  const crs = page.config?.external_basemap?.crs;
  return baseInUse() === 'external' && SHIFTED.includes(crs) ? crs : 'WGS84';
}

/** The URI by which this service names a datum it converts to (api.md, Coordinate reference systems). */
export const crsUri = (datum) => `${window.location.origin}/crs/${datum}`;

/**
 * Fetches the geometries of `collections` in the drawing datum, once per datum and collection. Resolves to false
 * when the service could not give them (the map then stays in WGS84 and says so through the caller).
 */
export async function loadConverted(collections) {
  const datum = drawingDatum();
  if (datum === 'WGS84') return true;
  converted[datum] ??= new Map();
  const missing = collections.filter((id) => !converted[datum].has(`${id}/`));
  try {
    await Promise.all(missing.map(async (id) => {
      const answer = await api.getJson(api.apiUrl(`/collections/${encodeURIComponent(id)}/items`, { limit: 10000, crs: crsUri(datum) }));
      for (const f of answer.features) converted[datum].set(`${id}/${f.id}`, f.geometry);
      converted[datum].set(`${id}/`, null);
    }));
    return true;
  } catch {
    return false;
  }
}

/** A feature's geometry in the drawing datum (the stored WGS84 one where no conversion is loaded). */
export function geometryOf(collection, f) {
  const datum = drawingDatum();
  return (datum === 'WGS84' ? null : converted[datum]?.get(`${collection}/${f.id}`)) ?? f.geometry;
}

/** A point feature's position in the drawing datum, as Leaflet's [lat, lon]. */
export function latLngOf(collection, f) {
  const [lon, lat] = geometryOf(collection, f).coordinates;
  return [lat, lon];
}
