/**
 * Two families of types:
 * - `Wa*`: Meta's webhook JSON as documented (docs/meta-cloud-api.md §3). Used to build payloads (tests,
 *   sandbox) with type checking. Incoming payloads are never trusted to match them: normalise.ts reads
 *   everything through the total readers of read.ts.
 * - `*Event`: what normaliseEvents returns, one flat object per message / status / other change, meant to
 *   become one n8n item each.
 */
import type { RetryClass } from '../cloud-api/errors';
import type { CallbackData } from './callback-data';

// ---------------------------------------------------------------- Meta's payload (outline)

/** A WhatsApp webhook payload as Meta documents it. */
export interface WaPayload {
	object: 'whatsapp_business_account';
	entry: WaEntry[];
}

/** One entry (a WhatsApp Business Account) of a webhook payload. */
export interface WaEntry {
	/** WhatsApp Business Account ID */
	id: string;
	/** Unix seconds; present on account-level fields (template updates, account_update) */
	time?: number;
	changes: WaChange[];
}

/** One change of an entry. */
export interface WaChange {
	field: string;
	value: WaMessagesValue | Record<string, unknown>;
}

/** A contact of a messages change. */
export interface WaContact {
	profile?: { name?: string; username?: string };
	wa_id?: string;
	/** Business-scoped user ID (2026) */
	user_id?: string;
	parent_user_id?: string;
}

/** An error in a webhook (statuses, unsupported messages, value.errors). */
export interface WaError {
	code: number;
	title?: string;
	message?: string;
	error_data?: { details?: string };
	href?: string;
}

/** A media object of an inbound message. */
export interface WaMedia {
	id: string;
	mime_type?: string;
	sha256?: string;
	caption?: string;
	filename?: string;
	voice?: boolean;
	animated?: boolean;
	url?: string;
}

/** An inbound message as Meta sends it. */
export interface WaMessage {
	from?: string;
	from_user_id?: string;
	id: string;
	timestamp: string;
	type: string;
	text?: { body: string };
	button?: { payload?: string; text?: string };
	interactive?: {
		type: 'button_reply' | 'list_reply' | 'nfm_reply' | string;
		button_reply?: { id: string; title: string };
		list_reply?: { id: string; title: string; description?: string };
		nfm_reply?: { name?: string; body?: string; response_json?: string };
	};
	image?: WaMedia;
	audio?: WaMedia;
	video?: WaMedia;
	document?: WaMedia;
	sticker?: WaMedia;
	location?: { latitude: number; longitude: number; name?: string; address?: string; url?: string };
	contacts?: Array<Record<string, unknown>>;
	reaction?: { message_id: string; emoji?: string };
	order?: {
		catalog_id?: string;
		text?: string;
		product_items?: Array<{
			product_retailer_id: string;
			quantity: number | string;
			item_price: number | string;
			currency: string;
		}>;
	};
	system?: {
		body?: string;
		type?: string;
		wa_id?: string;
		new_wa_id?: string;
		customer?: string;
		identity?: string;
	};
	context?: {
		from?: string;
		id?: string;
		forwarded?: boolean;
		frequently_forwarded?: boolean;
		referred_product?: Record<string, unknown>;
	};
	referral?: WaReferral;
	errors?: WaError[];
}

/** The ad or post an inbound came from (Click-to-WhatsApp). */
export interface WaReferral {
	source_url?: string;
	source_id?: string;
	source_type?: 'ad' | 'post' | string;
	body?: string;
	headline?: string;
	media_type?: string;
	image_url?: string;
	video_url?: string;
	thumbnail_url?: string;
	ctwa_clid?: string;
	[key: string]: unknown;
}

export type WaStatusValue = 'sent' | 'delivered' | 'read' | 'failed' | 'played';

/** A delivery status as Meta sends it. */
export interface WaStatus {
	id: string;
	status: WaStatusValue | string;
	timestamp: string;
	recipient_id?: string;
	recipient_user_id?: string;
	biz_opaque_callback_data?: string;
	conversation?: { id: string; expiration_timestamp?: string; origin?: { type: string } };
	pricing?: { billable?: boolean; pricing_model?: string; type?: string; category?: string };
	errors?: WaError[];
}

/** The value of a `messages` change. */
export interface WaMessagesValue {
	messaging_product: 'whatsapp';
	metadata: { display_phone_number: string; phone_number_id: string };
	contacts?: WaContact[];
	messages?: WaMessage[];
	statuses?: WaStatus[];
	errors?: WaError[];
}

// ---------------------------------------------------------------- normalised events

/** A webhook error with the catalogue's meaning and advice (lib/cloud-api/errors.ts) added. */
export interface EnrichedError {
	/** Meta's code; -1 when the payload had none */
	code: number;
	title?: string;
	/** Meta's message */
	message?: string;
	/** Meta's error_data.details */
	details?: string;
	href?: string;
	/** Catalogue meaning of the code */
	meaning: string;
	retry: RetryClass;
	httpStatus: number;
	/** What to do, in one line (catalogue) */
	fix: string;
}

export type EventKind = 'message' | 'status' | 'other';

interface EventBase {
	kind: EventKind;
	/**
	 * message: Meta's message type (text, image, …); status: the status (sent, read, …); other: the change field,
	 * or "errors"
	 */
	type: string;
	/** The change's `field` (messages, message_template_status_update, …) */
	field: string;
	/** wamid of the message (inbound message, or the outgoing message a status is about); absent on other events */
	id?: string;
	/** WhatsApp Business Account ID (entry.id) */
	wabaId?: string;
	/** Business phone number the event belongs to (metadata.phone_number_id) */
	phoneNumberId?: string;
	displayPhoneNumber?: string;
	/** ISO 8601 (UTC) */
	timestamp?: string;
	timestampMs?: number;
	errors?: EnrichedError[];
	/**
	 * The change value, narrowed to this event: a change that holds one event is returned as is; a batched
	 * change keeps its other keys (metadata, …) with only this event's message / status / preference and
	 * its contact, so each item stays small and Meta-shaped.
	 */
	raw: unknown;
}

/** An inbound message's media, normalised. */
export interface MediaInfo {
	id?: string;
	mimeType?: string;
	sha256?: string;
	caption?: string;
	filename?: string;
	voice?: boolean;
	animated?: boolean;
	url?: string;
}

/** An inbound message, normalised. */
export interface MessageEvent extends EventBase {
	kind: 'message';
	/** Sender as Meta sent it (phone number, or absent for username users) */
	from?: string;
	wa_id?: string;
	/** Business-scoped user ID, when Meta sends one */
	user_id?: string;
	/** Profile name from the matching contact */
	name?: string;
	username?: string;
	/** Text body, button text, interactive title, media caption, order text or system body */
	text?: string;
	/** Template quick-reply payload (type "button") */
	button?: string;
	/** What the user chose: quick-reply payload or interactive button / list reply ID */
	replyId?: string;
	interactive?: {
		type?: string;
		id?: string;
		title?: string;
		description?: string;
		name?: string;
		body?: string;
		response?: unknown;
	};
	media?: MediaInfo;
	location?: {
		latitude?: number;
		longitude?: number;
		name?: string;
		address?: string;
		url?: string;
	};
	reaction?: { messageId?: string; emoji?: string };
	/** Contact cards the user shared (type "contacts"), as Meta sent them */
	sharedContacts?: unknown[];
	order?: Record<string, unknown>;
	system?: Record<string, unknown>;
	/** Click-to-WhatsApp ad / page referral, as Meta sent it (starts a free entry point window) */
	referral?: Record<string, unknown>;
	/** Reply context (the message replied to, forwarded flags), as Meta sent it */
	context?: Record<string, unknown>;
}

/** A delivery status, normalised, with the campaign it belongs to. */
export interface StatusEvent extends EventBase {
	kind: 'status';
	status?: string;
	recipientId?: string;
	wa_id?: string;
	user_id?: string;
	name?: string;
	/** `biz_opaque_callback_data` exactly as echoed */
	bizOpaqueCallbackData?: string;
	/** Decoded `biz_opaque_callback_data` when it is ours (callback-data.ts) */
	callbackData?: CallbackData;
	campaignId?: string;
	pricing?: Record<string, unknown>;
	conversation?: Record<string, unknown>;
	/** conversation.expiration_timestamp as ISO */
	conversationExpiresAt?: string;
}

/** Any other change (template status, quality, account), normalised. */
export interface OtherEvent extends EventBase {
	kind: 'other';
	/** value.event (APPROVED, FLAGGED, THROUGHPUT_UPGRADE, ACCOUNT_VIOLATION, …) */
	event?: string;
	template?: {
		id?: string;
		name?: string;
		language?: string;
		category?: string;
		reason?: string;
		previousQuality?: string;
		newQuality?: string;
	};
	/** phone_number_quality_update */
	messagingLimit?: {
		current?: string;
		previous?: string;
		maxDailyConversationsPerBusiness?: string;
	};
	/** user_preferences: one event per preference */
	preference?: { category?: string; value?: string; detail?: string };
	wa_id?: string;
	user_id?: string;
	name?: string;
}

export type WebhookEvent = MessageEvent | StatusEvent | OtherEvent;
