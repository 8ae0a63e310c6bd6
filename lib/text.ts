/** AWS Config rejects an Annotation longer than this. */
export const MAX_ANNOTATION_LENGTH = 256;

/** Shortens text to the Config annotation limit, marking the cut with an ellipsis. */
export function clampAnnotation(text: string, max = MAX_ANNOTATION_LENGTH): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  if (oneLine.length <= max) return oneLine;
  return `${oneLine.slice(0, max - 1)}…`;
}
