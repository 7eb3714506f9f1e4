using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf.WellKnownTypes;
using IdentitySharing.Contracts.V1;
using IdentitySharing.Testing.Grpc;

namespace IdentitySharing.EndToEnd.Tests;

/// <summary>
/// Hostile clients: oversized metadata, thousands of streams on one connection, a body trickled
/// a byte at a time. Each gets a bounded answer and the server keeps serving everyone else.
/// </summary>
public sealed class AbuseTests(AuthHostFixture host) : IClassFixture<AuthHostFixture>
{
    private const string HealthCheck = "/grpc.health.v1.Health/Check";

    [Fact]
    public async Task Oversized_metadata_is_refused_and_the_server_keeps_serving()
    {
        var huge = new string('m', 64 * 1024);
        using var client = new GrpcWireClient(host.Address);

        var refused = await Record.ExceptionAsync(async () =>
        {
            var result = await client.CallAsync(HealthCheck, new Empty(), Empty.Parser, [new("x-padding", huge)]);
            // Kestrel answers 431 (or resets the stream): either way not a served call.
            result.HttpStatus.Should().Be((int)HttpStatusCode.RequestHeaderFieldsTooLarge);
        });
        refused.Should().Match<Exception?>(e => e == null || e is HttpRequestException);

        await ServerStillServes();
    }

    [Fact]
    public async Task Thousands_of_streams_on_one_connection_are_served_at_most_a_hundred_at_a_time()
    {
        using var client = new GrpcWireClient(host.Address, new SocketsHttpHandler { EnableMultipleHttp2Connections = false });
        var calls = Enumerable.Range(0, 2000).Select(_ => client.CallAsync(HealthCheck, new Empty(), Empty.Parser));

        var results = await Task.WhenAll(calls);

        results.Should().OnlyContain(r => r.StatusCode == 0);
        host.Concurrency.Max.Should().BeInRange(1, 100);
    }

    [Fact]
    public async Task A_request_body_trickled_a_byte_at_a_time_is_cut_off()
    {
        using var client = new HttpClient(new SocketsHttpHandler()) { BaseAddress = host.Address, Timeout = Timeout.InfiniteTimeSpan };
        // A frame that announces 1000 bytes, sent one byte every 200 ms: far below Kestrel's
        // minimum body data rate, so the server gives up long before the body is complete.
        var content = new TrickleContent(declaredLength: 1000, interval: TimeSpan.FromMilliseconds(200));
        using var request = new HttpRequestMessage(HttpMethod.Post, HealthCheck)
        {
            Content = content,
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.TryAddWithoutValidation("te", "trailers");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(120));

        var outcome = await Record.ExceptionAsync(async () =>
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            await response.Content.ReadAsByteArrayAsync(timeout.Token);
            response.TrailingHeaders.TryGetValues("grpc-status", out var status).Should().BeTrue();
            status!.Single().Should().NotBe("0");
        });

        timeout.IsCancellationRequested.Should().BeFalse("the server, not the test's timeout, ends the call");
        // How the end shows depends on where HttpClient is when the server resets the stream: a
        // failed send or read, or (while the body is still being written) a cancelled body copy.
        outcome.Should().Match<Exception?>(
            e => e == null || e is HttpRequestException || e is IOException || e is OperationCanceledException,
            outcome?.ToString());
        content.BytesSent.Should().BeLessThan(1000);
        await ServerStillServes();
    }

    [Fact]
    public async Task A_flood_of_bad_keys_gets_unauthenticated_every_time_and_the_server_keeps_serving()
    {
        var bad = Enumerable.Range(0, 200).Select(i => host.Client.CallAsync(
            "/identitysharing.v1.IdentitySharingService/GenerateShareToken",
            new GenerateShareTokenRequest { ApplicantId = "abc123", ForClientId = "partner" },
            GenerateShareTokenResponse.Parser,
            AuthHostFixture.Bearer(AuthHostFixture.NewKey())));

        (await Task.WhenAll(bad)).Should().OnlyContain(r => r.StatusCode == 16);
        await ServerStillServes();
    }

    private async Task ServerStillServes()
    {
        var result = await host.Client.CallAsync(
            "/identitysharing.v1.IdentitySharingService/GenerateShareToken",
            new GenerateShareTokenRequest { ApplicantId = "abc123", ForClientId = "partner" },
            GenerateShareTokenResponse.Parser,
            AuthHostFixture.Bearer(host.OpsKey));
        result.StatusCode.Should().Be(0, result.StatusMessage);
    }

    private sealed class TrickleContent : HttpContent
    {
        private readonly int _declaredLength;
        private readonly TimeSpan _interval;
        private int _bytesSent;

        public TrickleContent(int declaredLength, TimeSpan interval)
        {
            _declaredLength = declaredLength;
            _interval = interval;
            Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        }

        public int BytesSent => Volatile.Read(ref _bytesSent);

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            var header = new byte[5];
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(1), _declaredLength);
            await stream.WriteAsync(header, cancellationToken);
            await stream.FlushAsync(cancellationToken);
            for (var i = 0; i < _declaredLength; i++)
            {
                await Task.Delay(_interval, cancellationToken);
                await stream.WriteAsync(new byte[] { 0x08 }, cancellationToken);
                await stream.FlushAsync(cancellationToken);
                Interlocked.Increment(ref _bytesSent);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
