// The buttons: each asks for confirmation, then calls the JSON API with the
// token as a bearer header (never a cookie: another site cannot act for you).

const TOKEN_KEY = 'herd-dashboard-token';

export function setupToken(input: HTMLInputElement, fromUrl: string | null): void {
  input.value = fromUrl ?? sessionStorage.getItem(TOKEN_KEY) ?? '';
  input.addEventListener('input', () => sessionStorage.setItem(TOKEN_KEY, input.value.trim()));
}

export interface ActionResult {
  ok: boolean;
  text: string;
}

export async function act(path: string, body: unknown, token: string): Promise<ActionResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(path, { method: 'POST', headers, body: JSON.stringify(body) });
  } catch (error) {
    return { ok: false, text: `the herd did not answer: ${(error as Error).message}` };
  }
  const data = (await res.json().catch(() => ({}))) as { error?: { message?: string; code?: string } } & Record<string, unknown>;
  if (!res.ok) return { ok: false, text: `${res.status}: ${data.error?.message ?? res.statusText}${data.error?.code ? ` [${data.error.code}]` : ''}` };
  return { ok: true, text: describe(data) };
}

/** The answer of an action, in words. */
function describe(data: Record<string, unknown>): string {
  if (typeof data.generation === 'number') {
    const restart = Array.isArray(data.needsRestart) && data.needsRestart.length > 0 ? `; needs herd restart: ${data.needsRestart.join(', ')}` : '';
    return `generation ${data.generation} serves${restart}`;
  }
  if (typeof data.workers === 'number') return `${data.workers} workers`;
  const replacement = data.replacement as { pid?: number } | undefined;
  if (typeof data.code === 'string') return `worker ${data.code}: pid ${String(data.pid)} → pid ${String(replacement?.pid)}`;
  return JSON.stringify(data);
}
