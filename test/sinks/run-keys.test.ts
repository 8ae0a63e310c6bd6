import { describe, expect, it } from 'vitest';
import { reportKeys, runIdFrom } from '../../lib/sinks/run-keys.js';

const RUN = { id: '20260102T030405Z-abc123', startedAt: new Date('2026-01-02T03:04:05.000Z') };

describe('run keys', () => {
  it('partitions by UTC year, month and day and names the file after the run', () => {
    expect(reportKeys(RUN)).toEqual({
      json: 'reports/year=2026/month=01/day=02/20260102T030405Z-abc123.json',
      html: 'reports/year=2026/month=01/day=02/20260102T030405Z-abc123.html',
    });
  });

  it('makes a key-safe run id from the schedule event id, whatever it contains', () => {
    expect(runIdFrom(RUN.startedAt, '8a1c-../../etc')).toBe('20260102T030405Z-8a1cetc');
    expect(runIdFrom(RUN.startedAt)).toMatch(/^20260102T030405Z-[A-Za-z0-9]{12}$/);
  });
});
