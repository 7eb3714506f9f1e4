using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using IdentitySharing.Application.Common;
using IdentitySharing.Application.Ports;
using IdentitySharing.GrpcServer;
using MediatR;

namespace IdentitySharing.EndToEnd.Tests;

/// <summary>
/// The host with real callers and no anonymous access: "billing" may only ShareWithBanxa,
/// "ops" may call everything, "limited" may call everything twice before its bucket runs dry.
/// Probes record the <see cref="ICallerContext"/> commands see and how many calls run at once.
/// </summary>
public class AuthHostFixture : HostFixture
{
    public string BillingKey { get; } = NewKey();
    public string OpsKey { get; } = NewKey();
    public string LimitedKey { get; } = NewKey();
    public CallerProbe Callers { get; } = new();
    public ConcurrencyProbe Concurrency { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraConfiguration => new Dictionary<string, string?>
    {
        ["Auth:AllowAnonymous"] = "false",
        ["Auth:Callers:billing:KeySha256"] = Sha256Hex(BillingKey),
        ["Auth:Callers:billing:Methods:0"] = "ShareWithBanxa",
        // Upper case: the hash is compared case-insensitively.
        ["Auth:Callers:ops:KeySha256"] = Sha256Hex(OpsKey).ToUpperInvariant(),
        ["Auth:Callers:ops:Methods"] = "*",
        ["Auth:Callers:limited:KeySha256"] = Sha256Hex(LimitedKey),
        ["Auth:Callers:limited:Methods:0"] = "*",
        ["Auth:Callers:limited:RateLimit:PermitsPerSecond"] = "0.001",
        ["Auth:Callers:limited:RateLimit:Burst"] = "2",
    };

    public static IEnumerable<KeyValuePair<string, string>> Bearer(string key) => [new("authorization", "Bearer " + key)];

    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Sha256Hex(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.AddSingleton(Callers);
        services.AddTransient(typeof(IPipelineBehavior<,>), typeof(CallerRecordingBehavior<,>));
        services.AddSingleton(Concurrency);
        services.AddGrpcInterceptor<ConcurrencyInterceptor>();
    }

    /// <summary>The caller and RPC names each command saw, in order.</summary>
    public sealed class CallerProbe
    {
        public ConcurrentQueue<(string Caller, string Rpc)> Seen { get; } = new();
    }

    /// <summary>The most calls that were in progress at once.</summary>
    public sealed class ConcurrencyProbe
    {
        private int _current;
        private int _max;

        public int Max => Volatile.Read(ref _max);

        public void Enter()
        {
            var now = Interlocked.Increment(ref _current);
            int seen;
            while (now > (seen = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, now, seen) != seen)
            {
            }
        }

        public void Exit() => Interlocked.Decrement(ref _current);
    }

    private sealed class CallerRecordingBehavior<TRequest, TResponse>(ICallerContext caller, CallerProbe probe) : IPipelineBehavior<TRequest, TResponse>
        where TResponse : IResultOutcome
    {
        public Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
        {
            probe.Seen.Enqueue((caller.CallerName, caller.RpcName));
            return next();
        }
    }

    private sealed class ConcurrencyInterceptor(ConcurrencyProbe probe) : IGrpcInterceptor
    {
        public async ValueTask InterceptAsync(ServerCallContext context, Func<ServerCallContext, ValueTask> next)
        {
            probe.Enter();
            try
            {
                await next(context);
            }
            finally
            {
                probe.Exit();
            }
        }
    }
}
