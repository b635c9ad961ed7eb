//! What the hosts of a fleet share: each org's rate-limit windows, the service apps'
//! tokens with one mint at a time across hosts, and the DPoP mode an app turned out to
//! need. [`SharedState::InProcess`] (the default) keeps them in the host;
//! [`SharedState::Redis`] keeps them in Redis (7 or later, or Valkey), so hosts on many
//! machines spend one budget per org and mint one token per app.
//!
//! In Redis:
//! - `{prefix}{org}:w:{method} {template}`: a window as Okta last reported it (`limit`,
//!   `remaining`, `reset`, and `guessed` while a window is assumed to have reset before
//!   Okta said so); `…:t` beside it, the requests in flight, each with the time its call
//!   ends, so a host that dies gives its places back at its calls' deadlines. One Lua
//!   script admits a request, another settles it when the answer comes: atomic across
//!   hosts.
//! - `{prefix}token:{digest}`: a token, sealed with AES-256-GCM under a key derived from
//!   the seal key the engine gives (the key's name is the ciphertext's associated data,
//!   so a sealed token read under another name does not open); `…:lock`, the mint's lock,
//!   with an expiry; `{prefix}refresh:{digest}`: the refresh token a web app redeems next,
//!   sealed alike; `{prefix}dpop:{digest}`: the app needs DPoP. The digest is an
//!   HMAC-SHA-256 of the org and the whole credential under a second derived key: no
//!   credential and no token is stored in the clear, and a host without the seal key can
//!   read nothing.
//! - Without a seal key, Redis holds the windows only; each host keeps its own tokens.
//!
//! Redis unreachable or slow (each command waits at most [`RedisState::timeout`], never
//! past its call's deadline): the host goes on with what it keeps itself — the windows it
//! has seen, its own tokens — and counts each miss in `okta_shared_state_errors_total`
//! (by operation).

use crate::engine::tenant::{Tenant, TenantKey};
use crate::wit::types::AccessToken;
use redis::Script;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::hkdf;
use ring::rand::{SecureRandom as _, SystemRandom};
use std::fmt;
use std::future::Future;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Where the hosts keep what they share.
#[derive(Clone, Debug, Default)]
pub enum SharedState {
    /// Each host keeps its own: the default.
    #[default]
    InProcess,
    /// Every host with the same Redis and prefix shares.
    Redis(RedisState),
}

/// A Redis every host of a fleet reaches.
#[derive(Clone)]
pub struct RedisState {
    /// `redis://[:password@]host:port[/db]` (a `username:password` pair for an ACL user).
    pub url: String,
    /// Put before every key, so fleets can share one Redis: `okta:` by default.
    pub prefix: String,
    /// The secret tokens are sealed with; `None`: tokens are not stored in Redis.
    pub seal_key: Option<SealKey>,
    /// The longest one Redis command may take before the host goes on without it.
    pub timeout: Duration,
}

impl RedisState {
    /// Redis at `url`, the default prefix and timeout, no seal key.
    pub fn new(url: impl Into<String>) -> Self {
        RedisState {
            url: url.into(),
            prefix: "okta:".into(),
            seal_key: None,
            timeout: Duration::from_millis(250),
        }
    }
}

impl fmt::Debug for RedisState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisState")
            .field("url", &redacted(&self.url))
            .field("prefix", &self.prefix)
            .field("seal_key", &self.seal_key)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// A URL without its password: `redis://user:<redacted>@host`.
fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "<redacted>".into();
    };
    match rest.rsplit_once('@') {
        Some((_, host)) => format!("{scheme}://<redacted>@{host}"),
        None => url.to_string(),
    }
}

/// The secret every host of a fleet seals tokens with: at least 32 bytes, from which the
/// sealing key and the key that names tenants are derived (HKDF-SHA-256).
#[derive(Clone)]
pub struct SealKey {
    seal: [u8; 32],
    name: [u8; 32],
}

impl fmt::Debug for SealKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SealKey(<secret>)")
    }
}

/// The length of a derived key, for `ring`'s HKDF.
struct KeyLen;

impl hkdf::KeyType for KeyLen {
    fn len(&self) -> usize {
        32
    }
}

impl SealKey {
    /// The key derived from `secret` (at least 32 bytes: say, 64 hex digits from
    /// `openssl rand -hex 32`).
    pub fn new(secret: &[u8]) -> anyhow::Result<Self> {
        anyhow::ensure!(
            secret.len() >= 32,
            "a seal key is at least 32 bytes; this one has {}",
            secret.len()
        );
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, b"okta-nodes shared state").extract(secret);
        let derive = |info: &[u8]| -> anyhow::Result<[u8; 32]> {
            let mut out = [0; 32];
            let infos = [info];
            prk.expand(&infos, KeyLen)
                .and_then(|okm| okm.fill(&mut out))
                .map_err(|_| anyhow::anyhow!("deriving the seal key failed"))?;
            Ok(out)
        };
        Ok(SealKey {
            seal: derive(b"seal")?,
            name: derive(b"name")?,
        })
    }

    fn sealer(&self) -> anyhow::Result<LessSafeKey> {
        let key = UnboundKey::new(&aead::AES_256_GCM, &self.seal)
            .map_err(|_| anyhow::anyhow!("the seal key is not an AES-256 key"))?;
        Ok(LessSafeKey::new(key))
    }
}

/// What the host asks of a window: go, or wait for its reset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Admission {
    /// Go: the request holds a place until it is settled.
    Go,
    /// Wait: nothing left beyond the headroom until `reset` (seconds since the epoch).
    Full { reset: u64, limit: u64 },
}

/// Okta's report of a window, from an answer's `X-Rate-Limit-*` headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Report {
    pub limit: u64,
    pub remaining: u64,
    pub reset: u64,
}

/// Lets a request go when its window has more left than the headroom keeps (requests in
/// flight count as spent), and holds its place until `lapse`. A window Okta has not
/// reported — none yet, or one whose reset time passed (`guessed` until Okta reports the
/// new one) — is probed by one request at a time.
const ADMIT: &str = r"
local now = tonumber(ARGV[1])
local secs = math.floor(now / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local in_flight = redis.call('ZCARD', KEYS[2])
local w = redis.call('HMGET', KEYS[1], 'limit', 'remaining', 'reset', 'guessed')
local limit, remaining, reset = tonumber(w[1] or '0'), tonumber(w[2] or '0'), tonumber(w[3] or '0')
local guessed = (not w[1]) or w[4] == '1'
if w[1] and secs >= reset then
  remaining = limit
  reset = secs + 60
  guessed = true
  redis.call('HSET', KEYS[1], 'remaining', remaining, 'reset', reset, 'guessed', 1)
end
local go
if guessed then
  go = in_flight == 0
  reset = secs
else
  go = remaining - in_flight > math.ceil(limit * tonumber(ARGV[2]))
end
if not go then return {0, reset, limit} end
local lapse = tonumber(ARGV[4])
redis.call('ZADD', KEYS[2], lapse, ARGV[3])
if redis.call('PEXPIRETIME', KEYS[2]) < lapse then
  redis.call('PEXPIREAT', KEYS[2], lapse)
end
return {1, 0, 0}
";

/// Gives a request's place back and, with Okta's report, corrects the window: a later
/// window replaces it, the same window keeps the lower `remaining`, an earlier one is old
/// news.
const SETTLE: &str = r"
redis.call('ZREM', KEYS[2], ARGV[1])
if ARGV[2] == nil then return 0 end
local limit, remaining, reset = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local w = redis.call('HMGET', KEYS[1], 'remaining', 'reset', 'guessed')
local known = tonumber(w[2] or '0')
if w[3] == '1' or reset > known then
  redis.call('HSET', KEYS[1], 'limit', limit, 'remaining', remaining, 'reset', reset, 'guessed', 0)
elseif reset == known then
  redis.call('HSET', KEYS[1], 'limit', limit, 'remaining', math.min(tonumber(w[1]), remaining))
end
redis.call('PEXPIREAT', KEYS[1], (math.max(reset, known) + 60) * 1000)
return 1
";

/// Deletes `KEYS[1]` if its value (a lock's holder), or its `id` field (a token's
/// fingerprint), is still `ARGV[1]`.
const DELETE_IF: &str = r"
local held
if redis.call('TYPE', KEYS[1]).ok == 'hash' then
  held = redis.call('HGET', KEYS[1], 'id')
else
  held = redis.call('GET', KEYS[1])
end
if held == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
";

/// The host's side of a [`SharedState::Redis`]: one multiplexed connection that
/// reconnects by itself, the scripts, the sealing key.
pub(crate) struct Fleet {
    client: redis::Client,
    config: ConnectionManagerConfig,
    /// Made on first use, inside the runtime the calls run on (the connection keeps a
    /// task there); the host itself may be made outside any runtime.
    redis: OnceLock<Option<ConnectionManager>>,
    prefix: String,
    timeout: Duration,
    secrets: Option<(LessSafeKey, TenantKey)>,
    admit: Script,
    settle: Script,
    delete_if: Script,
    /// This host, among the holders of locks and places.
    host: u64,
    next: AtomicU64,
    random: SystemRandom,
}

impl fmt::Debug for Fleet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fleet")
            .field("prefix", &self.prefix)
            .finish()
    }
}

fn unix_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

impl Fleet {
    /// The fleet's Redis, connected on first use (a host starts while Redis is down).
    pub(crate) fn connect(state: &RedisState) -> anyhow::Result<Self> {
        anyhow::ensure!(
            !state.url.starts_with("rediss://"),
            "Redis over TLS (rediss://) is not built in: reach Redis on a private network, or \
             through a TLS tunnel (stunnel, a sidecar proxy) as redis://"
        );
        let client = redis::Client::open(state.url.as_str())
            .map_err(|_| anyhow::anyhow!("the Redis URL {} is not one", redacted(&state.url)))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(state.timeout))
            .set_response_timeout(Some(state.timeout))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_secs(1));
        let secrets = match &state.seal_key {
            Some(key) => Some((key.sealer()?, TenantKey::from_bytes(&key.name))),
            None => None,
        };
        let random = SystemRandom::new();
        let mut host = [0; 8];
        random
            .fill(&mut host)
            .map_err(|_| anyhow::anyhow!("the system's random source failed"))?;
        Ok(Fleet {
            client,
            config,
            redis: OnceLock::new(),
            prefix: state.prefix.clone(),
            timeout: state.timeout,
            secrets,
            admit: Script::new(ADMIT),
            settle: Script::new(SETTLE),
            delete_if: Script::new(DELETE_IF),
            host: u64::from_be_bytes(host),
            next: AtomicU64::new(0),
            random,
        })
    }

    /// The connection, which reconnects by itself; `None` if it could not be set up
    /// (counted against `op`).
    fn redis(&self, op: &'static str) -> Option<ConnectionManager> {
        let redis = self
            .redis
            .get_or_init(|| {
                ConnectionManager::new_lazy_with_config(self.client.clone(), self.config.clone())
                    .ok()
            })
            .clone();
        if redis.is_none() {
            metrics::counter!("okta_shared_state_errors_total", "op" => op).increment(1);
        }
        redis
    }

    /// Runs one Redis operation within the fleet's timeout and `left`; `None` when Redis
    /// failed or was too slow (counted in `okta_shared_state_errors_total`).
    async fn run<T>(
        &self,
        op: &'static str,
        left: Option<Duration>,
        command: impl Future<Output = redis::RedisResult<T>>,
    ) -> Option<T> {
        let wait = left.map_or(self.timeout, |left| left.min(self.timeout));
        match tokio::time::timeout(wait, command).await {
            Ok(Ok(value)) => Some(value),
            Ok(Err(_)) | Err(_) => {
                metrics::counter!("okta_shared_state_errors_total", "op" => op).increment(1);
                None
            }
        }
    }

    /// A name for a lock's holder or a place in a window, unique across the fleet.
    pub(crate) fn holder(&self) -> String {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        format!("{:016x}.{n}", self.host)
    }

    fn window_keys(&self, org: &str, method: &str, route: &str) -> [String; 2] {
        let window = format!("{}{{{org}}}:w:{method} {route}", self.prefix);
        let places = format!("{window}:t");
        [window, places]
    }

    /// Asks the org's window in Redis for a place that lapses at `lapse` (Unix ms).
    pub(crate) async fn admit(
        &self,
        (org, method, route): (&str, &str, &str),
        headroom: f64,
        holder: &str,
        lapse: u64,
        left: Option<Duration>,
    ) -> Option<Admission> {
        let [window, places] = self.window_keys(org, method, route);
        let mut invocation = self.admit.prepare_invoke();
        invocation
            .key(window)
            .key(places)
            .arg(unix_millis())
            .arg(headroom)
            .arg(holder)
            .arg(lapse);
        let mut redis = self.redis("admit")?;
        // {1, 0, 0} or {0, reset, limit}.
        let (go, reset, limit): (u8, u64, u64) = self
            .run("admit", left, invocation.invoke_async(&mut redis))
            .await?;
        Some(match go {
            1 => Admission::Go,
            _ => Admission::Full { reset, limit },
        })
    }

    /// Gives `holder`'s place back and corrects the window by Okta's `report`.
    pub(crate) async fn settle(
        &self,
        (org, method, route): (&str, &str, &str),
        holder: &str,
        report: Option<Report>,
    ) {
        let [window, places] = self.window_keys(org, method, route);
        let mut invocation = self.settle.prepare_invoke();
        invocation.key(window).key(places).arg(holder);
        if let Some(report) = report {
            invocation
                .arg(report.limit)
                .arg(report.remaining)
                .arg(report.reset);
        }
        let Some(mut redis) = self.redis("settle") else {
            return;
        };
        let _: Option<u8> = self
            .run("settle", None, invocation.invoke_async(&mut redis))
            .await;
    }

    /// The tenant a token is kept for, named alike on every host with the seal key; `None`
    /// without one (tokens are then not shared).
    pub(crate) fn tenant<'a>(&self, parts: impl IntoIterator<Item = &'a [u8]>) -> Option<Tenant> {
        self.secrets.as_ref().map(|(_, names)| names.tenant(parts))
    }

    fn token_key(&self, tenant: &Tenant) -> String {
        format!("{}token:{}", self.prefix, tenant.hex())
    }

    /// What `command` (a read of `key`) found, opened under `key`'s name: `Some(None)`
    /// when there is nothing (or it does not open under this fleet's key), `None` when
    /// tokens are not shared or Redis could not be asked.
    async fn opened(
        &self,
        op: &'static str,
        key: &str,
        command: redis::Cmd,
        left: Option<Duration>,
    ) -> Option<Option<Vec<u8>>> {
        let (sealer, _) = self.secrets.as_ref()?;
        let mut redis = self.redis(op)?;
        let sealed: Option<Vec<u8>> = self.run(op, left, command.query_async(&mut redis)).await?;
        Some(sealed.and_then(|sealed| open(sealer, key, sealed)))
    }

    /// The token kept for `tenant`: `Some(None)` when there is none (or it does not open
    /// under this fleet's key), `None` when Redis could not be asked.
    pub(crate) async fn token(
        &self,
        tenant: &Tenant,
        left: Option<Duration>,
    ) -> Option<Option<AccessToken>> {
        let key = self.token_key(tenant);
        let mut read = redis::cmd("HGET");
        read.arg(&key).arg("sealed");
        let plain = self.opened("token", &key, read, left).await?;
        Some(plain.and_then(|plain| crate::connection::token_from_json(&plain)))
    }

    /// What names a token without showing it: its digest under the fleet's naming key.
    fn fingerprint(&self, token: &str) -> Option<String> {
        let (_, names) = self.secrets.as_ref()?;
        Some(names.tenant([token.as_bytes()]).hex())
    }

    /// Keeps `token` for `tenant` until `until` (Unix seconds).
    pub(crate) async fn keep(&self, tenant: &Tenant, token: &AccessToken, until: u64) {
        let (Some((sealer, _)), Some(fingerprint)) =
            (&self.secrets, self.fingerprint(&token.token))
        else {
            return;
        };
        let key = self.token_key(tenant);
        let plain = crate::connection::token_json(token).to_string();
        let Some(sealed) = seal(sealer, &self.random, &key, plain.as_bytes()) else {
            return;
        };
        let Some(mut redis) = self.redis("keep") else {
            return;
        };
        let mut pipe = redis::pipe();
        pipe.atomic()
            .cmd("DEL")
            .arg(&key)
            .ignore()
            .cmd("HSET")
            .arg(&key)
            .arg("sealed")
            .arg(sealed)
            .arg("id")
            .arg(fingerprint)
            .ignore()
            .cmd("EXPIREAT")
            .arg(&key)
            .arg(until)
            .ignore();
        let _: Option<()> = self.run("keep", None, pipe.query_async(&mut redis)).await;
    }

    /// Deletes `tenant`'s token if it is still `token` (Okta refused it).
    pub(crate) async fn forget(&self, tenant: &Tenant, token: &str) {
        if let Some(fingerprint) = self.fingerprint(token) {
            self.delete_if(&self.token_key(tenant), &fingerprint).await;
        }
    }

    /// Deletes `key` if it is still `id`'s: a lock `id` holds, a token whose fingerprint
    /// is `id`.
    async fn delete_if(&self, key: &str, id: &str) {
        let mut invocation = self.delete_if.prepare_invoke();
        invocation.key(key).arg(id);
        let Some(mut redis) = self.redis("delete") else {
            return;
        };
        let _: Option<u8> = self
            .run("delete", None, invocation.invoke_async(&mut redis))
            .await;
    }

    /// Takes `tenant`'s mint lock for `holder` until `ttl` passes: `Some(false)` while
    /// another host holds it, `None` when Redis could not be asked.
    pub(crate) async fn lock(
        &self,
        tenant: &Tenant,
        holder: &str,
        ttl: Duration,
        left: Option<Duration>,
    ) -> Option<bool> {
        let key = format!("{}:lock", self.token_key(tenant));
        let mut redis = self.redis("lock")?;
        let set: Option<String> = self
            .run(
                "lock",
                left,
                redis::cmd("SET")
                    .arg(&key)
                    .arg(holder)
                    .arg("NX")
                    .arg("PX")
                    .arg(ttl.as_millis().max(1) as u64)
                    .query_async(&mut redis),
            )
            .await?;
        Some(set.is_some())
    }

    /// Gives `tenant`'s mint lock back, if `holder` still holds it.
    pub(crate) async fn unlock(&self, tenant: &Tenant, holder: &str) {
        let key = format!("{}:lock", self.token_key(tenant));
        self.delete_if(&key, holder).await;
    }

    fn refresh_key(&self, tenant: &Tenant) -> String {
        format!("{}refresh:{}", self.prefix, tenant.hex())
    }

    /// The refresh token a web app's last redemption gave, as any host kept it:
    /// `Some(None)` when there is none, `None` when Redis could not be asked.
    pub(crate) async fn refresh(
        &self,
        tenant: &Tenant,
        left: Option<Duration>,
    ) -> Option<Option<String>> {
        let key = self.refresh_key(tenant);
        let mut read = redis::cmd("GET");
        read.arg(&key);
        let plain = self.opened("refresh", &key, read, left).await?;
        Some(plain.and_then(|plain| String::from_utf8(plain).ok()))
    }

    /// Keeps the refresh token a web app's redemption gave, sealed, for 90 days (Okta's
    /// default refresh token lifetime is unlimited; a grant idle that long is re-authorized).
    pub(crate) async fn keep_refresh(&self, tenant: &Tenant, refresh: &str) {
        let Some((sealer, _)) = &self.secrets else {
            return;
        };
        let key = self.refresh_key(tenant);
        let Some(sealed) = seal(sealer, &self.random, &key, refresh.as_bytes()) else {
            return;
        };
        let Some(mut redis) = self.redis("keep") else {
            return;
        };
        let _: Option<()> = self
            .run(
                "keep",
                None,
                redis::cmd("SET")
                    .arg(&key)
                    .arg(sealed)
                    .arg("EX")
                    .arg(90 * 86_400)
                    .query_async(&mut redis),
            )
            .await;
    }

    /// Whether any host found that `tenant`'s app needs DPoP (`None`: Redis not asked).
    pub(crate) async fn needs_dpop(&self, tenant: &Tenant, left: Option<Duration>) -> Option<bool> {
        let key = format!("{}dpop:{}", self.prefix, tenant.hex());
        let mut redis = self.redis("dpop")?;
        self.run(
            "dpop",
            left,
            redis::cmd("EXISTS").arg(key).query_async(&mut redis),
        )
        .await
    }

    /// Records that `tenant`'s app needs DPoP, for a day.
    pub(crate) async fn mark_dpop(&self, tenant: &Tenant) {
        let key = format!("{}dpop:{}", self.prefix, tenant.hex());
        let Some(mut redis) = self.redis("dpop") else {
            return;
        };
        let _: Option<()> = self
            .run(
                "dpop",
                None,
                redis::cmd("SET")
                    .arg(key)
                    .arg(1)
                    .arg("EX")
                    .arg(86_400)
                    .query_async(&mut redis),
            )
            .await;
    }
}

/// `plain` sealed under `name`: a random 96-bit nonce, then the ciphertext and tag.
fn seal(sealer: &LessSafeKey, random: &SystemRandom, name: &str, plain: &[u8]) -> Option<Vec<u8>> {
    let mut nonce = [0; aead::NONCE_LEN];
    random.fill(&mut nonce).ok()?;
    let mut sealed = plain.to_vec();
    sealer
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(name.as_bytes()),
            &mut sealed,
        )
        .ok()?;
    let mut out = nonce.to_vec();
    out.append(&mut sealed);
    Some(out)
}

/// What [`seal`] sealed under `name`; `None` when it does not open.
fn open(sealer: &LessSafeKey, name: &str, mut sealed: Vec<u8>) -> Option<Vec<u8>> {
    if sealed.len() < aead::NONCE_LEN {
        return None;
    }
    let mut body = sealed.split_off(aead::NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(&sealed).ok()?;
    let plain = sealer
        .open_in_place(nonce, Aad::from(name.as_bytes()), &mut body)
        .ok()?;
    Some(plain.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wit::types::TokenType;

    #[test]
    fn a_sealed_token_opens_only_under_its_name_and_key() {
        let key = SealKey::new(&[7; 32]).unwrap();
        let sealer = key.sealer().unwrap();
        let token = AccessToken {
            token: "SENTINEL-TOKEN".into(),
            token_type: TokenType::Dpop,
            expires_at: Some(42),
            scopes: vec!["okta.users.read".into()],
            dpop_key: Some("SENTINEL-JWK".into()),
        };
        let plain = crate::connection::token_json(&token).to_string();
        let sealed = seal(
            &sealer,
            &SystemRandom::new(),
            "okta:token:a",
            plain.as_bytes(),
        )
        .unwrap();
        let text = String::from_utf8_lossy(&sealed);
        assert!(!text.contains("SENTINEL"), "sealed: {text}");
        let opened = open(&sealer, "okta:token:a", sealed.clone()).unwrap();
        let opened = crate::connection::token_from_json(&opened).unwrap();
        assert_eq!(opened.token, token.token);
        assert_eq!(opened.dpop_key, token.dpop_key);
        assert!(open(&sealer, "okta:token:b", sealed.clone()).is_none());
        let other = SealKey::new(&[8; 32]).unwrap().sealer().unwrap();
        assert!(open(&other, "okta:token:a", sealed).is_none());
        assert!(open(&sealer, "okta:token:a", vec![1, 2]).is_none());
    }

    #[test]
    fn a_fleet_is_set_up_outside_any_runtime() {
        let fleet = Fleet::connect(&RedisState::new("redis://127.0.0.1:1")).unwrap();
        assert!(format!("{fleet:?}").contains("okta:"));
        assert!(Fleet::connect(&RedisState::new("http://not-redis")).is_err());
        let tls = Fleet::connect(&RedisState::new("rediss://:SENTINEL@cache:6380")).unwrap_err();
        assert!(tls.to_string().contains("TLS"), "{tls}");
        assert!(!tls.to_string().contains("SENTINEL"));
    }

    #[test]
    fn keys_are_long_and_secrets_stay_out_of_debug() {
        assert!(SealKey::new(&[1; 31]).is_err());
        let mut state = RedisState::new("redis://admin:SENTINEL@redis.internal:6379/2");
        state.seal_key = Some(SealKey::new(b"SENTINEL-SENTINEL-SENTINEL-SENTINEL").unwrap());
        let debug = format!("{:?}", SharedState::Redis(state));
        assert!(!debug.contains("SENTINEL"), "{debug}");
        assert!(debug.contains("redis.internal:6379/2"), "{debug}");
    }
}
