using System.Text.Json;
using IdentitySharing.Testing.Grpc;

namespace IdentitySharing.GrpcServer.Tests.ExternalClients;

/// <summary>
/// buf curl (npm @bufbuild/buf) has no local schema here: everything it knows about the server
/// it learns through reflection, over v1 and v1alpha.
/// </summary>
public sealed class BufCurlTests(InteropServer server) : IClassFixture<InteropServer>
{
    private static readonly string[] ExpectedMethods =
    [
        "conformance.v1.ConformanceService/EmptyCall",
        "conformance.v1.ConformanceService/UnaryCall",
        "conformance.v1.ConformanceService/StreamingOutputCall",
        "conformance.v1.ConformanceService/FullDuplexCall",
        "grpc.health.v1.Health/Check",
        "grpc.health.v1.Health/Watch",
        "grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
    ];

    [Theory]
    [InlineData(null)]
    [InlineData("grpc-v1")]
    [InlineData("grpc-v1alpha")]
    public async Task Lists_every_method_through_reflection(string? reflectProtocol)
    {
        var result = await BufCurlAsync(reflectProtocol, "--list-methods", server.Address.ToString());

        result.ExitCode.Should().Be(0, result.ToString());
        Lines(result.StandardOutput).Should().Contain(ExpectedMethods);
    }

    [Theory]
    [InlineData("grpc-v1")]
    [InlineData("grpc-v1alpha")]
    public async Task Lists_every_service_through_reflection(string reflectProtocol)
    {
        var result = await BufCurlAsync(reflectProtocol, "--list-services", server.Address.ToString());

        result.ExitCode.Should().Be(0, result.ToString());
        Lines(result.StandardOutput).Should().BeEquivalentTo(
            "conformance.v1.ConformanceService", "grpc.health.v1.Health",
            "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection");
    }

    [Theory]
    [InlineData("grpc-v1")]
    [InlineData("grpc-v1alpha")]
    public async Task Calls_a_method_it_learned_through_reflection(string reflectProtocol)
    {
        var result = await BufCurlAsync(reflectProtocol,
            "-d", """{"responseSize": 3, "payload": "AQIDBA=="}""",
            new Uri(server.Address, "conformance.v1.ConformanceService/UnaryCall").ToString());

        result.ExitCode.Should().Be(0, result.ToString());
        using var response = JsonDocument.Parse(result.StandardOutput);
        response.RootElement.GetProperty("payload").GetString().Should().Be("AAAA");
        response.RootElement.GetProperty("receivedPayloadSize").GetInt32().Should().Be(4);
    }

    [Fact]
    public async Task Calls_health_check_through_reflection()
    {
        var result = await BufCurlAsync("grpc-v1", "-d", "{}", new Uri(server.Address, "grpc.health.v1.Health/Check").ToString());

        result.ExitCode.Should().Be(0, result.ToString());
        using var response = JsonDocument.Parse(result.StandardOutput);
        response.RootElement.GetProperty("status").GetString().Should().Be("SERVING");
    }

    [Fact]
    public async Task Reports_the_status_of_a_failing_call()
    {
        var result = await BufCurlAsync("grpc-v1",
            "-d", """{"responseStatus": {"code": 5, "message": "nothing here"}}""",
            new Uri(server.Address, "conformance.v1.ConformanceService/UnaryCall").ToString());

        result.ExitCode.Should().NotBe(0);
        result.StandardError.Should().Contain("not_found").And.Contain("nothing here");
    }

    private static Task<ProcessResult> BufCurlAsync(string? reflectProtocol, params string[] arguments)
    {
        List<string> all = ["curl", "--protocol", "grpc", "--http2-prior-knowledge"];
        if (reflectProtocol is not null)
        {
            all.AddRange(["--reflect-protocol", reflectProtocol]);
        }

        all.AddRange(arguments);
        return ExternalTools.RunAsync(ExternalTools.RequireBuf(), all, ExternalTools.NodeClientDirectory);
    }

    private static List<string> Lines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
