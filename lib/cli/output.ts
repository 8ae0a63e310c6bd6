import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { oneLine } from '../text.js';

export async function writeReport(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
}

/**
 * One line of a message for a person at a terminal. File names, identifiers
 * and AWS error texts end up in these lines, so control characters (terminal
 * escapes, forged line breaks) become spaces.
 */
export function writeLine(stream: NodeJS.WritableStream, text: string): void {
  stream.write(`${oneLine(text)}\n`);
}
