using Google.Protobuf.Reflection;
using IdentitySharing.GrpcServer.Reflection.V1;
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
        await using var stoppingServer = new ReflectionHealthServer();
        await stoppingServer.InitializeAsync();
        using var client = new H2cGrpcClient(stoppingServer.Address);
        await using var call = client.Start(V1Path, ServerReflectionResponse.Parser, TestContext.Current.CancellationToken);
        await call.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        (await call.ReadAsync())!.ListServicesResponse.Service.Should().NotBeEmpty();

        var stopping = stoppingServer.StopAsync();

        (await call.ReadAsync()).Should().BeNull();
        (await call.ReadStatusAsync()).Should().Be(StatusCode.OK);
        await stopping;
    }

    public void Dispose() => _client.Dispose();

    private static IEnumerable<string> FileNames(FileDescriptorResponse files) =>
        files.FileDescriptorProto.Select(bytes => FileDescriptorProto.Parser.ParseFrom(bytes).Name);
}
