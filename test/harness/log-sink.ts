/** Collects the bot's JSON log lines so tests can read what an operator would see. */
export class LogSink {
  readonly lines: string[] = [];

  write(line: string): void {
    this.lines.push(line);
  }

  get text(): string {
    return this.lines.join('');
  }

  entries(): Record<string, unknown>[] {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  find(msg: string): Record<string, unknown>[] {
    return this.entries().filter((e) => e.msg === msg);
  }

  /**
   * Waits for the `count`-th line with this `msg`. A line is written after the state it reports is stored, so a test
   * that waited on the store must wait for the line too, never read it at once.
   */
  async waitFor(msg: string, { count = 1, timeoutMs = 10_000 }: { count?: number; timeoutMs?: number } = {}): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.find(msg);
      if (found.length >= count) return found[count - 1]!;
      if (Date.now() >= deadline) throw new Error(`timed out waiting for log line "${msg}" #${count}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
