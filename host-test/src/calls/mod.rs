//! Calls by node id with JSON in and out: one table serves every node, and one error
//! channel carries every failure.

pub mod dynamic;

use crate::catalog::NodeInfo;
use crate::connection::{Connection, Credential, connection_json};
use crate::egress::deadline::{Deadline, DeadlinePassed, timeout_error};
use crate::engine::{Ctx, Host};
use crate::telemetry::{self, CallEnd};
use crate::wit;
use anyhow::{Context as _, Result, anyhow, bail};
use dynamic::{to_json, to_val, to_val_holding};
use serde_json::{Value, json};
use tracing::Instrument as _;
use wasmtime::Store;
use wasmtime::component::{Type, Val};

/// The largest JSON request `call_json` hands to a node, in bytes. Larger input is the
/// node's `invalid-input` before it reaches the instance, whose memory it could exhaust.
pub const MAX_INPUT_BYTES: usize = 16 << 20;

/// A node's answer: its output, or the error it returned.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The node succeeded.
    Ok(Value),
    /// The node returned an `okta-error`: the record as JSON (`kind`, `message`, ...).
    Err(Value),
}

/// The node of this id; an unknown id is a failure of the caller, not a node's error.
async fn known<'h>(host: &'h Host, node_id: &str) -> Result<&'h NodeInfo> {
    host.listed(node_id)
        .await
        .ok_or_else(|| anyhow!("no node `{node_id}`; `okta-nodes list` shows them all"))
}

/// The node that redeems a web app's grant, which `call_json` answers from the host's store.
const TOKEN_GRANT: &str = "connection.get-token-grant";

impl Host {
    /// [`Host::call_json`] with the connection as the JSON of the WIT `connection` record
    /// ([`Connection::from_json`]): what the Python package and the sidecar take. A
    /// connection of the wrong shape is the node's `invalid-input`, as a request is; a node
    /// that takes no connection (an event hook trigger) ignores it, absent or null too.
    pub async fn call_json_with(
        &self,
        conn: &Value,
        node_id: &str,
        input: &Value,
    ) -> Result<Outcome> {
        let node = known(self, node_id).await?;
        let conn = match node.takes_connection {
            false => Connection::unused(),
            true => match Connection::from_json(conn) {
                Ok(conn) => conn,
                Err(message) => return invalid_input(&node.func, message),
            },
        };
        self.call_json(&conn, node_id, input).await
    }

    /// Runs a node by id with a JSON request (WIT field names) in a fresh instance.
    ///
    /// A request the component's types reject (a missing field, a wrong type, an unknown
    /// enum case) is the node's `invalid-input` error naming the field, as a bad value is:
    /// one error channel. A call the host stops at its deadline (a guest that does not end
    /// by itself) is the node's `timeout` error too. Errors are an unknown node and failures
    /// of the host.
    ///
    /// A service app's connection uses the host's cached token ([`Host::authorized`]); a
    /// refused mint is the node's error. When Okta refuses a cached token on the call's
    /// first request (revoked, or expired early), the host mints once more and runs the
    /// call once more: nothing was done.
    pub async fn call_json(
        &self,
        conn: &Connection,
        node_id: &str,
        input: &Value,
    ) -> Result<Outcome> {
        let node = known(self, node_id).await?;
        let (org, tenant) = match node.takes_connection {
            true => (self.org_label(&conn.domain), self.kept.tenant(conn).label()),
            false => ("none".to_string(), "none".to_string()),
        };
        let call = telemetry::Call::begin(node_id, &org, &tenant);
        let mut sent = 0;
        let outcome = self
            .call_node(conn, node, node_id, input, &mut sent)
            .instrument(call.span())
            .await;
        call.end(match &outcome {
            Ok(Outcome::Ok(_)) => CallEnd::Ok { attempts: sent },
            Ok(Outcome::Err(err)) => CallEnd::Err {
                kind: err["kind"].as_str().unwrap_or("unknown"),
                attempts: err["attempts"].as_u64(),
            },
            Err(_) => CallEnd::Failed,
        });
        outcome
    }

    /// [`Host::call_json`] of a known node (`node_id`, run by `node`); `sent` counts the
    /// requests its instances sent.
    async fn call_node(
        &self,
        conn: &Connection,
        node: &NodeInfo,
        node_id: &str,
        input: &Value,
        sent: &mut u32,
    ) -> Result<Outcome> {
        if let Some(operation) = crate::catalog::operation_of(node_id) {
            // `operations.call` takes the operation's id and its input as JSON text, and
            // answers JSON text: the node's output is that JSON.
            let request = json!({"operation-id": operation, "input": input.to_string()});
            return Ok(match self.run_node(conn, node, &request, sent).await? {
                Outcome::Ok(Value::String(text)) => Outcome::Ok(
                    serde_json::from_str(&text)
                        .with_context(|| format!("{node_id} answered text that is not JSON"))?,
                ),
                other => other,
            });
        }
        self.run_node(conn, node, input, sent).await
    }

    /// Runs an exported function with its JSON request.
    async fn run_node(
        &self,
        conn: &Connection,
        node: &NodeInfo,
        input: &Value,
        sent: &mut u32,
    ) -> Result<Outcome> {
        let node_id = node.id.as_str();
        // The input is checked before anything is waited for or sent (a mint included).
        // Only a request the types refuse can hold JSON at a string's place: the catalog,
        // which says where, is read for it alone (once per host).
        let request = match request(node, input, &[]) {
            Err(_) if node.takes_request => match self.describe().await {
                Ok(described) => request(node, input, described.json_places(node_id)),
                Err(_) => request(node, input, &[]),
            },
            checked => checked,
        };
        let request = match request {
            Ok(request) => request,
            Err(message) => return invalid_input(&node.func, message),
        };
        // One deadline for the whole call: the token, the instance, every exchange.
        let deadline = self.deadline_of(conn);
        if !node.takes_connection {
            // An event hook trigger reads what Okta sent; it calls nothing.
            return self
                .call_as_given(conn, node, request, deadline, sent)
                .await;
        }
        if node.id == TOKEN_GRANT
            && let Some(redeemed) = self.redeem_now(conn, deadline).await
        {
            // The host owns a web app's grant: redeemed through its store, which keeps the
            // refresh token the answer carries.
            return Ok(match redeemed? {
                Ok(redeemed) => Outcome::Ok(json!({
                    "access-token": crate::connection::token_json(&redeemed.token),
                    "refresh-token": redeemed.refresh,
                })),
                Err(refused) => Outcome::Err(error_json(&refused)),
            });
        }
        let mut retried = false;
        loop {
            let authorized = match self.authorized_until(conn, deadline).await? {
                Ok(authorized) => authorized,
                Err(refused) => return Ok(Outcome::Err(error_json(&refused))),
            };
            let outcome = self
                .call_as_given(&authorized, node, request.clone(), deadline, sent)
                .await?;
            let refused_token = match (&outcome, &authorized.credential) {
                (Outcome::Err(err), Credential::AccessToken(token))
                    if err["kind"] == "unauthorized" && err["attempts"] == 1 =>
                {
                    Some(token.token.clone())
                }
                _ => None,
            };
            match refused_token {
                Some(token)
                    if !retried
                        && matches!(
                            conn.credential,
                            Credential::ServiceApp(_) | Credential::WebApp(_)
                        ) =>
                {
                    self.forget_token(conn, &token).await;
                    retried = true;
                }
                _ => return Ok(outcome),
            }
        }
    }

    /// Runs a node with the connection as it is, within the call's deadline.
    async fn call_as_given(
        &self,
        conn: &Connection,
        node: &NodeInfo,
        mut request: Option<Val>,
        deadline: Deadline,
        sent: &mut u32,
    ) -> Result<Outcome> {
        let node_id = node.id.as_str();
        let conn = &self.bounded(conn, deadline);
        let reuse = self.reuse();
        let tenant = reuse.map(|_| self.kept.tenant(conn));
        let kept = tenant
            .zip(reuse.as_ref())
            .and_then(|(t, r)| self.kept.take(t, r));
        let (mut store, instance, calls) = match kept {
            Some(kept) => {
                let mut store = kept.store;
                store.data_mut().next_call(deadline);
                deadline.arm(&mut store);
                (store, kept.instance, kept.calls)
            }
            None => {
                let mut store = match self.store(conn, deadline).await {
                    Ok(store) => store,
                    Err(busy) => {
                        return Ok(Outcome::Err(error_json(&timeout_error(busy.to_string()))));
                    }
                };
                let instance = self.instance(&mut store).await?;
                (store, instance, 0)
            }
        };
        let func = instance
            .get_func(&mut store, node.index)
            .ok_or_else(|| anyhow!("{node_id} is not a function"))?;
        let ty = func.ty(&store);
        let mut params = Vec::new();
        for (name, param_ty) in ty.params() {
            let value = match name {
                "conn" => to_val(&connection_json(conn), &param_ty, "conn")?,
                "request" => request
                    .take()
                    .ok_or_else(|| anyhow!("{node_id} takes a request"))?,
                other => bail!("{node_id} takes an unexpected parameter `{other}`"),
            };
            params.push(value);
        }
        let mut results = vec![Val::Bool(false); ty.results().len()];
        let stop_at = store.data().deadline().stop_at();
        let call = func.call_async(&mut store, &params, &mut results);
        let ran = tokio::time::timeout_at(stop_at.into(), call).await;
        *sent = sent.saturating_add(store.data().hooks().sent());
        match ran {
            Ok(Ok(())) => {}
            Ok(Err(err)) if err.downcast_ref::<DeadlinePassed>().is_none() => {
                return Err(anyhow::Error::from(err)).with_context(|| format!("{node_id} trapped"));
            }
            // Stopped running, or dropped while it waited in the host.
            Ok(Err(_)) | Err(_) => return stopped(&ty, &store),
        }
        match results.first() {
            Some(Val::Result(Ok(value))) => {
                let output = value.as_deref().map_or(Value::Null, to_json);
                if let (Some(tenant), Some(reuse)) = (tenant, reuse) {
                    let kept = crate::engine::reuse::Idle::new(store, instance, calls + 1);
                    self.kept.put(tenant, kept, &reuse);
                }
                Ok(Outcome::Ok(output))
            }
            Some(Val::Result(Err(value))) => {
                Ok(Outcome::Err(value.as_deref().map_or(Value::Null, to_json)))
            }
            other => bail!("{node_id} returned {other:?}, not a result"),
        }
    }
}

/// A node's request as a component value, checked by the node's own types before
/// anything is sent; `Err` is the `invalid-input` message naming the field. `None` for
/// a node that takes no request.
fn request(node: &NodeInfo, input: &Value, json_places: &[String]) -> Result<Option<Val>, String> {
    if json_size(input, MAX_INPUT_BYTES).is_none() {
        return Err(format!(
            "the request is larger than {MAX_INPUT_BYTES} bytes"
        ));
    }
    let Some((_, ty)) = node.func.params().find(|(name, _)| *name == "request") else {
        if matches!(input, Value::Null) || input.as_object().is_some_and(|o| o.is_empty()) {
            return Ok(None);
        }
        return Err(format!("{} takes no request", node.id));
    };
    to_val_holding(input, &ty, "request", json_places)
        .map(Some)
        .map_err(|err| format!("{err:#}"))
}

/// The size of a value as JSON text, or `None` past `max`, without writing it anywhere.
fn json_size(value: &Value, max: usize) -> Option<usize> {
    struct Count(usize, usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            if self.0 > self.1 {
                return Err(std::io::Error::other("too large"));
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0, max);
    serde_json::to_writer(&mut count, value)
        .ok()
        .map(|()| count.0)
}

/// A typed `okta-error` as JSON, as a node's error reads.
fn error_json(err: &wit::types::OktaError) -> Value {
    let debug = format!("{:?}", err.kind);
    let kind = debug.rsplit("::").next().unwrap_or(&debug);
    let mut kebab = String::new();
    for (i, c) in kind.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            kebab.push('-');
        }
        kebab.push(c.to_ascii_lowercase());
    }
    json!({
        "kind": kebab,
        "message": err.message,
        "status": err.status,
        "error-code": err.error_code,
        "error-causes": err.error_causes,
        "error-id": err.error_id,
        "request-id": err.request_id,
        "reset-at": err.reset_at,
        "retryable": err.retryable,
        "attempts": err.attempts,
    })
}

/// The node's own `invalid-input` error for a request its types reject: nothing was sent.
fn invalid_input(
    ty: &wasmtime::component::types::ComponentFunc,
    message: String,
) -> Result<Outcome> {
    node_error(
        ty,
        json!({
            "kind": "invalid-input",
            "message": message,
            "error-causes": [],
            "retryable": false,
            "attempts": 0,
        }),
    )
}

/// The node's `timeout` error for a call the host stopped at its deadline, with what the
/// host saw: the requests sent, and whether any was a write (which may have been applied,
/// so the call is not retryable).
fn stopped(ty: &wasmtime::component::types::ComponentFunc, store: &Store<Ctx>) -> Result<Outcome> {
    let (hooks, deadline) = (store.data().hooks(), store.data().deadline());
    let mut message = format!(
        "{} after {} requests",
        DeadlinePassed {
            deadline: deadline.length
        },
        hooks.sent()
    );
    if hooks.writes() > 0 {
        message.push_str(&format!(
            "; {} of them writes, which may have been applied",
            hooks.writes()
        ));
    }
    node_error(
        ty,
        json!({
            "kind": "timeout",
            "message": message,
            "error-causes": [],
            "retryable": hooks.writes() == 0,
            "attempts": hooks.sent(),
        }),
    )
}

/// An error the host gives in the node's place, read through the function's error type so
/// it has exactly the shape the node returns.
fn node_error(ty: &wasmtime::component::types::ComponentFunc, error: Value) -> Result<Outcome> {
    let Some(Type::Result(result)) = ty.results().next() else {
        bail!("a node returns a result");
    };
    let err_ty = result
        .err()
        .ok_or_else(|| anyhow!("a node's result has an error type"))?;
    Ok(Outcome::Err(to_json(&to_val(&error, &err_ty, "error")?)))
}
