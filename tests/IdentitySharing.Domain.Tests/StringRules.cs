using IdentitySharing.Domain;

namespace IdentitySharing.Domain.Tests;

/// <summary>One string value object's rule, seen through its public static API, for the shared tests.</summary>
public sealed record StringRule(
    string Name,
    int MaxLength,
    Func<int, string> ValidOfLength,
    Func<string?, string?> Validate,
    Func<string?, (bool Ok, StringValue? Value, string? Error)> TryCreate,
    Func<string, StringValue> Create,
    string OverMaxViolation = "must be at most")
{
    public override string ToString() => Name;

    public static readonly StringRule ApplicantIdRule = new(nameof(ApplicantId), ApplicantId.MaxLength,
        n => new string('a', n), ApplicantId.Validate,
        raw => (ApplicantId.TryCreate(raw, out var v, out var e), v, e), ApplicantId.Create);

    public static readonly StringRule ClientIdRule = new(nameof(ClientId), ClientId.MaxLength,
        n => new string('c', n), ClientId.Validate,
        raw => (ClientId.TryCreate(raw, out var v, out var e), v, e), ClientId.Create);

    public static readonly StringRule AccountNameRule = new(nameof(AccountName), AccountName.MaxLength,
        n => new string('x', n), AccountName.Validate,
        raw => (AccountName.TryCreate(raw, out var v, out var e), v, e), AccountName.Create);

    public static readonly StringRule ShareTokenRule = new(nameof(ShareToken), ShareToken.MaxLength,
        n => new string('t', n), ShareToken.Validate,
        raw => (ShareToken.TryCreate(raw, out var v, out var e), v, e), ShareToken.Create);

    public static readonly StringRule IdentityReferenceRule = new(nameof(IdentityReference), IdentityReference.MaxLength,
        n => new string('r', n), IdentityReference.Validate,
        raw => (IdentityReference.TryCreate(raw, out var v, out var e), v, e), IdentityReference.Create);

    public static readonly StringRule EmailAddressRule = new(nameof(EmailAddress), EmailAddress.MaxLength,
        n => new string('e', n - 2) + "@x", EmailAddress.Validate,
        raw => (EmailAddress.TryCreate(raw, out var v, out var e), v, e), EmailAddress.Create);

    public static readonly StringRule MobileNumberRule = new(nameof(MobileNumber), 16,
        n => "+4" + new string('1', n - 2), MobileNumber.Validate,
        raw => (MobileNumber.TryCreate(raw, out var v, out var e), v, e), MobileNumber.Create,
        // "+" and 15 digits: E.164's digit limit binds before the 20-character limit.
        OverMaxViolation: "must be an E.164 number");

    public static readonly StringRule DocumentSetTypeRule = new(nameof(DocumentSetType), DocumentSetType.MaxLength,
        n => new string('S', n), DocumentSetType.Validate,
        raw => (DocumentSetType.TryCreate(raw, out var v, out var e), v, e), DocumentSetType.Create);

    public static readonly StringRule LevelNameRule = new(nameof(LevelName), LevelName.MaxLength,
        n => new string('l', n), LevelName.Validate,
        raw => (LevelName.TryCreate(raw, out var v, out var e), v, e), LevelName.Create);

    public static readonly StringRule ExternalUserIdRule = new(nameof(ExternalUserId), ExternalUserId.MaxLength,
        n => new string('u', n), ExternalUserId.Validate,
        raw => (ExternalUserId.TryCreate(raw, out var v, out var e), v, e), ExternalUserId.Create);

    public static readonly StringRule RequestIdRule = new(nameof(RequestId), RequestId.MaxLength,
        n => new string('q', n), RequestId.Validate,
        raw => (RequestId.TryCreate(raw, out var v, out var e), v, e), RequestId.Create);

    public static readonly StringRule[] All =
    [
        ApplicantIdRule, ClientIdRule, AccountNameRule, ShareTokenRule, IdentityReferenceRule, EmailAddressRule,
        MobileNumberRule, DocumentSetTypeRule, LevelNameRule, ExternalUserIdRule, RequestIdRule,
    ];
}
