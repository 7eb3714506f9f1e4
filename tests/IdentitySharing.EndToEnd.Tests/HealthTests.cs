using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using IdentitySharing.GrpcServer.Health;
using IdentitySharing.GrpcServer.Health.V1;
using Microsoft.Extensions.Hosting;
using ServingStatus = IdentitySharing.GrpcServer.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace IdentitySharing.EndToEnd.Tests;

/// <summary>
/// grpc.health.v1.Health on the real host, for the whole server ("") and for the service by
/// name, as a Kubernetes gRPC probe configured with a service name asks: both SERVING while the
/// host serves, both NOT_SERVING once shutdown begins.
/// </summary>
public sealed class HealthTests(HostFixture host) : IClassFixture<HostFixture>
{
    private const string IdentitySharingService = "identitysharing.v1.IdentitySharingService";
    private const string CheckPath = "/grpc.health.v1.Health/Check";
    private const string WatchPath = "/grpc.health.v1.Health/Watch";
    private const int Ok = 0, NotFound = 5;

    [Theory]
    [InlineData("")]
    [InlineData(IdentitySharingService)]
    public async Task Check_is_serving(string service)
    {
        var result = await CheckAsync(host.Client, service);

        result.StatusCode.Should().Be(Ok, result.StatusMessage);
        result.Response!.Status.Should().Be(ServingStatus.Serving);
    }

    [Fact]
    public async Task Check_of_a_service_the_host_does_not_serve_is_not_found()
    {
        var result = await CheckAsync(host.Client, "identitysharing.v1.NoSuchService");

        result.StatusCode.Should().Be(NotFound);
    }

    [Fact]
    public async Task Watch_of_the_service_reports_serving_at_once()
    {
        using var http = HealthWatch.CreateHttpClient(host.Address);
        await using var watch = await HealthWatch.StartAsync(http, IdentitySharingService, TestContext.Current.CancellationToken);

        (await watch.ReadAsync()).Should().Be(ServingStatus.Serving);
    }

    [Fact]
    public async Task When_shutdown_begins_the_service_turns_not_serving_with_the_whole_server()
    {
        var stopping = new HostFixture();
        try
        {
            await stopping.InitializeAsync();
            var cancellationToken = TestContext.Current.CancellationToken;
            using var http = HealthWatch.CreateHttpClient(stopping.Address);
            await using var server = await HealthWatch.StartAsync(http, HealthStatusService.Server, cancellationToken);
            await using var service = await HealthWatch.StartAsync(http, IdentitySharingService, cancellationToken);
            (await server.ReadAsync()).Should().Be(ServingStatus.Serving);
            (await service.ReadAsync()).Should().Be(ServingStatus.Serving);

            // The state between ApplicationStopping (what SIGTERM fires) and the server stop.
            stopping.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

            (await service.ReadAsync()).Should().Be(ServingStatus.NotServing);
            (await service.ReadAsync()).Should().BeNull("shutdown ends every watch");
            (await server.ReadAsync()).Should().Be(ServingStatus.NotServing);
            (await server.ReadAsync()).Should().BeNull("shutdown ends every watch");
            (await service.ReadStatusAsync()).Should().Be("0");
            var health = stopping.Services.GetRequiredService<HealthStatusService>();
            health.TryGetStatus(IdentitySharingService, out var status).Should().BeTrue();
            status.Should().Be(ServingStatus.NotServing);
        }
        finally
        {
            await stopping.DisposeAsync();
        }
    }

    private static Task<Testing.Grpc.GrpcCallResult<HealthCheckResponse>> CheckAsync(Testing.Grpc.GrpcWireClient client, string service) =>
        client.UnaryAsync(CheckPath, new HealthCheckRequest { Service = service }, HealthCheckResponse.Parser, cancellationToken: TestContext.Current.CancellationToken);

    /// <summary>A Watch call over h2c whose responses are read as they arrive.</summary>
    private sealed class HealthWatch : IAsyncDisposable
    {
        // Generous: the machine running the tests may be loaded.
        private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

        private readonly HttpResponseMessage _response;
        private readonly Stream _body;
        private readonly CancellationToken _cancellationToken;

        private HealthWatch(HttpResponseMessage response, Stream body, CancellationToken cancellationToken)
        {
            _response = response;
            _body = body;
            _cancellationToken = cancellationToken;
        }

        public static HttpClient CreateHttpClient(Uri address) =>
            new(new SocketsHttpHandler()) { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };

        public static async Task<HealthWatch> StartAsync(HttpClient http, string service, CancellationToken cancellationToken)
        {
            var payload = new HealthCheckRequest { Service = service }.ToByteArray();
            var framed = new byte[payload.Length + 5];
            BinaryPrimitives.WriteInt32BigEndian(framed.AsSpan(1, 4), payload.Length);
            payload.CopyTo(framed, 5);
            using var request = new HttpRequestMessage(HttpMethod.Post, WatchPath)
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Content = new ByteArrayContent(framed),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
            request.Headers.TryAddWithoutValidation("te", "trailers");
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).WaitAsync(Patience, cancellationToken);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            return new HealthWatch(response, body, cancellationToken);
        }

        /// <summary>The next status sent, or null when the server ended the stream.</summary>
        public Task<ServingStatus?> ReadAsync() => ReadMessageAsync().WaitAsync(Patience, _cancellationToken);

        /// <summary>The grpc-status in the trailers, once the stream has ended.</summary>
        public async Task<string?> ReadStatusAsync()
        {
            await _body.CopyToAsync(Stream.Null, _cancellationToken).WaitAsync(Patience, _cancellationToken);
            return _response.TrailingHeaders.TryGetValues("grpc-status", out var values) ? values.FirstOrDefault() : null;
        }

        private async Task<ServingStatus?> ReadMessageAsync()
        {
            var prefix = new byte[5];
            var read = await _body.ReadAtLeastAsync(prefix, prefix.Length, throwOnEndOfStream: false, _cancellationToken);
            if (read == 0)
            {
                return null;
            }

            read.Should().Be(prefix.Length, "a message prefix is 5 bytes");
            var message = new byte[BinaryPrimitives.ReadUInt32BigEndian(prefix.AsSpan(1))];
            await _body.ReadExactlyAsync(message, _cancellationToken);
            return HealthCheckResponse.Parser.ParseFrom(message).Status;
        }

        public async ValueTask DisposeAsync()
        {
            await _body.DisposeAsync();
            _response.Dispose();
        }
    }
}
