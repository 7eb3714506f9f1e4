using System.Net;
using System.Net.Sockets;
using IdentitySharing.Application.Ports;
using IdentitySharing.Infrastructure.Banxa;
using IdentitySharing.Infrastructure.Configuration;
using IdentitySharing.Infrastructure.Resilience;
using IdentitySharing.Infrastructure.Storage;
using IdentitySharing.Infrastructure.Sumsub;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IdentitySharing.Infrastructure;

public static class DependencyInjection
{
    /// <summary>
    /// Overall cap per upstream call, a safety net only: the caller's cancellation token (the
    /// gRPC deadline) is what bounds a call.
    /// </summary>
    public static readonly TimeSpan SafetyTimeout = TimeSpan.FromSeconds(100);

    /// <summary>
    /// Registers the Sumsub and Banxa adapters and their settings, and storage (idempotency
    /// records and the audit ledger, see <see cref="StorageServiceCollectionExtensions.AddStorage"/>). The settings are read from
    /// <paramref name="configuration"/> when first needed (so sandbox overrides added to it
    /// beforehand apply); invalid settings throw then, listing every problem — call
    /// <see cref="UpstreamSettings.Validate"/> at startup to report them first.
    /// </summary>
    public static IServiceCollection AddInfrastructure(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(_ => UpstreamSettings.Load(configuration).EnsureValid());
        services.AddSingleton(sp => sp.GetRequiredService<UpstreamSettings>().Banxa!);
        services.AddSingleton<IBanxaSettings>(sp => sp.GetRequiredService<BanxaSettings>());
        services.AddSingleton<SumsubAccountCatalog>();
        services.AddSingleton<ISumsubAccounts>(sp => sp.GetRequiredService<SumsubAccountCatalog>());
        services.AddSingleton<BanxaNonceSource>();

        AddUpstreamHttpClient(services, SumsubClient.HttpClientName, options => options.SumsubAttemptTimeout);
        AddUpstreamHttpClient(services, BanxaClient.HttpClientName, options => options.BanxaAttemptTimeout);
        AddResilience(services, configuration);
        services.AddSingleton<ISumsubClient>(sp => new SumsubClient(
            sp.GetRequiredService<IHttpClientFactory>(), sp.GetRequiredService<SumsubAccountCatalog>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<UpstreamResilience>()));
        services.AddSingleton<IBanxaClient>(sp => new BanxaClient(
            sp.GetRequiredService<IHttpClientFactory>(), sp.GetRequiredService<BanxaSettings>(), sp.GetRequiredService<BanxaNonceSource>(), sp.GetRequiredService<UpstreamResilience>()));

        services.AddStorage(configuration);
        return services;
    }

    // Timeouts, retries, circuit breakers and pacing: one instance, so breakers and budgets are shared by all calls.
    private static void AddResilience(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(_ => ResilienceOptions.Load(configuration));
        services.AddSingleton(sp => new SumsubPacer(sp.GetRequiredService<ResilienceOptions>().SumsubRateLimits));
        services.AddSingleton(sp => new UpstreamResilience(sp.GetRequiredService<ResilienceOptions>(), sp.GetRequiredService<SumsubPacer>()));
    }

    // One pooled handler per upstream; rotating connections lets DNS changes take effect.
    // Sumsub accounts share the handler: each request carries its account's absolute base URL.
    private static void AddUpstreamHttpClient(IServiceCollection services, string name, Func<ResilienceOptions, TimeSpan> attemptTimeout) =>
        services.AddHttpClient(name, client => client.Timeout = SafetyTimeout)
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var connectTimeout = ConnectTimeout(attemptTimeout(sp.GetRequiredService<ResilienceOptions>()));
                return new SocketsHttpHandler
                {
                    PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                    PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
                    ConnectCallback = (context, cancellationToken) => ConnectAsync(context.DnsEndPoint, connectTimeout, cancellationToken),
                    AutomaticDecompression = System.Net.DecompressionMethods.All,
                    AllowAutoRedirect = false,
                };
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);

    /// <summary>
    /// Well inside the attempt's timeout: a connection that cannot be opened must fail as such
    /// (nothing sent: safe to retry, even an import) before the attempt timeout fires, which could
    /// only say "no answer" and so make an import's outcome unknown.
    /// </summary>
    internal static TimeSpan ConnectTimeout(TimeSpan attemptTimeout) =>
        TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(5).Ticks, attemptTimeout.Ticks / 2));

    /// <summary>
    /// Opens the TCP connection as SocketsHttpHandler does, but a connection not open within
    /// <paramref name="timeout"/> fails as a socket error, which HttpClient reports as a connection
    /// error (<see cref="HttpRequestError.ConnectionError"/>: nothing sent). The handler's own
    /// ConnectTimeout would surface as a cancellation, indistinguishable from "no answer".
    /// </summary>
    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(endpoint, limit.Token).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new SocketException((int)SocketError.TimedOut);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
