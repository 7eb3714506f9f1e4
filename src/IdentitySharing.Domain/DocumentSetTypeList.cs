namespace IdentitySharing.Domain;

/// <summary>One violation in a list-valued field: <see cref="Index"/> is the bad entry, or null for the list as a whole.</summary>
public readonly record struct ListViolation(int? Index, string Description);

/// <summary>
/// The document set types an import resets: at most <see cref="MaxCount"/> entries, each a valid
/// <see cref="DocumentSetType"/>, no duplicates. Empty is valid (nothing to resubmit).
/// </summary>
public static class DocumentSetTypeList
{
    public const int MaxCount = 20;

    /// <summary>
    /// The rule: every violation, or an empty list when <paramref name="raw"/> is valid. A list
    /// over the limit gets one violation and no per-entry checks, so the answer stays small
    /// however long the list a caller sent.
    /// </summary>
    public static IReadOnlyList<ListViolation> Validate(IReadOnlyList<string?>? raw)
    {
        if (raw is null || raw.Count == 0)
        {
            return [];
        }
        if (raw.Count > MaxCount)
        {
            return [new ListViolation(null, $"must have at most {MaxCount} entries (got {raw.Count})")];
        }
        var violations = new List<ListViolation>();
        var firstIndexOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < raw.Count; i++)
        {
            if (DocumentSetType.Validate(raw[i]) is { } violation)
            {
                violations.Add(new ListViolation(i, violation));
            }
            else if (!firstIndexOf.TryAdd(raw[i]!, i))
            {
                violations.Add(new ListViolation(i, $"duplicates entry {firstIndexOf[raw[i]!]}"));
            }
        }
        return violations;
    }

    /// <summary>For values already validated; throws <see cref="ArgumentException"/> otherwise.</summary>
    public static IReadOnlyList<DocumentSetType> Create(IReadOnlyList<string?>? raw)
    {
        var violations = Validate(raw);
        if (violations.Count > 0)
        {
            throw new ArgumentException($"DocumentSetTypeList {violations[0].Description}", nameof(raw));
        }
        return raw is null ? [] : raw.Select(static type => DocumentSetType.Create(type!)).ToArray();
    }
}
