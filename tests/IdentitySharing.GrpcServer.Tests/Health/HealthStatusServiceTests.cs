using IdentitySharing.GrpcServer.Health;
using ServingStatus = IdentitySharing.GrpcServer.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace IdentitySharing.GrpcServer.Tests.Health;

public sealed class HealthStatusServiceTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly HealthStatusService _health = new();

    [Fact]
    public void The_whole_server_starts_serving_and_named_services_start_unknown()
    {
        _health.TryGetStatus(HealthStatusService.Server, out var server).Should().BeTrue();
        server.Should().Be(ServingStatus.Serving);
        _health.TryGetStatus("pkg.Service", out _).Should().BeFalse();
    }

    [Fact]
    public void Set_and_clear_status_change_what_check_reads()
    {
        _health.SetStatus("pkg.Service", ServingStatus.NotServing);
        _health.TryGetStatus("pkg.Service", out var status).Should().BeTrue();
        status.Should().Be(ServingStatus.NotServing);

        _health.ClearStatus("pkg.Service");
        _health.TryGetStatus("pkg.Service", out _).Should().BeFalse();
    }

    [Fact]
    public async Task Watch_sends_the_current_status_then_each_change_without_repeats()
    {
        _health.SetStatus("pkg.Service", ServingStatus.Serving);
        await using var watch = _health.WatchAsync("pkg.Service", TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);

        (await NextAsync(watch)).Should().Be(ServingStatus.Serving);
        _health.SetStatus("pkg.Service", ServingStatus.Serving);
        _health.SetStatus("pkg.Service", ServingStatus.NotServing);
        (await NextAsync(watch)).Should().Be(ServingStatus.NotServing);
        _health.ClearStatus("pkg.Service");
        (await NextAsync(watch)).Should().Be(ServingStatus.ServiceUnknown);
    }

    [Fact]
    public async Task Watch_of_an_unknown_service_reports_service_unknown_and_stays_open_until_it_is_set()
    {
        await using var watch = _health.WatchAsync("pkg.Later", TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);

        (await NextAsync(watch)).Should().Be(ServingStatus.ServiceUnknown);
        _health.SetStatus("pkg.Later", ServingStatus.Serving);
        (await NextAsync(watch)).Should().Be(ServingStatus.Serving);
    }

    [Fact]
    public async Task Shutdown_makes_everything_not_serving_ends_watches_and_freezes_statuses()
    {
        _health.SetStatus("pkg.Service", ServingStatus.Serving);
        await using var watch = _health.WatchAsync("pkg.Service", TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        (await NextAsync(watch)).Should().Be(ServingStatus.Serving);

        _health.EnterShutdown();

        (await NextAsync(watch)).Should().Be(ServingStatus.NotServing);
        (await watch.MoveNextAsync().AsTask().WaitAsync(Patience, TestContext.Current.CancellationToken)).Should().BeFalse();
        _health.TryGetStatus(HealthStatusService.Server, out var server).Should().BeTrue();
        server.Should().Be(ServingStatus.NotServing);
        _health.SetStatus("pkg.Service", ServingStatus.Serving);
        _health.TryGetStatus("pkg.Service", out var service).Should().BeTrue();
        service.Should().Be(ServingStatus.NotServing);
    }

    [Fact]
    public async Task Watch_started_after_shutdown_reports_once_and_ends()
    {
        _health.EnterShutdown();

        var statuses = await _health.WatchAsync(HealthStatusService.Server, TestContext.Current.CancellationToken)
            .ToListAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Patience, TestContext.Current.CancellationToken);

        statuses.Should().Equal(ServingStatus.NotServing);
    }

    [Fact]
    public async Task Cancelling_a_watch_ends_it()
    {
        using var cancellation = new CancellationTokenSource();
        await using var watch = _health.WatchAsync(HealthStatusService.Server, cancellation.Token).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        (await NextAsync(watch)).Should().Be(ServingStatus.Serving);

        var next = watch.MoveNextAsync().AsTask();
        await cancellation.CancelAsync();

        await FluentActions.Awaiting(() => next.WaitAsync(Patience, TestContext.Current.CancellationToken))
            .Should().ThrowAsync<OperationCanceledException>();
    }

    private static async Task<ServingStatus> NextAsync(IAsyncEnumerator<ServingStatus> watch)
    {
        (await watch.MoveNextAsync().AsTask().WaitAsync(Patience, TestContext.Current.CancellationToken)).Should().BeTrue();
        return watch.Current;
    }
}
