/**
 * Meta's webhook verification: `GET ?hub.mode=subscribe&hub.verify_token=T&hub.challenge=C` must be
 * answered 200 with body C (as text/plain, so the echoed challenge can never be rendered as HTML) when T
 * is the configured verify token, else 403.
 */
import { constantTimeEqual } from './signature';

export type HandshakeFailure = 'not-subscribe' | 'token-mismatch' | 'no-challenge';
export type HandshakeResult =
	| { status: 200; body: string }
	| { status: 403; reason: HandshakeFailure };

/**
 * Query as n8n's getQueryData() gives it (flat `hub.mode` keys, or `{hub: {mode}}` if dots were expanded), or
 * URLSearchParams.
 */
export type HandshakeQuery = URLSearchParams | Readonly<Record<string, unknown>>;

function queryValue(
	query: HandshakeQuery | undefined,
	name: 'mode' | 'verify_token' | 'challenge',
): string | undefined {
	if (query instanceof URLSearchParams) {
		const all = query.getAll(`hub.${name}`);
		return all.length === 1 ? all[0] : undefined;
	}
	if (!query || typeof query !== 'object') return undefined;
	let value = Object.prototype.hasOwnProperty.call(query, `hub.${name}`)
		? query[`hub.${name}`]
		: undefined;
	if (value === undefined) {
		const hub = query.hub;
		if (
			hub &&
			typeof hub === 'object' &&
			!Array.isArray(hub) &&
			Object.prototype.hasOwnProperty.call(hub, name)
		) {
			value = (hub as Record<string, unknown>)[name];
		}
	}
	return typeof value === 'string' ? value : undefined; // repeated parameters arrive as arrays: refused
}

/**
 * Throws (TypeError) only when the configured verify token is empty: an empty token would let anyone
 * complete the handshake.
 */
export function verifyHandshake(
	query: HandshakeQuery | undefined,
	verifyToken: string,
): HandshakeResult {
	if (typeof verifyToken !== 'string' || verifyToken.length === 0) {
		throw new TypeError(
			"verifyToken is empty: set the Verify Token in the WhatsApp HSM Cloud API credential and paste the same value into Meta's webhook settings.",
		);
	}
	if (queryValue(query, 'mode') !== 'subscribe') return { status: 403, reason: 'not-subscribe' };
	const token = queryValue(query, 'verify_token');
	if (token === undefined || !constantTimeEqual(token, verifyToken))
		return { status: 403, reason: 'token-mismatch' };
	const challenge = queryValue(query, 'challenge');
	if (challenge === undefined || challenge.length === 0)
		return { status: 403, reason: 'no-challenge' };
	return { status: 200, body: challenge };
}
