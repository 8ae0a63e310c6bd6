import { describe, expect, it } from 'vitest';
import { SCAN_PROBLEM_CODES, type ScanProblem, scanProblemSchema } from '../lib/types.js';

describe('scan problem codes', () => {
  it('accepts a problem whose code is in the list', () => {
    const problem: ScanProblem = {
      scope: 'region:eu-west-1',
      code: 'REGION_UNREADABLE',
      message: 'x',
    };
    expect(scanProblemSchema.safeParse(problem).success).toBe(true);
    expect(SCAN_PROBLEM_CODES).toContain('PROBE_BATCH_LOST');
  });

  it('rejects a code that is not in the list, at compile time and when read back', () => {
    const problem: ScanProblem = {
      scope: 'region:eu-west-1',
      // @ts-expect-error REGION_UNREACHABLE is not a scan problem code
      code: 'REGION_UNREACHABLE',
      message: 'x',
    };
    expect(scanProblemSchema.safeParse(problem).success).toBe(false);
  });
});
