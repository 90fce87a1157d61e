import express, { type Express, type RequestHandler } from 'express';
import type { Admin } from 'kafkajs';
import { findCommand, type ContextDefinition } from '@verity/core';
import {
  UnreadableFileError,
  countResults,
  eventsEndKey,
  isReported,
  noCounts,
  readRows,
  rowPlanner,
  runImport,
  scanFile,
  type EventsEnds,
  type RowResult,
} from '@verity/connector-import';
import { contextTopics, fetchTopicOffsets } from '@verity/events';
import { HttpProblem, actorOf, principalOf, tenantOf } from '@verity/service-kit';
import { dispatchCommand, type CommandDispatch } from './command-dispatch';
import { commandPermission, isAdminFor, requireCommandPermission } from './command-permission';
import { IMPORT_MEDIA_TYPES, formatOfContentType } from './import-media';
import { header, headerSchemas } from './request-headers';

/**
 * The largest body `POST /v1/imports` takes, the service's limit on every body (MAX_BODY_BYTES):
 * about 20,000 short CSV rows, decided within a minute, inside an HTTP request's lifetime. A larger
 * file goes through `verity import` (resumable), or is posted in parts.
 */
export const IMPORT_BODY_LIMIT = '1mb';
/** Commands of one import awaiting their reply at once. */
const IMPORT_CONCURRENCY = 128;

/** Where each partition of a context's events topic ends now. */
export async function eventsEndsOf(admin: Admin, context: string, topicPrefix: string): Promise<EventsEnds> {
  const topic = contextTopics(context, topicPrefix).events;
  const offsets = await fetchTopicOffsets(admin, topic);
  return new Map(offsets.map((o) => [eventsEndKey(topic, o.partition), BigInt(o.high)]));
}

export interface ImportRoutesOptions extends CommandDispatch {
  /** The contexts whose commands may be imported (those `POST /v1/commands` takes). */
  contexts: readonly ContextDefinition[];
  /** Contexts whose commands have a route of their own, and that route. */
  elsewhere: ReadonlyMap<string, string>;
  /** Where each partition of a context's events topic ends now: tells a repeated row from a new one. */
  eventsEnds(context: string): Promise<EventsEnds>;
  guard: RequestHandler;
}

/**
 * `POST /v1/imports/<context>.<Command>`: a CSV (header row) or NDJSON body, each row a command
 * exactly as `POST /v1/commands` makes it: the same credential, tenant and permission checks, the
 * command ids those of `verity import` (file and row), so a body posted again, or a file imported
 * by the CLI before, appends nothing. Answers once every row has its outcome: the counts and every
 * row refused, with its problem. A body that cannot be read is 400 before anything is sent.
 */
export function mountImportRoutes(app: Express, options: ImportRoutesOptions): void {
  app.post(
    '/v1/imports/:type',
    options.guard,
    express.raw({ type: () => true, limit: IMPORT_BODY_LIMIT }),
    async (req, res) => {
      const type = String(req.params.type);
      const found = findCommand(options.contexts, type);
      if (!found) {
        const route = options.elsewhere.get(type.slice(0, type.indexOf('.')));
        throw new HttpProblem(
          404,
          'unknown_command_type',
          'Unknown command type',
          route ? `${type} is not imported: use ${route}` : `no command type ${type}`,
          { commandType: type },
        );
      }
      const format = formatOfContentType(req.get('Content-Type'));
      if (!format)
        throw new HttpProblem(
          415,
          'unsupported_media_type',
          'Unsupported media type',
          `send the rows as ${IMPORT_MEDIA_TYPES.join(', ')}`,
        );
      const tenant = tenantOf(req);
      // Per command type, not per row: an alias context named in a row grants nothing here.
      const permission = commandPermission(found.context.name, found.name, undefined);
      const principal = principalOf(req);
      requireCommandPermission(principal, permission);
      const { actor, onBehalfOf } = actorOf(req);
      const sourceSystem = header(req, 'X-Source-System', headerSchemas.sourceSystem) ?? 'api';
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const bodyChunks = async function* (): AsyncGenerator<Buffer> {
        yield body;
      };

      let scanned: { fileId: string; rows: number };
      try {
        scanned = await scanFile(bodyChunks(), format);
      } catch (error) {
        if (!(error instanceof UnreadableFileError)) throw error;
        throw new HttpProblem(400, 'unreadable_file', 'Unreadable import', error.message, error.context);
      }
      const stop = new AbortController();
      // A client that hangs up stops the import: rows not yet sent are not, the others are decided.
      res.on('close', () => {
        if (!res.writableFinished) stop.abort();
      });
      let counts = noCounts();
      const refused: RowResult[] = [];
      await runImport({
        rows: readRows(bodyChunks(), format),
        planner: rowPlanner(options.contexts, {
          type,
          tenant,
          actor,
          ...(onBehalfOf !== undefined ? { onBehalfOf } : {}),
          admin: isAdminFor(principal, permission),
          sourceSystem,
          fileId: scanned.fileId,
          format,
        }),
        from: 0,
        send: (envelope) => dispatchCommand(options, found.context.name, envelope),
        ends: await options.eventsEnds(found.context.name),
        concurrency: IMPORT_CONCURRENCY,
        signal: stop.signal,
        onResults(results) {
          counts = countResults(counts, results);
          refused.push(...results.filter(isReported));
        },
      });
      res.status(200).json({ fileId: scanned.fileId, rows: scanned.rows, ...counts, refused });
    },
  );
}
