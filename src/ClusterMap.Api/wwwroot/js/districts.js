// The districts, from the collection whose role is `district`: the chooser's entries (full names in the interface's
// language), which features lie in the chosen one (decided by its polygon), and outlines with names on the map —
// the chosen district always, every district over an external basemap (ClusterMap's own tiles draw them already).
import { language } from './i18n.js';
import { state, data, page } from './session.js';
import { baseInUse, drawingDatum, geometryOf } from './datum.js';
import { fitPadding } from './map.js';

const L = window.L;

let drawn = null;
let drawnFor = '';
let labels = [];

const collection = () => page.roles.districts[0];

export const districtFeatures = () => data[collection()]?.features ?? [];

export const districtName = (d) => (language() === 'zh' ? d.properties.name_zh || d.properties.name_en : d.properties.name_en || d.properties.name_zh) || d.id;

/** The chosen district's label: both names in a box, which covers the name ClusterMap's tiles print at the same point. */
function chosenLabel(d) {
  const other = language() === 'zh' ? d.properties.name_en : d.properties.name_zh;
  const box = document.createElement('span');
  const primary = document.createElement('strong');
  primary.textContent = districtName(d);
  box.append(primary);
  if (other && other !== districtName(d)) {
    const secondary = document.createElement('span');
    secondary.className = 'secondary';
    secondary.textContent = other;
    box.append(secondary);
  }
  return box;
}

const labelContent = (d, isChosen) => (isChosen ? chosenLabel(d) : districtName(d));

export const chosenDistrict = () => (state.district ? districtFeatures().find((d) => d.id === state.district) ?? null : null);

/** A link's district as an id the collection has: older links named it by its Chinese or English name. */
export function settleDistrict() {
  if (!state.district) return;
  const d = districtFeatures().find((x) => x.id === state.district || x.properties.name_zh === state.district || x.properties.name_en === state.district);
  state.district = d?.id ?? '';
}

/**
 * Whether a feature lies in the chosen district (true without one). A feature that carries the `district_id` the
 * geodata build computed from these polygons is decided by it; any other (an imported collection) by whether its
 * point lies inside the district's polygon, as stored (WGS84).
 */
export function inDistrict(f) {
  const d = chosenDistrict();
  if (!d) return true;
  if (f.properties && 'district_id' in f.properties) return f.properties.district_id === d.id;
  return f.geometry?.type === 'Point' && pointInPolygon(f.geometry.coordinates, d.geometry);
}

/** Even–odd rule over every ring, so holes are outside; a multipolygon holds the point if any of its parts does. */
export function pointInPolygon([x, y], geometry) {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.type === 'MultiPolygon' ? geometry.coordinates : [];
  return polygons.some((rings) => {
    let inside = false;
    for (const ring of rings) {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
        const [xi, yi] = ring[i];
        const [xj, yj] = ring[j];
        if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
      }
    }
    return inside;
  });
}

const vertices = (geometry) => (geometry.type === 'Polygon' ? geometry.coordinates.flat() : geometry.coordinates.flat(2));

/**
 * Where a district's name goes: its stored label point (inside the polygon), moved with the outline into the drawing
 * datum by the shift of the outline's nearest vertex (the datum's shift varies by metres across a district).
 */
function labelLatLng(d) {
  const p = d.properties;
  const stored = vertices(d.geometry);
  const label = Number.isFinite(p.label_lon) && Number.isFinite(p.label_lat) ? [p.label_lon, p.label_lat] : stored[0];
  const shown = vertices(geometryOf(collection(), d));
  let nearest = 0;
  let best = Infinity;
  stored.forEach(([x, y], i) => {
    const d2 = (x - label[0]) ** 2 + (y - label[1]) ** 2;
    if (d2 < best) {
      best = d2;
      nearest = i;
    }
  });
  const [dx, dy] = shown.length === stored.length ? [shown[nearest][0] - stored[nearest][0], shown[nearest][1] - stored[nearest][1]] : [0, 0];
  return [label[1] + dy, label[0] + dx];
}

/** The outlines and names on the map, in the drawing datum. */
export function renderDistricts() {
  if (!page.map || !collection()) return;
  const chosen = chosenDistrict();
  const all = baseInUse() === 'external';
  // Drawn again only when what it shows changed (a removed name fades out for a moment, and would double); a new
  // language only renames.
  const what = [chosen?.id, all, drawingDatum()].join('|');
  if (what === drawnFor) {
    for (const { label, d } of labels) label.setContent(labelContent(d, d === chosen));
    return;
  }
  drawnFor = what;
  drawn?.remove();
  drawn = null;
  labels = [];
  const shown = districtFeatures().filter((d) => d === chosen || all);
  if (!shown.length) return;
  drawn = L.layerGroup();
  for (const d of shown) {
    const isChosen = d === chosen;
    const outline = L.geoJSON(geometryOf(collection(), d), {
      interactive: false,
      style: () => (isChosen
        ? { color: '#5e3c99', weight: 3, opacity: 0.9, fillColor: '#5e3c99', fillOpacity: 0.05, className: 'cm-district cm-district-chosen' }
        : { color: '#9c84a8', weight: 1.3, opacity: 0.9, fill: false, className: 'cm-district' }),
    });
    outline.on('add', () => outline.eachLayer((layer) => {
      const element = layer.getElement?.();
      if (element) element.dataset.district = d.id;
    }));
    drawn.addLayer(outline);
    const label = L.tooltip({ pane: 'districtLabels', opacity: 1, permanent: true, direction: 'center', interactive: false, className: `cm-district-label${isChosen ? ' is-chosen' : ''}` })
      .setLatLng(labelLatLng(d)).setContent(labelContent(d, isChosen));
    drawn.addLayer(label);
    labels.push({ label, d });
    label.on('add', () => {
      const element = label.getElement();
      if (element) element.dataset.district = d.id;
    });
  }
  drawn.addTo(page.map);
}

/** Frames the chosen district (when the user picks one, not when a link is opened). */
export function fitDistrict() {
  const d = chosenDistrict();
  if (d) page.map.fitBounds(L.geoJSON(geometryOf(collection(), d)).getBounds(), fitPadding(20));
}
