namespace IdentitySharing.Application.Common;

/// <summary>Request field names exactly as the proto contract spells them: field violations use these.</summary>
public static class FieldNames
{
    public const string ApplicantId = "applicant_id";
    public const string ForClientId = "for_client_id";
    public const string TtlSeconds = "ttl_seconds";
    public const string Account = "account";
    public const string RequestId = "request_id";
    public const string ShareToken = "share_token";
    public const string ResetIdDocSetTypes = "reset_id_doc_set_types";
    public const string UserId = "user_id";
    public const string LevelName = "level_name";
    public const string IdentityReference = "identity_reference";
    public const string Email = "email";
    public const string MobileNumber = "mobile_number";

    /// <summary>The name of one entry of a repeated field, e.g. <c>reset_id_doc_set_types[2]</c>.</summary>
    public static string Entry(string repeatedField, int index) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{repeatedField}[{index}]");
}
