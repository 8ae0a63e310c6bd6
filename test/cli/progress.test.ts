import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgressReporter, describeProgress } from '../../lib/cli/progress.js';

class Capture extends Writable {
  text = '';
  columns = 200;
  constructor(readonly isTTY: boolean) {
    super();
  }
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
  cursorTo(): boolean {
    return true;
  }
  clearLine(): boolean {
    return true;
  }
  clearScreenDown(): boolean {
    return true;
  }
}

describe('describeProgress', () => {
  it('shows elapsed time, an estimate from the average so far, and the databases in flight', () => {
    expect(
      describeProgress(
        { done: 10, total: 40, identifier: 'x', inFlight: ['orders-pg', 'crm-db'] },
        20_000,
      ),
    ).toBe('10/40 | 20s elapsed, about 1m00s left | now: orders-pg, crm-db');
  });

  it('names a few databases in flight and counts the rest', () => {
    expect(
      describeProgress(
        { done: 0, total: 9, identifier: 'a', inFlight: ['a', 'b', 'c', 'd', 'e'] },
        1_500,
      ),
    ).toBe('0/9 | 2s elapsed, estimating… | now: a, b, c +2 more');
  });

  it('shows identifiers from a snapshot without their terminal escapes, each cut short', () => {
    const line = describeProgress(
      {
        done: 0,
        total: 2,
        identifier: 'a',
        inFlight: ['evil\u001b]0;owned\u0007\u001b[2J\u009b31m\nname', 'x'.repeat(500)],
      },
      0,
    );
    expect(line).toBe(
      `0/2 | 0s elapsed, estimating… | now: evil ]0;owned [2J 31m name, ${'x'.repeat(59)}…`,
    );
  });

  it('drops the estimate and the in-flight list when everything is done', () => {
    expect(describeProgress({ done: 4, total: 4, identifier: 'd', inFlight: [] }, 61_000)).toBe(
      '4/4 | 1m01s elapsed',
    );
  });
});

describe('createProgressReporter', () => {
  it('on a pipe, writes one line per tenth with elapsed time and what is running', () => {
    const stream = new Capture(false);
    let now = 0;
    const reporter = createProgressReporter(stream as unknown as NodeJS.WriteStream, {
      clock: () => now,
    });
    reporter.update({ done: 0, total: 2, identifier: 'a', inFlight: ['a', 'b'] });
    now = 4_000;
    reporter.update({ done: 1, total: 2, identifier: 'a', inFlight: ['b'] });
    now = 9_000;
    reporter.update({ done: 2, total: 2, identifier: 'b', inFlight: [] });
    reporter.stop();
    expect(stream.text).toBe(
      [
        'scanned 0/2 | 0s elapsed, estimating… | now: a, b',
        'scanned 1/2 | 4s elapsed, about 4s left | now: b',
        'scanned 2/2 | 9s elapsed',
        '',
      ].join('\n'),
    );
  });

  it('on a terminal, draws a bar naming the databases in flight, not the last one finished', () => {
    const stream = new Capture(true);
    let now = 0;
    const reporter = createProgressReporter(stream as unknown as NodeJS.WriteStream, {
      clock: () => now,
    });
    reporter.update({ done: 0, total: 3, identifier: 'slow-db', inFlight: ['slow-db'] });
    now = 2_000;
    reporter.update({ done: 1, total: 3, identifier: 'fast-db', inFlight: ['slow-db', 'next-db'] });
    // Updates are drawn at most twice a second; stopping draws the latest state once more.
    reporter.stop();
    const drawn = stream.text;
    expect(drawn).toContain('scanning ');
    expect(drawn).toContain('1/3 | 2s elapsed, about 4s left | now: slow-db, next-db');
    expect(drawn).not.toContain('now: fast-db');
  });
});
