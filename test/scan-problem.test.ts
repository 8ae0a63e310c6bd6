import { describe, expect, it } from 'vitest';
import { SCAN_PROBLEM_CODES, type ScanProblem, scanProblemSchema } from '../lib/types.js';

const inRegion = (code: ScanProblem['code']): ScanProblem => ({
  scope: 'region:eu-west-1',
  code,
  message: 'x',
});

describe('scan problem codes', () => {
  it('accepts a problem whose code is in the list', () => {
    expect(scanProblemSchema.safeParse(inRegion('REGION_UNREADABLE')).success).toBe(true);
    expect(SCAN_PROBLEM_CODES).toContain('PROBE_BATCH_LOST');
  });

  it('rejects a code that is not in the list, at compile time and when read back', () => {
    // @ts-expect-error REGION_UNREACHABLE is not a scan problem code
    expect(scanProblemSchema.safeParse(inRegion('REGION_UNREACHABLE')).success).toBe(false);
  });
});
