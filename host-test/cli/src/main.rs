//! `okta-nodes`: list the nodes, call one, run a flow, serve the mock, or run the demo.
//!
//! Exit status: 0 success, 1 a node returned an error (printed as JSON on stdout), 2 a usage
//! or host error.

use anyhow::{Context as _, Result, anyhow, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use okta_host::egress::governor::Governance;
use okta_host::flow::{Flow, Step, lookup, var_value};
use okta_host::state::shared::{RedisState, SealKey, SharedState};
use okta_host::wit::types::{ClientCredentials, DpopMode};
use okta_host::{Connection, Host, HostConfig, OrgLabel, Outcome};
use okta_mock::oauth::ServiceApp;
use okta_mock::{Fault, MockConfig, MockOkta};
use serde_json::{Map, Value};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Prints a line on stdout. When the reader has gone (`okta-nodes call ... | head -c 10`),
/// the command ends quietly instead of panicking: there is no one left to tell.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(err) = writeln!(std::io::stdout().lock(), $($arg)*) {
            if err.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
            eprintln!("error: writing the output: {err}");
            std::process::exit(2);
        }
    }};
}

mod progress;
mod receive;
mod serve;

/// The demo flows, from `examples/flows/`, in the order the demo runs them.
const DEMO_FLOWS: &[&str] = &[
    include_str!("../../../examples/flows/user-lifecycle.json"),
    include_str!("../../../examples/flows/onboarding.json"),
    include_str!("../../../examples/flows/offboarding.json"),
    include_str!("../../../examples/flows/rule-onboarding.json"),
    include_str!("../../../examples/flows/admin-role.json"),
];
/// The org name the demo gives the mock.
const DEMO_DOMAIN: &str = "dev-000000.okta.com";

#[derive(Parser)]
#[command(
    name = "okta-nodes",
    version,
    about = "Run the Okta Management nodes of okta_management.wasm"
)]
struct Cli {
    /// Load this component file instead of the one built into okta-nodes (another build
    /// of the same package).
    #[arg(long, global = true, value_name = "PATH")]
    component: Option<std::path::PathBuf>,
    /// Log every call and every exchange with Okta on stderr, as text or as JSON lines
    /// (spans included); `OKTA_NODES_LOG` filters, as `RUST_LOG` does (default `info`).
    #[arg(long, global = true, value_enum)]
    log: Option<LogFormat>,
    /// How logs and metrics name an org: `hashed` (the default) or by its `named` host.
    #[arg(long, global = true, value_enum, default_value_t = OrgNaming::Hashed)]
    org_label: OrgNaming,
    #[command(subcommand)]
    command: Command,
}

/// How `--log` writes.
#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    /// One readable line per event.
    Text,
    /// One JSON object per line: an event with its span and the spans around it.
    Json,
}

/// `--org-label`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OrgNaming {
    /// `org-` and a digest of the host name.
    Hashed,
    /// The org's host name.
    Named,
}

/// The options every command's host shares, set once when the command line is read.
struct Global {
    component: Option<std::path::PathBuf>,
    org_label: OrgLabel,
}

static GLOBAL: std::sync::OnceLock<Global> = std::sync::OnceLock::new();

/// The host's configuration: the defaults, with the component `--component` names and the
/// org label `--org-label` asks for.
fn host_config() -> HostConfig {
    let global = GLOBAL.get();
    HostConfig {
        component: global.and_then(|g| g.component.clone()),
        org_label: global.map(|g| g.org_label).unwrap_or_default(),
        ..HostConfig::default()
    }
}

/// Sends spans and events to stderr, as `--log` asks.
fn install_log(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_env("OKTA_NODES_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .try_init(),
    };
}

#[derive(Subcommand)]
enum Command {
    /// Print every node id and its label, one per line.
    List {
        /// Print the component's catalog as JSON instead: kind, description, flags, scopes,
        /// endpoints, schema names and an example input for every node.
        #[arg(long)]
        json: bool,
        /// Print the component's JSON Schema document instead.
        #[arg(long, conflicts_with = "json")]
        schema: bool,
        /// Print the README's node table (Markdown) instead.
        #[arg(long, conflicts_with_all = ["json", "schema"])]
        markdown: bool,
        /// Print every node's parameter and result types as JSON instead, for hosts in
        /// other languages (examples/js-host).
        #[arg(long, conflicts_with_all = ["json", "schema", "markdown"])]
        shapes: bool,
    },
    /// Print one node's input form as a person reads it: fields, rules and an example.
    Describe {
        /// The node, such as users.create-user.
        node: String,
    },
    /// Serve the nodes over HTTP/JSON for engines in any language: POST /v1/nodes/{id}
    /// with {"connection", "input"}; the OpenAPI 3.1 document at /v1/openapi.json.
    Serve {
        /// Where to listen; beyond loopback only with a secret.
        #[arg(long, default_value = "127.0.0.1:8787")]
        listen: std::net::SocketAddr,
        /// A file holding the bearer secret engines present (its first line).
        #[arg(long, value_name = "PATH", conflicts_with = "secret_env")]
        secret_file: Option<std::path::PathBuf>,
        /// The bearer secret engines present, from the environment.
        #[arg(
            long = "secret-from-env",
            env = "OKTA_NODES_SECRET",
            hide_env_values = true,
            hide = true
        )]
        secret_env: Option<String>,
        /// The most calls running at once; more wait their turn.
        #[arg(long, default_value_t = 256)]
        max_calls: usize,
        /// How long a call waits for its turn, in milliseconds, before a 503.
        #[arg(long, default_value_t = 30_000)]
        queue_wait_ms: u64,
        /// How long SIGTERM waits for calls in flight, in milliseconds.
        #[arg(long, default_value_t = 120_000)]
        drain_wait_ms: u64,
        /// Send every org's traffic to this base URL instead (a mock).
        #[arg(long)]
        route_to: Option<String>,
        /// Hold each request to its org's rate-limit window as Okta reports it, leaving
        /// this part of each window to the org's other clients (0.2: stop at 80%).
        #[arg(long, value_name = "FRACTION")]
        govern: Option<f64>,
        /// Share each org's windows (and, with a seal key, the service apps' tokens) with
        /// every host on this Redis: redis://[user:password@]host:port[/db].
        #[arg(
            long,
            value_name = "URL",
            env = "OKTA_NODES_REDIS",
            hide_env_values = true
        )]
        redis: Option<String>,
        /// A file whose first line is the fleet's seal key (32 bytes or more, such as
        /// `openssl rand -hex 32`): tokens are kept in Redis sealed with it.
        #[arg(long, value_name = "PATH", requires = "redis")]
        seal_key_file: Option<std::path::PathBuf>,
    },
    /// Serve an event hook endpoint on 127.0.0.1: answer Okta's verification, run each
    /// delivery through triggers.receive-event-hook and print its events as JSON lines.
    Receive {
        /// The port to listen on.
        #[arg(long, default_value_t = 8090)]
        port: u16,
        /// The Authorization value the hook was created with; deliveries without it are
        /// refused with 401. Required, unless --insecure-no-auth.
        #[arg(
            long,
            env = "OKTA_HOOK_AUTHORIZATION",
            hide_env_values = true,
            allow_hyphen_values = true
        )]
        authorization: Option<String>,
        /// Take every delivery, authenticated or not (for a local experiment only).
        #[arg(long, conflicts_with = "authorization")]
        insecure_no_auth: bool,
        /// Drop an event delivered again within this many seconds (by its uuid).
        #[arg(long, default_value_t = 3600)]
        replay_window_secs: u64,
        /// How long a client has to send its request head, in milliseconds.
        #[arg(long, default_value_t = 10_000)]
        header_read_timeout_ms: u64,
        /// The most connections open at once; more wait to be accepted.
        #[arg(long, default_value_t = 64)]
        max_connections: usize,
        /// Print only events of this type (repeatable), such as user.lifecycle.create.
        #[arg(long = "event-type")]
        event_types: Vec<String>,
        /// Stop after this many events have been printed.
        #[arg(long)]
        max_events: Option<usize>,
    },
    /// Call one node with a JSON request and print its output as JSON.
    Call {
        /// The node, such as users.get-user.
        node: String,
        /// The request as JSON (WIT field names), or @file.json.
        #[arg(long, default_value = "{}")]
        input: String,
        #[command(flatten)]
        conn: ConnArgs,
    },
    /// Run a flow file against an org (or --route-to a mock).
    Flow {
        /// The flow file, such as examples/flows/user-lifecycle.json.
        file: PathBuf,
        /// Set a flow variable: --var login=ada@example.com (repeatable).
        #[arg(long = "var", value_name = "NAME=VALUE")]
        vars: Vec<String>,
        #[command(flatten)]
        conn: ConnArgs,
    },
    /// Serve the mock Okta, seeded with a small org. Its control routes (`/mock/faults`,
    /// `/mock/requests`, `/mock/outbox`) take the same token.
    Mock {
        /// The port to listen on (127.0.0.1).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// The token the mock accepts.
        #[arg(long, default_value = "00mock-api-token", allow_hyphen_values = true)]
        token: String,
        /// Start with only the admin, the Everyone group and the default user type.
        #[arg(long)]
        empty: bool,
        /// Add this many ACTIVE users (user{n}@example.com): a large org to page through.
        #[arg(long, default_value_t = 0)]
        seed_users: usize,
        /// Okta's default per-minute rate limits times this, per endpoint bucket (0.1 is a
        /// tenth of Okta's figures; 0 turns rate limits off).
        #[arg(long, default_value_t = 1.0)]
        rate_limit_scale: f64,
        /// The most requests in flight at once (Okta's default is 75; 0 turns it off).
        #[arg(long, default_value_t = 75)]
        concurrency_limit: usize,
        /// A fault switch, as JSON (repeatable), as `POST /mock/faults` takes it:
        /// '{"effect":"fail","status":503,"count":3}',
        /// '{"effect":"rate-limit","reset-seconds":30}',
        /// '{"effect":"delay","delay-ms":2000,"path-prefix":"/api/v1/logs"}'.
        #[arg(long = "fault", value_name = "JSON")]
        faults: Vec<String>,
        /// Delay every answer by this many milliseconds: a slow org.
        #[arg(long, value_name = "MS")]
        latency_ms: Option<u64>,
        /// Do not print each request.
        #[arg(long)]
        quiet: bool,
        /// How many requests the log (`GET /mock/requests`) keeps, the newest.
        #[arg(long, default_value_t = 10_000)]
        log_capacity: usize,
        /// A service app, as JSON: '{"client-id":"0oa...","public-key":"@public.pem",
        /// "scopes":["okta.users.read"],"dpop":true}' (repeatable; `key` takes a public JWK
        /// instead of `public-key`).
        #[arg(long = "service-app", value_name = "JSON")]
        service_apps: Vec<String>,
    },
    /// Start the mock and run the example flows (user lifecycle, onboarding, offboarding,
    /// onboarding by group rule, an admin role granted and revoked)
    /// through the component.
    Demo {
        /// Run this flow file instead.
        #[arg(long)]
        flow: Option<PathBuf>,
        /// Print each request the mock receives.
        #[arg(long)]
        verbose: bool,
    },
}

#[derive(Args)]
struct ConnArgs {
    /// The org's domain, such as dev-123456.okta.com.
    #[arg(long, env = "OKTA_DOMAIN")]
    domain: Option<String>,
    /// An Okta API token (sent as SSWS).
    #[arg(
        long,
        env = "OKTA_API_TOKEN",
        hide_env_values = true,
        allow_hyphen_values = true,
        conflicts_with = "bearer"
    )]
    token: Option<String>,
    /// An OAuth 2.0 access token (sent as Bearer).
    #[arg(
        long,
        env = "OKTA_BEARER_TOKEN",
        hide_env_values = true,
        allow_hyphen_values = true
    )]
    bearer: Option<String>,
    /// A service app's client id: the call mints a token with --private-key.
    #[arg(long, env = "OKTA_CLIENT_ID", conflicts_with_all = ["token", "bearer"])]
    client_id: Option<String>,
    /// The service app's private key (PEM or JWK), or @file.
    #[arg(
        long,
        env = "OKTA_PRIVATE_KEY",
        hide_env_values = true,
        allow_hyphen_values = true
    )]
    private_key: Option<String>,
    /// The key's id in Okta (`kid`).
    #[arg(long, env = "OKTA_KEY_ID")]
    key_id: Option<String>,
    /// The scopes to ask for, separated by spaces or commas.
    #[arg(long, env = "OKTA_SCOPES", default_value = "okta.users.read")]
    scopes: String,
    /// DPoP: on, off or auto (bound when the app requires it).
    #[arg(long, env = "OKTA_DPOP", default_value = "auto", value_parser = ["on", "off", "auto"])]
    dpop: String,
    /// Send the org's traffic to this base URL instead (plain http allowed, for mocks).
    #[arg(long)]
    route_to: Option<String>,
    /// Retries after a 429, 5xx or transport error (default 2).
    #[arg(long)]
    max_retries: Option<u32>,
    /// The longest wait for a rate-limit reset, in milliseconds (default 30000).
    #[arg(long)]
    max_rate_limit_wait_ms: Option<u32>,
    /// The connect timeout, in milliseconds (default 10000).
    #[arg(long)]
    timeout_ms: Option<u32>,
    /// The longest a call may take, in milliseconds: every request, retry and wait
    /// (default 120000, the host's deadline; at most 3600000).
    #[arg(long)]
    deadline_ms: Option<u32>,
}

impl ConnArgs {
    fn connection(&self) -> Result<Connection> {
        let domain = self
            .domain
            .clone()
            .ok_or_else(|| anyhow!("give the org with --domain or OKTA_DOMAIN"))?;
        let mut conn = match (&self.token, &self.bearer, &self.client_id) {
            (Some(token), _, _) => Connection::api_token(domain, token.clone()),
            (None, Some(bearer), _) => Connection::bearer(domain, bearer.clone()),
            (None, None, Some(client_id)) => {
                let key = self.private_key.as_deref().ok_or_else(|| {
                    anyhow!("--client-id needs --private-key (or OKTA_PRIVATE_KEY)")
                })?;
                Connection::service_app(
                    domain,
                    ClientCredentials {
                        client_id: client_id.clone(),
                        private_key: text_or_file(key, "--private-key")?,
                        key_id: self.key_id.clone(),
                        scopes: self
                            .scopes
                            .split([' ', ','])
                            .filter(|s| !s.is_empty())
                            .map(str::to_string)
                            .collect(),
                        dpop: Some(match self.dpop.as_str() {
                            "on" => DpopMode::On,
                            "off" => DpopMode::Off,
                            _ => DpopMode::Auto,
                        }),
                        dpop_key: None,
                    },
                )
            }
            (None, None, None) => {
                return Err(anyhow!(
                    "give a credential: --token / OKTA_API_TOKEN, --bearer / OKTA_BEARER_TOKEN, \
                     or --client-id and --private-key for a service app"
                ));
            }
        };
        conn.max_retries = self.max_retries;
        conn.max_rate_limit_wait_ms = self.max_rate_limit_wait_ms;
        conn.timeout_ms = self.timeout_ms;
        conn.deadline_ms = self.deadline_ms;
        Ok(conn)
    }

    fn host(&self) -> Result<Host> {
        // --deadline-ms sets the host's deadline too, so it may be longer than the default.
        let mut config = HostConfig {
            route_to: self.route_to.clone(),
            ..host_config()
        };
        if let Some(ms) = self.deadline_ms {
            config.deadline = Duration::from_millis(ms.into()).min(okta_host::MAX_DEADLINE);
        }
        Host::new(config)
    }
}

/// Why the CLI stops.
enum Failure {
    /// A node returned an error (already printed).
    Node,
    /// Usage or host trouble.
    Host(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(err: anyhow::Error) -> Self {
        Failure::Host(err)
    }
}

/// The message for a command line clap refuses, built from what clap knows (the argument's
/// name, what was expected) and never from what was typed: a misplaced value may be a
/// token or a key, and is not printed back.
fn usage_error(err: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let named = |kind| match err.get(kind) {
        Some(ContextValue::String(name)) => Some(name.clone()),
        Some(ContextValue::Strings(names)) => Some(names.join(", ")),
        _ => None,
    };
    let what = match err.kind() {
        ErrorKind::UnknownArgument => {
            "an argument was not expected there (it is not shown: it may be a secret)".to_string()
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            match named(ContextKind::InvalidArg) {
                Some(arg) => format!(
                    "the value of {arg} is not valid{}",
                    named(ContextKind::ValidValue)
                        .map(|valid| format!(" (it takes {valid})"))
                        .unwrap_or_default()
                ),
                None => "a value is not valid".to_string(),
            }
        }
        ErrorKind::InvalidSubcommand => "there is no such command".to_string(),
        ErrorKind::MissingRequiredArgument
        | ErrorKind::ArgumentConflict
        | ErrorKind::MissingSubcommand => match named(ContextKind::InvalidArg) {
            Some(args) => format!("{}: {args}", err.kind()),
            None => err.kind().to_string(),
        },
        other => other.to_string(),
    };
    format!(
        "error: {what}\nRun `okta-nodes --help` (or `okta-nodes COMMAND --help`) for the usage."
    )
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) if !err.use_stderr() => {
            // --help and --version.
            let _ = err.print();
            return ExitCode::SUCCESS;
        }
        Err(err) => {
            eprintln!("{}", usage_error(&err));
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: could not start the runtime: {err}");
            return ExitCode::from(2);
        }
    };
    let _ = GLOBAL.set(Global {
        component: cli.component,
        org_label: match cli.org_label {
            OrgNaming::Hashed => OrgLabel::Hashed,
            OrgNaming::Named => OrgLabel::Named,
        },
    });
    if let Some(format) = cli.log {
        install_log(format);
    }
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Node) => ExitCode::from(1),
        Err(Failure::Host(err)) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::List {
            json,
            schema,
            markdown,
            shapes,
        } => {
            let host = Host::new(host_config())?;
            if shapes {
                say!("{}", host.shapes().await?);
                return Ok(());
            }
            if json || schema || markdown {
                let catalog = host.describe().await?;
                match (json, schema) {
                    (true, _) => say!("{}", pretty(&catalog.nodes_json())),
                    (_, true) => say!("{}", pretty(&catalog.schema)),
                    _ => say!("{}", catalog.markdown_table().trim_end()),
                }
                return Ok(());
            }
            let width = host.catalog().iter().map(|n| n.id.len()).max().unwrap_or(0);
            for node in host.catalog() {
                say!("{:width$}  {}", node.id, node.label);
            }
            Ok(())
        }
        Command::Describe { node } => {
            let host = Host::new(host_config())?;
            let form = host
                .describe()
                .await?
                .form(&node)
                .ok_or_else(|| anyhow!("no node `{node}`; `okta-nodes list` shows them all"))?;
            say!("{}", form.trim_end());
            Ok(())
        }
        Command::Serve {
            listen,
            secret_file,
            secret_env,
            max_calls,
            queue_wait_ms,
            drain_wait_ms,
            route_to,
            govern,
            redis,
            seal_key_file,
        } => {
            let first_line = |path: &std::path::Path, what: &str| -> anyhow::Result<String> {
                Ok(std::fs::read_to_string(path)
                    .with_context(|| format!("reading the {what} in {}", path.display()))?
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string())
            };
            let secret = match secret_file {
                Some(path) => Some(first_line(&path, "secret")?),
                None => secret_env,
            };
            let shared = match redis {
                None => SharedState::InProcess,
                Some(url) => SharedState::Redis(RedisState {
                    seal_key: match seal_key_file {
                        Some(path) => {
                            Some(SealKey::new(first_line(&path, "seal key")?.as_bytes())?)
                        }
                        None => None,
                    },
                    ..RedisState::new(url)
                }),
            };
            if govern.is_some_and(|h| !(0.0..=0.9).contains(&h)) {
                return Err(anyhow!("--govern takes a fraction from 0 to 0.9").into());
            }
            let host = Host::new(HostConfig {
                route_to,
                governor: govern.map(|headroom| Governance { headroom }),
                shared,
                ..host_config()
            })?;
            serve::serve(
                host,
                serve::Settings {
                    listen,
                    secret,
                    max_calls,
                    queue_wait: Duration::from_millis(queue_wait_ms),
                    drain_wait: Duration::from_millis(drain_wait_ms),
                },
            )
            .await?;
            Ok(())
        }
        Command::Receive {
            port,
            authorization,
            insecure_no_auth,
            replay_window_secs,
            header_read_timeout_ms,
            max_connections,
            event_types,
            max_events,
        } => {
            let auth = match (authorization, insecure_no_auth) {
                (Some(secret), _) => receive::Auth::Secret(secret),
                (None, true) => receive::Auth::Insecure,
                (None, false) => {
                    return Err(anyhow!(
                        "give the hook's secret with --authorization (or OKTA_HOOK_AUTHORIZATION); \
                         --insecure-no-auth takes every delivery, from anyone"
                    )
                    .into());
                }
            };
            let host = Host::new(host_config())?;
            let receiver = receive::Receiver::new(
                host,
                auth,
                event_types,
                max_events,
                receive::Limits {
                    header_read_timeout: Duration::from_millis(header_read_timeout_ms),
                    max_connections,
                    replay_window: Duration::from_secs(replay_window_secs),
                },
            )?;
            receiver.serve(port).await?;
            Ok(())
        }
        Command::Call { node, input, conn } => {
            let input = read_input(&input)?;
            let connection = conn.connection()?;
            let host = conn.host()?;
            let spinner = progress::Spinner::start(format!("calling {node}"));
            let outcome = host.call_json(&connection, &node, &input).await?;
            drop(spinner);
            match outcome {
                Outcome::Ok(output) => {
                    say!("{}", pretty(&output));
                    Ok(())
                }
                Outcome::Err(error) => {
                    say!("{}", pretty(&error));
                    Err(Failure::Node)
                }
            }
        }
        Command::Flow { file, vars, conn } => {
            let mut flow = Flow::load(&file)?;
            for var in vars {
                let (name, value) = var
                    .split_once('=')
                    .ok_or_else(|| anyhow!("--var takes NAME=VALUE (the value is not shown)"))?;
                flow.vars.insert(name.to_string(), var_value(value));
            }
            let connection = conn.connection()?;
            let host = conn.host()?;
            run_flow(&host, &connection, &flow).await
        }
        Command::Mock {
            port,
            token,
            empty,
            seed_users,
            rate_limit_scale,
            concurrency_limit,
            faults,
            latency_ms,
            quiet,
            log_capacity,
            service_apps,
        } => {
            let service_apps = service_apps
                .iter()
                .map(|text| {
                    let mut json: Value = serde_json::from_str(text)
                        .with_context(|| format!("--service-app is not JSON: {text}"))?;
                    if let Some(pem) = json["public-key"].as_str() {
                        json["public-key"] = text_or_file(pem, "public-key")?.into();
                    }
                    ServiceApp::from_json(&json).map_err(|why| anyhow!("--service-app: {why}"))
                })
                .collect::<Result<Vec<_>>>()?;
            let mut faults = faults
                .iter()
                .map(|text| {
                    let json: Value = serde_json::from_str(text)
                        .with_context(|| format!("--fault is not JSON: {text}"))?;
                    Fault::from_json(&json).map_err(|why| anyhow!("--fault {text}: {why}"))
                })
                .collect::<Result<Vec<_>>>()?;
            if let Some(ms) = latency_ms {
                faults.push(
                    Fault::from_json(&serde_json::json!({ "effect": "delay", "delay-ms": ms }))
                        .map_err(|why| anyhow!("--latency-ms: {why}"))?,
                );
            }
            let spinner = progress::Spinner::start(match seed_users {
                0 => "starting the mock".to_string(),
                n => format!("starting the mock with {n} more users"),
            });
            let mock = MockOkta::start(MockConfig {
                token: token.clone(),
                port,
                seed: !empty,
                seed_users,
                rate_limit_scale,
                concurrency_limit,
                log_capacity,
                faults,
                verbose: !quiet,
                service_apps,
            })
            .await
            .context("starting the mock")?;
            drop(spinner);
            say!("mock Okta listening on {}", mock.url());
            // Run through cargo (`cargo okta mock`), the reader has `cargo okta`.
            let cli = match std::env::var_os("CARGO_MANIFEST_DIR") {
                Some(_) => "cargo okta",
                None => "okta-nodes",
            };
            say!(
                "try: {cli} call users.list-users --domain {DEMO_DOMAIN} --token {token} --route-to {}",
                mock.url()
            );
            mock.serve_forever().await;
            Ok(())
        }
        Command::Demo { flow, verbose } => {
            let flows = match flow {
                Some(path) => vec![Flow::load(&path)?],
                None => DEMO_FLOWS
                    .iter()
                    .map(|text| Flow::parse(text).context("reading a built-in demo flow"))
                    .collect::<Result<_>>()?,
            };
            let mock = MockOkta::start(MockConfig {
                seed: true,
                verbose,
                ..MockConfig::default()
            })
            .await
            .context("starting the mock")?;
            let host = Host::new(HostConfig {
                route_to: Some(mock.url()),
                ..host_config()
            })?;
            let connection = Connection::api_token(DEMO_DOMAIN, mock.token());
            say!(
                "org {DEMO_DOMAIN}, served by the mock Okta at {}",
                mock.url()
            );
            for flow in &flows {
                say!("\n== {} ==", flow.name);
                if !flow.description.is_empty() {
                    say!("{}\n", flow.description);
                }
                run_flow(&host, &connection, flow).await?;
            }
            say!(
                "\n{} requests reached the mock; every step ran in a fresh instance of the component.",
                mock.requests().len()
            );
            Ok(())
        }
    }
}

async fn run_flow(host: &Host, conn: &Connection, flow: &Flow) -> Result<(), Failure> {
    let mut failed = false;
    let steps = flow.steps.len();
    let spinner = progress::Spinner::start(format!("step 1 of {steps}"));
    let result = flow
        .run(host, conn, |i, step, _input, outcome| {
            spinner.above(|| print_step(i, step, outcome));
            spinner.say(format!("step {} of {steps}", i + 2));
            failed = matches!(outcome, Outcome::Err(_));
        })
        .await;
    drop(spinner);
    match result {
        Ok(_) => Ok(()),
        Err(_) if failed => Err(Failure::Node),
        Err(err) => Err(Failure::Host(err)),
    }
}

fn print_step(i: usize, step: &Step, outcome: &Outcome) {
    let title = if step.title.is_empty() {
        step.node.as_str()
    } else {
        step.title.as_str()
    };
    match outcome {
        Outcome::Ok(output) => {
            let mut wrapped = Map::new();
            wrapped.insert("out".into(), output.clone());
            let text = |value: Value| match value {
                Value::String(s) => s,
                Value::Array(items) => format!("{} items", items.len()),
                other => other.to_string(),
            };
            let shown: Vec<String> = step
                .show
                .iter()
                .filter_map(|path| {
                    // `items[].name`: the field of every element of a list.
                    let value = match path.split_once("[]") {
                        Some((list, field)) => {
                            let list =
                                lookup(&wrapped, format!("out.{list}").trim_end_matches('.'))?;
                            let fields: Vec<String> = list
                                .as_array()?
                                .iter()
                                .filter_map(|item| {
                                    let mut one = Map::new();
                                    one.insert("it".into(), item.clone());
                                    lookup(&one, &format!("it{field}")).map(text)
                                })
                                .collect();
                            format!("[{}]", fields.join(", "))
                        }
                        None => text(lookup(&wrapped, &format!("out.{path}"))?),
                    };
                    Some(format!("{path}={value}"))
                })
                .collect();
            say!(
                "{:>2}. {title}\n    {}  ok  {}",
                i + 1,
                step.node,
                shown.join("  ")
            );
        }
        Outcome::Err(error) => {
            say!(
                "{:>2}. {title}\n    {}  FAILED\n{}",
                i + 1,
                step.node,
                pretty(error)
            );
        }
    }
}

/// A value given as text or as `@file`.
fn text_or_file(value: &str, what: &str) -> Result<String> {
    match value.strip_prefix('@') {
        Some(path) => {
            std::fs::read_to_string(path).with_context(|| format!("reading {what} from {path}"))
        }
        None => Ok(value.to_string()),
    }
}

/// Reads `--input`: JSON, or `@file` holding JSON. A file larger than a node takes is
/// refused before it is read.
fn read_input(input: &str) -> Result<Value> {
    let text = match input.strip_prefix('@') {
        Some(path) => {
            let size = std::fs::metadata(path)
                .with_context(|| format!("reading {path}"))?
                .len();
            if size > okta_host::MAX_INPUT_BYTES as u64 {
                bail!(
                    "{path} is larger than a node takes ({} bytes)",
                    okta_host::MAX_INPUT_BYTES
                );
            }
            std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?
        }
        None => input.to_string(),
    };
    serde_json::from_str(&text).context("--input is not valid JSON")
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}
