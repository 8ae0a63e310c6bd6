import { Writable } from 'node:stream';

/** A stream standing in for stdout or stderr: keeps what was written; `isTTY` says whether it is a terminal. */
export class Capture extends Writable {
  text = '';
  isTTY = false;
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}
