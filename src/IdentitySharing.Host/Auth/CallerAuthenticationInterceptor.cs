using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using IdentitySharing.Application.Ports;
using IdentitySharing.GrpcServer;

namespace IdentitySharing.Host.Auth;

/// <summary>
/// Authenticates every call and applies the caller's method allow-list. A bearer API key is
/// hashed and compared in constant time against every caller's key hash (no early exit, so
/// timing says nothing about which or how many keys exist); without a key, a client certificate
/// Kestrel has already validated may identify the caller (mTLS). Missing, malformed or unknown
/// credentials are UNAUTHENTICATED; a method outside the allow-list is PERMISSION_DENIED.
/// Error messages never echo what the client sent.
/// </summary>
internal sealed class CallerAuthenticationInterceptor(AuthSettings settings) : IGrpcInterceptor
{
    public const string IdentitySharingService = "identitysharing.v1.IdentitySharingService";

    private const string BearerPrefix = "Bearer ";

    /// <summary>Longer authorization values are rejected unhashed.</summary>
    private const int MaxKeyLength = 1024;

    private static readonly HashSet<string> OpenServices = new(StringComparer.Ordinal)
    {
        "grpc.health.v1.Health",
        "grpc.reflection.v1.ServerReflection",
        "grpc.reflection.v1alpha.ServerReflection",
    };

    public ValueTask InterceptAsync(ServerCallContext context, Func<ServerCallContext, ValueTask> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (settings.AllowUnauthenticatedHealthAndReflection && OpenServices.Contains(context.ServiceName))
        {
            return next(context);
        }

        var caller = Authenticate(context);
        if (caller is not null && context.ServiceName == IdentitySharingService && !caller.MayCall(context.MethodName))
        {
            throw new RpcException(StatusCode.PermissionDenied, $"Caller '{caller.Name}' may not call {context.MethodName}.");
        }

        var name = caller?.Name ?? ICallerContext.Anonymous;
        CallerIdentity.Set(context, name);
        context.HttpContext.RequestServices.GetRequiredService<CallerContext>().Set(name, context);
        Activity.Current?.SetTag(TelemetryTags.Caller, name);
        return next(context);
    }

    /// <summary>The caller, or null when no caller is configured (every call is then anonymous).</summary>
    private CallerSettings? Authenticate(ServerCallContext context)
    {
        if (settings.IsAnonymousOnly)
        {
            return null;
        }

        var authorization = context.HttpContext.Request.Headers.Authorization;
        if (authorization.Count > 0)
        {
            return authorization.Count == 1 && ParseBearer(authorization[0]) is { } key
                ? FindByKey(key) ?? throw Unauthenticated("Unknown API key.")
                : throw Unauthenticated("Malformed authorization: send 'authorization: Bearer <api key>'.");
        }

        if (context.HttpContext.Connection.ClientCertificate is { } certificate)
        {
            return FindByCertificate(certificate) ?? throw Unauthenticated("The client certificate does not identify a caller.");
        }

        // Never anonymous once callers are configured, whatever Auth:AllowAnonymous says: an anonymous
        // call would bypass every caller's method list (startup refuses that combination too).
        throw Unauthenticated("Missing credentials: send 'authorization: Bearer <api key>'.");
    }

    private static string? ParseBearer(string? value)
    {
        if (value is null || value.Length <= BearerPrefix.Length || value.Length > BearerPrefix.Length + MaxKeyLength
            || !value.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var key = value[BearerPrefix.Length..];
        // RFC 6750 token68 characters: anything else (spaces, controls, non-ASCII) is malformed.
        return key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or '+' or '/' or '=') ? key : null;
    }

    private CallerSettings? FindByKey(string key)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.ASCII.GetBytes(key), hash);
        CallerSettings? match = null;
        foreach (var caller in settings.Callers)
        {
            // Every configured hash is compared, whatever matched before.
            if (caller.KeySha256 is { } expected && CryptographicOperations.FixedTimeEquals(hash, expected))
            {
                match = caller;
            }
        }
        return match;
    }

    private CallerSettings? FindByCertificate(X509Certificate2 certificate)
    {
        var thumbprint = certificate.GetCertHash(HashAlgorithmName.SHA256);
        return settings.Callers.FirstOrDefault(c => c.CertificateThumbprint is { } expected && CryptographicOperations.FixedTimeEquals(thumbprint, expected))
            ?? settings.Callers.FirstOrDefault(c => c.CertificateSubject is { } subject && string.Equals(subject, certificate.Subject, StringComparison.Ordinal));
    }

    private static RpcException Unauthenticated(string detail) => new(StatusCode.Unauthenticated, detail);
}
