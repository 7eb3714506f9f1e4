using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using IdentitySharing.GrpcServer.Tests.Conformance.V1;
using IdentitySharing.GrpcServer.Tests.Support;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace IdentitySharing.GrpcServer.Tests;

/// <summary>Behaviour that depends on server options or the listener, each on its own server.</summary>
public sealed class ServerOptionsTests
{
    private const string UnaryCall = "/conformance.v1.ConformanceService/UnaryCall";

    [Fact]
    public async Task Http1_request_is_426()
    {
        await using var server = await ConformanceServer.StartAsync(protocols: HttpProtocols.Http1);
        using var http = new HttpClient { BaseAddress = server.Address };
        using var content = new ByteArrayContent(GrpcFrames.Frame(new Empty()));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");

        using var response = await http.PostAsync("/conformance.v1.ConformanceService/EmptyCall", content, TestContext.Current.CancellationToken);

        response.Version.Should().Be(HttpVersion.Version11);
        response.StatusCode.Should().Be(HttpStatusCode.UpgradeRequired);
    }

    [Fact]
    public async Task Detailed_errors_option_sends_the_exception_message()
    {
        await using var server = await ConformanceServer.StartAsync(options => options.EnableDetailedErrors = true);
        using var client = new GrpcTestClient(server.Address);

        var response = await client.UnaryAsync(UnaryCall, new SimpleRequest { ThrowException = true });

        response.Status.Should().Be(StatusCode.Unknown);
        response.Message.Should().StartWith("Exception was thrown by handler.").And.Contain(ConformanceService.ThrownExceptionMessage);
    }

    [Fact]
    public async Task Response_over_the_send_limit_is_RESOURCE_EXHAUSTED()
    {
        await using var server = await ConformanceServer.StartAsync(options => options.MaxSendMessageSize = 1_000);
        using var client = new GrpcTestClient(server.Address);

        var tooLarge = await client.UnaryAsync(UnaryCall, new SimpleRequest { ResponseSize = 2_000 });
        var small = await client.UnaryAsync(UnaryCall, new SimpleRequest { ResponseSize = 500 });

        tooLarge.Status.Should().Be(StatusCode.ResourceExhausted);
        tooLarge.Body.Should().BeEmpty();
        small.Status.Should().Be(StatusCode.OK);
    }

    [Fact]
    public async Task Receive_limit_is_configurable_and_checked_from_the_prefix()
    {
        await using var server = await ConformanceServer.StartAsync(options => options.MaxReceiveMessageSize = 100);
        using var client = new GrpcTestClient(server.Address);

        // Only the prefix is sent, declaring 101 bytes: the limit applies before any body arrives.
        var overLimit = await client.SendAsync(UnaryCall, GrpcFrames.Prefix(false, 101));
        var underLimit = await client.UnaryAsync(UnaryCall, new SimpleRequest { Payload = ByteString.CopyFrom(new byte[50]) });

        overLimit.Status.Should().Be(StatusCode.ResourceExhausted);
        underLimit.Status.Should().Be(StatusCode.OK);
    }

    [Fact]
    public async Task Server_wide_response_compression_applies_when_the_client_accepts_it()
    {
        await using var server = await ConformanceServer.StartAsync(options => options.ResponseCompressionAlgorithm = "deflate");
        using var client = new GrpcTestClient(server.Address);

        var accepted = await client.UnaryAsync(UnaryCall, new SimpleRequest { ResponseSize = 1_000 }, [new("grpc-accept-encoding", "deflate")]);
        var notAccepted = await client.UnaryAsync(UnaryCall, new SimpleRequest { ResponseSize = 1_000 });

        accepted.Metadata("grpc-encoding").Should().Be("deflate");
        accepted.Frames.Should().ContainSingle().Which.Compressed.Should().BeTrue();
        notAccepted.Metadata("grpc-encoding").Should().BeNull();
        notAccepted.Single(SimpleResponse.Parser).Payload.Length.Should().Be(1_000);
    }
}
