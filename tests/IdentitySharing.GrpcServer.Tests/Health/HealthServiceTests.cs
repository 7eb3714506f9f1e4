using IdentitySharing.GrpcServer.Health.V1;
using IdentitySharing.GrpcServer.Tests.Reflection;
using ServingStatus = IdentitySharing.GrpcServer.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace IdentitySharing.GrpcServer.Tests.Health;

public sealed class HealthServiceTests(ReflectionHealthServer server) : IClassFixture<ReflectionHealthServer>, IDisposable
{
    private const string CheckPath = "/grpc.health.v1.Health/Check";
    private const string WatchPath = "/grpc.health.v1.Health/Watch";

    private readonly H2cGrpcClient _client = new(server.Address);

    [Fact]
    public async Task Check_of_the_whole_server_is_serving()
    {
        var (response, status, _) = await CheckAsync("");

        status.Should().Be(StatusCode.OK);
        response!.Status.Should().Be(ServingStatus.Serving);
    }

    [Fact]
    public async Task Check_reports_the_status_the_host_set()
    {
        server.Health.SetStatus("check.Set", ServingStatus.NotServing);

        var (response, status, _) = await CheckAsync("check.Set");

        status.Should().Be(StatusCode.OK);
        response!.Status.Should().Be(ServingStatus.NotServing);
    }

    [Fact]
    public async Task Check_of_an_unknown_service_is_not_found()
    {
        var (_, status, _) = await CheckAsync("check.Unknown");

        status.Should().Be(StatusCode.NotFound);
    }

    [Theory]
    [InlineData("/grpc.health.v1.health/check", "Service is unimplemented.")]
    [InlineData("/GRPC.HEALTH.V1.HEALTH/CHECK", "Service is unimplemented.")]
    [InlineData("/grpc.health.v1.Health/check", "Method is unimplemented.")]
    public async Task Check_under_a_path_differing_in_case_is_UNIMPLEMENTED(string path, string message)
    {
        var (response, status, statusMessage) = await _client.UnaryAsync(
            path, new HealthCheckRequest(), HealthCheckResponse.Parser, TestContext.Current.CancellationToken);

        response.Should().BeNull("the health service must not answer a path that is not exactly its own");
        status.Should().Be(StatusCode.Unimplemented);
        Uri.UnescapeDataString(statusMessage!).Should().Be(message);
    }

    [Fact]
    public async Task Watch_sends_the_current_status_at_once_then_every_change()
    {
        server.Health.SetStatus("watch.Changes", ServingStatus.Serving);
        await using var call = await StartWatchAsync("watch.Changes");

        (await call.ReadAsync())!.Status.Should().Be(ServingStatus.Serving);
        server.Health.SetStatus("watch.Changes", ServingStatus.NotServing);
        (await call.ReadAsync())!.Status.Should().Be(ServingStatus.NotServing);
        server.Health.SetStatus("watch.Changes", ServingStatus.Serving);
        (await call.ReadAsync())!.Status.Should().Be(ServingStatus.Serving);
    }

    [Fact]
    public async Task Watch_of_an_unknown_service_reports_service_unknown_and_stays_open()
    {
        await using var call = await StartWatchAsync("watch.Later");

        (await call.ReadAsync())!.Status.Should().Be(ServingStatus.ServiceUnknown);
        server.Health.SetStatus("watch.Later", ServingStatus.Serving);
        (await call.ReadAsync())!.Status.Should().Be(ServingStatus.Serving);
    }

    [Fact]
    public async Task Shutdown_reports_not_serving_and_ends_watch_streams()
    {
        await using var stoppingServer = new ReflectionHealthServer();
        await stoppingServer.InitializeAsync();
        using var client = new H2cGrpcClient(stoppingServer.Address);
        await using var call = client.Start(WatchPath, HealthCheckResponse.Parser, TestContext.Current.CancellationToken);
        await call.WriteAsync(new HealthCheckRequest());
        call.CompleteRequests();
        (await call.ReadAsync())!.Status.Should().Be(ServingStatus.Serving);

        var stopping = stoppingServer.StopAsync();

        (await call.ReadAsync())!.Status.Should().Be(ServingStatus.NotServing);
        (await call.ReadAsync()).Should().BeNull();
        (await call.ReadStatusAsync()).Should().Be(StatusCode.OK);
        await stopping;
        stoppingServer.Health.TryGetStatus("", out var serverStatus).Should().BeTrue();
        serverStatus.Should().Be(ServingStatus.NotServing);
    }

    public void Dispose() => _client.Dispose();

    private Task<(HealthCheckResponse? Response, StatusCode Status, string? Message)> CheckAsync(string service) =>
        _client.UnaryAsync(CheckPath, new HealthCheckRequest { Service = service }, HealthCheckResponse.Parser, TestContext.Current.CancellationToken);

    private async Task<GrpcStreamingCall<HealthCheckResponse>> StartWatchAsync(string service)
    {
        var call = _client.Start(WatchPath, HealthCheckResponse.Parser, TestContext.Current.CancellationToken);
        await call.WriteAsync(new HealthCheckRequest { Service = service });
        call.CompleteRequests();
        return call;
    }
}
