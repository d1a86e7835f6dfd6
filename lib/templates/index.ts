/**
 * Template core: a WhatsApp template definition (Meta's shape, lib/cloud-api/types.ts `MessageTemplate`)
 * plus values → the Graph API JSON of docs/meta-cloud-api.md §1, validated before any paid call.
 * Framework-free: used by the Send HSM Template node, the Bulk Campaign node (dry run and send) and the sandbox tests.
 *
 * Public API
 *
 * - `describeSlots(template): TemplateSlot[]` — the values a template really takes, in send order. Slot ids:
 *     `header` (header text variable, or header image / video / document), `header.filename` (document, optional),
 *     `header.latitude` `header.longitude` `header.name` `header.address` (location header),
 *     `body.1` … (positional) or `body.first_name` … (NAMED templates),
 *     `button.N.payload` (quick reply, optional: without it no component is sent and the webhook carries the button text),
 *     `button.N.url` (URL buttons whose url has {{1}}: the suffix), `button.N.coupon_code` (copy code),
 *     `button.N.code` (authentication copy-code / one-tap button, defaults to `body.1`),
 *     `button.N.flow_token` / `button.N.flow_action_data` (flow; the component is always sent, token default "unused"),
 *     `button.N.catalog` (catalog thumbnail, optional). N is the button's index in the template.
 *   `inspectTemplate(template): TemplateShape` — the same plus parameter format, body-only flag and definition problems.
 * - `toResourceMapperFields(slots): ResourceMapperField[]` — n8n resource-mapper fields, ids = slot ids.
 * - `buildTemplateMessage({ template, to, values, callbackData?, defaultCountry? })`
 *     → `{ ok: true, payload, renderedText, rendered, recipient } | { ok: false, errors: [{ field, message }] }`.
 *   `values` is keyed by slot id; undefined / null / "" mean "not given". Value kinds:
 *     text slots: string, number or boolean (written as text);
 *     body slots also: currency `{ fallback_value, code, amount_1000 }` (build one with `currency('USD', 12.5)`),
 *       date_time `{ fallback_value }`, or Meta's own `{ type: 'currency' | 'date_time' | 'text', ... }` objects;
 *       a string like "USD 12.50" stays text (no guessing);
 *     media: https link, media ID (digits), or `{ link }` / `{ id }`; with `binary` (a BinaryResolver the node gives)
 *       also the name of a binary property of the item or n8n's binary object: checked against lib/media's rules and
 *       returned as `media: PendingMedia[]` — the payload's media object gets its `id` from attachMedia() after the
 *       upload (a payload with pending media must not be sent); coordinates: number or numeric string;
 *     flow data: object or JSON object string.
 *   Checks: template APPROVED and fillable, phone valid (E.164 via libphonenumber-js, `defaultCountry`), every required
 *   value present, no extra values (named vs positional mix-ups explained), kinds, newline / tab / >4 spaces, lengths
 *   (header 60, body 1024 or 32768 body-only, rendered header and body → 132005), https media links, coordinates,
 *   coupon codes, URL suffixes, callback data ≤ 512.
 * - `renderedToText(rendered)` — header, body and footer with values, blank-line separated (= `renderedText`).
 * - `pickTemplateLanguage(templatesWithSameName, requestedLocale, fallbackLanguage)`
 *     → `{ ok: true, template, language, match: 'exact' | 'base' | 'default' | 'fallback' } | { ok: false, error, approvedLanguages }`;
 *   `normaliseLocale('pt-BR')` → `pt_BR`.
 * - `buildTextMessage(to, text, { defaultCountry?, callbackData?, previewUrl? })` — free-form text (smart mode), usually
 *   with a template build's `renderedText`.
 * - `priceCategory(template, { windowOpen, freeEntryPoint, recipientCountry?, businessCountry?,
 *   authenticationInternationalEligible? }, rules?)` → 'marketing' | 'utility' | 'authentication' |
 *   'authentication_international' | 'free'.
 * - `templateRules`, `pricingRules`, `buttonSubTypes`, `statusAdvice` — the WhatsApp rules as data (rules.ts).
 */

export * from './rules';
export * from './slots';
export * from './values';
export * from './build';
export * from './language';
export * from './text-message';
export * from './pricing';
export * from './resource-mapper';
