/** AWS Config rejects an Annotation longer than this. */
export const MAX_ANNOTATION_LENGTH = 256;

/**
 * The bound on one finding's text built from untrusted input (server
 * messages): generous enough that reports show it whole, small enough that
 * a hostile server cannot fill memory or a report.
 */
export const MAX_FINDING_TEXT = 1024;

/**
 * Shortens text to the Config annotation limit, marking the cut with an
 * ellipsis. Only what goes to AWS Config is cut: findings carry the full
 * text, and the HTML and JSON reports show it whole.
 */
export function clampAnnotation(text: string, max = MAX_ANNOTATION_LENGTH): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  if (oneLine.length <= max) return oneLine;
  return `${oneLine.slice(0, max - 1)}…`;
}

/**
 * `label: text`, unless the text already starts with the label: "live probe:
 * live probe inconclusive" says the same thing twice.
 */
export function labelled(label: string, text: string): string {
  return text.toLowerCase().startsWith(label.toLowerCase()) ? text : `${label}: ${text}`;
}
