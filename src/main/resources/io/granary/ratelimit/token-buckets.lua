-- One request against the tenant's token bucket (KEYS[1]) and, when given, the caller's
-- (KEYS[2]), atomically. ARGV: tenant rate, tenant capacity, caller rate, caller capacity
-- (rates in tokens per second). A bucket is a hash {tokens, ts}: its level at ts, in
-- microseconds of Redis time. An absent bucket is a full one.
--
-- Returns 0 when a token was taken from each bucket; otherwise nothing is written and the
-- answer is the wait in microseconds until the refusing bucket holds a token: positive when
-- the caller's bucket refused, negative when the tenant's did. A caller refused by its tenant
-- thus keeps its token, and the tenant is not charged for a caller refused by its own limit.

-- Before Redis 5 a script that reads TIME may only write if it replicates effects.
if redis.replicate_commands then
  redis.replicate_commands()
end

-- Redis's clock, not the nodes': every node's requests are measured on the same one.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])

local function level(key, rate, capacity)
  local state = redis.call('HMGET', key, 'tokens', 'ts')
  local tokens, ts = tonumber(state[1]), tonumber(state[2])
  if tokens == nil or ts == nil then
    return capacity
  end
  local elapsed = math.max(0, now - ts)
  return math.min(capacity, tokens + elapsed * rate / 1000000)
end

local function wait(tokens, rate)
  return math.max(1, math.ceil((1 - tokens) / rate * 1000000))
end

local function store(key, tokens, rate, capacity)
  -- Explicit formats: Lua turns numbers into strings with 14 significant digits, too few for a
  -- microsecond timestamp, and a rounded token count would stop a slow bucket from refilling.
  redis.call('HSET', key, 'tokens', string.format('%.17g', tokens), 'ts', string.format('%d', now))
  -- Once refilled to capacity, an absent bucket reads the same as this one: let it expire then
  -- (plus a second), so idle callers and tenants leave nothing behind.
  redis.call('PEXPIRE', key, string.format('%d', math.ceil((capacity - tokens) / rate * 1000) + 1000))
end

local tenantRate, tenantCapacity = tonumber(ARGV[1]), tonumber(ARGV[2])
local callerRate, callerCapacity, callerTokens
if KEYS[2] then
  callerRate, callerCapacity = tonumber(ARGV[3]), tonumber(ARGV[4])
  callerTokens = level(KEYS[2], callerRate, callerCapacity)
  if callerTokens < 1 then
    return wait(callerTokens, callerRate)
  end
end
local tenantTokens = level(KEYS[1], tenantRate, tenantCapacity)
if tenantTokens < 1 then
  return -wait(tenantTokens, tenantRate)
end
store(KEYS[1], tenantTokens - 1, tenantRate, tenantCapacity)
if KEYS[2] then
  store(KEYS[2], callerTokens - 1, callerRate, callerCapacity)
end
return 0
