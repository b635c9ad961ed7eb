#!/usr/bin/env bash
# Event hooks through the component, offline: the mock Okta, an endpoint served by
# `okta-nodes receive`, and examples/flows/event-hook.json, which registers the endpoint,
# verifies it and creates a user. The endpoint prints the user.lifecycle.create event that
# the mock delivers, as a JSON line, and stops. Both listen on free ports; the script stops
# when either does not start.
#
#   examples/event-hook/run.sh        (from the repository's root)
set -eu
cargo build --quiet --package okta-nodes
okta=target/debug/okta-nodes
secret="Bearer hook-secret-change-me"
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
mock_port=$(free_port)
hook_port=$(free_port)

$okta mock --port "$mock_port" --quiet &
mock=$!
$okta receive --port "$hook_port" --authorization "$secret" \
    --event-type user.lifecycle.create --max-events 1 &
receiver=$!
trap 'kill $mock $receiver 2>/dev/null || true' EXIT
for pair in "$mock:$mock_port" "$receiver:$hook_port"; do
    pid=${pair%%:*} port=${pair##*:}
    tries=0
    until (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
        if ! kill -0 "$pid" 2>/dev/null || [ $((tries += 1)) -gt 300 ]; then
            echo "error: nothing listens on 127.0.0.1:$port (it did not start)" >&2
            exit 1
        fi
        sleep 0.1
    done
done

$okta flow examples/flows/event-hook.json --var "secret=$secret" \
    --var "endpoint=https://127.0.0.1:$hook_port/okta/events" \
    --domain dev-000000.okta.com --token 00mock-api-token \
    --route-to "http://127.0.0.1:$mock_port"
wait $receiver
