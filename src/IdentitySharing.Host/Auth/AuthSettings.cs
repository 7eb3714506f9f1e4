using System.Globalization;
using System.Security.Cryptography;
using IdentitySharing.Host.Configuration;

namespace IdentitySharing.Host.Auth;

/// <summary>A token bucket: <see cref="PermitsPerSecond"/> sustained, up to <see cref="Burst"/> at once.</summary>
public sealed record RateLimitSettings(double PermitsPerSecond, int Burst);

/// <summary>One configured caller (<c>Auth:Callers:&lt;name&gt;</c>) and what it may do.</summary>
public sealed class CallerSettings
{
    public const string AllMethods = "*";

    public required string Name { get; init; }

    /// <summary>SHA-256 of the caller's API key; null when the caller authenticates by certificate only.</summary>
    public byte[]? KeySha256 { get; init; }

    /// <summary>SHA-256 thumbprint of the caller's client certificate (mTLS).</summary>
    public byte[]? CertificateThumbprint { get; init; }

    /// <summary>Distinguished name of the caller's client certificate (mTLS), compared exactly.</summary>
    public string? CertificateSubject { get; init; }

    public required IReadOnlySet<string> Methods { get; init; }

    public RateLimitSettings? RateLimit { get; init; }

    public bool MayCall(string method) => Methods.Contains(AllMethods) || Methods.Contains(method);
}

/// <summary>
/// The <c>Auth</c> and <c>RateLimits</c> sections, read in one pass. Reading never throws: every
/// problem is collected with its key (never a value) so startup reports all of them at once.
/// </summary>
public sealed class AuthSettings
{
    public const string Section = "Auth";
    public const string CallersSection = "Auth:Callers";
    public const string AllowAnonymousKey = "Auth:AllowAnonymous";
    public const string AllowUnauthenticatedHealthAndReflectionKey = "Auth:AllowUnauthenticatedHealthAndReflection";
    public const string DefaultRateLimitSection = "RateLimits:Default";

    private const int MaxCallerNameLength = 64;

    public required IReadOnlyList<CallerSettings> Callers { get; init; }

    /// <summary>
    /// Real accounts may run with no caller configured, every call then being <c>anonymous</c>. Never
    /// combined with callers (a startup problem): once callers exist, every call needs credentials.
    /// </summary>
    public bool AllowAnonymous { get; init; }

    public bool AllowUnauthenticatedHealthAndReflection { get; init; } = true;

    /// <summary>The limit for callers without their own, and for anonymous callers; null = unlimited.</summary>
    public RateLimitSettings? DefaultRateLimit { get; init; }

    /// <summary>No caller configured: every call is anonymous (sandbox, or explicitly allowed).</summary>
    public bool IsAnonymousOnly => Callers.Count == 0;

    /// <param name="configuration">The host configuration.</param>
    /// <param name="rpcNames">The RPC names a caller's <c>Methods</c> may list.</param>
    /// <param name="sandbox">No real Sumsub account is configured, so anonymous callers are harmless.</param>
    /// <param name="problems">Receives every problem found.</param>
    public static AuthSettings Load(IConfiguration configuration, IReadOnlyCollection<string> rpcNames, bool sandbox, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(rpcNames);
        ArgumentNullException.ThrowIfNull(problems);

        var callers = new List<CallerSettings>();
        foreach (var section in configuration.GetSection(CallersSection).GetChildren())
        {
            if (LoadCaller(section, rpcNames, problems) is { } caller)
            {
                callers.Add(caller);
            }
        }
        ReportDuplicates(callers, c => Hex(c.KeySha256), "KeySha256", problems);
        ReportDuplicates(callers, c => Hex(c.CertificateThumbprint), "CertificateThumbprint", problems);
        ReportDuplicates(callers, c => c.CertificateSubject, "CertificateSubject", problems);

        var allowAnonymous = ConfigurationReader.Boolean(configuration, AllowAnonymousKey, false, problems);
        var settings = new AuthSettings
        {
            Callers = callers,
            AllowAnonymous = allowAnonymous,
            AllowUnauthenticatedHealthAndReflection = ConfigurationReader.Boolean(configuration, AllowUnauthenticatedHealthAndReflectionKey, true, problems),
            DefaultRateLimit = LoadRateLimit(configuration.GetSection(DefaultRateLimitSection), problems),
        };

        var hasCallerSections = configuration.GetSection(CallersSection).GetChildren().Any();
        if (!sandbox && !hasCallerSections && !allowAnonymous)
        {
            problems.Add($"{CallersSection}: no caller is configured while real Sumsub accounts are; configure callers, or set {AllowAnonymousKey}=true to let anyone who can reach the port call the service");
        }
        if (hasCallerSections && allowAnonymous)
        {
            // Anonymous calls would run under no caller's method list: configuring callers would not restrict anyone.
            problems.Add($"{AllowAnonymousKey}: cannot be true while {CallersSection} are configured: anonymous calls would bypass the callers' method lists; it is only for real accounts with no callers, remove it");
        }
        return settings;
    }

    private static CallerSettings? LoadCaller(IConfigurationSection section, IReadOnlyCollection<string> rpcNames, List<string> problems)
    {
        var name = section.Key;
        var valid = true;
        if (name.Length > MaxCallerNameLength || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            problems.Add($"{CallersSection}:{ConfigurationReader.Printable(name)}: invalid caller name, use at most {MaxCallerNameLength} letters, digits, '-', '_' or '.'");
            return null;
        }
        if (string.Equals(name, Application.Ports.ICallerContext.Anonymous, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"{section.Path}: '{Application.Ports.ICallerContext.Anonymous}' is reserved for unauthenticated calls");
            valid = false;
        }

        var key = Sha256Hex(section, "KeySha256", problems, ref valid);
        var thumbprint = Sha256Hex(section, "CertificateThumbprint", problems, ref valid);
        var subject = section["CertificateSubject"];
        if (key is null && thumbprint is null && string.IsNullOrWhiteSpace(subject) && valid)
        {
            problems.Add($"{section.Path}: needs KeySha256 (hex SHA-256 of its API key), CertificateThumbprint or CertificateSubject");
            valid = false;
        }

        var methods = LoadMethods(section, rpcNames, problems, ref valid);
        var rateLimit = LoadRateLimit(section.GetSection("RateLimit"), problems);
        return valid
            ? new CallerSettings
            {
                Name = name,
                KeySha256 = key,
                CertificateThumbprint = thumbprint,
                CertificateSubject = string.IsNullOrWhiteSpace(subject) ? null : subject.Trim(),
                Methods = methods,
                RateLimit = rateLimit,
            }
            : null;
    }

    private static byte[]? Sha256Hex(IConfigurationSection section, string field, List<string> problems, ref bool valid)
    {
        var raw = section[field];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }
        var hex = raw.Trim().Replace(":", "", StringComparison.Ordinal);
        if (hex.Length == SHA256.HashSizeInBytes * 2 && hex.All(char.IsAsciiHexDigit))
        {
            return Convert.FromHexString(hex);
        }
        problems.Add($"{section.Path}:{field}: must be {SHA256.HashSizeInBytes * 2} hex digits (a SHA-256)");
        valid = false;
        return null;
    }

    private static HashSet<string> LoadMethods(IConfigurationSection section, IReadOnlyCollection<string> rpcNames, List<string> problems, ref bool valid)
    {
        var methodsSection = section.GetSection("Methods");
        // A list (Methods:0, Methods:1...) or a single value (Methods=*).
        List<string> entries = methodsSection.Value is { } single
            ? [single]
            : methodsSection.GetChildren().Select(child => child.Value ?? string.Empty).ToList();
        var methods = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries.Select(e => e.Trim()))
        {
            if (entry == CallerSettings.AllMethods || rpcNames.Contains(entry))
            {
                methods.Add(entry);
            }
            else
            {
                problems.Add($"{methodsSection.Path}: '{ConfigurationReader.Printable(entry)}' is not an RPC of this service; use {string.Join(", ", rpcNames)} or {CallerSettings.AllMethods}");
                valid = false;
            }
        }
        if (entries.Count == 0)
        {
            problems.Add($"{methodsSection.Path}: is required: the RPC names this caller may call, or {CallerSettings.AllMethods}");
            valid = false;
        }
        return methods;
    }

    private static RateLimitSettings? LoadRateLimit(IConfigurationSection section, List<string> problems)
    {
        var rawRate = section["PermitsPerSecond"];
        var rawBurst = section["Burst"];
        if (string.IsNullOrWhiteSpace(rawRate) && string.IsNullOrWhiteSpace(rawBurst))
        {
            return null;
        }
        var ok = true;
        if (!double.TryParse(rawRate, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) || !(rate > 0) || double.IsInfinity(rate))
        {
            problems.Add($"{section.Path}:PermitsPerSecond: must be a positive number");
            ok = false;
        }
        var burst = Math.Max(1, (int)Math.Ceiling(ok ? rate : 1));
        if (!string.IsNullOrWhiteSpace(rawBurst)
            && (!int.TryParse(rawBurst, NumberStyles.None, CultureInfo.InvariantCulture, out burst) || burst < 1))
        {
            problems.Add($"{section.Path}:Burst: must be a positive whole number");
            ok = false;
        }
        return ok ? new RateLimitSettings(rate, burst) : null;
    }

    private static string? Hex(byte[]? bytes) => bytes is null ? null : Convert.ToHexString(bytes);

    /// <summary>Credentials are compared as the interceptor compares them: hashes by value, subjects exactly.</summary>
    private static void ReportDuplicates(List<CallerSettings> callers, Func<CallerSettings, string?> credential, string field, List<string> problems)
    {
        var duplicates = callers
            .Where(c => credential(c) is not null)
            .GroupBy(c => credential(c)!, StringComparer.Ordinal)
            .Where(g => g.Count() > 1);
        foreach (var group in duplicates)
        {
            problems.Add($"{CallersSection}: callers {string.Join(", ", group.Select(c => c.Name))} share the same {field}; each credential must identify one caller");
        }
    }
}
