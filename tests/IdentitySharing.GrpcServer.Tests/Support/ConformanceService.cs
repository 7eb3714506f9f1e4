using System.Collections.Concurrent;
using Google.Protobuf;
using IdentitySharing.GrpcServer.Tests.Conformance.V1;
using Microsoft.AspNetCore.Routing;

namespace IdentitySharing.GrpcServer.Tests.Support;

/// <summary>
/// The test-only <c>conformance.v1.ConformanceService</c> (tests/protos/conformance/v1), modelled
/// on the grpc interop server. See the proto for what each field asks the server to do.
/// </summary>
public sealed class ConformanceService
{
    public const string EchoInitialHeader = "x-grpc-test-echo-initial";
    public const string EchoTrailingBinHeader = "x-grpc-test-echo-trailing-bin";

    /// <summary>The message of the plain exception thrown for <c>throw_exception</c>; it must not reach clients.</summary>
    public const string ThrownExceptionMessage = "conformance handler failure";

    // How long WasCancelled waits for the probed handler to observe cancellation.
    private static readonly TimeSpan ProbeWait = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, TaskCompletionSource> _cancellations = new(StringComparer.Ordinal);

    public static Google.Protobuf.Reflection.ServiceDescriptor Descriptor =>
        ConformanceReflection.Descriptor.FindTypeByName<Google.Protobuf.Reflection.ServiceDescriptor>("ConformanceService");

    public void Map(IEndpointRouteBuilder endpoints) => endpoints.MapGrpcService(Descriptor, service => service
        .Unary<Empty, Empty>("EmptyCall", (_, _) => Task.FromResult(new Empty()))
        .Unary<SimpleRequest, SimpleResponse>("UnaryCall", UnaryCallAsync)
        .ServerStreaming<StreamingOutputCallRequest, StreamingOutputCallResponse>("StreamingOutputCall", StreamingOutputCallAsync)
        .ClientStreaming<StreamingInputCallRequest, StreamingInputCallResponse>("StreamingInputCall", StreamingInputCallAsync)
        .DuplexStreaming<StreamingOutputCallRequest, StreamingOutputCallResponse>("FullDuplexCall", FullDuplexCallAsync)
        .Unary<CancellationProbeRequest, Empty>("WaitForCancellation", WaitForCancellationAsync)
        .Unary<CancellationProbeRequest, CancellationProbeResponse>("WasCancelled", WasCancelledAsync));

    private static async Task<SimpleResponse> UnaryCallAsync(SimpleRequest request, ServerCallContext context)
    {
        if (request.ThrowException)
        {
            throw new InvalidOperationException(ThrownExceptionMessage);
        }

        if (request.ExpectCompressed && !context.RequestMessageCompressed)
        {
            throw new RpcException(StatusCode.InvalidArgument, "Expected a compressed request message.");
        }

        if (context.GetRequestHeader(EchoInitialHeader) is { } initial)
        {
            await context.WriteResponseHeadersAsync([new(EchoInitialHeader, initial)]);
        }

        if (context.GetRequestHeader(EchoTrailingBinHeader) is { } trailing)
        {
            context.ResponseTrailers.Add(new(EchoTrailingBinHeader, trailing));
        }

        if (request.SleepMs > 0)
        {
            await Task.Delay(request.SleepMs, context.CancellationToken);
        }

        if (request.ResponseStatusDetails)
        {
            ThrowStatusWithDetails(request.ResponseStatus);
        }

        ThrowIfStatusRequested(request.ResponseStatus);
        if (request.ResponseCompressed)
        {
            context.ResponseCompressionAlgorithm = "gzip";
        }

        return new SimpleResponse
        {
            Payload = ByteString.CopyFrom(new byte[request.ResponseSize]),
            ReceivedPayloadSize = request.Payload.Length,
            ReceivedCompressed = context.RequestMessageCompressed,
        };
    }

    private static async Task StreamingOutputCallAsync(
        StreamingOutputCallRequest request, IServerStreamWriter<StreamingOutputCallResponse> responses, ServerCallContext context)
    {
        await WriteResponsesAsync(request, responses, context);
        ThrowIfStatusRequested(request.ResponseStatus);
    }

    private static async Task<StreamingInputCallResponse> StreamingInputCallAsync(
        IAsyncStreamReader<StreamingInputCallRequest> requests, ServerCallContext context)
    {
        var total = 0;
        while (await requests.MoveNext())
        {
            total += requests.Current.Payload.Length;
        }

        return new StreamingInputCallResponse { AggregatedPayloadSize = total };
    }

    private static async Task FullDuplexCallAsync(
        IAsyncStreamReader<StreamingOutputCallRequest> requests, IServerStreamWriter<StreamingOutputCallResponse> responses, ServerCallContext context)
    {
        while (await requests.MoveNext())
        {
            await WriteResponsesAsync(requests.Current, responses, context);
            ThrowIfStatusRequested(requests.Current.ResponseStatus);
        }
    }

    private async Task<Empty> WaitForCancellationAsync(CancellationProbeRequest request, ServerCallContext context)
    {
        var observed = _cancellations.GetOrAdd(request.Key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

        // Headers first: a client that sees them knows the handler is running and may cancel.
        await context.WriteResponseHeadersAsync([]);
        try
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            observed.TrySetResult();
            throw;
        }

        return new Empty();
    }

    private async Task<CancellationProbeResponse> WasCancelledAsync(CancellationProbeRequest request, ServerCallContext context)
    {
        var observed = _cancellations.GetOrAdd(request.Key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await observed.Task.WaitAsync(ProbeWait, context.CancellationToken);
            return new CancellationProbeResponse { Cancelled = true };
        }
        catch (TimeoutException)
        {
            return new CancellationProbeResponse { Cancelled = false };
        }
    }

    private static async Task WriteResponsesAsync(
        StreamingOutputCallRequest request, IServerStreamWriter<StreamingOutputCallResponse> responses, ServerCallContext context)
    {
        foreach (var size in request.ResponseSizes)
        {
            if (request.IntervalMs > 0)
            {
                await Task.Delay(request.IntervalMs, context.CancellationToken);
            }

            await responses.WriteAsync(new StreamingOutputCallResponse { Payload = ByteString.CopyFrom(new byte[size]) });
        }
    }

    private static void ThrowStatusWithDetails(EchoStatus? status)
    {
        var code = (StatusCode)(status?.Code ?? (int)StatusCode.Unknown);
        var details = new Google.Rpc.Status { Code = (int)StatusCode.Internal, Message = "a different message" };
        details.Details.Add(Google.Protobuf.WellKnownTypes.Any.Pack(new Google.Rpc.BadRequest
        {
            FieldViolations = { new Google.Rpc.BadRequest.Types.FieldViolation { Field = "payload", Description = "conformance detail" } },
        }));
        throw new RpcException(code, status?.Message ?? string.Empty, details);
    }

    private static void ThrowIfStatusRequested(EchoStatus? status)
    {
        if (status is { Code: not 0 })
        {
            throw new RpcException((StatusCode)status.Code, status.Message);
        }
    }
}
