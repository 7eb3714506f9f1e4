using IdentitySharing.Host.Auth;
using IdentitySharing.Host.Rpc;

namespace IdentitySharing.Host.Configuration;

/// <summary>
/// Auth, rate limit and TLS settings read together at startup, with every problem found, so
/// they are reported in one go alongside the upstream settings' problems.
/// </summary>
public sealed class SecurityConfiguration
{
    private SecurityConfiguration(AuthSettings auth, TlsSettings tls, IReadOnlyList<string> problems)
    {
        Auth = auth;
        Tls = tls;
        Problems = problems;
    }

    public AuthSettings Auth { get; }

    public TlsSettings Tls { get; }

    public IReadOnlyList<string> Problems { get; }

    /// <param name="configuration">The host configuration.</param>
    /// <param name="sandbox">No real Sumsub account is configured (anonymous callers are then allowed).</param>
    public static SecurityConfiguration Load(IConfiguration configuration, bool sandbox)
    {
        var problems = new List<string>();
        var rpcNames = IdentitySharingRpcs.Service.Methods.Select(m => m.Name).ToList();
        var auth = AuthSettings.Load(configuration, rpcNames, sandbox, problems);
        var tls = TlsSettings.Load(configuration, problems);
        return new SecurityConfiguration(auth, tls, problems);
    }
}
