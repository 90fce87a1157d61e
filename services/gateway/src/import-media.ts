import type { ImportFormat } from '@verity/connector-import';

/** The media types an import body may be sent as, and the format each means. */
const FORMATS: Record<string, ImportFormat> = {
  'text/csv': 'csv',
  'application/csv': 'csv',
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
  'application/jsonl': 'ndjson',
  'application/x-jsonlines': 'ndjson',
};

export const IMPORT_MEDIA_TYPES = Object.keys(FORMATS);

/** The format a `Content-Type` names (parameters such as `charset` aside), if it names one. */
export function formatOfContentType(contentType: string | undefined): ImportFormat | undefined {
  const media = contentType?.split(';')[0]?.trim().toLowerCase();
  return media === undefined ? undefined : FORMATS[media];
}
