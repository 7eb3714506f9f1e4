using System.Buffers;
using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using IdentitySharing.GrpcServer;
using IdentitySharing.GrpcServer.Health.V1;
using IdentitySharing.GrpcServer.Internal;
using Microsoft.AspNetCore.Http.Features;

namespace IdentitySharing.Benchmarks;

/// <summary>
/// Reading one request frame and writing one response frame through the framing code, over
/// reusable in-memory pipes so that only what the framing allocates is measured. The read
/// allocates the parsed message (and its strings); the write should allocate nothing.
/// </summary>
[MemoryDiagnoser]
public class FramingBenchmarks
{
    private static readonly HealthCheckRequest EmptyRequest = new();
    private static readonly HealthCheckRequest NamedRequest = new() { Service = "identitysharing.v1.IdentitySharingService" };
    private static readonly HealthCheckResponse Response = new() { Status = HealthCheckResponse.Types.ServingStatus.Serving };

    private readonly ReplayPipeReader _emptyRequestBody = new(Frame(EmptyRequest));
    private readonly ReplayPipeReader _namedRequestBody = new(Frame(NamedRequest));
    private readonly ResettablePipeWriter _responseBody = new(64);
    private ServerCallContext _emptyCall = null!;
    private ServerCallContext _namedCall = null!;

    [GlobalSetup]
    public void Setup()
    {
        _emptyCall = CallReading(_emptyRequestBody);
        _namedCall = CallReading(_namedRequestBody);
    }

    [Benchmark(Description = "read frame: empty HealthCheckRequest")]
    public HealthCheckRequest ReadEmptyRequest()
    {
        _emptyRequestBody.Reset();
        return MessageReader.ReadSingleAsync(_emptyCall, HealthCheckRequest.Parser).Result;
    }

    [Benchmark(Description = "read frame: HealthCheckRequest with a 41-char service name")]
    public HealthCheckRequest ReadNamedRequest()
    {
        _namedRequestBody.Reset();
        return MessageReader.ReadSingleAsync(_namedCall, HealthCheckRequest.Parser).Result;
    }

    [Benchmark(Description = "write frame: HealthCheckResponse")]
    public int WriteResponse()
    {
        _responseBody.Reset();
        MessageWriter.Write(_responseBody, Response, compression: null, maxSendMessageSize: null);
        return _responseBody.Written;
    }

    private static ServerCallContext CallReading(PipeReader body)
    {
        var httpContext = new DefaultHttpContext();
        httpContext.Features.Set<IRequestBodyPipeFeature>(new RequestBodyPipeFeature(body));
        var check = HealthReflection.Descriptor.Services[0].FindMethodByName("Check");
        var method = new UnaryMethod<HealthCheckRequest, HealthCheckResponse>(check, HealthCheckRequest.Parser, (_, _) => Task.FromResult(Response));
        return new ServerCallContext(httpContext, method, new GrpcServerOptions());
    }

    private static byte[] Frame(IMessage message)
    {
        var payload = message.ToByteArray();
        var frame = new byte[5 + payload.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    private sealed class RequestBodyPipeFeature(PipeReader reader) : IRequestBodyPipeFeature
    {
        public PipeReader Reader { get; } = reader;
    }

    /// <summary>A complete request body that can be read again after <see cref="Reset"/>; reads complete synchronously.</summary>
    private sealed class ReplayPipeReader(byte[] body) : PipeReader
    {
        private readonly ReadOnlySequence<byte> _body = new(body);
        private ReadOnlySequence<byte> _remaining;

        public void Reset() => _remaining = _body;

        public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default) =>
            new(new ReadResult(_remaining, isCanceled: false, isCompleted: true));

        public override bool TryRead(out ReadResult result)
        {
            result = new ReadResult(_remaining, isCanceled: false, isCompleted: true);
            return true;
        }

        public override void AdvanceTo(SequencePosition consumed) => _remaining = _remaining.Slice(consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => AdvanceTo(consumed);

        public override void CancelPendingRead()
        {
        }

        public override void Complete(Exception? exception = null)
        {
        }
    }

    /// <summary>A response body over one fixed buffer, emptied by <see cref="Reset"/>.</summary>
    private sealed class ResettablePipeWriter(int capacity) : PipeWriter
    {
        private readonly byte[] _buffer = new byte[capacity];

        public int Written { get; private set; }

        public void Reset() => Written = 0;

        public override void Advance(int bytes) => Written += bytes;

        public override Memory<byte> GetMemory(int sizeHint = 0) => _buffer.AsMemory(Written);

        public override Span<byte> GetSpan(int sizeHint = 0) => _buffer.AsSpan(Written);

        public override void CancelPendingFlush()
        {
        }

        public override void Complete(Exception? exception = null)
        {
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => new(new FlushResult(false, false));
    }
}
