/**
 * Bulk Campaign core: the framework-free glue between the recipients (input rows), the template builder
 * (lib/templates), the conversation store (lib/store) and the delivery runner (lib/delivery). The n8n node
 * (nodes/BulkCampaign), the fault-test worker (scripts/campaign-worker.ts) and the benchmarks use it.
 *
 * Public API
 *
 * runBulkCampaign(options: BulkCampaignOptions): Promise<BulkCampaignReport>
 *   Reads the number's throughput (GET phone number: throughput.level STANDARD → 80, HIGH → 1000 msg/s) capped
 *   by `rateCap`; streams rows `read(i)` (i < total) in chunks through preparedChunks (validation, dedupe,
 *   store skips); claims, paces (LocalRateLimiter, or `limiter(cap)` e.g. a RedisRateLimiter keyed by the
 *   phone number ID), fences and sends through runCampaign; writes results to the store (group commit);
 *   pauses on 132015 / 132016 / 131048 and when the quality rating turns RED (checked every
 *   qualityCheckIntervalMs); `guarantee` 'at-most-once' (default: uncertain stays uncertain until a status
 *   webhook settles it) or 'at-least-once' (uncertain resent after quietPeriodMs, in up to resendRounds rounds).
 *   Returns { outcomes: RecipientOutcome[] by input index (status sent | failed | skipped | uncertain | paused,
 *   reason, message, code, field, waId, wamid, language, attempts, tags), summary: BulkCampaignSummary (counts,
 *   byReason, byCode, requests, durationMs, sendingMs, achievedRate, rateCap, stoppedBy, stopDetail...) }.
 *   Memory: one chunk of prepared payloads plus the runner's window; `keepOutcomes: false` + `onOutcome`
 *   streams outcomes instead of keeping one per row.
 * estimateCampaign(options: EstimateOptions): Promise<DryRunSummary>   the dry run (nothing claimed or sent):
 *   per row `onRow(DryRunRow)` (rendered text, validation, price category from the contact's windows, price),
 *   summary (cost by price category and country, outside-window count vs the messaging-limit tier).
 * funnelRows(summary), funnelChartSvg(summary, {width, height, title})   the Report operation.
 * formatProgress(progress) → one log line (sent, not sent, remaining, msg/s, ETA).
 * deriveCampaignId({ workflowId, nodeName, template, name }), checkCampaignId(id).
 * Recipients: preparedChunks(PipelineOptions), prepareRow, policySkip, normaliseTags; RecipientRow, RowReader,
 *   TemplateChoice, RecipientPolicy ({ sendToOptedOut, frequencyCap: { max, periodMs } }).
 * StoreDeliveryHooks (claims with stale-lease takeover, the pre-send fence, settles; see store-hooks.ts),
 *   GroupCommit, TAKEN_OVER_CODE, toSendResult(cloud answer).
 * Rate card: DEFAULT_RATE_CARD (Meta's rates effective 2025-07-01, USD: Argentina + "other"), parseRateCard,
 *   priceOf(card, country, category).
 * Recurring campaigns: period.ts (Campaign Period: periodKey day `2026-12-02` / ISO week `2026-W49` / month
 *   `2026-12` in a zone, resolvePeriod, periodCampaignId `<id>@<period>`, splitPeriodCampaignId, periodsEndingWith),
 *   period-report.ts (periodComparison: periods side by side), send-window.ts (parseSendWindow, resolveRecipientZone:
 *   item field → single-zone country (country-zones.ts) → workflow zone, windowState, SendWindowCounter);
 *   BulkCampaignOptions.sendWindow skips closed windows as outside_send_window (not claimed) and waits up to
 *   window.waitMs for openings.
 * Rules as data (rules.ts): throughputByLevel, messagingLimitByTier, pausingQualityRatings, usMarketingRule,
 *   campaignDefaults, skipReasons, resolveRateCap, throughputFor, messagingLimitFor.
 */
export * from './rules';
export * from './campaign-id';
export * from './rate-card';
export * from './recipients';
export * from './group-commit';
export * from './store-hooks';
export * from './run';
export * from './estimate';
export * from './report';
export * from './progress';
export * from './period';
export * from './period-report';
export * from './send-window';
export * from './country-zones';
