using System.Net;
using IdentitySharing.GrpcServer.Tests.Conformance.V1;
using IdentitySharing.GrpcServer.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace IdentitySharing.GrpcServer.Tests;

/// <summary>
/// gRPC method paths are case-sensitive (grpc-protocol.md), while ASP.NET Core routing is not:
/// a path that differs from a mapped method's only in case must get exactly what an unknown
/// method gets (Trailers-Only UNIMPLEMENTED), and the handler must not run.
/// </summary>
public sealed class MethodPathCaseTests(ConformanceServer server) : IClassFixture<ConformanceServer>, IDisposable
{
    private readonly GrpcTestClient _client = new(server.Address);

    public void Dispose() => _client.Dispose();

    [Theory]
    // path that differs only in case, unknown path answered the same way
    [InlineData("/conformance.v1.ConformanceService/emptycall", "/conformance.v1.ConformanceService/NoSuchMethod")]
    [InlineData("/conformance.v1.ConformanceService/EMPTYCALL", "/conformance.v1.ConformanceService/NoSuchMethod")]
    [InlineData("/conformance.v1.conformanceservice/EmptyCall", "/conformance.v1.NoSuchService/EmptyCall")]
    [InlineData("/CONFORMANCE.V1.CONFORMANCESERVICE/EMPTYCALL", "/conformance.v1.NoSuchService/EmptyCall")]
    public async Task A_path_differing_only_in_case_is_answered_like_an_unknown_method(string path, string unknownPath)
    {
        var unknown = await _client.UnaryAsync(unknownPath, new Empty());
        var response = await _client.UnaryAsync(path, new Empty());

        response.HttpStatus.Should().Be(HttpStatusCode.OK);
        response.TrailersOnly.Should().BeTrue();
        response.Body.Should().BeEmpty("EmptyCall's handler would have answered with a message");
        response.Status.Should().Be(StatusCode.Unimplemented);
        response.Message.Should().Be(unknown.Message).And.EndWith("is unimplemented.");
        response.StatusDetails.Should().Be(unknown.StatusDetails);
        response.ContentHeaders.ContentType!.MediaType.Should().Be("application/grpc");
        response.Metadata("grpc-accept-encoding").Should().Be(unknown.Metadata("grpc-accept-encoding"));
        unknown.Status.Should().Be(StatusCode.Unimplemented);
    }

    [Fact]
    public async Task The_exact_path_is_still_dispatched()
    {
        var response = await _client.UnaryAsync("/conformance.v1.ConformanceService/EmptyCall", new Empty());

        response.Status.Should().Be(StatusCode.OK);
        response.Single(Empty.Parser).Should().Be(new Empty());
    }

    [Fact]
    public async Task A_path_differing_only_in_case_is_UNIMPLEMENTED_not_UNAVAILABLE_during_shutdown()
    {
        // Once stopping, mapped methods answer UNAVAILABLE but unknown ones still UNIMPLEMENTED.
        await using var stopping = await ConformanceServer.StartAsync();
        using var client = new GrpcTestClient(stopping.Address);
        stopping.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        var exact = await client.UnaryAsync("/conformance.v1.ConformanceService/EmptyCall", new Empty());
        var otherCase = await client.UnaryAsync("/conformance.v1.ConformanceService/emptyCall", new Empty());

        exact.Status.Should().Be(StatusCode.Unavailable);
        otherCase.Status.Should().Be(StatusCode.Unimplemented);
        otherCase.Message.Should().Be("Method is unimplemented.");
    }
}
