using Google.Protobuf.Reflection;
using IdentitySharing.GrpcServer.Reflection.V1;
using IdentitySharing.GrpcServer.Tests.Support;
using V1Alpha = IdentitySharing.GrpcServer.Reflection.V1Alpha;

namespace IdentitySharing.GrpcServer.Tests.Reflection;

public sealed class ReflectionServiceTests(ReflectionHealthServer server) : IClassFixture<ReflectionHealthServer>, IDisposable
{
    private const string V1Path = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo";
    private const string V1AlphaPath = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";

    private static readonly string[] MappedServices =
    [
        "reflectiontest.v1.ProbeService",
        "grpc.health.v1.Health",
        "grpc.reflection.v1.ServerReflection",
        "grpc.reflection.v1alpha.ServerReflection",
    ];

    private readonly H2cGrpcClient _client = new(server.Address);

    [Fact]
    public async Task V1_lists_every_mapped_service_including_health_and_reflection()
    {
        var (response, status, _) = await _client.UnaryAsync(V1Path, new ServerReflectionRequest { ListServices = "" },
            ServerReflectionResponse.Parser, TestContext.Current.CancellationToken);

        status.Should().Be(StatusCode.OK);
        response!.ListServicesResponse.Service.Select(service => service.Name).Should().BeEquivalentTo(MappedServices);
    }

    [Fact]
    public async Task V1alpha_lists_the_same_services()
    {
        var (response, status, _) = await _client.UnaryAsync(V1AlphaPath, new V1Alpha.ServerReflectionRequest { ListServices = "" },
            V1Alpha.ServerReflectionResponse.Parser, TestContext.Current.CancellationToken);

        status.Should().Be(StatusCode.OK);
        response!.ListServicesResponse.Service.Select(service => service.Name).Should().BeEquivalentTo(MappedServices);
    }

    [Fact]
    public async Task Each_request_is_answered_as_it_arrives_before_the_client_half_closes()
    {
        await using var call = _client.Start(V1Path, ServerReflectionResponse.Parser, TestContext.Current.CancellationToken);

        await call.WriteAsync(new ServerReflectionRequest { Host = "probe-host", FileContainingSymbol = "reflectiontest.v1.ProbeService" });
        var first = await call.ReadAsync();
        first!.ValidHost.Should().Be("probe-host");
        first.OriginalRequest.FileContainingSymbol.Should().Be("reflectiontest.v1.ProbeService");
        FileNames(first.FileDescriptorResponse).Should().BeEquivalentTo(
            "reflectiontest/v1/probe.proto", "reflectiontest/v1/shared.proto", "google/protobuf/timestamp.proto",
            "google/protobuf/empty.proto", "google/protobuf/descriptor.proto");

        await call.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = "reflectiontest.v1.Missing" });
        var second = await call.ReadAsync();
        second!.ErrorResponse.ErrorCode.Should().Be((int)StatusCode.NotFound);

        await call.WriteAsync(new ServerReflectionRequest { FileByFilename = "grpc/health/v1/health.proto" });
        FileNames((await call.ReadAsync())!.FileDescriptorResponse).Should().Equal("grpc/health/v1/health.proto");

        call.CompleteRequests();
        (await call.ReadAsync()).Should().BeNull();
        (await call.ReadStatusAsync()).Should().Be(StatusCode.OK);
    }

    [Fact]
    public async Task V1alpha_resolves_symbols_with_their_dependencies()
    {
        await using var call = _client.Start(V1AlphaPath, V1Alpha.ServerReflectionResponse.Parser, TestContext.Current.CancellationToken);

        await call.WriteAsync(new V1Alpha.ServerReflectionRequest { FileContainingSymbol = "reflectiontest.v1.ProbeRequest.Inner.Depth" });
        var response = await call.ReadAsync();

        response!.FileDescriptorResponse.FileDescriptorProto
            .Select(bytes => FileDescriptorProto.Parser.ParseFrom(bytes).Name)
            .Should().StartWith("reflectiontest/v1/probe.proto").And.Contain("google/protobuf/timestamp.proto");
        call.CompleteRequests();
        (await call.ReadStatusAsync()).Should().Be(StatusCode.OK);
    }

    [Fact]
    public async Task An_open_reflection_stream_ends_cleanly_when_the_host_stops()
    {
        // Raw frames, not HttpClient: this client never half-closes, so HttpClient may still count
        // the stream as active when the server closes the connection right after it, and then fail
        // reads of a response that had already ended with OK (a client-side race, not the server's).
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var stoppingServer = new ReflectionHealthServer();
        await stoppingServer.InitializeAsync();
        await using var connection = await RawHttp2Connection.ConnectAsync(stoppingServer.Address, cancellationToken);
        await connection.SendGrpcHeadersAsync(1, V1Path, metadata: null, endStream: false, cancellationToken);
        await connection.SendDataAsync(1, GrpcFrames.Frame(new ServerReflectionRequest { ListServices = "" }), endStream: false, cancellationToken);
        var answer = await connection.ReadGrpcMessageAsync(1, cancellationToken);
        ServerReflectionResponse.Parser.ParseFrom(answer.Payload).ListServicesResponse.Service.Should().NotBeEmpty();

        var stopping = stoppingServer.StopAsync();
        var afterStop = await connection.ReadUntilAsync(
            frames => frames.Any(frame => frame.StreamId == 1 && (frame.EndStream || frame.Type == Http2FrameType.RstStream))
                && frames.Any(frame => frame.Type == Http2FrameType.GoAway),
            cancellationToken);

        // Its call over and GOAWAY received, the client goes away, as HttpClient and gRPC clients do.
        // (Kestrel notices an idle connection during shutdown only when the client acts, so a client
        // that stayed connected would keep the host waiting until its shutdown timeout.)
        await connection.DisposeAsync();
        await stopping;

        // The open stream ended with OK trailers: nothing reset it first, and the GOAWAY counts it as
        // processed. Had it held up shutdown, no trailers would come until the host's shutdown
        // timeout aborted the connection.
        var stream = afterStop.Where(frame => frame.StreamId == 1).ToList();
        var trailers = stream.Should().ContainSingle(frame => frame.Type == Http2FrameType.Headers).Subject;
        trailers.EndStream.Should().BeTrue();
        trailers.Field("grpc-status").Should().Be("0");
        stream.Take(stream.IndexOf(trailers)).Should().NotContain(
            frame => frame.Type == Http2FrameType.RstStream || frame.Type == Http2FrameType.Data,
            "no more messages were asked for, and nothing may end the stream before its trailers");
        stream.Should().NotContain(frame => frame.Type == Http2FrameType.RstStream && frame.ErrorCode != 0);
        afterStop.Where(frame => frame.Type == Http2FrameType.GoAway).Should().AllSatisfy(goAway =>
        {
            goAway.ErrorCode.Should().Be(0);
            goAway.LastStreamId.Should().BeGreaterThanOrEqualTo(1);
        });
    }

    public void Dispose() => _client.Dispose();

    private static IEnumerable<string> FileNames(FileDescriptorResponse files) =>
        files.FileDescriptorProto.Select(bytes => FileDescriptorProto.Parser.ParseFrom(bytes).Name);
}
