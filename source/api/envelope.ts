import {randomUUID} from 'node:crypto';
import {isoSeconds} from '../core/timestamps.js';

// The platform's JSON envelopes (DESIGN.md §7): `{data, meta}` on success, `{errors, meta}` on failure.
export type ApiResponse = {
	readonly status: number;
	readonly body: Record<string, unknown>;
	readonly headers?: Readonly<Record<string, string>>;
};

/** An answer other than 200, raised anywhere in a request and turned into the error envelope in one place. */
export class ApiError extends Error {
	constructor(
		readonly status: number,
		readonly title: string,
		readonly detail: string,
		readonly headers?: Readonly<Record<string, string>>,
	) {
		super(`${status} ${title}: ${detail}`);
		this.name = 'ApiError';
	}
}

export type RequestMeta = {readonly request_id: string; readonly timestamp: string};

/** A fresh request id (uuid v4) and the answer's timestamp, ISO-8601 UTC to the second (`2026-01-02T03:04:05Z`). */
export function requestMeta(now: Date = new Date()): RequestMeta {
	return {request_id: randomUUID(), timestamp: isoSeconds(now)};
}

export function errorResponse(error: ApiError, meta: RequestMeta): ApiResponse {
	return {
		status: error.status,
		headers: error.headers,
		body: {
			errors: [{title: error.title, detail: error.detail, status: String(error.status), code: `http_${error.status}`}],
			meta: {status: error.status, request_id: meta.request_id, timestamp: meta.timestamp},
		},
	};
}

export function successResponse(data: unknown[], meta: RequestMeta, extra: {readonly filters: Record<string, unknown>; readonly pagination: Record<string, unknown>}): ApiResponse {
	return {
		status: 200,
		body: {
			data,
			meta: {filters: extra.filters, pagination: extra.pagination, status: 200, request_id: meta.request_id, timestamp: meta.timestamp},
		},
	};
}
