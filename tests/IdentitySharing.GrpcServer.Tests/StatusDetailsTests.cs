using Google.Protobuf;
using IdentitySharing.GrpcServer.Tests.Conformance.V1;
using IdentitySharing.GrpcServer.Tests.Support;

namespace IdentitySharing.GrpcServer.Tests;

/// <summary>
/// Every non-OK status carries <c>grpc-status-details-bin</c>: a <c>google.rpc.Status</c> whose
/// code and message are the <c>grpc-status</c> and the unencoded <c>grpc-message</c>, with no
/// details unless the status brought some, whoever produced the status.
/// </summary>
public sealed class StatusDetailsTests(ConformanceServer server) : IClassFixture<ConformanceServer>, IDisposable
{
    private const string Service = "/conformance.v1.ConformanceService/";
    private const string SpecialMessage = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n";

    private readonly GrpcTestClient _client = new(server.Address);

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task Unknown_method_UNIMPLEMENTED_carries_a_matching_status()
    {
        var response = await _client.UnaryAsync(Service + "NoSuchMethod", new Empty());

        response.TrailersOnly.Should().BeTrue();
        ShouldCarryMatchingStatus(response, StatusCode.Unimplemented);
    }

    [Fact]
    public async Task Unknown_service_UNIMPLEMENTED_carries_a_matching_status()
    {
        var response = await _client.UnaryAsync("/conformance.v1.UnimplementedService/UnimplementedCall", new Empty());

        ShouldCarryMatchingStatus(response, StatusCode.Unimplemented);
    }

    [Fact]
    public async Task DEADLINE_EXCEEDED_carries_a_matching_status()
    {
        var response = await _client.UnaryAsync(Service + "UnaryCall", new SimpleRequest { SleepMs = 120_000 }, [new("grpc-timeout", "200m")]);

        ShouldCarryMatchingStatus(response, StatusCode.DeadlineExceeded);
    }

    [Fact]
    public async Task Handler_RpcException_without_details_carries_a_status_with_its_unencoded_message()
    {
        var request = new SimpleRequest { ResponseStatus = new EchoStatus { Code = (int)StatusCode.Unknown, Message = SpecialMessage } };

        var response = await _client.UnaryAsync(Service + "UnaryCall", request);

        var details = ShouldCarryMatchingStatus(response, StatusCode.Unknown);
        details.Message.Should().Be(SpecialMessage);
    }

    [Fact]
    public async Task Status_after_streamed_messages_carries_a_matching_status_in_the_trailers()
    {
        var request = new StreamingOutputCallRequest { ResponseSizes = { 1, 2 }, ResponseStatus = new EchoStatus { Code = (int)StatusCode.Aborted, Message = "stop" } };

        var response = await _client.UnaryAsync(Service + "StreamingOutputCall", request);

        response.TrailersOnly.Should().BeFalse();
        response.Frames.Should().HaveCount(2);
        ShouldCarryMatchingStatus(response, StatusCode.Aborted).Message.Should().Be("stop");
    }

    [Fact]
    public async Task Handler_exception_UNKNOWN_carries_a_matching_status()
    {
        var response = await _client.UnaryAsync(Service + "UnaryCall", new SimpleRequest { ThrowException = true });

        ShouldCarryMatchingStatus(response, StatusCode.Unknown).Message.Should().Be("Exception was thrown by handler.");
    }

    public static TheoryData<string, byte[], StatusCode> FramingErrors => new()
    {
        { "truncated message", GrpcFrames.Frame(new SimpleRequest { ResponseSize = 3, Payload = ByteString.CopyFrom(new byte[100]) }.ToByteArray())[..^10], StatusCode.Internal },
        { "zero messages", [], StatusCode.Internal },
        { "4 GiB - 1 declared length", [.. GrpcFrames.Prefix(false, uint.MaxValue), 1, 2, 3], StatusCode.ResourceExhausted },
    };

    [Theory]
    [MemberData(nameof(FramingErrors))]
    public async Task Framing_error_carries_a_matching_status(string description, byte[] body, StatusCode expected)
    {
        var response = await _client.SendAsync(Service + "UnaryCall", body);

        response.Status.Should().Be(expected, description);
        ShouldCarryMatchingStatus(response, expected);
    }

    [Fact]
    public async Task Unsupported_encoding_UNIMPLEMENTED_carries_a_matching_status()
    {
        var response = await _client.SendAsync(Service + "EmptyCall", GrpcFrames.Frame(new Empty()), [new("grpc-encoding", "snappy")]);

        ShouldCarryMatchingStatus(response, StatusCode.Unimplemented).Message.Should().Contain("snappy");
    }

    [Fact]
    public async Task OK_carries_no_status_details()
    {
        var response = await _client.UnaryAsync(Service + "EmptyCall", new Empty());

        response.Status.Should().Be(StatusCode.OK);
        response.StatusDetails.Should().BeNull();
    }

    /// <summary>Asserts the status and that its google.rpc.Status has the same code and message and no details.</summary>
    internal static Google.Rpc.Status ShouldCarryMatchingStatus(GrpcTestResponse response, StatusCode expected)
    {
        response.Status.Should().Be(expected);
        var details = DecodeDetails(response);
        details.Code.Should().Be((int)expected);
        details.Message.Should().Be(response.Message ?? string.Empty).And.NotBeEmpty();
        details.Details.Should().BeEmpty();
        return details;
    }

    private static Google.Rpc.Status DecodeDetails(GrpcTestResponse response)
    {
        response.StatusDetails.Should().NotBeNull("every non-OK status carries grpc-status-details-bin").And.NotEndWith("=");
        Internal.GrpcMetadata.TryDecodeBase64(response.StatusDetails!, out var bytes).Should().BeTrue();
        return Google.Rpc.Status.Parser.ParseFrom(bytes);
    }
}
