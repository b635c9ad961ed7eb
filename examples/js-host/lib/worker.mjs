// A worker thread with one instance of the component (lib/component.mjs): it takes one
// call at a time from okta-nodes.mjs and keeps its instance between calls (a fresh one
// after a trap). While the shim's HTTP blocks this thread, the caller's goes on.

import { parentPort, workerData } from 'node:worker_threads';
import { loadComponent } from './component.mjs';

const component = await loadComponent(workerData);

parentPort.on('message', async (message) => {
  const reply =
    message.type === 'instantiate'
      ? { ok: await component.instantiate() }
      : await component.call(message);
  parentPort.postMessage({ type: 'reply', seq: message.seq, ...reply });
});

parentPort.postMessage({ type: 'ready' });
