/** WhatsApp webhook core: verifies, parses and normalises deliveries; never throws on what Meta sends. */
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
