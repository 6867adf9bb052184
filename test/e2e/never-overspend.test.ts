import { describe, expect, it } from 'vitest';
import { refusalOf, runAdmin } from '../harness/admin-steps.js';
import { answerOf } from '../harness/admin-steps.js';
import { useWorldPerTest } from '../harness/use-world.js';
import { predictionsReach, requestVideo } from '../harness/video-steps.js';

const member = (n: number) => ({ id: `2530000000000000${String(n).padStart(2, '0')}`, username: `member${n}` });

describe('many requests at once never overspend', () => {
  const startWorld = useWorldPerTest();

  it("one member's ten requests at once: only their allowance's worth is accepted", async () => {
    const w = await startWorld({ env: { QUOTA_DEFAULT_SECONDS: '20', USER_PENDING_LIMIT: '20', GUILD_QUEUE_LIMIT: '50' } });
    const amy = member(1);
    const handles = Array.from({ length: 10 }, (_, i) => requestVideo(w, amy, `burst ${i}`));
    const records = await Promise.all(handles.map((h) => answerOf(w, h)));
    expect(records.filter((r) => r.ackType === 5)).toHaveLength(4);
    const refused = records.filter((r) => r.ackType === 4);
    expect(refused).toHaveLength(6);
    for (const r of refused) expect(r.original!.content).toMatch(/^You have 0 of 20 seconds left today/);
    await predictionsReach(w, 2);
  });

  it("the server's budget caps everyone together, and says when it resets", async () => {
    const w = await startWorld({ env: { QUOTA_DEFAULT_SECONDS: 'unlimited', GUILD_QUEUE_LIMIT: '50' } });
    await runAdmin(w, 'quota budget', { seconds: 15 });
    const handles = Array.from({ length: 10 }, (_, i) => requestVideo(w, member(10 + i), `member ${i}`));
    const records = await Promise.all(handles.map((h) => answerOf(w, h)));
    expect(records.filter((r) => r.ackType === 5)).toHaveLength(3);
    const refused = records.filter((r) => r.ackType === 4);
    expect(refused).toHaveLength(7);
    expect(refused[0]!.original!.content).toMatch(
      /^This server's video budget today is used up \(0 of 15 seconds left; this video needs 5\)\. It resets <t:\d+:R>\.$/,
    );
    expect(await refusalOf(w, requestVideo(w, member(30), 'late'))).toMatch(/budget today is used up/);
  });
});
