import { describe, expect, it } from 'vitest';
import { afterResume, WireLog, wroteAfterResume } from '../../bench/soak/after-resume.js';
import { BotLogs } from '../../bench/soak/bot-logs.js';

const freeze = { processNumber: 5, frozenAt: 1_000, resumedAt: 5_000, stoppedByItself: true, stoppedAfterMs: 800 };

function wireWith(
  requests: { side: 'discord' | 'replicate'; tag?: string; method: string; path: string; at: number; startedAt?: number }[],
): WireLog {
  let now = 0;
  const wire = new WireLog(() => now);
  for (const r of requests) {
    now = r.at;
    const request = { method: r.method, path: r.path, headers: {}, body: Buffer.alloc(0), startedAt: r.startedAt ?? r.at };
    wire.watch(r.side, () => undefined)({ ...request, ...(r.tag ? { tag: r.tag } : {}) });
  }
  return wire;
}

describe("the soak's count of what a frozen lease holder did after its resume", () => {
  it("counts only the resumed process's own writes after its SIGCONT, on the wire and in its store", () => {
    const wire = wireWith([
      { side: 'discord', tag: 'p5', method: 'PATCH', path: '/api/v10/webhooks/1/t/messages/@original', at: 4_000 },
      { side: 'discord', tag: 'p5', method: 'POST', path: '/api/v10/channels/1/messages', at: 5_200 },
      { side: 'discord', tag: 'p5', method: 'GET', path: '/api/v10/webhooks/1/t/messages/@original', at: 5_300 },
      { side: 'discord', tag: 'p6', method: 'POST', path: '/api/v10/channels/1/messages', at: 5_400 },
      { side: 'replicate', tag: 'p5', method: 'POST', path: '/v1/models/o/m/predictions', at: 5_500 },
      { side: 'replicate', tag: 'p5', method: 'GET', path: '/v1/predictions/r8abc', at: 5_600 },
      { side: 'replicate', tag: 'p5', method: 'GET', path: '/files-out/r8abc.mp4', at: 5_700 },
    ]);
    const logs = new BotLogs();
    const write = (process: number, time: number, applied: boolean) =>
      logs.entries.push({ process, entry: { msg: 'soak store write', time, op: 'saveJob', applied } });
    write(5, 900, true);
    write(5, 5_100, true);
    write(5, 5_150, false);
    write(6, 5_200, true);

    const after = afterResume(freeze, wire, logs);

    expect(after).toMatchObject({ storeWritesApplied: 1, storeWritesRefused: 1, discordWrites: 1, replicateCreates: 1, outputDownloads: 1 });
    expect(wroteAfterResume(after)).toBe(true);
  });

  it('holds a resumed process that only read and was refused every write as clean', () => {
    const wire = wireWith([{ side: 'replicate', tag: 'p5', method: 'GET', path: '/v1/predictions/r8abc', at: 5_600 }]);
    const logs = new BotLogs();
    logs.entries.push({ process: 5, entry: { msg: 'soak store write', time: 5_100, op: 'saveJob', applied: false } });
    expect(wroteAfterResume(afterResume(freeze, wire, logs))).toBe(false);
  });

  it('does not count what the process had sent before its freeze and only heard back after its resume', () => {
    // An upload whose body was still streaming at SIGSTOP; a store write whose answer was read after SIGCONT.
    const wire = wireWith([
      { side: 'discord', tag: 'p5', method: 'PATCH', path: '/api/v10/webhooks/1/t/messages/@original', startedAt: 900, at: 5_010 },
    ]);
    const logs = new BotLogs();
    logs.entries.push({ process: 5, entry: { msg: 'soak store write', time: 5_050, issuedAt: 950, op: 'saveJob', applied: true } });
    const after = afterResume(freeze, wire, logs);
    expect(after).toMatchObject({ storeWritesApplied: 0, discordWrites: 0 });
    expect(wroteAfterResume(after)).toBe(false);
  });

  it("counts a resumed holder's answers to new interactions apart from posts and edits of its jobs' messages", () => {
    // A stale process that still receives interactions answers them (a refusal, as it can store nothing): what it
    // must not do is post or edit what belongs to the successor's jobs. Loss, if any, shows in the lost row.
    const wire = wireWith([
      { side: 'discord', tag: 'p5', method: 'POST', path: '/api/v10/interactions/1579/tok/callback?with_response=false', at: 5_100 },
      { side: 'discord', tag: 'p5', method: 'PATCH', path: '/api/v10/webhooks/1/t/messages/@original', at: 5_200 },
    ]);
    const after = afterResume(freeze, wire, new BotLogs());
    expect(after).toMatchObject({ discordWrites: 1, discordAnswers: 1 });
  });
});
