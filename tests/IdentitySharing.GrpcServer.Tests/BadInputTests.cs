using System.Net;
using Google.Protobuf;
using IdentitySharing.GrpcServer.Tests.Conformance.V1;
using IdentitySharing.GrpcServer.Tests.Support;

namespace IdentitySharing.GrpcServer.Tests;

/// <summary>Malformed requests each get the status grpc-protocol.md names, and the server keeps serving.</summary>
public sealed class BadInputTests(ConformanceServer server) : IClassFixture<ConformanceServer>, IDisposable
{
    private const string UnaryCall = "/conformance.v1.ConformanceService/UnaryCall";

    private readonly GrpcTestClient _client = new(server.Address);

    public void Dispose() => _client.Dispose();

    private static byte[] ValidPayload => new SimpleRequest { ResponseSize = 3, Payload = ByteString.CopyFrom(new byte[100]) }.ToByteArray();

    public static TheoryData<string, byte[], StatusCode> MalformedBodies => new()
    {
        { "truncated prefix", [0, 0, 0], StatusCode.Internal },
        { "truncated message", GrpcFrames.Frame(ValidPayload)[..^10], StatusCode.Internal },
        { "declared length past the end", [.. GrpcFrames.Prefix(false, 1_000), .. ValidPayload], StatusCode.Internal },
        { "2 GiB declared length", [.. GrpcFrames.Prefix(false, 2u * 1024 * 1024 * 1024), .. ValidPayload], StatusCode.ResourceExhausted },
        { "4 GiB - 1 declared length", [.. GrpcFrames.Prefix(false, uint.MaxValue), 1, 2, 3], StatusCode.ResourceExhausted },
        { "garbage message bytes", GrpcFrames.Frame([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), StatusCode.Internal },
        { "garbage frame flag", [7, 0, 0, 0, 1, 0], StatusCode.Internal },
        { "zero messages", [], StatusCode.Internal },
        { "two messages", [.. GrpcFrames.Frame(ValidPayload), .. GrpcFrames.Frame(ValidPayload)], StatusCode.Internal },
        { "message then stray bytes", [.. GrpcFrames.Frame(ValidPayload), 0, 0], StatusCode.Internal },
        { "compressed flag without grpc-encoding", GrpcFrames.Frame(GrpcFrames.Gzip(ValidPayload), compressed: true), StatusCode.Internal },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task Malformed_body_gets_its_status_and_the_server_keeps_serving(string description, byte[] body, StatusCode expected)
    {
        var response = await _client.SendAsync(UnaryCall, body);

        response.HttpStatus.Should().Be(HttpStatusCode.OK, description);
        response.Status.Should().Be(expected, description);
        response.Body.Should().BeEmpty(description);
        await AssertServerStillServesAsync();
    }

    [Fact]
    public async Task Compressed_flag_with_identity_encoding_is_INTERNAL()
    {
        var body = GrpcFrames.Frame(GrpcFrames.Gzip(ValidPayload), compressed: true);

        var response = await _client.SendAsync(UnaryCall, body, [new("grpc-encoding", "identity")]);

        response.Status.Should().Be(StatusCode.Internal);
        await AssertServerStillServesAsync();
    }

    [Fact]
    public async Task Corrupt_gzip_data_is_INTERNAL()
    {
        var body = GrpcFrames.Frame([1, 2, 3, 4, 5, 6, 7, 8], compressed: true);

        var response = await _client.SendAsync(UnaryCall, body, [new("grpc-encoding", "gzip")]);

        response.Status.Should().Be(StatusCode.Internal);
        await AssertServerStillServesAsync();
    }

    [Fact]
    public async Task Unknown_encoding_is_UNIMPLEMENTED_naming_the_supported_ones()
    {
        var response = await _client.SendAsync(UnaryCall, GrpcFrames.Frame(ValidPayload), [new("grpc-encoding", "snappy")]);

        response.Status.Should().Be(StatusCode.Unimplemented);
        response.Message.Should().Contain("snappy").And.Contain("gzip").And.Contain("identity");
        response.Metadata("grpc-accept-encoding").Should().Be("identity,gzip,deflate");
        await AssertServerStillServesAsync();
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("123456789S")]
    [InlineData("10x")]
    [InlineData("-5S")]
    [InlineData("1.5S")]
    public async Task Malformed_grpc_timeout_is_ignored(string timeout)
    {
        var response = await _client.SendAsync(UnaryCall, GrpcFrames.Frame(ValidPayload), [new("grpc-timeout", timeout)]);

        response.Status.Should().Be(StatusCode.OK);
        response.Single(SimpleResponse.Parser).Payload.Length.Should().Be(3);
    }

    [Theory]
    [InlineData("99999999H")]
    [InlineData("70000000H")]
    [InlineData("99999999M")]
    public async Task The_largest_grpc_timeouts_are_served_as_no_deadline_at_all(string timeout)
    {
        // 99,999,999 hours reach past year 9999, the end of the clock.
        var response = await _client.SendAsync(UnaryCall, GrpcFrames.Frame(ValidPayload), [new("grpc-timeout", timeout)]);

        response.Status.Should().Be(StatusCode.OK);
        response.Single(SimpleResponse.Parser).Payload.Length.Should().Be(3);
    }

    [Fact]
    public async Task Gzip_bomb_past_the_receive_limit_is_RESOURCE_EXHAUSTED()
    {
        // 8 MiB of zeros compresses to a few KiB; decompressed it exceeds the 4 MiB limit.
        var request = new SimpleRequest { Payload = ByteString.CopyFrom(new byte[8 * 1024 * 1024]) };
        var body = GrpcFrames.Frame(GrpcFrames.Gzip(request.ToByteArray()), compressed: true);

        var response = await _client.SendAsync(UnaryCall, body, [new("grpc-encoding", "gzip")]);

        response.Status.Should().Be(StatusCode.ResourceExhausted);
        await AssertServerStillServesAsync();
    }

    [Fact]
    public async Task Message_over_the_receive_limit_is_RESOURCE_EXHAUSTED()
    {
        var request = new SimpleRequest { Payload = ByteString.CopyFrom(new byte[(4 * 1024 * 1024) + 1]) };

        var response = await _client.UnaryAsync(UnaryCall, request);

        response.Status.Should().Be(StatusCode.ResourceExhausted);
        response.Message.Should().Contain("maximum");
        await AssertServerStillServesAsync();
    }

    private async Task AssertServerStillServesAsync()
    {
        var followUp = await _client.UnaryAsync(UnaryCall, new SimpleRequest { ResponseSize = 7 });
        followUp.Status.Should().Be(StatusCode.OK);
        followUp.Single(SimpleResponse.Parser).Payload.Length.Should().Be(7);
    }
}
