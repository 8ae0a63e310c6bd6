import { SingleBar } from 'cli-progress';
import type { ScanProgress } from '../scan.js';
import { oneLine, truncate } from '../text.js';

export interface ProgressReporter {
  update(progress: ScanProgress): void;
  stop(): void;
}

export interface ProgressOptions {
  /** Milliseconds since some fixed point; injectable for tests. Default Date.now. */
  clock?: () => number;
  /** Databases named on the bar before "+N more". Default 3. */
  maxNamed?: number;
}

const BAR_WIDTH = 24;
/** A database named on the status line is cut to this many characters. */
const MAX_NAME = 60;

/** `1m05s`, `42s`: short enough for a status line. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
}

/**
 * `12/40 | 8s elapsed, about 19s left | now: orders-pg, crm-db +3 more`.
 * The estimate is the average time per finished database so far, times the
 * databases left, divided by nothing cleverer: honest about being rough, and
 * absent until one database has finished.
 */
export function describeProgress(progress: ScanProgress, elapsedMs: number, maxNamed = 3): string {
  const { done, total, inFlight } = progress;
  const estimate =
    done > 0 && done < total
      ? `, about ${formatDuration((elapsedMs / done) * (total - done))} left`
      : done === total
        ? ''
        : ', estimating…';
  // Identifiers from a snapshot file are anyone's bytes: no terminal escapes, no endless names.
  const named = inFlight
    .slice(0, maxNamed)
    .map((identifier) => truncate(oneLine(identifier), MAX_NAME))
    .join(', ');
  const more = inFlight.length > maxNamed ? ` +${inFlight.length - maxNamed} more` : '';
  const now = inFlight.length > 0 ? ` | now: ${named}${more}` : '';
  return `${done}/${total} | ${formatDuration(elapsedMs)} elapsed${estimate}${now}`;
}

function bar(done: number, total: number): string {
  const filled = total === 0 ? BAR_WIDTH : Math.round((done / total) * BAR_WIDTH);
  return `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
}

/**
 * A bar on a terminal (elapsed time, an estimate, and the databases being
 * evaluated right now); on a pipe or in CI, one plain line per tenth of the
 * work so logs stay short and readable.
 */
export function createProgressReporter(
  stream: NodeJS.WriteStream,
  options: ProgressOptions = {},
): ProgressReporter {
  const clock = options.clock ?? Date.now;
  const startedAt = clock();
  let latest: ScanProgress = { done: 0, total: 0, identifier: '', inFlight: [] };
  const line = () => describeProgress(latest, clock() - startedAt, options.maxNamed);

  if (stream.isTTY) {
    const progressBar = new SingleBar({
      stream,
      format: () => `scanning ${bar(latest.done, latest.total)} ${line()}`,
      hideCursor: true,
      clearOnComplete: true,
      // Redraw on a timer too, so elapsed time moves while a slow probe runs.
      fps: 2,
    });
    let started = false;
    return {
      update(progress) {
        latest = progress;
        if (!started) {
          progressBar.start(progress.total, 0);
          started = true;
        }
        progressBar.update(progress.done);
      },
      stop() {
        if (started) progressBar.stop();
      },
    };
  }
  let lastTenth = -1;
  return {
    update(progress) {
      latest = progress;
      const { done, total } = progress;
      const tenth = total === 0 ? 10 : Math.floor((done / total) * 10);
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        stream.write(`scanned ${line()}\n`);
      }
    },
    stop() {},
  };
}
