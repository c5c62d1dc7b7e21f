// The same request run natively by the `samovar serve` that served this page (POST /api/run).
// Never throws: what went wrong is said in words beside the comparison.
export const API_URL = '/api/run';

// Aborting the fetch hangs up, and the server then cancels the native run.
const CANCELLED = {status: 'cancelled', message: 'the native run was cancelled'};

// Returns {status: "ok", report} | {status: "busy", message} | {status: "unavailable", message}
// | {status: "rejected", report} | {status: "error", message} | {status: "cancelled", message}.
export async function runNative(request, signal) {
  let response;
  try {
    response = await fetch(API_URL, {
      method: 'POST',
      headers: {'Content-Type': 'application/json'},
      body: JSON.stringify(request),
      signal,
    });
  } catch (e) {
    if (signal?.aborted) return CANCELLED;
    return {status: 'unavailable', message: `no samovar server answered ${API_URL} (${e.message})`};
  }
  // A static host has no /api/run: it answers 404 or 405, or a page of its own.
  if ([404, 405, 501].includes(response.status)) {
    return {status: 'unavailable', message: `this host has no native runner (${API_URL} answered HTTP ${response.status})`};
  }
  if (response.status === 429) {
    const after = response.headers.get('Retry-After');
    return {status: 'busy', message: `the server is running another native run (one at a time)${after ? `; try again in ${after} s` : ''}`};
  }
  const type = response.headers.get('Content-Type') ?? '';
  if (!type.startsWith('application/json')) {
    return {status: response.ok ? 'unavailable' : 'error', message: `${API_URL} answered HTTP ${response.status} (${(await response.text().catch(() => '')).slice(0, 200)})`};
  }
  let report;
  try {
    report = await response.json();
  } catch {
    if (signal?.aborted) return CANCELLED;
    return {status: 'error', message: `${API_URL} answered with JSON that does not parse`};
  }
  if (report?.error?.code === 'bad_request') return {status: 'rejected', report};
  return {status: 'ok', report};
}
