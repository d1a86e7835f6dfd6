import { createHmac } from 'node:crypto';
import {
	receiveWebhook,
	verifyHandshake,
	verifySharedHeader,
	verifySignature,
} from '../../lib/webhook';
import { APP_SECRET, inbound, messages, metaJson, sign } from './fixtures';

const body = Buffer.from(metaJson(inbound(messages.text('Hola Núñez, ¿qué tal? 🙂'))));

describe('verifySignature', () => {
	it('accepts the HMAC-SHA256 of the raw bytes with the app secret', () => {
		expect(verifySignature(body, sign(body), APP_SECRET)).toEqual({ ok: true });
	});

	it('accepts upper-case hex, surrounding spaces and a single-element header array', () => {
		const header = sign(body);
		expect(verifySignature(body, `sha256=${header.slice(7).toUpperCase()}`, APP_SECRET).ok).toBe(
			true,
		);
		expect(verifySignature(body, ` ${header} `, APP_SECRET).ok).toBe(true);
		expect(verifySignature(body, [header], APP_SECRET).ok).toBe(true);
	});

	it('refuses a signature made with another secret', () => {
		expect(verifySignature(body, sign(body, 'another-apps-secret'), APP_SECRET)).toMatchObject({
			ok: false,
			reason: 'mismatch',
		});
	});

	it('refuses a wrong signature of the right format', () => {
		expect(verifySignature(body, `sha256=${'0'.repeat(64)}`, APP_SECRET)).toMatchObject({
			ok: false,
			reason: 'mismatch',
		});
	});

	it('refuses the body altered by one byte, at any position', () => {
		const header = sign(body);
		for (const position of [0, 1, Math.floor(body.length / 2), body.length - 1]) {
			const altered = Buffer.from(body);
			altered[position] ^= 0x01;
			expect(verifySignature(altered, header, APP_SECRET)).toMatchObject({
				ok: false,
				reason: 'mismatch',
			});
		}
		expect(
			verifySignature(Buffer.concat([body, Buffer.from(' ')]), header, APP_SECRET),
		).toMatchObject({ reason: 'mismatch' });
		expect(verifySignature(body.subarray(0, body.length - 1), header, APP_SECRET)).toMatchObject({
			reason: 'mismatch',
		});
	});

	it('reports a missing header', () => {
		for (const header of [undefined, '', '   ', []]) {
			expect(verifySignature(body, header as string | undefined, APP_SECRET)).toMatchObject({
				ok: false,
				reason: 'missing',
			});
		}
	});

	it('reports malformed headers', () => {
		const hex = sign(body).slice(7);
		const malformed = [
			hex, // no prefix
			`sha1=${hex}`,
			`sha256:${hex}`,
			`sha256=${hex.slice(1)}`, // 63 digits
			`sha256=${hex}0`, // 65 digits
			`sha256=${hex.slice(2)}zz`,
			`sha256=${hex},sha256=${hex}`,
			'sha256=',
		];
		for (const header of malformed)
			expect(verifySignature(body, header, APP_SECRET)).toMatchObject({
				ok: false,
				reason: 'malformed',
			});
		expect(verifySignature(body, [sign(body), sign(body)], APP_SECRET)).toMatchObject({
			reason: 'malformed',
		});
		expect(verifySignature(body, 42 as unknown as string, APP_SECRET)).toMatchObject({
			reason: 'malformed',
		});
	});

	it('never puts the secret, the expected signature or the received header in its messages', () => {
		const expected = sign(body).slice(7);
		const received = sign(body, 'other').slice(7);
		for (const header of [undefined, 'garbage', `sha256=${received}`]) {
			const result = verifySignature(body, header, APP_SECRET);
			expect(result.ok).toBe(false);
			const text = JSON.stringify(result);
			expect(text).not.toContain(APP_SECRET);
			expect(text).not.toContain(expected);
			expect(text).not.toContain(received);
		}
	});

	it('throws a configuration error, without the secret, for an empty secret or a body that is not bytes', () => {
		expect(() => verifySignature(body, sign(body), '')).toThrow(/App Secret/);
		expect(() =>
			verifySignature(JSON.parse(body.toString()) as Buffer, sign(body), APP_SECRET),
		).toThrow(/raw request bytes/);
	});

	describe('unicode bodies: the signature is over the raw bytes', () => {
		const payload = inbound(messages.text('Ñandú, 你好, مرحبا, 👍🏽 — “quotes” / slashes'));

		it('verifies a raw UTF-8 body', () => {
			const utf8 = Buffer.from(JSON.stringify(payload), 'utf8');
			expect(utf8.length).toBeGreaterThan(JSON.stringify(payload).length); // multi-byte characters present
			expect(verifySignature(utf8, sign(utf8), APP_SECRET).ok).toBe(true);
		});

		it('verifies a Meta-escaped body (\\uXXXX, \\/)', () => {
			const escaped = Buffer.from(metaJson(payload));
			expect(escaped.toString()).toContain('\\u00d1and\\u00fa');
			expect(escaped.toString()).toContain('\\/');
			expect(verifySignature(escaped, sign(escaped), APP_SECRET).ok).toBe(true);
		});

		it('would fail if the parsed JSON were re-serialised and signed instead of the raw bytes', () => {
			for (const raw of [
				Buffer.from(metaJson(payload)),
				Buffer.from(JSON.stringify(payload, null, 1)),
			]) {
				const header = sign(raw);
				const reserialised = Buffer.from(JSON.stringify(JSON.parse(raw.toString('utf8'))));
				expect(reserialised.equals(raw)).toBe(false);
				expect(verifySignature(reserialised, header, APP_SECRET)).toMatchObject({
					ok: false,
					reason: 'mismatch',
				});
				expect(verifySignature(raw, header, APP_SECRET).ok).toBe(true);
			}
		});

		it('would fail if the body were decoded and re-encoded in another charset', () => {
			const raw = Buffer.from(JSON.stringify(payload), 'utf8');
			const latin1 = Buffer.from(raw.toString('utf8'), 'latin1');
			expect(verifySignature(latin1, sign(raw), APP_SECRET).ok).toBe(false);
		});
	});

	it('matches an HMAC computed independently over a Uint8Array view', () => {
		const view = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
		const header = `sha256=${createHmac('sha256', APP_SECRET).update(view).digest('hex')}`;
		expect(verifySignature(view, header, APP_SECRET).ok).toBe(true);
	});
});

describe('verifySharedHeader (providers that do not sign, e.g. 360dialog)', () => {
	const token = 'd360-shared-9f8e7d6c5b4a';

	it('accepts the configured header, whatever the case of its name', () => {
		expect(verifySharedHeader({ 'x-webhook-token': token }, 'X-Webhook-Token', token)).toEqual({
			ok: true,
		});
		expect(verifySharedHeader({ 'X-Webhook-Token': token }, 'x-webhook-token', token)).toEqual({
			ok: true,
		});
	});

	it('refuses a missing, repeated or different value, without echoing either value', () => {
		expect(verifySharedHeader({}, 'X-Webhook-Token', token)).toMatchObject({
			ok: false,
			reason: 'missing',
		});
		expect(
			verifySharedHeader({ 'x-webhook-token': [token, token] }, 'X-Webhook-Token', token),
		).toMatchObject({ reason: 'malformed' });
		for (const wrong of ['', token.slice(0, -1), `${token}x`, token.toUpperCase(), 'a']) {
			const result = verifySharedHeader({ 'x-webhook-token': wrong }, 'X-Webhook-Token', token);
			expect(result).toMatchObject({ ok: false, reason: 'mismatch' });
			expect(JSON.stringify(result)).not.toContain(token);
		}
	});

	it('throws a configuration error for an empty name or value', () => {
		expect(() => verifySharedHeader({}, '', token)).toThrow(/Header Name/);
		expect(() => verifySharedHeader({}, 'X-Webhook-Token', '')).toThrow(/Header Value/);
	});
});

describe('receiveWebhook', () => {
	it('answers 401 before parsing: an unsigned garbage body is refused for its signature, not its JSON', () => {
		const result = receiveWebhook(
			{ rawBody: Buffer.from('not json'), headers: {} },
			{ mode: 'signature', appSecret: APP_SECRET },
		);
		expect(result).toMatchObject({ status: 401, reason: 'missing' });
	});

	it('answers 400 for a correctly signed body that is not a WhatsApp webhook', () => {
		const raw = Buffer.from('{"object":"page","entry":[]}');
		expect(
			receiveWebhook(
				{ rawBody: raw, headers: { 'x-hub-signature-256': sign(raw) } },
				{ mode: 'signature', appSecret: APP_SECRET },
			),
		).toMatchObject({
			status: 400,
			reason: 'not-whatsapp',
		});
	});

	it('answers 200 with events for a signed WhatsApp body', () => {
		const result = receiveWebhook(
			{ rawBody: body, headers: { 'X-Hub-Signature-256': sign(body) } },
			{ mode: 'signature', appSecret: APP_SECRET },
		);
		expect(result.status).toBe(200);
		if (result.status === 200) expect(result.events).toHaveLength(1);
	});

	it("takes the server's parsed body when it is a WhatsApp envelope, after the signature over the raw bytes", () => {
		const auth = { mode: 'signature' as const, appSecret: APP_SECRET };
		const headers = { 'x-hub-signature-256': sign(body) };
		const parsedBody = JSON.parse(body.toString('utf8')) as unknown;
		const once = receiveWebhook({ rawBody: body, headers, parsedBody }, auth);
		expect(once).toEqual(receiveWebhook({ rawBody: body, headers }, auth));
		if (once.status === 200) expect(once.payload).toBe(parsedBody);
		// Anything else the server made of the body (nothing, text, a form) is ignored: the raw bytes are parsed.
		for (const other of [undefined, {}, 'text', { object: 'whatsapp_business_account' }])
			expect(receiveWebhook({ rawBody: body, headers, parsedBody: other }, auth)).toEqual(once);
		// A forged body is refused for its signature whatever was parsed.
		expect(
			receiveWebhook(
				{ rawBody: body, headers: { 'x-hub-signature-256': 'sha256=00' }, parsedBody },
				auth,
			),
		).toMatchObject({ status: 401 });
	});

	it('uses the shared header instead of the signature in shared-header mode', () => {
		const auth = {
			mode: 'shared-header' as const,
			headerName: 'X-D360-Token',
			headerValue: 'secret-value-123',
		};
		expect(
			receiveWebhook({ rawBody: body, headers: { 'x-d360-token': 'secret-value-123' } }, auth)
				.status,
		).toBe(200);
		expect(
			receiveWebhook({ rawBody: body, headers: { 'x-d360-token': 'nope' } }, auth),
		).toMatchObject({ status: 401, reason: 'mismatch' });
	});
});

describe('verifyHandshake', () => {
	const verifyToken = 'my-verify-token-31415';

	it('answers 200 with the challenge for subscribe + the right token', () => {
		const query = {
			'hub.mode': 'subscribe',
			'hub.verify_token': verifyToken,
			'hub.challenge': '1158201444',
		};
		expect(verifyHandshake(query, verifyToken)).toEqual({ status: 200, body: '1158201444' });
	});

	it('reads URLSearchParams and dot-expanded query objects too', () => {
		const search = new URLSearchParams({
			'hub.mode': 'subscribe',
			'hub.verify_token': verifyToken,
			'hub.challenge': 'abc',
		});
		expect(verifyHandshake(search, verifyToken)).toEqual({ status: 200, body: 'abc' });
		expect(
			verifyHandshake(
				{ hub: { mode: 'subscribe', verify_token: verifyToken, challenge: 'xyz' } },
				verifyToken,
			),
		).toEqual({ status: 200, body: 'xyz' });
	});

	it('answers 403 for a wrong token, a wrong mode, a missing challenge or repeated parameters', () => {
		const good = { 'hub.mode': 'subscribe', 'hub.verify_token': verifyToken, 'hub.challenge': 'c' };
		expect(verifyHandshake({ ...good, 'hub.verify_token': 'wrong' }, verifyToken)).toEqual({
			status: 403,
			reason: 'token-mismatch',
		});
		expect(verifyHandshake({ ...good, 'hub.verify_token': undefined }, verifyToken)).toEqual({
			status: 403,
			reason: 'token-mismatch',
		});
		expect(
			verifyHandshake({ ...good, 'hub.verify_token': `${verifyToken} ` }, verifyToken),
		).toMatchObject({ status: 403 });
		expect(verifyHandshake({ ...good, 'hub.mode': 'unsubscribe' }, verifyToken)).toEqual({
			status: 403,
			reason: 'not-subscribe',
		});
		expect(verifyHandshake({ ...good, 'hub.challenge': '' }, verifyToken)).toEqual({
			status: 403,
			reason: 'no-challenge',
		});
		expect(
			verifyHandshake({ ...good, 'hub.verify_token': [verifyToken, verifyToken] }, verifyToken),
		).toMatchObject({ status: 403 });
		expect(verifyHandshake({}, verifyToken)).toMatchObject({ status: 403 });
		expect(verifyHandshake(undefined, verifyToken)).toMatchObject({ status: 403 });
	});

	it('throws a configuration error when no verify token is configured, so an empty token can never pass', () => {
		expect(() =>
			verifyHandshake(
				{ 'hub.mode': 'subscribe', 'hub.verify_token': '', 'hub.challenge': 'c' },
				'',
			),
		).toThrow(/Verify Token/);
	});
});
