/**
 * HTTP for the sandbox (node:http, keep-alive): Graph API paths (Bearer token), 360dialog paths
 * (D360-API-KEY) and the control API under /_sandbox/. API answers go through the fault knobs
 * (latency by timers, 5xx, hung requests); control answers never do.
 */
import http from 'node:http';

import { DEFAULT_GRAPH_API_VERSION } from '../lib/cloud-api/endpoints';
import type { MessageTemplate } from '../lib/cloud-api/types';
import type { SandboxControl } from './control';
import { SandboxError, graphErrorBody, type ErrorCode } from './errors';
import { challenge } from './outbox';
import { sampleLatency } from './random';
import { TemplateRequestError } from './template-review';
import type { Sandbox } from './sandbox';

interface Answer {
	status: number;
	body: unknown;
	headers?: Record<string, string>;
}

type Query = URLSearchParams;

const JSON_HEADERS = { 'content-type': 'application/json; charset=UTF-8' };
const VERSION = /^v\d+\.\d+$/;

function write(res: http.ServerResponse, answer: Answer): void {
	if (res.destroyed || res.headersSent) return;
	const json = JSON.stringify(answer.body);
	res.writeHead(answer.status, {
		...JSON_HEADERS,
		'content-length': Buffer.byteLength(json),
		...answer.headers,
	});
	res.end(json);
}

function graphError(code: ErrorCode, details?: string, message?: string, subcode?: number): Answer {
	const error = new SandboxError(code, details, message, subcode);
	return { status: error.http, body: SandboxError.from(error) };
}

function fromError(error: unknown): Answer {
	if (error instanceof SandboxError) return { status: error.http, body: SandboxError.from(error) };
	// A bug in the sandbox: say so, as Meta's generic error, without internals beyond the message.
	return {
		status: 500,
		body: graphErrorBody(131000, `sandbox internal error: ${(error as Error).message}`),
	};
}

function parseBody(raw: Buffer, contentType: string | undefined): unknown {
	if (raw.length === 0) return {};
	const text = raw.toString('utf8');
	if (contentType?.includes('application/x-www-form-urlencoded'))
		return Object.fromEntries(new URLSearchParams(text));
	try {
		return JSON.parse(text);
	} catch {
		throw new SandboxError(100, 'the request body is not valid JSON', '(#100) Invalid parameter');
	}
}

function unknownObject(method: string, id: string): Answer {
	return graphError(
		100,
		undefined,
		`Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
		33,
	);
}

function nonexistingField(field: string, nodeType: string): Answer {
	return graphError(
		100,
		`${field} is not an edge of ${nodeType}`,
		`(#100) Tried accessing nonexisting field (${field}) on node type (${nodeType})`,
	);
}

/** Keeps only the requested fields (id always), as Graph API's `fields` does. */
function pick(
	object: Record<string, unknown>,
	fields: string[] | undefined,
	nodeType: string,
): Record<string, unknown> | Answer {
	if (!fields) return object;
	const result: Record<string, unknown> = { id: object.id };
	for (const field of fields) {
		if (!(field in object)) return nonexistingField(field, nodeType);
		result[field] = object[field];
	}
	return result;
}

function fieldsOf(query: Query): string[] | undefined {
	const fields = query.get('fields');
	return fields
		? fields
				.split(',')
				.map((field) => field.trim())
				.filter(Boolean)
		: undefined;
}

function encodeCursor(offset: number): string {
	return Buffer.from(`sandbox:${offset}`).toString('base64');
}

function decodeCursor(cursor: string): number | undefined {
	const match = /^sandbox:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
	return match ? Number(match[1]) : undefined;
}

function filterTemplates(templates: MessageTemplate[], query: Query): MessageTemplate[] {
	const name = query.get('name');
	const status = query.get('status');
	const category = query.get('category');
	const language = query.get('language');
	return templates.filter(
		(template) =>
			(!name || template.name.includes(name)) &&
			(!status || status.split(',').includes(template.status)) &&
			(!category || category.split(',').includes(template.category)) &&
			(!language || template.language === language),
	);
}

/** Meta's review fields, filled for catalogue templates that do not carry them */
function withReviewFields(template: MessageTemplate): MessageTemplate {
	return {
		...template,
		rejected_reason:
			template.rejected_reason ?? (template.status === 'REJECTED' ? 'INVALID_FORMAT' : 'NONE'),
		quality_score: template.quality_score ?? {
			score: template.status === 'APPROVED' ? 'GREEN' : 'UNKNOWN',
		},
	};
}

export function createSandboxServer(sandbox: Sandbox, control: SandboxControl): http.Server {
	const hung = new Set<http.ServerResponse>();

	const phoneInfo = (): Record<string, unknown> => ({
		id: sandbox.phoneNumberId,
		display_phone_number: sandbox.displayPhoneNumber,
		verified_name: sandbox.verifiedName,
		quality_rating: sandbox.settings.qualityRating,
		throughput: { level: sandbox.settings.throughputMps >= 1000 ? 'HIGH' : 'STANDARD' },
		whatsapp_business_manager_messaging_limit: sandbox.settings.messagingLimitTier,
		messaging_limit_tier: sandbox.settings.messagingLimitTier,
		code_verification_status: 'VERIFIED',
		name_status: 'APPROVED',
		platform_type: 'CLOUD_API',
		status: 'CONNECTED',
		is_official_business_account: false,
	});

	const wabaInfo = (): Record<string, unknown> => ({
		id: sandbox.wabaId,
		name: sandbox.verifiedName,
		currency: 'USD',
		timezone_id: '1',
		message_template_namespace: `sandbox_${sandbox.wabaId}`,
	});

	const listTemplates = (query: Query, baseUrl: string): Answer => {
		const limitText = query.get('limit');
		const limit = limitText === null ? 25 : Number(limitText);
		if (!Number.isInteger(limit) || limit < 1)
			return graphError(100, 'limit: must be a positive integer');
		let offset = 0;
		const after = query.get('after');
		const before = query.get('before');
		if (after) {
			const decoded = decodeCursor(after);
			if (decoded === undefined)
				return graphError(100, 'after: not a cursor returned by this endpoint');
			offset = decoded + 1;
		} else if (before) {
			const decoded = decodeCursor(before);
			if (decoded === undefined)
				return graphError(100, 'before: not a cursor returned by this endpoint');
			offset = Math.max(0, decoded - limit);
		}
		const size = Math.min(limit, 1000);
		const all = filterTemplates(sandbox.catalogue.all(), query);
		const page = all.slice(offset, offset + size);
		const fields = fieldsOf(query);
		const data = page.map((template) => {
			if (!fields) return template;
			const picked: Record<string, unknown> = { id: template.id };
			for (const field of fields) {
				const value = (withReviewFields(template) as unknown as Record<string, unknown>)[field];
				if (value !== undefined) picked[field] = value;
			}
			return picked;
		});
		if (data.length === 0) return { status: 200, body: { data: [] } };
		const paging: Record<string, unknown> = {
			cursors: { before: encodeCursor(offset), after: encodeCursor(offset + page.length - 1) },
		};
		const link = (cursorName: 'after' | 'before', cursor: string) => {
			const params = new URLSearchParams(query);
			params.delete('after');
			params.delete('before');
			params.delete('access_token'); // never echo a secret
			params.set('limit', String(size));
			params.set(cursorName, cursor);
			return `${baseUrl}?${params.toString()}`;
		};
		if (offset + page.length < all.length)
			paging.next = link('after', encodeCursor(offset + page.length - 1));
		if (offset > 0) paging.previous = link('before', encodeCursor(offset));
		return { status: 200, body: { data, paging } };
	};

	const subscribedApps = async (
		method: string,
		input: Record<string, unknown>,
	): Promise<Answer> => {
		if (method === 'GET') {
			const data = sandbox.subscription.subscribed
				? [
						{
							whatsapp_business_api_data: {
								link: 'https://sandbox.invalid/app',
								name: 'WhatsApp Sandbox App',
								id: sandbox.appId,
							},
							...(sandbox.subscription.overrideCallbackUri
								? { override_callback_uri: sandbox.subscription.overrideCallbackUri }
								: {}),
						},
					]
				: [];
			return { status: 200, body: { data } };
		}
		if (method === 'DELETE') {
			sandbox.subscription = { subscribed: false };
			return { status: 200, body: { success: true } };
		}
		const uri = input.override_callback_uri;
		if (uri !== undefined && uri !== null && uri !== '') {
			if (typeof uri !== 'string' || !/^https?:\/\//.test(uri)) {
				return graphError(100, 'override_callback_uri: must be an absolute http(s) URL');
			}
			const verifyToken = typeof input.verify_token === 'string' ? input.verify_token : '';
			const failure = await verifyCallback(uri, verifyToken);
			if (failure)
				return graphError(
					2200,
					`Callback verification failed with the following errors: ${failure}`,
				);
			sandbox.subscription = { subscribed: true, overrideCallbackUri: uri };
		} else {
			sandbox.subscription = { subscribed: true };
		}
		return { status: 200, body: { success: true } };
	};

	const graph = async (
		method: string,
		segments: string[],
		query: Query,
		body: unknown,
		baseUrl: string,
	): Promise<Answer> => {
		const [version, id, edge, ...extra] = segments;
		if (!VERSION.test(version ?? '') || !id || extra.length > 0) {
			return graphError(
				2500,
				`Unknown path components: /${segments.join('/')}; use /{version}/{object-id}[/{edge}], e.g. /${DEFAULT_GRAPH_API_VERSION}/${sandbox.phoneNumberId}/messages`,
			);
		}
		if (id === sandbox.phoneNumberId) {
			if (edge === 'messages' && method === 'POST')
				return { status: 200, body: sandbox.send(body, 'meta') };
			if (edge === 'media' && method === 'POST') return uploadMedia(body);
			if (edge === undefined && method === 'GET') {
				const picked = pick(phoneInfo(), fieldsOf(query), 'WhatsAppBusinessPhoneNumber');
				return 'status' in picked && 'body' in picked
					? (picked as Answer)
					: { status: 200, body: picked };
			}
			if (edge === undefined || edge === 'messages') return unknownObject(method, id);
			return nonexistingField(edge, 'WhatsAppBusinessPhoneNumber');
		}
		if (id === sandbox.wabaId) {
			if (edge === 'message_templates' && method === 'GET')
				return listTemplates(query, `${baseUrl}/${version}/${id}/message_templates`);
			if (edge === 'message_templates' && method === 'POST') {
				try {
					return {
						status: 200,
						body: sandbox.createTemplate({
							...Object.fromEntries(query),
							...(body as Record<string, unknown>),
						}),
					};
				} catch (error) {
					if (error instanceof TemplateRequestError) return { status: 400, body: error.body() };
					throw error;
				}
			}
			if (edge === 'message_templates' && method === 'DELETE') {
				const name = query.get('name');
				if (!name)
					return graphError(
						100,
						'name: the template name is required',
						'(#100) The parameter name is required',
					);
				const removed = sandbox.deleteTemplate(name, query.get('hsm_id') ?? undefined);
				if (removed.length === 0) {
					return {
						status: 400,
						body: new TemplateRequestError(
							'Message template not found',
							`There is no message template named ${name}${query.get('hsm_id') ? ` with id ${query.get('hsm_id')}` : ''}.`,
							2593002,
						).body(),
					};
				}
				return { status: 200, body: { success: true } };
			}
			if (edge === 'subscribed_apps') {
				const input = { ...Object.fromEntries(query), ...(body as Record<string, unknown>) };
				return subscribedApps(method, input);
			}
			if (edge === 'phone_numbers' && method === 'GET')
				return {
					status: 200,
					body: {
						data: [phoneInfo()],
						paging: { cursors: { before: encodeCursor(0), after: encodeCursor(0) } },
					},
				};
			if (edge === undefined && method === 'GET') {
				const picked = pick(wabaInfo(), fieldsOf(query), 'WhatsAppBusinessAccount');
				return 'status' in picked && 'body' in picked
					? (picked as Answer)
					: { status: 200, body: picked };
			}
			if (edge === undefined || ['message_templates', 'phone_numbers'].includes(edge))
				return unknownObject(method, id);
			return nonexistingField(edge, 'WhatsAppBusinessAccount');
		}
		const template =
			edge === undefined && method === 'GET' ? sandbox.catalogue.byId(id) : undefined;
		if (template) {
			// Like the list: the fields asked for that the template has (optional ones such as sub_category may be absent).
			const full = withReviewFields(template) as unknown as Record<string, unknown>;
			const fields = fieldsOf(query);
			const body = fields
				? Object.fromEntries([
						['id', template.id],
						...fields
							.filter((field) => full[field] !== undefined)
							.map((field) => [field, full[field]]),
					])
				: full;
			return { status: 200, body };
		}
		const media = edge === undefined ? sandbox.media.get(id) : undefined;
		if (media) {
			if (method === 'DELETE') {
				sandbox.media.delete(id);
				return { status: 200, body: { success: true } };
			}
			if (method === 'GET') {
				return {
					status: 200,
					body: {
						messaging_product: 'whatsapp',
						url: `${baseUrl}/_sandbox/media/${id}/content`,
						mime_type: media.mimeType,
						sha256: media.sha256,
						file_size: String(media.bytes),
						id,
					},
				};
			}
		}
		return unknownObject(method, id);
	};

	/** POST /media: `body` is the raw multipart request (see api()). */
	const uploadMedia = async (body: unknown): Promise<Answer> => {
		const { raw, contentType } = body as { raw: Buffer; contentType?: string };
		const failures = sandbox.faults.uploadFailures;
		if (failures && failures.count > 0) {
			failures.count--;
			return failures.code === 131053
				? graphError(131053, 'The media could not be processed.')
				: graphError(131000);
		}
		try {
			return {
				status: 200,
				body: await sandbox.media.upload(raw, contentType, sandbox.phoneNumberId),
			};
		} catch (error) {
			return fromError(error);
		}
	};

	const dialog360 = (
		method: string,
		path: string,
		query: Query,
		body: unknown,
	): Answer | Promise<Answer> => {
		if (path === '/messages' && method === 'POST')
			return { status: 200, body: sandbox.send(body, '360dialog') };
		if (path === '/media' && method === 'POST') return uploadMedia(body);
		// 360dialog's health check; like the live API it also returns the Graph phone-number fields asked for.
		if (path === '/health_status' && method === 'GET') {
			const messaging = sandbox.settings.qualityRating === 'RED' ? 'LIMITED' : 'AVAILABLE';
			return {
				status: 200,
				body: {
					...phoneInfo(),
					health_status: {
						can_send_message: messaging,
						entities: [
							{
								entity_type: 'PHONE_NUMBER',
								id: sandbox.phoneNumberId,
								can_send_message: messaging,
							},
							{ entity_type: 'WABA', id: sandbox.wabaId, can_send_message: 'AVAILABLE' },
						],
					},
				},
			};
		}
		if (path === '/v1/configs/templates' && method === 'GET') {
			const all = filterTemplates(sandbox.catalogue.all(), query);
			const limit = Math.max(1, Math.min(Number(query.get('limit') ?? 1000) || 1000, 1000));
			const offset = Math.max(0, Number(query.get('offset') ?? 0) || 0);
			const page = all.slice(offset, offset + limit).map((template) => ({
				...template,
				external_id: template.id,
				namespace: `sandbox_${sandbox.wabaId}`,
				partner_id: 'sandbox',
				waba_account_id: sandbox.wabaId,
				rejected_reason: template.status === 'REJECTED' ? 'INVALID_FORMAT' : 'NONE',
				quality_score: { score: 'UNKNOWN' },
			}));
			return {
				status: 200,
				body: {
					count: page.length,
					filters: {},
					limit,
					offset,
					sort: ['id'],
					total: all.length,
					waba_templates: page,
				},
			};
		}
		if (path === '/v1/configs/webhook') {
			if (method === 'GET') return { status: 200, body: { url: sandbox.d360Webhook?.url ?? null } };
			if (method === 'POST') {
				const input = body as { url?: unknown; headers?: unknown };
				if (typeof input.url !== 'string' || !/^https?:\/\//.test(input.url)) {
					return {
						status: 400,
						body: {
							meta: {
								success: false,
								http_code: 400,
								developer_message: 'url: an absolute http(s) URL is required',
							},
						},
					};
				}
				const headers = (
					typeof input.headers === 'object' && input.headers !== null ? input.headers : {}
				) as Record<string, string>;
				sandbox.d360Webhook = { url: input.url, headers };
				return { status: 200, body: { url: input.url } };
			}
		}
		return {
			status: 404,
			body: {
				meta: {
					success: false,
					http_code: 404,
					developer_message: `No route for ${method} ${path}`,
				},
			},
		};
	};

	const api = async (
		req: http.IncomingMessage,
		path: string,
		query: Query,
		raw: Buffer,
	): Promise<Answer> => {
		const method = req.method ?? 'GET';
		const is360 =
			path === '/messages' ||
			path === '/media' ||
			path === '/health_status' ||
			path.startsWith('/v1/');
		if (is360) {
			const key = req.headers['d360-api-key'];
			if (key !== sandbox.d360ApiKey) {
				return {
					status: 401,
					body: {
						meta: {
							success: false,
							http_code: 401,
							developer_message: key ? 'Invalid api key' : 'Missing D360-API-KEY header',
						},
					},
				};
			}
		} else {
			const authorization = req.headers.authorization;
			const token = authorization?.toLowerCase().startsWith('bearer ')
				? authorization.slice(7).trim()
				: query.get('access_token');
			if (!token) {
				return {
					...graphError(104),
					headers: {
						'www-authenticate':
							'OAuth "Facebook Platform" "invalid_request" "An access token is required to request this resource."',
					},
				};
			}
			if (token !== sandbox.accessToken) {
				return {
					...graphError(190),
					headers: {
						'www-authenticate':
							'OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token - Cannot parse access token"',
					},
				};
			}
		}
		const contentType = req.headers['content-type'];
		// Uploads keep their raw bytes: the media endpoint parses the multipart body itself.
		const multipart =
			contentType?.toLowerCase().startsWith('multipart/form-data') || /\/media$/.test(path);
		const body =
			method === 'GET' ? {} : multipart ? { raw, contentType } : parseBody(raw, contentType);
		const host = req.headers.host ?? 'localhost';
		if (is360) return dialog360(method, path, query, body);
		return graph(method, path.split('/').slice(1), query, body, `http://${host}`);
	};

	const controlRoutes: Record<string, (body: Record<string, unknown>, query: Query) => unknown> = {
		'GET /_sandbox': () => ({
			phoneNumberId: sandbox.phoneNumberId,
			wabaId: sandbox.wabaId,
			displayPhoneNumber: sandbox.displayPhoneNumber,
			webhookUrl: sandbox.webhookUrl,
			settings: sandbox.settings,
			faults: sandbox.faults,
			stats: sandbox.ledger.stats(),
		}),
		'GET /_sandbox/ledger': (_, query) => ({
			messages: query.get('to')
				? control.ledger.forRecipient(query.get('to')!)
				: control.ledger.all(),
		}),
		'GET /_sandbox/ledger/counts': () => ({ counts: control.ledger.countsByRecipient() }),
		'GET /_sandbox/ledger/duplicates': () => ({ duplicates: control.ledger.duplicates() }),
		'GET /_sandbox/ledger/rejections': () => ({ rejections: control.ledger.rejections() }),
		'GET /_sandbox/stats': () => control.ledger.stats(),
		'POST /_sandbox/reset': () => {
			control.reset();
			return { reset: true };
		},
		'GET /_sandbox/faults': () => control.faults(),
		'POST /_sandbox/faults': (body) => control.setFaults(body),
		'GET /_sandbox/settings': () => control.settings(),
		'POST /_sandbox/settings': (body) => control.configure(body),
		'POST /_sandbox/webhook': (body) => {
			control.setWebhookUrl((body.url as string | null | undefined) ?? null);
			return control.subscription();
		},
		'GET /_sandbox/subscription': () => control.subscription(),
		'GET /_sandbox/contacts': () => ({ contacts: control.contacts() }),
		'GET /_sandbox/media': () => ({ media: control.media() }),
		'POST /_sandbox/contacts/opt-out': (body) =>
			control.optOut(String(body.waId ?? ''), { notify: body.notify !== false }),
		'POST /_sandbox/contacts/opt-in': (body) =>
			control.optIn(String(body.waId ?? ''), { notify: body.notify !== false }),
		'POST /_sandbox/contacts/not-on-whatsapp': (body) =>
			control.notOnWhatsApp(String(body.waId ?? ''), body.value !== false),
		'POST /_sandbox/inbound': (body) => {
			const event = { ...body } as unknown as Parameters<SandboxControl['inbound']>[0];
			if (typeof body.timestamp === 'string') event.timestamp = new Date(body.timestamp);
			return control.inbound(event);
		},
		'POST /_sandbox/tap': (body) => control.tap(String(body.from ?? ''), String(body.button ?? '')),
		'POST /_sandbox/say': (body) => {
			if (typeof body.phrase !== 'string')
				throw new Error('say: the body needs {"phrase": "Emilia taps Confirm"}');
			return control.say(body.phrase);
		},
		'GET /_sandbox/templates': () => ({ data: control.templates() }),
		'POST /_sandbox/templates/status': (body) =>
			control.setTemplateStatus(
				String(body.name),
				String(body.language),
				body.status as MessageTemplate['status'],
				body.reason as string | undefined,
			),
		'POST /_sandbox/emit': (body) => {
			control.emit(body as never);
			return { queued: true };
		},
		'GET /_sandbox/webhooks/deliveries': () => ({
			deliveries: control.webhookDeliveries(),
			pending: control.pendingWebhooks(),
		}),
		'POST /_sandbox/webhooks/flush': async () => {
			await control.flushWebhooks();
			return { flushed: true, deliveries: control.webhookDeliveries().length };
		},
		'POST /_sandbox/webhooks/idle': async (body) => {
			await control.waitForWebhooksIdle(
				typeof body.timeoutMs === 'number' ? body.timeoutMs : undefined,
			);
			return { idle: true };
		},
	};

	const controlApi = async (
		method: string,
		path: string,
		query: Query,
		raw: Buffer,
		contentType?: string,
	): Promise<Answer> => {
		const route = controlRoutes[`${method} ${path.replace(/\/$/, '')}`];
		if (!route) {
			const known = Object.keys(controlRoutes).join(', ');
			return {
				status: 404,
				body: { error: { message: `No control route ${method} ${path}; known: ${known}` } },
			};
		}
		try {
			const body = parseBody(raw, contentType);
			if (typeof body !== 'object' || body === null || Array.isArray(body))
				throw new Error('the body must be a JSON object');
			return { status: 200, body: await route(body as Record<string, unknown>, query) };
		} catch (error) {
			return { status: 400, body: { error: { message: (error as Error).message } } };
		}
	};

	const server = http.createServer({ keepAlive: true, keepAliveTimeout: 65_000 }, (req, res) => {
		const url = req.url ?? '/';
		const mark = url.indexOf('?');
		const path = mark < 0 ? url : url.slice(0, mark);
		const query = new URLSearchParams(mark < 0 ? '' : url.slice(mark + 1));
		const method = req.method ?? 'GET';
		const isControl = path === '/_sandbox' || path.startsWith('/_sandbox/');
		const faults = sandbox.faults;

		if (!isControl && faults.hangRate > 0 && sandbox.chance(faults.hangRate)) {
			// A hung request: read and ignore the body, never answer; stop() cuts the connection.
			hung.add(res);
			res.on('close', () => hung.delete(res));
			req.resume();
			return;
		}

		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const raw = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
			const content =
				isControl && method === 'GET' ? /^\/_sandbox\/media\/(\d+)\/content$/.exec(path) : null;
			if (content) {
				const media = sandbox.media.get(content[1]);
				if (!media)
					write(res, {
						status: 404,
						body: { error: { message: `No uploaded media ${content[1]}` } },
					});
				else {
					res.writeHead(200, { 'content-type': media.mimeType, 'content-length': media.bytes });
					res.end(media.data);
				}
				return;
			}
			if (isControl) {
				void controlApi(method, path, query, raw, req.headers['content-type']).then((answer) =>
					write(res, answer),
				);
				return;
			}
			// Whole milliseconds: node groups timers by duration, and float durations would each get their own list.
			const delay = faults.latency ? Math.round(sampleLatency(faults.latency, sandbox.random)) : 0;
			const respond = (answer: Answer) => {
				if (delay > 0) setTimeout(() => write(res, answer), delay);
				else write(res, answer);
			};
			if (faults.errorRate5xx > 0 && sandbox.chance(faults.errorRate5xx)) {
				respond(sandbox.random() < 0.5 ? graphError(131000) : graphError(2));
				return;
			}
			let answer: Answer | Promise<Answer>;
			try {
				answer = api(req, path, query, raw);
			} catch (error) {
				answer = fromError(error);
			}
			void Promise.resolve(answer).then(respond, (error) => respond(fromError(error)));
		});
	});
	server.on('close', () => {
		for (const res of hung) res.destroy();
		hung.clear();
	});
	return server;
}

/** Meta's subscription check: GET the callback with hub.* and expect the challenge back; returns the failure or undefined. */
async function verifyCallback(uri: string, verifyToken: string): Promise<string | undefined> {
	const value = challenge();
	const url = new URL(uri);
	url.searchParams.set('hub.mode', 'subscribe');
	url.searchParams.set('hub.challenge', value);
	url.searchParams.set('hub.verify_token', verifyToken);
	try {
		const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
		const text = await response.text();
		if (response.status !== 200)
			return `HTTP Status Code = ${response.status}; HTTP Message = ${response.statusText}`;
		if (text !== value) return "The URL couldn't be validated. Response does not match challenge";
		return undefined;
	} catch (error) {
		return `The URL couldn't be validated. Callback verification failed: ${(error as Error).message}`;
	}
}
