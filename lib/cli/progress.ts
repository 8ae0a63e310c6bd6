import { SingleBar } from 'cli-progress';
import type { ScanProgress } from '../scan.js';

export interface ProgressReporter {
  update(progress: ScanProgress): void;
  stop(): void;
}

/**
 * A bar on a terminal; on a pipe or in CI, one plain line per tenth of the
 * work so logs stay short and readable.
 */
export function createProgressReporter(stream: NodeJS.WriteStream): ProgressReporter {
  if (stream.isTTY) {
    const bar = new SingleBar({
      stream,
      format: 'scanning {bar} {value}/{total} {identifier}',
      hideCursor: true,
      clearOnComplete: true,
    });
    let started = false;
    return {
      update({ done, total, identifier }) {
        if (!started) {
          bar.start(total, 0, { identifier: '' });
          started = true;
        }
        bar.update(done, { identifier });
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let lastTenth = -1;
  return {
    update({ done, total }) {
      const tenth = total === 0 ? 10 : Math.floor((done / total) * 10);
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        stream.write(`scanned ${done}/${total}\n`);
      }
    },
    stop() {},
  };
}
