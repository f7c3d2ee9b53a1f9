// What leaves the page: the radius and nearest lists as CSV or GeoJSON files, and the map as the service's static
// PNG or PDF of the same view, layers, filters and query.
import { t, language } from './i18n.js';
import * as api from './api.js';
import { el } from './dom.js';
import { toCsv, saveFile } from './download.js';
import { state, data, page, results } from './session.js';
import { radiusMeters } from './queries.js';

export function exportButtons(kind) {
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
  const { roles } = page;
  if (kind === 'within') {
    return results.within.answer.features.map((f) => ({ collection: roles.parks, f }));
  }
  return roles.research.flatMap((target) => results.nearest[target].features.map((f) => ({ collection: target, f })));
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

export function staticMapUrl(format) {
  const { map, roles } = page;
  const bounds = map.getBounds();
  const size = map.getSize();
  const clamp = (v) => Math.max(64, Math.min(2048, Math.round(v)));
  const layers = [...roles.basemap, ...roles.overlays.filter((id) => state.layers.includes(id))];
  const highlight = state.tab === 'radius' ? state.from : state.tab === 'nearest' ? state.park : state.sel;
  const bbox = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()].map((v) => v.toFixed(5)).join(',');
  const nearest = state.tab === 'nearest' && state.park;
  return api.apiUrl(`/maps/static.${format}`, {
    bbox, width: clamp(size.x), height: clamp(size.y), layers: layers.join(','), lang: language(),
    highlight: highlight || '', radius_m: state.tab === 'radius' && state.from ? radiusMeters() : '',
    nearest: nearest ? state.k : '', nearest_to: nearest ? roles.research.join(',') : '',
    ...exportFilters(),
  });
}

/** The filters the map applies, as the static map's `{collection}.{property}=value` parameters, so the figure shows the same features. */
function exportFilters() {
  const { roles } = page;
  const filters = {};
  const add = (collection, property, value) => {
    // Only where the collection has the property at all: the endpoint answers 400 for a property it cannot filter on.
    if (value && data[collection]?.features.some((f) => property in f.properties)) filters[`${collection}.${property}`] = value;
  };
  add(roles.parks, 'sector', state.sector);
  for (const id of [roles.parks, ...roles.research]) add(id, 'district_id', state.district);
  return filters;
}
