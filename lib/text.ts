/**
 * The one text module: every cut of untrusted or bounded text. Server text
 * is clipped before anything matches or quotes it; what goes to AWS Config
 * is cut to its annotation limit; event fragments are quoted short and
 * printable; report cells are one line.
 */

/** AWS Config rejects an Annotation longer than this. */
export const MAX_ANNOTATION_LENGTH = 256;

/**
 * The bound on one finding's text built from untrusted input (server
 * messages): generous enough that reports show it whole, small enough that
 * a hostile server cannot fill memory or a report.
 */
export const MAX_FINDING_TEXT = 1024;

/**
 * At most this many characters of any server-supplied text are ever matched
 * or quoted: a hostile server can make an error message as long as the read
 * limit allows, and no pattern should ever see more than this.
 */
export const SERVER_TEXT_LIMIT = 512;

/** An error message built from several parts (issues, parameter keys) is capped here. */
const MAX_MESSAGE = 300;
/** A quoted fragment of an untrusted event. */
const MAX_FRAGMENT = 40;

/**
 * The first `length` UTF-16 units of text, one fewer when the cut would keep
 * only the first half of a surrogate pair: half a character is not text, and
 * a lone surrogate in an annotation or log line is a malformed string.
 */
function cutText(text: string, length: number): string {
  if (length <= 0) return '';
  if (text.length <= length) return text;
  const last = text.charCodeAt(length - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? length - 1 : length);
}

/** The first `SERVER_TEXT_LIMIT` characters of untrusted text: what every match and quote works on. */
export function clipServerText(text: string, limit = SERVER_TEXT_LIMIT): string {
  return cutText(text, limit);
}

/** Cuts text to at most `max` characters, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  return `${cutText(text, max - 1)}…`;
}

/** Runs of white space as one space, trimmed. */
function collapseSpace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * One line: control characters (newlines, terminal escapes) become spaces.
 * For text from a file or a server that is not trusted to be free of them.
 */
export function oneLine(text: string): string {
  return collapseSpace(text.replace(/\p{Cc}/gu, ' '));
}

/**
 * Text for a terminal, line breaks kept: every other control character (C0
 * and C1, so ESC and CSI sequences, carriage returns, bells) and the Unicode
 * line and paragraph separators become spaces. For a whole report written to
 * a terminal; a file or a pipe gets the report's own bytes.
 */
export function terminalText(text: string): string {
  return text.replace(/(?!\n)[\p{Cc}\u2028\u2029]/gu, ' ');
}

/**
 * Shortens text to the Config annotation limit, marking the cut with an
 * ellipsis. Only what goes to AWS Config is cut: findings carry the full
 * text, and the HTML and JSON reports show it whole.
 */
export function clampAnnotation(text: string, max = MAX_ANNOTATION_LENGTH): string {
  return truncate(collapseSpace(text), max);
}

/** Shortens a server's message for an annotation without losing its meaning. */
export function shortServerText(text: string, max = 90): string {
  return truncate(collapseSpace(clipServerText(text)), max);
}

/** A capped, single-line, quoted rendering of an untrusted string. */
export function quoteFragment(value: string, max = MAX_FRAGMENT): string {
  // Control characters could forge log lines; replace them before quoting.
  const printable = value.replace(/\p{Cc}/gu, '?');
  const cut = printable.length > max ? `${cutText(printable, max)}…` : printable;
  return JSON.stringify(cut);
}

/**
 * Caps an error message built from several parts (issues, rule parameter
 * keys): each part is short, but all of them together need not be.
 */
export function capMessage(text: string): string {
  return truncate(text, MAX_MESSAGE);
}

/**
 * `label: text`, unless the text already starts with the label: "live probe:
 * live probe inconclusive" says the same thing twice.
 */
export function labelled(label: string, text: string): string {
  return text.toLowerCase().startsWith(label.toLowerCase()) ? text : `${label}: ${text}`;
}

/** What may stand in a shell command as it is: the characters of RDS names, ARNs and CIDRs. */
const SHELL_SAFE = /^[A-Za-z0-9._:/-]{1,255}$/;

/**
 * A value from AWS or a snapshot file for a command a reader pastes into a
 * shell: the value when it holds only name characters, else the placeholder,
 * so a `;`, `$(…)` or quote in a name never runs.
 */
export function shellWord(value: string, placeholder: string): string {
  return SHELL_SAFE.test(value) ? value : placeholder;
}
