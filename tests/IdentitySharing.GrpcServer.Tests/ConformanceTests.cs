using System.Net;
using Google.Protobuf;
using IdentitySharing.GrpcServer.Tests.Conformance.V1;
using IdentitySharing.GrpcServer.Tests.Support;

namespace IdentitySharing.GrpcServer.Tests;

/// <summary>The grpc interop cases and protocol rules, driven by a hand-rolled HttpClient gRPC client.</summary>
public sealed class ConformanceTests(ConformanceServer server) : IClassFixture<ConformanceServer>, IDisposable
{
    private const string Service = "/conformance.v1.ConformanceService/";
    private const string SpecialMessage = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n";

    private readonly GrpcTestClient _client = new(server.Address);

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task Empty_unary_returns_an_empty_message_and_OK_in_trailers()
    {
        var response = await _client.UnaryAsync(Service + "EmptyCall", new Empty());

        response.HttpStatus.Should().Be(HttpStatusCode.OK);
        response.ContentHeaders.ContentType!.MediaType.Should().Be("application/grpc");
        response.TrailersOnly.Should().BeFalse();
        response.Status.Should().Be(StatusCode.OK);
        response.Single(Empty.Parser).Should().Be(new Empty());
    }

    [Fact]
    public async Task Large_unary_carries_271828_bytes_in_and_314159_bytes_out()
    {
        var request = new SimpleRequest { ResponseSize = 314_159, Payload = ByteString.CopyFrom(new byte[271_828]) };

        var response = await _client.UnaryAsync(Service + "UnaryCall", request);

        response.Status.Should().Be(StatusCode.OK);
        var message = response.Single(SimpleResponse.Parser);
        message.Payload.Length.Should().Be(314_159);
        message.ReceivedPayloadSize.Should().Be(271_828);
    }

    [Fact]
    public async Task Client_compressed_unary_is_decompressed_by_the_server()
    {
        var request = new SimpleRequest { ExpectCompressed = true, ResponseSize = 10, Payload = ByteString.CopyFrom(new byte[50_000]) };
        var body = GrpcFrames.Frame(GrpcFrames.Gzip(request.ToByteArray()), compressed: true);

        var response = await _client.SendAsync(Service + "UnaryCall", body, [new("grpc-encoding", "gzip")]);

        response.Status.Should().Be(StatusCode.OK);
        var message = response.Single(SimpleResponse.Parser);
        message.ReceivedCompressed.Should().BeTrue();
        message.ReceivedPayloadSize.Should().Be(50_000);
    }

    [Fact]
    public async Task Server_expecting_compression_rejects_an_uncompressed_request()
    {
        var response = await _client.UnaryAsync(Service + "UnaryCall", new SimpleRequest { ExpectCompressed = true });

        response.Status.Should().Be(StatusCode.InvalidArgument);
    }

    [Fact]
    public async Task Server_compressed_unary_uses_gzip_when_the_client_accepts_it()
    {
        var request = new SimpleRequest { ResponseCompressed = true, ResponseSize = 20_000 };

        var response = await _client.UnaryAsync(Service + "UnaryCall", request, [new("grpc-accept-encoding", "identity, gzip")]);

        response.Status.Should().Be(StatusCode.OK);
        response.Metadata("grpc-encoding").Should().Be("gzip");
        response.Frames.Should().ContainSingle().Which.Compressed.Should().BeTrue();
        response.Single(SimpleResponse.Parser).Payload.Length.Should().Be(20_000);
    }

    [Fact]
    public async Task Server_does_not_compress_when_the_client_does_not_accept_the_algorithm()
    {
        var request = new SimpleRequest { ResponseCompressed = true, ResponseSize = 20_000 };

        var response = await _client.UnaryAsync(Service + "UnaryCall", request, [new("grpc-accept-encoding", "identity,deflate")]);

        response.Status.Should().Be(StatusCode.OK);
        response.Metadata("grpc-encoding").Should().BeNull();
        response.Frames.Should().ContainSingle().Which.Compressed.Should().BeFalse();
    }

    [Fact]
    public async Task Every_response_advertises_the_supported_encodings()
    {
        var ok = await _client.UnaryAsync(Service + "EmptyCall", new Empty());
        var unimplemented = await _client.UnaryAsync("/conformance.v1.UnimplementedService/UnimplementedCall", new Empty());

        ok.Metadata("grpc-accept-encoding").Should().Be("identity,gzip,deflate");
        unimplemented.Metadata("grpc-accept-encoding").Should().Be("identity,gzip,deflate");
    }

    [Fact]
    public async Task Custom_metadata_echoes_an_initial_header_and_a_binary_trailer()
    {
        byte[] binary = [0xab, 0xab, 0xab];
        var response = await _client.UnaryAsync(
            Service + "UnaryCall",
            new SimpleRequest { ResponseSize = 1 },
            [new(ConformanceService.EchoInitialHeader, "test_initial_metadata_value"), new(ConformanceService.EchoTrailingBinHeader, Convert.ToBase64String(binary))]);

        response.Status.Should().Be(StatusCode.OK);
        GrpcTestResponse.Value(response.Headers, ConformanceService.EchoInitialHeader).Should().Be("test_initial_metadata_value");
        var trailer = GrpcTestResponse.Value(response.Trailers, ConformanceService.EchoTrailingBinHeader);
        trailer.Should().Be("q6ur", "binary values are sent as unpadded base64");
    }

    [Fact]
    public async Task Padded_binary_metadata_is_echoed_unpadded()
    {
        // One byte: padded base64 "qw==", which the server must send back unpadded.
        var response = await _client.UnaryAsync(
            Service + "UnaryCall", new SimpleRequest(), [new(ConformanceService.EchoTrailingBinHeader, "qw==")]);

        GrpcTestResponse.Value(response.Trailers, ConformanceService.EchoTrailingBinHeader).Should().Be("qw");
    }

    [Fact]
    public async Task Status_code_and_message_come_back_as_sent()
    {
        var request = new SimpleRequest { ResponseStatus = new EchoStatus { Code = 2, Message = "test status message" } };

        var response = await _client.UnaryAsync(Service + "UnaryCall", request);

        response.HttpStatus.Should().Be(HttpStatusCode.OK);
        response.Status.Should().Be(StatusCode.Unknown);
        response.Message.Should().Be("test status message");
    }

    [Fact]
    public async Task Special_status_message_round_trips_percent_encoded()
    {
        var request = new SimpleRequest { ResponseStatus = new EchoStatus { Code = 2, Message = SpecialMessage } };

        var response = await _client.UnaryAsync(Service + "UnaryCall", request);

        response.Status.Should().Be(StatusCode.Unknown);
        response.EncodedMessage.Should().MatchRegex("^[\\x20-\\x7E]*$");
        response.Message.Should().Be(SpecialMessage);
    }

    [Fact]
    public async Task Status_details_carry_the_same_code_and_message_as_the_status()
    {
        var request = new SimpleRequest
        {
            ResponseStatus = new EchoStatus { Code = (int)StatusCode.InvalidArgument, Message = "bad payload" },
            ResponseStatusDetails = true,
        };

        var response = await _client.UnaryAsync(Service + "UnaryCall", request);

        response.Status.Should().Be(StatusCode.InvalidArgument);
        response.StatusDetails.Should().NotBeNull().And.NotEndWith("=");
        Internal.GrpcMetadata.TryDecodeBase64(response.StatusDetails!, out var bytes).Should().BeTrue();
        var details = Google.Rpc.Status.Parser.ParseFrom(bytes);
        details.Code.Should().Be((int)StatusCode.InvalidArgument);
        details.Message.Should().Be("bad payload");
        details.Details.Should().ContainSingle().Which.Is(Google.Rpc.BadRequest.Descriptor).Should().BeTrue();
    }

    [Fact]
    public async Task Unimplemented_method_of_a_known_service_is_UNIMPLEMENTED_trailers_only()
    {
        var response = await _client.UnaryAsync(Service + "NoSuchMethod", new Empty());

        response.HttpStatus.Should().Be(HttpStatusCode.OK);
        response.TrailersOnly.Should().BeTrue();
        response.Body.Should().BeEmpty();
        response.Status.Should().Be(StatusCode.Unimplemented);
        response.Message.Should().Be("Method is unimplemented.");
    }

    [Fact]
    public async Task Unimplemented_service_is_UNIMPLEMENTED_trailers_only()
    {
        var response = await _client.UnaryAsync("/conformance.v1.UnimplementedService/UnimplementedCall", new Empty());

        response.HttpStatus.Should().Be(HttpStatusCode.OK);
        response.TrailersOnly.Should().BeTrue();
        response.Status.Should().Be(StatusCode.Unimplemented);
        response.Message.Should().Be("Service is unimplemented.");
    }

    [Fact]
    public async Task Short_deadline_against_a_slow_handler_is_DEADLINE_EXCEEDED()
    {
        var request = new SimpleRequest { SleepMs = 120_000 };

        var response = await _client.UnaryAsync(Service + "UnaryCall", request, [new("grpc-timeout", "200m")]);

        response.HttpStatus.Should().Be(HttpStatusCode.OK);
        response.Status.Should().Be(StatusCode.DeadlineExceeded);
        response.Body.Should().BeEmpty();
    }

    [Fact]
    public async Task Deadline_cancels_the_handler_token()
    {
        var key = Guid.NewGuid().ToString("N");

        var response = await _client.UnaryAsync(Service + "WaitForCancellation", new CancellationProbeRequest { Key = key }, [new("grpc-timeout", "100m")]);
        var probe = await _client.UnaryAsync(Service + "WasCancelled", new CancellationProbeRequest { Key = key });

        response.Status.Should().Be(StatusCode.DeadlineExceeded);
        probe.Single(CancellationProbeResponse.Parser).Cancelled.Should().BeTrue();
    }

    [Fact]
    public async Task Deadline_on_a_silent_stream_ends_it_with_a_Trailers_Only_DEADLINE_EXCEEDED()
    {
        // The client opens a duplex call and never sends: the pending read must end at the deadline.
        // Raw frames, so the test sees exactly what ends the call while the request side is open.
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var connection = await RawHttp2Connection.ConnectAsync(server.Address, cancellationToken);
        await connection.SendGrpcHeadersAsync(1, Service + "FullDuplexCall", [new("grpc-timeout", "200m")], endStream: false, cancellationToken);

        Http2Frame first;
        do
        {
            first = await connection.ReadFrameAsync(cancellationToken) ?? throw new InvalidOperationException("The server closed the connection.");
        }
        while (first.StreamId != 1);

        first.Type.Should().Be(Http2FrameType.Headers);
        first.EndStream.Should().BeTrue("nothing was sent before the deadline, so the status ends the stream in one HEADERS frame");
        first.Field(":status").Should().Be("200");
        first.Field("grpc-status").Should().Be(((int)StatusCode.DeadlineExceeded).ToString(System.Globalization.CultureInfo.InvariantCulture));
        first.Field("grpc-message").Should().Be("Deadline Exceeded");
        Internal.GrpcMetadata.TryDecodeBase64(first.Field("grpc-status-details-bin") ?? "", out var details).Should().BeTrue();
        var status = Google.Rpc.Status.Parser.ParseFrom(details);
        status.Code.Should().Be((int)StatusCode.DeadlineExceeded);
        status.Message.Should().Be("Deadline Exceeded");
    }

    [Fact]
    public async Task Client_cancellation_reaches_the_handler()
    {
        var key = Guid.NewGuid().ToString("N");
        using (var request = GrpcTestClient.CreateRequest(Service + "WaitForCancellation", new ByteArrayContent(GrpcFrames.Frame(new CancellationProbeRequest { Key = key }))))
        {
            // The handler sends headers once it runs; disposing the unfinished response resets the stream.
            using var response = await _client.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        var probe = await _client.UnaryAsync(Service + "WasCancelled", new CancellationProbeRequest { Key = key });

        probe.Single(CancellationProbeResponse.Parser).Cancelled.Should().BeTrue();
    }

    [Fact]
    public async Task Handler_exception_is_UNKNOWN_with_a_generic_message()
    {
        var response = await _client.UnaryAsync(Service + "UnaryCall", new SimpleRequest { ThrowException = true });

        response.Status.Should().Be(StatusCode.Unknown);
        response.Message.Should().Be("Exception was thrown by handler.");
        response.Message.Should().NotContain(ConformanceService.ThrownExceptionMessage);
    }

    [Fact]
    public async Task Server_streaming_sends_each_message_then_OK()
    {
        var request = new StreamingOutputCallRequest { ResponseSizes = { 31_415, 9, 2_653, 58_979 } };

        var response = await _client.UnaryAsync(Service + "StreamingOutputCall", request);

        response.Status.Should().Be(StatusCode.OK);
        response.Frames.Select(f => StreamingOutputCallResponse.Parser.ParseFrom(f.Payload).Payload.Length)
            .Should().Equal(31_415, 9, 2_653, 58_979);
    }

    [Fact]
    public async Task Server_streaming_error_after_messages_goes_in_trailers()
    {
        var request = new StreamingOutputCallRequest { ResponseSizes = { 1, 2 }, ResponseStatus = new EchoStatus { Code = (int)StatusCode.Aborted, Message = "stop" } };

        var response = await _client.UnaryAsync(Service + "StreamingOutputCall", request);

        response.TrailersOnly.Should().BeFalse();
        response.Frames.Should().HaveCount(2);
        response.Status.Should().Be(StatusCode.Aborted);
        response.Message.Should().Be("stop");
    }

    [Fact]
    public async Task Client_streaming_aggregates_every_request_message()
    {
        int[] sizes = [27_182, 8, 1_828, 45_904];
        var body = sizes.SelectMany(size => GrpcFrames.Frame(new StreamingInputCallRequest { Payload = ByteString.CopyFrom(new byte[size]) })).ToArray();

        var response = await _client.SendAsync(Service + "StreamingInputCall", body);

        response.Status.Should().Be(StatusCode.OK);
        response.Single(StreamingInputCallResponse.Parser).AggregatedPayloadSize.Should().Be(74_922);
    }

    [Fact]
    public async Task Duplex_streaming_answers_each_request_as_it_arrives()
    {
        var content = new StreamingRequestContent();
        using var request = GrpcTestClient.CreateRequest(Service + "FullDuplexCall", content);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancel.CancelAfter(GrpcTestClient.CallTimeout);

        await content.SendAsync(GrpcFrames.Frame(new StreamingOutputCallRequest { ResponseSizes = { 27_182 } }));
        using var response = await _client.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        var stream = await response.Content.ReadAsStreamAsync(cancel.Token);

        // The request stream is still open: each answer must arrive before the client half-closes.
        var first = await GrpcFrames.ReadAsync(stream, cancel.Token);
        await content.SendAsync(GrpcFrames.Frame(new StreamingOutputCallRequest { ResponseSizes = { 8 } }));
        var second = await GrpcFrames.ReadAsync(stream, cancel.Token);
        content.Complete();
        var end = await GrpcFrames.ReadAsync(stream, cancel.Token);

        StreamingOutputCallResponse.Parser.ParseFrom(first!.Payload).Payload.Length.Should().Be(27_182);
        StreamingOutputCallResponse.Parser.ParseFrom(second!.Payload).Payload.Length.Should().Be(8);
        end.Should().BeNull();
        GrpcTestResponse.Value(response.TrailingHeaders, "grpc-status").Should().Be("0");
    }

    [Fact]
    public async Task Streaming_request_may_exceed_Kestrels_request_body_size_limit()
    {
        // Kestrel's default limit is 30 MB per request body; a stream carries 36 MB in 3 MB messages.
        const int messages = 12;
        var content = new StreamingRequestContent();
        using var request = GrpcTestClient.CreateRequest(Service + "FullDuplexCall", content);
        var frame = GrpcFrames.Frame(new StreamingOutputCallRequest { ResponseSizes = { 1 }, Payload = ByteString.CopyFrom(new byte[3_000_000]) });
        for (var i = 0; i < messages; i++)
        {
            await content.SendAsync(frame);
        }

        content.Complete();
        var response = await GrpcTestResponse.ReadAsync(await _client.Http.SendAsync(request, TestContext.Current.CancellationToken));

        response.Status.Should().Be(StatusCode.OK);
        response.Frames.Should().HaveCount(messages);
    }

    [Theory]
    [InlineData("application/grpc+proto")]
    [InlineData("application/grpc;charset=utf-8")]
    public async Task Grpc_content_type_variants_are_accepted(string contentType)
    {
        var response = await _client.SendAsync(Service + "EmptyCall", GrpcFrames.Frame(new Empty()), contentType: contentType);

        response.Status.Should().Be(StatusCode.OK);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/grpcx")]
    [InlineData("text/plain")]
    public async Task Non_grpc_content_type_is_415(string contentType)
    {
        var response = await _client.SendAsync(Service + "EmptyCall", GrpcFrames.Frame(new Empty()), contentType: contentType);

        response.HttpStatus.Should().Be(HttpStatusCode.UnsupportedMediaType);
    }
}
