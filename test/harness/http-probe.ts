/** What an orchestrator's probe of `/healthz` (or a Prometheus scrape) sees, with how long the answer took. */
export interface ProbeAnswer {
  status: number;
  contentType: string | null;
  text: string;
  tookMs: number;
}

/** GET on the bot's HTTP port, giving up after `timeoutMs` (as a probe with a timeout does). */
export async function probe(port: number, path: string, { timeoutMs = 5_000 } = {}): Promise<ProbeAnswer> {
  const started = Date.now();
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type'), text, tookMs: Date.now() - started };
}

/** Probes until `accept` takes an answer or the deadline passes (no fixed sleeps: a short pause between tries). */
export async function probeUntil(
  port: number,
  path: string,
  accept: (answer: ProbeAnswer) => boolean,
  { timeoutMs = 20_000, description = `${path} as expected` } = {},
): Promise<ProbeAnswer> {
  const deadline = Date.now() + timeoutMs;
  let last: ProbeAnswer | undefined;
  for (;;) {
    last = await probe(port, path);
    if (accept(last)) return last;
    if (Date.now() >= deadline) throw new Error(`timed out waiting for ${description}; last answer ${last.status} ${last.text}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
