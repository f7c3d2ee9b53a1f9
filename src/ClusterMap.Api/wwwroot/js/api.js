// Calls to ClusterMap's own API. Every error answer is RFC 9457 problem+json; its detail is what the user reads.

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

export async function getJson(url, { signal } = {}) {
  let response;
  try {
    response = await fetch(url, { headers: { Accept: 'application/json' }, signal });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(`network error (${error.message})`, 0);
  }
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      const problem = await response.json();
      message = problem.detail || problem.title || message;
    } catch {
      // Not problem+json: keep the status line.
    }
    throw new ApiError(message, response.status);
  }
  return response.json();
}

/** A URL of this origin with query parameters; empty values are left out. */
export function apiUrl(path, parameters = {}) {
  const url = new URL(path, window.location.origin);
  for (const [name, value] of Object.entries(parameters)) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, String(value));
  }
  return url.pathname + url.search;
}

export const loadCollection = (id) => getJson(apiUrl(`/collections/${encodeURIComponent(id)}/items`, { limit: 10000 }));

export const within = (parks, origin, radiusMeters, filters, options) =>
  getJson(apiUrl('/proximity/within', { target: parks, radius_m: radiusMeters, from: origin, ...filters }), options);

export const nearest = (origin, target, k, options) =>
  getJson(apiUrl('/proximity/nearest', { target, k, from: origin }), options);

export const matrixUrl = (parks, to, k, maxMeters, format) =>
  apiUrl('/proximity/matrix', { from: parks, to, k, max_m: maxMeters, f: format });

export const ringsUrl = (parks, to, ringsMeters, format) =>
  apiUrl('/proximity/rings', { from: parks, to, rings_m: ringsMeters.join(','), f: format });
