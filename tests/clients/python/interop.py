#!/usr/bin/python3
"""Runs the grpc interop cases with Python grpcio against a conformance server.

Stubs are generated at start-up (stubs.py) into a temporary directory. Prints what it
observed as one JSON object on stdout:
{"client": ..., "cases": {name: {...observations}}}; the C# tests judge the observations
(a case that raises reports {"error": message}).
Usage: /usr/bin/python3 interop.py --target 127.0.0.1:PORT
"""

import argparse
import importlib
import json
import os
import queue
import sys
import threading
import time
import traceback

import grpc

import stubs

CALL_TIMEOUT_S = 30
SPECIAL_STATUS_MESSAGE = "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \U0001f608\t\n"


def status_of(error):
    return {"code": error.code().value[0], "details": error.details()}


def ok():
    return {"code": grpc.StatusCode.OK.value[0], "details": ""}


class Cases:
    def __init__(self, channel, gzip_channel, pb, pb_grpc, health_pb, health_grpc):
        self.pb = pb
        self.stub = pb_grpc.ConformanceServiceStub(channel)
        self.gzip_stub = pb_grpc.ConformanceServiceStub(gzip_channel)
        self.unimplemented_stub = pb_grpc.UnimplementedServiceStub(channel)
        self.health_pb = health_pb
        self.health_stub = health_grpc.HealthStub(channel)
        self.channel = channel

    def all(self):
        return {name: getattr(self, name) for name in [
            "empty_unary", "large_unary", "client_compressed_unary", "server_compressed_unary",
            "custom_metadata", "status_code_and_message", "special_status_message",
            "unimplemented_method", "unimplemented_service", "deadline_exceeded", "handler_exception",
            "cancellation", "server_streaming", "bidi_streaming", "health_check",
            "health_check_unknown_service"]}

    def empty_unary(self):
        response = self.stub.EmptyCall(self.pb.Empty(), timeout=CALL_TIMEOUT_S)
        return {**ok(), "response_fields": len(response.ListFields())}

    def large_unary(self):
        response = self.stub.UnaryCall(
            self.pb.SimpleRequest(response_size=314159, payload=bytes(271828)), timeout=CALL_TIMEOUT_S)
        return {**ok(), "response_payload_size": len(response.payload),
                "server_received_payload_size": response.received_payload_size}

    def client_compressed_unary(self):
        response = self.stub.UnaryCall(
            self.pb.SimpleRequest(response_size=314159, payload=bytes(271828), expect_compressed=True),
            timeout=CALL_TIMEOUT_S, compression=grpc.Compression.Gzip)
        return {**ok(), "server_received_compressed": response.received_compressed,
                "server_received_payload_size": response.received_payload_size}

    def server_compressed_unary(self):
        response = self.stub.UnaryCall(
            self.pb.SimpleRequest(response_size=314159, response_compressed=True), timeout=CALL_TIMEOUT_S)
        return {**ok(), "response_payload_size": len(response.payload)}

    def custom_metadata(self):
        metadata = (("x-grpc-test-echo-initial", "test_initial_metadata_value"),
                    ("x-grpc-test-echo-trailing-bin", b"\xab\xab\xab"))
        _, call = self.stub.UnaryCall.with_call(
            self.pb.SimpleRequest(response_size=314159, payload=bytes(271828)),
            metadata=metadata, timeout=CALL_TIMEOUT_S)
        initial = dict(call.initial_metadata())
        trailing = dict(call.trailing_metadata())
        trailing_bin = trailing.get("x-grpc-test-echo-trailing-bin")
        return {**ok(), "initial_value": initial.get("x-grpc-test-echo-initial"),
                "trailing_bin_hex": trailing_bin.hex() if trailing_bin is not None else None}

    def _unary_status(self, request, **kwargs):
        try:
            self.stub.UnaryCall(request, timeout=kwargs.pop("timeout", CALL_TIMEOUT_S), **kwargs)
            return ok()
        except grpc.RpcError as error:
            return status_of(error)

    def status_code_and_message(self):
        return self._unary_status(self.pb.SimpleRequest(
            response_status=self.pb.EchoStatus(code=2, message="test status message")))

    def special_status_message(self):
        observed = self._unary_status(self.pb.SimpleRequest(
            response_status=self.pb.EchoStatus(code=2, message=SPECIAL_STATUS_MESSAGE)))
        return {**observed, "matches": observed["details"] == SPECIAL_STATUS_MESSAGE}

    def unimplemented_method(self):
        call = self.channel.unary_unary("/conformance.v1.ConformanceService/UnimplementedCall",
                                        request_serializer=None, response_deserializer=None)
        try:
            call(b"", timeout=CALL_TIMEOUT_S)
            return ok()
        except grpc.RpcError as error:
            return status_of(error)

    def unimplemented_service(self):
        try:
            self.unimplemented_stub.UnimplementedCall(self.pb.Empty(), timeout=CALL_TIMEOUT_S)
            return ok()
        except grpc.RpcError as error:
            return status_of(error)

    def deadline_exceeded(self):
        return self._unary_status(self.pb.SimpleRequest(sleep_ms=60_000), timeout=0.5)

    def handler_exception(self):
        return self._unary_status(self.pb.SimpleRequest(throw_exception=True))

    def cancellation(self):
        key = f"python-{os.getpid()}-{time.time_ns()}"
        future = self.stub.WaitForCancellation.future(
            self.pb.CancellationProbeRequest(key=key), timeout=CALL_TIMEOUT_S)
        # Cancel once the server has the call: at its response headers, or after a grace period.
        headers = threading.Thread(target=future.initial_metadata, daemon=True)
        headers.start()
        headers.join(10)
        future.cancel()
        client_code = future.code().value[0]
        # The server answers once the handler for `key` saw cancellation (it waits up to 30 s).
        probe = self.stub.WasCancelled(self.pb.CancellationProbeRequest(key=key), timeout=60)
        server_saw_cancellation = probe.cancelled
        return {"client_code": client_code, "server_saw_cancellation": server_saw_cancellation}

    def server_streaming(self):
        responses = self.stub.StreamingOutputCall(
            self.pb.StreamingOutputCallRequest(response_sizes=[31415, 9, 2653, 58979]), timeout=CALL_TIMEOUT_S)
        sizes = [len(response.payload) for response in responses]
        return {**ok(), "response_sizes": sizes}

    def bidi_streaming(self):
        # Ping-pong: each request is sent only after the previous response arrived.
        request_sizes = [31415, 9, 2653, 58979]
        requests = queue.Queue()

        def request_iterator():
            while True:
                request = requests.get()
                if request is None:
                    return
                yield request

        responses = self.stub.FullDuplexCall(request_iterator(), timeout=CALL_TIMEOUT_S)
        sizes = []
        try:
            for size in request_sizes:
                requests.put(self.pb.StreamingOutputCallRequest(response_sizes=[size]))
                sizes.append(len(next(responses).payload))
        finally:
            requests.put(None)
        remaining = list(responses)
        return {**ok(), "response_sizes": sizes + [len(response.payload) for response in remaining]}

    def health_check(self):
        response = self.health_stub.Check(self.health_pb.HealthCheckRequest(service=""), timeout=CALL_TIMEOUT_S)
        name = self.health_pb.HealthCheckResponse.ServingStatus.Name(response.status)
        return {**ok(), "serving_status": name}

    def health_check_unknown_service(self):
        try:
            self.health_stub.Check(self.health_pb.HealthCheckRequest(service="no.such.Service"), timeout=CALL_TIMEOUT_S)
            return ok()
        except grpc.RpcError as error:
            return status_of(error)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", required=True, help="HOST:PORT of a plaintext gRPC server")
    args = parser.parse_args()

    # health.proto lives under grpc/..., which would shadow the grpcio package: it is compiled
    # from a copy under a neutral path (the proto package, and so the wire names, stay grpc.health.v1).
    health_proto = os.path.join(stubs.PROTOS, "grpc", "health", "v1", "health.proto")
    with stubs.generated_stubs("grpc-python-stubs-", [stubs.TEST_PROTOS], ["conformance/v1/conformance.proto"],
                               relocated_protos={"health_v1/health.proto": health_proto}):
        pb = importlib.import_module("conformance.v1.conformance_pb2")
        pb_grpc = importlib.import_module("conformance.v1.conformance_pb2_grpc")
        health_pb = importlib.import_module("health_v1.health_pb2")
        health_grpc = importlib.import_module("health_v1.health_pb2_grpc")

        results = {}
        with grpc.insecure_channel(args.target) as channel, \
                grpc.insecure_channel(args.target, compression=grpc.Compression.Gzip) as gzip_channel:
            cases = Cases(channel, gzip_channel, pb, pb_grpc, health_pb, health_grpc)
            for name, run in cases.all().items():
                try:
                    results[name] = run()
                except grpc.RpcError as error:
                    results[name] = {**status_of(error), "error": f"unexpected status: {error.details()}"}
                except Exception:  # noqa: BLE001 - every failure is reported, the run goes on
                    results[name] = {"error": traceback.format_exc()}

    print(json.dumps({"client": f"grpcio {grpc.__version__}", "cases": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
