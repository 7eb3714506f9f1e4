#!/usr/bin/env node
// Calls one IdentitySharingService RPC with @grpc/grpc-js, the contract loaded from
// protos/identitysharing/v1/identity_sharing.proto by @grpc/proto-loader, and prints what it
// observed as one JSON object on stdout:
//   {"client", "method", "code", "code_name", "message", "response", "details"}
// where details decodes the google.rpc.Status in grpc-status-details-bin (bad_request,
// error_info, retry_info; other detail types by type URL). The C# tests judge the output.
// Usage: node identity_client.js --target HOST:PORT --method GenerateShareToken
//          --request '{"applicant_id": "..."}' [--timeout-ms 30000]
//          [--ca CA.pem [--cert CLIENT.pem --key CLIENT.key]]
// Plaintext (h2c) unless --ca is given; then TLS verified against that CA, presenting the
// client certificate when --cert and --key are given (mTLS).
// Request JSON uses the proto field names (snake_case).
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
// The protobufjs that @grpc/proto-loader itself uses, to decode google.rpc.Status.
const protobuf = require(require.resolve('protobufjs', { paths: [path.dirname(require.resolve('@grpc/proto-loader'))] }));

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const methods = ['GenerateShareToken', 'ImportApplicant', 'ShareWithBanxa'];
const statusDetailsKey = 'grpc-status-details-bin';
const typeUrlPrefix = 'type.googleapis.com/';

function parseArguments(argv) {
  const options = { timeoutMs: 30_000 };
  for (let index = 2; index < argv.length; index += 2) {
    const [name, value] = [argv[index], argv[index + 1]];
    if (value === undefined) {
      throw new Error(`${name} needs a value`);
    }
    switch (name) {
      case '--target': options.target = value; break;
      case '--method': options.method = value; break;
      case '--request': options.request = JSON.parse(value); break;
      case '--timeout-ms': options.timeoutMs = Number(value); break;
      case '--ca': options.ca = value; break;
      case '--cert': options.cert = value; break;
      case '--key': options.key = value; break;
      default: throw new Error(`unknown option ${name}`);
    }
  }
  if (!options.target || !methods.includes(options.method) || options.request === undefined
      || (options.cert === undefined) !== (options.key === undefined) || (options.cert !== undefined && options.ca === undefined)) {
    throw new Error(`usage: node identity_client.js --target HOST:PORT --method ${methods.join('|')} --request JSON [--timeout-ms N]`
      + ' [--ca PEM [--cert PEM --key PEM]]');
  }
  return options;
}

function loadService() {
  const definition = protoLoader.loadSync('identitysharing/v1/identity_sharing.proto', {
    includeDirs: [path.join(repoRoot, 'protos')],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
  });
  return grpc.loadPackageDefinition(definition).identitysharing.v1.IdentitySharingService;
}

function loadStatusTypes() {
  const root = new protobuf.Root();
  const include = path.join(repoRoot, 'tests', 'protos');
  // google/protobuf/* come bundled with protobufjs; google/rpc/* from the vendored copies.
  root.resolvePath = (_origin, target) => path.join(include, target);
  root.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto'], { keepCase: true });
  return root;
}

// google.protobuf.Timestamp as proto3 JSON (RFC 3339, UTC); proto-loader yields {seconds, nanos}.
function toJson(value) {
  if (Array.isArray(value)) {
    return value.map(toJson);
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 2 && keys.includes('seconds') && keys.includes('nanos')) {
      return new Date(Number(value.seconds) * 1000 + Math.floor(value.nanos / 1e6)).toISOString();
    }
    return Object.fromEntries(keys.map((key) => [key, toJson(value[key])]));
  }
  return value;
}

function durationSeconds(duration) {
  return duration ? Number(duration.seconds ?? 0) + (duration.nanos ?? 0) / 1e9 : null;
}

function decodeDetails(root, metadata) {
  const encoded = metadata?.get(statusDetailsKey)?.[0];
  if (!encoded) {
    return null;
  }
  const status = root.lookupType('google.rpc.Status').decode(encoded);
  const details = { status_code: status.code, status_message: status.message, other_types: [] };
  for (const any of status.details) {
    const typeName = any.type_url.startsWith(typeUrlPrefix) ? any.type_url.slice(typeUrlPrefix.length) : any.type_url;
    switch (typeName) {
      case 'google.rpc.BadRequest': {
        const badRequest = root.lookupType(typeName).decode(any.value);
        details.bad_request = {
          field_violations: badRequest.field_violations.map((v) => ({ field: v.field, description: v.description })),
        };
        break;
      }
      case 'google.rpc.ErrorInfo': {
        const info = root.lookupType(typeName).decode(any.value);
        details.error_info = { reason: info.reason, domain: info.domain, metadata: { ...info.metadata } };
        break;
      }
      case 'google.rpc.RetryInfo': {
        const retry = root.lookupType(typeName).decode(any.value);
        details.retry_info = { retry_delay_seconds: durationSeconds(retry.retry_delay) };
        break;
      }
      default:
        details.other_types.push(any.type_url);
    }
  }
  return details;
}

function credentials(options) {
  if (options.ca === undefined) {
    return grpc.credentials.createInsecure();
  }
  const readOptional = (file) => (file === undefined ? null : fs.readFileSync(file));
  return grpc.credentials.createSsl(fs.readFileSync(options.ca), readOptional(options.key), readOptional(options.cert));
}

function call(client, method, request, timeoutMs) {
  return new Promise((resolve) => {
    client[method](request, new grpc.Metadata(), { deadline: new Date(Date.now() + timeoutMs) }, (error, response) => {
      resolve({ error, response });
    });
  });
}

async function main() {
  const options = parseArguments(process.argv);
  const Service = loadService();
  const statusTypes = loadStatusTypes();
  const client = new Service(options.target, credentials(options));
  const codeNames = Object.fromEntries(Object.entries(grpc.status).map(([name, code]) => [code, name]));

  const { error, response } = await call(client, options.method, options.request, options.timeoutMs);
  client.close();
  const code = error ? error.code : grpc.status.OK;
  const result = {
    client: `grpc-js ${require('@grpc/grpc-js/package.json').version}`,
    method: options.method,
    code,
    code_name: codeNames[code] ?? String(code),
    message: error ? error.details : '',
    response: error ? null : toJson(response),
    details: error ? decodeDetails(statusTypes, error.metadata) : null,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(2);
});
