using System.Globalization;

namespace IdentitySharing.Host.Configuration;

/// <summary>Small typed readers that report a bad value by its key (never echoing secrets) instead of throwing.</summary>
internal static class ConfigurationReader
{
    public static bool Boolean(IConfiguration configuration, string key, bool fallback, List<string> problems)
    {
        var raw = configuration[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return fallback;
        }
        if (bool.TryParse(raw.Trim(), out var value))
        {
            return value;
        }
        problems.Add($"{key}: must be true or false");
        return fallback;
    }

    public static int? PositiveInt(IConfiguration configuration, string key, List<string> problems)
    {
        var raw = configuration[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }
        if (int.TryParse(raw.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0)
        {
            return value;
        }
        problems.Add($"{key}: must be a positive whole number");
        return null;
    }

    /// <summary>Configured names are not secret, but keep control characters and floods out of startup messages.</summary>
    public static string Printable(string raw) =>
        new([.. raw.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);
}
