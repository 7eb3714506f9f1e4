using System.Globalization;
using IdentitySharing.Application.Common;
using IdentitySharing.Domain;

namespace IdentitySharing.Application.ListShareEvents;

public sealed class ListShareEventsValidator : IValidator<ListShareEventsQuery>
{
    public const string ApplicantIdField = "applicant_id";
    public const string RecipientField = "recipient";
    public const string CallerField = "caller";
    public const string StartTimeField = "start_time";
    public const string EndTimeField = "end_time";
    public const string PageSizeField = "page_size";
    public const string PageTokenField = "page_token";

    /// <summary>A recipient is a client id or a Banxa identity reference: this covers both.</summary>
    public const int MaxRecipientLength = 255;
    public const int MaxCallerLength = 128;

    public IReadOnlyList<FieldViolation> Validate(ListShareEventsQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var violations = new ViolationList()
            .CheckOptional(ApplicantIdField, query.ApplicantId, ApplicantId.Validate)
            .CheckOptional(RecipientField, query.Recipient, static raw => TextRules.Check(raw, MaxRecipientLength, IsRecipientCharacter, "letters, digits, '_', '.' and '-'"))
            .CheckOptional(CallerField, query.Caller, static raw => TextRules.Check(raw, MaxCallerLength, static c => TextRules.IsVisibleAscii(c), "printable ASCII without spaces"))
            .Check(StartTimeField, query.StartTime?.Validate())
            .Check(EndTimeField, query.EndTime?.Validate())
            .Check(PageSizeField, query.PageSize is < 0 or > ListShareEventsQuery.MaxPageSize
                ? string.Create(CultureInfo.InvariantCulture, $"must be 0 (default {ListShareEventsQuery.DefaultPageSize}) to {ListShareEventsQuery.MaxPageSize}")
                : null);
        if (violations.Violations.Count > 0)
        {
            return violations.Violations;
        }
        var filter = query.Filter;
        return violations
            .Check(EndTimeField, filter.StartTime >= filter.EndTime ? "must be after start_time" : null)
            .CheckOptional(PageTokenField, query.PageToken, token => PageToken.TryDecode(token, filter) is null
                ? "is not a page token of this query (page tokens only continue the query with the same filters)"
                : null)
            .Violations;
    }

    private static bool IsRecipientCharacter(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-';
}
