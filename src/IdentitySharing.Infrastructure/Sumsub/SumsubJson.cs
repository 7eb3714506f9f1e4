using System.Text.Json;
using System.Text.Json.Serialization;

namespace IdentitySharing.Infrastructure.Sumsub;

/// <summary>Compact camelCase JSON; absent options are left out rather than sent as null.</summary>
internal static class SumsubJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
