import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';

function capture(secrets: string[]) {
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', secrets, bare: true, destination: { write: (s: string) => lines.push(s) } });
  return { log, lines };
}

describe('logger', () => {
  it('never writes a configured token, whatever field carries it', () => {
    const { log, lines } = capture(['bot-token-123456789', 'r8_replicate-secret']);
    log.info({ deep: { nested: { value: 'Bearer r8_replicate-secret' } } }, 'with bot-token-123456789 in text');
    log.error({ err: new Error('failed with r8_replicate-secret') }, 'boom');
    const out = lines.join('');
    expect(out).not.toContain('bot-token-123456789');
    expect(out).not.toContain('r8_replicate-secret');
    expect(out).toContain('[REDACTED]');
  });

  it('hides interaction tokens inside webhook and callback URLs', () => {
    const { log, lines } = capture([]);
    const token = 'aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OnNlY3JldA';
    const err = Object.assign(new Error('Invalid Webhook Token'), {
      url: `http://127.0.0.1:1/api/v10/webhooks/123456789012345678/${token}/messages/%40original`,
      requestBody: { json: { content: 'x' } },
    });
    log.warn({ err, jobId: 'j1' }, 'edit failed');
    log.info({ reply: { interactionToken: token } }, 'job');
    const out = lines.join('');
    expect(out).not.toContain(token);
    expect(out).toContain('/webhooks/123456789012345678/[REDACTED]/messages');
  });
});
