using System.Text.Json;

namespace IdentitySharing.Infrastructure.Banxa;

/// <summary>Compact camelCase JSON: the bytes signed are the bytes sent.</summary>
internal static class BanxaJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
