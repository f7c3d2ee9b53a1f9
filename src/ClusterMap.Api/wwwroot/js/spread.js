// Point symbols drawn beside their point. Estimated locations are often copied from one anchor (a metro station, a
// campus point), so several parks, campuses and institutes can have the very same coordinates; drawn there, the top
// symbol would hide the others and take every click. Each such group is drawn in a row centred on the shared point,
// the features' positions unchanged (distances, rings and lines use the point itself).
import { key } from './names.js';

const L = window.L;

/** The spacing, in pixels, of symbols drawn side by side (a park's circle is 21 px across with its outline). */
const SPACING_PX = 22;

const offsets = new Map();

/** Spreads every group of features (collection ids and their features) that shares one point; the offsets are kept. */
export function spreadSharedPoints(collections) {
  offsets.clear();
  const byPoint = new Map();
  for (const [id, features] of collections) {
    for (const f of features) {
      if (f.geometry?.type !== 'Point') continue;
      const point = f.geometry.coordinates.slice(0, 2).join(',');
      if (!byPoint.has(point)) byPoint.set(point, []);
      byPoint.get(point).push(key(id, f.id));
    }
  }
  for (const refs of byPoint.values()) {
    if (refs.length < 2) continue;
    refs.forEach((ref, i) => offsets.set(ref, (i - (refs.length - 1) / 2) * SPACING_PX));
  }
}

/** The horizontal offset, in pixels, at which the symbol of a feature (`collection/id`) is drawn from its point. */
export function offsetOf(ref) {
  return offsets.get(ref) ?? 0;
}

/** A circle marker drawn `offsetPx` pixels to the right of its point, at every zoom; its position stays the point. */
export const OffsetCircleMarker = L.CircleMarker.extend({
  options: { offsetPx: 0 },
  _project() {
    L.CircleMarker.prototype._project.call(this);
    if (this.options.offsetPx) {
      this._point = this._point.add([this.options.offsetPx, 0]);
      this._updateBounds();
    }
  },
});
