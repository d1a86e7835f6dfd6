/**
 * Lua scripts of the Redis backend. Each runs atomically inside Redis, so the read-modify-write rules of
 * merge-rules.ts (monotonic inbound times, opt changes, claims, status non-regression) hold with any number of
 * n8n processes. Keys are built inside the scripts from the prefix (ARGV[1]), so a standalone Redis (or a
 * Sentinel-managed primary) is required, not Redis Cluster.
 *
 * Every script: ARGV[1] = key prefix, ARGV[2] = now (epoch ms, the caller's clock); own arguments from ARGV[3].
 * Replies carry records as flat [field, value, ...] arrays; records.ts maps them like SQLite rows.
 *
 * Key layout (parts escaped: % → %25, : → %3A):
 *   {p}c:{business}:{contact}      hash   contact (same field names as the SQLite columns)
 *   {p}u:{business}:{user_id}      string alias: the contact key (wa_id) this user_id belongs to
 *   {p}r:{business}:{contact}:{q}  hash   recontact spent for query q
 *   {p}s:{event key}               string seen webhook event (PX TTL)
 *   {p}k:{campaign}:{recipient}    hash   campaign recipient
 *   {p}ki:{campaign}               zset   the campaign's recipient IDs (score 0, lexicographic order)
 *   {p}w:{wamid}                   string "campaign\nrecipient" of the message
 *   {p}m:{business}:{contact}      zset   marketing sends (member ref, score time)
 */

const PRELUDE = `
local P = ARGV[1]
local NOW = ARGV[2]
local function enc(s) return (string.gsub(string.gsub(s, '%%', '%%25'), ':', '%%3A')) end
local function blank(s) if s == nil or s == '' then return nil end return s end
local function load(key)
	local flat = redis.call('HGETALL', key)
	local t = {}
	for i = 1, #flat, 2 do t[flat[i]] = flat[i + 1] end
	return t
end
local function flat(t)
	local out = {}
	for k, v in pairs(t) do out[#out + 1] = k; out[#out + 1] = v end
	return out
end
local function save(key, t)
	redis.call('DEL', key)
	local args = flat(t)
	if #args > 0 then redis.call('HSET', key, unpack(args)) end
end
local function contactKey(business, id)
	local alias = redis.call('GET', P .. 'u:' .. enc(business) .. ':' .. enc(id))
	if alias then id = alias end
	return P .. 'c:' .. enc(business) .. ':' .. enc(id), id
end
local function newContact(business, id)
	return { business = business, contact = id, updated_at = NOW }
end
local function applyOpt(c, optedOut, at, reason, scope, detail)
	if c.opt_at then
		local cur = tonumber(c.opt_at)
		local atn = tonumber(at)
		if atn < cur or (atn == cur and c.opted_out == '1' and optedOut ~= '1') then return false end
	end
	c.opted_out = optedOut; c.opt_at = at; c.opt_reason = reason; c.opt_scope = scope; c.opt_detail = blank(detail)
	return true
end
local function recipientKey(campaign, recipient)
	return P .. 'k:' .. enc(campaign) .. ':' .. enc(recipient)
end
local function pointLastCampaign(r)
	if not r.business or r.state ~= 'sent' or not r.sent_at then return end
	local key, id = contactKey(r.business, r.contact)
	local c = load(key)
	if c.lc_sent_at and tonumber(c.lc_sent_at) > tonumber(r.sent_at) then return end
	if not c.business then c = newContact(r.business, id) end
	c.lc_campaign = r.campaign; c.lc_recipient = r.recipient; c.lc_sent_at = r.sent_at; c.updated_at = NOW
	save(key, c)
end
`;

/**
 * ARGV: business, waId, userId, at, messageId, channel, profileName, referral ('1' | ''), referralSource →
 * {advanced, contact}
 */
const INBOUND = `
local business, waId, userId, at = ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local messageId, channel, name, referral, source = ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11]
local atn = tonumber(at)
local key, id
if waId ~= '' then
	id = waId
	key = P .. 'c:' .. enc(business) .. ':' .. enc(waId)
	if userId ~= '' then
		local aliasKey = P .. 'u:' .. enc(business) .. ':' .. enc(userId)
		if redis.call('GET', aliasKey) ~= waId then
			redis.call('SET', aliasKey, waId)
			local oldKey = P .. 'c:' .. enc(business) .. ':' .. enc(userId)
			local old = load(oldKey)
			if userId ~= waId and old.business then
				local t = load(key)
				if not t.business then t = newContact(business, waId) end
				if old.last_inbound_at and (not t.last_inbound_at or tonumber(old.last_inbound_at) > tonumber(t.last_inbound_at)) then
					t.last_inbound_at = old.last_inbound_at; t.last_inbound_id = old.last_inbound_id; t.channel = old.channel
				end
				if old.profile_name and (not t.profile_name or (tonumber(old.profile_name_at) or 0) > (tonumber(t.profile_name_at) or 0)) then
					t.profile_name = old.profile_name; t.profile_name_at = old.profile_name_at
				end
				if old.referral_at and (not t.referral_at or tonumber(old.referral_at) > tonumber(t.referral_at)) then
					t.referral_at = old.referral_at; t.referral_source = old.referral_source; t.fep_reply_at = old.fep_reply_at
				end
				if old.opt_at then applyOpt(t, old.opted_out, old.opt_at, old.opt_reason, old.opt_scope, old.opt_detail) end
				if old.marketing_hold_until and (not t.marketing_hold_until or tonumber(old.marketing_hold_until) > tonumber(t.marketing_hold_until)) then
					t.marketing_hold_until = old.marketing_hold_until
				end
				if old.lc_campaign and (not t.lc_campaign or tonumber(old.lc_sent_at) > tonumber(t.lc_sent_at)) then
					t.lc_campaign = old.lc_campaign; t.lc_recipient = old.lc_recipient; t.lc_sent_at = old.lc_sent_at
				end
				t.user_id = t.user_id or old.user_id
				t.wa_id = waId
				t.updated_at = NOW
				save(key, t)
				redis.call('DEL', oldKey)
			end
		end
	end
else
	key, id = contactKey(business, userId)
end
local c = load(key)
if not c.business then c = newContact(business, id) end
local advanced = (not c.last_inbound_at) or atn > tonumber(c.last_inbound_at)
if advanced then
	c.last_inbound_at = at
	c.last_inbound_id = blank(messageId)
	c.channel = blank(channel) or c.channel or 'whatsapp'
end
if waId ~= '' then c.wa_id = waId end
if userId ~= '' then c.user_id = userId end
if name ~= '' and (not c.profile_name_at or atn >= tonumber(c.profile_name_at)) then
	c.profile_name = name; c.profile_name_at = at
end
if referral == '1' and (not c.referral_at or atn > tonumber(c.referral_at)) then
	c.referral_at = at; c.referral_source = blank(source); c.fep_reply_at = nil
end
c.updated_at = NOW
save(key, c)
if c.lc_campaign and atn > tonumber(c.lc_sent_at) then
	local rkey = recipientKey(c.lc_campaign, c.lc_recipient)
	if redis.call('EXISTS', rkey) == 1 then
		local replied = redis.call('HGET', rkey, 'replied_at')
		if not replied or tonumber(replied) > atn then redis.call('HSET', rkey, 'replied_at', at) end
	end
end
return { advanced and 1 or 0, flat(c) }
`;

/** ARGV: business, contactId, at → 1 when it became the first reply after the referral */
const BUSINESS_REPLY = `
local key = contactKey(ARGV[3], ARGV[4])
local at = ARGV[5]
local atn = tonumber(at)
local c = load(key)
if not c.business or not c.referral_at or atn < tonumber(c.referral_at) then return 0 end
if c.fep_reply_at and tonumber(c.fep_reply_at) <= atn then return 0 end
c.fep_reply_at = at; c.updated_at = NOW
save(key, c)
return 1
`;

/** ARGV: business, contactId, optedOut ('1' | '0'), at, reason, scope, detail → {applied, contact} */
const OPT = `
local key, id = contactKey(ARGV[3], ARGV[4])
local c = load(key)
local exists = c.business ~= nil
if not exists then c = newContact(ARGV[3], id) end
local applied = applyOpt(c, ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9])
if applied or not exists then c.updated_at = NOW; save(key, c) end
return { applied and 1 or 0, flat(c) }
`;

/** ARGV: business, contactId, until */
const HOLD = `
local key, id = contactKey(ARGV[3], ARGV[4])
local c = load(key)
local exists = c.business ~= nil
if not exists then c = newContact(ARGV[3], id) end
local applied = not c.marketing_hold_until or tonumber(c.marketing_hold_until) < tonumber(ARGV[5])
if applied then c.marketing_hold_until = ARGV[5] end
if applied or not exists then c.updated_at = NOW; save(key, c) end
return applied and 1 or 0
`;

/** ARGV: business, contactId, queryId, at, ref, token → {won, record} */
const CLAIM_RECONTACT = `
local key = P .. 'r:' .. enc(ARGV[3]) .. ':' .. enc(ARGV[4]) .. ':' .. enc(ARGV[5])
if redis.call('EXISTS', key) == 1 then return { 0, redis.call('HGETALL', key) } end
local r = { business = ARGV[3], contact = ARGV[4], query_id = ARGV[5], spent_at = ARGV[6], ref = blank(ARGV[7]), token = ARGV[8] }
save(key, r)
return { 1, flat(r) }
`;

/** ARGV: business, contactId, queryId, token → 1 when released */
const RELEASE_RECONTACT = `
local key = P .. 'r:' .. enc(ARGV[3]) .. ':' .. enc(ARGV[4]) .. ':' .. enc(ARGV[5])
if redis.call('HGET', key, 'token') == ARGV[6] then redis.call('DEL', key); return 1 end
return 0
`;

/**
 * ARGV: campaign, business, owner, at, reclaimable states as ",a,b,", claimedBefore ('' = none),
 * then recipientId, contactId pairs → {won, record, won, record, ...}
 */
const CLAIM_RECIPIENTS = `
local campaign, business, owner, at, states, before = ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local index = P .. 'ki:' .. enc(campaign)
local out = {}
for i = 9, #ARGV, 2 do
	local rid, contact = ARGV[i], ARGV[i + 1]
	local key = recipientKey(campaign, rid)
	local r = load(key)
	local won = 0
	if not r.state then
		r = { campaign = campaign, recipient = rid, contact = contact, state = 'claimed', attempts = '1', claimed_at = at, updated_at = at,
			business = blank(business), owner = blank(owner) }
		save(key, r)
		redis.call('ZADD', index, 0, rid)
		won = 1
	elseif string.find(states, ',' .. r.state .. ',', 1, true) or (r.state == 'claimed' and before ~= '' and tonumber(r.claimed_at) < tonumber(before)) then
		r.state = 'claimed'; r.attempts = tostring(tonumber(r.attempts) + 1); r.owner = blank(owner); r.claimed_at = at; r.updated_at = at
		if business ~= '' then r.business = business end
		save(key, r)
		won = 1
	end
	out[#out + 1] = won
	out[#out + 1] = flat(r)
end
return out
`;

/** ARGV: campaign, recipientId, state, at, wamid, code, reason, owner → {1, record} | {0} */
const RECORD_RESULT = `
local campaign, rid, state, at, wamid, code, reason, owner = ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10]
local key = recipientKey(campaign, rid)
local r = load(key)
if not r.state then return { 0 } end
if owner ~= '' and r.owner ~= owner then return { 0 } end
r.state = state; r.updated_at = at
if wamid ~= '' then
	r.wamid = wamid
	redis.call('SET', P .. 'w:' .. wamid, campaign .. '\\n' .. rid)
end
if code ~= '' then r.code = code end
if reason ~= '' then r.reason = reason end
if state == 'sent' and not r.sent_at then r.sent_at = at end
save(key, r)
pointLastCampaign(r)
return { 1, flat(r) }
`;

/** ARGV: wamid, status, at, campaign, recipientId, errorCode, errorTitle → {matched, advanced, settled, record} */
const RECORD_STATUS = `
local RANK = { sent = 10, failed = 15, delivered = 20, read = 30, played = 40 }
local wamid, status, at, campaign, rid, errorCode, errorTitle = ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9]
local atn = tonumber(at)
local key
if campaign ~= '' and rid ~= '' then
	key = recipientKey(campaign, rid)
	if redis.call('EXISTS', key) == 0 then key = nil end
end
if not key then
	local ref = redis.call('GET', P .. 'w:' .. wamid)
	if ref then
		local nl = string.find(ref, '\\n', 1, true)
		key = recipientKey(string.sub(ref, 1, nl - 1), string.sub(ref, nl + 1))
	end
end
if not key then return { 0, 0, 0 } end
local r = load(key)
if not r.state then return { 0, 0, 0 } end
local column = 'st_' .. status
if not r[column] or atn < tonumber(r[column]) then r[column] = at end
local advanced = (not r.status) or RANK[status] > RANK[r.status]
if advanced then
	r.status = status
	if status == 'failed' then r.status_code = blank(errorCode) end
end
if not r.wamid then r.wamid = wamid end
local settled = false
if r.state == 'uncertain' or r.state == 'claimed' then
	settled = true
	r.wamid = wamid
	if status == 'failed' then
		r.state = 'failed'; r.code = blank(errorCode); r.reason = blank(errorTitle) or 'Meta reported the message as failed'
	else
		r.state = 'sent'; r.sent_at = r.sent_at or at
	end
end
if tonumber(NOW) > tonumber(r.updated_at) then r.updated_at = NOW end
save(key, r)
redis.call('SET', P .. 'w:' .. wamid, r.campaign .. '\\n' .. r.recipient)
if settled then pointLastCampaign(r) end
return { 1, advanced and 1 or 0, settled and 1 or 0, flat(r) }
`;

/** ARGV: campaign, then recipient IDs (one chunk of the index; the caller loops) → number removed */
const DELETE_RECIPIENTS = `
local campaign = ARGV[3]
local index = P .. 'ki:' .. enc(campaign)
local removed = 0
for i = 4, #ARGV do
	local rid = ARGV[i]
	local key = recipientKey(campaign, rid)
	local wamid = redis.call('HGET', key, 'wamid')
	if wamid and redis.call('GET', P .. 'w:' .. wamid) == campaign .. '\\n' .. rid then redis.call('DEL', P .. 'w:' .. wamid) end
	removed = removed + redis.call('DEL', key)
	redis.call('ZREM', index, rid)
end
return removed
`;

export const SCRIPTS = {
	waInbound: INBOUND,
	waBusinessReply: BUSINESS_REPLY,
	waOpt: OPT,
	waHold: HOLD,
	waClaimRecontact: CLAIM_RECONTACT,
	waReleaseRecontact: RELEASE_RECONTACT,
	waClaimRecipients: CLAIM_RECIPIENTS,
	waRecordResult: RECORD_RESULT,
	waRecordStatus: RECORD_STATUS,
	waDeleteRecipients: DELETE_RECIPIENTS,
} as const;

export type ScriptName = keyof typeof SCRIPTS;

/** A script's Lua source, with the shared prelude. */
export function scriptSource(name: ScriptName): string {
	return PRELUDE + SCRIPTS[name];
}
