// Which collection is drawn and queried as what, from the role the service stores for each (config.layers): what a
// layer is drawn as never depends on its id.

// Until the service has answered (or if it names no layers), the shipped collections.
const SHIPPED = [
  { id: 'parks', role: 'park' }, { id: 'universities', role: 'university' }, { id: 'institutes', role: 'institute' },
  { id: 'metro-stations', role: 'context' }, { id: 'land', role: 'land' }, { id: 'water', role: 'water' }, { id: 'districts', role: 'district' },
];

/** Line and marker colours by role (parks take their sector's colour from the configuration). */
export const ROLE_COLORS = Object.freeze({ university: '#1f3a5f', institute: '#7a1f3d', context: '#777777' });

/**
 * The collections by role, from /client/config.json: `parks` (the one park collection the queries start from),
 * `research` (universities, then institutes: the targets), `institutes`, `overlays` (every collection drawn as
 * markers), `basemap` (land and water, drawn by the tiles) and `districts` (the district polygons, for the filter
 * and the outlines).
 */
export function rolesFrom(config) {
  const layers = config?.layers?.length ? config.layers : SHIPPED;
  const ids = (...roles) => Object.freeze(layers.filter((l) => roles.includes(l.role)).map((l) => l.id));
  const institutes = ids('institute');
  const stored = (collection) => config?.layers?.find((l) => l.id === collection);
  return Object.freeze({
    parks: ids('park')[0] ?? 'parks',
    institutes,
    research: Object.freeze([...ids('university'), ...institutes]),
    overlays: ids('park', 'university', 'institute', 'context'),
    basemap: ids('land', 'water'),
    districts: ids('district'),
    /** A collection's role: park, university, institute, context, land or water (context for anything the service does not say). */
    of: (collection) => stored(collection)?.role ?? 'context',
    /** The collection's own title, if the service gave one. */
    title: (collection) => stored(collection)?.title,
  });
}
