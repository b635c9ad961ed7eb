//! The node catalogue, read from the component's own exports, and calls by node id with
//! JSON in and out. One table serves every node: a new WIT function is a new node here
//! without any code.

use crate::deadline::{Deadline, DeadlinePassed, timeout_error};
use crate::dynamic::{Shapes, to_json, to_val, to_val_holding};
use crate::host::{Connection, Credential, Ctx, Host};
use crate::wit;
use anyhow::{Context as _, Result, anyhow, bail};
use serde_json::{Value, json};
use wasmtime::component::types::{ComponentFunc, ComponentItem};
use wasmtime::component::{Component, ComponentExportIndex, Type, Val};
use wasmtime::{Engine, Store};

/// The largest JSON request `call_json` hands to a node, in bytes. Larger input is the
/// node's `invalid-input` before it reaches the instance, whose memory it could exhaust.
pub const MAX_INPUT_BYTES: usize = 16 << 20;

/// The WIT package whose interfaces are nodes.
const PACKAGE: &str = "okta:management/";

/// The package's interfaces whose functions are not nodes: `catalog` describes the nodes.
const NOT_NODES: &[&str] = &["catalog"];

/// One node: an exported function.
#[derive(Clone, Debug)]
pub struct NodeInfo {
    /// `<interface>.<function>`, such as `users.create-user`.
    pub id: String,
    /// A label for a node palette, such as `Create user`.
    pub label: String,
    /// Whether the function takes a `connection` (`conn`): the event hook triggers do not.
    pub takes_connection: bool,
    /// Whether the function takes a request record.
    pub takes_request: bool,
    index: ComponentExportIndex,
    func: ComponentFunc,
}

/// A node's answer: its output, or the error it returned.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The node succeeded.
    Ok(Value),
    /// The node returned an `okta-error`: the record as JSON (`kind`, `message`, ...).
    Err(Value),
}

/// Every node the component exports, in WIT order, and the package they belong to, such
/// as `okta:management@0.4.0`.
pub(crate) fn read_catalog(
    engine: &Engine,
    component: &Component,
) -> Result<(Vec<NodeInfo>, String)> {
    let mut nodes = Vec::new();
    let mut package = None;
    for (name, export) in component.component_type().exports(engine) {
        let Some(rest) = name.strip_prefix(PACKAGE) else {
            continue;
        };
        let ComponentItem::ComponentInstance(instance) = export.ty else {
            continue;
        };
        let (interface, version) = rest.split_once('@').unwrap_or((rest, ""));
        if NOT_NODES.contains(&interface) {
            continue;
        }
        package.get_or_insert_with(|| format!("{}@{version}", PACKAGE.trim_end_matches('/')));
        let instance_index = component
            .get_export_index(None, name)
            .ok_or_else(|| anyhow!("export {name} has no index"))?;
        for (function, item) in instance.exports(engine) {
            let ComponentItem::ComponentFunc(func) = item.ty else {
                continue;
            };
            let index = component
                .get_export_index(Some(&instance_index), function)
                .ok_or_else(|| anyhow!("export {name}#{function} has no index"))?;
            let takes = |param: &str| func.params().any(|(name, _)| name == param);
            let (takes_connection, takes_request) = (takes("conn"), takes("request"));
            nodes.push(NodeInfo {
                id: format!("{interface}.{function}"),
                label: label(function),
                takes_connection,
                takes_request,
                index,
                func,
            });
        }
    }
    let package = package.ok_or_else(|| anyhow!("the component exports no {PACKAGE} node"))?;
    Ok((nodes, package))
}

/// `create-user` → `Create user`.
fn label(function: &str) -> String {
    let words = function.replace('-', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => words,
    }
}

/// The connection as the JSON of the WIT `connection` record.
pub(crate) fn connection_json(conn: &Connection) -> Value {
    let dpop = |mode: &wit::types::DpopMode| match mode {
        wit::types::DpopMode::Off => "off",
        wit::types::DpopMode::On => "on",
        wit::types::DpopMode::Auto => "auto",
    };
    let auth = match &conn.credential {
        Credential::ApiToken(token) => json!({ "api-token": token }),
        Credential::Bearer(token) => json!({ "bearer-token": token }),
        Credential::ServiceApp(app) => json!({ "client-credentials": {
            "client-id": app.client_id,
            "private-key": app.private_key,
            "key-id": app.key_id,
            "scopes": app.scopes,
            "dpop": app.dpop.as_ref().map(dpop),
            "dpop-key": app.dpop_key,
        }}),
        Credential::AccessToken(token) => json!({ "access-token": {
            "token": token.token,
            "token-type": match token.token_type {
                wit::types::TokenType::Bearer => "bearer",
                wit::types::TokenType::Dpop => "dpop",
            },
            "expires-at": token.expires_at,
            "scopes": token.scopes,
            "dpop-key": token.dpop_key,
        }}),
    };
    let options = json!({
        "max-retries": conn.max_retries,
        "max-rate-limit-wait-ms": conn.max_rate_limit_wait_ms,
        "timeout-ms": conn.timeout_ms,
        "max-response-bytes": conn.max_response_bytes,
        "deadline-ms": conn.deadline_ms,
    });
    let defaults = options
        .as_object()
        .is_some_and(|o| o.values().all(Value::is_null));
    json!({
        "domain": conn.domain,
        "auth": auth,
        "options": if defaults { Value::Null } else { options },
    })
}

impl Host {
    /// Every node, in WIT order.
    pub fn catalog(&self) -> &[NodeInfo] {
        self.nodes()
    }

    /// Every node's parameters and result as JSON shapes, for hosts in other languages
    /// (`examples/js-host`) that turn the JSON of [`Host::call_json`] into their own
    /// bindings' values: `{"package", "types": [...], "nodes": {"users.get-user":
    /// {"params": [["conn", 4], ["request", 9]], "result": 12, "json": []}}}`; the numbers
    /// index `types` ([`Shapes`]), and `json` lists the request's places whose string holds
    /// JSON ([`ComponentCatalog::json_places`](crate::ComponentCatalog::json_places)).
    pub async fn shapes(&self) -> Result<Value> {
        let described = self.describe().await?;
        let mut shapes = Shapes::default();
        let nodes: serde_json::Map<String, Value> = self
            .nodes()
            .iter()
            .map(|node| {
                let params: Vec<Value> = node
                    .func
                    .params()
                    .map(|(name, ty)| json!([name, shapes.add(&ty)]))
                    .collect();
                let result = node.func.results().next().map(|ty| shapes.add(&ty));
                let places = described.json_places(&node.id);
                (
                    node.id.clone(),
                    json!({ "params": params, "result": result, "json": places }),
                )
            })
            .collect();
        Ok(json!({
            "package": self.package(),
            "types": shapes.into_types(),
            "nodes": nodes,
        }))
    }

    /// Looks a node up by id.
    pub fn find_node(&self, id: &str) -> Option<&NodeInfo> {
        self.nodes().iter().find(|n| n.id == id)
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
        let node = self
            .find_node(node_id)
            .ok_or_else(|| anyhow!("no node `{node_id}`; `okta-nodes list` shows them all"))?;
        // The input is checked before anything is waited for or sent (a mint included).
        // Only a request the types refuse can hold JSON at a string's place: the catalog,
        // which says where, is read for it alone (once per host).
        let request = match node.request(input, &[]) {
            Err(_) if node.takes_request => match self.describe().await {
                Ok(described) => node.request(input, described.json_places(node_id)),
                Err(_) => node.request(input, &[]),
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
            return self.call_as_given(conn, node, request, deadline).await;
        }
        let mut retried = false;
        loop {
            let authorized = match self.authorized_until(conn, deadline).await? {
                Ok(authorized) => authorized,
                Err(refused) => return Ok(Outcome::Err(error_json(&refused))),
            };
            let outcome = self
                .call_as_given(&authorized, node, request.clone(), deadline)
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
                Some(token) if !retried && matches!(conn.credential, Credential::ServiceApp(_)) => {
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
        match tokio::time::timeout_at(stop_at.into(), call).await {
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
                    let kept = crate::reuse::Idle::new(store, instance, calls + 1);
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

impl NodeInfo {
    /// The node's request as a component value, checked by the node's own types before
    /// anything is sent; `Err` is the `invalid-input` message naming the field. `None` for
    /// a node that takes no request.
    fn request(&self, input: &Value, json_places: &[String]) -> Result<Option<Val>, String> {
        if json_size(input, MAX_INPUT_BYTES).is_none() {
            return Err(format!(
                "the request is larger than {MAX_INPUT_BYTES} bytes"
            ));
        }
        let Some((_, ty)) = self.func.params().find(|(name, _)| *name == "request") else {
            if matches!(input, Value::Null) || input.as_object().is_some_and(|o| o.is_empty()) {
                return Ok(None);
            }
            return Err(format!("{} takes no request", self.id));
        };
        to_val_holding(input, &ty, "request", json_places)
            .map(Some)
            .map_err(|err| format!("{err:#}"))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_as_words() {
        assert_eq!(label("create-user"), "Create user");
        assert_eq!(label("list-user-apps"), "List user apps");
    }

    #[test]
    fn the_connection_json_carries_the_credential_kind() {
        let json = connection_json(&Connection::bearer("x.okta.com", "t"));
        assert_eq!(json["auth"], json!({"bearer-token": "t"}));
        assert_eq!(json["options"], Value::Null, "every default: no options");
        let mut tuned = Connection::bearer("x.okta.com", "t");
        tuned.max_retries = Some(0);
        assert_eq!(connection_json(&tuned)["options"]["max-retries"], 0);
    }
}
