// The dashboard's JSON API. A 401 means the session cookie is gone (AppHost restarted): sign in again.

export async function get(path) {
  const response = await fetch(path, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (response.status === 401) { location.href = '/login'; throw new Error('signed out'); }
  if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
  return response.json();
}

export async function post(path) {
  // The custom header is the anti-CSRF check: a cross-site form cannot send it.
  const response = await fetch(path, { method: 'POST', credentials: 'same-origin', headers: { 'X-Coinage-Dashboard': '1' } });
  if (response.status === 401) { location.href = '/login'; throw new Error('signed out'); }
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
  return response.status === 204 ? null : response.json();
}

export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  const text = search.toString();
  return text ? `?${text}` : '';
}
