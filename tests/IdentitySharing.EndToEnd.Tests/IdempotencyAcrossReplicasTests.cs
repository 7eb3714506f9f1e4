using IdentitySharing.Contracts.V1;
using IdentitySharing.Host;
using IdentitySharing.Infrastructure.Tests.Storage;
using IdentitySharing.Testing.Grpc;
using IdentitySharing.Testing.Upstreams;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace IdentitySharing.EndToEnd.Tests;

/// <summary>
/// Two hosts (replicas) behind an imaginary load balancer, sharing one real PostgreSQL
/// database: a retry that lands on the other replica still gets the stored outcome.
/// </summary>
public sealed class IdempotencyAcrossReplicasTests(PostgresServer postgres) : IAsyncLifetime
{
    private readonly FakeSumsub _sumsub = new() { ClientId = HostFixture.MainClientId };
    private readonly FakeBanxa _banxa = new();
    private readonly List<WebApplication> _replicas = [];
    private readonly List<GrpcWireClient> _clients = [];

    public async ValueTask InitializeAsync()
    {
        await _sumsub.StartAsync(TestContext.Current.CancellationToken);
        await _banxa.StartAsync(TestContext.Current.CancellationToken);
        var database = await postgres.CreateDatabaseAsync();
        for (var i = 0; i < 2; i++)
        {
            var app = await IdentitySharingApp.BuildAsync(["--urls", "http://127.0.0.1:0"], builder =>
            {
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Sumsub:Accounts:main:AppToken"] = _sumsub.AppToken,
                    ["Sumsub:Accounts:main:SecretKey"] = _sumsub.SecretKey,
                    ["Sumsub:Accounts:main:BaseUrl"] = _sumsub.BaseUrl.ToString(),
                    ["Sumsub:Accounts:main:ClientId"] = HostFixture.MainClientId,
                    ["Banxa:BaseUrl"] = _banxa.BaseUrl.ToString(),
                    ["Banxa:ApiKey"] = _banxa.ApiKey,
                    ["Banxa:ApiSecret"] = _banxa.ApiSecret,
                    ["Auth:AllowAnonymous"] = "true",
                    ["Storage:Provider"] = "Postgres",
                    ["Storage:ConnectionString"] = database,
                });
                builder.Logging.ClearProviders();
            });
            _replicas.Add(app);
        }
        // Both start together: the advisory lock lets one migrate while the other waits.
        await Task.WhenAll(_replicas.Select(app => app.StartAsync(TestContext.Current.CancellationToken)));
        _clients.AddRange(_replicas.Select(app =>
            new GrpcWireClient(new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()))));
    }

    public async ValueTask DisposeAsync()
    {
        _clients.ForEach(client => client.Dispose());
        foreach (var app in _replicas)
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }
        await _sumsub.DisposeAsync();
        await _banxa.DisposeAsync();
    }

    [Fact]
    public async Task Duplicates_spread_over_two_replicas_import_once_and_agree()
    {
        var request = new ImportApplicantRequest { ShareToken = "_act-replicated", UserId = "customer-9", RequestId = Guid.NewGuid().ToString() };

        var calls = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => _clients[i % 2].ImportApplicant(request)));
        var laterRetry = await _clients[1].ImportApplicant(request);

        calls.Should().OnlyContain(c => c.StatusCode == 0);
        calls.Append(laterRetry).Select(c => c.Response!.Applicant.Id).Distinct().Should().ContainSingle();
        _sumsub.Requests.Count(r => r.Path == FakeSumsub.ImportPath).Should().Be(1);

        var ledger = await _clients[0].UnaryAsync("/identitysharing.v1.IdentitySharingService/ListShareEvents",
            new ListShareEventsRequest { ApplicantId = laterRetry.Response!.Applicant.Id }, ListShareEventsResponse.Parser,
            cancellationToken: TestContext.Current.CancellationToken);
        ledger.Response!.Events.Should().ContainSingle().Which.RequestId.Should().Be(request.RequestId);
    }
}
