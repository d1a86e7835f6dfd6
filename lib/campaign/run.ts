/**
 * One Bulk Campaign run: the number's throughput read from the API (capped by the user's setting), recipients
 * streamed through validation and the store's skips, claimed, paced and sent by the delivery runner, results
 * written back, and — with "at least once" — recipients left uncertain resent after their quiet period.
 * Framework-free: the n8n node, the fault-test worker and the benchmarks all run campaigns through here.
 */
import { randomUUID } from 'node:crypto';

import type { GraphApiError } from '../cloud-api/client';
import { MediaUploader, type MediaUploadApi } from '../media/upload';
import type { PhoneNumberInfo } from '../cloud-api/types';
import {
	LocalRateLimiter,
	defaultRetryPolicy,
	runCampaign,
	type CampaignProgress,
	type InFlightOptions,
	type Job,
	type JobResult,
	type Outcome,
	type RateLimiter,
	type RetryPolicy,
	type SendFunction,
	type SendResult,
	type StopReason,
} from '../delivery';
import type { ConversationStore } from '../store/types';
import { attachMedia, type PendingMedia, type TemplateMessagePayload } from '../templates';
import {
	preparedChunks,
	type RecipientPolicy,
	type RowReader,
	type SkippedRecipient,
	type TemplateChoice,
} from './recipients';
import {
	localIso,
	SendWindowCounter,
	type RecipientZone,
	type SendWindow,
	type SendWindowTally,
	type ZoneSource,
} from './send-window';
import { campaignDefaults, pausingQualityRatings, resolveRateCap, skipReasons } from './rules';
import { StoreDeliveryHooks, TAKEN_OVER_CODE, type DeliveryGuarantee } from './store-hooks';

/** The Cloud API calls a campaign makes (CloudApiClient has them); uploadMedia only for header files. */
export interface CampaignApi extends Partial<MediaUploadApi> {
	send(
		payload: object,
		options?: { timeoutMs?: number },
	): Promise<
		{ ok: true; wamid: string; messageStatus?: string } | { ok: false; error: GraphApiError }
	>;
	getPhoneNumberInfo(fields?: string[]): Promise<PhoneNumberInfo>;
}

/** Why a recipient was not sent when its header file could not be uploaded (no template with a broken header). */
export const MEDIA_UPLOAD_FAILED = 'media_upload_failed';

export type RecipientStatus = Outcome | 'pending';

/** What happened to one input row. */
export interface RecipientOutcome {
	index: number;
	status: RecipientStatus;
	/** A skip reason (rules.ts skipReasons), or failed / no_answer / paused / settled_by_webhook */
	reason?: string;
	message?: string;
	/** Meta error code */
	code?: number;
	/** The field at fault (invalid rows) */
	field?: string;
	details?: string;
	waId?: string;
	/** The phone as given, when it could not be read */
	phone?: string;
	wamid?: string;
	messageStatus?: string;
	language?: string;
	attempts?: number;
	notBefore?: string;
	tags?: string[];
	/** Send Window: the recipient's zone, where it came from (and why the workflow's), their local time */
	timeZone?: string;
	timeZoneSource?: ZoneSource;
	timeZoneNote?: string;
	localTime?: string;
	/** outside_send_window: when the recipient's window opens, ISO with their offset */
	sendWindowOpensAt?: string;
}

export type OutcomeCounts = Record<Outcome, number>;

export interface BulkCampaignSummary {
	campaignId: string;
	template: string;
	total: number;
	counts: OutcomeCounts;
	/** Not-sent recipients by reason */
	byReason: Record<string, number>;
	/** Not-sent recipients by Meta code */
	byCode: Record<string, number>;
	requests: number;
	/** Wall time of the run, quiet-period waits included */
	durationMs: number;
	/** Time spent sending (the runner's phases) */
	sendingMs: number;
	/** Messages sent per second while sending */
	achievedRate: number;
	/** The pace: the number's throughput, capped by the setting */
	rateCap: number;
	throughputLevel?: string;
	qualityRating?: string;
	guarantee: DeliveryGuarantee;
	resendRounds: number;
	stoppedBy: StopReason;
	stopDetail?: string;
	/** With a Send Window: recipients sent now and left for later, per zone */
	sendWindow?: SendWindowTally;
}

export interface CampaignProgressReport {
	campaignId: string;
	sent: number;
	notSent: number;
	remaining: number;
	/** The allowed rate now (AIMD), messages/s */
	rate: number;
	/** Sent per second since the previous report */
	achievedRate: number;
	etaMs?: number;
	inFlight: number;
	retrying: number;
	elapsedMs: number;
}

export interface BulkCampaignOptions {
	campaignId: string;
	/** The sending phone number ID (the store's business number) */
	businessNumberId: string;
	store: ConversationStore;
	api: CampaignApi;
	template: TemplateChoice;
	/** Number of input rows */
	total: number;
	read: RowReader;
	defaultCountry?: string;
	policy?: RecipientPolicy;
	/** Messages per second at most; the number's throughput (from the API) when lower or when this is unset */
	rateCap?: number;
	/** The limiter for a cap (default: one in this process). Queue mode passes a RedisRateLimiter per number. */
	limiter?: (capMps: number) => RateLimiter;
	guarantee?: DeliveryGuarantee;
	/** at-least-once: at least the request timeout + 5 s */
	quietPeriodMs?: number;
	staleClaimMs?: number;
	requestTimeoutMs?: number;
	qualityCheckIntervalMs?: number;
	retryFailed?: boolean;
	resendRounds?: number;
	/** This run's identity in the store (default: random) */
	owner?: string;
	chunkSize?: number;
	onProgress?: (progress: CampaignProgressReport) => void;
	progressIntervalMs?: number;
	/** Each final outcome as soon as it is known (resent ones may be reported twice: the last one counts) */
	onOutcome?: (outcome: RecipientOutcome) => void;
	/** Keep outcomes in the report (default true; the memory benchmark streams them instead) */
	keepOutcomes?: boolean;
	signal?: AbortSignal;
	concurrency?: Partial<InFlightOptions>;
	retryPolicy?: RetryPolicy;
	now?: () => number;
	/** Send only inside each recipient's local window (see send-window.ts); `window.waitMs` bounds the wait for openings */
	sendWindow?: { window: SendWindow; workflowZone: string };
	/** Told before each wait for windows to open */
	onWindowWait?: (wait: { untilMs: number; recipients: number }) => void;
	/** The clock's sleep (tests pass a virtual one with `now`) */
	sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface BulkCampaignReport {
	/** By input index (undefined when keepOutcomes is false) */
	outcomes: RecipientOutcome[];
	summary: BulkCampaignSummary;
	phoneInfo?: PhoneNumberInfo;
}

interface Payload {
	key: string;
	body: TemplateMessagePayload;
	/** Header files still to upload; emptied once their IDs are in `body` (a retry does not upload again) */
	media?: PendingMedia[];
}

const noCounts = (): OutcomeCounts => ({ sent: 0, failed: 0, skipped: 0, uncertain: 0, paused: 0 });

/** The cloud client's answer in the runner's terms: a send that never left is retryable, a lost answer is uncertain. */
export function toSendResult(answer: Awaited<ReturnType<CampaignApi['send']>>): SendResult {
	if (answer.ok) return { ok: true, wamid: answer.wamid, messageStatus: answer.messageStatus };
	const error = answer.error;
	if (error.timedOut) return { ok: false, timedOut: true, details: error.message };
	if (!error.httpStatus) return { ok: false, details: error.message };
	return {
		ok: false,
		code: error.code,
		httpStatus: error.httpStatus,
		details: error.details ?? error.message,
	};
}

function checkOptions(
	options: BulkCampaignOptions,
	requestTimeoutMs: number,
	quietPeriodMs: number,
): void {
	if (!Number.isInteger(options.total) || options.total < 0)
		throw new RangeError(`total must be the number of input rows (got ${options.total})`);
	if (options.rateCap !== undefined && !(options.rateCap > 0))
		throw new RangeError(
			`rateCap must be a number of messages per second above 0 (got ${options.rateCap})`,
		);
	if (options.guarantee === 'at-least-once' && quietPeriodMs < requestTimeoutMs + 5_000) {
		throw new RangeError(
			`The quiet period (${Math.round(quietPeriodMs / 1000)} s) must be at least the request timeout + 5 s (${Math.round((requestTimeoutMs + 5_000) / 1000)} s): a request still on its way could otherwise be resent`,
		);
	}
}

export async function runBulkCampaign(options: BulkCampaignOptions): Promise<BulkCampaignReport> {
	const now = options.now ?? Date.now;
	const wait = options.sleep ?? sleep;
	const startedAt = now();
	const guarantee = options.guarantee ?? 'at-most-once';
	const requestTimeoutMs = options.requestTimeoutMs ?? campaignDefaults.requestTimeoutMs;
	const quietPeriodMs = options.quietPeriodMs ?? campaignDefaults.quietPeriodMs;
	checkOptions(options, requestTimeoutMs, quietPeriodMs);
	const { api, store, campaignId, businessNumberId } = options;
	const keep = options.keepOutcomes ?? true;

	// The pace: the number's throughput level, capped by the user's setting.
	let phoneInfo: PhoneNumberInfo | undefined;
	try {
		phoneInfo = await transientRetries(() => api.getPhoneNumberInfo());
	} catch (error) {
		if (options.rateCap === undefined) {
			throw new Error(
				`Reading the number's throughput failed (${(error as Error).message}): check the credential, or set "Max Messages per Second"`,
			);
		}
	}
	const rateCap = resolveRateCap(options.rateCap, phoneInfo);
	const limiter = options.limiter
		? options.limiter(rateCap)
		: new LocalRateLimiter({ ratePerSecond: rateCap });

	const translations = options.template.translations;
	const marketing = translations.some((template) => template.category === 'MARKETING');
	const hooks = new StoreDeliveryHooks({
		store,
		campaignId,
		businessNumberId,
		owner: options.owner ?? randomUUID(),
		guarantee,
		quietPeriodMs,
		staleClaimMs: options.staleClaimMs ?? campaignDefaults.staleClaimMs,
		retryFailed: options.retryFailed,
		marketing,
		now,
	});
	const policy: RetryPolicy = options.retryPolicy ?? defaultRetryPolicy;
	const retry: RetryPolicy = {
		...policy,
		byCode: { ...policy.byCode, [TAKEN_OVER_CODE]: { action: 'terminal' } },
	};

	const outcomes: RecipientOutcome[] = keep ? new Array<RecipientOutcome>(options.total) : [];
	/** Outcomes of rows waiting for a send result (when outcomes are not kept) */
	const pending = new Map<number, RecipientOutcome>();
	const counts = noCounts();
	let decided = 0;
	let stopped = false;
	const deferred = new Map<number, number>();
	/** Send Window: rows whose window opens within the wait bound → when */
	const opening = new Map<number, number>();
	const waitUntil = options.sendWindow ? startedAt + options.sendWindow.window.waitMs : startedAt;

	const put = (outcome: RecipientOutcome) => {
		if (keep) outcomes[outcome.index] = outcome;
		else if (outcome.status === 'pending') pending.set(outcome.index, outcome);
		else pending.delete(outcome.index);
	};
	const get = (index: number): RecipientOutcome | undefined =>
		keep ? outcomes[index] : pending.get(index);
	const decide = (outcome: RecipientOutcome, previous?: RecipientStatus) => {
		if (previous && previous !== 'pending') counts[previous]--;
		else decided++;
		counts[outcome.status as Outcome]++;
		put(outcome);
		options.onOutcome?.(outcome);
	};

	const skippedOutcome = (row: SkippedRecipient): RecipientOutcome => ({
		index: row.index,
		status: 'skipped',
		reason: row.reason,
		message: row.message,
		code: row.code,
		field: row.field,
		waId: row.waId,
		phone: row.waId ? undefined : row.phone,
		language: row.language,
		notBefore: row.notBefore,
		tags: row.tags,
		...zoneFields(row.zone, row.localTime),
		sendWindowOpensAt:
			row.sendWindowOpensAt !== undefined && row.zone
				? localIso(row.sendWindowOpensAt, row.zone.zone)
				: undefined,
	});

	async function* jobs(indexes: Iterable<number>): AsyncGenerator<Job<Payload>> {
		const chunks = preparedChunks({
			read: options.read,
			indexes,
			template: options.template,
			campaignId,
			businessNumberId,
			store,
			defaultCountry: options.defaultCountry,
			policy: options.policy,
			seen: new Map(),
			chunkSize: options.chunkSize,
			now,
			stopped: () => stopped,
			sendWindow: options.sendWindow,
			retryFailed: options.retryFailed,
		});
		for await (const chunk of chunks) {
			for (const row of chunk) {
				const previous = get(row.index)?.status;
				if (row.kind === 'skipped') {
					if (row.sendWindowOpensAt !== undefined && row.sendWindowOpensAt <= waitUntil)
						opening.set(row.index, row.sendWindowOpensAt);
					decide(skippedOutcome(row), previous);
					continue;
				}
				if (row.contact?.referralAt !== undefined) hooks.referralContacts.add(row.waId);
				const outcome: RecipientOutcome = {
					index: row.index,
					status: 'pending',
					waId: row.waId,
					language: row.template.language,
					tags: row.tags,
					...zoneFields(row.zone, row.localTime),
				};
				if (previous && previous !== 'pending') {
					counts[previous]--;
					decided--;
				}
				put(outcome);
				yield {
					key: row.waId,
					payload: { key: row.waId, body: row.payload, ...(row.media ? { media: row.media } : {}) },
					ref: row.index,
				};
			}
		}
	}

	// One uploader per run: a file shared by many recipients is uploaded once, each recipient's own file once.
	const uploader = api.uploadMedia
		? new MediaUploader(
				{ uploadMedia: api.uploadMedia.bind(api) },
				{ timeoutMs: requestTimeoutMs * 4 },
			)
		: undefined;
	/** Recipients whose last attempt failed at the upload: the reason to report if that is their final result */
	const uploadFailures = new Map<string, string>();

	let resending = false;
	const onResult = (result: JobResult) => {
		const index = result.ref as number;
		const outcome = get(index) ?? { index, status: 'pending' as RecipientStatus, waId: result.key };
		const next: RecipientOutcome = {
			...outcome,
			attempts: result.attempts,
			status: result.outcome,
			code: result.code,
			message: result.reason,
			details: result.details,
		};
		switch (result.outcome) {
			case 'sent':
				next.reason = undefined;
				next.message = undefined;
				next.wamid = result.wamid;
				next.messageStatus = result.messageStatus;
				break;
			case 'failed':
				if (result.code === TAKEN_OVER_CODE) {
					next.status = 'skipped';
					next.reason = skipReasons.takenOver;
					next.code = undefined;
					next.message =
						'Another execution took this recipient over before it was sent: it sends it';
				} else if (uploadFailures.has(result.key)) {
					next.reason = MEDIA_UPLOAD_FAILED;
					next.message = uploadFailures.get(result.key);
					next.field = 'header';
				} else {
					next.reason = 'failed';
					next.notBefore = result.notBefore;
				}
				break;
			case 'uncertain':
				next.reason = 'no_answer';
				if (guarantee === 'at-least-once') deferred.set(index, now() + quietPeriodMs);
				break;
			case 'paused':
				next.reason = 'paused';
				stopped = true;
				break;
			case 'skipped': {
				const refusal = hooks.refusals.get(result.key);
				hooks.refusals.delete(result.key);
				next.reason = refusal?.reason ?? skipReasons.inProgress;
				next.message = refusal?.message ?? result.reason;
				next.code = refusal?.code;
				if (refusal?.state === 'uncertain') {
					next.status = 'uncertain';
					if (refusal.resendAt !== undefined) deferred.set(index, refusal.resendAt);
				} else if (resending && refusal?.state === 'sent') {
					// Resend round: a status webhook confirmed the earlier request.
					next.status = 'sent';
					next.reason = 'settled_by_webhook';
					next.message = 'Sent: its status webhook confirmed the earlier request';
					next.wamid = refusal.wamid;
				} else if (resending && refusal?.state === 'failed') {
					next.status = 'failed';
				}
				break;
			}
		}
		decide(next, outcome.status);
	};

	/** Uploads the recipient's header files, paced and retried as the send itself (it runs inside the send's turn). */
	const uploadFor = async (payload: Payload): Promise<SendResult | undefined> => {
		if (!payload.media || payload.media.length === 0) return undefined;
		if (!uploader)
			return {
				ok: false,
				code: 131053,
				httpStatus: 400,
				details: 'This campaign cannot upload header files (no upload endpoint)',
			};
		for (const pending of payload.media) {
			const uploaded = await uploader.upload(pending.label, pending.mediaType, pending.file);
			if (!uploaded.ok) {
				const error = uploaded.error;
				if (error.name !== 'GraphApiError') {
					uploadFailures.set(payload.key, `Not sent: ${error.message}`);
					return { ok: false, code: 131053, httpStatus: 400, details: error.message };
				}
				const graph = error as GraphApiError;
				uploadFailures.set(
					payload.key,
					`Not sent: uploading ${pending.label} failed — WhatsApp error ${graph.code}: ${graph.message}${graph.details ? ` (${graph.details})` : ''}`,
				);
				// A lost answer to an upload sent no message: retry it like a send that never left.
				return graph.timedOut
					? { ok: false, details: graph.message }
					: toSendResult({ ok: false, error: graph });
			}
			attachMedia(pending, uploaded.id);
		}
		payload.media = undefined;
		uploadFailures.delete(payload.key);
		return undefined;
	};

	const send: SendFunction<Payload> = async (payload) => {
		const refused = await uploadFor(payload);
		if (refused) return refused;
		if (!(await hooks.markSending(payload.key)))
			return {
				ok: false,
				code: TAKEN_OVER_CODE,
				details: 'The claim was taken over by another execution',
			};
		return toSendResult(await api.send(payload.body, { timeoutMs: requestTimeoutMs + 1_000 }));
	};

	const shouldPause = async () => {
		try {
			const info = await api.getPhoneNumberInfo(['quality_rating']);
			const rating = String(info.quality_rating ?? '').toUpperCase();
			if (pausingQualityRatings.includes(rating)) {
				return `The number's quality rating is ${rating}: sending more would risk a restriction. Improve the template or audience, then run the campaign again`;
			}
		} catch {
			// A failed check is not a reason to stop spending correctly; the next check tries again.
		}
		return false;
	};

	const progressBase = () => ({
		campaignId,
		sent: counts.sent,
		notSent: decided - counts.sent,
		remaining: Math.max(0, options.total - decided),
	});
	const onProgress = options.onProgress
		? (progress: CampaignProgress) => {
				const base = progressBase();
				options.onProgress?.({
					...base,
					rate: progress.rate,
					achievedRate: progress.achievedRate,
					etaMs:
						progress.achievedRate > 0
							? Math.round((base.remaining * 1000) / progress.achievedRate)
							: undefined,
					inFlight: progress.inFlight,
					retrying: progress.retrying,
					elapsedMs: now() - startedAt,
				});
			}
		: undefined;

	const phase = (indexes: Iterable<number>) =>
		runCampaign<Payload>({
			jobs: jobs(indexes),
			send,
			limiter,
			hooks,
			policy: retry,
			concurrency: options.concurrency,
			requestTimeoutMs,
			// Claims are batched into one store transaction: more at once, fewer transactions.
			claimConcurrency: 64,
			total: options.total,
			onProgress,
			progressIntervalMs: options.progressIntervalMs ?? campaignDefaults.progressIntervalMs,
			shouldPause,
			pauseCheckIntervalMs:
				options.qualityCheckIntervalMs ?? campaignDefaults.qualityCheckIntervalMs,
			onResult,
			collectResults: false,
			signal: options.signal,
		});

	function* allIndexes(): Generator<number> {
		for (let i = 0; i < options.total; i++) yield i;
	}

	let report = await phase(allIndexes());
	let requests = report.summary.requests;
	let sendingMs = report.summary.durationMs;
	let stoppedBy: StopReason = report.summary.stoppedBy;
	let stopDetail = report.summary.stopDetail;

	// Send Window: wait for the windows that open within the bound, then send those recipients (earliest first).
	while (opening.size > 0 && stoppedBy === 'completed' && !options.signal?.aborted) {
		let next = Number.POSITIVE_INFINITY;
		for (const at of opening.values()) next = Math.min(next, at);
		options.onWindowWait?.({ untilMs: next, recipients: opening.size });
		await wait(next - now(), options.signal);
		if (options.signal?.aborted) break;
		const at = now();
		const due = [...opening]
			.filter(([, opensAt]) => opensAt <= at)
			.map(([index]) => index)
			.sort((a, b) => a - b);
		for (const index of due) opening.delete(index);
		if (due.length === 0) continue;
		report = await phase(due);
		requests += report.summary.requests;
		sendingMs += report.summary.durationMs;
		stoppedBy = report.summary.stoppedBy;
		stopDetail = report.summary.stopDetail;
	}

	// at-least-once: wait out the quiet period of what is still uncertain, then claim and send it again.
	let rounds = 0;
	const maxRounds = options.resendRounds ?? campaignDefaults.resendRounds;
	while (
		guarantee === 'at-least-once' &&
		stoppedBy === 'completed' &&
		deferred.size > 0 &&
		rounds < maxRounds &&
		!options.signal?.aborted
	) {
		rounds++;
		let wakeAt = 0;
		for (const at of deferred.values()) wakeAt = Math.max(wakeAt, at);
		await sleep(wakeAt - now(), options.signal);
		if (options.signal?.aborted) break;
		const indexes = [...deferred.keys()].sort((a, b) => a - b);
		deferred.clear();
		resending = true;
		report = await phase(indexes);
		requests += report.summary.requests;
		sendingMs += report.summary.durationMs;
		stoppedBy = report.summary.stoppedBy;
		stopDetail = report.summary.stopDetail;
	}

	// This run's uncertain recipients that a status webhook settled while we were sending.
	if (keep)
		await refreshUncertain(outcomes, store, campaignId, (outcome, previous) =>
			decide(outcome, previous),
		);

	// Rows never reached (a pause, an abort, a store failure): not sent, resumable.
	const why = stopDetail ?? 'the campaign stopped';
	if (keep) {
		for (let index = 0; index < options.total; index++) {
			const outcome = outcomes[index];
			if (outcome && outcome.status !== 'pending') continue;
			decide(
				{
					...(outcome ?? { index }),
					index,
					status: 'paused',
					reason: 'paused',
					message: `Not sent, resumable: run the campaign again to send it. Stopped because: ${why}`,
				},
				outcome?.status,
			);
		}
	} else {
		counts.paused += options.total - decided;
	}

	const byReason: Record<string, number> = {};
	const byCode: Record<string, number> = {};
	if (keep) {
		for (const outcome of outcomes) {
			if (outcome.status === 'sent') continue;
			if (outcome.reason) byReason[outcome.reason] = (byReason[outcome.reason] ?? 0) + 1;
			if (outcome.code !== undefined) byCode[outcome.code] = (byCode[outcome.code] ?? 0) + 1;
		}
	}
	const durationMs = now() - startedAt;
	return {
		outcomes,
		phoneInfo,
		summary: {
			campaignId,
			template: options.template.name,
			total: options.total,
			counts: { ...counts },
			byReason,
			byCode,
			requests,
			durationMs,
			sendingMs,
			achievedRate: sendingMs > 0 ? Math.round(((counts.sent * 1000) / sendingMs) * 100) / 100 : 0,
			rateCap,
			throughputLevel: phoneInfo?.throughput?.level,
			qualityRating: phoneInfo?.quality_rating,
			guarantee,
			resendRounds: rounds,
			stoppedBy,
			stopDetail,
			sendWindow:
				keep && options.sendWindow ? tallyWindow(options.sendWindow.window, outcomes) : undefined,
		},
	};
}

function zoneFields(
	zone: RecipientZone | undefined,
	localTime: string | undefined,
): Partial<RecipientOutcome> {
	if (!zone) return {};
	return {
		timeZone: zone.zone,
		timeZoneSource: zone.source,
		...(zone.note ? { timeZoneNote: zone.note } : {}),
		...(localTime ? { localTime } : {}),
	};
}

/** Sent now (every recipient the window let through) and left for later (outside_send_window), per zone. */
function tallyWindow(window: SendWindow, outcomes: RecipientOutcome[]): SendWindowTally {
	const counter = new SendWindowCounter(window);
	for (const outcome of outcomes) {
		if (!outcome?.timeZone) continue;
		if (outcome.reason === skipReasons.outsideSendWindow)
			counter.add(outcome.timeZone, Date.parse(outcome.sendWindowOpensAt as string));
		else if (outcome.status !== 'skipped') counter.add(outcome.timeZone, undefined);
	}
	return counter.result();
}

async function refreshUncertain(
	outcomes: RecipientOutcome[],
	store: ConversationStore,
	campaignId: string,
	decide: (outcome: RecipientOutcome, previous: RecipientStatus) => void,
): Promise<void> {
	// Only this run's own requests without an answer: a recipient refused because another run's request was
	// uncertain is that run's to report.
	const uncertain = outcomes.filter(
		(outcome) => outcome?.status === 'uncertain' && outcome.reason === 'no_answer' && outcome.waId,
	);
	for (let i = 0; i < uncertain.length; i += 500) {
		const part = uncertain.slice(i, i + 500);
		const records = await store.getRecipients(
			campaignId,
			part.map((outcome) => outcome.waId as string),
		);
		for (const outcome of part) {
			const record = records.get(outcome.waId as string);
			if (!record || (record.state !== 'sent' && record.state !== 'failed')) continue;
			decide(
				{
					...outcome,
					status: record.state,
					reason: record.state === 'sent' ? 'settled_by_webhook' : 'failed',
					message:
						record.state === 'sent'
							? 'Sent: its status webhook confirmed the request that had no answer'
							: (record.reason ?? 'Meta reported the message as failed'),
					code: record.state === 'failed' ? record.code : undefined,
					wamid: record.wamid,
				},
				'uncertain',
			);
		}
	}
}

/** A read that a 5xx or a lost answer should not fail at once: a few tries with backoff. */
export async function transientRetries<T>(
	call: () => Promise<T>,
	attempts = 4,
	baseMs = 250,
): Promise<T> {
	for (let attempt = 1; ; attempt++) {
		try {
			return await call();
		} catch (error) {
			const graph = error as Partial<GraphApiError>;
			const transient =
				graph.timedOut === true || graph.entry?.retry === 'retry' || (graph.httpStatus ?? 0) >= 500;
			if (!transient || attempt >= attempts) throw error;
			await sleep(baseMs * 2 ** (attempt - 1));
		}
	}
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	if (ms <= 0 || signal?.aborted) return Promise.resolve();
	return new Promise((resolve) => {
		const timer = setTimeout(done, ms);
		function done() {
			clearTimeout(timer);
			signal?.removeEventListener('abort', done);
			resolve();
		}
		signal?.addEventListener('abort', done, { once: true });
	});
}
