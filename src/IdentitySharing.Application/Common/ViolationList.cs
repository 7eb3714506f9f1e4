using IdentitySharing.Domain;

namespace IdentitySharing.Application.Common;

/// <summary>Collects field violations from the domain's rules; each rule is stated once, in the domain.</summary>
internal sealed class ViolationList
{
    private readonly List<FieldViolation> _violations = [];

    public IReadOnlyList<FieldViolation> Violations => _violations;

    /// <summary>Records <paramref name="violation"/> (a domain rule's answer) against <paramref name="field"/> when there is one.</summary>
    public ViolationList Check(string field, string? violation)
    {
        if (violation is not null)
        {
            _violations.Add(new FieldViolation(field, violation));
        }
        return this;
    }

    /// <summary>An optional field: empty means "not sent"; anything else must pass the rule.</summary>
    public ViolationList CheckOptional(string field, string? raw, Func<string, string?> rule) =>
        string.IsNullOrEmpty(raw) ? this : Check(field, rule(raw));

    public ViolationList CheckList(string field, IReadOnlyList<ListViolation> violations)
    {
        foreach (var violation in violations)
        {
            Check(violation.Index is { } index ? FieldNames.Entry(field, index) : field, violation.Description);
        }
        return this;
    }
}
