import { describe, expect, it } from 'vitest';
import {
  capMessage,
  clampAnnotation,
  clipServerText,
  labelled,
  MAX_ANNOTATION_LENGTH,
  oneLine,
  quoteFragment,
  SERVER_TEXT_LIMIT,
  shortServerText,
  truncate,
} from '../lib/text.js';

describe('clipServerText', () => {
  it('keeps the first 512 characters of untrusted text, with no marker', () => {
    expect(clipServerText('y'.repeat(SERVER_TEXT_LIMIT + 1))).toBe('y'.repeat(SERVER_TEXT_LIMIT));
    expect(clipServerText('short')).toBe('short');
    expect(clipServerText('abcdef', 3)).toBe('abc');
  });

  it('ends before a character the limit would split', () => {
    expect(clipServerText('ab\u{1F600}c', 3)).toBe('ab');
  });
});

describe('truncate', () => {
  it('cuts to at most max characters, the last an ellipsis', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abcd', 4)).toBe('abcd');
    expect(truncate('abcd', 0)).toBe('');
  });
});

describe('oneLine', () => {
  it('turns newlines and terminal escapes into single spaces', () => {
    expect(oneLine(' a\n\tb\u001b[31m c ')).toBe('a b [31m c');
  });
});

describe('clampAnnotation', () => {
  it('folds white space and cuts to the Config limit with an ellipsis', () => {
    const annotation = clampAnnotation(`head\n${'z'.repeat(300)}`);
    expect(annotation).toHaveLength(MAX_ANNOTATION_LENGTH);
    expect(annotation.startsWith('head z')).toBe(true);
    expect(annotation.endsWith('z…')).toBe(true);
  });

  it('never cuts a character outside the Basic Multilingual Plane in half', () => {
    // The emoji's two UTF-16 units sit at positions 254 and 255: a cut after 255 units splits them.
    const annotation = clampAnnotation(`${'a'.repeat(254)}\u{1F512}${'b'.repeat(10)}`);
    expect(annotation).not.toMatch(/\p{Cs}/u);
    expect(annotation).toBe(`${'a'.repeat(254)}…`);
  });
});

describe('shortServerText', () => {
  it('is a server message on one line, cut to 90 characters', () => {
    const text = shortServerText(`FATAL:\n  ${'no pg_hba.conf entry '.repeat(10)}`);
    expect(text).toHaveLength(90);
    expect(text.startsWith('FATAL: no pg_hba.conf entry no')).toBe(true);
    expect(text.endsWith('…')).toBe(true);
  });
});

describe('quoteFragment', () => {
  it('quotes at most 40 characters of an untrusted string, control characters replaced', () => {
    expect(quoteFragment('a\nb')).toBe('"a?b"');
    expect(quoteFragment('q'.repeat(50))).toBe(JSON.stringify(`${'q'.repeat(40)}…`));
  });

  it('drops a character the cut would split rather than quote half of it', () => {
    const quoted = quoteFragment(`${'q'.repeat(39)}\u{1F600}tail`);
    expect(quoted).toBe(JSON.stringify(`${'q'.repeat(39)}…`));
  });
});

describe('capMessage', () => {
  it('caps a message built from many parts at 300 characters', () => {
    expect(capMessage('m'.repeat(400))).toBe(`${'m'.repeat(299)}…`);
    expect(capMessage('fine')).toBe('fine');
  });
});

describe('labelled', () => {
  it('prefixes a label unless the text already starts with it', () => {
    expect(labelled('live probe', 'refused plaintext')).toBe('live probe: refused plaintext');
    expect(labelled('live probe', 'Live probe inconclusive')).toBe('Live probe inconclusive');
  });
});
