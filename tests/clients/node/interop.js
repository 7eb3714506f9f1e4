#!/usr/bin/env node
// Runs the grpc interop cases with @grpc/grpc-js against a conformance server and prints what it
// observed as one JSON object on stdout: {"client": ..., "cases": {name: {...observations}}}.
// The C# tests judge the observations; this script only reports them (a case that throws
// reports {"error": message}). Usage: node interop.js --target 127.0.0.1:PORT
'use strict';

const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const callTimeoutMs = 30_000;
const specialStatusMessage = '\t\ntest with whitespace\r\nand Unicode BMP \u263A and non-BMP \u{1F608}\t\n';

function parseTarget(argv) {
  const index = argv.indexOf('--target');
  if (index < 0 || !argv[index + 1]) {
    throw new Error('usage: node interop.js --target HOST:PORT');
  }
  return argv[index + 1];
}

function loadPackage(root, file) {
  const definition = protoLoader.loadSync(file, {
    includeDirs: [root],
    keepCase: false,
    longs: Number,
    enums: String,
    defaults: true,
  });
  return grpc.loadPackageDefinition(definition);
}

function deadlineIn(ms) {
  return new Date(Date.now() + ms);
}

function unary(client, method, request, { metadata = new grpc.Metadata(), timeoutMs = callTimeoutMs } = {}) {
  return new Promise((resolve) => {
    const observed = {};
    const call = client[method](request, metadata, { deadline: deadlineIn(timeoutMs) }, (error, response) => {
      observed.error = error;
      observed.response = response;
    });
    call.on('metadata', (headers) => { observed.headers = headers; });
    call.on('status', (status) => {
      observed.status = status;
      resolve(observed);
    });
  });
}

function readAll(call) {
  return new Promise((resolve) => {
    const messages = [];
    call.on('data', (message) => messages.push(message));
    call.on('error', () => {});
    call.on('status', (status) => resolve({ messages, status }));
  });
}

const statusOf = (observed) => ({ code: observed.status.code, details: observed.status.details });

function buildCases(conformance, health, target) {
  const client = new conformance.ConformanceService(target, grpc.credentials.createInsecure());
  const gzipClient = new conformance.ConformanceService(target, grpc.credentials.createInsecure(), {
    'grpc.default_compression_algorithm': grpc.compressionAlgorithms.gzip,
  });
  const unimplementedClient = new conformance.UnimplementedService(target, grpc.credentials.createInsecure());
  const healthClient = new health.Health(target, grpc.credentials.createInsecure());

  return {
    async empty_unary() {
      const observed = await unary(client, 'EmptyCall', {});
      return { ...statusOf(observed), response_fields: observed.response ? Object.keys(observed.response).length : null };
    },

    async large_unary() {
      const observed = await unary(client, 'UnaryCall', { responseSize: 314159, payload: Buffer.alloc(271828) });
      return {
        ...statusOf(observed),
        response_payload_size: observed.response?.payload.length ?? null,
        server_received_payload_size: observed.response?.receivedPayloadSize ?? null,
      };
    },

    async client_compressed_unary() {
      const observed = await unary(gzipClient, 'UnaryCall', {
        responseSize: 314159, payload: Buffer.alloc(271828), expectCompressed: true,
      });
      return {
        ...statusOf(observed),
        server_received_compressed: observed.response?.receivedCompressed ?? null,
        server_received_payload_size: observed.response?.receivedPayloadSize ?? null,
      };
    },

    async server_compressed_unary() {
      const observed = await unary(client, 'UnaryCall', { responseSize: 314159, responseCompressed: true });
      return { ...statusOf(observed), response_payload_size: observed.response?.payload.length ?? null };
    },

    async custom_metadata() {
      const metadata = new grpc.Metadata();
      metadata.set('x-grpc-test-echo-initial', 'test_initial_metadata_value');
      metadata.set('x-grpc-test-echo-trailing-bin', Buffer.from([0xab, 0xab, 0xab]));
      const observed = await unary(client, 'UnaryCall', { responseSize: 314159, payload: Buffer.alloc(271828) }, { metadata });
      const trailing = observed.status.metadata.get('x-grpc-test-echo-trailing-bin')[0];
      return {
        ...statusOf(observed),
        initial_value: observed.headers?.get('x-grpc-test-echo-initial')[0] ?? null,
        trailing_bin_hex: trailing ? Buffer.from(trailing).toString('hex') : null,
      };
    },

    async status_code_and_message() {
      const observed = await unary(client, 'UnaryCall', { responseStatus: { code: 2, message: 'test status message' } });
      return statusOf(observed);
    },

    async special_status_message() {
      const observed = await unary(client, 'UnaryCall', { responseStatus: { code: 2, message: specialStatusMessage } });
      return { ...statusOf(observed), matches: observed.status.details === specialStatusMessage };
    },

    async unimplemented_method() {
      const observed = await new Promise((resolve) => {
        client.makeUnaryRequest('/conformance.v1.ConformanceService/UnimplementedCall',
          (value) => value, (value) => value, Buffer.alloc(0), new grpc.Metadata(),
          { deadline: deadlineIn(callTimeoutMs) }, (error) => resolve(error ?? { code: 0, details: '' }));
      });
      return { code: observed.code, details: observed.details };
    },

    async unimplemented_service() {
      const observed = await unary(unimplementedClient, 'UnimplementedCall', {});
      return statusOf(observed);
    },

    async deadline_exceeded() {
      const observed = await unary(client, 'UnaryCall', { sleepMs: 60_000 }, { timeoutMs: 500 });
      return statusOf(observed);
    },

    async handler_exception() {
      const observed = await unary(client, 'UnaryCall', { throwException: true });
      return statusOf(observed);
    },

    async cancellation() {
      const key = `node-${process.pid}-${Date.now()}`;
      const call = client.WaitForCancellation({ key }, new grpc.Metadata(), { deadline: deadlineIn(callTimeoutMs) }, () => {});
      const status = new Promise((resolve) => call.on('status', resolve));
      // Cancel once the server has the call: at its response headers, or after a grace period.
      await new Promise((resolve) => {
        call.on('metadata', resolve);
        setTimeout(resolve, 10_000);
      });
      call.cancel();
      const clientCode = (await status).code;
      // The server answers once the handler for `key` saw cancellation (it waits up to 30 s).
      const probe = await unary(client, 'WasCancelled', { key }, { timeoutMs: 60_000 });
      const serverSawCancellation = probe.response?.cancelled === true;
      return { client_code: clientCode, server_saw_cancellation: serverSawCancellation };
    },

    async server_streaming() {
      const call = client.StreamingOutputCall({ responseSizes: [31415, 9, 2653, 58979] }, new grpc.Metadata(),
        { deadline: deadlineIn(callTimeoutMs) });
      const { messages, status } = await readAll(call);
      return { code: status.code, details: status.details, response_sizes: messages.map((m) => m.payload.length) };
    },

    async bidi_streaming() {
      // Ping-pong: each request is sent only after the previous response arrived.
      const call = client.FullDuplexCall(new grpc.Metadata(), { deadline: deadlineIn(callTimeoutMs) });
      const requestSizes = [31415, 9, 2653, 58979];
      const sizes = [];
      const status = new Promise((resolve) => call.on('status', resolve));
      call.on('error', () => {});
      await new Promise((resolve) => {
        let sent = 0;
        const sendNext = () => {
          if (sent === requestSizes.length) {
            call.end();
            resolve();
            return;
          }
          call.write({ responseSizes: [requestSizes[sent]] });
          sent += 1;
        };
        call.on('data', (message) => { sizes.push(message.payload.length); sendNext(); });
        call.on('status', resolve);
        sendNext();
      });
      const final = await status;
      return { code: final.code, details: final.details, response_sizes: sizes };
    },

    async health_check() {
      const observed = await unary(healthClient, 'Check', { service: '' });
      return { ...statusOf(observed), serving_status: observed.response?.status ?? null };
    },

    async health_check_unknown_service() {
      const observed = await unary(healthClient, 'Check', { service: 'no.such.Service' });
      return statusOf(observed);
    },
  };
}

async function main() {
  const target = parseTarget(process.argv);
  const conformance = loadPackage(path.join(repoRoot, 'tests', 'protos'), 'conformance/v1/conformance.proto').conformance.v1;
  const health = loadPackage(path.join(repoRoot, 'protos'), 'grpc/health/v1/health.proto').grpc.health.v1;
  const cases = buildCases(conformance, health, target);
  const results = {};
  for (const [name, run] of Object.entries(cases)) {
    try {
      results[name] = await run();
    } catch (error) {
      results[name] = { error: String(error?.stack ?? error) };
    }
  }
  const version = require('@grpc/grpc-js/package.json').version;
  process.stdout.write(`${JSON.stringify({ client: `grpc-js ${version}`, cases: results })}\n`);
  process.exit(0);
}

main().catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(2);
});
