import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { CloudApiClient, GraphApiError } from '../../lib/cloud-api/client';
import { describeError, errorCatalogue } from '../../lib/cloud-api/errors';
import { redactSecrets } from '../../lib/cloud-api/redact';
import type { HttpCaller } from '../../lib/cloud-api/types';

/** Every code listed in docs/meta-cloud-api.md §6 (the table's first column: "131000 / 131016" is two codes). */
function documentedCodes(): number[] {
	const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'meta-cloud-api.md'), 'utf8');
	const section = doc.slice(doc.indexOf('## §6'), doc.indexOf('## §7'));
	return section
		.split('\n')
		.filter((line) => /^\| \d/.test(line))
		.flatMap((line) => line.split('|')[1].split('/'))
		.map((code) => Number(code.trim()));
}

describe('error catalogue', () => {
	it('has every documented code, each with a retry class, HTTP status, meaning and a message', () => {
		const codes = documentedCodes();
		expect(codes.length).toBeGreaterThanOrEqual(38);
		for (const code of codes) {
			const entry = errorCatalogue.get(code);
			expect(entry).toBeDefined();
			expect(['retry', 'wait', 'fix-input', 'stop']).toContain(entry!.retry);
			expect(entry!.httpStatus).toBeGreaterThanOrEqual(400);
			expect(entry!.meaning.length).toBeGreaterThan(5);
			expect(entry!.message.length).toBeGreaterThan(15);
		}
	});

	it('classifies the codes that drive pacing and policy', () => {
		expect(describeError(130429).retry).toBe('wait');
		expect(describeError(131056).retry).toBe('wait');
		expect(describeError(131000).retry).toBe('retry');
		expect(describeError(131050).retry).toBe('stop');
		expect(describeError(132015).retry).toBe('stop');
		expect(describeError(131047).message).toContain('use a template');
		expect(describeError(131026).message).toContain('Not a WhatsApp number');
	});

	it('never retries an unknown 4xx blindly, retries an unknown 5xx', () => {
		expect(describeError(999999, 400).retry).toBe('stop');
		expect(describeError(999999, 502).retry).toBe('retry');
	});
});

describe('GraphApiError from real Graph API bodies', () => {
	const token = 'EAAJ-secret-token-abcdef';
	function clientAnswering(status: number, body: unknown) {
		const http: HttpCaller = async () => ({ status, body });
		return new CloudApiClient(http, {
			provider: 'meta',
			baseUrl: '',
			apiVersion: 'v24.0',
			phoneNumberId: '1',
			wabaId: '2',
			secrets: [token],
		});
	}

	it('keeps Meta code, details and fbtrace_id and adds the fix (132001)', async () => {
		const result = await clientAnswering(404, {
			error: {
				message: '(#132001) Template name does not exist in the translation',
				type: 'OAuthException',
				code: 132001,
				error_data: {
					messaging_product: 'whatsapp',
					details: 'template name (hello_world) does not exist in es_AR',
				},
				fbtrace_id: 'A1b2C3',
			},
		}).send({});
		expect(result.ok).toBe(false);
		const error = (result as { error: GraphApiError }).error;
		expect(error.toJSON()).toEqual({
			code: 132001,
			httpStatus: 404,
			message: '(#132001) Template name does not exist in the translation',
			meaning: 'Template does not exist in this language or is not approved',
			fix: expect.stringContaining('approved template'),
			retry: 'fix-input',
			details: 'template name (hello_world) does not exist in es_AR',
			fbtrace_id: 'A1b2C3',
		});
	});

	it('scrubs the token from messages, details and paging links', async () => {
		const result = await clientAnswering(401, {
			error: {
				message: `Error validating access token: ${token} has expired`,
				type: 'OAuthException',
				code: 190,
				error_data: { details: `https://graph.facebook.com/v24.0/1?access_token=${token}` },
				fbtrace_id: 'X',
			},
		}).send({});
		const text = JSON.stringify((result as { error: GraphApiError }).error.toJSON());
		expect(text).not.toContain(token);
		expect(text).toContain('[redacted]');
	});

	it('marks a timeout as uncertain (it may have reached Meta)', async () => {
		const http: HttpCaller = async () => {
			throw Object.assign(new Error('timeout of 100ms exceeded'), { code: 'ECONNABORTED' });
		};
		const result = await new CloudApiClient(http, {
			provider: 'meta',
			baseUrl: '',
			apiVersion: 'v24.0',
			phoneNumberId: '1',
			wabaId: '2',
		}).send({});
		expect(result.ok).toBe(false);
		expect((result as { error: GraphApiError }).error.timedOut).toBe(true);
	});

	it('redactSecrets ignores tiny strings and removes access_token query values', () => {
		expect(redactSecrets('a b c', ['a'])).toBe('a b c');
		expect(redactSecrets('x?access_token=zzz&y=1', [])).toBe('x?access_token=[redacted]&y=1');
	});
});
