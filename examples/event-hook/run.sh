#!/usr/bin/env bash
# Event hooks through the component, offline: the mock Okta, an endpoint served by
# `okta-nodes receive`, and examples/flows/event-hook.json, which registers the endpoint,
# verifies it and creates a user. The endpoint prints the user.lifecycle.create event that
# the mock delivers, as a JSON line, and stops.
#
#   examples/event-hook/run.sh        (from the repository's root)
set -eu
cargo build --quiet --package okta-nodes
okta=target/debug/okta-nodes
secret="Bearer hook-secret-change-me"

$okta mock --port 8080 --quiet &
mock=$!
$okta receive --port 8090 --authorization "$secret" \
    --event-type user.lifecycle.create --max-events 1 &
receiver=$!
trap 'kill $mock $receiver 2>/dev/null || true' EXIT
for port in 8080 8090; do
    until (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null; do sleep 0.1; done
done

$okta flow examples/flows/event-hook.json --var "secret=$secret" \
    --domain dev-000000.okta.com --token 00mock-api-token --route-to http://127.0.0.1:8080
wait $receiver
