/**
 * WhatsApp webhook core: framework-free (no n8n imports), synchronous, and total — for any bytes and
 * headers it returns a result and never throws; only configuration mistakes (an empty app secret, verify
 * token or shared header) throw a TypeError that names the credential field to fill in.
 *
 * ## How the WhatsApp Trigger node uses it
 *
 * GET (handshake), webhook name "setup":
 * ```ts
 * const result = verifyHandshake(this.getQueryData(), credentials.verifyToken);
 * res.status(result.status).type('text/plain').send(result.status === 200 ? result.body : 'Forbidden');
 * return { noWebhookResponse: true };
 * ```
 *
 * POST, webhook name "default" — answer first, then work (Meta wants 200 fast):
 * ```ts
 * const req = this.getRequestObject();
 * const result = receiveWebhook(
 *   { rawBody: req.rawBody, headers: this.getHeaderData() },
 *   provider === '360dialog'
 *     ? { mode: 'shared-header', headerName, headerValue }
 *     : { mode: 'signature', appSecret: credentials.appSecret },
 * );
 * if (result.status !== 200) {
 *   this.logger.warn(`WhatsApp webhook refused (${result.status} ${result.reason}): ${result.message}`); // no secrets in it
 *   res.status(result.status).end();
 *   return { noWebhookResponse: true };
 * }
 * res.status(200).end();
 * const outputs: INodeExecutionData[][] = [[], [], []];                          // Messages, Statuses, Other
 * for (const event of result.events) {
 *   if (!(await store.markSeen(dedupKey(event), SEVEN_DAYS))) continue;        // Meta's retries / duplicates
 *   const opt = detectOptChange(event, { optOutKeywords, optInKeywords, optOutButtonPayloads });
 *   // store: last inbound (event.timestampMs, never backwards), referral → free entry point, event.name,
 *   //        opt (opt.scope 'marketing' for user_preferences / 131050), statuses by event.campaignId +
 *   //        event.callbackData?.recipient (an old `delivered` after `read` must not regress: compare timestampMs)
 *   // filter by event.phoneNumberId / enabled kinds, then:
 *   outputs[{ message: 0, status: 1, other: 2 }[event.kind]].push({ json: event });
 * }
 * return { noWebhookResponse: true, workflowData: outputs };
 * ```
 *
 * ## Public API
 *
 * - `receiveWebhook({rawBody, headers}, auth)` → `{status: 200, payload, events} | {status: 401 | 400, reason, message}`
 * - `verifySignature(rawBody, header, appSecret)` → `{ok: true} | {ok: false, reason: 'missing'|'malformed'|'mismatch', message}`:
 *   HMAC-SHA256 of the raw bytes, `sha256=<64 hex>`, constant-time compare.
 * - `verifySharedHeader(headers, name, expected)` → same result (providers that do not sign, e.g. 360dialog).
 * - `verifyHandshake(query, verifyToken)` → `{status: 200, body: challenge} | {status: 403, reason}`.
 * - `parseWebhook(rawBody)` → `{ok: true, payload} | {ok: false, reason: 'empty'|'not-json'|'not-whatsapp', message}`.
 * - `normaliseEvents(payload)` → `WebhookEvent[]` (`MessageEvent | StatusEvent | OtherEvent`, see types.ts):
 *   kind, type, field, id, from, wa_id, user_id, name, text, button, replyId, timestamp (ISO), timestampMs,
 *   phoneNumberId, displayPhoneNumber, wabaId, referral, context, media, location, reaction, …; statuses:
 *   status, recipientId, campaignId, callbackData, pricing, conversation; errors with catalogue meanings;
 *   raw (the change value narrowed to the event).
 * - `dedupKey(event)` → `message:<wamid>` | `status:<wamid>:<status>` | `<kind>:<field>:<hash>`.
 * - `detectOptChange(event, options?)` → `{change: 'opt-out'|'opt-in', reason, scope, matched, wa_id, …} | undefined`.
 * - `encodeCallbackData({campaignId?, recipient?, ref?})` / `decodeCallbackData(s)`: the
 *   `biz_opaque_callback_data` format `v1;c=…;r=…;ref=…` (≤ 512 chars) for the send and campaign nodes.
 * - Default keyword and payload lists: keywords.ts.
 */
export {
	receiveWebhook,
	type ReceiveResult,
	type WebhookAuth,
	type WebhookRequest,
} from './receive';
export {
	SIGNATURE_HEADER,
	constantTimeEqual,
	getHeader,
	verifySharedHeader,
	verifySignature,
	type HeaderMap,
	type VerifyFailure,
	type VerifyResult,
} from './signature';
export {
	verifyHandshake,
	type HandshakeFailure,
	type HandshakeQuery,
	type HandshakeResult,
} from './handshake';
export {
	WHATSAPP_OBJECT,
	parseWebhook,
	type ParseFailure,
	type ParseResult,
	type WebhookPayload,
} from './parse';
export { normaliseEvents } from './normalise';
export { canonicalJson, dedupKey } from './dedup';
export {
	detectOptChange,
	normaliseKeyword,
	type OptChange,
	type OptChangeOptions,
	type OptChangeReason,
} from './opt-change';
export {
	CALLBACK_DATA_MAX_LENGTH,
	decodeCallbackData,
	encodeCallbackData,
	type CallbackData,
} from './callback-data';
export * from './keywords';
export type * from './types';
