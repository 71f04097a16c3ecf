import {createServer, type IncomingMessage, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import type {Database} from '../db/orm.js';
import {readFlagState} from '../engine/feature-flags.js';
import {RunbookError} from '../core/errors.js';
import {authenticateBearer, bearerToken} from './authenticate.js';
import {ApiError, type ApiResponse, errorResponse, type RequestMeta, requestMeta, successResponse} from './envelope.js';
import {parseFeedQuery, readFeedPage} from './profile-activity.js';

/**
 * The reference profile-activity API (DESIGN.md §7, `serve`): the platform's contract on one machine, so the
 * runbook can verify itself end to end. Plain `node:http`, no framework: there is one route, no middleware worth
 * a dependency, and zero dependencies keeps the tool's supply chain and start-up small.
 *
 * Per request, in the platform's order: route (unknown path → 404 `Not Found`, other method → 405), bearer auth
 * (→ 401 `Unauthenticated`, checked before the flag so a missing token is 401 even while the feature is off),
 * the `community_profile_activity` flag re-read from disk on every request with the env override
 * (→ 404 `Feature not available.`; see engine/feature-flags.ts for the rule), query validation (→ 422), the page.
 * The server only reads the database, listens on 127.0.0.1 only and never logs a token.
 */
export const profileActivityPath = '/api/v1/me/profile-activity';
export const profileActivityFlag = 'community_profile_activity';

export type ApiServerOptions = {
	readonly database: Database;
	/** The platform root holding storage/app/feature-flags.json and feature-rollouts.json. */
	readonly appRoot: string;
	/** Read on every request (APP_FEATURE_FLAGS); a caller may change it while the server runs. */
	readonly env: Record<string, string | undefined>;
	/** 0 (default) → an ephemeral port. */
	readonly port?: number;
	readonly host?: '127.0.0.1';
	/** Told about unexpected failures (answered 500); the error never carries the request's token. */
	readonly onError?: (error: unknown) => void;
};

export type ApiServer = {
	/** Base URL, e.g. `http://127.0.0.1:49152` (what `verify --api-url` takes). */
	readonly url: string;
	readonly port: number;
	/** Stops listening and closes open connections; the database stays open (the caller owns it). */
	readonly close: () => Promise<void>;
};

/** Listens and resolves once the port is bound; rejects with the listen error (code EADDRINUSE when taken). */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
	const host = '127.0.0.1';
	const server = createServer((request, response) => {
		answer(options, request)
			.then(result => {
				send(response, result);
			})
			.catch((error: unknown) => {
				// Only a socket that went away can fail here; there is no one left to answer.
				options.onError?.(error);
				response.destroy();
			});
	});
	server.keepAliveTimeout = 5000;

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen({port: options.port ?? 0, host, exclusive: true}, () => {
			server.off('error', reject);
			resolve();
		});
	});

	const {port} = server.address() as AddressInfo;
	let closing: Promise<void> | undefined;
	return {
		url: `http://${host}:${port}`,
		port,
		close() {
			closing ??= new Promise<void>(resolve => {
				server.close(() => {
					resolve();
				});
				server.closeIdleConnections();
				// Requests still in flight get a moment to finish, then their connections are cut.
				setTimeout(() => {
					server.closeAllConnections();
				}, 1000).unref();
			});
			return closing;
		},
	};
}

async function answer(options: ApiServerOptions, request: IncomingMessage): Promise<ApiResponse> {
	const meta = requestMeta();
	try {
		return await route(options, request, meta);
	} catch (error) {
		if (error instanceof ApiError) {
			return errorResponse(error, meta);
		}

		options.onError?.(error);
		// A broken flags file is the operator's to fix: say which; anything else stays generic.
		const detail = error instanceof RunbookError ? `${error.message}${error.hint ? ` ${error.hint}` : ''}` : 'The server could not answer this request; see the serving process for details.';
		return errorResponse(new ApiError(500, 'Server Error', detail), meta);
	}
}

async function route(options: ApiServerOptions, request: IncomingMessage, meta: RequestMeta): Promise<ApiResponse> {
	const url = new URL(request.url ?? '/', 'http://127.0.0.1');
	const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
	if (path !== profileActivityPath) {
		throw new ApiError(404, 'Not Found', `No route for ${request.method ?? 'GET'} ${path}; the API serves GET ${profileActivityPath}.`);
	}

	if (request.method !== 'GET') {
		throw new ApiError(405, 'Method Not Allowed', `${request.method ?? ''} is not allowed on ${profileActivityPath}; use GET.`, {allow: 'GET'});
	}

	const user = await authenticateBearer(options.database.sql, bearerToken(request.headers.authorization));
	if (!user) {
		throw new ApiError(401, 'Unauthenticated', 'A valid personal access token is required: send Authorization: Bearer <id>|<token>.');
	}

	const flag = await readFlagState(options.appRoot, options.env, profileActivityFlag);
	if (!flag.on) {
		throw new ApiError(404, 'Feature not available.', `The ${profileActivityFlag} feature is not enabled.`);
	}

	const query = parseFeedQuery(url.searchParams);
	const page = await readFeedPage(options.database.sql, user.userId, query);
	return successResponse(page.data, meta, page);
}

function send(response: ServerResponse, result: ApiResponse): void {
	const body = JSON.stringify(result.body);
	response.writeHead(result.status, {
		...result.headers,
		'content-type': 'application/json; charset=utf-8',
		'content-length': Buffer.byteLength(body),
		'cache-control': 'no-store',
		'x-request-id': String((result.body.meta as {request_id?: string} | undefined)?.request_id ?? ''),
	});
	response.end(body);
}
