import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../models/errors.js';
import { AppError, STORE_RETRY_AFTER_S, isRetryLater, toAppError } from '../../server/errors.js';
import { httpAnswerOf } from '../../server/http/errorHandler.js';
import { IngestOverloadedError } from '../../server/ingest/GroupCommit.js';
import { qnRtnOf } from '../../server/ingest/hj212Server.js';
import { QnRtn } from '../../server/ingest/hj212/reply.js';
import { PUBACK_QUOTA_EXCEEDED, mqttAnswerOf } from '../../server/ingest/mqttAdapter.js';
import { deviceAckOf } from '../../server/ingest/socketDevices.js';
import { StoreUnavailableError } from '../../server/store/Db.js';
import { DuplicateError, ReferenceError_ } from '../../server/store/errors.js';

/**
 * One error for every layer (server/errors.ts), mapped once per edge: HTTP status + Retry-After, MQTT PUBACK + ack
 * topic, HJ 212 QnRtn, Socket.IO ack. The mappings are plain functions, so each is checked here without a transport;
 * the transports' own suites (tests/server/ingest/*) check them on the wire.
 */
describe('toAppError: anything thrown, as an AppError', () => {
  it('keeps an AppError as it is', () => {
    const e = new AppError(ErrorCode.CONFLICT, 'taken', { id: 'x' });
    expect(toAppError(e)).toBe(e);
  });
  it('maps the store errors to their codes, with a retry hint and the cause (for the log) when the store is down', () => {
    const down = new StoreUnavailableError('disk full', { reason: 'disk_full' });
    const e = toAppError(down);
    expect(e).toMatchObject({ code: ErrorCode.STORE_UNAVAILABLE, retryAfterS: STORE_RETRY_AFTER_S, cause: down });
    expect(e.toWire()).toEqual({ code: 'store_unavailable', message: 'The store is unavailable; retry later' }); // no cause, no driver text
    expect(toAppError(new DuplicateError('name taken')).code).toBe(ErrorCode.DUPLICATE);
    expect(toAppError(new ReferenceError_('still used')).code).toBe(ErrorCode.CONFLICT);
  });
  it("a full ingest queue is `overloaded` with the queue's own retry time, not the store outage's", () => {
    const e = toAppError(new IngestOverloadedError(20_000, 7));
    expect(e).toMatchObject({
      code: ErrorCode.OVERLOADED,
      retryAfterS: 7,
      details: { queued: 20_000, retryAfterS: 7 },
    });
    expect(isRetryLater(e)).toBe(true);
  });
  it('body-parser refusals are 4xx codes; anything unknown is a bare `internal` that carries no message of its own', () => {
    expect(toAppError(Object.assign(new SyntaxError('x'), { type: 'entity.parse.failed' })).code).toBe(
      ErrorCode.BAD_REQUEST,
    );
    expect(toAppError(Object.assign(new Error('x'), { type: 'entity.too.large' })).code).toBe(
      ErrorCode.PAYLOAD_TOO_LARGE,
    );
    expect(toAppError(Object.assign(new Error('zlib'), { expose: true, status: 400 })).code).toBe(
      ErrorCode.BAD_REQUEST,
    );
    const secret = new Error('password=hunter2 at /srv/x.ts:12');
    const e = toAppError(secret);
    expect(e.toWire()).toEqual({ code: 'internal', message: 'Internal error' });
    expect(toAppError(null).code).toBe(ErrorCode.INTERNAL);
    expect(toAppError('a string').code).toBe(ErrorCode.INTERNAL);
  });
});

describe('each edge maps an AppError once', () => {
  const rateLimited = new AppError(ErrorCode.RATE_LIMITED, 'slow down', { retryAfterS: 3 }, { retryAfterS: 3 });
  const down = toAppError(new StoreUnavailableError('reset'));
  const overloaded = toAppError(new IngestOverloadedError(10, 2));
  const invalid = new AppError(ErrorCode.VALIDATION_FAILED, 'bad', { issues: [] });

  it('HTTP: the status follows the code; a retry hint becomes Retry-After, and only then', () => {
    expect(httpAnswerOf(rateLimited)).toEqual({
      status: 429,
      headers: { 'Retry-After': '3' },
      body: { code: 'rate_limited', message: 'slow down', details: { retryAfterS: 3 } },
    });
    expect(httpAnswerOf(down)).toMatchObject({ status: 503, headers: { 'Retry-After': String(STORE_RETRY_AFTER_S) } });
    expect(httpAnswerOf(overloaded)).toMatchObject({ status: 503, headers: { 'Retry-After': '2' } });
    expect(httpAnswerOf(invalid)).toMatchObject({ status: 400, headers: {} });
    expect(httpAnswerOf(new AppError(ErrorCode.WRONG_PROJECT, 'no')).status).toBe(403);
  });
  it('MQTT: retry-later holds the PUBACK (the broker redelivers), a rate limit ends the flow with 0x97, the rest is acked with the error', () => {
    expect(mqttAnswerOf(down)).toEqual({ puback: 'hold' });
    expect(mqttAnswerOf(overloaded)).toEqual({ puback: 'hold' });
    expect(mqttAnswerOf(rateLimited)).toEqual({
      puback: PUBACK_QUOTA_EXCEEDED,
      ack: { ok: false, error: rateLimited.toWire() },
    });
    expect(mqttAnswerOf(invalid)).toEqual({ puback: 0, ack: { ok: false, error: invalid.toWire() } });
  });
  it('HJ 212: retry-later gets no answer (no 9014: the device resends); a rate limit is QnRtn 2, an unknown MN 4, a wrong key 3', () => {
    expect(qnRtnOf(down)).toBeUndefined();
    expect(qnRtnOf(overloaded)).toBeUndefined();
    expect(qnRtnOf(rateLimited)).toBe(QnRtn.REJECTED);
    expect(qnRtnOf(new AppError(ErrorCode.NOT_FOUND, 'no such MN'))).toBe(QnRtn.BAD_MN);
    expect(qnRtnOf(new AppError(ErrorCode.FORBIDDEN, 'wrong PW'))).toBe(QnRtn.BAD_PW);
    expect(qnRtnOf(new AppError(ErrorCode.INTERNAL, 'bug'))).toBeUndefined();
  });
  it('Socket.IO /devices: the ack carries the wire error', () => {
    expect(deviceAckOf(overloaded)).toEqual({
      ok: false,
      error: { code: 'overloaded', message: overloaded.message, details: { queued: 10, retryAfterS: 2 } },
    });
  });
});
