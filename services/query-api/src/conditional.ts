import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';

/** An entity's ETag: its stream version, which every change raises. */
export const versionETag = (version: number): string => `"${version}"`;

/** A list's ETag: a digest of the body it answers, so an unchanged page is a 304 whatever changed elsewhere. */
export const bodyETag = (body: unknown): string =>
  `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 27)}"`;

/** Whether `If-None-Match` (a list of tags, weak or strong, or `*`) names `etag`: weak comparison, RFC 9110 §13.1.2. */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const strip = (tag: string): string => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || strip(tag) === strip(etag));
}

/** Answers `body` with its ETag (the body's digest unless given), or 304 when the client already holds it. */
export function answerConditionally(req: Request, res: Response, body: unknown, etag: string = bodyETag(body)): void {
  res.set('ETag', etag);
  if (matchesIfNoneMatch(req.get('If-None-Match'), etag)) {
    res.status(304).end();
    return;
  }
  res.json(body);
}
