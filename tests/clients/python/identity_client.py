#!/usr/bin/python3
"""Calls one IdentitySharingService RPC with Python grpcio and prints what it observed.

Stubs are generated at start-up (stubs.py) from protos/identitysharing/v1/identity_sharing.proto,
and the google.rpc status types from the vendored tests/protos/google/rpc (Debian's grpcio
ships neither grpc_status nor google.rpc).
Prints one JSON object on stdout:
  {"client", "method", "code", "code_name", "message", "response", "details"}
where details decodes the google.rpc.Status from the grpc-status-details-bin trailer
(bad_request, error_info, retry_info; other detail types by type URL). The C# tests judge it.
Usage: /usr/bin/python3 identity_client.py --target HOST:PORT --method GenerateShareToken
         --request '{"applicant_id": "..."}' [--timeout-ms 30000]
         [--ca CA.pem [--cert CLIENT.pem --key CLIENT.key]]
Request JSON uses the proto field names (snake_case); unknown fields are an error.
"""

import argparse
import importlib
import json
import sys

import grpc
from google.protobuf import json_format

import stubs

METHODS = ("GenerateShareToken", "ImportApplicant", "ShareWithBanxa")
STATUS_DETAILS_KEY = "grpc-status-details-bin"


def message_to_json(message):
    """proto3 JSON with proto field names and every field, defaults included."""
    try:
        return json_format.MessageToDict(message, preserving_proto_field_name=True,
                                         including_default_value_fields=True)
    except TypeError:  # protobuf 26 and later renamed the option
        return json_format.MessageToDict(message, preserving_proto_field_name=True,
                                         always_print_fields_with_no_presence=True)


def decode_details(trailing_metadata, status_pb, details_pb):
    encoded = next((value for key, value in trailing_metadata or () if key == STATUS_DETAILS_KEY), None)
    if encoded is None:
        return None
    status = status_pb.Status.FromString(encoded)
    details = {"status_code": status.code, "status_message": status.message, "other_types": []}
    for any_detail in status.details:
        if any_detail.Is(details_pb.BadRequest.DESCRIPTOR):
            bad_request = details_pb.BadRequest()
            any_detail.Unpack(bad_request)
            details["bad_request"] = {"field_violations": [
                {"field": v.field, "description": v.description} for v in bad_request.field_violations]}
        elif any_detail.Is(details_pb.ErrorInfo.DESCRIPTOR):
            info = details_pb.ErrorInfo()
            any_detail.Unpack(info)
            details["error_info"] = {"reason": info.reason, "domain": info.domain, "metadata": dict(info.metadata)}
        elif any_detail.Is(details_pb.RetryInfo.DESCRIPTOR):
            retry = details_pb.RetryInfo()
            any_detail.Unpack(retry)
            details["retry_info"] = {"retry_delay_seconds": retry.retry_delay.ToTimedelta().total_seconds()}
        else:
            details["other_types"].append(any_detail.type_url)
    return details


def read_file(path):
    if path is None:
        return None
    with open(path, "rb") as file:
        return file.read()


def open_channel(args):
    """Plaintext (h2c) unless --ca is given; then TLS, with a client certificate when --cert is given."""
    if args.ca is None:
        return grpc.insecure_channel(args.target)
    credentials = grpc.ssl_channel_credentials(
        root_certificates=read_file(args.ca), private_key=read_file(args.key), certificate_chain=read_file(args.cert))
    return grpc.secure_channel(args.target, credentials)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", required=True, help="HOST:PORT of the gRPC server")
    parser.add_argument("--method", required=True, choices=METHODS)
    parser.add_argument("--request", required=True, help="the request as JSON, proto field names")
    parser.add_argument("--timeout-ms", type=int, default=30_000)
    parser.add_argument("--ca", help="PEM file of the CA to verify the server against: TLS instead of plaintext")
    parser.add_argument("--cert", help="with --ca: PEM client certificate to present (mTLS)")
    parser.add_argument("--key", help="with --cert: PEM key of the client certificate")
    args = parser.parse_args()
    if (args.cert is None) != (args.key is None) or (args.cert is not None and args.ca is None):
        parser.error("--cert and --key go together, and with --ca")

    with stubs.generated_stubs("identity-python-stubs-", [stubs.PROTOS, stubs.TEST_PROTOS],
                               ["identitysharing/v1/identity_sharing.proto",
                                "google/rpc/status.proto", "google/rpc/error_details.proto"]):
        pb = importlib.import_module("identitysharing.v1.identity_sharing_pb2")
        pb_grpc = importlib.import_module("identitysharing.v1.identity_sharing_pb2_grpc")
        status_pb = importlib.import_module("google.rpc.status_pb2")
        details_pb = importlib.import_module("google.rpc.error_details_pb2")

        request = json_format.Parse(args.request, getattr(pb, f"{args.method}Request")())
        with open_channel(args) as channel:
            rpc = getattr(pb_grpc.IdentitySharingServiceStub(channel), args.method)
            try:
                response, call = rpc.with_call(request, timeout=args.timeout_ms / 1000)
                code, message = grpc.StatusCode.OK, ""
                response_json = message_to_json(response)
                details = None
            except grpc.RpcError as error:
                code, message = error.code(), error.details()
                response_json = None
                details = decode_details(error.trailing_metadata(), status_pb, details_pb)

    print(json.dumps({
        "client": f"grpcio {grpc.__version__}",
        "method": args.method,
        "code": code.value[0],
        "code_name": code.name,
        "message": message,
        "response": response_json,
        "details": details,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
