/** What Powertools' Logger and Metrics write during a test, as lines. */
import { vi } from 'vitest';

export function captureStdout(): { lines: () => string[]; restore: () => void } {
  const written: string[] = [];
  const streamSpies = [process.stdout, process.stderr].map((stream) =>
    vi.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
      written.push(String(chunk));
      return true;
    }),
  );
  // Powertools writes through console, which the Lambda runtime patches; both paths are captured.
  const consoleSpies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) =>
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      written.push(args.map(String).join(' '));
    }),
  );
  return {
    lines: () => written.join('').split('\n').filter(Boolean),
    restore: () => {
      for (const streamSpy of streamSpies) streamSpy.mockRestore();
      for (const consoleSpy of consoleSpies) consoleSpy.mockRestore();
    },
  };
}
