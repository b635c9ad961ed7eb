// The whole numbers the request fields take: their bounds and their defaults, one definition
// each. The component checks its input against these, and the build script writes them into
// the catalog's schema (`minimum`, `maximum`, `default`): what the schema says of a number
// is what the component enforces. A number field whose docs give a bound or a default has a
// row in `LIMITS`, or the build fails.
// Plain items, no paths: the same text compiles in the build script and in the crate.

/// A whole number a field takes, and what it is when the field is left out (`None`: the
/// field's docs say what stands in for it, such as the connection's setting).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    /// The least value taken.
    pub min: u32,
    /// The greatest value taken.
    pub max: u32,
    /// The value when the field is absent.
    pub default: Option<u32>,
}

impl Bounds {
    /// The default, or `none` for a field whose default is not a number of its own.
    pub const fn default_or(self, none: u32) -> u32 {
        match self.default {
            Some(value) => value,
            None => none,
        }
    }

    /// Whether `value` is within the bounds.
    pub const fn takes(self, value: u32) -> bool {
        self.min <= value && value <= self.max
    }
}

/// `options.max-retries`.
pub const MAX_RETRIES: Bounds = Bounds {
    min: 0,
    max: 10,
    default: Some(2),
};

/// `options.max-rate-limit-wait-ms`.
pub const MAX_RATE_LIMIT_WAIT_MS: Bounds = Bounds {
    min: 0,
    max: 300_000,
    default: Some(30_000),
};

/// `options.timeout-ms`.
pub const TIMEOUT_MS: Bounds = Bounds {
    min: 1,
    max: 120_000,
    default: Some(10_000),
};

/// `options.max-response-bytes`: 1 KiB to 256 MiB, 16 MiB by default.
pub const MAX_RESPONSE_BYTES: Bounds = Bounds {
    min: 1024,
    max: 256 << 20,
    default: Some(16 << 20),
};

/// `options.deadline-ms`: up to an hour, two minutes by default.
pub const DEADLINE_MS: Bounds = Bounds {
    min: 1,
    max: 3_600_000,
    default: Some(120_000),
};

/// `page.max-items`, and a poll's `max-items`.
pub const MAX_ITEMS: Bounds = Bounds {
    min: 1,
    max: 10_000,
    default: Some(1_000),
};

/// A picklist's `limit`: choices per page.
pub const PICKLIST_LIMIT: Bounds = Bounds {
    min: 1,
    max: 200,
    default: Some(50),
};

/// A user poll's `settle-ms`: Okta's search is eventually consistent, and "the indexing
/// delay is typically less than one second" (the Users API's `search`); five times that.
pub const SETTLE_MS: Bounds = Bounds {
    min: 0,
    max: 300_000,
    default: Some(5_000),
};

/// A raw request's `retries` (absent: the connection's `max-retries`).
pub const RAW_RETRIES: Bounds = Bounds {
    min: 0,
    max: 10,
    default: None,
};

/// A raw request's `retry-delay-ms` (at most the connection's rate-limit wait as well).
pub const RETRY_DELAY_MS: Bounds = Bounds {
    min: 0,
    max: 300_000,
    default: Some(250),
};

/// A BCRYPT hash's `work-factor`.
pub const WORK_FACTOR: Bounds = Bounds {
    min: 1,
    max: 20,
    default: None,
};

/// A PBKDF2 hash's `iteration-count`.
pub const ITERATION_COUNT: Bounds = Bounds {
    min: 4096,
    max: u32::MAX,
    default: None,
};

/// An enrollment's `token-lifetime-seconds` (Okta's default, 300).
pub const TOKEN_LIFETIME_SECONDS: Bounds = Bounds {
    min: 1,
    max: 86_400,
    default: Some(300),
};

/// Every bounded field, by its place in the schema (`<interface>.<type>.<field>`).
/// A page's `limit`: Okta caps each endpoint's page itself (200 users, 10000 groups) and
/// answers a larger limit with its largest page; the system log refuses more than 1000.
pub const PAGE_LIMIT: Bounds = Bounds {
    min: 1,
    max: u32::MAX,
    default: None,
};

/// The system log's largest page.
pub const LOG_PAGE_LIMIT: Bounds = Bounds {
    min: 1,
    max: 1000,
    default: None,
};

pub const LIMITS: &[(&str, Bounds)] = &[
    ("types.options.max-retries", MAX_RETRIES),
    (
        "types.options.max-rate-limit-wait-ms",
        MAX_RATE_LIMIT_WAIT_MS,
    ),
    ("types.options.timeout-ms", TIMEOUT_MS),
    ("types.options.max-response-bytes", MAX_RESPONSE_BYTES),
    ("types.options.deadline-ms", DEADLINE_MS),
    ("types.page-request.max-items", MAX_ITEMS),
    ("types.page-request.limit", PAGE_LIMIT),
    ("raw.raw-request.timeout-ms", TIMEOUT_MS),
    ("picklists.picklist-request.limit", PICKLIST_LIMIT),
    ("triggers.poll-system-log-request.max-items", MAX_ITEMS),
    ("triggers.poll-users-request.max-items", MAX_ITEMS),
    ("triggers.poll-users-request.settle-ms", SETTLE_MS),
    ("raw.raw-request.retries", RAW_RETRIES),
    ("raw.raw-request.retry-delay-ms", RETRY_DELAY_MS),
    ("users.password-hash.work-factor", WORK_FACTOR),
    ("users.password-hash.iteration-count", ITERATION_COUNT),
    (
        "factors.enroll-factor-request.token-lifetime-seconds",
        TOKEN_LIFETIME_SECONDS,
    ),
];

/// Headers a raw request cannot set: the credential, the host, and the framing (lower case).
pub const FORBIDDEN_HEADERS: &[&str] = &[
    "authorization",
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "upgrade",
    "te",
    "trailer",
    "proxy-authorization",
];
